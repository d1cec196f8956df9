/*
 * Symbols are resolved lazily and cached per object file. A stack frame is
 * a return address: DWARF lines are looked up at addr - 1 so that the line
 * named is the call, not the statement after it.
 */
#include "model/symbols.h"

#include <elfutils/libdwelf.h>
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/perfmap.h"
#include "util/diag.h"
#include "util/xalloc.h"

struct sym {
	uint64_t addr, size;
	const char *name;
	int rank; /* among aliases at one address, the lowest is shown */
};

struct load {
	uint64_t offset, vaddr, filesz;
};

struct obj {
	char *path;
	int usable;
	int lines; /* look up file:line (libdwfl reads the DWARF on first use) */
	int fd;
	Elf *elf;   /* the file itself: its build-id and load segments */
	Dwfl *dwfl; /* the same file as libdwfl sees it, with its debug file */
	Dwfl_Module *mod;
	Dwarf_Addr bias; /* module address - ELF virtual address */
	struct load *loads;
	size_t nloads;
	struct sym *syms;
	size_t nsyms, syms_cap;
	char *names; /* owned copies of the names (the Elf can be closed) */
	size_t names_len, names_cap;
	char **demangled; /* C++ names shown demangled, made on first use */
	size_t ndemangled;
};

#define CACHE_SIZE 65536

struct cache_ent {
	const struct obj *o;
	uint64_t vaddr;
	int is_return;
	int valid;
	struct fl_sym sym;
};

/* The perf map of one process image, looked for once (map NULL: none). */
struct jit {
	const struct fl_proc *p;
	struct fl_perfmap *map;
};

struct fl_symbols {
	int flags;
	struct obj **objs;
	size_t nobjs;
	struct jit *jits;
	size_t njits;
	struct cache_ent *cache;
};

struct fl_symbols *fl_symbols_new(int flags)
{
	struct fl_symbols *s = fl_xcalloc(1, sizeof(*s));
	s->flags = flags;
	s->cache = fl_xcalloc(CACHE_SIZE, sizeof(*s->cache));
	elf_version(EV_CURRENT);
	return s;
}

static void obj_free(struct obj *o)
{
	if (o->dwfl)
		dwfl_end(o->dwfl);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd >= 0)
		close(o->fd);
	free(o->loads);
	free(o->syms);
	free(o->names);
	for (size_t i = 0; i < o->ndemangled; i++)
		free(o->demangled[i]);
	free(o->demangled);
	free(o->path);
	free(o);
}

void fl_symbols_free(struct fl_symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nobjs; i++)
		obj_free(s->objs[i]);
	free(s->objs);
	for (size_t i = 0; i < s->njits; i++)
		fl_perfmap_free(s->jits[i].map);
	free(s->jits);
	free(s->cache);
	free(s);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Prefer sized symbols (functions) over zero-sized labels at the same address. */
	if (x->size != y->size)
		return (x->size < y->size) - (x->size > y->size);
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Copies name into o->names; its offset stands in for the pointer until
 * every name is copied (the buffer moves as it grows). */
static void add_sym(struct obj *o, const GElf_Sym *st, uint64_t vaddr, const char *name)
{
	/* A debug file's .symtab names versions ("_IO_fgets@@GLIBC_2.2.5"):
	 * the name is what .dynsym and the user's code call it. */
	size_t len = strcspn(name, "@");
	static const int by_binding[] = {[STB_GLOBAL] = 0, [STB_WEAK] = 1, [STB_LOCAL] = 2};
	int bind = GELF_ST_BIND(st->st_info);
	FL_GROW(o->syms, o->syms_cap, o->nsyms + 1);
	o->syms[o->nsyms].addr = vaddr;
	o->syms[o->nsyms].size = st->st_size;
	o->syms[o->nsyms].name = (const char *)(uintptr_t)o->names_len;
	/* Aliases: the name the program calls, with the fewest leading
	 * underscores ("fgets", not "_IO_fgets"), global over weak over local. */
	o->syms[o->nsyms].rank =
	    (int)strspn(name, "_") * 4 + (bind <= STB_WEAK ? by_binding[bind] : 2);
	FL_GROW(o->names, o->names_cap, o->names_len + len + 1);
	memcpy(o->names + o->names_len, name, len);
	o->names[o->names_len + len] = '\0';
	o->names_len += len + 1;
	o->nsyms++;
}

