#include "base/log.h"

#include <string.h>

#include "base/config.h"
#include "base/fmt.h"
#include "base/sys.h"

#define MAX_SEEN 32

static const char *seen[MAX_SEEN];
static int seen_err[MAX_SEEN];
static int nseen, ntaken;

static const char *errno_name(int e)
{
	switch (e) {
	case 1:
		return "EPERM";
	case 2:
		return "ENOENT";
	case 9:
		return "EBADF";
	case 12:
		return "ENOMEM";
	case 13:
		return "EACCES";
	case 17:
		return "EEXIST";
	case 20:
		return "ENOTDIR";
	case 22:
		return "EINVAL";
	case 24:
		return "EMFILE";
	case 28:
		return "ENOSPC";
	case 30:
		return "EROFS";
	case 38:
		return "ENOSYS";
	case 40:
		return "ELOOP";
	case 95:
		return "EOPNOTSUPP";
	default:
		return NULL;
	}
}

static void print(const char *what, int err)
{
	char buf[512];
	size_t n = 0, l;
	const char *en;

	memcpy(buf, "faultline[", 10);
	n = 10;
	n += fl_fmt_u64(buf + n, (uint64_t)fl_sys_getpid());
	memcpy(buf + n, "]: warning: ", 12);
	n += 12;
	l = strnlen(what, 300);
	memcpy(buf + n, what, l);
	n += l;
	if (err) {
		memcpy(buf + n, ": ", 2);
		n += 2;
		en = errno_name(err);
		if (en) {
			l = strlen(en);
			memcpy(buf + n, en, l);
			n += l;
		} else {
			memcpy(buf + n, "errno ", 6);
			n += 6;
			n += fl_fmt_u64(buf + n, (uint64_t)err);
		}
	}
	buf[n++] = '\n';
	fl_sys_write_all(2, buf, n);
}

void fl_log_warn(const char *what, int err)
{
	int i, n;

	if (fl_config.quiet)
		return;
	if (!fl_config.out_dir[0]) {
		print(what, err);
		return;
	}
	n = __atomic_load_n(&nseen, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++)
		if (seen[i] == what)
			return;
	i = __atomic_fetch_add(&nseen, 1, __ATOMIC_ACQ_REL);
	if (i >= MAX_SEEN) {
		__atomic_store_n(&nseen, MAX_SEEN, __ATOMIC_RELEASE);
		return;
	}
	seen_err[i] = err;
	__atomic_store_n(&seen[i], what, __ATOMIC_RELEASE);
}

int fl_log_take(const char **what, int *err)
{
	int n = __atomic_load_n(&nseen, __ATOMIC_ACQUIRE);
	const char *w;
	if (ntaken >= n || ntaken >= MAX_SEEN)
		return 0;
	w = __atomic_load_n(&seen[ntaken], __ATOMIC_ACQUIRE);
	if (!w)
		return 0; /* being filled in: next time */
	*what = w;
	*err = seen_err[ntaken++];
	return 1;
}
