/*
 * The model on a hand-written trace: frees written before their allocs,
 * a realloc in place, mappings made and unmapped between snapshots, the
 * shim's own memory, exec and fork links.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/heap_fold.h"
#include "model/model.h"
#include "check.h"

static char dir[] = "/tmp/fl_t_model.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

#define H(pid, kind, start)                                                                        \
	"{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":" #pid                                          \
	",\"ppid\":1,\"parent\":{\"pid\":100,\"kind\":\"" kind                                     \
	"\"},\"exe\":\"/bin/x\",\"argv\":[\"x\"],\"start_realtime_ns\":" #start                    \
	",\"page_size\":4096,\"options\":{\"sample\":524288}}\n"

static const char p100[] = H(
    100, "none",
    1000000000) "{\"e\":\"maps\",\"t\":10,\"seq\":1,\"why\":\"start\",\"vmas\":["
		"[\"0x400000\",\"0x401000\",\"r-xp\",\"0x0\",5,\"/bin/x\"],"
		"[\"0x1000000\",\"0x1100000\",\"rw-p\",\"0x0\",0,\"[heap]\"],"
		"[\"0x7f0000000000\",\"0x7f0000100000\",\"rw-p\",\"0x0\",0,\"\"],"
		"[\"0x7ffffffde000\",\"0x7ffffffff000\",\"rw-p\",\"0x0\",0,\"[stack]\"]],"
		"\"shim\":[[\"0x7f0000080000\",\"0x7f00000a0000\"]]}\n"
		"{\"e\":\"stack\",\"t\":20,\"seq\":2,\"id\":1,\"frames\":[\"0x400100\","
		"\"0x400200\"]}\n"
		"{\"e\":\"free\",\"t\":50,\"seq\":5,\"tid\":100,\"addr\":\"0x1000010\",\"size\":32}"
		"\n"
		"{\"e\":\"alloc\",\"t\":30,\"seq\":3,\"tid\":100,\"fn\":\"calloc\",\"addr\":"
		"\"0x1000010\",\"size\":32,\"stack\":1,\"weight\":32}\n"
		"{\"e\":\"alloc\",\"t\":40,\"seq\":4,\"tid\":101,\"fn\":\"malloc\",\"addr\":"
		"\"0x1000100\",\"size\":64,\"stack\":1,\"weight\":524288}\n"
		"{\"e\":\"realloc\",\"t\":60,\"seq\":6,\"tid\":100,\"fn\":\"realloc\",\"old_addr\":"
		"\"0x1000100\",\"addr\":\"0x1000100\",\"size\":128,\"stack\":1,\"weight\":128}\n"
		"{\"e\":\"mmap\",\"t\":70,\"seq\":7,\"tid\":100,\"addr\":\"0x0\",\"size\":8192,"
		"\"prot\":3,\"flags\":34,\"fd\":-1,\"offset\":0,\"result\":\"0x7e0000000000\","
		"\"errno\":0,\"stack\":1}\n"
		"{\"e\":\"mmap\",\"t\":75,\"seq\":8,\"tid\":100,\"addr\":\"0x0\",\"size\":4096,"
		"\"prot\":1,\"flags\":2,\"fd\":3,\"offset\":4096,\"result\":\"0x7d0000000000\","
		"\"errno\":0,\"stack\":1,\"path\":\"/data/f\"}\n"
		"{\"e\":\"munmap\",\"t\":80,\"seq\":9,\"tid\":100,\"addr\":\"0x7e0000000000\","
		"\"size\":8192,\"result\":0,\"errno\":0,\"stack\":1}\n"
		"{\"e\":\"counters\",\"t\":100,\"seq\":10,\"minflt\":7,\"majflt\":null,\"ru_"
		"minflt\":9,\"ru_majflt\":0,\"rss_anon\":4096,\"rss_file\":0,\"rss_shmem\":0,"
		"\"vsz\":1048576}\n"
		"{\"e\":\"fork\",\"t\":110,\"seq\":11,\"tid\":100,\"child\":101,\"kind\":\"fork\"}"
		"\n"
		"{\"e\":\"exit\",\"t\":200,\"seq\":12,\"how\":\"exec\",\"status\":-1,\"signal\":0}"
		"\n";

static void check_blocks(const struct fl_proc *p)
{
	const struct fl_block *b;
	CHECK_EQ_U64(p->nblocks, 3);
	if (p->nblocks != 3)
		return;
	CHECK(p->blocks[0].addr == 0x1000010 && p->blocks[0].t_alloc == 30 &&
	      p->blocks[0].t_free == 50 && fl_block_freed_by(&p->blocks[0]) == FL_FN_FREE &&
	      fl_block_fn(&p->blocks[0]) == FL_FN_CALLOC);
	CHECK(fl_block_size(p, &p->blocks[1]) == 64 &&
	      fl_block_weight(p, &p->blocks[1]) == 524288 && p->blocks[1].t_free == 60 &&
	      fl_block_freed_by(&p->blocks[1]) == FL_FN_REALLOC &&
	      fl_block_tid(p, &p->blocks[1]) == 101);
	CHECK(fl_block_size(p, &p->blocks[2]) == 128 && p->blocks[2].t_free == FL_T_NEVER &&
	      fl_block_fn(&p->blocks[2]) == FL_FN_REALLOC);
	b = fl_proc_block_at(p, 0x1000110, 45);
	CHECK(b == &p->blocks[1]);
	b = fl_proc_block_at(p, 0x1000170, 65);
	CHECK(b == &p->blocks[2]);
	CHECK(fl_proc_block_at(p, 0x1000170, 45) == NULL); /* beyond the 64-byte block */
	CHECK(fl_proc_block_at(p, 0x1000010, 55) == NULL);
	CHECK(fl_proc_block_at(p, 0x1000010, 35) == &p->blocks[0]);
}

