#!/bin/sh
# The HTML report shows sampled heap figures as estimates, as the text report
# does: "≈" on the estimated columns and the sampling period by the table's
# name, "—" (its relative standard error and samples in the tooltip) where the
# sample cannot support a figure, and nothing of the kind in an --all trace. A
# folded finding shows its count and its examples.
. "$(dirname "$0")/lib.sh"

[ -x "$SAMPLES/overcommit" ] || skip_all "samples not built"

# p_report_leak allocates about 113 KiB: one sample per 16 KiB leaves a few
# samples per site, and some figure of some site rests on too few of them.
# Sampling is random, so record until a trace has one (nearly always the first).
unsupported='[.sections.heap | (.by_bytes, .by_count, .by_peak, .leaks, .temporary)[] |
	.supported | to_entries[] | select(.value == false)] | length'

test_expect_success 'record a sampled leak whose sample leaves a figure unsupported' '
	for try in 1 2 3 4 5 6 7 8; do
		rm -rf "$TMP/leak" &&
		"$FL" record -q --sample 16384 -o "$TMP/leak" -- "$PROGS/p_report_leak" >/dev/null &&
		"$FL_SAN" report --json --section heap "$TMP/leak" >"$TMP/leak.json" &&
		test "$(jq "$unsupported" "$TMP/leak.json")" -gt 0 && break
	done &&
	test "$(jq "$unsupported" "$TMP/leak.json")" -gt 0 &&
	"$FL_SAN" report --html "$TMP/leak.html" --section heap "$TMP/leak"
'

test_expect_success 'each site table names the period, tagged with its JSON figure' '
	tables=$(jq "[.sections.heap | (.by_bytes, .by_count, .by_peak, .leaks, .temporary) |
		select(length > 0)] | length" "$TMP/leak.json") &&
	grep -o "(≈, one sample per <span data-json=\"[^\"]*sample_period_bytes&quot;]\" title=\"16384\">16.0 KiB</span>)" \
		"$TMP/leak.html" >"$TMP/periods" &&
	test "$(wc -l <"$TMP/periods")" = "$tables"
'

test_expect_success 'the estimated columns carry ≈, the sample counts do not' '
	grep "<th>stack</th>" "$TMP/leak.html" >"$TMP/heads" &&
	test -s "$TMP/heads" &&
	! grep -v "<th>≈bytes</th><th>≈peak_live</th><th>≈leaked_bytes</th>" "$TMP/heads" &&
	! grep "≈[a-z_]*samples" "$TMP/heads"
'

test_expect_success 'an unsupported figure is "—", with its error and samples in the tooltip' '
	grep -o "<span class=\"unsupported\" title=\"[^\"]*\">—</span>" "$TMP/leak.html" \
		>"$TMP/dashes" &&
	test "$(wc -l <"$TMP/dashes")" = "$(jq "$unsupported" "$TMP/leak.json")" &&
	! grep -v "title=\"too few samples to estimate: relative standard error ±[0-9]*%, from [0-9]* sampled blocks\"" \
		"$TMP/dashes"
'

test_expect_success 'the section-level leak figures carry ≈' '
	grep -q "<tr><th>leaked_bytes</th><td>≈<span data-json=" "$TMP/leak.html" &&
	grep -q "<tr><th>leaked_blocks</th><td>≈<span data-json=" "$TMP/leak.html"
'

test_expect_success '--all: exact figures, no ≈ and no — anywhere on the page' '
	"$FL" record -q --all -o "$TMP/all" -- "$PROGS/p_report_leak" >/dev/null &&
	"$FL_SAN" report --html "$TMP/all.html" "$TMP/all" &&
	grep -q "<th>bytes</th><th>peak_live</th><th>leaked_bytes</th>" "$TMP/all.html" &&
	! grep -q "≈" "$TMP/all.html" &&
	! grep -q "class=\"unsupported\"" "$TMP/all.html"
'

test_expect_success 'a folded finding shows ×N, tagged, and lists its examples' '
	"$FL" record -q -o "$TMP/oc" -- sh -c "for i in 1 2 3 4; do \"$SAMPLES/overcommit\" 128 1; done" \
		>/dev/null &&
	"$FL_SAN" report --json "$TMP/oc" >"$TMP/oc.json" &&
	"$FL_SAN" report --html "$TMP/oc.html" "$TMP/oc" &&
	i=$(jq "[.sections.overcommit.findings[] | .id == \"overcommit.site\"] | index(true)" \
		"$TMP/oc.json") &&
	test "$(jq ".sections.overcommit.findings[$i].count" "$TMP/oc.json")" = 4 &&
	grep -q "<b class=\"fold\">×<span data-json=\"\[&quot;sections&quot;,&quot;overcommit&quot;,&quot;findings&quot;,$i,&quot;count&quot;\]\" title=\"4\">4</span></b>" \
		"$TMP/oc.html" &&
	jq -r ".sections.overcommit.findings[$i].examples[]" "$TMP/oc.json" >"$TMP/examples" &&
	test "$(wc -l <"$TMP/examples")" = 3 &&
	while read -r e; do
		grep -qF "<li>$e</li>" "$TMP/oc.html" || { echo "missing: $e"; exit 1; }
	done <"$TMP/examples"
'

test_done
