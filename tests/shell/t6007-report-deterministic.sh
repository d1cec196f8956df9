#!/bin/sh
# The same trace gives the same report, whatever the analyzer's own address
# layout (ASLR): ties between rows are broken by content, not by pointers.
. "$(dirname "$0")/lib.sh"

test_expect_success 'two runs of report --json on one trace are identical' '
	head -c 4194304 /dev/zero >"$TMP/data" &&
	run_traced "$TMP/t" "$SAMPLES/mmap_scan" "$TMP/data" warm >/dev/null &&
	"$FL" report --json --no-symbols "$TMP/t" >"$TMP/a.json" &&
	"$FL" report --json --no-symbols "$TMP/t" >"$TMP/b.json" &&
	"$FL" report --json --no-symbols "$TMP/t" >"$TMP/c.json" &&
	cmp "$TMP/a.json" "$TMP/b.json" && cmp "$TMP/a.json" "$TMP/c.json"
'
test_done
