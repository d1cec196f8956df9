#!/bin/sh
# One option parser for every command: --opt=value and --opt value mean the
# same, typos get a did-you-mean and exit 2, --pid takes the ids the report
# prints, and the text report is coloured only when asked or on a terminal.
. "$(dirname "$0")/lib.sh"

"$FL" record -q -o "$TMP/t" -- sh -c 'exec ls / >/dev/null' || exit 1

test_expect_success 'a mistyped command: did you mean, exit 2' '
	"$FL" reprot "$TMP/t" 2>"$TMP/err"
	test $? -eq 2 &&
	echo "faultline: unknown command '"'"'reprot'"'"'; did you mean '"'"'report'"'"'?" >"$TMP/want" &&
	diff -u "$TMP/want" "$TMP/err"
'

test_expect_success 'a mistyped option: did you mean, exit 2' '
	"$FL" report --jsno "$TMP/t" 2>"$TMP/err"
	test $? -eq 2 && grep -q "unknown option .--jsno.; did you mean .--json.?" "$TMP/err" &&
	"$FL" export --fromat=folded "$TMP/t" 2>"$TMP/err"
	test $? -eq 2 && grep -q "did you mean .--format.?" "$TMP/err"
'

test_expect_success 'a flag given a value is a usage error' '
	"$FL" report --json=yes "$TMP/t" 2>"$TMP/err"
	test $? -eq 2 && grep -q "takes no value" "$TMP/err"
'

test_expect_success 'report: --opt=value is --opt value' '
	"$FL" report --json --top 3 --section summary "$TMP/t" >"$TMP/a" &&
	"$FL" report --json --top=3 --section=summary "$TMP/t" >"$TMP/b" &&
	diff -u "$TMP/a" "$TMP/b"
'

test_expect_success 'report: options after the trace' '
	"$FL" report "$TMP/t" --json --section=summary --top=3 >"$TMP/c" &&
	diff -u "$TMP/a" "$TMP/c"
'

test_expect_success '--pid takes the image id the report prints' '
	key=$("$FL" report --json --section summary "$TMP/t" |
		jq -r ".sections.summary.per_process[] | select(.exe | test(\"ls$\")) | .key") &&
	case $key in *.*) ;; *) echo "no exec image id: $key"; exit 1;; esac &&
	"$FL" report --section summary "$TMP/t" | grep -q "$key" &&
	"$FL" report --json --section summary --pid="$key" "$TMP/t" >"$TMP/one" &&
	jq -e ".processes == 1" "$TMP/one" >/dev/null &&
	jq -r ".sections.summary.per_process[].key" "$TMP/one" >"$TMP/keys" &&
	echo "$key" >"$TMP/want" && diff -u "$TMP/want" "$TMP/keys" &&
	"$FL" report --json --section summary --pid "${key%.*}" "$TMP/t" |
		jq -e ".processes == 2" >/dev/null
'

test_expect_success '--pid: an id not in the trace, and one that is no id' '
	"$FL" report --pid 999999999.3 "$TMP/t" 2>"$TMP/err"
	test $? -eq 1 && grep -q "no process 999999999.3" "$TMP/err" &&
	"$FL" report --pid 12x "$TMP/t" 2>"$TMP/err"
	test $? -eq 2 && grep -q "needs a process id" "$TMP/err"
'

test_expect_success 'export: --format=F --what=W --output=FILE is --format F --what W -o FILE' '
	"$FL" export --format folded --what faults -o "$TMP/f1" "$TMP/t" &&
	"$FL" export --format=folded --what=faults --output="$TMP/f2" "$TMP/t" &&
	"$FL" export -ffolded --what faults -o"$TMP/f3" "$TMP/t" &&
	test -s "$TMP/f1" && diff -u "$TMP/f1" "$TMP/f2" && diff -u "$TMP/f1" "$TMP/f3"
'

test_expect_success 'compare: --pid-a=ID is --pid-a ID' '
	pid=$(ls "$TMP/t" | head -1 | cut -d. -f1) &&
	"$FL" compare --json --pid-a "$pid" --pid-b "$pid.1" "$TMP/t" "$TMP/t" >"$TMP/c1" &&
	"$FL" compare --json --pid-a="$pid" --pid-b="$pid.1" "$TMP/t" "$TMP/t" >"$TMP/c2" &&
	diff -u "$TMP/c1" "$TMP/c2" &&
	"$FL" compare --json "$TMP/t" "$TMP/t" >"$TMP/c3" && ! diff -q "$TMP/c1" "$TMP/c3" >/dev/null
'

test_expect_success '-- ends the options' '
	cp -r "$TMP/t" "$TMP/-t" &&
	(cd "$TMP" && "$FL" report --json --section summary -- -t >/dev/null)
'

test_expect_success 'COMMAND --help anywhere prints the usage' '
	"$FL" report "$TMP/t" --help >"$TMP/h" && grep -q "^usage: faultline report" "$TMP/h"
'

test_expect_success '--color=always colours headings and warnings; never does not' '
	"$FL" report --color=always "$TMP/t" >"$TMP/col" &&
	"$FL" report --color never "$TMP/t" >"$TMP/plain" &&
	grep -q "$(printf "\033")\[1m== " "$TMP/col" &&
	! grep -q "$(printf "\033")" "$TMP/plain" &&
	sed "s/$(printf "\033")\[[0-9;]*m//g" "$TMP/col" | diff -u "$TMP/plain" -
'

test_expect_success 'without a terminal, or with NO_COLOR, auto is plain' '
	"$FL" report "$TMP/t" >"$TMP/auto" && diff -u "$TMP/plain" "$TMP/auto" &&
	if command -v script >/dev/null; then
		NO_COLOR=1 script -qec "$FL report $TMP/t" /dev/null >"$TMP/tty" &&
		! grep -q "$(printf "\033")\[" "$TMP/tty" &&
		script -qec "$FL report $TMP/t" /dev/null >"$TMP/tty2" &&
		grep -q "$(printf "\033")\[1m== " "$TMP/tty2"
	fi
'
test_done