/* The fold keeps the site figures and the live block, and drops the freed ones. */
static void check_fold(struct fl_proc *p)
{
	size_t n;
	struct fl_heap_site *before = fl_heap_sites_of_blocks(p, &n);
	CHECK_EQ_U64(n, 1);
	CHECK(before && before[0].stack == 1 && before[0].samples == 3 && before[0].t == 30);
	fl_proc_heap_fold(p);
	fl_proc_heap_fold(p); /* idempotent */
	CHECK(p->heap_folded && p->nblocks_recorded == 3 && p->heap_t_first == 30);
	CHECK_EQ_U64(p->nblocks, 1);
	CHECK(p->nblocks == 1 && fl_block_size(p, &p->blocks[0]) == 128 &&
	      p->blocks[0].t_free == FL_T_NEVER);
	CHECK_EQ_U64(p->nheap_sites, n);
	CHECK(p->nheap_sites == n && !memcmp(p->heap_sites, before, n * sizeof(*before)));
	CHECK_EQ_U64(p->nlarge_blocks, 0); /* all under the default 64 KiB */
	CHECK(fl_proc_block_at(p, 0x1000170, 65) == &p->blocks[0]);
	CHECK(fl_proc_block_at(p, 0x1000110, 45) == NULL); /* freed: folded away */
	free(before);
}

static void check_vmas(const struct fl_proc *p)
{
	struct fl_vma v;
	CHECK(fl_proc_vma_at(p, 0x400123, 20, &v) == 0 && v.kind == FL_VMA_FILE &&
	      !strcmp(v.path, "/bin/x") && !strcmp(v.perms, "r-xp"));
	CHECK(fl_proc_vma_at(p, 0x1000000, 5, &v) == 0 && v.kind == FL_VMA_HEAP);
	CHECK(fl_proc_vma_at(p, 0x7f0000090000, 20, &v) == 0 && v.kind == FL_VMA_SHIM);
	CHECK(fl_proc_vma_at(p, 0x7f0000010000, 20, &v) == 0 && v.kind == FL_VMA_ANON);
	CHECK(fl_proc_vma_at(p, 0x7ffffffff000 - 8, 20, &v) == 0 && v.kind == FL_VMA_STACK);
	CHECK(fl_proc_vma_at(p, 0x7e0000001000, 72, &v) == 0 && v.kind == FL_VMA_ANON &&
	      v.start == 0x7e0000000000 && v.end == 0x7e0000002000);
	CHECK(fl_proc_vma_at(p, 0x7e0000001000, 90, &v) < 0);
	CHECK(fl_proc_vma_at(p, 0x7d0000000000, 76, &v) == 0 && v.kind == FL_VMA_FILE &&
	      !strcmp(v.path, "/data/f") && v.offset == 4096);
	CHECK(fl_proc_vma_at(p, 0x10, 20, &v) < 0);
	CHECK_EQ_U64(p->maps[0].shim_bytes, 0x20000);
}

