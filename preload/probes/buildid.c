#include "probes/buildid.h"

#include <elf.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/sys.h"

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
};

/* The objects read so far, the oldest dropped first when full (under the
 * writer lock, as every caller holds it). */
static struct object seen[MAX_OBJECTS];
static int nseen, next_slot;

/* Copies len bytes at addr in this process's memory into buf: 1, or 0 where
 * any of them is not mapped readable (no fault). */
static int peek(uintptr_t addr, void *buf, size_t len)
{
	struct iovec local = {buf, len}, remote = {(void *)addr, len};
	return fl_sys_process_vm_readv(fl_sys_getpid(), &local, &remote) == (ssize_t)len;
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

/* The build-id of the object whose file starts at [start, end): its notes
 * sit at their file offsets from start (the loader maps the first segment,
 * headers and notes with it, at offset 0). */
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

int fl_buildid_hex(uintptr_t start, uintptr_t end, uint64_t inode, char *hex, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	const struct object *o = NULL;
	for (int i = 0; i < nseen && !o; i++)
		if (seen[i].start == start && seen[i].inode == inode)
			o = &seen[i];
	if (!o) {
		struct object *n = &seen[next_slot];
		memset(n, 0, sizeof(*n));
		n->start = start;
		n->inode = inode;
		read_id(start, end, n);
		next_slot = (next_slot + 1) % MAX_OBJECTS;
		if (nseen < MAX_OBJECTS)
			nseen++;
		o = n;
	}
	if (!o->len || cap < (size_t)o->len * 2 + 1)
		return 0;
	for (int j = 0; j < o->len; j++) {
		hex[2 * j] = digits[o->id[j] >> 4];
		hex[2 * j + 1] = digits[o->id[j] & 15];
	}
	hex[2 * o->len] = '\0';
	return 1;
}
