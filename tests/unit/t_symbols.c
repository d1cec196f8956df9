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
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
