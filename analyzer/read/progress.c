/*
 * Why a delay: most analyses finish in well under a second, and a line that
 * flashes and disappears is noise. Why \r and not a newline per update: the
 * line must not scroll the terminal or end up in a log.
 */
#include "read/progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fmt.h"

#define DELAY 1.0
#define REDRAW 0.1

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fl_progress_init_to(struct fl_progress *p, const char *what, uint64_t total, FILE *out,
			 double (*now)(void))
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->out = out;
	p->now = now ? now : mono;
	p->start = p->now();
	p->last = p->start;
}

void fl_progress_init(struct fl_progress *p, const char *what, uint64_t total)
{
	const char *env = getenv("FAULTLINE_PROGRESS");
	int on = isatty(STDERR_FILENO);
	if (env && *env)
		on = strcmp(env, "0") != 0;
	fl_progress_init_to(p, what, total, on ? stderr : NULL, NULL);
}

static void draw(struct fl_progress *p)
{
	char a[32], b[32];
	fl_fmt_bytes(a, sizeof(a), (double)p->done);
	if (p->total) {
		uint64_t done = p->done < p->total ? p->done : p->total;
		fl_fmt_bytes(b, sizeof(b), (double)p->total);
		fprintf(p->out, "\rfaultline: %s: %3d%% (%s of %s)\033[K", p->what,
			(int)(100.0 * (double)done / (double)p->total), a, b);
	} else {
		fprintf(p->out, "\rfaultline: %s: %s\033[K", p->what, a);
	}
	fflush(p->out);
	p->shown = 1;
}

void fl_progress_update(struct fl_progress *p, uint64_t done)
{
	double t;
	p->done = done;
	if (!p->out)
		return;
	t = p->now();
	if (t - p->start < DELAY || (p->shown && t - p->last < REDRAW))
		return;
	p->last = t;
	draw(p);
}

void fl_progress_done(struct fl_progress *p)
{
	if (p->out && p->shown) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->shown = 0;
}
