#!/bin/sh
# Per-site touched where three allocation sites share one VMA (the [heap]):
# one site writes every page of its blocks, the others write none. Each
# site's figure comes from its own blocks' pages, not the VMA's share:
# the writer 100 % (-10 %: one fault in N is sampled), the others only the
# pages they share with their neighbours (each block's first and last page,
# which glibc's chunk headers and the writer's blocks touch: 2 of 25, 4
# allowed for the estimate's spread), each labelled with where it came from.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

run_traced "$TMP/sv" "$PROGS/p_report_shared_vma" 100 300 >"$TMP/out" || exit 1
need_probe "$TMP/sv" perf_fault_samples
"$FL" report --json --section overcommit "$TMP/sv" | jq .sections.overcommit >"$TMP/r.json" || exit 1
site() { echo ".processes[0].by_site[] | select(.site.site.text | startswith(\"$1 \"))"; }

test_expect_success 'three sites of 100 blocks, one VMA' '
	for s in site_touches site_idle_a site_idle_b; do
		jq -e "$(site $s) | .count == 100" "$TMP/r.json" >/dev/null || exit 1
	done
'

test_expect_success 'the site that wrote its blocks touched 90% to 100%' '
	jq -e "$(site site_touches) | .touched_pct >= 90 and .touched_pct <= 100" "$TMP/r.json" >/dev/null
'

test_expect_success 'the sites that wrote nothing touched at most 4 pages a block' '
	for s in site_idle_a site_idle_b; do
		jq -e "$(site $s) | .touched <= .count * 4 * 4096" "$TMP/r.json" >/dev/null || exit 1
	done
'

test_expect_success 'the figures say they come from the fault samples' '
	jq -e "[.processes[0].by_site[] | .touched_from == \"fault_samples\"] | all" "$TMP/r.json" >/dev/null
'
test_done
