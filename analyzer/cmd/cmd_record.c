/*
 * faultline record [options] -- PROGRAM [ARGS...]
 *
 * Sets up the preload and the options in the environment, runs the program,
 * forwards the signals a terminal or supervisor sends, and returns the
 * program's own exit status (128+N when a signal killed it, as a shell does).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <jansson.h>
#include <libelf.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/launch.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "faultline/schema.h"
#include "cmd/record_summary.h"
#include "util/xalloc.h"

const char cmd_record_usage[] =
    "usage: faultline record [-o DIR] [--force] [--all] [--sample SIZE] [--large SIZE]\n"
    "                        [--interval MS] [--faults all|off|N] [--wss] [--no-follow]\n"
    "                        [--max-size SIZE] [--[no-]compress] [--coded-heap] [--no-argv]\n"
    "                        [--repeat N]\n"
    "                        [-q] [--] PROGRAM [ARGS...]\n"
    "\n"
    "Runs PROGRAM with the faultline shim preloaded and writes a trace directory\n"
    "(one <pid>.ndjson.zst per process). Children are followed. Returns PROGRAM's\n"
    "exit status (128+N if signal N killed it; 127 if it is not found, 126 if it\n"
    "cannot be run).\n"
    "\n"
    "  -o, --output DIR     trace directory (default: ./faultline-<prog>-<time>-<pid>);\n"
    "                       it must be new or empty\n"
    "      --force          replace the traces in an existing output directory\n"
    "      --all            record every heap call with its backtrace (exact per-site)\n"
    "      --sample SIZE    mean bytes between heap samples (default 512K)\n"
    "      --large SIZE     always record allocations this big (default 64K;\n"
    "                       1: every call, as --all)\n"
    "      --interval MS    sampler tick (default 100)\n"
    "      --faults all|off|N  page-fault samples: every fault, none, every N-th\n"
    "                       (default 16, all with --wss; counts are exact either way)\n"
    "      --wss            page-exact written working set (uffd write-protect)\n"
    "      --no-follow      do not trace children\n"
    "      --max-size SIZE  cap each trace file; counting continues past it\n"
    "      --no-compress    write plain <pid>.ndjson instead of <pid>.ndjson.zst\n"
    "                       (zstd, the default; zstdcat gives the NDJSON back;\n"
    "                       FAULTLINE_COMPRESS=0 in the environment does the same)\n"
    "      --compress       write <pid>.ndjson.zst whatever the environment says\n"
    "      --coded-heap     range-code the per-call heap lines (--all): the trace\n"
    "                       ~15 % smaller, ~25 ns more a heap call, and reading it\n"
    "                       back ~1.5x slower (doc/limits.md)\n"
    "      --no-argv        do not record argv\n"
    "      --repeat N       run PROGRAM N times into the one trace, each run's\n"
    "                       processes tagged with its number: report gives the\n"
    "                       median and spread, compare tells noise from change;\n"
    "                       stops at the first run that fails\n"
    "  -q, --quiet          no summary at the end\n"
    "\n"
    "SIZE is in bytes, or with a suffix K, M, G (1M = 1048576). Options take their\n"
    "value as --opt VALUE, --opt=VALUE or, for short ones, -oVALUE.\n";

enum {
	OPT_OUTPUT = 1,
	OPT_FORCE,
	OPT_ALL,
	OPT_SAMPLE,
	OPT_LARGE,
	OPT_INTERVAL,
	OPT_FAULTS,
	OPT_WSS,
	OPT_NO_FOLLOW,
	OPT_MAX_SIZE,
	OPT_NO_ARGV,
	OPT_QUIET,
	OPT_REPEAT,
	OPT_COMPRESS,
	OPT_NO_COMPRESS,
	OPT_CODED_HEAP,
};

static const struct fl_option record_options[] = {
    {OPT_OUTPUT, "output", 'o', FL_OPT_STRING, NULL},
    {OPT_FORCE, "force", 0, FL_OPT_FLAG, NULL},
    {OPT_ALL, "all", 0, FL_OPT_FLAG, NULL},
    {OPT_SAMPLE, "sample", 0, FL_OPT_SIZE, NULL},
    {OPT_LARGE, "large", 0, FL_OPT_SIZE, NULL},
    {OPT_INTERVAL, "interval", 0, FL_OPT_INT, NULL},
    {OPT_FAULTS, "faults", 0, FL_OPT_STRING, NULL},
    {OPT_WSS, "wss", 0, FL_OPT_FLAG, NULL},
    {OPT_NO_FOLLOW, "no-follow", 0, FL_OPT_FLAG, NULL},
    {OPT_MAX_SIZE, "max-size", 0, FL_OPT_SIZE, NULL},
    {OPT_NO_ARGV, "no-argv", 0, FL_OPT_FLAG, NULL},
    {OPT_QUIET, "quiet", 'q', FL_OPT_FLAG, NULL},
    {OPT_REPEAT, "repeat", 0, FL_OPT_INT, NULL},
    {OPT_COMPRESS, "compress", 0, FL_OPT_FLAG, NULL},
    {OPT_NO_COMPRESS, "no-compress", 0, FL_OPT_FLAG, NULL},
    {OPT_CODED_HEAP, "coded-heap", 0, FL_OPT_FLAG, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

/* The shim reads plain decimal numbers from its environment: sizes are
 * converted here, so the suffixes are the CLI's business alone. */
