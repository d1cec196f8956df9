#include "probes/maps.h"

#include <string.h>

#include "probes/buildid.h"
#include "faultline/schema.h"
#include "base/sys.h"
#include "trace/clock.h"

#define MAPS_BYTES (8u << 20)

static char *text;
static uint64_t last_hash;

void fl_maps_forget(void)
{
	last_hash = 0;
}

static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h | 1;
}

static const char *field(const char *p, const char **end)
{
	while (*p == ' ')
		p++;
	*end = p;
	while (**end && **end != ' ' && **end != '\n')
		(*end)++;
	return p;
}

static uint64_t hex_of(const char *p, const char *e)
{
	uint64_t v = 0;
	for (; p < e; p++)
		v = v * 16 + (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
	return v;
}

/* One maps line: "start-end perms offset dev inode   path"; the first
 * mapping of a loaded ELF object also carries its build-id. */
static void emit_vma(struct fl_out *o, const char *line, const char *eol)
{
	const char *e, *p = line, *dash = memchr(line, '-', (size_t)(eol - line));
	uint64_t inode = 0, start, end, offset;
	char id[2 * 64 + 1];
	if (!dash)
		return;
	fl_out_arr_open(o);
	start = hex_of(line, dash);
	fl_out_v_hex(o, start);
	p = field(dash + 1, &e);
	end = hex_of(p, e);
	fl_out_v_hex(o, end);
	p = field(e, &e);
	fl_out_v_strn(o, p, (size_t)(e - p));
	p = field(e, &e);
	offset = hex_of(p, e);
	fl_out_v_hex(o, offset);
	field(e, &e); /* dev: skipped */
	p = field(e, &e);
	for (; p < e; p++)
		inode = inode * 10 + (uint64_t)(*p - '0');
	fl_out_v_u64(o, inode);
	while (*e == ' ')
		e++;
	fl_out_v_strn(o, e, (size_t)(eol - e));
	if (offset == 0 && *e == '/' &&
	    fl_buildid_hex((uintptr_t)start, (uintptr_t)end, inode, id, sizeof(id)))
		fl_out_v_str(o, id);
	fl_out_arr_close(o);
}

/* Each range with the trace time the shim mapped it: before then the
 * address was not the shim's (the program may have had it, and a sample
 * there is the program's). */
static void shim_regions(struct fl_out *o)
{
	int n = fl_sys_region_count();
	fl_out_key(o, FL_K_SHIM);
	fl_out_arr_open(o);
	for (int i = 0; i < n; i++) {
		uintptr_t lo, hi;
		uint64_t since;
		if (!fl_sys_region_get(i, &lo, &hi, &since))
			continue;
		fl_out_arr_open(o);
		fl_out_v_hex(o, lo);
		fl_out_v_hex(o, hi);
		fl_out_v_u64(o, since > fl_clock.start_mono ? since - fl_clock.start_mono : 0);
		fl_out_arr_close(o);
	}
	fl_out_arr_close(o);
}

void fl_maps_emit(struct fl_out *o, const char *why, int force)
{
	ssize_t n;
	if (!text && !(text = fl_sys_alloc_pages(MAPS_BYTES)))
		return;
	n = fl_sys_read_file("/proc/self/maps", text, MAPS_BYTES);
	if (n > 0)
		fl_maps_emit_text(o, why, force, text, (size_t)n);
}

void fl_maps_emit_text(struct fl_out *o, const char *why, int force, const char *maps, size_t n)
{
	uint64_t h = hash_text(maps, n);
	if (!force && h == last_hash)
		return;
	last_hash = h;
	fl_out_begin(o, FL_EV_MAPS, fl_now(), fl_seq_next());
	fl_out_str(o, FL_K_WHY, why);
	fl_out_key(o, FL_K_VMAS);
	fl_out_arr_open(o);
	for (const char *line = maps; *line;) {
		const char *eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		emit_vma(o, line, eol);
		line = *eol ? eol + 1 : eol;
	}
	fl_out_arr_close(o);
	shim_regions(o);
	fl_out_end(o);
}
