/*
 * Allocates one large block (70,000 bytes: above FAULTLINE_LARGE, so the
 * shim records each with its stack) from each of 16,384 functions of its
 * own, each its own call site: the shim's unwinder reads each one's entry
 * in this program's unwind tables (.eh_frame_hdr, .eh_frame), which
 * nothing reads natively. Then, just before it exits, reads its own
 * /proc/self/pagemap over the unwind tables of its objects (from
 * .eh_frame_hdr to the end of the segment that holds it, as the shim
 * measures them; libfaultline's own and the vDSO left out) and prints
 *   truth unwind=BYTES self=BYTES
 * unwind: all its objects; self: this program's alone.
 */
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The functions, each 16 bytes of code at a 32-byte stride with an unwind
 * entry (FDE) of its own: written in assembly, as 16,384 C functions took
 * the compiler 15 s. */
#define NFUNCS 16384
#define STRIDE 32
__asm__(".text\n"
	".p2align 5\n"
	"unwind_fns:\n"
	".rept 16384\n"
	".p2align 5\n"
	".cfi_startproc\n"
	"push %rbp\n"
	".cfi_def_cfa_offset 16\n"
	".cfi_offset %rbp, -16\n"
	"mov %rsp, %rbp\n"
	".cfi_def_cfa_register %rbp\n"
	"mov $70000, %edi\n"
	"call malloc@PLT\n"
	"pop %rbp\n"
	".cfi_def_cfa %rsp, 8\n"
	"ret\n"
	".cfi_endproc\n"
	".endr\n");
extern char unwind_fns[] __attribute__((visibility("hidden")));

static int pagemap_fd = -1;

static uint64_t present_bytes(uintptr_t lo, uintptr_t hi)
{
	uint64_t n = 0, e;
	for (uintptr_t a = lo; a < hi; a += 4096)
		if (pread(pagemap_fd, &e, sizeof(e), (off_t)(a / 4096 * 8)) == sizeof(e) && e >> 63)
			n += 4096;
	return n;
}

struct sums {
	uint64_t all, self;
};

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct sums *s = arg;
	const ElfW(Phdr) *hdr = NULL;
	(void)size;
	/* the shim's own image, and the vDSO (no file: the shim reads only
	 * the objects mapped from files) */
	if (strstr(info->dlpi_name, "libfaultline") || strstr(info->dlpi_name, "vdso"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME)
			hdr = &info->dlpi_phdr[i];
	for (int i = 0; hdr && i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo, hi, b;
		if (ph->p_type != PT_LOAD || hdr->p_vaddr < ph->p_vaddr ||
		    hdr->p_vaddr >= ph->p_vaddr + ph->p_memsz)
			continue;
		lo = (info->dlpi_addr + hdr->p_vaddr) & ~(uintptr_t)4095;
		hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + 4095) & ~(uintptr_t)4095;
		b = present_bytes(lo, hi);
		s->all += b;
		if (!info->dlpi_name[0]) /* the executable */
			s->self += b;
	}
	return 0;
}

int main(void)
{
	size_t n = NFUNCS;
	struct sums s = {0, 0};
	for (size_t i = 0; i < n; i++) {
		void *(*fn)(void) = (void *(*)(void))(void *)(unwind_fns + STRIDE * i);
		free(fn());
	}
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	dl_iterate_phdr(visit, &s);
	printf("truth unwind=%llu self=%llu functions=%zu\n", (unsigned long long)s.all,
	       (unsigned long long)s.self, n);
	return 0;
}