struct record_opts {
	const char *out;
	char sample[24], large[24], interval[24], max_size[24];
	const char *faults;
	int force, all, wss, no_follow, no_argv, quiet;
	const char *compress; /* "1", "0", or NULL: as the environment says, else "1" */
	int coded_heap;	      /* FAULTLINE_COMPACT=4: range-coded hc lines */
	unsigned repeat;      /* runs of PROGRAM; 0 = once, untagged */
};

static void set_number(char *buf, uint64_t v)
{
	snprintf(buf, 24, "%" PRIu64, v);
}

void cmd_record_check_faults(const char *v)
{
	if (strcmp(v, "all") && strcmp(v, "off") && (!*v || strspn(v, "0123456789") != strlen(v)))
		fl_usage("option '--faults' takes all, off or a number N (every N-th fault), "
			 "not '%s'",
			 v);
}

/* More runs than a report can use to tell noise, and a bound on a typo. */
#define FL_MAX_REPEAT 1000

/* Returns the index of PROGRAM in argv. */
static int parse(int argc, char **argv, struct record_opts *o)
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id;
	fl_opts_init(&p, "record", cmd_record_usage, record_options, argc, argv);
	p.stop_at_operand = 1;
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		switch (id) {
		case FL_OPT_OPERAND:
			return fl_opts_index(&p) - 1;
		case OPT_OUTPUT:
			o->out = v.str;
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_ALL:
			o->all = 1;
			break;
		case OPT_SAMPLE:
			set_number(o->sample, v.num);
			break;
		case OPT_LARGE:
			set_number(o->large, v.num);
			break;
		case OPT_INTERVAL:
			set_number(o->interval, v.num);
			break;
		case OPT_FAULTS:
			cmd_record_check_faults(v.str);
			o->faults = v.str;
			break;
		case OPT_WSS:
			o->wss = 1;
			break;
		case OPT_NO_FOLLOW:
			o->no_follow = 1;
			break;
		case OPT_MAX_SIZE:
			set_number(o->max_size, v.num);
			break;
		case OPT_NO_ARGV:
			o->no_argv = 1;
			break;
		case OPT_QUIET:
			o->quiet = 1;
			break;
		case OPT_REPEAT:
			if (v.num < 1 || v.num > FL_MAX_REPEAT)
				fl_usage("--repeat takes 1 to %d runs, not '%s'", FL_MAX_REPEAT,
					 v.str);
			o->repeat = (unsigned)v.num;
			break;
		case OPT_COMPRESS:
			o->compress = "1";
			break;
		case OPT_NO_COMPRESS:
			o->compress = "0";
			break;
		case OPT_CODED_HEAP:
			o->coded_heap = 1;
			break;
		}
	}
	fl_usage("no program given; usage: faultline record [-o DIR] -- PROGRAM [ARGS...]");
}

