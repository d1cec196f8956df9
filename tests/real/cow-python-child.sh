#!/bin/sh
# python fork with a known write fraction: the child writes 25 % of a 128 MiB
# buffer filled before the fork, so it copies 8,192 pages (its interpreter
# copies a few more of its own). cow copied_by_child against 8,192.
# Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
python_fork_run "$TMP/t" || exit 1
real_compare "cow copied_by_child vs the 8192 pages the child wrote" \
	"$(real_get "$TMP/t" '.sections.cow.forks[0].copied_by_child')" 8192 5%
test_done
