#!/bin/sh
# A process's getrusage figures count it to its end. The exit line is
# written when the shim finishes, and the process goes on after it (here
# glibc flushing a stream after every exit handler, touching fresh pages):
# the figures the reaper's wait4 gives take those in. Oracle:
# /usr/bin/time's own wait4, on the same run.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/time ] || skip_all "no /usr/bin/time"
PAGES=2000

test_expect_success 'reaped by record: ru_minflt counts the faults after the exit line' '
	"$FL" record -q -o "$TMP/r" -- /usr/bin/time -f "%R %F" -o "$TMP/r.time" \
		"$PROGS/p_proc_late_faults" $PAGES >"$TMP/r.out" &&
	"$FL_SAN" report --json "$TMP/r" >"$TMP/r.json" &&
	read min maj <"$TMP/r.time" &&
	got=$(pid_sum "$TMP/r.json" p_proc_late_faults ru_minflt) &&
	gotmaj=$(pid_sum "$TMP/r.json" p_proc_late_faults ru_majflt) &&
	echo "time: minflt $min majflt $maj; faultline: ru_minflt $got ru_majflt $gotmaj" &&
	test "$got" = "$min" && test "$gotmaj" = "$maj"
'

test_expect_success 'the exit line alone is short by the late pages (the test can fail)' '
	for f in "$TMP"/r/*.ndjson*; do
		zstdcat -f "$f" | jq -c "select(.e == \"header\" or .e == \"exit\")
			| {e, exe, ru_minflt}" | jq -s -c "{exe: .[0].exe, ru: .[-1].ru_minflt}"
	done >"$TMP/lines" &&
	exit_min=$(jq -r "select(.exe | endswith(\"p_proc_late_faults\")) | .ru" "$TMP/lines") &&
	got=$(pid_sum "$TMP/r.json" p_proc_late_faults ru_minflt) &&
	echo "exit line $exit_min, whole life $got" &&
	test $((got - exit_min)) -ge $PAGES
'

test_expect_success 'reaped by record itself: the program run directly' '
	"$FL" record -q -o "$TMP/d" -- "$PROGS/p_proc_late_faults" $PAGES >"$TMP/d.out" &&
	test -s "$TMP/d/reaped.jsonl" &&
	"$FL_SAN" report --json "$TMP/d" >"$TMP/d.json" &&
	want=$(jq -r .ru_minflt "$TMP/d/reaped.jsonl") &&
	got=$(pid_sum "$TMP/d.json" p_proc_late_faults ru_minflt) &&
	echo "record wait4 $want, faultline $got" &&
	test "$got" = "$want" &&
	jq -e ".sections.summary.faults.rusage_source == \"wait4\"" "$TMP/d.json" >/dev/null &&
	"$FL_SAN" report --section summary "$TMP/d" | grep "^Page faults: minor .*(getrusage, exec to exit)" &&
	"$FL_SAN" report --html "$TMP/d.html" "$TMP/d" &&
	grep -q "major page faults (getrusage, exec to exit)" "$TMP/d.html"
'

test_expect_success 'a bad line in reaped.jsonl: an error with file and line, the rest read' '
	cp -r "$TMP/d" "$TMP/bad" &&
	printf "{\"pid\": 1\n" >>"$TMP/bad/reaped.jsonl" &&
	{ "$FL_SAN" report --json "$TMP/bad" >"$TMP/bad.json" 2>"$TMP/bad.err"; test $? -eq 1; } &&
	grep "reaped.jsonl:2:" "$TMP/bad.err" &&
	got=$(pid_sum "$TMP/bad.json" p_proc_late_faults ru_minflt) &&
	test "$got" = "$(pid_sum "$TMP/d.json" p_proc_late_faults ru_minflt)"
'

test_done
