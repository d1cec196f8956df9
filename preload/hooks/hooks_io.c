/*
 * The read family: each call is counted per fd (calls and bytes) for the
 * "io" lines. Nothing is recorded per call, so the cost is two atomic adds.
 * Reads made inside libc (stdio's buffer refills) do not go through these
 * symbols and are not seen.
 */
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "probes/iostat.h"

#define ENSURE_REAL(name)                                                                          \
	do {                                                                                       \
		if (FL_UNLIKELY(!fl_real.name))                                                    \
			fl_init_resolve();                                                         \
	} while (0)

static ssize_t counted(int fd, ssize_t r)
{
	if (TRACING())
		fl_iostat_count(fd, r);
	return r;
}

FL_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ENSURE_REAL(read);
	if (FL_UNLIKELY(!fl_real.read))
		return syscall(SYS_read, fd, buf, n);
	return counted(fd, fl_real.read(fd, buf, n));
}

FL_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	ENSURE_REAL(pread);
	if (FL_UNLIKELY(!fl_real.pread))
		return syscall(SYS_pread64, fd, buf, n, off);
	return counted(fd, fl_real.pread(fd, buf, n, off));
}

FL_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	ENSURE_REAL(pread64);
	if (FL_UNLIKELY(!fl_real.pread64))
		return pread(fd, buf, n, off);
	return counted(fd, fl_real.pread64(fd, buf, n, off));
}

FL_EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	ENSURE_REAL(readv);
	if (FL_UNLIKELY(!fl_real.readv))
		return syscall(SYS_readv, fd, iov, cnt);
	return counted(fd, fl_real.readv(fd, iov, cnt));
}

FL_EXPORT ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ENSURE_REAL(preadv);
	if (FL_UNLIKELY(!fl_real.preadv))
		return syscall(SYS_preadv, fd, iov, cnt, off, 0);
	return counted(fd, fl_real.preadv(fd, iov, cnt, off));
}

FL_EXPORT ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
{
	ENSURE_REAL(preadv64);
	if (FL_UNLIKELY(!fl_real.preadv64))
		return preadv(fd, iov, cnt, off);
	return counted(fd, fl_real.preadv64(fd, iov, cnt, off));
}

FL_EXPORT ssize_t preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	ENSURE_REAL(preadv2);
	if (FL_UNLIKELY(!fl_real.preadv2))
		return syscall(SYS_preadv2, fd, iov, cnt, off, 0, flags);
	return counted(fd, fl_real.preadv2(fd, iov, cnt, off, flags));
}

FL_EXPORT ssize_t preadv64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	ENSURE_REAL(preadv64v2);
	if (FL_UNLIKELY(!fl_real.preadv64v2))
		return preadv2(fd, iov, cnt, off, flags);
	return counted(fd, fl_real.preadv64v2(fd, iov, cnt, off, flags));
}

/* A closed fd's reads go out under its path; the number's next file starts
 * from zero. Not in a vfork child: its fd table is its own, its memory (and
 * so the counts) the parent's. */
FL_EXPORT int close(int fd)
{
	ENSURE_REAL(close);
	if (TRACING() && !fl_proc_in_vfork_child())
		fl_iostat_closing(fd);
	if (FL_UNLIKELY(!fl_real.close))
		return (int)syscall(SYS_close, fd);
	return fl_real.close(fd);
}
