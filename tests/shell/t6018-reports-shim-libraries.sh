#!/bin/sh
# Libraries only the shim loaded are faultline's: /bin/true needs libc
# alone, so libunwind (and libzstd, liblzma... that libfaultline.so needs)
# are listed in "faultline itself" and kept out of the program's faults by
# VMA. A program that links libm itself (python3: checked with ldd) keeps
# libm as its own.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

command -v ldd >/dev/null || skip_all "no ldd"
ldd /bin/true | grep -q libunwind && skip_all "/bin/true links libunwind itself"
ldd "$LIB" | grep -q libunwind ||
	skip_all "libfaultline.so does not need libunwind here"

"$FL" record -q --faults all -o "$TMP/t" -- /bin/true || exit 1
report_json "$TMP/t" faults >"$TMP/f.json" || exit 1

test_expect_success 'libunwind is among faultline libraries' '
	jq -e ".processes[0].faultline.libraries | any(test(\"/libunwind[.]so\"))" \
		"$TMP/f.json" >/dev/null
'

test_expect_success 'every one is a file (not the anonymous .bss after one)' '
	jq -e ".processes[0].faultline.libraries | length > 0 and all(startswith(\"/\"))" \
		"$TMP/f.json" >/dev/null
'

test_expect_success 'libc, which /bin/true needs, is not' '
	jq -e ".processes[0].faultline.libraries | any(test(\"/libc[.]so\")) | not" \
		"$TMP/f.json" >/dev/null
'

test_expect_success 'no program row of faults by VMA is one of faultline libraries' '
	jq -e ".processes[0] | .faultline.libraries as \$l |
		[.by_vma[] | select(.path as \$p | \$l | index(\$p))] | length == 0" \
		"$TMP/f.json" >/dev/null
'

test_expect_success 'the summary line lists them too' '
	"$FL_SAN" report --no-symbols --section summary "$TMP/t" | tr -d "\n" |
		grep -q "faultline itself:.*libunwind"
'

# the interpreter binary itself (not a version manager's shell wrapper)
PY=
for p in /usr/bin/python3 /usr/local/bin/python3 $(command -v python3); do
	p=$(readlink -f "$p") && ldd "$p" 2>/dev/null | grep -q "libm[.]so" && PY=$p && break
done
if [ -n "$PY" ]; then
	run_traced "$TMP/py" "$PY" -c "import math; print(math.sqrt(2))" >/dev/null || exit 1
	report_json "$TMP/py" faults >"$TMP/py.json" || exit 1
	test_expect_success 'python3 links libm itself: libm stays the program s' '
		n=$(jq "[.processes[] | .faultline.libraries[] | select(test(\"/libm[.]so\"))] |
			length" "$TMP/py.json") &&
		echo "libm listed as faultline s in $n processes" && test "$n" = 0 &&
		jq -e "[.processes[] | .faultline.libraries[] |
			select(test(\"/libunwind[.]so\"))] | length > 0" "$TMP/py.json" >/dev/null
	'
else
	echo "# no python3 binary linking libm here: libm case not run"
fi

test_expect_success 'two processes: the resident figures say they are summed, the peak is one process' '
	"$FL" record -q -o "$TMP/two" -- sh -c "/bin/true; /bin/true" &&
	"$FL_SAN" report --json --no-symbols --section summary "$TMP/two" >"$TMP/two.json" &&
	n=$(jq ".sections.summary.faultline.processes" "$TMP/two.json") &&
	test "$n" -ge 2 &&
	"$FL" report --no-symbols --section summary "$TMP/two" | tr "\n" " " |
		grep -q "resident at the processes. ends, *largest peak"
'

test_done
