#!/bin/sh
# The text reports fit a 100-column terminal: every section of the samples'
# reports, a trace of a program with long paths and C++ names, and the
# read/mmap comparison, with no line longer than 100 characters.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

# A deep directory so that paths in the maps, io and cow tables are long.
D=$TMP/a-rather-long-directory-name/and-another-one-below-it/and-a-third-level
mkdir -p "$D" && head -c 4194304 /dev/urandom >"$D/input-data-file-with-a-long-name.bin" &&
cp "$SAMPLES/fork_cow" "$SAMPLES/read_scan" "$SAMPLES/mmap_scan" "$SAMPLES/overcommit" \
	"$PROGS/p_report_cxx" "$PROGS/p_report_callers" "$D/" || exit 1
F=$D/input-data-file-with-a-long-name.bin
run_traced "$TMP/cow" "$D/fork_cow" 16 25 child >/dev/null &&
run_traced "$TMP/read" "$D/read_scan" "$F" 4 >/dev/null &&
run_traced "$TMP/mmap" "$D/mmap_scan" "$F" >/dev/null &&
run_traced "$TMP/over" "$D/overcommit" 64 25 >/dev/null &&
"$FL" record -q --all -o "$TMP/cxx" -- "$D/p_report_cxx" >/dev/null &&
"$FL" record -q --all -o "$TMP/callers" -- "$D/p_report_callers" >/dev/null || exit 1

# wide FILE: prints the lines over 100 characters, fails if there is one
wide() { ! awk 'length > 100 { print length ": " $0; bad = 1 } END { exit !bad }' "$1"; }

for t in cow read mmap over cxx callers; do
	test_expect_success "report $t: every line fits 100 columns" '
		"$FL_SAN" report "$TMP/'$t'" >"$TMP/'$t'.txt" &&
		test "$(grep -c "^== " "$TMP/'$t'.txt")" -ge 8 &&
		wide "$TMP/'$t'.txt"
	'
done

test_expect_success 'compare: the table and the verdict fit 100 columns' '
	# relative names: the header repeats the arguments as given, and the
	# length of $TMP is this machine'"'"'s (TMPDIR), not the report'"'"'s
	(cd "$TMP" && "$FL_SAN" compare read mmap) >"$TMP/compare.txt" &&
	grep -q "^verdict: " "$TMP/compare.txt" &&
	wide "$TMP/compare.txt"
'
test_done
