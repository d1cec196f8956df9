#!/bin/sh
# Programs the loader will not preload into are refused by record with a
# clear message instead of an empty trace: statically linked programs, and
# setuid programs run by someone who is not their owner.
. "$(dirname "$0")/lib.sh"

printf 'int main(void) { return 3; }\n' >"$TMP/prog.c"

test_expect_success 'a statically linked program is refused, with the reason' '
	if ! cc -static -o "$TMP/static" "$TMP/prog.c" 2>"$TMP/cc.err"; then
		say "# skipped: cannot link statically: $(tail -n 1 "$TMP/cc.err")"; exit 0
	fi
	"$TMP/static"; test $? -eq 3 &&
	! "$FL" record -q -o "$TMP/s" -- "$TMP/static" 2>"$TMP/s.err" &&
	grep -q "statically linked" "$TMP/s.err" &&
	grep -q "^faultline: " "$TMP/s.err" &&
	! ls "$TMP"/s/*.ndjson 2>/dev/null
'

test_expect_success 'the same program linked dynamically is traced' '
	cc -o "$TMP/dynamic" "$TMP/prog.c" &&
	"$FL" record -q -o "$TMP/d" -- "$TMP/dynamic"; test $? -eq 3 &&
	ls "$TMP"/d/*.ndjson >/dev/null
'

# As root: a setuid-root copy of a program, run by uid 65534 through setpriv.
test_expect_success 'a setuid program run by another user is refused, with the reason' '
	if ! is_root || ! command -v setpriv >/dev/null; then
		say "# skipped: needs root and setpriv"; exit 0
	fi
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$FL"; then
		say "# skipped: the build directory is not reachable by uid 65534"; exit 0
	fi
	mkdir -m 755 "$TMP/pub" && chmod 711 "$TMP" &&
	cp "$TMP/dynamic" "$TMP/pub/suid" && chmod 4755 "$TMP/pub/suid" &&
	mkdir "$TMP/pub/out" && chown 65534:65534 "$TMP/pub/out" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/pub/suid"; test $? -eq 3 &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FL" record -q -o "$TMP/pub/out/t" -- "$TMP/pub/suid" 2>"$TMP/suid.err" &&
	grep -q "setuid" "$TMP/suid.err" &&
	! ls "$TMP"/pub/out/t/*.ndjson 2>/dev/null
'

test_expect_success 'its owner may trace it' '
	if ! is_root; then exit 0; fi
	if ! [ -x "$TMP/pub/suid" ]; then
		say "# skipped: no setuid copy was made (test 3 skipped)"; exit 0
	fi
	"$FL" record -q -o "$TMP/own" -- "$TMP/pub/suid"; test $? -eq 3 &&
	ls "$TMP"/own/*.ndjson >/dev/null
'
test_done