/* The shim: next to the CLI in the build tree, or in ../lib/faultline once
 * installed; FAULTLINE_LIB overrides both. */
static char *find_library(void)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	const char *env = getenv("FAULTLINE_LIB");
	ssize_t n;
	char *slash;
	static const char *const rel[] = {"/libfaultline.so", "/../lib/faultline/libfaultline.so"};

	if (env && env[0])
		return access(env, R_OK) == 0 ? realpath(env, NULL) : NULL;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", self, rel[i]);
		if (access(path, R_OK) == 0)
			return realpath(path, NULL);
	}
	return NULL;
}

/* Exit statuses of a shell that cannot run a command (POSIX 2.8.2). */
#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_RUN 126

static int runnable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * PROGRAM as execvp would find it. When it cannot be found or run, says so as
 * a shell does and sets *status to 127 (nothing of that name) or 126 (a file
 * that is not an executable), and returns NULL.
 */
static char *find_program(const char *prog, int *status)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX], seen[PATH_MAX] = ""; /* a file of that name that cannot be run */
	struct stat st;

	if (strchr(prog, '/')) {
		if (runnable(prog))
			return fl_xstrdup(prog);
		if (access(prog, F_OK) == 0)
			snprintf(seen, sizeof(seen), "%s", prog);
	} else {
		if (!path)
			path = "/usr/local/bin:/usr/bin:/bin";
		while (*path) {
			size_t len = strcspn(path, ":");
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", prog);
			if (runnable(buf))
				return fl_xstrdup(buf);
			if (!seen[0] && access(buf, F_OK) == 0)
				snprintf(seen, sizeof(seen), "%s", buf);
			path += len + (path[len] == ':');
		}
	}
	if (seen[0]) {
		fl_error("'%s': %s", prog,
			 stat(seen, &st) == 0 && S_ISDIR(st.st_mode) ? "is a directory"
								     : strerror(EACCES));
		*status = EXIT_CANNOT_RUN;
	} else {
		fl_error("'%s': command not found", prog);
		*status = EXIT_NOT_FOUND;
	}
	return NULL;
}

/* The soname of the AddressSanitizer runtime among the executable's
 * DT_NEEDED entries (libasan.so.N), or "" when it has none. */
static void find_asan_runtime(Elf *elf, char *soname, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	soname[0] = '\0';
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Dyn dyn;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
				continue;
			name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (name && !strncmp(name, "libasan.so", 10))
				snprintf(soname, size, "%s", name);
		}
	}
}

/* The loader runs setuid/setgid programs and programs with file
 * capabilities in secure-execution mode, which ignores LD_PRELOAD (unless
 * root runs them); static programs have no loader at all; an ASan program
 * needs its runtime loaded before any other library (doc/limits.md says
 * what tracing one after it did). Say so by name instead of writing an
 * empty trace. */
static int check_traceable(const char *path)
{
	struct stat st;
	int fd, dynamic = 0, is_elf = 0;
	Elf *elf;
	size_t nph;
	char asan[64] = "";

	if (stat(path, &st) != 0)
		return fl_error("cannot run '%s': %s", path, strerror(errno));
	if ((st.st_mode & (S_ISUID | S_ISGID)) && getuid() != 0)
		return fl_error("'%s' is setuid/setgid: the loader ignores LD_PRELOAD for it, "
				"so it cannot be traced (run it as its owner)",
				path);
	if (getuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0)
		return fl_error("'%s' has file capabilities (see getcap): the loader ignores "
				"LD_PRELOAD for it, so it cannot be traced (run it as root, or "
				"trace a copy without them)",
				path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* exec will say why */
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &nph) == 0) {
		is_elf = 1;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
				dynamic = 1;
		}
		find_asan_runtime(elf, asan, sizeof(asan));
	}
	if (elf)
		elf_end(elf);
	close(fd);
	if (is_elf && !dynamic)
		return fl_error("'%s' is statically linked: there is no dynamic loader to "
				"preload faultline into, so it cannot be traced",
				path);
	if (asan[0])
		return fl_error("'%s' is built with AddressSanitizer (it needs %s): its "
				"runtime must be loaded first, and after it faultline sees no heap "
				"calls and every child inherits it; trace a build without "
				"-fsanitize=address",
				path, asan);
	return 0;
}

