/* The address-range map: overlapping ranges, every hit, none outside. */
#include <stdlib.h>

#include "check.h"
#include "model/interval.h"

static int count_hit(const struct fl_interval *iv, void *ctx)
{
	(void)iv;
	(*(int *)ctx)++;
	return 0;
}

/* Brute force against the map on random ranges. */
static void random_against_brute(void)
{
	struct fl_imap m;
	enum { N = 2000 };
	static uint64_t s[N], e[N];
	int bad = 0;
	srand(42);
	fl_imap_init(&m);
	for (int i = 0; i < N; i++) {
		s[i] = (uint64_t)(rand() % 100000);
		e[i] = s[i] + 1 + (uint64_t)(rand() % (i % 50 == 0 ? 20000 : 100));
		fl_imap_add(&m, s[i], e[i], (uint64_t)i);
	}
	fl_imap_build(&m);
	for (uint64_t a = 0; a < 121000; a += 7) {
		int want = 0, got = 0;
		for (int i = 0; i < N; i++)
			want += s[i] <= a && a < e[i];
		fl_imap_each(&m, a, count_hit, &got);
		bad += want != got;
		if (want && !fl_imap_find(&m, a))
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	fl_imap_release(&m);
}

int main(void)
{
	struct fl_imap m;
	const struct fl_interval *iv;
	fl_imap_init(&m);
	CHECK(fl_imap_find(&m, 5) == NULL);
	fl_imap_add(&m, 0x2000, 0x3000, 2);
	fl_imap_add(&m, 0x1000, 0x2000, 1);
	fl_imap_add(&m, 0x1800, 0x1800, 9); /* empty: ignored */
	fl_imap_add(&m, 0x0, 0x10000, 7);   /* encloses both */
	fl_imap_build(&m);
	CHECK_EQ_U64(m.n, 3);
	iv = fl_imap_find(&m, 0x1fff);
	CHECK(iv && iv->val == 1);
	iv = fl_imap_find(&m, 0x2000);
	CHECK(iv && iv->val == 2);
	iv = fl_imap_find(&m, 0x3000);
	CHECK(iv && iv->val == 7);
	CHECK(fl_imap_find(&m, 0x10000) == NULL);
	{
		int n = 0;
		fl_imap_each(&m, 0x2800, count_hit, &n);
		CHECK_EQ_U64(n, 2);
	}
	fl_imap_release(&m);
	random_against_brute();
	return check_result();
}
