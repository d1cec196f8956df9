#include "record/resolve.h"

#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

struct fl_real fl_real;
int fl_resolving;

/* dlsym's allocations before the real calloc is known: a few KiB at most. */
char fl_bootstrap_arena_[FL_BOOTSTRAP_BYTES] __attribute__((aligned(64)));
#define arena fl_bootstrap_arena_
static size_t arena_used;

/* Each block has a word before it that reads as glibc's header of a chunk
 * it mapped for itself (bit 1): free()'s inline path, which reads that
 * header, sends the block to the path that knows the arena. */
void *fl_bootstrap_alloc(size_t size, size_t align)
{
	size_t start, end;
	if (align < 16)
		align = 16;
	for (;;) {
		size_t cur = __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
		start = (cur + sizeof(uint64_t) + align - 1) & ~(align - 1);
		end = start + size;
		if (end > sizeof(arena) || end < start)
			return NULL;
		if (__atomic_compare_exchange_n(&arena_used, &cur, end, 0, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	}
	((uint64_t *)(void *)(arena + start))[-1] = 2;
	return arena + start; /* static storage: already zero, as calloc needs */
}

char *fl_bootstrap_end(void)
{
	return arena + __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
}

#define RESOLVE(name)                                                                              \
	do {                                                                                       \
		*(void **)&fl_real.name = dlsym(RTLD_NEXT, #name);                                 \
		if (!fl_real.name && required) {                                                   \
			*missing = #name;                                                          \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

int fl_resolve_all(const char **missing)
{
	int required = 1;
	fl_resolving = 1;
	RESOLVE(malloc);
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(free);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(malloc_usable_size);
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(mremap);
	RESOLVE(mprotect);
	RESOLVE(madvise);
	RESOLVE(brk);
	RESOLVE(sbrk);
	required = 0; /* another allocator may not provide these */
	RESOLVE(reallocarray);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(mmap64);
	RESOLVE(read);
	RESOLVE(pread);
	RESOLVE(pread64);
	RESOLVE(readv);
	RESOLVE(preadv);
	RESOLVE(preadv64);
	RESOLVE(preadv2);
	RESOLVE(preadv64v2);
	RESOLVE(close);
	RESOLVE(fork);
	RESOLVE(_Fork);
	RESOLVE(clone);
	RESOLVE(execve);
	RESOLVE(execvpe);
	RESOLVE(fexecve);
	RESOLVE(execveat);
	RESOLVE(posix_spawn);
	RESOLVE(posix_spawnp);
	RESOLVE(popen);
	RESOLVE(system);
	RESOLVE(wait4);
	RESOLVE(waitid);
	RESOLVE(_exit);
	RESOLVE(_Exit);
	RESOLVE(sigaction);
	RESOLVE(signal);
	RESOLVE(pthread_create);
	fl_resolving = 0;
	return 0;
fail:
	fl_resolving = 0;
	return -1;
}

/* dladdr would also search the object's symbol table for the nearest name,
 * linearly: two calls on libc symbols took ~70 us of every traced
 * process's start (perf record over 300 starts), where only the object was
 * wanted. */
struct object_query {
	uintptr_t addr;
	const char *path;
	uintptr_t base;
};

static int object_of(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct object_query *q = arg;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && q->addr >= lo && q->addr < lo + ph->p_memsz) {
			q->path = info->dlpi_name;
			q->base = info->dlpi_addr;
			return 1;
		}
	}
	return 0;
}

int fl_resolve_object_of(const void *addr, const char **path, uintptr_t *base)
{
	struct object_query q = {(uintptr_t)addr, NULL, 0};
	if (!dl_iterate_phdr(object_of, &q))
		return 0;
	*path = q.path ? q.path : "";
	*base = q.base;
	return 1;
}
