#!/bin/sh
# dlsym and dlopen allocate (calloc among them), also before the shim has
# resolved the real functions: the program runs exactly as it does natively.
. "$(dirname "$0")/lib.sh"

test_expect_success 'dlopen/dlsym in a constructor and in main: same output as native' '
	"$PROGS/p_heap_dlsym" >"$TMP/native" &&
	"$FL" record -q -o "$TMP/a" -- "$PROGS/p_heap_dlsym" >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced" &&
	grep -q "constructor cos(0)=1.0" "$TMP/traced"
'

test_expect_success 'the trace counts the program calls and parses' '
	f=$(ls "$TMP"/a/*.ndjson) &&
	jq -e -s "[.[] | select(.e == \"heap\")] | last | .calls.calloc >= 1 and .calls.malloc >= 1" "$f" >/dev/null
'

if command -v cc >/dev/null 2>&1 &&
	cc -shared -fPIC -o "$TMP/libearly.so" tests/shell/heap/early_lib.c -ldl 2>"$TMP/cc.err"; then
	for order in "\$TMP/libearly.so:\$LIB" "\$LIB:\$TMP/libearly.so"; do
		test_expect_success "another preloaded library allocating in its constructor ($order)" "
			mkdir -p \"\$TMP/o\" &&
			LD_PRELOAD=$order FAULTLINE_OUT=\"\$TMP/o\" \"\$PROGS/p_heap_dlsym\" >\"\$TMP/out\" &&
			diff -u \"\$TMP/native\" \"\$TMP/out\"
		"
	done
	test_expect_success 'the bootstrap path: allocations before the shim resolved libc' '
		LD_PRELOAD="$TMP/libearly.so:$LIB" FAULTLINE_OUT="$TMP/o" \
			sh -c "echo bootstrap ok" >"$TMP/out" && test "$(cat "$TMP/out")" = "bootstrap ok"
	'
fi
test_done
