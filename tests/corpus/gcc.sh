# gcc: compile and link a program at -O2 (cc1, as and ld are children).
case_setup() {
	command -v gcc >/dev/null || skip_all "no gcc"
	cat >"$SRC/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char name[24]; };
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(void)
{
	struct node *head = NULL;
	char *names[1000];
	for (int i = 0; i < 1000; i++) {
		struct node *n = malloc(sizeof(*n));
		snprintf(n->name, sizeof(n->name), "n%07d", (i * 7919) % 1000);
		n->next = head;
		head = n;
		names[i] = n->name;
	}
	qsort(names, 1000, sizeof(names[0]), cmp);
	printf("%s %s\n", names[0], names[999]);
	return 0;
}
C
}
case_run() {
	$RUN gcc -O2 -Wall -o prog "$SRC/prog.c" && ./prog
}
