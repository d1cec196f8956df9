#!/bin/sh
# Symbols: names and lines of a known frame, --no-symbols, and a program that
# changed on disk after the run is reported instead of misread.
. "$(dirname "$0")/lib.sh"

cp "$PROGS/p_report_leak" "$TMP/prog" &&
"$FL" record -q --large 1 -o "$TMP/t" -- "$TMP/prog" >/dev/null ||
	skip_all "cannot record the test program"

site() { jq -r ".sections.heap.leaks[0].site | \"\\(.func) \\(.line)\"" "$1"; }

test_expect_success 'the leaking frame is named with its line' '
	"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/a.json" 2>"$TMP/err" &&
	! test -s "$TMP/err" &&
	test "$(site "$TMP/a.json")" = "leak_here $(grep -n "LEAK-LINE \*/" tests/progs/p_report_leak.c | cut -d: -f1)"
'

test_expect_success 'frames carry the object and the text form' '
	jq -e ".sections.heap.leaks[0].frames[1] | .func == \"main\" and (.object | endswith(\"/prog\")) and
		(.text | startswith(\"main (p_report_leak.c:\"))" "$TMP/a.json" >/dev/null
'

test_expect_success '--no-symbols: objects and offsets only' '
	"$FL" report --json --no-symbols --section heap "$TMP/t" >"$TMP/n.json" &&
	jq -e ".sections.heap.leaks[0].site | .func == null and (.text | test(\"^0x[0-9a-f]+ \\\\(prog\\\\+0x[0-9a-f]+\\\\)$\"))" \
		"$TMP/n.json" >/dev/null
'

test_expect_success 'a program rebuilt after the run: a warning, no wrong names' '
	sleep 1 && cp /bin/true "$TMP/prog" &&
	"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/c.json" 2>"$TMP/err" &&
	grep -q "warning: .*/prog. changed since the trace was recorded" "$TMP/err" &&
	test $(grep -c "changed since" "$TMP/err") -eq 1 &&
	jq -e ".sections.heap.leaks[0].site.func == null" "$TMP/c.json" >/dev/null
'
test_done