/*
 * The function symbols of the best table libdwfl finds for the object: its
 * own .symtab, else the one of its debug file (found by build-id under
 * /usr/lib/debug/.build-id, by .gnu_debuglink, or from debuginfod when
 * DEBUGINFOD_URLS is set), else .dynsym; plus the MiniDebugInfo symbols of
 * .gnu_debugdata. Addresses are kept as the object's ELF virtual addresses.
 */
static void load_symbols(struct obj *o)
{
	int n = dwfl_module_getsymtab(o->mod);
	for (int i = 1; i < n; i++) {
		GElf_Sym st;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name =
		    dwfl_module_getsym_info(o->mod, i, &st, &addr, &shndx, NULL, NULL);
		if (!name || !*name || GELF_ST_TYPE(st.st_info) != STT_FUNC || shndx == SHN_UNDEF ||
		    !st.st_value)
			continue;
		add_sym(o, &st, addr - o->bias, name);
	}
}

/* The object as a libdwfl module at its own addresses, over a copy of o->fd
 * (libdwfl takes the descriptor it is given). */
static int report_module(struct obj *o)
{
	static const Dwfl_Callbacks callbacks = {
	    .find_elf = dwfl_build_id_find_elf,
	    .find_debuginfo = dwfl_standard_find_debuginfo,
	    .section_address = dwfl_offline_section_address,
	};
	int fd = dup(o->fd);
	if (fd < 0)
		return -1;
	o->dwfl = dwfl_begin(&callbacks);
	if (!o->dwfl) {
		close(fd);
		return -1;
	}
	o->mod = dwfl_report_elf(o->dwfl, o->path, o->path, fd, 0, false);
	dwfl_report_end(o->dwfl, NULL, NULL);
	if (!o->mod) {
		close(fd);
		return -1;
	}
	if (!dwfl_module_getelf(o->mod, &o->bias))
		return -1;
	return 0;
}

static void load_phdrs(struct obj *o)
{
	size_t n;
	if (elf_getphdrnum(o->elf, &n) != 0)
		return;
	o->loads = fl_xcalloc(n + 1, sizeof(*o->loads));
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(o->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		o->loads[o->nloads].offset = ph.p_offset;
		o->loads[o->nloads].vaddr = ph.p_vaddr;
		o->loads[o->nloads].filesz = ph.p_filesz;
		o->nloads++;
	}
}

/* Whether the file on disk is the one the run mapped. The build-id the run
 * saw decides when both sides have one: a file touched or copied unchanged
 * is still the one, a rebuilt or upgraded one is not (whatever its times
 * say). Otherwise: the same inode, not modified since the run started. */
