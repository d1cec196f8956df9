#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/shimlibs.h"
#include "util/xalloc.h"

/* One loaded ELF object: its names and the names it needs. */
struct obj {
	const char *path, *base;
	char *soname;
	char **needed;
	size_t nneeded;
	int in_shim, in_prog;
};

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Reads DT_SONAME and DT_NEEDED; 0 when path is an ELF object with a dynamic section. */
static int read_dynamic(struct obj *o)
{
	int fd = open(o->path, O_RDONLY | O_CLOEXEC), ok = -1;
	Elf *e;
	Elf_Scn *scn = NULL;
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *name;
			if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_SONAME)
				continue;
			name = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (!name)
				continue;
			if (dyn.d_tag == DT_SONAME) {
				free(o->soname);
				o->soname = fl_xstrdup(name);
			} else {
				o->needed =
				    fl_xrealloc(o->needed, (o->nneeded + 1) * sizeof(*o->needed));
				o->needed[o->nneeded++] = fl_xstrdup(name);
			}
		}
		ok = 0;
	}
	elf_end(e);
	close(fd);
	return ok;
}

/* The loaded object a DT_NEEDED name stands for: by soname, else by file name. */
static struct obj *find(struct obj *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].soname && !strcmp(v[i].soname, name))
			return &v[i];
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].base, name))
			return &v[i];
	return NULL;
}

/* Marks o and everything it needs, transitively, through the flag at offset. */
static void mark(struct obj *v, size_t n, struct obj *o, size_t flag)
{
	int *f = (int *)((char *)o + flag);
	if (*f)
		return;
	*f = 1;
	for (size_t i = 0; i < o->nneeded; i++) {
		struct obj *d = find(v, n, o->needed[i]);
		if (d)
			mark(v, n, d, flag);
	}
}

void fl_shimlibs_of(const struct fl_proc *p, const struct fl_maps_snap *s, struct fl_shimlibs *out)
{
	struct obj *v = fl_xcalloc(s->nvmas + 1, sizeof(*v)), *shim = NULL;
	size_t n = 0;
	memset(out, 0, sizeof(*out));
	elf_version(EV_CURRENT);
	for (size_t i = 0; i < s->nvmas; i++) {
		const char *path = s->vmas[i].path;
		int seen = 0;
		if (!path || path[0] != '/')
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = v[k].path == path || !strcmp(v[k].path, path);
		if (seen)
			continue;
		v[n].path = path;
		v[n].base = base_of(path);
		if (read_dynamic(&v[n]) == 0)
			n++;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].base, "libfaultline.so"))
			shim = &v[i];
	if (shim) {
		mark(v, n, shim, offsetof(struct obj, in_shim));
		/* the program's roots: its executable, and whatever is loaded
		 * that the shim does not need (the exe, dlopen'ed objects) */
		for (size_t i = 0; i < n; i++)
			if (!v[i].in_shim || (p->exe && !strcmp(v[i].path, p->exe)))
				mark(v, n, &v[i], offsetof(struct obj, in_prog));
		out->paths = fl_xcalloc(n + 1, sizeof(*out->paths));
		for (size_t i = 0; i < n; i++)
			if (v[i].in_shim && !v[i].in_prog && &v[i] != shim)
				out->paths[out->n++] = v[i].path;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].nneeded; k++)
			free(v[i].needed[k]);
		free(v[i].needed);
		free(v[i].soname);
	}
	free(v);
}

struct fl_shimlibs fl_shimlibs_of_proc(const struct fl_proc *p)
{
	struct fl_shimlibs l = {p->shim_libs, p->nshim_libs};
	return l;
}

int fl_shimlibs_has(const struct fl_shimlibs *l, const char *path)
{
	for (size_t i = 0; path && i < l->n; i++)
		if (l->paths[i] == path || !strcmp(l->paths[i], path))
			return 1;
	return 0;
}

void fl_shimlibs_free(struct fl_shimlibs *l)
{
	free(l->paths);
	memset(l, 0, sizeof(*l));
}
