#!/bin/sh
# The heap figures of `faultline report` equal what the program counted itself,
# and --all names the exact leaking function and line.
. "$(dirname "$0")/lib.sh"

# Call counts and bytes from the report, minus those of a run with no work
# (libc, stdio and pthread start-up allocate too), against the program's own.
check_calls() { # THREADS ITERS
	run_traced "$TMP/base$1" "$PROGS/p_report_calls" "$1" 0 >/dev/null &&
	run_traced "$TMP/work$1" "$PROGS/p_report_calls" "$1" "$2" >"$TMP/truth$1" &&
	"$FL_SAN" report --json --no-symbols "$TMP/base$1" >"$TMP/base$1.json" &&
	"$FL_SAN" report --json --no-symbols "$TMP/work$1" >"$TMP/work$1.json" &&
	jq -n --slurpfile b "$TMP/base$1.json" --slurpfile w "$TMP/work$1.json" '
		def d(f): ($w[0].sections.summary.heap | f) - ($b[0].sections.summary.heap | f);
		{malloc: d(.calls.malloc), calloc: d(.calls.calloc), realloc: d(.calls.realloc),
		 free: d(.calls.free), malloc_bytes: d(.bytes.malloc),
		 calloc_bytes: d(.bytes.calloc), realloc_bytes: d(.bytes.realloc)}' >"$TMP/got$1" &&
	jq -S . "$TMP/truth$1" >"$TMP/want$1" && jq -S . "$TMP/got$1" >"$TMP/got$1.s" &&
	diff -u "$TMP/want$1" "$TMP/got$1.s"
}

LEAK_LINE=$(grep -n 'LEAK-LINE \*/' tests/progs/p_report_leak.c | cut -d: -f1)

test_expect_success 'counts and bytes per function equal the program (1 thread)' '
	check_calls 1 5000
'

test_expect_success 'counts and bytes per function equal the program (8 threads)' '
	check_calls 8 2000
'

test_expect_success 'the heap section agrees with the summary' '
	jq -e ".sections.heap.totals.calls.malloc == .sections.summary.heap.calls.malloc and
	       .sections.heap.totals.bytes.realloc == .sections.summary.heap.bytes.realloc" \
		"$TMP/work8.json" >/dev/null
'

test_expect_success '--all: the leak report names leak_here with its file and line' '
	"$FL" record -q --all -o "$TMP/leak" -- "$PROGS/p_report_leak" >/dev/null &&
	line=$LEAK_LINE &&
	"$FL_SAN" report --json --section heap "$TMP/leak" >"$TMP/leak.json" &&
	jq -e --argjson line "$line" ".sections.heap.mode == \"exact\" and
		(.sections.heap.leaks[0] | .site.func == \"leak_here\" and
		 (.site.file | endswith(\"p_report_leak.c\")) and .site.line == \$line and
		 .leaked_blocks == 1000 and .leaked_bytes == 48000)" "$TMP/leak.json" >/dev/null
'

test_expect_success '--all: the site that frees everything leaks nothing' '
	jq -e "[.sections.heap.by_count[] | select(.site.func == \"keep_and_free\")][0] |
		.allocs == 1000 and .leaked_bytes == 0 and .peak_live == 64000" \
		"$TMP/leak.json" >/dev/null
'

test_expect_success 'the text report names the leaking line' '
	"$FL" report --section heap "$TMP/leak" >"$TMP/leak.txt" &&
	grep -q "leak_here (p_report_leak.c:$LEAK_LINE)" "$TMP/leak.txt"
'

test_expect_success 'record prints the summary after the run' '
	"$FL" record -o "$TMP/rec" -- "$PROGS/p_report_calls" 1 100 >/dev/null 2>"$TMP/rec.err" &&
	grep -q "^== Summary ==" "$TMP/rec.err" &&
	grep -q "^Heap calls: .*malloc" "$TMP/rec.err"
'
test_expect_success 'one site reached from two callers: two rows, each naming its caller' '
	"$FL" record -q --all -o "$TMP/callers" -- "$PROGS/p_report_callers" >"$TMP/callers.out" &&
	"$FL_SAN" report --json --section heap "$TMP/callers" >"$TMP/callers.json" &&
	jq -e "[.sections.heap.by_bytes[] | select(.site.func == \"make_node\") | .allocs] | sort == [100, 300]" \
		"$TMP/callers.json" >/dev/null &&
	"$FL_SAN" report --section heap "$TMP/callers" >"$TMP/callers.txt" &&
	sed -n "/^Top sites by bytes/,/^\$/p" "$TMP/callers.txt" >"$TMP/table" &&
	grep -A1 " 300 .* make_node (p_report_callers.c:[0-9]*)\$" "$TMP/table" | tail -1 | grep -q "^ *via from_parser\$" &&
	grep -A1 " 100 .* make_node (p_report_callers.c:[0-9]*)\$" "$TMP/table" | tail -1 | grep -q "^ *via from_loader\$" &&
	test "$(grep -c "via" "$TMP/table")" = 2
'
# The default mode's hooks have no frame of their own (hooks_alloc.c): a
# sampled block's stack must still start at the program's caller.
test_expect_success 'sampled blocks name the same caller and site as --all' '
	"$FL" record -q --sample 16 -o "$TMP/callers_s" -- "$PROGS/p_report_callers" >/dev/null &&
	"$FL" report --section heap "$TMP/callers_s" >"$TMP/callers_s.txt" &&
	sed -n "/^Top sites by bytes/,/^\$/p" "$TMP/callers_s.txt" >"$TMP/table_s" &&
	grep -A1 " make_node (p_report_callers.c:[0-9]*)\$" "$TMP/table_s" | grep -q "^ *via from_parser\$" &&
	grep -A1 " make_node (p_report_callers.c:[0-9]*)\$" "$TMP/table_s" | grep -q "^ *via from_loader\$"
'
test_expect_success 'sampled blocks of two sites in one frame keep their own lines' '
	"$FL" record -q --sample 16 -o "$TMP/two" -- "$PROGS/p_report_two_sites" >/dev/null &&
	"$FL" report --json --section heap "$TMP/two" >"$TMP/two.json" &&
	jq -e "[.sections.heap.by_bytes[] | select(.site.func == \"make_pair\") | .site.line] |
		unique | length == 2" "$TMP/two.json" >/dev/null
'
test_done
