#!/bin/sh
# Hand-written traces with figures computed by hand: sampled heap estimates
# (weight / size), peak live over time, leaks, temporary allocations, and the
# exact call totals; frees written out of order are replayed by seq.
. "$(dirname "$0")/lib.sh"

G=tests/golden/heap

test_expect_success 'sampled sites: estimates from weights, peak, leaks, temporaries' '
	"$FL_SAN" report --json --no-symbols --section heap "$G" >"$TMP/h.json" &&
	jq -c ".sections.heap | {mode, leaked_bytes, leaked_blocks, s: [.by_bytes[] |
		{stack, allocs, bytes, peak_live, leaked_bytes, leaked_blocks, temporary}]}" \
		"$TMP/h.json" >"$TMP/got" &&
	cat >"$TMP/want" <<-\EOF &&
	{"mode":"sampled","leaked_bytes":3000,"leaked_blocks":20,"s":[{"stack":2,"allocs":1,"bytes":70000,"peak_live":70000,"leaked_bytes":0,"leaked_blocks":0,"temporary":1},{"stack":1,"allocs":30,"bytes":4000,"peak_live":3000,"leaked_bytes":3000,"leaked_blocks":20,"temporary":0}]}
	EOF
	diff -u "$TMP/want" "$TMP/got"
'

test_expect_success 'exact totals come from the heap ticks' '
	jq -e ".sections.heap.totals | .calls.malloc == 40 and .calls.calloc == 1 and
		.calls.free == 21 and .bytes.calloc == 70000 and .peak_live == 72000 and
		.live_at_end == 3000" "$TMP/h.json" >/dev/null
'

test_expect_success 'the summary repeats the totals and finds no errors' '
	"$FL" report --json --no-symbols --section summary "$G" >"$TMP/s.json" &&
	jq -e ".errors == 0 and (.sections.summary | .heap.calls.malloc == 40 and
		.heap.bytes.malloc == 4000 and .runtime_ns == 9000001 and
		.per_process[0].killed == false)" "$TMP/s.json" >/dev/null
'

test_expect_success 'the text report shows the estimate wording' '
	"$FL" report --no-symbols --section heap "$G" >"$TMP/h.txt" &&
	grep -q "^Per-site figures: ≈ estimated from 4 sampled records, one sample per 512 KiB" \
		"$TMP/h.txt" &&
	grep -q "^      ≈BYTES       ≈CALLS ≈PEAK LIVE   ≈AT EXIT  SITE$" "$TMP/h.txt" &&
	grep -q "^    68.4 KiB            1   68.4 KiB        0 B  0x402000$" "$TMP/h.txt"
'

# Site 1: three records of weight 1000, 1000, 2000 for 100, 100, 200 bytes.
# The variance of a weighted sum adds w * (w - size) per record: the peak,
# which is also the leak (the records of weight 1000 and 2000 never freed),
# has a relative error of sqrt(900000 + 3600000) / 3000 = 71 %, over one half.
test_expect_success 'figures resting on too few samples are left out, with their errors' '
	jq -e ".sections.heap | .estimate == true and .sample_period_bytes == 524288 and
		(.leaked_rse * 100 | round) == 71 and
		(.by_bytes[] | select(.stack == 1) | .estimate == true and .samples == 3 and
		 .peak_samples == 2 and .leaked_samples == 2 and .leaked_sampled_bytes == 300 and
		 (.rse.peak_live * 100 | round) == 71 and .supported.peak_live == false and
		 .supported.leaked_bytes == false)" "$TMP/h.json" >/dev/null &&
	grep -q "^    3.91 KiB           30          —          —  0x401000$" "$TMP/h.txt" &&
	grep -q "at least 300 B (2 sampled blocks) was still allocated at exit" "$TMP/h.txt"
'
test_done
