# shellcheck shell=bash
# Shared helpers for the shell benchmarks (sourced): medians and ratios of wall times.

# median: microsecond samples on stdin (space or newline separated) -> median in seconds, 3 decimals
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m / 1e6 }'; }

# ratio A B: A / B, 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
