#!/bin/sh
# The reader+model fuzzer (libFuzzer, ASan, UBSan) runs briefly over the
# seed corpus, hostile values included (tests/fuzz/corpus/hostile-*),
# without a crash, leak, sanitizer report, timeout or allocation over the
# limits of tests/fuzz/run.sh. A fixed short run: at most 30 s here;
# `make fuzz FUZZ_TIME=N` runs it longer.
. "$(dirname "$0")/lib.sh"

secs=${FL_FUZZ_TIME:-20}
[ "$secs" -le 30 ] 2>/dev/null || secs=30
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$TMP/probe.c"
clang -fsanitize=fuzzer -o "$TMP/probe" "$TMP/probe.c" >/dev/null 2>&1 ||
	skip_all "clang cannot build libFuzzer targets (no clang or no libclang-rt)"

test_expect_success 'the fuzzer builds' '
	${MAKE:-make} --no-print-directory -s BUILD="$BUILD" "$BUILD/fuzz/fuzz_reader"
'
test_expect_success 'the hostile seeds are in the corpus' '
	test $(ls tests/fuzz/corpus/hostile-*.ndjson | wc -l) -ge 8
'
test_expect_success "the fuzzer runs ${secs}s without a finding" '
	sh tests/fuzz/run.sh "$BUILD/fuzz/fuzz_reader" "$secs"
'
test_done
