/*
 * The model on a hand-written trace: frees written before their allocs,
 * a realloc in place, mappings made and unmapped between snapshots, the
 * shim's own memory, exec and fork links.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analyzer/model.h"
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

#define H(pid, kind, start) \
	"{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":" #pid ",\"ppid\":1,\"parent\":{\"pid\":100,\"kind\":\"" kind "\"},\"exe\":\"/bin/x\",\"argv\":[\"x\"],\"start_realtime_ns\":" #start ",\"page_size\":4096,\"options\":{\"sample\":524288}}\n"

static const char p100[] =
	H(100, "none", 1000000000)
	"{\"e\":\"maps\",\"t\":10,\"seq\":1,\"why\":\"start\",\"vmas\":["
	"[\"0x400000\",\"0x401000\",\"r-xp\",\"0x0\",5,\"/bin/x\"],"
	"[\"0x1000000\",\"0x1100000\",\"rw-p\",\"0x0\",0,\"[heap]\"],"
	"[\"0x7f0000000000\",\"0x7f0000100000\",\"rw-p\",\"0x0\",0,\"\"],"
	"[\"0x7ffffffde000\",\"0x7ffffffff000\",\"rw-p\",\"0x0\",0,\"[stack]\"]],"
	"\"shim\":[[\"0x7f0000080000\",\"0x7f00000a0000\"]]}\n"
	"{\"e\":\"stack\",\"t\":20,\"seq\":2,\"id\":1,\"frames\":[\"0x400100\",\"0x400200\"]}\n"
	"{\"e\":\"free\",\"t\":50,\"seq\":5,\"tid\":100,\"addr\":\"0x1000010\",\"size\":32}\n"
	"{\"e\":\"alloc\",\"t\":30,\"seq\":3,\"tid\":100,\"fn\":\"calloc\",\"addr\":\"0x1000010\",\"size\":32,\"stack\":1,\"weight\":32}\n"
	"{\"e\":\"alloc\",\"t\":40,\"seq\":4,\"tid\":101,\"fn\":\"malloc\",\"addr\":\"0x1000100\",\"size\":64,\"stack\":1,\"weight\":524288}\n"
	"{\"e\":\"realloc\",\"t\":60,\"seq\":6,\"tid\":100,\"fn\":\"realloc\",\"old_addr\":\"0x1000100\",\"addr\":\"0x1000100\",\"size\":128,\"stack\":1,\"weight\":128}\n"
	"{\"e\":\"mmap\",\"t\":70,\"seq\":7,\"tid\":100,\"addr\":\"0x0\",\"size\":8192,\"prot\":3,\"flags\":34,\"fd\":-1,\"offset\":0,\"result\":\"0x7e0000000000\",\"errno\":0,\"stack\":1}\n"
	"{\"e\":\"mmap\",\"t\":75,\"seq\":8,\"tid\":100,\"addr\":\"0x0\",\"size\":4096,\"prot\":1,\"flags\":2,\"fd\":3,\"offset\":4096,\"result\":\"0x7d0000000000\",\"errno\":0,\"stack\":1,\"path\":\"/data/f\"}\n"
	"{\"e\":\"munmap\",\"t\":80,\"seq\":9,\"tid\":100,\"addr\":\"0x7e0000000000\",\"size\":8192,\"result\":0,\"errno\":0,\"stack\":1}\n"
	"{\"e\":\"counters\",\"t\":100,\"seq\":10,\"minflt\":7,\"majflt\":null,\"ru_minflt\":9,\"ru_majflt\":0,\"rss_anon\":4096,\"rss_file\":0,\"rss_shmem\":0,\"vsz\":1048576}\n"
	"{\"e\":\"fork\",\"t\":110,\"seq\":11,\"tid\":100,\"child\":101,\"kind\":\"fork\"}\n"
	"{\"e\":\"exit\",\"t\":200,\"seq\":12,\"how\":\"exec\",\"status\":-1,\"signal\":0}\n";

static void check_blocks(const struct fl_proc *p)
{
	const struct fl_block *b;
	CHECK_EQ_U64(p->nblocks, 3);
	if (p->nblocks != 3)
		return;
	CHECK(p->blocks[0].addr == 0x1000010 && p->blocks[0].t_alloc == 30 &&
	      p->blocks[0].t_free == 50 && p->blocks[0].freed_by == FL_FN_FREE &&
	      p->blocks[0].fn == FL_FN_CALLOC);
	CHECK(p->blocks[1].size == 64 && p->blocks[1].weight == 524288 && p->blocks[1].t_free == 60 &&
	      p->blocks[1].freed_by == FL_FN_REALLOC && p->blocks[1].tid == 101);
	CHECK(p->blocks[2].size == 128 && p->blocks[2].t_free == FL_T_NEVER &&
	      p->blocks[2].fn == FL_FN_REALLOC);
	b = fl_proc_block_at(p, 0x1000110, 45);
	CHECK(b == &p->blocks[1]);
	b = fl_proc_block_at(p, 0x1000170, 65);
	CHECK(b == &p->blocks[2]);
	CHECK(fl_proc_block_at(p, 0x1000170, 45) == NULL); /* beyond the 64-byte block */
	CHECK(fl_proc_block_at(p, 0x1000010, 55) == NULL);
	CHECK(fl_proc_block_at(p, 0x1000010, 35) == &p->blocks[0]);
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

int main(void)
{
	struct fl_model m;
	const struct fl_proc *p, *c, *x;
	const struct fl_stack *st;
	struct fl_proc *found[4];
	if (!mkdtemp(dir))
		return 1;
	put("100.ndjson", p100);
	put("101.ndjson", H(101, "fork", 1000000200)
		"{\"e\":\"exit\",\"t\":5,\"seq\":1,\"how\":\"signal\",\"status\":-1,\"signal\":9}\n");
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
	CHECK(p->ncounters == 1 && p->counters[0].minflt == 7 && p->counters[0].majflt == -1);
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
	fl_model_release(&m);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
