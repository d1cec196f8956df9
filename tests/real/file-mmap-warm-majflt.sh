#!/bin/sh
# Major and minor faults of a python mmap scan (MADV_RANDOM) of a 32 MiB file already in the page
# cache against /usr/bin/time -v's "Major (requiring I/O) page faults" of the
# same python process. Exact.
. "$(dirname "$0")/lib.sh"
scan_file "$TMP/f" 32 || exit 1
mmap_scan_run "$TMP/t" "$TMP/f" warm random || exit 1
real_compare "ru_majflt of python vs time -v major faults" \
	"$(real_pid_sum "$TMP/t" python3.11 ru_majflt)" \
	"$(time_v "$TMP/t.time" 'Major (requiring I\/O) page faults')" exact
real_compare "ru_minflt of python vs time -v minor faults" \
	"$(real_pid_sum "$TMP/t" python3.11 ru_minflt)" \
	"$(time_v "$TMP/t.time" 'Minor (reclaiming a frame) page faults')" exact
test_done
