#!/bin/sh
# Names from a trace (mapped files, paths of fds, argv, trace file names)
# cannot drive the terminal: report prints their control characters as
# \x1b, \x07, \u009b, never raw.
. "$(dirname "$0")/lib.sh"

esc=$(printf 'esc\033]0;PWNED\a\033[2J')
shown='esc\\x1b\]0;PWNED\\x07\\x1b\[2J'
# no_controls FILE: FILE holds no ESC, BEL or C1 CSI (U+009B) byte.
no_controls() {
	! LC_ALL=C grep -q "$(printf '\033')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\007')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\302\233')" "$1"
}

test_expect_success 'a mapped file named with escapes is printed escaped' '
	head -c 65536 /dev/zero >"$TMP/m$esc" &&
	run_traced "$TMP/map" "$PROGS/p_probe_major" file "$TMP/m$esc" >/dev/null &&
	"$FL_SAN" report "$TMP/map" >"$TMP/map.out" 2>"$TMP/map.err" &&
	no_controls "$TMP/map.out" && no_controls "$TMP/map.err" &&
	grep -q "m$shown" "$TMP/map.out"
'

test_expect_success 'addr prints the mapped file and the executable escaped' '
	start=$(jq -r "select(.e == \"maps\") | .vmas[] | select(.[5] | test(\"PWNED\")) | .[0]" \
		"$TMP"/map/*.ndjson | head -1) &&
	test -n "$start" &&
	"$FL_SAN" addr "$start" --trace "$TMP/map" >"$TMP/addr.out" 2>"$TMP/addr.err" &&
	no_controls "$TMP/addr.out" && no_controls "$TMP/addr.err" &&
	grep -q "^  mapping .*: .*m$shown$" "$TMP/addr.out"
'

test_expect_success 'argv and the path of a read fd are printed escaped' '
	printf "hello\n" >"$TMP/$esc" &&
	run_traced "$TMP/io" sh -c "cat \"\$1\" >/dev/null; /bin/echo \"\$1\" >/dev/null" \
		x "$TMP/$esc" &&
	"$FL_SAN" report "$TMP/io" >"$TMP/io.out" 2>"$TMP/io.err" &&
	no_controls "$TMP/io.out" && no_controls "$TMP/io.err" &&
	grep "/bin/echo" "$TMP/io.out" | grep -q "esc\\\\x1b\]0;PWNED\\\\x07" &&
	grep -E "^ +fd [0-9]+ " "$TMP/io.out" | grep -q "$shown"
'

test_expect_success 'C1 controls in a trace are escaped, other UTF-8 is kept' '
	{ echo "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":100,\"ppid\":1,\"exe\":\"/bin/\\u009b2J\\u00e9t\\u00e9\",\"argv\":[\"/bin/\\u009b2J\\u00e9t\\u00e9\",\"\\u001b]0;x\\u0007\"],\"page_size\":4096}"
	  echo "{\"e\":\"exit\",\"t\":5,\"seq\":1,\"how\":\"exit\",\"status\":0}"
	} >"$TMP/c1.ndjson" &&
	"$FL_SAN" report "$TMP/c1.ndjson" >"$TMP/c1.out" 2>"$TMP/c1.err" &&
	no_controls "$TMP/c1.out" &&
	grep -q "/bin/\\\\u009b2J$(printf "\303\251")t" "$TMP/c1.out" &&
	grep -q "\\\\x1b\]0;x\\\\x07" "$TMP/c1.out"
'

test_expect_success 'a trace file named with escapes is named escaped in errors' '
	mkdir "$TMP/bad" && echo "not json" >"$TMP/bad/$esc.ndjson" &&
	{ "$FL_SAN" report "$TMP/bad" >"$TMP/bad.out" 2>"$TMP/bad.err"; test $? -eq 1; } &&
	no_controls "$TMP/bad.err" &&
	grep -q "$shown.ndjson:1: not a faultline trace" "$TMP/bad.err"
'
test_done
