/*
 * faultline record [options] -- PROGRAM [ARGS...]
 *
 * Sets up the preload and the options in the environment, runs the program,
 * forwards the signals a terminal or supervisor sends, and returns the
 * program's own exit status (128+N when a signal killed it, as a shell does).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "util/diag.h"
#include "faultline/schema.h"
#include "cmd/record_summary.h"
#include "util/xalloc.h"

const char cmd_record_usage[] =
    "usage: faultline record [-o DIR] [options] -- PROGRAM [ARGS...]\n"
    "\n"
    "Runs PROGRAM with the faultline shim preloaded and writes a trace directory\n"
    "(one <pid>.ndjson per process). Children are followed. Returns PROGRAM's\n"
    "exit status (128+N if signal N killed it).\n"
    "\n"
    "  -o, --output DIR     trace directory (default: ./faultline-<prog>-<time>)\n"
    "      --all            record every heap call with its backtrace (exact per-site)\n"
    "      --sample BYTES   mean bytes between heap samples (default 524288)\n"
    "      --large BYTES    always record allocations this big (default 65536)\n"
    "      --interval MS    sampler tick (default 100)\n"
    "      --faults all|off|N  page-fault samples: every fault, none, every N-th\n"
    "                       (default 8, all with --wss; counts are exact either way)\n"
    "      --wss            page-exact written working set (uffd write-protect)\n"
    "      --no-follow      do not trace children\n"
    "      --max-size BYTES cap each trace file; counting continues past it\n"
    "      --no-argv        do not record argv\n"
    "  -q, --quiet          no summary at the end\n";

struct record_opts {
	const char *out;
	const char *sample, *large, *interval, *faults, *max_size;
	int all, wss, no_follow, no_argv, quiet;
};

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		fl_usage("option '%s' needs a value", argv[*i]);
	return argv[++*i];
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-')
			return i;
		if (!strcmp(a, "-o") || !strcmp(a, "--output"))
			o->out = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--all"))
			o->all = 1;
		else if (!strcmp(a, "--sample"))
			o->sample = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--large"))
			o->large = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--interval"))
			o->interval = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--faults"))
			o->faults = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--max-size"))
			o->max_size = need_arg(argc, argv, &i);
		else if (!strcmp(a, "--wss"))
			o->wss = 1;
		else if (!strcmp(a, "--no-follow"))
			o->no_follow = 1;
		else if (!strcmp(a, "--no-argv"))
			o->no_argv = 1;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			o->quiet = 1;
		else
			fl_usage("unknown option '%s'; see 'faultline record --help'", a);
	}
	return i;
}

static void check_number(const char *opt, const char *v)
{
	char *end;
	if (!v)
		return;
	errno = 0;
	strtoull(v, &end, 0);
	if (errno || end == v || *end)
		fl_usage("option '%s' needs a number, not '%s'", opt, v);
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

/* PROGRAM as execvp would find it, or NULL. */
static char *find_program(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? fl_xstrdup(prog) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", prog);
		if (access(buf, X_OK) == 0) {
			struct stat st;
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
				return fl_xstrdup(buf);
		}
		path += len + (path[len] == ':');
	}
	return NULL;
}

/* The loader ignores LD_PRELOAD for setuid/setgid programs and static
 * programs have no loader at all: say so instead of writing an empty trace. */
static int check_traceable(const char *path)
{
	struct stat st;
	int fd, dynamic = 0, is_elf = 0;
	Elf *elf;
	size_t nph;

	if (stat(path, &st) != 0)
		return fl_error("cannot run '%s': %s", path, strerror(errno));
	if ((st.st_mode & (S_ISUID | S_ISGID)) && getuid() != 0)
		return fl_error("'%s' is setuid/setgid: the loader ignores LD_PRELOAD for it, "
				"so it cannot be traced (run it as its owner)",
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
	}
	if (elf)
		elf_end(elf);
	close(fd);
	if (is_elf && !dynamic)
		return fl_error("'%s' is statically linked: there is no dynamic loader to "
				"preload faultline into, so it cannot be traced",
				path);
	return 0;
}

static char *default_dir(const char *prog)
{
	char buf[PATH_MAX];
	const char *base = strrchr(prog, '/');
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(buf, sizeof(buf), "faultline-%s-%04d%02d%02d-%02d%02d%02d", base ? base + 1 : prog,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return fl_xstrdup(buf);
}

/* Creates DIR 0700, or accepts an existing one that we own and that others
 * cannot write into (a world-writable directory needs the sticky bit). */
static char *prepare_dir(const char *dir)
{
	struct stat st;
	char *abs;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fl_die("cannot create trace directory '%s': %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		fl_die("'%s' is not a directory", dir);
	if (st.st_uid != getuid())
		fl_die("trace directory '%s' belongs to another user", dir);
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		fl_die("trace directory '%s' is world-writable without the sticky bit; "
		       "refusing to write traces there",
		       dir);
	abs = realpath(dir, NULL);
	if (!abs)
		fl_die("cannot resolve '%s': %s", dir, strerror(errno));
	return abs;
}

static void set_env(const char *name, const char *value)
{
	if (value && setenv(name, value, 1) != 0)
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
	unsetenv(FL_ENV_PARENT);
}

static pid_t child_pid;

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static int run_child(char **argv)
{
	static const int fwd[] = {SIGINT,  SIGTERM,  SIGHUP,  SIGQUIT, SIGUSR1,
				  SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};
	struct sigaction sa;
	int status;

	child_pid = fork();
	if (child_pid < 0)
		fl_die("cannot fork: %s", strerror(errno));
	if (child_pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "faultline: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	while (waitpid(child_pid, &status, 0) < 0)
		if (errno != EINTR)
			fl_die("waitpid: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		signal(fwd[i], SIG_DFL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = {0};
	int first = parse(argc, argv, &o), status;
	char *lib, *prog, *dir;

	if (first >= argc)
		fl_usage("no program given; usage: faultline record [-o DIR] -- PROGRAM [ARGS...]");
	check_number("--sample", o.sample);
	check_number("--large", o.large);
	check_number("--interval", o.interval);
	check_number("--max-size", o.max_size);
	if (o.faults && strcmp(o.faults, "all") && strcmp(o.faults, "off"))
		check_number("--faults", o.faults);
	lib = find_library();
	if (!lib)
		fl_die("cannot find libfaultline.so next to the faultline binary or in "
		       "../lib/faultline (set FAULTLINE_LIB)");
	prog = find_program(argv[first]);
	if (!prog)
		fl_die("cannot run '%s': command not found", argv[first]);
	if (check_traceable(prog) != 0)
		return 1;
	dir = prepare_dir(o.out ? o.out : default_dir(argv[first]));
	setup_env(&o, lib, dir);
	status = run_child(argv + first);
	if (!o.quiet)
		fl_record_summary(dir, stderr);
	free(lib);
	free(prog);
	free(dir);
	return status;
}
