#include "base/config.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "faultline/schema.h"
#include "base/fmt.h"

struct fl_config fl_config;

extern char **environ;

const char *fl_config_env(char **envp, const char *name)
{
	size_t n = strlen(name);
	if (!envp)
		envp = environ;
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static uint64_t env_u64(char **envp, const char *name, uint64_t dflt)
{
	const char *s = fl_config_env(envp, name);
	uint64_t v;
	if (!s || fl_parse_u64(s, &v) != 0)
		return dflt;
	return v;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void fl_config_load(char **envp)
{
	const char *faults;
	uint64_t n;
	struct fl_config *c = &fl_config;

	copy_str(c->out_dir, sizeof(c->out_dir), fl_config_env(envp, FL_ENV_OUT));
	copy_str(c->parent, sizeof(c->parent), fl_config_env(envp, FL_ENV_PARENT));
	copy_str(c->tlb, sizeof(c->tlb), fl_config_env(envp, FL_ENV_TLB));
	c->sample_bytes = env_u64(envp, FL_ENV_SAMPLE, FL_DEFAULT_SAMPLE);
	if (c->sample_bytes == 0)
		c->sample_bytes = 1;
	c->large_bytes = env_u64(envp, FL_ENV_LARGE, FL_DEFAULT_LARGE);
	/* Every block of a byte or more on a line (--large 1) is every call
	 * but malloc(0) recorded: that is --all, whose per-site lines keep the
	 * site figures exact and let the analyzer drop freed blocks as it
	 * reads. Sampling the rest instead made the analyzer hold every block
	 * to compute the figures from them (243 MB against 76 for 2M pairs). */
	if (c->large_bytes <= 1)
		c->sample_bytes = 1;
	c->all = c->sample_bytes == 1;
	c->interval_ms = env_u64(envp, FL_ENV_INTERVAL, FL_DEFAULT_INTERVAL_MS);
	if (c->interval_ms == 0)
		c->interval_ms = 1;
	c->max_size = env_u64(envp, FL_ENV_MAX_SIZE, 0);
	/* For tests: the disk guard's thresholds (doc/limits.md). */
	c->keep_free = env_u64(envp, "FAULTLINE_KEEP_FREE", 0);
	c->rate_limit = env_u64(envp, "FAULTLINE_RATE_LIMIT", 0);
	/* For tests only: how long a writer holder may stall (trace/writer.c). */
	c->stall_ms = env_u64(envp, "FAULTLINE_TEST_STALL_MS", 0);
	c->wss = env_u64(envp, FL_ENV_WSS, 0) != 0;
	c->follow = env_u64(envp, FL_ENV_FOLLOW, 1) != 0;
	c->no_argv = env_u64(envp, FL_ENV_NO_ARGV, 0) != 0;
	c->quiet = env_u64(envp, FL_ENV_QUIET, 0) != 0;
	c->run = env_u64(envp, FL_ENV_RUN, 0);
	c->compress = env_u64(envp, FL_ENV_COMPRESS, 0) != 0;
	/* 3, for tests only: version 3's columns instead of the coded line */
	n = env_u64(envp, FL_ENV_COMPACT, 1);
	/* Version 3's columns by default: the range-coded lines are ~15 %
	 * smaller but cost the program ~25 ns a heap call and the reader
	 * ~1.5x the time (doc/limits.md), so they are asked for. */
	c->compact = n == FL_COMPACT_CODED ? FL_COMPACT_CODED : n ? FL_COMPACT_COLUMNS : 0;
	c->exec_faults_fd = -1;
	if ((n = env_u64(envp, FL_ENV_EXEC_FAULTS_FD, 0)) >= 3 && n < (1u << 20))
		c->exec_faults_fd = (int)n;

	c->env_len = 0;
	for (char **e = envp ? envp : environ; e && *e; e++) {
		size_t l = strlen(*e) + 1;
		if (strncmp(*e, "FAULTLINE_", 10) != 0 ||
		    strncmp(*e, FL_ENV_PARENT "=", sizeof(FL_ENV_PARENT)) == 0 ||
		    /* the fd is this process's only */
		    strncmp(*e, FL_ENV_EXEC_FAULTS_FD "=", sizeof(FL_ENV_EXEC_FAULTS_FD)) == 0 ||
		    c->env_len + l > sizeof(c->env))
			continue;
		memcpy(c->env + c->env_len, *e, l);
		c->env_len += l;
	}

	faults = fl_config_env(envp, FL_ENV_FAULTS);
	if (!faults || !*faults)
		/* --wss: telling its tracking faults from the program's needs
		 * every fault's page history (and the tracking costs far more
		 * than sampling every fault does). */
		c->faults_period = c->wss ? 1 : FL_DEFAULT_FAULTS_PERIOD;
	else if (strcmp(faults, "all") == 0)
		c->faults_period = 1;
	else if (strcmp(faults, "off") == 0)
		c->faults_period = 0;
	else if (fl_parse_u64(faults, &c->faults_period) != 0)
		c->faults_period = FL_DEFAULT_FAULTS_PERIOD;
}

int fl_config_env_set(const char *name, const char *value)
{
	struct fl_config *c = &fl_config;
	size_t n = strlen(name), v = strlen(value);
	for (size_t i = 0; i < c->env_len;) {
		size_t l = strlen(c->env + i) + 1;
		if (strncmp(c->env + i, name, n) != 0 || c->env[i + n] != '=') {
			i += l;
			continue;
		}
		memmove(c->env + i, c->env + i + l, c->env_len - i - l);
		c->env_len -= l;
	}
	if (c->env_len + n + 1 + v + 1 > sizeof(c->env))
		return -1;
	memcpy(c->env + c->env_len, name, n);
	c->env[c->env_len + n] = '=';
	memcpy(c->env + c->env_len + n + 1, value, v + 1);
	c->env_len += n + 1 + v + 1;
	return 0;
}

void fl_config_finish(const char *lib_path)
{
	struct fl_config *c = &fl_config;
	char cwd[FL_PATH_MAX];
	long n;

	copy_str(c->lib, sizeof(c->lib), lib_path);
	if (!c->out_dir[0] || c->out_dir[0] == '/')
		return;
	n = syscall(SYS_getcwd, cwd, sizeof(cwd));
	if (n <= 0 || strlen(cwd) + strlen(c->out_dir) + 2 > sizeof(c->out_dir))
		return;
	memmove(c->out_dir + strlen(cwd) + 1, c->out_dir, strlen(c->out_dir) + 1);
	memcpy(c->out_dir, cwd, strlen(cwd));
	c->out_dir[strlen(cwd)] = '/';
}
