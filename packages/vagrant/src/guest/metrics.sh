# vm guest metrics: prints ONE JSON object on stdout (see GuestMetrics in ../status/guestMetrics.ts).
#
#   sh -s -- [--container] [--sample-cs N] [--reuse-cs M] [--service NAME PROCESS UNIT PORT]... < metrics.sh
#
# POSIX sh (dash, bash, busybox ash). Reads /proc and the cgroup files only, plus `df` for the
# disk; no procps (ps, free, top, vmstat), no python, no jq. Empty PROCESS/UNIT/PORT = not checked.
# --container: the guest is a container (docker provider), which sees the HOST's /proc/meminfo,
# /proc/stat and /proc/uptime: memory and CPU then come from its cgroup, uptime from PID 1's age.
# CPU use is measured over a window of at least N centiseconds (default 20). With --reuse-cs M the
# window starts at the previous run's last CPU reading when that is N..M cs old (saved in
# $XDG_RUNTIME_DIR, else $HOME, as .vm-cpu-sample; VM_CPU_STATE names another file, empty = none),
# like `top` between refreshes: no sleep then. "cpuWindowCs" says how long the window was.
# Every fork costs milliseconds in an emulated guest: the probes use shell built-ins, and the
# sleep runs in the background while they read.
# VM_PROC and VM_CGROUP replace /proc and /sys/fs/cgroup (tests run the script on fixture trees).
# Exit status is 0 whenever the JSON was printed; problems are listed in "errors".

LC_ALL=C
export LC_ALL
P=${VM_PROC:-/proc}
CG=${VM_CGROUP:-/sys/fs/cgroup}
container=0
sample_cs=20
reuse_cs=0
errors=
services=

# json_str TEXT: sets J to TEXT as a JSON string literal.
json_str() {
  s=$1
  case $s in
    *\\* | *\"* | *[!\ -~]*) ;;
    *) J="\"$s\""; return ;;
  esac
  J=
  while [ -n "$s" ]; do
    r=${s#?}
    c=${s%"$r"}
    s=$r
    case $c in
      \\) J="$J\\\\" ;;
      \") J="$J\\\"" ;;
      [\ -~]) J="$J$c" ;;
      *)
        n=$(printf '%d' "'$c")
        # bytes >= 0x80 (UTF-8) pass through; control characters become \u00XX
        if [ "$n" -ge 0 ] && { [ "$n" -lt 32 ] || [ "$n" -eq 127 ]; }; then
          J="$J$(printf '\\u%04x' "$n")"
        else
          J="$J$c"
        fi
        ;;
    esac
  done
  J="\"$J\""
}

add_error() {
  json_str "$1"
  errors="$errors${errors:+,}$J"
}

# num VALUE: sets J to VALUE when it is a non-negative integer, else to null (no subshell).
num() {
  case $1 in
    '' | *[!0-9]*) J=null ;;
    *) J=$1 ;;
  esac
}

is_int() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

