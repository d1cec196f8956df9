#!/bin/sh
# Major faults of a python mmap scan (MADV_RANDOM) of a 32 MiB file already in the page
# cache against /usr/bin/time -v's "Major (requiring I/O) page faults" of the
# same python process. Exact.
. "$(dirname "$0")/lib.sh"
scan_file "$TMP/f" 32 || exit 1
mmap_scan_run "$TMP/t" "$TMP/f" warm random || exit 1
real_compare "majflt of python vs time -v major faults" \
	"$(real_of "$TMP/t" summary.per_process python3.11 majflt)" \
	"$(time_v "$TMP/t.time" 'Major (requiring I\/O) page faults')" exact
test_done
