#include "probes/buildid.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/sys.h"
#include "probes/pagemap.h"

#define MAX_OBJECTS 1024
#define MAX_ID 64
/* The bytes read at an object's start (its ELF header and program
 * headers), and of one note segment. */
#define HEAD_BYTES 4096
#define NOTE_BYTES 4096

struct object {
	uintptr_t start;
	uint64_t inode;
	uint8_t len; /* 0: no build-id (or no ELF object) */
	uint8_t id[MAX_ID];
	/* Its unwind tables, as page offsets from start: from .eh_frame_hdr
	 * (PT_GNU_EH_FRAME) to the end of the segment that holds it, where
	 * .eh_frame and .gcc_except_table follow; 0 and 0 without them. */
	uint64_t eh_lo, eh_hi;
};

/* The objects read so far, the oldest dropped first when full; this and
 * the rest are used under the writer lock, as every caller holds it. */
static struct object seen[MAX_OBJECTS];
static int nseen, next_slot;
/* The objects the loader had mapped at the start, walked then: what a
 * process that may not call process_vm_readv (a seccomp filter that
 * refuses it, as Docker's did before 20.10 and systemd's @system-service
 * does) goes by; objects loaded later go without ids there. */
static struct object at_start[MAX_OBJECTS];
static int nat_start, vm_read_refused;

/* Copies len bytes at addr in this process's memory into buf: 1, or 0 where
 * any of them is not mapped readable (no fault), or where the system call
 * is refused (then vm_read_refused is set). */
static int peek(uintptr_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)addr, len};
	ssize_t r = fl_sys_process_vm_readv(fl_sys_getpid(), &local, &remote);
	if (r < 0 && r != -EFAULT)
		vm_read_refused = 1;
	return r == (ssize_t)len;
}

static int id_from_notes(const char *p, size_t size, size_t align, struct object *o)
{
	while (size >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const void *)p;
		size_t name = (nh->n_namesz + align - 1) & ~(align - 1);
		size_t desc = (nh->n_descsz + align - 1) & ~(align - 1);
		size_t whole = sizeof(*nh) + name + desc;
		if (whole > size || name > size || desc > size)
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

/* The unwind tables' page range of an object from its program headers
 * (phdrs, n of them), relative to the first page of its lowest segment
 * (where start maps it). */
static void unwind_range(const char *phdrs, int n, struct object *o)
{
	Elf64_Phdr ph, hdr = {0};
	uint64_t low = UINT64_MAX, lo, hi;
	int have_hdr = 0;
	for (int i = 0; i < n; i++) {
		memcpy(&ph, phdrs + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_vaddr < low)
			low = ph.p_vaddr;
		if (ph.p_type == PT_GNU_EH_FRAME) {
			hdr = ph;
			have_hdr = 1;
		}
	}
	if (!have_hdr || low == UINT64_MAX)
		return;
	low &= ~(uint64_t)4095;
	for (int i = 0; i < n; i++) {
		memcpy(&ph, phdrs + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || hdr.p_vaddr < ph.p_vaddr ||
		    hdr.p_vaddr - ph.p_vaddr >= ph.p_memsz || ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			continue;
		lo = (hdr.p_vaddr - low) & ~(uint64_t)4095;
		hi = (ph.p_vaddr + ph.p_memsz - low + 4095) & ~(uint64_t)4095;
		if (hi > lo) {
			o->eh_lo = lo;
			o->eh_hi = hi;
		}
		return;
	}
}

/* The build-id and the unwind tables of the object whose file starts at
 * [start, end): its notes sit at their file offsets from start (the loader
 * maps the first segment, headers and notes with it, at offset 0). */
static void read_id(uintptr_t start, uintptr_t end, struct object *o)
{
	static char head[HEAD_BYTES], note[NOTE_BYTES]; /* writer lock held */
	size_t span = end > start ? end - start : 0, have = span < HEAD_BYTES ? span : HEAD_BYTES;
	const Elf64_Ehdr *eh = (const void *)head;
	if (have < sizeof(*eh) || !peek(start, head, have) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > have ||
	    (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > have - eh->e_phoff)
		return;
	unwind_range(head + eh->e_phoff, eh->e_phnum, o);
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, head + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_filesz > NOTE_BYTES || ph.p_offset > span ||
		    ph.p_filesz > span - ph.p_offset ||
		    !peek(start + ph.p_offset, note, ph.p_filesz))
			continue;
		if (id_from_notes(note, ph.p_filesz, ph.p_align == 8 ? 8 : 4, o))
			return;
	}
}

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct object *o = &at_start[nat_start];
	uintptr_t low = UINTPTR_MAX;
	int found = 0;
	(void)size;
	(void)arg;
	if (nat_start >= MAX_OBJECTS)
		return 1;
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && info->dlpi_phdr[i].p_vaddr < low)
			low = info->dlpi_phdr[i].p_vaddr;
	for (int i = 0; i < info->dlpi_phnum && !found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE)
			found = id_from_notes((const char *)(info->dlpi_addr + ph->p_vaddr),
					      ph->p_memsz, ph->p_align == 8 ? 8 : 4, o);
	}
	unwind_range((const char *)info->dlpi_phdr, info->dlpi_phnum, o);
	if ((found || o->eh_hi > o->eh_lo) && low != UINTPTR_MAX) {
		o->start = (info->dlpi_addr + low) & ~(uintptr_t)4095;
		nat_start++;
	}
	return 0;
}

