/*
 * faultline addr: what the MMU does with a virtual address on x86-64 (is it
 * canonical, which half, the page-table indices), and, given a trace, what
 * the address was in that run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "model/model.h"
#include "reports/report.h"
#include "model/symbols.h"
#include "util/text.h"

const char cmd_addr_usage[] =
    "usage: faultline addr ADDRESS [--trace TRACE [--pid ID] [--time NS]] [--no-symbols]\n\n"
    "Decodes an x86-64 virtual address: canonical or not (48-bit, and 57-bit with LA57),\n"
    "user or kernel half, the PGD/PUD/PMD/PTE indices and the page offset. With --trace,\n"
    "also what the address was in that run: its mapping and, for heap memory, the\n"
    "allocation and its stack. --time is in ns since the process's trace start\n"
    "(default: the end of the run). --pid takes a pid or one image as the report\n"
    "names it (1234.2).\n";

enum { OPT_TRACE = 1, OPT_PID, OPT_TIME, OPT_NO_SYMBOLS };

static const struct fl_option addr_options[] = {
    {OPT_TRACE, "trace", 0, FL_OPT_STRING, NULL},
    {OPT_PID, "pid", 0, FL_OPT_STRING, NULL},
    {OPT_TIME, "time", 0, FL_OPT_INT, NULL},
    {OPT_NO_SYMBOLS, "no-symbols", 0, FL_OPT_FLAG, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

static int canonical(uint64_t a, int bits)
{
	uint64_t top = a >> (bits - 1); /* bits 63..bits-1 */
	return top == 0 || top == (UINT64_MAX >> (bits - 1));
}

static void decode(uint64_t a, FILE *f)
{
	int c48 = canonical(a, 48), c57 = canonical(a, 57);
	fprintf(f, "address      0x%016" PRIx64 "\n", a);
	if (c48)
		fprintf(f, "canonical    yes (48-bit: bits 63..47 all %d)\n", (int)(a >> 63));
	else
		fprintf(f,
			"canonical    no with 4-level paging: bits 63..47 must all equal bit 47, "
			"or the CPU raises #GP%s\n",
			c57 ? "; canonical with 5-level paging (LA57, 57-bit)" : "; nor with LA57");
	if (c48 || c57)
		fprintf(f, "half         %s%s\n",
			a >> 63 ? "kernel (upper half: no user access, SIGSEGV from user mode)"
				: "user (lower half)",
			c48 ? "" : ", with LA57 only");
	fprintf(f, "PGD index    %3u   (bits 47..39)\n", (unsigned)((a >> 39) & 511));
	fprintf(f, "PUD index    %3u   (bits 38..30)\n", (unsigned)((a >> 30) & 511));
	fprintf(f, "PMD index    %3u   (bits 29..21)\n", (unsigned)((a >> 21) & 511));
	fprintf(f, "PTE index    %3u   (bits 20..12)\n", (unsigned)((a >> 12) & 511));
	fprintf(
	    f, "page offset  0x%03x (bits 11..0; in a 2 MiB page 0x%06x, in a 1 GiB page 0x%08x)\n",
	    (unsigned)(a & 4095), (unsigned)(a & 0x1fffff), (unsigned)(a & 0x3fffffff));
	fprintf(f,
		"with LA57    PGD index %u (bits 56..48), then P4D index %u (bits 47..39), "
		"then PUD, PMD, PTE as above\n",
		(unsigned)((a >> 48) & 511), (unsigned)((a >> 39) & 511));
}

struct latest {
	uint64_t t;
	const struct fl_block *b;
};

static int pick_latest(const struct fl_block *b, void *ctx)
{
	struct latest *l = ctx;
	if (b->t_alloc <= l->t && (!l->b || b->t_alloc > l->b->t_alloc))
		l->b = b;
	return 0;
}

static void print_block(const struct fl_proc *p, const struct fl_block *b, uint64_t a,
			const struct fl_report_opts *o, FILE *f)
{
	const struct fl_stack *st = fl_proc_stack(p, b->stack);
	char b1[32], b2[32];
	fprintf(f, "  allocation 0x%" PRIx64 " + %" PRIu64 " (offset %" PRIu64 ") by %s at %s",
		b->addr, fl_block_size(p, b), a - b->addr, fl_fn_name(fl_block_fn(b)),
		fl_fmt_ns(b1, sizeof(b1), (double)b->t_alloc));
	if (b->t_free == FL_T_NEVER)
		fprintf(f, ", never freed\n");
	else
		fprintf(f, ", freed at %s\n", fl_fmt_ns(b2, sizeof(b2), (double)b->t_free));
	for (uint32_t first = fl_symbols_first_frame(p, st, b->t_alloc), i = first;
	     st && i < st->nframes && i - first < 16; i++) {
		struct fl_sym sym;
		char buf[512];
		fl_symbols_lookup(o->syms, p, st->frames[i], b->t_alloc, 1, &sym);
		fprintf(f, "    #%-2u %s\n", i - first,
			fl_symbols_format(&sym, st->frames[i], buf, sizeof(buf)));
	}
}

