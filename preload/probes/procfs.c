/*
 * The maps text is read into shim pages and parsed in place; the process
 * figures come from /proc/self/status, /proc/meminfo and two small files.
 * All figures are bytes (the kernel's kB times 1024); -1 where the kernel
 * has no such line.
 */
#include "probes/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/types.h>
#include <string.h>

#include "faultline/schema.h"
#include "base/fmt.h"
#include "base/sys.h"

#define MAPS_BYTES (8u << 20)
#define MAX_VMAS 65536

static char *text;
static size_t text_len; /* of the last read, 0 once taken or failed */
static struct fl_vma *vmas;
static char scratch[16384];

static uint64_t hex_field(const char **pp)
{
	const char *p = *pp;
	uint64_t v = 0;
	while (*p == ' ')
		p++;
	for (;; p++) {
		char c = *p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (uint64_t)((c | 0x20) - 'a' + 10);
		else
			break;
	}
	*pp = p;
	return v;
}

static void skip_field(const char **pp)
{
	const char *p = *pp;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && *p != '\n')
		p++;
	*pp = p;
}

struct fl_vma *fl_procfs_vmas(int *n)
{
	ssize_t len;
	int k = 0;
	if (!text && !(text = fl_sys_alloc_pages(MAPS_BYTES)))
		return NULL;
	if (!vmas && !(vmas = fl_sys_alloc_pages(MAX_VMAS * sizeof(*vmas))))
		return NULL;
	len = fl_sys_read_file("/proc/self/maps", text, MAPS_BYTES);
	text_len = len > 0 ? (size_t)len : 0;
	if (len <= 0)
		return NULL;
	for (const char *p = text; *p && k < MAX_VMAS;) {
		struct fl_vma *v = &vmas[k];
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		v->start = hex_field(&p);
		p++; /* '-' */
		v->end = hex_field(&p);
		while (*p == ' ')
			p++;
		memcpy(v->perms, p, 4);
		v->perms[4] = '\0';
		p += 4;
		v->offset = hex_field(&p);
		skip_field(&p); /* dev */
		while (*p == ' ')
			p++;
		v->inode = 0;
		while (*p >= '0' && *p <= '9')
			v->inode = v->inode * 10 + (uint64_t)(*p++ - '0');
		while (*p == ' ')
			p++;
		v->path = p < eol ? p : eol;
		v->path_len = (uint32_t)(eol - v->path);
		if (v->end > v->start)
			k++;
		p = *eol ? eol + 1 : eol;
	}
	*n = k;
	return vmas;
}

const char *fl_procfs_maps_text(size_t *n)
{
	*n = text_len;
	text_len = 0;
	return *n ? text : NULL;
}

/* The fd for PROCMAP_QUERY and the process it reads: an fd inherited over
 * fork would still answer for the parent's address space. */
static int query_fd = -1;
static pid_t query_pid;
static int query_broken;