/*
 * ./faultline-<prog>-<date>-<time>-<pid>: the pid keeps two runs started in
 * the same second apart, and mkdir() without EEXIST makes the name ours alone
 * (a leftover of an earlier run with a recycled pid gets a suffix).
 */
char *cmd_record_default_dir(const char *prog)
{
	char buf[PATH_MAX];
	const char *base = strrchr(prog, '/');
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	for (unsigned n = 0; n < 1000; n++) {
		int len = snprintf(buf, sizeof(buf), "faultline-%s-%04d%02d%02d-%02d%02d%02d-%ld",
				   base ? base + 1 : prog, tm.tm_year + 1900, tm.tm_mon + 1,
				   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid());
		if (n)
			snprintf(buf + len, sizeof(buf) - (size_t)len, ".%u", n);
		if (mkdir(buf, 0700) == 0)
			return fl_xstrdup(buf);
		if (errno != EEXIST)
			fl_die("cannot create trace directory '%s': %s", buf, strerror(errno));
	}
	fl_die("cannot find a free name for the trace directory of '%s'", prog);
}

static int is_trace_file(const char *name)
{
	size_t n = strlen(name), ext = strlen(FL_TRACE_FILE_EXT), zst = strlen(FL_TRACE_ZST_EXT);
	return (n > ext && !strcmp(name + n - ext, FL_TRACE_FILE_EXT)) ||
	       (n > zst && !strcmp(name + n - zst, FL_TRACE_ZST_EXT));
}

/* The pid a trace file is named after (<pid>.ndjson[.zst]), or 0. */
static int trace_file_pid(const char *name)
{
	char *end;
	long pid;
	if (!is_trace_file(name) || name[0] < '1' || name[0] > '9')
		return 0;
	pid = strtol(name, &end, 10);
	return (!strcmp(end, FL_TRACE_FILE_EXT) || !strcmp(end, FL_TRACE_ZST_EXT)) && pid <= INT_MAX
		   ? (int)pid
		   : 0;
}

/* A perf map that record copied beside the traces (perf-<pid>.map). */
static int is_perf_map_copy(const char *name)
{
	int len = 0;
	sscanf(name, "perf-%*[0-9].map%n", &len);
	return len > 0 && name[len] == 0;
}

/* A file record writes into a trace directory, which --force may replace. */
static int is_run_file(const char *name)
{
	return is_trace_file(name) || is_perf_map_copy(name) || !strcmp(name, FL_TRACE_REAPED_FILE);
}

/*
 * A trace directory holds one run: the report would read whatever else is in
 * it as processes of this one. An existing directory must be empty; with
 * --force its traces are removed first, but nothing else is (a mistyped
 * -o $HOME must not cost the user their files).
 */
static void claim_dir(const char *dir, int force)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int traces = 0, others = 0;
	if (!d)
		fl_die("cannot read trace directory '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!is_run_file(e->d_name)) {
			others++;
			continue;
		}
		traces++;
		if (force && unlinkat(dirfd(d), e->d_name, 0) != 0)
			fl_die("cannot remove '%s/%s': %s", dir, e->d_name, strerror(errno));
	}
	closedir(d);
	if (others)
		fl_die("trace directory '%s' is not empty and holds files other than traces; "
		       "choose another with -o DIR",
		       dir);
	if (traces && !force)
		fl_die("trace directory '%s' already holds a trace; use --force to replace it, "
		       "or choose another with -o DIR",
		       dir);
}

/* Creates DIR 0700, or accepts an existing one that we own and that others
 * cannot write into: in a shared directory such as /tmp, even with the
 * sticky bit, another user could plant files that the report would read as
 * this run's traces, or a FIFO that blocks it. */
