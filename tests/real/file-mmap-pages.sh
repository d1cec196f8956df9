#!/bin/sh
# File pages mapped by a python mmap scan of a 512 MiB file (one byte read per
# page): io file_pages_mapped against the mapping's Rss in the program's own
# /proc/self/smaps, read while mapped (131,072 pages when it is all
# resident). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
scan_file "$TMP/f" 512 || exit 1
mmap_scan_run "$TMP/t" "$TMP/f" warm || exit 1
real_compare "io file_pages_mapped vs smaps Rss of the mapping (pages)" \
	"$(real_of "$TMP/t" io.processes python3.11 file_pages_mapped)" \
	"$(awk '$1 == "rss_pages" { print $2 }' "$TMP/t.out")" 5%
test_done
