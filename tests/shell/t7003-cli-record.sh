#!/bin/sh
# faultline record takes its options as git does (-oDIR, --output=DIR,
# --faults=all, sizes with suffixes), exits as a shell does when the program
# cannot be run, and never merges two runs into one trace directory.
. "$(dirname "$0")/lib.sh"

# opt DIR KEY: an option as the shim read it (the trace header's "options").
opt() { head -1 "$(ls "$1"/*.ndjson | head -1)" | jq -r ".options.$2"; }

test_expect_success 'record -oDIR --faults=all records every fault into DIR' '
	"$FL" record -q -o"$TMP/o" --faults=all -- true &&
	test "$(opt "$TMP/o" faults_period)" = 1
'

test_expect_success 'record --output=DIR writes there' '
	"$FL" record -q --output="$TMP/eq" true &&
	test "$(ls "$TMP/eq"/*.ndjson | wc -l)" -eq 1
'

test_expect_success 'bundled short flags: -qo DIR' '
	"$FL" record -qo "$TMP/bundle" true 2>"$TMP/err" &&
	test "$(ls "$TMP/bundle"/*.ndjson | wc -l)" -eq 1 && ! test -s "$TMP/err"
'

test_expect_success 'sizes take K, M and G suffixes, with a space or =' '
	"$FL" record -q -o "$TMP/sz" --large 1M --sample=64K --max-size 2G -- true &&
	test "$(opt "$TMP/sz" large)" = 1048576 &&
	test "$(opt "$TMP/sz" sample)" = 65536 &&
	test "$(opt "$TMP/sz" max_size)" = 2147483648
'

test_expect_success 'a size that is not one is a usage error' '
	"$FL" record -q -o "$TMP/bad" --large 1X -- true 2>"$TMP/err"
	test $? -eq 2 && grep -q "option .--large. needs a size" "$TMP/err" &&
	! test -e "$TMP/bad"
'

test_expect_success 'a missing program exits 127: command not found' '
	"$FL" record -q -o "$TMP/nf" -- no-such-program-fl 2>"$TMP/err"
	test $? -eq 127 &&
	echo "faultline: '"'"'no-such-program-fl'"'"': command not found" >"$TMP/want" &&
	diff -u "$TMP/want" "$TMP/err"
'

test_expect_success 'a file that cannot be executed exits 126' '
	printf "#!/bin/sh\n" >"$TMP/noexec" && chmod 644 "$TMP/noexec" &&
	"$FL" record -q -o "$TMP/ne" -- "$TMP/noexec" 2>"$TMP/err"
	test $? -eq 126 && grep -q "Permission denied" "$TMP/err"
'

test_expect_success 'a directory exits 126' '
	"$FL" record -q -o "$TMP/nd" -- "$TMP" 2>"$TMP/err"
	test $? -eq 126 && grep -q "is a directory" "$TMP/err"
'

test_expect_success 'a second record into the same directory is refused' '
	"$FL" record -q -o "$TMP/twice" -- true &&
	ls "$TMP/twice" >"$TMP/before" &&
	"$FL" record -q -o "$TMP/twice" -- true 2>"$TMP/err"
	test $? -eq 1 && grep -q "already holds a trace; use --force" "$TMP/err" &&
	ls "$TMP/twice" >"$TMP/after" && diff -u "$TMP/before" "$TMP/after"
'

test_expect_success 'an existing empty directory is accepted' '
	mkdir "$TMP/empty" && "$FL" record -q -o "$TMP/empty" -- true &&
	test "$(ls "$TMP/empty" | grep -c "\.ndjson")" -eq 1 &&
	test "$(wc -l <"$TMP/empty/reaped.jsonl")" -eq 1
'

test_expect_success '--force replaces the trace: one run, not two' '
	"$FL" record -q --force -o "$TMP/twice" -- true &&
	test "$(ls "$TMP/twice" | grep -c "\.ndjson")" -eq 1 &&
	test "$(wc -l <"$TMP/twice/reaped.jsonl")" -eq 1 &&
	! ls "$TMP/twice" | grep -qxF "$(grep "\.ndjson" "$TMP/before")"
'

test_expect_success '--force leaves files that are not traces alone' '
	mkdir "$TMP/mine" && echo keep >"$TMP/mine/notes.txt" &&
	"$FL" record -q --force -o "$TMP/mine" -- true 2>"$TMP/err"
	test $? -eq 1 && grep -q "holds files other than traces" "$TMP/err" &&
	test "$(cat "$TMP/mine/notes.txt")" = keep
'

# The default name carries the time to the second; two runs started in the
# same second must still get a directory each. Retried until a pair lands in
# the same second, so that the test does exercise that case.
test_expect_success 'two runs in the same second get different default directories' '
	for try in 1 2 3 4 5; do
		rm -rf "$TMP/cwd" && mkdir "$TMP/cwd" &&
		(cd "$TMP/cwd" && { "$FL" record -q true & "$FL" record -q true; wait; }) &&
		ls "$TMP/cwd" | sed "s/-[0-9.]*$//" | sort -u >"$TMP/stamps" &&
		test "$(wc -l <"$TMP/stamps")" -eq 1 && break
	done &&
	test "$(wc -l <"$TMP/stamps")" -eq 1 &&
	test "$(ls "$TMP/cwd" | wc -l)" -eq 2 &&
	for d in "$TMP"/cwd/*; do
		test "$(ls "$d" | grep -c "\.ndjson")" -eq 1 || exit 1
	done
'

test_expect_success 'arguments after the program are the program'"'"'s' '
	"$FL" record -q -o "$TMP/args" sh -c "echo \"\$1\"" sh -o >"$TMP/out" &&
	test "$(cat "$TMP/out")" = -o
'
test_done
