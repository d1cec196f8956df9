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

test_expect_success 'C++ names are shown demangled, as c++filt shows them' '
	"$FL" record -q --large 1 -o "$TMP/cxx" -- "$PROGS/p_report_cxx" >/dev/null &&
	"$FL_SAN" report --json --section heap "$TMP/cxx" >"$TMP/cxx.json" &&
	for m in _ZN2fl6detail9leak_hereEPKci _ZN2fl5cacheISt6vectorIiSaIiEEE4growEm; do
		want=$(echo "$m" | c++filt) && test "$want" != "$m" &&
		jq -e --arg w "$want" "[.sections.heap.leaks[].site.func] | index(\$w) != null" "$TMP/cxx.json" >/dev/null || exit 1
	done &&
	jq -e "[.sections.heap.leaks[].site.func | select(startswith(\"_Z\"))] | length == 0" "$TMP/cxx.json" >/dev/null
'

test_expect_success 'the text tables fit long C++ names, keeping the name and file:line' '
	"$FL" report --section heap "$TMP/cxx" >"$TMP/cxx.txt" &&
	grep -q " fl::cache<...>::grow(...) (p_report_cxx.c:[0-9]*)$" "$TMP/cxx.txt" &&
	grep -q " fl::detail::leak_here(...) (p_report_cxx.c:[0-9]*)$" "$TMP/cxx.txt" &&
	test "$(awk "{ if (length > m) m = length } END { print m }" "$TMP/cxx.txt")" -le 100
'

# The build-id as binutils reads it from the file.
readelf_id() { readelf -n "$1" | sed -n "s/^ *Build ID: *//p"; }
trace_id() { # PATH-SUFFIX: the build-ids the maps lines give that file
	cat "$TMP"/t/*.ndjson | jq -r "select(.e == \"maps\") | .vmas[] | select(.[5] | endswith(\"$1\")) | .[6] // empty" | sort -u
}

test_expect_success 'maps carry the build-id of the executable and of libc, as readelf reads them' '
	test -n "$(readelf_id "$TMP/prog")" &&
	test "$(trace_id /prog)" = "$(readelf_id "$TMP/prog")" &&
	libc=$(cat "$TMP"/t/*.ndjson | jq -r "select(.e == \"maps\") | .vmas[] | .[5] | select(test(\"/libc[.]so\"))" | head -1) &&
	test -n "$libc" && test "$(trace_id /"$(basename "$libc")")" = "$(readelf_id "$libc")"
'

test_expect_success 'a program touched after the run (same build-id) is still symbolized' '
	sleep 1 && touch "$TMP/prog" &&
	"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/touched.json" 2>"$TMP/err" &&
	! test -s "$TMP/err" &&
	test "$(site "$TMP/touched.json")" = "$(site "$TMP/a.json")"
'

test_expect_success 'without build-ids in the trace (older traces) a newer file is refused' '
	mkdir "$TMP/noid" &&
	for f in "$TMP"/t/*.ndjson; do
		jq -c "if .e == \"maps\" then .vmas |= map(.[0:6]) else . end" "$f" >"$TMP/noid/$(basename "$f")" || exit 1
	done &&
	"$FL_SAN" report --json --section heap "$TMP/noid" >"$TMP/noid.json" 2>"$TMP/err" &&
	grep -q "prog. changed since the trace was recorded; its symbols" "$TMP/err" &&
	jq -e ".sections.heap.leaks[0].site.func == null" "$TMP/noid.json" >/dev/null
'

test_expect_success 'another program copied over it with an older time (same inode): the build-id tells' '
	ino=$(stat -c %i "$TMP/prog") &&
	cp /bin/true "$TMP/old" && touch -d 2000-01-01 "$TMP/old" && cp -p "$TMP/old" "$TMP/prog" &&
	test "$(stat -c %i "$TMP/prog")" = "$ino" &&
	"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/o.json" 2>"$TMP/err" &&
	grep -q "prog. changed since the trace was recorded (build-id $(trace_id /prog) in the trace, $(readelf_id /bin/true) on disk)" "$TMP/err" &&
	jq -e ".sections.heap.leaks[0].site.func == null" "$TMP/o.json" >/dev/null
'

test_expect_success 'a program rebuilt after the run: a warning, no wrong names' '
	sleep 1 && cp /bin/true "$TMP/prog" &&
	"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/c.json" 2>"$TMP/err" &&
	grep -q "warning: .*/prog. changed since the trace was recorded" "$TMP/err" &&
	test $(grep -c "changed since" "$TMP/err") -eq 1 &&
	jq -e ".sections.heap.leaks[0].site.func == null" "$TMP/c.json" >/dev/null
'
test_done
