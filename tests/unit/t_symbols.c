/*
 * Symbolization of this very program: its own maps become a trace, and
 * addresses of known functions must come back with their names and lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/model.h"
#include "model/symbols.h"
#include "check.h"

static volatile uint64_t ra;
static int call_line;

__attribute__((noinline)) static void callee(void)
{
	ra = (uint64_t)(uintptr_t)__builtin_return_address(0);
}

__attribute__((noinline)) static void known_function(void)
{
	call_line = __LINE__; callee();
	__asm__ volatile("" ::: "memory");
}

static char dir[] = "/tmp/fl_t_symbols.XXXXXX";

/* Writes a one-process trace whose maps snapshot is our own /proc/self/maps. */
static void write_trace(void)
{
	char path[256], line[1024];
	FILE *in = fopen("/proc/self/maps", "r"), *out;
	struct timespec now;
	int first = 1;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(path, sizeof(path), "%s/%d.ndjson", dir, (int)getpid());
	out = fopen(path, "w");
	fprintf(out, "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":%d,\"start_realtime_ns\":%lld}\n",
		(int)getpid(), (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
	fprintf(out, "{\"e\":\"maps\",\"t\":1,\"seq\":1,\"vmas\":[");
	while (fgets(line, sizeof(line), in)) {
		unsigned long long s, e, off, ino;
		char perms[8], dev[16], p[512] = "";
		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %511[^\n]", &s, &e, perms, &off, dev,
			   &ino, p) < 6)
			continue;
		if (strchr(p, '"') || strchr(p, '\\'))
			continue;
		fprintf(out, "%s[\"0x%llx\",\"0x%llx\",\"%s\",\"0x%llx\",%llu,\"%s\"]", first ? "" : ",",
			s, e, perms, off, ino, p + strspn(p, " "));
		first = 0;
	}
	fprintf(out, "]}\n");
	fclose(out);
	fclose(in);
}

static char shim_dir[] = "/tmp/fl_t_symbols_shim.XXXXXX";

/* A trace whose maps hold a program, the shim and libunwind (paths that need
 * not exist: the frames are told apart by their objects alone). */
#define PROG 0x400000ULL
#define SHIM 0x7f0000000000ULL
#define UNW 0x7f0000100000ULL
static void write_shim_trace(void)
{
	char path[256];
	FILE *out;
	snprintf(path, sizeof(path), "%s/1.ndjson", shim_dir);
	out = fopen(path, "w");
	fprintf(out, "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":1}\n");
	fprintf(out, "{\"e\":\"maps\",\"t\":1,\"seq\":1,\"vmas\":["
		     "[\"0x400000\",\"0x401000\",\"r-xp\",\"0x0\",1,\"/nonexistent/prog\"],"
		     "[\"0x7f0000000000\",\"0x7f0000001000\",\"r-xp\",\"0x0\",2,"
		     "\"/nonexistent/build/libfaultline.so\"],"
		     "[\"0x7f0000100000\",\"0x7f0000101000\",\"r-xp\",\"0x0\",3,"
		     "\"/nonexistent/libunwind.so.8.0.1\"]]}\n");
	fclose(out);
}

/* Leading frames of the shim, and of libunwind called by it, are not the
 * program's; libunwind called by the program is. */
static void check_shim_frames(void)
{
	struct fl_model m;
	const struct fl_proc *p;
	const uint64_t shim_then_prog[] = {UNW + 8, SHIM + 8, SHIM + 16, PROG + 8, PROG + 16};
	const uint64_t prog_calls_unw[] = {SHIM + 8, UNW + 8, PROG + 8};
	const uint64_t unw_only[] = {UNW + 8, PROG + 8};
	const uint64_t shim_inside[] = {PROG + 8, SHIM + 8, PROG + 16};
	const uint64_t all_shim[] = {UNW + 8, SHIM + 8};
	struct fl_stack st;
	if (!mkdtemp(shim_dir))
		return;
	write_shim_trace();
	CHECK(fl_model_load(&m, shim_dir) == 0);
	p = m.procs[0];
#define FIRST(a) (st.frames = (a), st.nframes = sizeof(a) / sizeof(*(a)), fl_symbols_first_frame(p, &st, 5))
	CHECK_EQ_U64(FIRST(shim_then_prog), 3);
	CHECK_EQ_U64(fl_symbols_site_frame(NULL, p, &st, 5), 3);
	CHECK_EQ_U64(FIRST(prog_calls_unw), 1);
	CHECK_EQ_U64(FIRST(unw_only), 0);
	CHECK_EQ_U64(FIRST(shim_inside), 0);
	CHECK_EQ_U64(FIRST(all_shim), 2);
	CHECK_EQ_U64(fl_symbols_site_frame(NULL, p, &st, 5), 0);
#undef FIRST
	fl_model_release(&m);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", shim_dir);
		CHECK(system(cmd) == 0);
	}
}

int main(void)
{
	struct fl_model m;
	struct fl_symbols *s;
	struct fl_sym sym;
	const struct fl_proc *p;
	char buf[512];
	uint64_t fn = (uint64_t)(uintptr_t)&known_function;
	uint64_t gp = (uint64_t)(uintptr_t)&getpid;
	known_function();
	if (!mkdtemp(dir))
		return 1;
	write_trace();
	CHECK(fl_model_load(&m, dir) == 0);
	p = m.procs[0];
	s = fl_symbols_new(0);

	CHECK(fl_symbols_lookup(s, p, fn, 5, 0, &sym) == 0);
	CHECK_STR(sym.func, "known_function");
	CHECK(sym.func_off == 0);
	CHECK(sym.object && strstr(sym.object, "t_symbols"));

	/* A return address names the line of the call. */
	CHECK(fl_symbols_lookup(s, p, ra, 5, 1, &sym) == 0);
	CHECK_STR(sym.func, "known_function");
	CHECK(sym.file && strstr(sym.file, "t_symbols.c"));
	CHECK_EQ_U64(sym.line, call_line);
	fl_symbols_format(&sym, ra, buf, sizeof(buf));
	{
		char want[64];
		snprintf(want, sizeof(want), "known_function (t_symbols.c:%d)", call_line);
		CHECK_STR(buf, want);
	}

	/* A shared object: libc's getpid (under any of its aliases). */
	CHECK(fl_symbols_lookup(s, p, gp, 5, 0, &sym) == 0);
	CHECK(sym.func && strstr(sym.func, "getpid"));
	CHECK(sym.object && strstr(sym.object, "libc"));

	/* No symbols: the object and offset are still known. */
	CHECK(fl_symbols_lookup(NULL, p, fn, 5, 0, &sym) < 0);
	CHECK(sym.func == NULL && sym.object && strstr(sym.object, "t_symbols"));
	fl_symbols_format(&sym, fn, buf, sizeof(buf));
	CHECK(strstr(buf, "(t_symbols+0x") != NULL);

	/* An address nobody mapped. */
	CHECK(fl_symbols_lookup(s, p, 0x10, 5, 0, &sym) < 0 && sym.object == NULL);

	fl_symbols_free(s);
	fl_model_release(&m);
	check_shim_frames();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
