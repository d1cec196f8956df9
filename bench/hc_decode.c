/*
 * The range decoder of version 4's "hc" lines alone (faultline/hccoded.h),
 * timed apart from the reader and the model it feeds: how much of
 * `report --section heap` the decoding is. Reads a trace's NDJSON on stdin,
 * keeps the coded lines' bytes, then decodes them all ROUNDS times and
 * prints the best round:
 *   zstdcat DIR/PID.ndjson.zst | build/bench/hc_decode [ROUNDS]
 * A line with "n":0 starts an epoch (fresh models), as in the reader; a
 * trace whose threads' lines interleave is timed as if one stream (fine
 * for bench/malloc_bench, one thread). Exits 1 on a line it cannot decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faultline/hccoded.h"

struct coded {
	uint8_t *bytes;
	size_t n, letters;
	int epoch; /* "n":0: the models start afresh */
};

static int b64(int c)
{
	const char *p = c ? strchr(fl_hc_b64, c) : NULL;
	return p ? (int)(p - fl_hc_b64) : -1;
}

/* The string after "key":" up to its quote, decoded; 0 or -1. */
static int take(const char *line, struct coded *c)
{
	const char *r = strstr(line, "\"r\":\""), *m = strstr(line, "\"m\":");
	size_t len, o = 0;
	uint32_t acc = 0;
	if (!r || !m)
		return -1;
	r += 5;
	len = strcspn(r, "\"");
	c->letters = strtoull(m + 4, NULL, 10);
	c->epoch = strstr(line, "\"n\":0,") != NULL;
	c->bytes = malloc(len);
	if (!c->bytes)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64(r[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			c->bytes[o++] = (uint8_t)(acc >> 16);
			c->bytes[o++] = (uint8_t)(acc >> 8);
			c->bytes[o++] = (uint8_t)acc;
		}
	}
	if (len % 4 == 2) {
		c->bytes[o++] = (uint8_t)(acc >> 4);
	} else if (len % 4 == 3) {
		c->bytes[o++] = (uint8_t)(acc >> 10);
		c->bytes[o++] = (uint8_t)(acc >> 2);
	}
	c->n = o;
	return 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static struct fl_hc_models models;
	static char line[1 << 20];
	struct coded *lines = NULL;
	size_t nlines = 0, cap = 0, tokens = 0, bytes = 0;
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	double best = 1e30;
	uint64_t sum = 0;
	while (fgets(line, sizeof(line), stdin)) {
		if (!strstr(line, "\"e\":\"hc\"") || !strstr(line, "\"r\":\""))
			continue;
		if (nlines == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				return 1;
		}
		if (take(line, &lines[nlines]) < 0) {
			fprintf(stderr, "hc_decode: coded line %zu unreadable\n", nlines + 1);
			return 1;
		}
		tokens += lines[nlines].letters;
		bytes += lines[nlines].n;
		nlines++;
	}
	for (int r = 0; r < rounds; r++) {
		double t = now();
		for (size_t i = 0; i < nlines; i++) {
			struct fl_rc_dec d;
			unsigned ctx = FL_HC_NLETTERS;
			if (lines[i].epoch || i == 0)
				fl_hc_models_init(&models);
			if (fl_rc_dec_init(&d, lines[i].bytes, lines[i].n) < 0)
				goto bad;
			for (size_t j = 0; j < lines[i].letters; j++) {
				uint64_t nums[3] = {0};
				unsigned l;
				if (fl_hc_dec_token(&d, &models, &ctx, &l, nums) < 0)
					goto bad;
				sum += l + nums[0];
			}
			if (!fl_rc_dec_finished(&d))
				goto bad;
		}
		t = now() - t;
		best = t < best ? t : best;
	}
	printf("%zu coded lines, %zu letters, %zu bytes: %.1f ms to decode (best of %d), "
	       "%.1f ns a letter (checksum %llu)\n",
	       nlines, tokens, bytes, best * 1e3, rounds, tokens ? best * 1e9 / (double)tokens : 0,
	       (unsigned long long)sum);
	return 0;
bad:
	fprintf(stderr, "hc_decode: a coded line no encoder wrote\n");
	return 1;
}
