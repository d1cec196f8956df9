/*
 * Symbolization of stack frames and fault IPs, after the fact: an address of
 * a process image at a time -> the VMA holding it (model) -> the ELF object
 * on disk -> function + offset, and file:line from DWARF. libdwfl finds the
 * symbols and DWARF the standard way: the object's own .symtab, else its
 * separate debug file (by build-id under /usr/lib/debug/.build-id, by
 * .gnu_debuglink, or from debuginfod when DEBUGINFOD_URLS is set), else
 * .dynsym and MiniDebugInfo. A debug file is used only when its build-id is
 * the object's. The file offset of the
 * address (VMA offset + addr - VMA start) is turned into an ELF virtual
 * address through the object's PT_LOAD headers, so PIE executables and
 * shared objects resolve wherever they were loaded.
 *
 * Objects are opened once and cached. When the trace's maps give an inode
 * that differs from the file on disk now, or the object's build-id cannot
 * be confirmed to be the one that ran, a warning is printed once per object
 * ("faultline: warning: '/lib/x.so' changed since the trace was recorded")
 * and its symbols are not used: better no name than a wrong one.
 */
#ifndef FL_SYMBOLS_H
#define FL_SYMBOLS_H

#include <stdint.h>

#include "model/model.h"

struct fl_symbols;

struct fl_sym {
	const char *func;   /* NULL when unknown; owned by the symbols cache */
	uint64_t func_off;  /* addr - symbol start */
	const char *object; /* path of the mapped object, or NULL */
	uint64_t obj_off;   /* file offset of addr within object */
	const char *file;   /* source file (DWARF), or NULL */
	int line;	    /* 0 when unknown */
};

/* flags */
#define FL_SYM_NO_LINES (1 << 0) /* skip DWARF file:line (faster) */

struct fl_symbols *fl_symbols_new(int flags);
void fl_symbols_free(struct fl_symbols *s);

/*
 * Resolves addr in process p at time t. For a return address (stack frames
 * after the first one... and frame 0 too: every recorded frame is a return
 * address) pass is_return = 1 so that file:line names the call, not the
 * instruction after it. Returns 0 when a function name was found, -1
 * otherwise (out still carries the object when known). s may be NULL
 * (--no-symbols): then only the object is filled.
 */
int fl_symbols_lookup(struct fl_symbols *s, const struct fl_proc *p, uint64_t addr, uint64_t t,
		      int is_return, struct fl_sym *out);

/*
 * Formats one frame for display into buf: "func+0x12 (file.c:42)",
 * "func (libc.so.6)", or "0x7f... (libc.so.6+0x1234)" when no name is known.
 */
const char *fl_symbols_format(const struct fl_sym *sym, uint64_t addr, char *buf, size_t len);

/*
 * The first frame of a stack that is the program's: past the leading frames
 * inside the shim (libfaultline.so) and inside libunwind when the shim called
 * it (libunwind frames before a shim frame). A shim that was interrupted, or
 * an older one, may have recorded them; every stack shown starts here.
 * Returns st->nframes when every frame is the shim's, 0 when none is.
 */
uint32_t fl_symbols_first_frame(const struct fl_proc *p, const struct fl_stack *st, uint64_t t);

/*
 * The first frame of a stack, from fl_symbols_first_frame() on, that is not
 * inside the allocator plumbing
 * (libc's malloc internals, libstdc++'s operator new, the shim, and the
 * program's own wrappers whose name contains malloc, calloc or realloc:
 * PyMem_Malloc, Perl_safesysmalloc, g_malloc0): the "allocation site"
 * reports name. Returns the frame index; when every frame is plumbing, the
 * first frame that is the program's (0 if none is).
 */
int fl_symbols_site_frame(struct fl_symbols *s, const struct fl_proc *p, const struct fl_stack *st,
			  uint64_t t);

#endif
