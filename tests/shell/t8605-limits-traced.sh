#!/bin/sh
# Under a finite RLIMIT_AS or RLIMIT_DATA the shim sizes its tables to the
# limit and keeps tracing: the program gets (nearly) its native memory AND
# its heap calls are in the trace. The shim used to reserve ~930 MB up front
# (the block set's nodes alone 805 MB) and, under any limit below ~15 GB,
# switched tracing off: "trace of 0 processes".
. "$(dirname "$0")/lib.sh"

command -v prlimit >/dev/null || skip_all "no prlimit"

cat >"$TMP/as.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	size_t mib = 0;
	while (malloc(1 << 20))
		mib++;
	printf("%zu\n", mib);
	return 0;
}
PROG

# Small blocks, each one kept by --all: more than the block set can hold
# within its budget under a small limit, so it fills; the program must not
# notice, and the trace still ends with the process's exit.
cat >"$TMP/many.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	enum { N = 3000000 };
	void **p = malloc(N * sizeof(*p));
	size_t got = 0;
	for (size_t i = 0; p && i < N; i++)
		if ((p[i] = malloc(16)))
			got++;
	printf("%zu\n", got);
	return 0;
}
PROG
cc -o "$TMP/as" "$TMP/as.c" && cc -o "$TMP/many" "$TMP/many.c" || exit 1

# The count of malloc calls on report's "Heap calls:" line (0 if none).
mallocs() {
	"$FL" report "$1" | sed -n 's/^Heap calls: *malloc \([0-9,]*\).*/\1/p' | tr -d , |
		grep . || echo 0
}

for limit in as data; do
	test_expect_success "under prlimit --$limit=1000000000 the program gets its memory and is traced" '
		native=$(prlimit --$limit=1000000000 "$TMP/as") &&
		traced=$(prlimit --$limit=1000000000 "$FL" record -q -o "$TMP/t-$limit" -- "$TMP/as") &&
		calls=$(mallocs "$TMP/t-$limit") &&
		say "# native $native MiB, traced $traced MiB, $calls malloc calls in the trace" &&
		test $((traced * 100)) -ge $((native * 90)) &&
		test "$calls" -ge "$traced"
	'
done

test_expect_success 'under prlimit --as=400000000 a small program is traced' '
	py=$(python3 -c "import sys; print(sys.executable)") || { say "# skipped: no python3"; exit 0; }
	out=$(prlimit --as=400000000 "$FL" record -q -o "$TMP/py" -- "$py" -c "print(1)") &&
	calls=$(mallocs "$TMP/py") &&
	say "# printed $out, $calls malloc calls in the trace" &&
	test "$out" = 1 &&
	test "$calls" -gt 0
'

test_expect_success 'with --all under prlimit --as=400000000 a full block set leaves the program whole' '
	native=$(prlimit --as=400000000 "$TMP/many") &&
	traced=$(prlimit --as=400000000 "$FL" record -q --all -o "$TMP/all" -- "$TMP/many") &&
	calls=$(mallocs "$TMP/all") &&
	say "# native $native blocks, traced $traced, $calls malloc calls in the trace" &&
	test "$traced" = "$native" &&
	test "$calls" -gt "$native" &&
	grep -q "^{\"e\":\"exit\"" "$TMP"/all/*.ndjson
'
test_done