/* ---- the reader's fast path and jansson build the same model ---- */

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void compare_procs(const struct fl_proc *a, const struct fl_proc *b)
{
	CHECK_EQ_U64(a->nevents, b->nevents);
	CHECK_EQ_U64(a->nerrors, b->nerrors);
	CHECK_EQ_U64(a->nblocks, b->nblocks);
	for (size_t i = 0; i < a->nblocks && a->nblocks == b->nblocks; i++) {
		const struct fl_block *x = &a->blocks[i], *y = &b->blocks[i];
		CHECK(x->addr == y->addr && fl_block_size(a, x) == fl_block_size(b, y) &&
		      fl_block_weight(a, x) == fl_block_weight(b, y) && x->t_alloc == y->t_alloc &&
		      x->t_free == y->t_free && x->stack == y->stack &&
		      fl_block_tid(a, x) == fl_block_tid(b, y) &&
		      fl_block_fn(x) == fl_block_fn(y) &&
		      fl_block_freed_by(x) == fl_block_freed_by(y));
	}
	CHECK_EQ_U64(a->nfaults, b->nfaults);
	for (size_t i = 0; i < a->nfaults && a->nfaults == b->nfaults; i++)
		CHECK(a->faults[i].addr == b->faults[i].addr &&
		      a->faults[i].ip == b->faults[i].ip && a->faults[i].t == b->faults[i].t &&
		      a->faults[i].tid == b->faults[i].tid &&
		      a->faults[i].major == b->faults[i].major);
	CHECK(a->faults_period == b->faults_period && a->faults_lost == b->faults_lost);
	CHECK_EQ_U64(a->ncounters, b->ncounters);
	if (a->ncounters == b->ncounters) {
		struct fl_counters_cursor ka, kb;
		const struct fl_counters *ca, *cb;
		fl_counters_begin(&ka, &a->counters);
		fl_counters_begin(&kb, &b->counters);
		while ((ca = fl_counters_next(&ka)) != NULL && (cb = fl_counters_next(&kb)) != NULL)
			CHECK(!memcmp(ca, cb, sizeof(*ca)));
	}
	CHECK_EQ_U64(a->nresidency, b->nresidency);
	struct fl_residency_cursor ra, rb;
	const struct fl_residency *rx, *ry;
	fl_residency_begin(&ra, &a->residency);
	fl_residency_begin(&rb, &b->residency);
	while (a->nresidency == b->nresidency && (rx = fl_residency_next(&ra)) != NULL &&
	       (ry = fl_residency_next(&rb)) != NULL) {
		CHECK(rx->t == ry->t && same_str(rx->method, ry->method) &&
		      rx->nregions == ry->nregions);
		for (size_t j = 0; j < rx->nregions && rx->nregions == ry->nregions; j++)
			CHECK(!memcmp(&rx->regions[j], &ry->regions[j], sizeof(rx->regions[j])));
	}
	fl_residency_end(&ra);
	fl_residency_end(&rb);
	CHECK_EQ_U64(a->nio, b->nio);
	struct fl_io_cursor ka, kb;
	const struct fl_io *x, *y;
	fl_io_begin(&ka, &a->io);
	fl_io_begin(&kb, &b->io);
	while (a->nio == b->nio && (x = fl_io_next(&ka)) != NULL && (y = fl_io_next(&kb)) != NULL) {
		CHECK(x->t == y->t && x->nfds == y->nfds);
		for (size_t j = 0; j < x->nfds && x->nfds == y->nfds; j++)
			CHECK(x->fds[j].fd == y->fds[j].fd &&
			      same_str(x->fds[j].path, y->fds[j].path) &&
			      x->fds[j].calls == y->fds[j].calls &&
			      x->fds[j].bytes == y->fds[j].bytes);
	}
	fl_io_end(&ka);
	fl_io_end(&kb);
}