# uptime_cs: sets UP_CS to the kernel's uptime in centiseconds.
uptime_cs() {
  UP_CS=
  { read -r u _ < "$P/uptime"; } 2>/dev/null || return 1
  sec=${u%%.*}
  frac=${u#*.}
  [ "$frac" = "$u" ] && frac=0
  frac="${frac}00"
  frac=${frac%"${frac#??}"}
  frac=${frac#0}
  is_int "$sec" && is_int "$frac" || return 1
  UP_CS=$((sec * 100 + frac))
}

# proc_cpu: sets BUSY and TOTAL (ticks over all CPUs since boot) from the "cpu" line of /proc/stat.
proc_cpu() {
  BUSY=
  TOTAL=
  { read -r label u n s i w q sq st _ < "$P/stat"; } 2>/dev/null || return 1
  [ "$label" = cpu ] || return 1
  for v in "$u" "$n" "$s" "$i" "${w:-0}" "${q:-0}" "${sq:-0}" "${st:-0}"; do is_int "$v" || return 1; done
  # guest time is already counted in user/nice
  BUSY=$((u + n + s + ${q:-0} + ${sq:-0} + ${st:-0}))
  TOTAL=$((BUSY + i + ${w:-0}))
}

# cgroup_cpu: sets USAGE_US to the cgroup's CPU time in microseconds (v2 cpu.stat, v1 cpuacct.usage).
cgroup_cpu() {
  USAGE_US=
  if [ -r "$CG/cpu.stat" ]; then
    while read -r k v; do
      [ "$k" = usage_usec ] && USAGE_US=$v
    done < "$CG/cpu.stat"
  else
    for f in "$CG/cpuacct/cpuacct.usage" "$CG/cpu,cpuacct/cpuacct.usage"; do
      if [ -r "$f" ]; then
        read -r ns < "$f"
        is_int "$ns" && USAGE_US=$((ns / 1000))
        break
      fi
    done
  fi
  is_int "$USAGE_US"
}

# cpu_count: sets NCPU to the CPUs the guest may use (online CPUs, capped by a cgroup quota).
cpu_count() {
  NCPU=0
  [ -r "$P/stat" ] || return 1
  while read -r label _; do
    case $label in cpu[0-9]*) NCPU=$((NCPU + 1)) ;; esac
  done < "$P/stat"
  [ "$container" = 1 ] || return 0
  quota=
  period=
  if [ -r "$CG/cpu.max" ]; then
    { read -r quota period < "$CG/cpu.max"; } 2>/dev/null
  elif [ -r "$CG/cpu/cpu.cfs_quota_us" ]; then
    { read -r quota < "$CG/cpu/cpu.cfs_quota_us"; read -r period < "$CG/cpu/cpu.cfs_period_us"; } 2>/dev/null
  fi
  if is_int "$quota" && is_int "$period" && [ "$period" -gt 0 ]; then
    q=$(((quota + period - 1) / period))
    [ "$q" -ge 1 ] && [ "$q" -lt "$NCPU" ] && NCPU=$q
  fi
  return 0
}

# service_probe NAME PROCESS UNIT PORT: appends one JSON object to $services.
service_probe() {
  name=$1 proc=$2 unit=$3 port=$4
  running=true
  detail=
  err=
  checked=0
  if [ -n "$unit" ]; then
    if command -v systemctl >/dev/null 2>&1; then
      state=$(systemctl is-active "$unit" 2>/dev/null)
    else
      state=
    fi
    case $state in
      active | reloading) checked=1; detail="unit $state" ;;
      inactive | failed | activating | deactivating)
        checked=1; running=false; detail="unit $state"; err="unit $unit is $state" ;;
      *) [ -n "$proc" ] || { running=null; err="cannot query unit $unit: systemd is not running"; } ;;
    esac
  fi
  if [ -n "$proc" ] && [ "$checked" = 0 ] && [ "$running" != null ]; then
    checked=1
    # /proc/PID/comm holds at most 15 bytes of the name
    want=$(printf '%.15s' "$proc")
    pid=
    for d in "$P"/[0-9]*; do
      c=
      { read -r c < "$d/comm"; } 2>/dev/null || continue
      if [ "$c" = "$want" ] && [ "${d##*/}" != "$$" ]; then
        pid=${d##*/}
        break
      fi
    done
    if [ -n "$pid" ]; then
      detail="pid $pid"
    else
      running=false
      err="no process named $proc"
    fi
  fi
  if [ -n "$port" ] && [ "$running" != null ]; then
    checked=1
    hex=$(printf '%04X' "$port" 2>/dev/null)
    found=0
    readable=0
    for f in "$P/net/tcp" "$P/net/tcp6"; do
      [ -r "$f" ] || continue
      readable=1
      # st 0A = LISTEN; local_address is HEXADDR:HEXPORT
      while read -r _ local _ st _; do
        if [ "$st" = 0A ] && [ "${local##*:}" = "$hex" ]; then
          found=1
          break
        fi
      done < "$f"
      [ "$found" = 1 ] && break
    done
    if [ "$readable" = 0 ]; then
      running=null
      err="cannot read $P/net/tcp"
    elif [ "$found" = 1 ]; then
      detail="${detail:+$detail, }listening on $port"
    else
      running=false
      err="${err:+$err; }nothing listens on port $port"
    fi
  fi
  if [ "$checked" = 0 ] && [ "$running" = true ]; then
    running=null
    err="nothing to check: give the service a process, unit or port"
  fi
  json_str "$name"
  out="{\"name\":$J,\"running\":$running"
  if [ -n "$detail" ]; then json_str "$detail"; out="$out,\"detail\":$J"; else out="$out,\"detail\":null"; fi
  if [ -n "$err" ]; then json_str "$err"; out="$out,\"error\":$J}"; else out="$out,\"error\":null}"; fi
  services="$services${services:+,}$out"
}

# ---- options ----
while [ $# -gt 0 ]; do
  case $1 in
    --container) container=1; shift ;;
    --sample-cs)
      [ $# -ge 2 ] || break
      is_int "$2" && sample_cs=$2
      shift 2
      ;;
    --reuse-cs)
      [ $# -ge 2 ] || break
      is_int "$2" && reuse_cs=$2
      shift 2
      ;;
    *) break ;;
  esac
done

# ---- first CPU reading: the previous run's when recent enough, else now plus a background sleep ----
uptime_cs
UP0=$UP_CS
cpu_mode=proc
if [ "$container" = 1 ] && cgroup_cpu; then
  cpu_mode=cgroup
  USAGE0=$USAGE_US
