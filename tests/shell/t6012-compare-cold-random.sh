#!/bin/sh
# faultline compare on a cold random-access scan: the same pages of a file
# read with pread() and through a mapping. The mapping's read-around pulls
# in far more from disk than the pages touched; the verdict must name those
# disk reads (measured from the exit line's ru_inblock), and blame them when
# the mapping run is the slower one.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

F=$TMP/data
need_space "$TMP" 300
dd if=/dev/urandom of="$F" bs=1M count=256 2>/dev/null && sync "$F" 2>/dev/null || sync
droppable "$F" || skip_all "cannot make a file cold here: $_why"

"$FL" record -q -o "$TMP/pread" -- "$PROGS/p_rand_scan" "$F" pread 1000 >"$TMP/pread.out" &&
"$FL" record -q -o "$TMP/mmap" -- "$PROGS/p_rand_scan" "$F" mmap 1000 >"$TMP/mmap.out" &&
"$FL_SAN" compare --json "$TMP/pread" "$TMP/mmap" >"$TMP/cmp.json" || exit 1

test_expect_success 'the exit lines carry the bytes read from disk, readahead included' '
	jq -e ".a.disk_read_bytes >= 1000 * 4096 / 2 and .b.disk_read_bytes > 4 * .a.disk_read_bytes" \
		"$TMP/cmp.json" >/dev/null
'

test_expect_success 'a read/mmap pair: the verdict is given and names the disk reads' '
	jq -e ".verdict | .pair and .copying_run == \"a\" and .mapping_run == \"b\" and
		(.text | test(\"read .* from disk against .* for \"))" "$TMP/cmp.json" >/dev/null
'

test_expect_success 'the disk reads are the cause exactly when the mapping run is the slower' '
	jq -e "(.a.own_ns / .b.own_ns) as \$r | .verdict |
		if \$r < 1 / 1.05 then .cause == \"disk_reads\" and
			(.text | test(\"disk reads dominate\"))
		elif \$r > 1.05 then .cause == \"copies\" else .cause == \"none\" end" \
		"$TMP/cmp.json" >/dev/null
'

test_expect_success 'the figures say it too, largest change first' '
	jq -e "[.figures[] | select(.key == \"disk_read_bytes\")] | length == 1" "$TMP/cmp.json" >/dev/null &&
	jq -r ".figures[] | .ratio // empty" "$TMP/cmp.json" |
		awk "{ d = \$1 > 1 ? \$1 - 1 : (\$1 > 0 ? 1 - \$1 : 1); d = d / (1 > \$1 ? 1 : \$1) }
		     NR > 1 && d > prev + 1e-9 { exit 1 } { prev = d }"
'

test_expect_success 'text and HTML carry the verdict' '
	"$FL" compare "$TMP/pread" "$TMP/mmap" >"$TMP/cmp.txt" &&
	grep -q "bytes read from disk" "$TMP/cmp.txt" && grep -q "^verdict: " "$TMP/cmp.txt" &&
	"$FL" compare --html "$TMP/cmp.html" "$TMP/pread" "$TMP/mmap" &&
	grep -q "from disk" "$TMP/cmp.html" && grep -q "</html>" "$TMP/cmp.html"
'
test_done
