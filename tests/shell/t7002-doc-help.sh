#!/bin/sh
# Every command has help (`faultline help X`, `X --help`) and a man page entry.
. "$(dirname "$0")/lib.sh"

cmds=$("$FL" --help | sed -n '/^commands:/,/^$/s/^   \([a-z]*\) .*/\1/p')

test_expect_success 'faultline --help lists the commands' '
	test -n "$cmds" && echo "$cmds" | grep -qx record
'

test_expect_success 'help COMMAND and COMMAND --help print the same usage' '
	for c in $cmds; do
		"$FL" help "$c" >"$TMP/h1" && "$FL" "$c" --help >"$TMP/h2" &&
		diff -u "$TMP/h1" "$TMP/h2" && grep -q "^usage: faultline $c" "$TMP/h1" ||
		{ echo "help for $c"; exit 1; }
	done
'

test_expect_success 'help for an unknown command is a usage error' '
	"$FL" help no-such-command 2>"$TMP/err"
	test $? -eq 2 && grep -q "not a faultline command" "$TMP/err"
'

test_expect_success 'the man page describes every command' '
	for c in $cmds; do
		grep -q "^\.B $c\$" doc/faultline.1 || { echo "man page lacks $c"; exit 1; }
	done
'

test_expect_success 'the man page formats without warnings' '
	if command -v groff >/dev/null; then
		LC_ALL=C.UTF-8 groff -man -ww -z doc/faultline.1 2>"$TMP/warn" && ! test -s "$TMP/warn"
	fi
'

test_expect_success 'make install installs the man page' '
	make -s install DESTDIR="$TMP/inst" PREFIX=/usr BUILD="$BUILD" >/dev/null &&
	test -f "$TMP/inst/usr/share/man/man1/faultline.1" &&
	test -x "$TMP/inst/usr/bin/faultline"
'
test_done
