#!/bin/sh
# export --format perfetto: valid Chrome trace event JSON with the trace's
# processes, counters and fork/exec/mmap instants.
. "$(dirname "$0")/lib.sh"

[ -x "$SAMPLES/fork_cow" ] || skip_all "samples not built"
command -v python3 >/dev/null || skip_all "python3 not installed"

test_expect_success 'record the fork/COW sample' '
	run_traced "$TMP/t" "$SAMPLES/fork_cow" 16 50 child >"$TMP/truth" &&
	test "$(ls "$TMP"/t/*.ndjson | wc -l)" -eq 2
'

test_expect_success 'export writes trace events and exits 0' '
	"$FL_SAN" export --format perfetto -o "$TMP/p.json" "$TMP/t" && test -s "$TMP/p.json"
'

test_expect_success 'the events follow the trace event format' '
	python3 - "$TMP/p.json" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert isinstance(d, dict) and isinstance(d["traceEvents"], list), "no traceEvents"
	assert d.get("displayTimeUnit", "ms") in ("ms", "ns")
	named = set(); used = set(); errs = []
	num = (int, float)
	for i, e in enumerate(d["traceEvents"]):
	    def bad(why): errs.append("event %d %s: %s" % (i, why, e))
	    ph = e.get("ph")
	    if ph not in ("M", "X", "C", "i", "I", "B", "E", "s", "t", "f"): bad("phase"); continue
	    if not isinstance(e.get("name"), str) or not e["name"]: bad("name")
	    if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int): bad("pid/tid")
	    if ph == "M":
	        if e["name"] not in ("process_name", "thread_name", "process_sort_index", "thread_sort_index"): bad("metadata name")
	        if not isinstance(e.get("args", {}).get("name"), str): bad("metadata args.name")
	        if e["name"] == "process_name": named.add(e["pid"])
	        continue
	    used.add(e["pid"])
	    if not isinstance(e.get("ts"), num) or e["ts"] < 0: bad("ts")
	    if ph == "X" and (not isinstance(e.get("dur"), num) or e["dur"] < 0): bad("dur")
	    if ph == "C" and (not e.get("args") or not all(isinstance(v, num) for v in e["args"].values())): bad("counter args")
	    if ph in ("i", "I") and e.get("s", "t") not in ("g", "p", "t"): bad("instant scope")
	    if ph in ("s", "t", "f") and (not isinstance(e.get("id"), int) or not isinstance(e.get("cat"), str)): bad("flow id/cat")
	    if ph == "f" and e.get("bp", "e") != "e": bad("flow binding point")
	if used - named: errs.append("processes without a name: %s" % (used - named))
	if errs:
	    print("\n".join(errs[:20])); sys.exit(1)
	PY
'

test_expect_success 'both processes are named, every fork is an instant naming its child' '
	jq -e "[.traceEvents[] | select(.ph==\"M\" and .name==\"process_name\") | .pid] | length == 2" "$TMP/p.json" >/dev/null &&
	cat "$TMP"/t/*.ndjson | jq -s -c "[.[] | select(.e==\"fork\") | .child] | sort" >"$TMP/want" &&
	jq -c "[.traceEvents[] | select(.ph==\"i\" and .name==\"fork\") | .args.child] | sort" "$TMP/p.json" >"$TMP/got" &&
	diff -u "$TMP/want" "$TMP/got" &&
	if [ "$(cat "$TMP/want")" != "[]" ]; then
		child=$(sed -n "s/.*child_pid=\([0-9]*\).*/\1/p" "$TMP/truth") &&
		jq -e "index($child) != null" "$TMP/got" >/dev/null
	fi
'

test_expect_success 'RSS counters carry the trace values exactly' '
	cat "$TMP"/t/*.ndjson | jq -s -c "[.[] | select(.e==\"counters\") | .rss_anon] | sort" >"$TMP/want" &&
	jq -c "[.traceEvents[] | select(.ph==\"C\" and .name==\"RSS\") | .args.anon] | sort" "$TMP/p.json" >"$TMP/got" &&
	diff -u "$TMP/want" "$TMP/got"
'

test_expect_success 'mmap instants match the successful mmap calls' '
	want=$(cat "$TMP"/t/*.ndjson | jq -s "[.[] | select(.e==\"mmap\" and .errno==0)] | length") &&
	got=$(jq "[.traceEvents[] | select(.ph==\"i\" and .name==\"mmap\" and .args.errno==0)] | length" "$TMP/p.json") &&
	test "$want" -eq "$got" && test "$want" -ge 1
'

test_expect_success 'export --format json holds the whole model' '
	"$FL_SAN" export --format json "$TMP/t" >"$TMP/m.json" &&
	jq -e ".processes | length == 2" "$TMP/m.json" >/dev/null &&
	for f in "$TMP"/t/*.ndjson; do
		pid=$(head -1 "$f" | jq .pid) &&
		n=$(grep -c "\"e\":\"counters\"" "$f") &&
		jq -e ".processes[] | select(.pid == $pid) | (.counters | length) == $n" "$TMP/m.json" >/dev/null || exit 1
	done
'
test_done