static int same_file(const struct obj *o, const struct fl_proc *p, const struct fl_vma *v,
		     const struct stat *st)
{
	const unsigned char *id;
	ssize_t n;
	if (v->build_id && (n = dwelf_elf_gnu_build_id(o->elf, (const void **)&id)) > 0) {
		char hex[2 * 64 + 1];
		ssize_t i;
		for (i = 0; i < n && i < 64; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		hex[2 * i] = '\0';
		if (!strcmp(hex, v->build_id))
			return 1;
		fl_warn(
		    "'%s' changed since the trace was recorded (build-id %s in the trace, %s on "
		    "disk); its symbols are not used",
		    o->path, v->build_id, hex);
		return 0;
	}
	if ((v->inode && st->st_ino != v->inode) ||
	    (p->start_realtime_ns &&
	     (uint64_t)st->st_mtim.tv_sec * 1000000000ULL + (uint64_t)st->st_mtim.tv_nsec >
		 p->start_realtime_ns)) {
		fl_warn("'%s' changed since the trace was recorded; its symbols are not used",
			o->path);
		return 0;
	}
	return 1;
}

static void obj_open(struct fl_symbols *s, struct obj *o, const struct fl_proc *p,
		     const struct fl_vma *v)
{
	struct stat st;
	o->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0 || fstat(o->fd, &st) < 0)
		return; /* gone: no names, the object is still shown */
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF)
		return;
	if (!same_file(o, p, v, &st)) {
		elf_end(o->elf);
		o->elf = NULL;
		return;
	}
	load_phdrs(o);
	if (report_module(o) < 0)
		return;
	load_symbols(o);
	for (size_t i = 0; i < o->nsyms; i++)
		o->syms[i].name = o->names + (uintptr_t)o->syms[i].name;
	if (o->nsyms > 1)
		qsort(o->syms, o->nsyms, sizeof(*o->syms), cmp_sym);
	o->lines = !(s->flags & FL_SYM_NO_LINES);
	o->usable = 1;
}

static struct obj *get_obj(struct fl_symbols *s, const struct fl_proc *p, const struct fl_vma *v)
{
	struct obj *o;
	for (size_t i = 0; i < s->nobjs; i++)
		if (!strcmp(s->objs[i]->path, v->path))
			return s->objs[i];
	o = fl_xcalloc(1, sizeof(*o));
	o->path = fl_xstrdup(v->path);
	o->fd = -1;
	obj_open(s, o, p, v);
	s->objs = fl_xrealloc(s->objs, (s->nobjs + 1) * sizeof(*s->objs));
	s->objs[s->nobjs++] = o;
	return o;
}

static int off_to_vaddr(const struct obj *o, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < o->nloads; i++)
		if (off >= o->loads[i].offset && off < o->loads[i].offset + o->loads[i].filesz) {
			*vaddr = off - o->loads[i].offset + o->loads[i].vaddr;
			return 0;
		}
	return -1;
}

static const struct sym *find_sym(const struct obj *o, uint64_t vaddr)
{
	size_t lo = 0, hi = o->nsyms;
	const struct sym *best;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	best = &o->syms[lo - 1];
	/* Walk back over zero-sized or too-short entries sharing nearby addresses. */
	for (size_t i = lo; i-- > 0 && lo - i < 8;) {
		const struct sym *c = &o->syms[i];
		if (c->size && vaddr < c->addr + c->size) {
			/* The best-ranked of its aliases comes first. */
			while (c > o->syms && c[-1].addr == c->addr && c[-1].size == c->size)
				c--;
			return c;
		}
	}
	return best->size == 0 ? best : NULL;
}

/* libstdc++'s demangler (the Itanium C++ ABI's own entry point; the
 * runtime library is on every Debian system), loaded at the first C++ name:
 * linked in, its loading and relocation were ~0.35 ms and ~47 page faults of
 * every faultline command, record included, which never demangles. Without
 * it names stay mangled. */
typedef char *(*demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);

static demangle_fn demangler(void)
{
	static int tried;
	static demangle_fn fn;
	void *lib;
	if (tried)
		return fn;
	tried = 1;
	lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (lib)
		*(void **)&fn = dlsym(lib, "__cxa_demangle");
	return fn;
}

/* The name to show: C++ symbols demangled ("ns::f(int)", not "_ZN2ns1fEi"),
 * once per symbol, only when looked up: most of a library's symbols never
 * are. A name the demangler refuses stays as it is. */
static const char *shown_name(struct obj *o, struct sym *sy)
{
	demangle_fn demangle;
	char *d;
	if (sy->name[0] != '_' || sy->name[1] != 'Z' || !(demangle = demangler()))
		return sy->name;
	/* NULL when it fails (the status says why, which nothing here needs) */
	d = demangle(sy->name, NULL, NULL, NULL);
	if (!d)
		return sy->name;
	o->demangled = fl_xrealloc(o->demangled, (o->ndemangled + 1) * sizeof(*o->demangled));
	o->demangled[o->ndemangled++] = d;
	sy->name = d;
	return d;
}

