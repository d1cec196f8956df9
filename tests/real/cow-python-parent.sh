#!/bin/sh
# python fork with a known write fraction: after the child wrote its quarter,
# the parent writes the second half of the 128 MiB buffer, still shared, so
# it copies 16,384 pages. cow copied_by_parent against 16,384. Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
python_fork_run "$TMP/t" || exit 1
real_compare "cow copied_by_parent vs the 16384 pages the parent wrote" \
	"$(real_get "$TMP/t" '.sections.cow.forks[0].copied_by_parent')" 16384 5%
test_done