/* Well-formed lines of every fast kind, and near misses the fast path must hand to jansson. */
static const char *const fast_lines[] = {
    "{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"tid\":7,\"fn\":\"malloc\",\"addr\":\"0x%x\",\"size\":"
    "24,\"stack\":1,\"weight\":%d}",
    "{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"tid\":7,\"addr\":\"0x%x\",\"size\":%d}",
    "{\"e\":\"realloc\",\"t\":%d,\"seq\":%d,\"tid\":7,\"fn\":\"realloc\",\"old_addr\":\"0x%x\","
    "\"addr\":\"0x1100000\",\"size\":%d,\"old_size\":8,\"stack\":1,\"weight\":8}",
    "{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"period\":1,\"lost\":0,\"samples\":[[\"0x%x\","
    "\"0x400100\",7,%d,0],[\"0x1001000\",\"0x400100\",7,5,1]]}",
    "{\"e\":\"counters\",\"t\":%d,\"seq\":%d,\"minflt\":%d,\"majflt\":null,\"rss_anon\":%d,\"dtlb_"
    "load_misses\":null}",
    "{\"e\":\"residency\",\"t\":%d,\"seq\":%d,\"method\":\"pagemap\",\"regions\":[[\"0x1000000\","
    "\"0x%x\",%d,0,0,1,0,0,-1,-1,3]]}",
    "{\"e\":\"io\",\"t\":%d,\"seq\":%d,\"fds\":[[3,\"/data/%x\",%d,4096],[4,null,1,2]]}",
    "{\"e\": \"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",
    "{\"e\":\"alloc\",\"t\":%d.5,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",
    "{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"fn\":\"m\\u0061lloc\",\"addr\":\"0x%x\",\"size\":%d}",
    "{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d,\"size\":3}",
    "{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%xg\",\"size\":%d}",
    "{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[\"0x%x\",\"0x400100\",7,%d]]}",
    "{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[\"0x%x\",null,7,%d,0]]}",
    "{\"e\":\"counters\",\"t\":%d,\"seq\":%d,\"minflt\":%d,\"vsz\":-%d}",
    "{\"e\":\"io\",\"t\":%d,\"seq\":%d,\"fds\":[[3,\"/d\\u00e9j/%x\",%d,4096]]}",
};

static void fast_path_same_model(void)
{
	char path[256], *old = getenv("FAULTLINE_NO_FAST_PATH");
	struct fl_model a, b;
	unsigned seed = 5;
	FILE *f;
	snprintf(path, sizeof(path), "%s/fast/200.ndjson", dir);
	*strrchr(path, '/') = 0;
	CHECK(mkdir(path, 0700) == 0);
	strcat(path, "/200.ndjson");
	f = fopen(path, "w");
	fputs(H(200, "none", 1000000000), f);
	for (int i = 1; i <= 4000; i++) {
		int v = (int)((seed = seed * 1103515245 + 12345) >> 16) %
			(int)(sizeof(fast_lines) / sizeof(*fast_lines));
		fprintf(f, fast_lines[v], 100 + i, i, 0x1000000 + (i % 97) * 16, i * 3);
		fputc('\n', f);
	}
	fclose(f);
	*strrchr(path, '/') = 0;
	CHECK(old == NULL);
	CHECK(fl_model_load(&a, path) == 0 || a.nerrors > 0);
	setenv("FAULTLINE_NO_FAST_PATH", "1", 1);
	CHECK(fl_model_load(&b, path) == 0 || b.nerrors > 0);
	unsetenv("FAULTLINE_NO_FAST_PATH");
	CHECK_EQ_U64(a.nerrors, b.nerrors);
	CHECK(a.nerrors > 100); /* the near misses were bad lines both ways */
	CHECK_EQ_U64(a.nprocs, b.nprocs);
	if (a.nprocs == 1 && b.nprocs == 1) {
		CHECK(a.procs[0]->nblocks > 300 && a.procs[0]->nfaults > 300 &&
		      a.procs[0]->nresidency > 100 && a.procs[0]->nio > 100);
		compare_procs(a.procs[0], b.procs[0]);
	}
	fl_model_release(&a);
	fl_model_release(&b);
}