static void find_line(struct obj *o, uint64_t vaddr, struct fl_sym *out)
{
	Dwfl_Line *line;
	int lineno = 0;
	if (!o->lines || !(line = dwfl_module_getsrc(o->mod, vaddr + o->bias)))
		return;
	out->file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	out->line = lineno;
}

/* Whether the perf map at path was written during p's run: a map left in
 * /tmp by an earlier process with the same pid, or rewritten by a later
 * one, would name the wrong code. */
static int written_during_run(const char *path, const struct fl_proc *p)
{
	struct stat st;
	uint64_t mtime, end = fl_proc_realtime(p, p->end_t) + 1000000000ULL;
	if (stat(path, &st) < 0)
		return 0;
	mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
	if (!p->start_realtime_ns || (mtime >= p->start_realtime_ns && mtime <= end))
		return 1;
	fl_warn("'%s' was not written during the run of process %d; its names are not used", path,
		(int)p->pid);
	return 0;
}

/*
 * The perf map of p: the copy kept in the trace directory (DIR/perf-PID.map,
 * which outlives /tmp), else the one the program wrote, /tmp/perf-PID.map.
 */
static const struct fl_perfmap *perfmap_of(struct fl_symbols *s, const struct fl_proc *p)
{
	char path[4096], *dir;
	struct jit *j;
	for (size_t i = 0; i < s->njits; i++)
		if (s->jits[i].p == p)
			return s->jits[i].map;
	s->jits = fl_xrealloc(s->jits, (s->njits + 1) * sizeof(*s->jits));
	j = &s->jits[s->njits++];
	j->p = p;
	j->map = NULL;
	dir = fl_xstrdup(p->file ? p->file : ".");
	snprintf(path, sizeof(path), "%s/perf-%d.map", dirname(dir), (int)p->pid);
	free(dir);
	j->map = fl_perfmap_load(path);
	if (j->map)
		return j->map;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)p->pid);
	if (access(path, R_OK) == 0 && written_during_run(path, p))
		j->map = fl_perfmap_load(path);
	return j->map;
}

/* A frame in no mapped file: code generated at run time, named by the
 * program's perf map when it wrote one. */
static int jit_lookup(struct fl_symbols *s, const struct fl_proc *p, uint64_t addr, int is_return,
		      struct fl_sym *out)
{
	const struct fl_perfmap *map;
	uint64_t off;
	const char *name;
	if (!s || !(map = perfmap_of(s, p)))
		return -1;
	name = fl_perfmap_find(map, is_return && addr ? addr - 1 : addr, &off);
	if (!name)
		return -1;
	out->func = name;
	out->func_off = off + (is_return && addr ? 1 : 0);
	out->object = fl_perfmap_path(map);
	return 0;
}

int fl_symbols_lookup(struct fl_symbols *s, const struct fl_proc *p, uint64_t addr, uint64_t t,
		      int is_return, struct fl_sym *out)
{
	struct fl_vma v;
	struct obj *o;
	struct cache_ent *ce;
	uint64_t vaddr, look;
	const struct sym *sy;
	memset(out, 0, sizeof(*out));
	if (fl_proc_vma_at(p, addr, t, &v) < 0 || !v.path || v.path[0] != '/')
		return jit_lookup(s, p, addr, is_return, out);
	out->object = v.path;
	out->obj_off = v.offset + (addr - v.start);
	if (!s)
		return -1;
	o = get_obj(s, p, &v);
	if (!o->usable || off_to_vaddr(o, out->obj_off, &vaddr) < 0)
		return -1;
	ce = &s->cache[(vaddr * 0x9E3779B97F4A7C15ULL >> 48) % CACHE_SIZE];
	if (ce->valid && ce->o == o && ce->vaddr == vaddr && ce->is_return == is_return) {
		*out = ce->sym;
		out->object = v.path;
		return out->func ? 0 : -1;
	}
	look = is_return && vaddr ? vaddr - 1 : vaddr;
	sy = find_sym(o, look);
	if (sy) {
		out->func = shown_name(o, (struct sym *)sy);
		out->func_off = vaddr - sy->addr;
	}
	find_line(o, look, out);
	ce->o = o;
	ce->vaddr = vaddr;
	ce->is_return = is_return;
	ce->valid = 1;
	ce->sym = *out;
	return out->func ? 0 : -1;
}