fi
proc_cpu
BUSY0=$BUSY
TOTAL0=$TOTAL
CPU_UP0=$UP0
cpu_state=
if [ "$reuse_cs" -gt 0 ]; then
  if [ "${VM_CPU_STATE+set}" = set ]; then
    cpu_state=$VM_CPU_STATE
  elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ -w "$XDG_RUNTIME_DIR" ] && [ -O "$XDG_RUNTIME_DIR" ]; then
    cpu_state=$XDG_RUNTIME_DIR/.vm-cpu-sample
  elif [ -n "${HOME:-}" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
    cpu_state=$HOME/.vm-cpu-sample
  fi
fi
reused=0
# a saved reading: "<mode> <uptime cs> <busy> <total> <cgroup usage µs or -> end" (a torn or foreign file is ignored)
if [ -n "$cpu_state" ] && [ -f "$cpu_state" ] && [ -O "$cpu_state" ] && is_int "$UP0" \
  && { read -r s_mode s_up s_busy s_total s_usage s_end < "$cpu_state"; } 2>/dev/null \
  && [ "$s_end" = end ] && [ "$s_mode" = "$cpu_mode" ] && is_int "$s_up" && [ "$s_up" -le "$UP0" ] \
  && [ $((UP0 - s_up)) -ge "$sample_cs" ] && [ $((UP0 - s_up)) -le "$reuse_cs" ]; then
  if [ "$cpu_mode" = cgroup ]; then
    is_int "$s_usage" && [ "$s_usage" -le "$USAGE0" ] && reused=1
  else
    is_int "$s_busy" && is_int "$s_total" && is_int "$BUSY0" && [ "$s_busy" -le "$BUSY0" ] \
      && [ "$s_total" -lt "$TOTAL0" ] && reused=1
  fi
fi
sleep_pid=
if [ "$reused" = 1 ]; then
  CPU_UP0=$s_up
  BUSY0=$s_busy
  TOTAL0=$s_total
  USAGE0=$s_usage
elif is_int "$UP0" && [ "$sample_cs" -gt 0 ]; then
  if command -v sleep >/dev/null 2>&1; then
    # fractional seconds: GNU and busybox sleep; POSIX-only sleeps take the whole second
    { sleep "$((sample_cs / 100)).$((sample_cs % 100 / 10))$((sample_cs % 10))" 2>/dev/null || sleep 1; } &
    sleep_pid=$!
  else
    add_error "cpu: sleep is not installed, so the CPU sample is only as long as the other probes"
  fi
fi

# ---- services ----
while [ $# -gt 0 ]; do
  if [ "$1" = --service ] && [ $# -ge 5 ]; then
    service_probe "$2" "$3" "$4" "$5"
    shift 5
  else
    add_error "metrics: unexpected argument: $1"
    break
  fi
done

# ---- memory (KB) ----
mem_total=
mem_avail=
mem_free=
mem_buffers=
mem_cached=
if [ -r "$P/meminfo" ]; then
  while read -r k v _; do
    case $k in
      MemTotal:) mem_total=$v ;;
      MemAvailable:) mem_avail=$v ;;
      MemFree:) mem_free=$v ;;
      Buffers:) mem_buffers=$v ;;
      Cached:) mem_cached=$v ;;
    esac
  done < "$P/meminfo"
fi
[ -n "$mem_avail" ] || { is_int "$mem_free" && mem_avail=$((mem_free + ${mem_buffers:-0} + ${mem_cached:-0})); }
mem_used=
mem_limit=
if is_int "$mem_total" && is_int "$mem_avail"; then
  mem_limit=$mem_total
  mem_used=$((mem_total - mem_avail))
else
  add_error "memory: cannot read $P/meminfo"
