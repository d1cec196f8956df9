#!/bin/sh
# A child keeps the user's LD_PRELOAD order: an object put before faultline
# (its own allocator, a counter of calls) stays before it in the programs
# the traced one runs. The shim takes itself out of the program's
# LD_PRELOAD and puts itself back for each exec; it used to put itself
# first, so in the exec'd program its hooks came before the user's object,
# which then missed what the hooks do not pass on (free(NULL)): under
# `timeout`, GNU sort's four were gone from a counter preloaded first.
# Oracle: the same counter's figures in the same program run natively.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/counter.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static unsigned long nfree;
static void (*next_free)(void *);
void free(void *p)
{
	if (!next_free)
		next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	__atomic_fetch_add(&nfree, 1, __ATOMIC_RELAXED);
	next_free(p);
}
__attribute__((destructor)) static void report(void)
{
	char b[64];
	int n = snprintf(b, sizeof(b), "%lu\n", nfree);
	int fd = open(getenv("COUNTER_FILE"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, b, (size_t)n) < 0)
		n = 0;
	close(fd);
}
C
cat >"$TMP/frees.c" <<'C'
#include <stdlib.h>
int main(void)
{
	void *volatile none = NULL;
	for (int i = 0; i < 3; i++)
		free(none);
	return 0;
}
C
${CC:-cc} -O2 -shared -fPIC -o "$TMP/counter.so" "$TMP/counter.c" -ldl &&
	${CC:-cc} -O1 -o "$TMP/frees" "$TMP/frees.c" ||
	skip_all "cannot build the test's counter and program with ${CC:-cc}"

COUNTER_FILE=$TMP/native LD_PRELOAD=$TMP/counter.so sh -c 'exec "$0"' "$TMP/frees" || exit 1
mkdir "$TMP/t"
COUNTER_FILE=$TMP/traced FAULTLINE_OUT=$TMP/t LD_PRELOAD="$TMP/counter.so:$LIB" \
	sh -c 'exec "$0"' "$TMP/frees" || exit 1

test_expect_success 'the exec.d program.s calls reach the object before faultline, as natively' '
	say "the counter saw $(cat "$TMP/native") frees natively, $(cat "$TMP/traced") traced" &&
	test "$(cat "$TMP/native")" -ge 3 && test "$(cat "$TMP/traced")" = "$(cat "$TMP/native")"
'
test_expect_success 'and the exec.d program was traced' '
	ls "$TMP"/t/*.1.ndjson* >/dev/null
'
test_done
