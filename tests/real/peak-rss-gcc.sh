#!/bin/sh
# A compiler: gcc -O2 on a small C file (the driver runs cc1, as, collect2
# and ld). summary.peak_rss (the largest one process reached) against
# /usr/bin/time -v's "Maximum resident set size" of the same traced run
# (time runs inside the trace; its figure is the largest ru_maxrss of gcc and
# the children it waited for). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || real_tool time /usr/bin/time
real_tool gcc gcc
cat >"$TMP/x.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char name[32]; int value; };
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(int argc, char **argv)
{
	int v[64];
	struct node *head = NULL;
	for (int i = 0; i < 64; i++) {
		struct node *n = calloc(1, sizeof(*n));
		snprintf(n->name, sizeof(n->name), "%s-%d", argc > 1 ? argv[1] : "n", i);
		n->value = (int)strlen(n->name) * i % 17;
		v[i] = n->value;
		n->next = head;
		head = n;
	}
	qsort(v, 64, sizeof(v[0]), cmp);
	printf("%d %s\n", v[63], head->name);
	return 0;
}
C
real_record "$TMP/t" -- /usr/bin/time -v -o "$TMP/time" gcc -O2 -o "$TMP/x" "$TMP/x.c" &&
	real_report "$TMP/t" || exit 1
real_compare "summary.peak_rss vs time -v maximum resident set size (KiB)" \
	"$(real_get "$TMP/t" '.sections.summary.peak_rss / 1024 | floor')" \
	"$(time_v "$TMP/time" 'Maximum resident set size (kbytes)')" 5%
test_done
