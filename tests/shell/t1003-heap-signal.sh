#!/bin/sh
# malloc from a signal handler (a SIGALRM storm while the program allocates
# and maps) neither deadlocks nor crashes, and every call is still counted,
# also those of handlers that interrupted the shim itself.
. "$(dirname "$0")/lib.sh"

export FAULTLINE_INTERVAL_MS=20
for mode in default all; do
	opt=
	[ $mode = all ] && opt=--all
	test_expect_success "$mode mode: the storm ends normally" "
		timeout 60 \"\$FL\" record -q $opt -o \"\$TMP/$mode\" -- \"\$PROGS/p_heap_signal\" 1 >\"\$TMP/$mode.own\" &&
		jq -e \".handler > 100\" \"\$TMP/$mode.own\" >/dev/null
	"
	test_expect_success "$mode mode: malloc and free counts are exact" "
		jq -S -c .calls \"\$TMP/$mode.own\" >\"\$TMP/$mode.expect\" &&
		jq -s -S -c -f tests/shell/heap/window-delta.jq \"\$TMP/$mode\"/*.ndjson |
			jq -S -c \".calls | {malloc, free}\" >\"\$TMP/$mode.got\" &&
		diff -u \"\$TMP/$mode.expect\" \"\$TMP/$mode.got\"
	"
done
test_done