fi
if [ "$container" = 1 ]; then
  cur=
  max=
  inactive=0
  if [ -r "$CG/memory.current" ]; then
    { read -r cur < "$CG/memory.current"; read -r max < "$CG/memory.max"; } 2>/dev/null
    stat_file=$CG/memory.stat
    inactive_key=inactive_file
  elif [ -r "$CG/memory/memory.usage_in_bytes" ]; then
    { read -r cur < "$CG/memory/memory.usage_in_bytes"; read -r max < "$CG/memory/memory.limit_in_bytes"; } 2>/dev/null
    stat_file=$CG/memory/memory.stat
    inactive_key=total_inactive_file
  fi
  if is_int "$cur"; then
    # like `docker stats`: the page cache the kernel can drop at once is not "used"
    if [ -r "$stat_file" ]; then
      while read -r k v; do
        [ "$k" = "$inactive_key" ] && is_int "$v" && inactive=$v
      done < "$stat_file"
    fi
    [ "$inactive" -le "$cur" ] || inactive=0
    mem_used=$(((cur - inactive) / 1024))
    # "max" (v2) or a huge number (v1) = no limit: the host's memory is the limit
    if is_int "$max" && [ ${#max} -lt 19 ] && { ! is_int "$mem_limit" || [ $((max / 1024)) -lt "$mem_limit" ]; }; then
      mem_limit=$((max / 1024))
    fi
  fi
fi

# ---- disk of / (KB) ----
disk_total=
disk_used=
if command -v df >/dev/null 2>&1; then
  df_out=$(df -P -k / 2>/dev/null)
  # second line: Filesystem 1024-blocks Used Available Capacity Mounted-on
  line=${df_out#*
}
  read -r _ disk_total disk_used _ <<EOF
$line
EOF
  if ! is_int "$disk_total" || ! is_int "$disk_used"; then
    disk_total=
    disk_used=
    add_error "disk: cannot parse df -P -k / output"
  fi
else
  add_error "disk: df is not installed"
fi

# ---- uptime (s) ----
uptime_s=
if is_int "$UP0"; then
  if [ "$container" = 1 ]; then
    # /proc/uptime is the host's; the container started with its PID 1
    if { read -r stat1 < "$P/1/stat"; } 2>/dev/null; then
      rest=${stat1##*) }
      set -f
      # shellcheck disable=SC2086
      set -- $rest
      set +f
      if [ $# -ge 20 ]; then
        shift 19
        hz=$(getconf CLK_TCK 2>/dev/null) || hz=100
        is_int "$hz" && [ "$hz" -gt 0 ] || hz=100
        is_int "$1" && uptime_s=$(((UP0 / 100) - ($1 / hz)))
      fi
    fi
    [ -n "$uptime_s" ] || add_error "uptime: cannot read $P/1/stat"
  else
    uptime_s=$((UP0 / 100))
  fi
  [ -z "$uptime_s" ] || [ "$uptime_s" -ge 0 ] || uptime_s=0
else
  add_error "uptime: cannot read $P/uptime"
fi

# ---- second CPU reading ----
cpu_percent=
ncpu=
window_cs=
[ -z "$sleep_pid" ] || wait "$sleep_pid"
cpu_count
ncpu=$NCPU
uptime_cs
UP1=$UP_CS
is_int "$UP1" && is_int "$CPU_UP0" && [ "$UP1" -ge "$CPU_UP0" ] && window_cs=$((UP1 - CPU_UP0))
p10=
saved=
if [ "$cpu_mode" = cgroup ] && cgroup_cpu && is_int "$window_cs" && [ "$window_cs" -gt 0 ]; then
  # usage µs / elapsed cs / 100 = percent of one CPU; tenths of a percent:
  p10=$(((USAGE_US - USAGE0) / (window_cs * 10)))
  saved="cgroup $UP1 - - $USAGE_US end"
elif proc_cpu && is_int "$BUSY0"; then
  if [ $((TOTAL - TOTAL0)) -gt 0 ]; then
    # share of all CPUs' time, scaled like `docker stats`: 100% per CPU
    p10=$(((BUSY - BUSY0) * 1000 * ncpu / (TOTAL - TOTAL0)))
  else
    add_error "cpu: the sample was too short to measure"
  fi
  saved="proc $UP1 $BUSY $TOTAL - end"
else
  add_error "cpu: cannot read $P/stat"
fi
if [ -n "$cpu_state" ] && is_int "$UP1" && [ -n "${saved:-}" ] && { [ ! -e "$cpu_state" ] || [ -O "$cpu_state" ]; }; then
  # one short write: a reader that sees it torn finds no "end" and samples afresh
  { printf '%s\n' "$saved" > "$cpu_state"; } 2>/dev/null
fi
if is_int "$p10"; then
  [ "$ncpu" -eq 0 ] || [ "$p10" -le $((ncpu * 1000)) ] || p10=$((ncpu * 1000))
  cpu_percent="$((p10 / 10)).$((p10 % 10))"
elif [ -n "$p10" ]; then
  cpu_percent=0.0
fi
[ "$ncpu" -gt 0 ] || ncpu=

# ---- output ----
if [ "$container" = 1 ]; then out='{"version":1,"container":true'; else out='{"version":1,"container":false'; fi
num "$uptime_s"; out="$out,\"uptimeSeconds\":$J,\"cpuPercent\":${cpu_percent:-null}"
num "$window_cs"; [ -n "$cpu_percent" ] || J=null; out="$out,\"cpuWindowCs\":$J"
num "$ncpu"; out="$out,\"cpuCount\":$J"
num "$mem_used"; out="$out,\"memoryUsedKb\":$J"
num "$mem_limit"; out="$out,\"memoryLimitKb\":$J"
num "$disk_used"; out="$out,\"diskUsedKb\":$J"
num "$disk_total"; out="$out,\"diskTotalKb\":$J"
printf '%s,"services":[%s],"errors":[%s]}\n' "$out" "$services" "$errors"