static char *prepare_dir(const char *dir, int force)
{
	struct stat st;
	char *abs;
	int created = mkdir(dir, 0700) == 0;
	if (!created && errno != EEXIST)
		fl_die("cannot create trace directory '%s': %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		fl_die("'%s' is not a directory", dir);
	if (st.st_uid != getuid())
		fl_die("trace directory '%s' belongs to another user", dir);
	if (st.st_mode & S_IWOTH)
		fl_die("trace directory '%s' is world-writable (mode %04o): other users could "
		       "add files to the trace; use a new subdirectory (-o '%s/trace'), which "
		       "record creates private",
		       dir, (unsigned)(st.st_mode & 07777), dir);
	if (!created)
		claim_dir(dir, force);
	abs = realpath(dir, NULL);
	if (!abs)
		fl_die("cannot resolve '%s': %s", dir, strerror(errno));
	return abs;
}

/* Copies the open file in to a new file path (0600) with in's times, so the
 * copy says when the program wrote it; 0, or -1 with errno. */
static int copy_file(int in, const struct stat *st, const char *path)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	char buf[65536];
	ssize_t n = 0;
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), err;
	if (out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n == 0 && futimens(out, times) != 0)
		n = -1;
	err = errno;
	if (close(out) != 0 && n == 0)
		n = -1, err = errno;
	if (n < 0)
		unlink(path);
	errno = err;
	return n < 0 ? -1 : 0;
}

static int timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Keeps the perf map of a traced process (/tmp/perf-PID.map, the names of
 * its JIT code) in the trace directory, where the report looks first: /tmp
 * is cleaned, and a trace should stay readable. Only a regular file of ours
 * written during the run: an older one belongs to an earlier process with
 * the same pid. Exec images share a pid, hence a map is copied once.
 */
