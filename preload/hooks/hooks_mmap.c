/*
 * The mapping family: every call is recorded with its arguments, result,
 * errno and backtrace; a file mapping also with the file's path. munmap is
 * recorded before the real call so the range cannot be reused first.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fmt.h"
#include "hooks/hooks.h"
#include "record/commit.h"
#include "record/record.h"
#include "record/resolve.h"
#include "base/sys.h"
#include "record/thread.h"
#include "session/snapshot.h"

static void record_call(enum fl_call c, enum fl_ev_kind k, const uint64_t *a, int n,
			uint64_t result, int err, const void *path, size_t path_len,
			uint32_t ev_flags)
{
	struct fl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint16_t)k;
	ev.flags = ev_flags;
	for (int i = 0; i < n; i++)
		ev.a[i] = a[i];
	ev.a[6] = result;
	ev.a[7] = (uint64_t)err;
	ev.str_len = (uint32_t)path_len;
	fl_record_event(c, &ev, path, 1);
}

static size_t fd_path(int fd, char *buf, size_t cap)
{
	char link[32] = "/proc/self/fd/";
	size_t n = 14;
	ssize_t r;
	n += fl_fmt_u64(link + n, (uint64_t)fd);
	link[n] = '\0';
	r = fl_sys_readlink(link, buf, cap);
	return r > 0 ? (size_t)r + 1 : 0;
}

/* A reservation the commit charge counts (private, writable, anonymous),
 * large enough that its charge is recorded with it: strict mode decides on
 * the charge of the moment, and a failed one is the refusal itself. */
static int charged_reservation(size_t len, int prot, int flags)
{
	return (flags & MAP_PRIVATE) && (flags & MAP_ANONYMOUS) && (prot & PROT_WRITE) &&
	       len >= fl_config.large_bytes;
}

static void *mmap_common(void *(*real)(void *, size_t, int, int, int, off_t), void *addr,
			 size_t len, int prot, int flags, int fd, off_t off)
{
	void *r;
	int err;
	char path[1024];
	size_t plen = 0;
	uint32_t ev_flags = 0;
	struct fl_commit charge;
	uint64_t a[6] = {(uintptr_t)addr, len,		(uint64_t)prot,
			 (uint64_t)flags, (uint64_t)fd, (uint64_t)off};
	if (!TRACING())
		return real(addr, len, prot, flags, fd, off);
	fl_guard_set(1);
	r = real(addr, len, prot, flags, fd, off);
	err = r == MAP_FAILED ? errno : 0;
	if (!(flags & MAP_ANONYMOUS) && fd >= 0) {
		plen = fd_path(fd, path, sizeof(path));
	} else if (charged_reservation(len, prot, flags)) {
		fl_commit_read(&charge);
		ev_flags = FL_EVF_CHARGE;
	}
	record_call(FL_CALL_MMAP, FL_EVK_MMAP, a, 6, (uintptr_t)r, err,
		    ev_flags ? (const void *)&charge : path, ev_flags ? sizeof(charge) : plen,
		    ev_flags);
	errno = err ? err : errno;
	fl_guard_set(0);
	return r;
}

FL_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (FL_UNLIKELY(!fl_real.mmap))
		return fl_sys_mmap(addr, len, prot, flags, fd, off);
	return mmap_common(fl_real.mmap, addr, len, prot, flags, fd, off);
}

FL_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (FL_UNLIKELY(!fl_real.mmap64))
		return mmap(addr, len, prot, flags, fd, off);
	return mmap_common(fl_real.mmap64, addr, len, prot, flags, fd, off);
}

FL_EXPORT int munmap(void *addr, size_t len)
{
	int r, err;
	uint64_t a[2] = {(uintptr_t)addr, len};
	if (FL_UNLIKELY(!fl_real.munmap))
		return fl_sys_munmap(addr, len);
	if (!TRACING())
		return fl_real.munmap(addr, len);
	fl_guard_set(1);
	fl_snapshot_unmap((uintptr_t)addr, len);
	r = fl_real.munmap(addr, len);
	err = r ? errno : 0;
	record_call(FL_CALL_MUNMAP, FL_EVK_MUNMAP, a, 2, (uint64_t)(int64_t)r, err, NULL, 0, 0);
	errno = err ? err : errno;
	fl_guard_set(0);
	return r;
}

FL_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	void *r, *new_addr = NULL;
	int err;
	va_list ap;
	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (FL_UNLIKELY(!fl_real.mremap))
		fl_init_resolve();
	if (!TRACING())
		return fl_real.mremap(old, old_len, new_len, flags, new_addr);
	fl_guard_set(1);
	fl_snapshot_unmap((uintptr_t)old, old_len);
	r = fl_real.mremap(old, old_len, new_len, flags, new_addr);
	err = r == MAP_FAILED ? errno : 0;
	uint64_t a[5] = {(uintptr_t)old, old_len, new_len, (uint64_t)flags, (uintptr_t)new_addr};
	record_call(FL_CALL_MREMAP, FL_EVK_MREMAP, a, 5, (uintptr_t)r, err, NULL, 0, 0);
	errno = err ? err : errno;
	fl_guard_set(0);
	return r;
}

#define RANGE_HOOK(name, CALL, KIND)                                                               \
	FL_EXPORT int name(void *addr, size_t len, int arg)                                        \
	{                                                                                          \
		int r, err;                                                                        \
		uint64_t a[3] = {(uintptr_t)addr, len, (uint64_t)arg};                             \
		if (FL_UNLIKELY(!fl_real.name))                                                    \
			fl_init_resolve();                                                         \
		if (!TRACING())                                                                    \
			return fl_real.name(addr, len, arg);                                       \
		fl_guard_set(1);                                                                   \
		r = fl_real.name(addr, len, arg);                                                  \
		err = r ? errno : 0;                                                               \
		record_call(CALL, KIND, a, 3, (uint64_t)(int64_t)r, err, NULL, 0, 0);              \
		errno = err ? err : errno;                                                         \
		fl_guard_set(0);                                                                   \
		return r;                                                                          \
	}

RANGE_HOOK(mprotect, FL_CALL_MPROTECT, FL_EVK_MPROTECT)
RANGE_HOOK(madvise, FL_CALL_MADVISE, FL_EVK_MADVISE)

FL_EXPORT int brk(void *addr)
{
	int r, err;
	uint64_t a[1] = {(uintptr_t)addr};
	if (FL_UNLIKELY(!fl_real.brk))
		fl_init_resolve();
	if (!TRACING())
		return fl_real.brk(addr);
	fl_guard_set(1);
	r = fl_real.brk(addr);
	err = r ? errno : 0;
	record_call(FL_CALL_BRK, FL_EVK_BRK, a, 1, (uint64_t)(int64_t)r, err, NULL, 0, 0);
	errno = err ? err : errno;
	fl_guard_set(0);
	return r;
}

FL_EXPORT void *sbrk(intptr_t inc)
{
	void *r;
	int err;
	uint64_t a[1] = {(uint64_t)inc};
	if (FL_UNLIKELY(!fl_real.sbrk))
		fl_init_resolve();
	if (!TRACING())
		return fl_real.sbrk(inc);
	fl_guard_set(1);
	r = fl_real.sbrk(inc);
	err = r == (void *)-1 ? errno : 0;
	record_call(FL_CALL_SBRK, FL_EVK_BRK, a, 1, (uintptr_t)r, err, NULL, 0, 0);
	errno = err ? err : errno;
	fl_guard_set(0);
	return r;
}