/*
 * Allocation lines written in shuffled runs of ascending seq (as thread
 * buffers flushed one after another are): the model's blocks come out in
 * seq order, each freed by the next free of its address. nruns 5 takes the
 * run merge, 200 the general sort.
 */
static void blocks_from_runs(int nruns)
{
	enum { N = 2000 };
	static int order[N], cut[N + 1];
	char path[256];
	struct fl_model m;
	unsigned seed = 9;
	FILE *f;
	int nc = 0;
	snprintf(path, sizeof(path), "%s/runs%d", dir, nruns);
	CHECK(mkdir(path, 0700) == 0);
	strcat(path, "/300.ndjson");
	f = fopen(path, "w");
	fputs(H(300, "none", 1000000000), f);
	/* Cut 1..N into nruns runs, then write the runs in a shuffled order. */
	cut[nc++] = 1;
	for (int r = 1; r < nruns; r++)
		cut[nc++] = 1 + r * (N / nruns);
	cut[nc] = N + 1;
	for (int r = 0; r < nruns; r++)
		order[r] = r;
	for (int r = nruns - 1; r > 0; r--) {
		int k = (int)((seed = seed * 1103515245 + 12345) >> 16) % (r + 1), t = order[r];
		order[r] = order[k];
		order[k] = t;
	}
	for (int r = 0; r < nruns; r++)
		for (int q = cut[order[r]]; q < cut[order[r] + 1]; q++) {
			unsigned addr = 0x1000000 + (unsigned)(q % 50) * 64;
			if (q % 3 == 0)
				fprintf(f,
					"{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"tid\":1,\"addr\":"
					"\"0x%x\",\"size\":8}\n",
					q * 10, q, addr);
			else
				fprintf(f,
					"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"tid\":1,\"fn\":"
					"\"malloc\",\"addr\":\"0x%x\",\"size\":8,\"stack\":1,"
					"\"weight\":8}\n",
					q * 10, q, addr);
		}
	fclose(f);
	*strrchr(path, '/') = 0;
	CHECK(fl_model_load(&m, path) == 0);
	CHECK_EQ_U64(m.nprocs, 1);
	if (m.nprocs == 1) {
		const struct fl_proc *p = m.procs[0];
		size_t bad = 0;
		CHECK_EQ_U64(p->nblocks, N - N / 3);
		for (size_t i = 0; i < p->nblocks; i++) {
			const struct fl_block *b = &p->blocks[i];
			int q = (int)(b->t_alloc / 10), next = q + 1;
			/* The next free of this address: seq q' > q, q' % 50 == q % 50, q' % 3 ==
			 * 0. */
			while (next <= N && (next % 50 != q % 50 || next % 3 != 0)) {
				if (next % 50 == q % 50)
					break; /* re-allocated first: freed then, unrecorded */
				next++;
			}
			bad += (i && b->t_alloc <= p->blocks[i - 1].t_alloc) ||
			       b->t_free != (next <= N ? (uint64_t)next * 10 : FL_T_NEVER);
		}
		CHECK_EQ_U64(bad, 0);
	}
	fl_model_release(&m);
}

/*
 * Many addresses allocated and freed at random, in seq order: each block's
 * free time against a brute-force replay. The replay's table of live
 * addresses drops each freed one (backward-shift deletion): a hole left
 * wrong would lose a later lookup in the same probe run.
 */
