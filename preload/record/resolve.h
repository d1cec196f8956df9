/*
 * The real functions behind our hooks, found with dlsym(RTLD_NEXT) once,
 * all of them here: the only place the shim looks a symbol up.
 * dlsym itself may call calloc/malloc before they are found: those calls are
 * served from a static bootstrap arena, and free() ignores its pointers.
 */
#ifndef FL_RESOLVE_H
#define FL_RESOLVE_H

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "faultline/compiler.h"

struct fl_real {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	void (*free)(void *);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mmap64)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*mprotect)(void *, size_t, int);
	int (*madvise)(void *, size_t, int);
	int (*brk)(void *);
	void *(*sbrk)(intptr_t);
	/* the read family (hooks_io.c); optional */
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pread64)(int, void *, size_t, off_t);
	ssize_t (*readv)(int, const void *, int);
	ssize_t (*preadv)(int, const void *, int, off_t);
	ssize_t (*preadv64)(int, const void *, int, off_t);
	ssize_t (*preadv2)(int, const void *, int, off_t, int);
	ssize_t (*preadv64v2)(int, const void *, int, off_t, int);
	int (*close)(int);
	/* processes (hooks_fork.c, hooks_exec.c, hooks_exit.c); optional */
	pid_t (*fork)(void);
	pid_t (*_Fork)(void);
	int (*clone)(int (*)(void *), void *, int, void *, ...);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[], char *const[]);
	FILE *(*popen)(const char *, const char *);
	int (*system)(const char *);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	int (*waitid)(idtype_t, id_t, siginfo_t *, int);
	void (*_exit)(int);
	void (*_Exit)(int);
	/* signals (hooks_signal.c) */
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	__sighandler_t (*signal)(int, __sighandler_t);
	/* threads (hooks_thread.c) */
	int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
};

extern struct fl_real fl_real FL_HIDDEN;

/* The loaded object that holds addr: its path as the loader has it ("" for
 * the main program) and its load base, as dladdr's dli_fname and (but for
 * the main program of a non-PIE) dli_fbase. 0 if no object holds it. */
int fl_resolve_object_of(const void *addr, const char **path, uintptr_t *base);

/* Resolves every symbol; returns 0, or -1 naming the first missing one. */
int fl_resolve_all(const char **missing);
/* 1 while resolution is under way (hooks must use the bootstrap arena). */
extern int fl_resolving FL_HIDDEN;

void *fl_bootstrap_alloc(size_t size, size_t align);
/* The end of what the arena handed out so far. */
char *fl_bootstrap_end(void);
#define FL_BOOTSTRAP_BYTES (64 * 1024)
extern char fl_bootstrap_arena_[FL_BOOTSTRAP_BYTES] FL_HIDDEN;
/* Inline: free() asks on every call. */
static inline int fl_bootstrap_owns(const void *p)
{
	return (uintptr_t)p - (uintptr_t)fl_bootstrap_arena_ < FL_BOOTSTRAP_BYTES;
}

#endif
