#!/bin/sh
# Heap calls made before the shim's constructor runs are counted: a
# preloaded object starts after the program's own libraries, whose
# constructors (and the loader) may allocate first (redis-server: 2 calls,
# 72 KiB, the emergency exception pool of the libstdc++ its jemalloc
# brings in). Uncounted, their blocks' frees later took
# bytes off that were never added: here the heap's live bytes at the end
# came out 0 against 59 KiB, and its calloc was not there at all.
# Oracle: the program's own malloc_usable_size of the blocks it keeps.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/libctor.c" <<'C'
#include <malloc.h>
#include <stdlib.h>
static void *a, *b, *c;
size_t ctor_kept;
__attribute__((constructor)) static void init(void)
{
	a = malloc(40000);
	b = calloc(1, 30000);
	c = malloc(20000);
	ctor_kept = malloc_usable_size(b) + malloc_usable_size(c);
}
void ctor_free_one(void)
{
	free(a);
}
C
cat >"$TMP/main.c" <<'C'
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
extern size_t ctor_kept;
void ctor_free_one(void);
int main(void)
{
	size_t main_kept = 0;
	void *keep[5];
	ctor_free_one();
	for (int i = 0; i < 5; i++) {
		keep[i] = malloc(1000);
		main_kept += malloc_usable_size(keep[i]);
	}
	printf("truth ctor_kept=%zu main_kept=%zu kept=%p\n", ctor_kept, main_kept, (void *)keep);
	return 0;
}
C
${CC:-cc} -O1 -shared -fPIC -o "$TMP/libctor.so" "$TMP/libctor.c" &&
	${CC:-cc} -O1 -o "$TMP/main" "$TMP/main.c" -L"$TMP" -lctor -Wl,-rpath,"$TMP" ||
	skip_all "cannot build the test's library and program with ${CC:-cc}"
run_traced "$TMP/t" "$TMP/main" >"$TMP/out" || exit 1
"$FL_SAN" report --json --section heap "$TMP/t" >"$TMP/h.json" || exit 1
ctor=$(sed -n 's/.*ctor_kept=\([0-9]*\).*/\1/p' "$TMP/out")
main=$(sed -n 's/.*main_kept=\([0-9]*\).*/\1/p' "$TMP/out")

test_expect_success 'the constructor.s calls are counted' '
	jq -e ".sections.heap.totals.calls | .calloc == 1 and .malloc >= 7 and .free >= 1" "$TMP/h.json" >/dev/null
'
test_expect_success 'the live bytes at the end hold its blocks and main.s (and stdio.s buffer)' '
	live=$(jq .sections.heap.totals.live_at_end "$TMP/h.json") &&
	say "live at end $live; the program keeps $ctor + $main" &&
	test "$live" -ge $((ctor + main)) && test "$live" -le $((ctor + main + 8192))
'
test_done
