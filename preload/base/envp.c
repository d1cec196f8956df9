#include "base/envp.h"

#include <string.h>
#include <sys/mman.h>

#include "faultline/schema.h"
#include "base/sys.h"

#define PRELOAD "LD_PRELOAD="

static int is_var(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

int fl_envp_list_has(const char *s, const char *lib)
{
	size_t n = strlen(lib);
	while (n && *s) {
		size_t l = strcspn(s, ": ");
		if (l == n && memcmp(s, lib, n) == 0)
			return 1;
		s += l;
		s += strspn(s, ": ");
	}
	return 0;
}

/* A bump allocator over the mapping. */
struct area {
	char *p, *end;
};

/* Concatenates up to four strings (NULL = none) into one entry. */
static char *put(struct area *a, const char *s1, const char *s2, const char *s3, const char *s4)
{
	const char *s[4] = {s1, s2, s3, s4};
	char *r = a->p, *w = r;
	for (int i = 0; i < 4; i++) {
		size_t l = s[i] ? strlen(s[i]) : 0;
		if ((size_t)(a->end - w) < l + 1)
			return NULL;
		memcpy(w, s[i] ? s[i] : "", l);
		w += l;
	}
	*w++ = '\0';
	a->p = w;
	return r;
}

/* LD_PRELOAD's value without lib ("" if nothing is left). */
static char *strip(struct area *a, const char *val, const char *lib)
{
	char *r = a->p;
	size_t n = strlen(lib), out = 0;
	if ((size_t)(a->end - a->p) < strlen(val) + 1)
		return NULL;
	while (*val) {
		size_t l = strcspn(val, ": ");
		if (l && !(l == n && memcmp(val, lib, n) == 0)) {
			if (out)
				r[out++] = ':';
			memcpy(r + out, val, l);
			out += l;
		}
		val += l;
		val += strspn(val, ": ");
	}
	r[out] = '\0';
	a->p += out + 1;
	return r;
}

/* LD_PRELOAD's value without lib, written over val (never longer). */
static void strip_in_place(char *val, const char *lib)
{
	size_t n = strlen(lib), out = 0;
	const char *r = val;
	while (*r) {
		size_t l = strcspn(r, ": ");
		if (l && !(l == n && memcmp(r, lib, n) == 0)) {
			if (out)
				val[out++] = ':';
			memmove(val + out, r, l);
			out += l;
		}
		r += l;
		r += strspn(r, ": ");
	}
	val[out] = '\0';
}

/* How many entries of LD_PRELOAD came before lib when the shim started
 * (0: lib first, as record sets it). A child gets lib back at that place:
 * a preloaded object the user put before faultline (its own allocator, a
 * counter) must stay before it, where its malloc is the program's, in the
 * programs the traced one runs too. */
static unsigned lib_index;

/* The number of entries of list before lib, or 0 if lib is not in it. */
static unsigned index_of(const char *val, const char *lib)
{
	size_t n = strlen(lib);
	unsigned i = 0;
	while (*val) {
		size_t l = strcspn(val, ": ");
		if (l == n && memcmp(val, lib, n) == 0)
			return i;
		if (l)
			i++;
		val += l;
		val += strspn(val, ": ");
	}
	return 0;
}

/* LD_PRELOAD's value val (without lib) with lib put back after its first
 * lib_index entries (at the end if it has fewer), the rest as it was. */
static char *with_lib(struct area *a, const char *val, const char *lib)
{
	const char *p = val;
	size_t l;
	unsigned i = 0;
	if (!lib_index)
		return put(a, lib, ":", val, NULL);
	for (;;) {
		p += strspn(p, ": ");
		if (!*p)
			return put(a, val, ":", lib, NULL);
		l = strcspn(p, ": ");
		p += l;
		if (++i == lib_index)
			break;
	}
	{
		const char *rest = p + strspn(p, ": ");
		char *r = a->p;
		size_t head = (size_t)(p - val), n = strlen(lib), tail = strlen(rest);
		if ((size_t)(a->end - a->p) < head + n + tail + 3)
			return NULL;
		memcpy(r, val, head);
		r[head] = ':';
		memcpy(r + head + 1, lib, n);
		l = head + 1 + n;
		if (tail) {
			r[l++] = ':';
			memcpy(r + l, rest, tail);
			l += tail;
		}
		r[l] = '\0';
		a->p += l + 1;
		return r;
	}
}

void fl_envp_hide(char **envp, const char *lib)
{
	char **w = envp;
	for (char **e = envp; e && *e; e++) {
		if (strncmp(*e, "FAULTLINE_", 10) == 0)
			continue;
		if (is_var(*e, "LD_PRELOAD") && *lib) {
			lib_index = index_of(*e + sizeof(PRELOAD) - 1, lib);
			strip_in_place(*e + sizeof(PRELOAD) - 1, lib);
			if (!(*e)[sizeof(PRELOAD) - 1])
				continue;
		}
		*w++ = *e;
	}
	if (w)
		*w = NULL;
}

static int build(struct area *a, char **v, char *const *envp, const char *link, const char *lib,
		 const char *vars, size_t vars_len, const char *out_dir)
{
	size_t n = 0;
	const char *preload = NULL;

	for (char *const *e = envp; e && *e; e++) {
		if (is_var(*e, "LD_PRELOAD")) {
			preload = *e + sizeof(PRELOAD) - 1;
			continue;
		}
		if (link && strncmp(*e, "FAULTLINE_", 10) == 0)
			continue; /* ours go in below */
		v[n++] = *e;
	}
	if (!link) {
		if (preload) {
			char *s = strip(a, preload, lib);
			if (!s)
				return -1;
			if (*s && !(v[n++] = put(a, PRELOAD, s, NULL, NULL)))
				return -1;
		}
		v[n] = NULL;
		return 0;
	}
	if (preload && fl_envp_list_has(preload, lib))
		v[n] = put(a, PRELOAD, preload, NULL, NULL);
	else if (preload && *preload) {
		char *s = with_lib(a, preload, lib);
		v[n] = s ? put(a, PRELOAD, s, NULL, NULL) : NULL;
	} else
		v[n] = put(a, PRELOAD, lib, NULL, NULL);
	if (!v[n++])
		return -1;
	if (!(v[n++] = put(a, FL_ENV_PARENT "=", link, NULL, NULL)))
		return -1;
	if (!(v[n++] = put(a, FL_ENV_OUT "=", out_dir, NULL, NULL)))
		return -1;
	for (size_t off = 0; off < vars_len; off += strlen(vars + off) + 1)
		if (!is_var(vars + off, FL_ENV_OUT))
			v[n++] = (char *)(vars + off);
	v[n] = NULL;
	return 0;
}

int fl_envp_build(struct fl_envp *e, char *const *envp, const char *link, const char *lib,
		  const char *vars, size_t vars_len, const char *out_dir)
{
	size_t count = 0, bytes = 0, nvars = 0;
	struct area a;
	char **v;

	e->envp = (char **)envp;
	e->mem = NULL;
	e->len = 0;
	for (char *const *p = envp; p && *p; p++) {
		count++;
		if (strncmp(*p, "LD_PRELOAD=", 11) == 0)
			bytes += 2 * (strlen(*p) + 1); /* with lib put back, then copied */
	}
	for (size_t off = 0; off < vars_len; off += strlen(vars + off) + 1)
		nvars++;
	bytes += 2 * strlen(lib) + strlen(out_dir) + (link ? strlen(link) : 0) + 256;
	e->len = (count + nvars + 8) * sizeof(char *) + bytes;
	e->len = (e->len + 4095) & ~(size_t)4095;
	e->mem =
	    fl_sys_mmap(NULL, e->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->mem == MAP_FAILED) {
		e->mem = NULL;
		return -1;
	}
	v = e->mem;
	a.p = (char *)(v + count + nvars + 8);
	a.end = (char *)e->mem + e->len;
	if (build(&a, v, envp, link, lib, vars, vars_len, out_dir) != 0) {
		fl_envp_release(e);
		e->envp = (char **)envp;
		return -1;
	}
	e->envp = v;
	return 0;
}

void fl_envp_release(struct fl_envp *e)
{
	if (e->mem)
		fl_sys_munmap(e->mem, e->len);
	e->mem = NULL;
}
