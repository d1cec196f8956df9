/*
 * p_heap_dlsym: uses dlopen/dlsym (which allocate, calloc among them) from a
 * constructor, before main, and again in main; allocates through what it
 * finds. Prints what it computed, so a run under the shim can be compared
 * with a native one.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double (*early_cos)(double);
static char *early_copy;

__attribute__((constructor(101))) static void early(void)
{
	void *m = dlopen("libm.so.6", RTLD_NOW);
	void *(*real_calloc)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(RTLD_DEFAULT, "calloc");
	if (!m || !real_calloc)
		abort();
	early_cos = (double (*)(double))dlsym(m, "cos");
	early_copy = real_calloc(32, 1);
	strcpy(early_copy, "constructor");
}

int main(void)
{
	void *c = dlopen("libc.so.6", RTLD_NOW);
	void *(*m)(size_t) = (void *(*)(size_t))dlsym(c, "malloc");
	void (*f)(void *) = (void (*)(void *))dlsym(c, "free");
	char *err = dlerror(); /* NULL; its buffer is malloc'ed by libdl */
	char *s;

	if (!early_cos || !m || !f)
		return 1;
	s = m(64);
	snprintf(s, 64, "%s cos(0)=%.1f %s", early_copy, early_cos(0.0), err ? err : "ok");
	puts(s);
	f(s);
	free(early_copy);
	dlclose(c);
	return 0;
}
