# Helpers for the report tests (t6xxx): a sample's own truth, the report as
# JSON, and skipping when the machine cannot show a mechanism. Sourced after
# lib.sh.

# truth FILE KEY: value of KEY=... from a sample's "truth k=v k=v" line
truth() { sed -n 's/^truth //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

# report_json DIR SECTION: the section of DIR's report as JSON on stdout
report_json() { "$FL_SAN" report --json --no-symbols --section "$2" "$1" | jq ".sections.$2"; }

# need_probe DIR PROBE: skip the whole test when the header says PROBE is off
need_probe() {
	_f=$(ls "$1"/*.ndjson | head -1)
	head -1 "$_f" | jq -e ".probes.$2.ok == true" >/dev/null ||
		skip_all "probe $2 is off here: $(head -1 "$_f" | jq -r ".probes.$2.why // \"unknown\"")"
}

# within A B PCT: |A - B| <= PCT% of B (integers or decimals)
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }

# at_least A B PCT: A >= PCT% of B
at_least() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { exit !(a >= b * p / 100) }'; }

# every_call_recorded JSON PAIRS: the report's heap section (report --json)
# holds a recorded block for every allocation call the shim counted, and
# the malloc calls are the program's PAIRS (and fewer than 100 of start-up).
every_call_recorded() {
	jq -e ".sections.heap | .records == (.totals.calls | .malloc + .calloc + .realloc +
		.reallocarray + .posix_memalign + .aligned_alloc + .memalign + .valloc + .pvalloc)" \
		"$1" >/dev/null &&
	jq -e ".sections.heap.totals.calls.malloc >= $2 and
		.sections.heap.totals.calls.malloc < $2 + 100" "$1" >/dev/null
}