const char *fl_symbols_format(const struct fl_sym *sym, uint64_t addr, char *buf, size_t len)
{
	const char *obj = sym->object ? strrchr(sym->object, '/') : NULL;
	obj = obj ? obj + 1 : sym->object;
	if (sym->func && sym->file) {
		const char *f = strrchr(sym->file, '/');
		snprintf(buf, len, "%s (%s:%d)", sym->func, f ? f + 1 : sym->file, sym->line);
	} else if (sym->func) {
		snprintf(buf, len, "%s+0x%llx (%s)", sym->func, (unsigned long long)sym->func_off,
			 obj ? obj : "?");
	} else if (obj) {
		snprintf(buf, len, "0x%llx (%s+0x%llx)", (unsigned long long)addr, obj,
			 (unsigned long long)sym->obj_off);
	} else {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	}
	return buf;
}

/* Allocator plumbing between the program and the hooked call. */
static int is_plumbing(const struct fl_sym *sym)
{
	static const char *const prefixes[] = {
	    "_Znw",	      "_Zna",	  "operator new", "__libc_malloc", "__libc_calloc",
	    "__libc_realloc", "__strdup", "strdup",	  "strndup",	   "__strndup",
	    "xmalloc",	      "xcalloc",  "xrealloc",	  "xstrdup"};
	const char *obj = sym->object ? strrchr(sym->object, '/') : NULL;
	obj = obj ? obj + 1 : "";
	if (strstr(obj, "libfaultline"))
		return 1;
	if (!sym->func)
		return 0;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(sym->func, prefixes[i], strlen(prefixes[i])))
			return 1;
	/* The program's own allocator wrappers: PyMem_Malloc, Perl_safesysmalloc, g_malloc0. */
	return strcasestr(sym->func, "malloc") || strcasestr(sym->func, "calloc") ||
	       strcasestr(sym->func, "realloc");
}

/* Whether the mapped object at addr has name in its file name. */
static int in_object(const struct fl_proc *p, uint64_t addr, uint64_t t, const char *name)
{
	struct fl_vma v;
	const char *base;
	if (fl_proc_vma_at(p, addr, t, &v) < 0 || !v.path || v.path[0] != '/')
		return 0;
	base = strrchr(v.path, '/');
	return strstr(base + 1, name) != NULL;
}

uint32_t fl_symbols_first_frame(const struct fl_proc *p, const struct fl_stack *st, uint64_t t)
{
	uint32_t first = 0;
	for (uint32_t i = 0; st && i < st->nframes; i++) {
		if (in_object(p, st->frames[i], t, "libfaultline"))
			first = i + 1;
		else if (!in_object(p, st->frames[i], t, "libunwind"))
			break;
	}
	return first;
}

int fl_symbols_site_frame(struct fl_symbols *s, const struct fl_proc *p, const struct fl_stack *st,
			  uint64_t t)
{
	uint32_t first = fl_symbols_first_frame(p, st, t);
	for (uint32_t i = first; st && i < st->nframes; i++) {
		struct fl_sym sym;
		fl_symbols_lookup(s, p, st->frames[i], t, 1, &sym);
		if (!is_plumbing(&sym))
			return (int)i;
	}
	return st && first < st->nframes ? (int)first : 0;
}
