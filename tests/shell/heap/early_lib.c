/* A preloaded library whose constructor allocates and resolves symbols
 * before or after the shim's own (depending on the LD_PRELOAD order). */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

char *early_lib_buf;

__attribute__((constructor)) static void early_lib_init(void)
{
	void *(*c)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	early_lib_buf = c ? c(4, 16) : calloc(4, 16);
	early_lib_buf = realloc(early_lib_buf, 4096);
	strcpy(early_lib_buf, "early");
}
