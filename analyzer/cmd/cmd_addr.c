/*
 * faultline addr: what the MMU does with a virtual address on x86-64 (is it
 * canonical, which half, the page-table indices), and, given a trace, what
 * the address was in that run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/diag.h"
#include "model/model.h"
#include "reports/report.h"
#include "model/symbols.h"

const char cmd_addr_usage[] =
    "usage: faultline addr ADDRESS [--trace TRACE [--pid N] [--time NS]] [--no-symbols]\n\n"
    "Decodes an x86-64 virtual address: canonical or not (48-bit, and 57-bit with LA57),\n"
    "user or kernel half, the PGD/PUD/PMD/PTE indices and the page offset. With --trace,\n"
    "also what the address was in that run: its mapping and, for heap memory, the\n"
    "allocation and its stack. --time is in ns since the process's trace start\n"
    "(default: the end of the run).\n";

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
		b->addr, b->size, a - b->addr, fl_fn_name(b->fn),
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

static int in_trace(uint64_t a, const char *trace, int32_t pid, int64_t when,
		    const struct fl_report_opts *o, FILE *f)
{
	struct fl_model m;
	int found = 0;
	if (fl_model_load(&m, trace) < 0) {
		fl_model_release(&m);
		return 1;
	}
	for (size_t i = 0; i < m.nprocs; i++) {
		const struct fl_proc *p = m.procs[i];
		uint64_t t = when >= 0 ? (uint64_t)when : p->end_t;
		struct fl_vma v;
		struct latest l = {t, NULL};
		if (pid >= 0 && p->pid != pid)
			continue;
		if (fl_proc_vma_at(p, a, t, &v) < 0)
			continue;
		found = 1;
		fprintf(f, "\nprocess %s (%s) at %" PRIu64 " ns:\n", p->key, p->exe ? p->exe : "?",
			t);
		fprintf(f,
			"  mapping 0x%" PRIx64 "-0x%" PRIx64 " %s %s, offset 0x%" PRIx64
			" in it%s%s\n",
			v.start, v.end, v.perms, fl_vma_kind_name(v.kind), a - v.start,
			v.path && *v.path ? ": " : "", v.path ? v.path : "");
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
		fprintf(f, "\nnot mapped in %s%s\n", pid >= 0 ? "that process of " : "", trace);
	fl_model_release(&m);
	return m.nerrors ? 1 : 0;
}

int cmd_addr(int argc, char **argv)
{
	const char *addr = NULL, *trace = NULL;
	int32_t pid = -1;
	int64_t when = -1;
	int nosym = 0, status = 0;
	uint64_t a;
	char *end;
	struct fl_report_opts o;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace") && i + 1 < argc)
			trace = argv[++i];
		else if (!strcmp(argv[i], "--pid") && i + 1 < argc)
			pid = (int32_t)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			when = strtoll(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--no-symbols"))
			nosym = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			fl_usage("unknown option '%s'; see 'faultline addr --help'", argv[i]);
		else if (addr)
			fl_usage("one address at a time");
		else
			addr = argv[i];
	}
	if (!addr)
		fl_usage("which address? see 'faultline addr --help'");
	a = strtoull(addr, &end, 0);
	if (!*addr || *end)
		fl_usage("'%s' is not an address (use 0x... or a decimal number)", addr);
	decode(a, stdout);
	if (trace) {
		fl_report_opts_init(&o);
		o.syms = nosym ? NULL : fl_symbols_new(0);
		status = in_trace(a, trace, pid, when, &o, stdout);
		fl_symbols_free(o.syms);
	}
	return status;
}
