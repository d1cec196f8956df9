#!/bin/sh
# A trace's values (times, ids, sizes) never size the analyzer's memory: a
# small trace with a huge time or stack id reports in bounded memory and
# time, and sizes beyond int64 (a failed malloc(SIZE_MAX)) keep the line.
. "$(dirname "$0")/lib.sh"

hdr='{"e":"header","t":0,"v":1,"pid":100,"ppid":1,"exe":"/bin/x","argv":["x"],"page_size":4096}'
exit_at() { printf '%s\n{"e":"exit","t":%s,"seq":1,"how":"exit","status":0}\n' "$hdr" "$1"; }

# bounded CMD...: the plain CLI (ASan reserves terabytes of address space,
# so not the sanitized one) under 1 GB of address space and 20 seconds.
bounded() {
	( ulimit -v 1000000 && exec timeout 20 "$@" )
}

for t in 4503599627370496 9223372036854775807; do
	test_expect_success "an exit at t=$t reports in bounded memory" '
		exit_at $t >"$TMP/t$t.ndjson" &&
		bounded "$FL" report "$TMP/t$t.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "pid 100" "$TMP/out" &&
		bounded "$FL" report --json "$TMP/t$t.ndjson" >"$TMP/out.json" &&
		jq -e ".sections" "$TMP/out.json" >/dev/null &&
		bounded "$FL" report --html "$TMP/out.html" "$TMP/t$t.ndjson" 2>"$TMP/err"
	'
done

test_expect_success 'a stack id of 2^32-1 is looked up, not indexed' '
	{ echo "$hdr"
	  echo "{\"e\":\"stack\",\"t\":1,\"seq\":1,\"id\":4294967295,\"frames\":[\"0x401000\"]}"
	  echo "{\"e\":\"stack\",\"t\":1,\"seq\":2,\"id\":7,\"frames\":[\"0x402000\"]}"
	  echo "{\"e\":\"alloc\",\"t\":2,\"seq\":3,\"fn\":\"malloc\",\"addr\":\"0x1000\",\"size\":16,\"stack\":4294967295}"
	  echo "{\"e\":\"alloc\",\"t\":3,\"seq\":4,\"fn\":\"malloc\",\"addr\":\"0x2000\",\"size\":32,\"stack\":7}"
	} >"$TMP/stack.ndjson" &&
	bounded "$FL" report --json "$TMP/stack.ndjson" >"$TMP/stack.json" &&
	bounded "$FL" export --format json "$TMP/stack.ndjson" >"$TMP/export.json" &&
	jq -e "[.. | objects | select(has(\"frames\")) | .id] | sort == [7, 4294967295]" \
		"$TMP/export.json" >/dev/null
'

test_expect_success 'sizes beyond int64 are clamped and the heap totals kept' '
	{ echo "$hdr"
	  echo "{\"e\":\"alloc\",\"t\":1,\"seq\":1,\"fn\":\"malloc\",\"addr\":\"0x0\",\"size\":18446744073709551615}"
	  echo "{\"e\":\"heap\",\"t\":2,\"seq\":2,\"calls\":{\"malloc\":2,\"calloc\":1},\"bytes\":{\"malloc\":18446744073709551631,\"calloc\":-99999999999999999999},\"live\":16,\"peak\":16}"
	} >"$TMP/big.ndjson" &&
	"$FL_SAN" report "$TMP/big.ndjson" >"$TMP/out" 2>"$TMP/err" &&
	! test -s "$TMP/err" &&
	grep "Heap calls" "$TMP/out" >"$TMP/calls" &&
	grep -q "malloc 2" "$TMP/calls" && grep -q "calloc 1" "$TMP/calls"
'

test_expect_success 'a big number inside a string or a real is left alone' '
	{ echo "$hdr" | sed "s|\"/bin/x\"|\"/bin/99999999999999999999\"|"
	  echo "{\"e\":\"heap\",\"t\":2,\"seq\":2,\"calls\":{\"malloc\":1},\"bytes\":{\"malloc\":5},\"live\":0,\"peak\":0}"
	} >"$TMP/str.ndjson" &&
	"$FL_SAN" report --json "$TMP/str.ndjson" >"$TMP/str.json" &&
	grep -q "/bin/99999999999999999999" "$TMP/str.json"
'
test_done