static void blocks_churn(void)
{
	enum { N = 20000, A = 3000 };
	static int live_at[A];		  /* seq of the live alloc at each address, 0 none */
	static uint64_t want_free[N + 1]; /* by alloc seq */
	char path[256];
	struct fl_model m;
	unsigned seed = 7;
	FILE *f;
	snprintf(path, sizeof(path), "%s/churn", dir);
	CHECK(mkdir(path, 0700) == 0);
	strcat(path, "/400.ndjson");
	f = fopen(path, "w");
	fputs(H(400, "none", 1000000000), f);
	for (int q = 1; q <= N; q++) {
		int a = (int)((seed = seed * 1103515245 + 12345) >> 8) % A;
		unsigned addr = 0x2000000 + (unsigned)a * 4096;
		want_free[q] = FL_T_NEVER;
		if (live_at[a]) {
			fprintf(
			    f, "{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"tid\":1,\"addr\":\"0x%x\"}\n",
			    q * 10, q, addr);
			want_free[live_at[a]] = (uint64_t)q * 10;
			live_at[a] = 0;
		} else {
			fprintf(f,
				"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"tid\":1,\"fn\":\"malloc\","
				"\"addr\":\"0x%x\",\"size\":8,\"stack\":1,\"weight\":8}\n",
				q * 10, q, addr);
			live_at[a] = q;
		}
	}
	fclose(f);
	*strrchr(path, '/') = 0;
	CHECK(fl_model_load(&m, path) == 0);
	if (m.nprocs == 1) {
		const struct fl_proc *p = m.procs[0];
		size_t bad = 0;
		for (size_t i = 0; i < p->nblocks; i++)
			bad += p->blocks[i].t_free != want_free[p->blocks[i].t_alloc / 10];
		CHECK(p->nblocks > N / 3);
		CHECK_EQ_U64(bad, 0);
	}
	fl_model_release(&m);
}

int main(void)
{
	struct fl_model m;
	const struct fl_proc *p, *c, *x;
	const struct fl_stack *st;
	struct fl_proc *found[4];
	fl_model_keep_samples = 1; /* the fast and slow paths' samples are compared one by one */
	if (!mkdtemp(dir))
		return 1;
	put("100.ndjson", p100);
	put("101.ndjson", H(101, "fork", 1000000200) "{\"e\":\"exit\",\"t\":5,\"seq\":1,\"how\":"
						     "\"signal\",\"status\":-1,\"signal\":9}\n");
	/* An exec image whose header does not say so: linked by the pid and the exec exit. */
	put("100.1.ndjson", H(100, "none", 1000000300));
	CHECK(fl_model_load(&m, dir) == 0);
	CHECK_EQ_U64(m.nprocs, 3);
	CHECK_EQ_U64(m.nerrors, 0);
	CHECK_EQ_U64(m.nroots, 1);
	p = m.roots[0];
	CHECK_STR(p->key, "100");
	CHECK_EQ_U64(p->nevents, 13);
	check_blocks(p);
	check_vmas(p);
	st = fl_proc_stack(p, 1);
	CHECK(st && st->nframes == 2 && st->frames[1] == 0x400200);
	CHECK(fl_proc_stack(p, 2) == NULL && fl_proc_stack(p, 0) == NULL);
	CHECK(p->ncalls == 3 && p->calls[0].fn == FL_FN_MMAP && p->calls[2].fn == FL_FN_MUNMAP);
	CHECK(p->ncounters == 1 && fl_proc_last_counters(p)->minflt == 7 &&
	      fl_proc_last_counters(p)->majflt == -1);
	CHECK(p->nforks == 1 && p->forks[0].child == 101 && p->forks[0].kind == FL_LINK_FORK);
	CHECK(p->opt_sample == 524288 && !p->opt_all);
	CHECK(p->exit.present && !strcmp(p->exit.how, "exec"));
	CHECK_EQ_U64(p->nchildren, 2);
	if (p->nchildren == 2) {
		c = p->children[0];
		x = p->children[1];
		CHECK(c->pid == 101 && c->link == FL_LINK_FORK && c->parent == p);
		CHECK(c->exit.present && c->exit.signal == 9);
		CHECK(x->pid == 100 && x->link == FL_LINK_EXEC && !strcmp(x->key, "100.1"));
		CHECK(!x->exit.present);
	}
	CHECK_EQ_U64(fl_model_find_pid(&m, 100, found, 4), 2);
	CHECK(found[0] == p);
	check_fold((struct fl_proc *)p);
	fl_model_release(&m);
	fast_path_same_model();
	blocks_from_runs(5);
	blocks_from_runs(200);
	blocks_churn();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
