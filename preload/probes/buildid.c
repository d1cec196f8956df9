#include "probes/buildid.h"

#include <elf.h>
#include <link.h>
#include <string.h>

#include "trace/writer.h"

#define MAX_OBJECTS 1024
#define MAX_ID 64

struct object {
	uintptr_t start; /* first byte of the object's lowest PT_LOAD page */
	uint8_t len;
	uint8_t id[MAX_ID];
};

struct table {
	int n;
	struct object obj[MAX_OBJECTS];
};

/* walked: filled by the walker with no lock held; published: read under
 * the writer lock. */
static struct table walked, published;

static int id_from_notes(const char *p, size_t size, size_t align, struct object *o)
{
	while (size >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const void *)p;
		size_t name = (nh->n_namesz + align - 1) & ~(align - 1);
		size_t desc = (nh->n_descsz + align - 1) & ~(align - 1);
		size_t whole = sizeof(*nh) + name + desc;
		if (whole > size)
			return 0;
		if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    memcmp(p + sizeof(*nh), "GNU", 4) == 0 && nh->n_descsz > 0 &&
		    nh->n_descsz <= MAX_ID) {
			o->len = (uint8_t)nh->n_descsz;
			memcpy(o->id, p + sizeof(*nh) + name, nh->n_descsz);
			return 1;
		}
		p += whole;
		size -= whole;
	}
	return 0;
}

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct table *t = arg;
	struct object o;
	uintptr_t low = UINTPTR_MAX;
	int found = 0;
	(void)size;
	if (t->n >= MAX_OBJECTS)
		return 1;
	memset(&o, 0, sizeof(o));
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_vaddr < low)
			low = info->dlpi_phdr[i].p_vaddr;
	for (int i = 0; i < info->dlpi_phnum && !found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE)
			found = id_from_notes((const char *)(info->dlpi_addr + ph->p_vaddr),
					      ph->p_memsz, ph->p_align == 8 ? 8 : 4, &o);
	}
	if (!found || low == UINTPTR_MAX)
		return 0;
	o.start = (info->dlpi_addr + low) & ~(uintptr_t)4095;
	t->obj[t->n++] = o;
	return 0;
}

static int same_objects(const struct table *a, const struct table *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->obj[i].start != b->obj[i].start || a->obj[i].len != b->obj[i].len ||
		    memcmp(a->obj[i].id, b->obj[i].id, a->obj[i].len) != 0)
			return 0;
	return 1;
}

/* One walker at a time: ticks run on any program thread now, and the walk
 * fills one shared table. */
static int walking;

int fl_buildid_refresh(void (*changed_locked)(void), int wait)
{
	int changed = 0;
	if (__atomic_exchange_n(&walking, 1, __ATOMIC_ACQUIRE))
		return 0; /* another thread is walking: the next tick looks again */
	walked.n = 0;
	dl_iterate_phdr(visit, &walked);
	/* A tick never waits for the writer: it runs on a program thread. */
	if (wait)
		fl_writer_lock();
	else if (fl_writer_trylock(0) != 0)
		goto out;
	changed = !same_objects(&walked, &published);
	/* An object loaded since the last snapshot may have gone out without
	 * its id: the next snapshot is written even if the VMAs look alike. */
	if (changed) {
		changed_locked();
		memcpy(&published, &walked,
		       offsetof(struct table, obj) + (size_t)walked.n * sizeof(walked.obj[0]));
	}
	fl_writer_unlock();
out:
	__atomic_store_n(&walking, 0, __ATOMIC_RELEASE);
	return changed;
}

int fl_buildid_hex(uintptr_t start, char *hex, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < published.n; i++) {
		const struct object *o = &published.obj[i];
		if (o->start != start)
			continue;
		if (cap < (size_t)o->len * 2 + 1)
			return 0;
		for (int j = 0; j < o->len; j++) {
			hex[2 * j] = digits[o->id[j] >> 4];
			hex[2 * j + 1] = digits[o->id[j] & 15];
		}
		hex[2 * o->len] = '\0';
		return 1;
	}
	return 0;
}
