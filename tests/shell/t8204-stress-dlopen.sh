#!/bin/sh
# dlopen/dlclose of a library that allocates (constructor, function,
# destructor), from two threads, with every call's backtrace taken (--all):
# backtraces through code that is later unmapped must not crash the shim.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

cat >"$TMP/lib.c" <<'C'
#include <stdlib.h>
#include <string.h>
static char *keep[16];
void *volatile lib_sink; /* keeps the compiler from dropping malloc/free pairs */
__attribute__((constructor)) static void lib_init(void)
{
	for (int i = 0; i < 16; i++)
		keep[i] = memset(malloc(100 + i * 1000), i, 100);
}
__attribute__((destructor)) static void lib_fini(void)
{
	for (int i = 0; i < 16; i++)
		free(keep[i]);
}
long lib_work(long r)
{
	long sum = 0;
	char *mine = NULL;
	for (int i = 0; i < 64; i++) {
		char *p = malloc((size_t)(r % 7 + 1) * 4096 + (size_t)i);
		lib_sink = p;
		p[0] = (char)i;
		sum += p[0];
		mine = realloc(mine, 200 + (size_t)i * 100);
		free(p);
	}
	free(mine);
	return sum + r;
}
C
cc -shared -fPIC -O1 -o "$TMP/liballoc.so" "$TMP/lib.c" || skip_all "cannot build a shared library"

stress_native dl "$PROGS/p_stress_dlopen" "$TMP/liballoc.so" 200
stress_traced dl --all -- "$PROGS/p_stress_dlopen" "$TMP/liballoc.so" 200

test_expect_success 'same output and status traced' 'same_behaviour dl 0'
test_expect_success 'the trace is clean' 'trace_is_clean dl'

# Per round and thread: 64 mallocs in lib_work, 64 reallocs, 65 frees; the
# constructor's 16 mallocs run at least once (more when the threads' rounds
# do not overlap).
test_expect_success 'the library allocations are counted' '
	r=$(root_trace dl) &&
	at_least "$(final_heap "$r" .calls.malloc)" $((16 + 2 * 200 * 64)) &&
	at_least "$(final_heap "$r" .calls.realloc)" $((2 * 200 * 64)) &&
	at_least "$(final_heap "$r" .calls.free)" $((16 + 2 * 200 * 65))
'
test_done
