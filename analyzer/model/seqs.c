/* Seqs in 4 bytes while they fit; see seqs.h. */
#include "model/seqs.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void fl_seqs_widen(struct fl_seqs *s)
{
	uint64_t *w;
	if (s->wide)
		return;
	w = fl_xmalloc((s->cap ? s->cap : 1) * sizeof(*w));
	for (size_t i = 0; i < s->n; i++)
		w[i] = s->base + s->off[i];
	free(s->off);
	s->off = NULL;
	s->wide = w;
}

/* Like model/push.h: the capacity doubles, only the slots used are touched. */
void fl_seqs_reserve(struct fl_seqs *s, size_t n)
{
	if (n >= s->cap) {
		size_t c = s->cap ? s->cap : 16;
		while (c <= n)
			c *= 2;
		if (s->wide)
			s->wide = fl_xrealloc(s->wide, c * sizeof(*s->wide));
		else
			s->off = fl_xrealloc(s->off, c * sizeof(*s->off));
		s->cap = c;
	}
	for (; s->n <= n; s->n++)
		if (s->wide)
			s->wide[s->n] = 0;
		else
			s->off[s->n] = 0;
}

void fl_seqs_move(struct fl_seqs *s, size_t dst, size_t src, size_t cnt)
{
	if (s->wide)
		memmove(s->wide + dst, s->wide + src, cnt * sizeof(*s->wide));
	else
		memmove(s->off + dst, s->off + src, cnt * sizeof(*s->off));
}

void fl_seqs_release(struct fl_seqs *s)
{
	free(s->off);
	free(s->wide);
	memset(s, 0, sizeof(*s));
}