int fl_procfs_vma_at(uint64_t addr, struct fl_vma *v)
{
	struct procmap_query q;
	pid_t pid = fl_sys_getpid();
	long r;
	if (query_broken)
		return -1;
	if (query_fd < 0 || query_pid != pid) {
		if (query_fd >= 0)
			fl_sys_close(query_fd);
		query_fd = fl_sys_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
		if (query_fd >= 0)
			query_fd = fl_sys_move_high(query_fd);
		query_pid = pid;
		if (query_fd < 0)
			return -1;
	}
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
	q.query_addr = addr;
	r = fl_sys_ioctl(query_fd, PROCMAP_QUERY, (unsigned long)&q);
	if (r < 0) {
		/* ENOENT: nothing at or above addr; anything else: no such
		 * ioctl here (before 6.11), so stop asking. */
		if (r != -ENOENT)
			query_broken = 1;
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->start = q.vma_start;
	v->end = q.vma_end;
	v->offset = q.vma_offset;
	v->inode = q.inode;
	v->perms[0] = (q.vma_flags & 1) ? 'r' : '-';
	v->perms[1] = (q.vma_flags & 2) ? 'w' : '-';
	v->perms[2] = (q.vma_flags & 4) ? 'x' : '-';
	v->perms[3] = (q.vma_flags & 8) ? 's' : 'p';
	v->path = "";
	return 0;
}

int fl_vma_is(const struct fl_vma *v, const char *s)
{
	size_t n = strlen(s);
	return v->path_len == n && memcmp(v->path, s, n) == 0;
}

static int starts(const struct fl_vma *v, const char *s)
{
	size_t n = strlen(s);
	return v->path_len >= n && memcmp(v->path, s, n) == 0;
}

int fl_vma_is_shim(const struct fl_vma *v)
{
	return fl_vma_is(v, "[anon:faultline]") || fl_vma_is(v, "[vvar]") ||
	       fl_vma_is(v, "[vvar_vclock]") || fl_vma_is(v, "[vsyscall]") ||
	       starts(v, "anon_inode:[perf_event]") || starts(v, "anon_inode:[userfaultfd]");
}

int fl_vma_is_private_anon_rw(const struct fl_vma *v)
{
	if (v->perms[0] != 'r' || v->perms[1] != 'w' || v->perms[3] != 'p' || v->inode)
		return 0;
	if (fl_vma_is_shim(v))
		return 0;
	return v->path_len == 0 || fl_vma_is(v, "[heap]") ||
	       (starts(v, "[anon:") && !fl_vma_is(v, "[anon:faultline]"));
}

int fl_vma_pieces(const struct fl_vma *v, uint64_t (*out)[2], int max)
{
	int nreg = fl_sys_region_count(), k = 0;
	uint64_t at = v->start;
	while (at < v->end && k < max) {
		uint64_t ps = v->end, pe = ps;
		for (int i = 0; i < nreg; i++) {
			uintptr_t lo, hi;
			if (fl_sys_region_get(i, &lo, &hi, NULL) && hi > at && lo < v->end &&
			    lo < ps) {
				ps = lo > at ? lo : at;
				pe = hi;
			}
		}
		if (ps > at) {
			out[k][0] = at;
			out[k++][1] = ps;
		}
		at = pe;
	}
	return k;
}

int64_t fl_procfs_int(const char *path)
{
	char b[64];
	const char *p = b;
	int neg = 0;
	int64_t v = 0;
	if (fl_sys_read_file(path, b, sizeof(b)) <= 0)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return neg ? -v : v;
}

static void put_i(struct fl_out *o, const char *key, int64_t v)
{
	if (v < 0)
		fl_out_null(o, key);
	else
		fl_out_i64(o, key, v);
}

static int64_t last_rss_kb = -1, last_vm_peak = -1;

int64_t fl_procfs_last_rss_kb(void)
{
	return last_rss_kb;
}

int64_t fl_procfs_last_vm_peak(void)
{
	return last_vm_peak;
}

void fl_procfs_figures(struct fl_out *o, int64_t stack_vma)
{
	last_vm_peak = -1;
	if (fl_sys_read_file("/proc/self/status", scratch, sizeof(scratch)) > 0) {
		int64_t anon = fl_parse_field_kb(scratch, "RssAnon:");
		int64_t file = fl_parse_field_kb(scratch, "RssFile:");
		int64_t shmem = fl_parse_field_kb(scratch, "RssShmem:");
		last_rss_kb = anon < 0 || file < 0 || shmem < 0 ? -1 : anon + file + shmem;
		last_vm_peak = fl_parse_field_kb(scratch, "VmPeak:");
		put_i(o, FL_K_RSS_ANON, anon);
		put_i(o, FL_K_RSS_FILE, file);
		put_i(o, FL_K_RSS_SHMEM, shmem);
		put_i(o, FL_K_VSZ, fl_parse_field_kb(scratch, "VmSize:"));
		/* The kernel's high-water marks: a peak between two ticks, or
		 * in a run shorter than one, is in them. */
		put_i(o, FL_K_VM_HWM, fl_parse_field_kb(scratch, "VmHWM:"));
		put_i(o, FL_K_VM_PEAK, last_vm_peak);
		put_i(o, FL_K_SWAP, fl_parse_field_kb(scratch, "VmSwap:"));
		put_i(o, FL_K_PTE, fl_parse_field_kb(scratch, "VmPTE:"));
	}
	put_i(o, FL_K_STACK_VMA, stack_vma);
	if (fl_sys_read_file("/proc/meminfo", scratch, sizeof(scratch)) > 0) {
		put_i(o, FL_K_COMMITTED, fl_parse_field_kb(scratch, "Committed_AS:"));
		put_i(o, FL_K_COMMIT_LIMIT, fl_parse_field_kb(scratch, "CommitLimit:"));
	}
	put_i(o, FL_K_OVERCOMMIT, fl_procfs_int("/proc/sys/vm/overcommit_memory"));
	put_i(o, FL_K_OOM_SCORE, fl_procfs_int("/proc/self/oom_score"));
}
