#!/bin/sh
# Programs the loader will not preload into are refused by record with a
# clear message instead of an empty trace: statically linked programs,
# setuid programs run by someone who is not their owner, programs with file
# capabilities run by someone other than root, and AddressSanitizer builds
# (their runtime must come first: doc/limits.md).
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
# As root: a copy of true with cap_net_raw, run by uid 65534 (the loader
# runs it in secure-execution mode, as for ping run by a user).
test_expect_success 'a program with file capabilities run by a user is refused, by name' '
	if ! is_root || ! command -v setpriv >/dev/null || ! command -v setcap >/dev/null; then
		say "# skipped: needs root, setpriv and setcap (libcap2-bin)"; exit 0
	fi
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$FL"; then
		say "# skipped: the build directory is not reachable by uid 65534"; exit 0
	fi
	mkdir -p -m 755 "$TMP/cap" && chmod 711 "$TMP" &&
	cp /bin/true "$TMP/cap/captrue" &&
	if ! setcap cap_net_raw+ep "$TMP/cap/captrue" 2>"$TMP/setcap.err"; then
		say "# skipped: setcap: $(cat "$TMP/setcap.err")"; exit 0
	fi
	mkdir "$TMP/cap/out" && chown 65534:65534 "$TMP/cap/out" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/cap/captrue" &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FL" record -q -o "$TMP/cap/out/t" -- "$TMP/cap/captrue" 2>"$TMP/cap.err" &&
	grep -q "^faultline: '\''$TMP/cap/captrue'\'' has file capabilities" "$TMP/cap.err" &&
	! ls "$TMP"/cap/out/t/*.ndjson 2>/dev/null
'

test_expect_success 'root may trace it: the loader preloads for root' '
	if ! [ -x "$TMP/cap/captrue" ] || ! command -v getcap >/dev/null ||
	   [ -z "$(getcap "$TMP/cap/captrue")" ]; then
		say "# skipped: no copy with capabilities was made (test 5 skipped)"; exit 0
	fi
	"$FL" record -q -o "$TMP/caproot" -- "$TMP/cap/captrue" &&
	ls "$TMP"/caproot/*.ndjson >/dev/null
'

test_expect_success 'an AddressSanitizer program is refused, naming its runtime' '
	if ! cc -fsanitize=address -o "$TMP/asan" "$TMP/prog.c" 2>"$TMP/asan-cc.err"; then
		say "# skipped: cannot build with -fsanitize=address: $(tail -n 1 "$TMP/asan-cc.err")"
		exit 0
	fi
	"$TMP/asan"; test $? -eq 3 &&
	! "$FL" record -q -o "$TMP/as" -- "$TMP/asan" 2>"$TMP/as.err" &&
	runtime=$(ldd "$TMP/asan" | sed -n "s/^[[:space:]]*\(libasan\.so[.0-9]*\) =>.*/\1/p") &&
	test -n "$runtime" &&
	grep -q "is built with AddressSanitizer (it needs $runtime)" "$TMP/as.err" &&
	! ls "$TMP"/as/*.ndjson 2>/dev/null
'
test_done