/*
 * Without --time, the end of the run; but memory freed or unmapped before the
 * end was still that address's mapping earlier: then the last time it was
 * (its latest block's allocation, else the last snapshot holding it).
 */
static int last_mapped(const struct fl_proc *p, uint64_t a, uint64_t *t, struct fl_vma *v)
{
	struct latest l = {UINT64_MAX, NULL};
	if (fl_proc_vma_at(p, a, *t, v) == 0)
		return 0;
	fl_proc_blocks_each(p, a, pick_latest, &l);
	if (l.b && fl_proc_vma_at(p, a, l.b->t_alloc, v) == 0) {
		*t = l.b->t_alloc;
		return 0;
	}
	for (size_t i = p->nmaps; i-- > 0;)
		if (fl_proc_vma_at(p, a, p->maps[i].t, v) == 0) {
			*t = p->maps[i].t;
			return 0;
		}
	return -1;
}

static int in_trace(uint64_t a, const char *trace, int64_t when, const struct fl_report_opts *o,
		    FILE *f)
{
	struct fl_model m;
	int found = 0;
	/* only the blocks at a are asked about: the others go as the load
	 * reads their frees (a trace's length of blocks took 1 GB for 10M) */
	fl_model_fold_but_addr = a;
	if (fl_model_load(&m, trace) < 0) {
		fl_model_release(&m);
		return 1;
	}
	for (size_t i = 0; i < m.nprocs; i++) {
		const struct fl_proc *p = m.procs[i];
		uint64_t t = when >= 0 ? (uint64_t)when : p->end_t;
		struct fl_vma v;
		struct latest l;
		if (!fl_report_selected(o, p))
			continue;
		if (when >= 0 ? fl_proc_vma_at(p, a, t, &v) < 0 : last_mapped(p, a, &t, &v) < 0)
			continue;
		found = 1;
		fprintf(f, "\nprocess %s (%s) at %" PRIu64 " ns:\n", p->key, p->exe ? p->exe : "?",
			t);
		fprintf(f,
			"  mapping 0x%" PRIx64 "-0x%" PRIx64 " %s %s, offset 0x%" PRIx64
			" in it%s%s\n",
			v.start, v.end, v.perms, fl_vma_kind_name(v.kind), a - v.start,
			v.path && *v.path ? ": " : "", v.path ? v.path : "");
		l = (struct latest){t, NULL};
		fl_proc_blocks_each(p, a, pick_latest, &l);
		if (l.b)
			print_block(p, l.b, a, o, f);
		else if (v.path && v.path[0] == '/') {
			struct fl_sym sym;
			char buf[512];
			fl_symbols_lookup(o->syms, p, a, t, 0, &sym);
			fprintf(f, "  %s\n", fl_symbols_format(&sym, a, buf, sizeof(buf)));
		}
	}
	if (!found)
		fprintf(f, "\nnot mapped in %s%s\n", o->pid >= 0 ? "that process of " : "", trace);
	fl_model_release(&m);
	return m.nerrors ? 1 : 0;
}

/*
 * The trace's part of the answer names the run's executable, mapped files and
 * functions, all taken from the trace: written through the text escaper, as
 * the report is, so that a name cannot drive the terminal.
 */
static int in_trace_safe(uint64_t a, const char *trace, int64_t when,
			 const struct fl_report_opts *o, FILE *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int status;
	if (!mem)
		fl_die("cannot buffer the output: %s", strerror(errno));
	status = in_trace(a, trace, when, o, mem);
	if (fclose(mem) != 0)
		fl_die("cannot buffer the output: %s", strerror(errno));
	fl_text_write_safe(f, text, len, 1);
	free(text);
	return status;
}

int cmd_addr(int argc, char **argv)
{
	const char *addr = NULL, *trace = NULL;
	int64_t when = -1;
	int nosym = 0, status = 0, id;
	uint64_t a;
	char *end;
	struct fl_report_opts o;
	struct fl_opts p;
	struct fl_opt_value v;

	fl_report_opts_init(&o);
	fl_opts_init(&p, "addr", cmd_addr_usage, addr_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		if (id == OPT_TRACE)
			trace = v.str;
		else if (id == OPT_PID)
			fl_opt_pid("--pid", v.str, &o.pid, &o.image);
		else if (id == OPT_TIME)
			when = v.num > INT64_MAX ? INT64_MAX : (int64_t)v.num;
		else if (id == OPT_NO_SYMBOLS)
			nosym = 1;
		else if (addr)
			fl_usage("one address at a time");
		else
			addr = v.str;
	}
	if (!addr)
		fl_usage("which address? see 'faultline addr --help'");
	a = strtoull(addr, &end, 0);
	if (!*addr || *end)
		fl_usage("'%s' is not an address (use 0x... or a decimal number)", addr);
	decode(a, stdout);
	if (trace) {
		o.syms = nosym ? NULL : fl_symbols_new(0);
		status = in_trace_safe(a, trace, when, &o, stdout);
		fl_symbols_free(o.syms);
	}
	return status;
}