static void keep_perf_map(const char *dir, int pid, const struct timespec *start,
			  const struct timespec *end)
{
	char from[64], to[PATH_MAX];
	struct stat st;
	int in;
	snprintf(from, sizeof(from), "/tmp/perf-%d.map", pid);
	snprintf(to, sizeof(to), "%s/perf-%d.map", dir, pid);
	in = open(from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return;
	if (fstat(in, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == getuid() &&
	    !timespec_before(&st.st_mtim, start) && !timespec_before(end, &st.st_mtim) &&
	    access(to, F_OK) != 0 && copy_file(in, &st, to) != 0)
		fl_warn("cannot keep '%s' in '%s': %s", from, dir, strerror(errno));
	close(in);
}

static void keep_perf_maps(const char *dir, const struct timespec *start)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct timespec end;
	clock_gettime(CLOCK_REALTIME, &end);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (trace_file_pid(e->d_name))
			keep_perf_map(dir, trace_file_pid(e->d_name), start, &end);
	closedir(d);
}

/* value NULL or empty: leave the variable as the user's environment has it. */
static void set_env(const char *name, const char *value)
{
	if (value && *value && setenv(name, value, 1) != 0)
		fl_die("cannot set %s: %s", name, strerror(errno));
}

static void setup_env(const struct record_opts *o, const char *lib, const char *dir)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload;
	size_t n = strlen(lib) + (old ? strlen(old) : 0) + 2;

	preload = fl_xmalloc(n);
	if (old && old[0])
		snprintf(preload, n, "%s:%s", lib, old);
	else
		snprintf(preload, n, "%s", lib);
	set_env("LD_PRELOAD", preload);
	free(preload);
	set_env(FL_ENV_OUT, dir);
	set_env(FL_ENV_SAMPLE, o->all ? "1" : o->sample);
	set_env(FL_ENV_LARGE, o->large);
	set_env(FL_ENV_INTERVAL, o->interval);
	set_env(FL_ENV_FAULTS, o->faults);
	set_env(FL_ENV_MAX_SIZE, o->max_size);
	set_env(FL_ENV_WSS, o->wss ? "1" : NULL);
	set_env(FL_ENV_FOLLOW, o->no_follow ? "0" : NULL);
	set_env(FL_ENV_NO_ARGV, o->no_argv ? "1" : NULL);
	/* Compressed by default: zstd costs the program nothing measurable
	 * unless it writes a line per heap call (--all --large 1: about 8 %
	 * more CPU), and there the trace is 2.5 times smaller (doc/limits.md). */
	set_env(FL_ENV_COMPRESS, o->compress ? o->compress : getenv(FL_ENV_COMPRESS) ? NULL : "1");
	if (o->coded_heap)
		set_env(FL_ENV_COMPACT, "4");
	unsetenv(FL_ENV_PARENT);
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

/*
 * Adds the program's end as record saw it to the trace directory's
 * FL_TRACE_REAPED_FILE: wait4's figures count the program to its very end,
 * after the shim's exit line (the analyzer prefers them). A directory that
 * cannot take it loses only these figures, said once.
 */
static void write_reaped(const char *dir, pid_t pid, int wstatus, const struct rusage *ru)
{
	char path[PATH_MAX];
	struct timespec now;
	json_t *o;
	char *line;
	int fd;
	clock_gettime(CLOCK_REALTIME, &now);
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", FL_K_PID,
		      (json_int_t)getpid(), FL_K_CHILD, (json_int_t)pid, FL_K_REALTIME,
		      (json_int_t)now.tv_sec * 1000000000 + now.tv_nsec, FL_K_STATUS,
		      (json_int_t)(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1), FL_K_SIGNAL,
		      (json_int_t)(WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0), FL_K_RU_MINFLT,
		      (json_int_t)ru->ru_minflt, FL_K_RU_MAJFLT, (json_int_t)ru->ru_majflt,
		      FL_K_RU_UTIME, (json_int_t)tv_ns(&ru->ru_utime), FL_K_RU_STIME,
		      (json_int_t)tv_ns(&ru->ru_stime), FL_K_RU_INBLOCK,
		      (json_int_t)ru->ru_inblock);
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	snprintf(path, sizeof(path), "%s/%s", dir, FL_TRACE_REAPED_FILE);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (!line || fd < 0 || dprintf(fd, "%s\n", line) < 0)
		fl_warn("cannot write %s: %s (the figures after the program's exit line are lost)",
			path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(line);
}

/* The program runs as record's job: see launch.h for its signals. */
static int run_child(char **argv, const char *dir)
{
	pid_t pid = fl_launch_start(argv);
	struct rusage ru;
	int status, wstatus = 0;

	if (pid < 0)
		exit(1);
	status = fl_launch_wait(pid, &wstatus, &ru);
	if (status < 0)
		exit(1);
	if (WIFEXITED(wstatus) || WIFSIGNALED(wstatus))
		write_reaped(dir, pid, wstatus, &ru);
	return status;
}

/*
 * Runs the program once, or --repeat N times with each run's number in the
 * shim's environment (the header's options.run), so that the runs share one
 * trace and stay apart in it. A failed run ends the series: its figures
 * would be another program's, and the user should see the failure.
 */
static int run_repeated(const struct record_opts *o, char **argv, const char *dir)
{
	char run[24];
	int status = 0;
	if (o->repeat <= 1)
		return run_child(argv, dir);
	for (unsigned k = 1; k <= o->repeat && status == 0; k++) {
		set_number(run, k);
		set_env(FL_ENV_RUN, run);
		status = run_child(argv, dir);
		if (status)
			fl_warn("run %u of %u failed (status %d); no more runs", k, o->repeat,
				status);
	}
	unsetenv(FL_ENV_RUN);
	return status;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = {0};
	int first = parse(argc, argv, &o), status;
	char *lib, *prog, *dir, *name = NULL;
	struct timespec start;

	lib = find_library();
	if (!lib)
		fl_die("cannot find libfaultline.so next to the faultline binary or in "
		       "../lib/faultline (set FAULTLINE_LIB)");
	prog = find_program(argv[first], &status);
	if (!prog) {
		free(lib);
		return status;
	}
	if (check_traceable(prog) != 0) {
		free(lib);
		free(prog);
		return 1;
	}
	if (!o.out)
		o.out = name = cmd_record_default_dir(argv[first]);
	dir = prepare_dir(o.out, o.force);
	free(name);
	setup_env(&o, lib, dir);
	/* The clock file times are stamped with: a map written at once is not older. */
	clock_gettime(CLOCK_REALTIME_COARSE, &start);
	status = run_repeated(&o, argv + first, dir);
	keep_perf_maps(dir, &start);
	if (!o.quiet)
		fl_record_summary(dir, stderr);
	free(lib);
	free(prog);
	free(dir);
	return status;
}