void fl_buildid_init(void)
{
	nat_start = 0;
	dl_iterate_phdr(visit, NULL);
}

/* The entry of the object at start with this inode, read now if it was
 * not yet; NULL where process_vm_readv is refused (not remembered then). */
static const struct object *read_object(uintptr_t start, uintptr_t end, uint64_t inode)
{
	struct object *n = &seen[next_slot];
	for (int i = 0; i < nseen; i++)
		if (seen[i].start == start && seen[i].inode == inode)
			return &seen[i];
	if (vm_read_refused)
		return NULL;
	/* A first page not yet in the page tables is a data file's the program
	 * has not touched (the loader has read every object's headers through
	 * its mapping): reading it would fault it in, a page in the program's
	 * RSS and a read from the disk if it is cold. Looked at again later,
	 * not remembered. */
	if (fl_pagemap_page_present(start) == 0)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->start = start;
	n->inode = inode;
	read_id(start, end, n);
	if (vm_read_refused)
		return NULL;
	next_slot = (next_slot + 1) % MAX_OBJECTS;
	if (nseen < MAX_OBJECTS)
		nseen++;
	return n;
}

/* read_object(), or where process_vm_readv is refused the walk at the
 * start's entry, by address; NULL if neither has the object. */
static const struct object *find_object(uintptr_t start, uintptr_t end, uint64_t inode)
{
	const struct object *o = read_object(start, end, inode);
	for (int i = 0; !o && vm_read_refused && i < nat_start; i++)
		if (at_start[i].start == start)
			o = &at_start[i];
	return o;
}

int fl_buildid_hex(uintptr_t start, uintptr_t end, uint64_t inode, char *hex, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	const struct object *o = find_object(start, end, inode);
	if (!o || !o->len || cap < (size_t)o->len * 2 + 1)
		return 0;
	for (int j = 0; j < o->len; j++) {
		hex[2 * j] = digits[o->id[j] >> 4];
		hex[2 * j + 1] = digits[o->id[j] & 15];
	}
	hex[2 * o->len] = '\0';
	return 1;
}

int fl_buildid_unwind(uintptr_t start, uintptr_t end, uint64_t inode, uint64_t *lo, uint64_t *hi)
{
	const struct object *o = find_object(start, end, inode);
	if (!o || o->eh_hi <= o->eh_lo)
		return 0;
	*lo = start + o->eh_lo;
	*hi = start + o->eh_hi;
	return *hi > *lo;
}
