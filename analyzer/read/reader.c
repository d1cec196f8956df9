/*
 * The reader maps the whole file and hands jansson one line at a time: a
 * broken line costs one message, never the rest of the trace. Validation is
 * table driven (one row per key of every event) so that the model can take
 * the values without checking types again.
 */
#include "read/reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "faultline/schema.h"
#include "read/progress.h"
#include "util/xalloc.h"

#define MAX_REPORTED_PER_FILE 10

static const char *const event_names[FL_E_COUNT] = {
    [FL_E_UNKNOWN] = "unknown",
    [FL_E_HEADER] = FL_EV_HEADER,
    [FL_E_MAPS] = FL_EV_MAPS,
    [FL_E_STACK] = FL_EV_STACK,
    [FL_E_ALLOC] = FL_EV_ALLOC,
    [FL_E_FREE] = FL_EV_FREE,
    [FL_E_REALLOC] = FL_EV_REALLOC,
    [FL_E_MMAP] = FL_EV_MMAP,
    [FL_E_MUNMAP] = FL_EV_MUNMAP,
    [FL_E_MREMAP] = FL_EV_MREMAP,
    [FL_E_MPROTECT] = FL_EV_MPROTECT,
    [FL_E_MADVISE] = FL_EV_MADVISE,
    [FL_E_BRK] = FL_EV_BRK,
    [FL_E_FORK] = FL_EV_FORK,
    [FL_E_EXEC] = FL_EV_EXEC,
    [FL_E_EXIT] = FL_EV_EXIT,
    [FL_E_FAULTS] = FL_EV_FAULTS,
    [FL_E_COUNTERS] = FL_EV_COUNTERS,
    [FL_E_RESIDENCY] = FL_EV_RESIDENCY,
    [FL_E_WSS] = FL_EV_WSS,
    [FL_E_IO] = FL_EV_IO,
    [FL_E_HEAP] = FL_EV_HEAP,
    [FL_E_SITES] = FL_EV_SITES,
    [FL_E_NOTE] = FL_EV_NOTE,
};

enum fl_ev fl_reader_event(const char *name)
{
	/* Hot path: the frequent events first. */
	for (int i = FL_E_ALLOC; i < FL_E_COUNT; i++)
		if (name[0] == event_names[i][0] && strcmp(name, event_names[i]) == 0)
			return i;
	for (int i = FL_E_HEADER; i < FL_E_ALLOC; i++)
		if (strcmp(name, event_names[i]) == 0)
			return i;
	return FL_E_UNKNOWN;
}

/* fl_reader_event for a name that is not NUL-terminated. */
static enum fl_ev event_of(const char *s, size_t n)
{
	for (int i = FL_E_ALLOC; i < FL_E_COUNT; i++)
		if (s[0] == event_names[i][0] && !strncmp(event_names[i], s, n) &&
		    !event_names[i][n])
			return i;
	for (int i = FL_E_HEADER; i < FL_E_ALLOC; i++)
		if (n && !strncmp(event_names[i], s, n) && !event_names[i][n])
			return i;
	return FL_E_UNKNOWN;
}

const char *fl_reader_event_name(enum fl_ev ev)
{
	return ev >= 0 && ev < FL_E_COUNT ? event_names[ev] : "unknown";
}

/*
 * Key types: i integer, u non-negative integer, n integer or null,
 * a address string, A address string or integer, s string, S string or null,
 * o object, O object or null, r array (of rows: see row), b boolean.
 * row: "*X" = every element has type X; else every element is an array of
 * at least strlen(row) values typed column by column.
 */
struct key_spec {
	const char *key;
	size_t klen;
	char type;
	char required;
	const char *row;
};

#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, 0, NULL                                                                \
	}
#define K(k, t)                                                                                    \
	{                                                                                          \
		k, sizeof(k) - 1, t, 0, NULL                                                       \
	}
#define R(k, t)                                                                                    \
	{                                                                                          \
		k, sizeof(k) - 1, t, 1, NULL                                                       \
	}
#define ROWS(k, req, row)                                                                          \
	{                                                                                          \
		k, sizeof(k) - 1, 'r', req, row                                                    \
	}

static const struct key_spec common_keys[] = {R(FL_K_TIME, 'u'), K(FL_K_SEQ, 'u'), K(FL_K_TID, 'i'),
					      END};
static const struct key_spec header_keys[] = {R(FL_K_VERSION, 'i'),
					      R(FL_K_PID, 'i'),
					      K(FL_K_PPID, 'i'),
					      K(FL_K_UID, 'i'),
					      K(FL_K_PARENT, 'o'),
					      K(FL_K_EXE, 's'),
					      ROWS(FL_K_ARGV, 0, "*s"),
					      K(FL_K_START_REALTIME, 'u'),
					      K(FL_K_START_MONOTONIC, 'u'),
					      K(FL_K_PAGE_SIZE, 'u'),
					      K(FL_K_KERNEL, 's'),
					      K(FL_K_CPU, 's'),
					      K(FL_K_NCPU, 'i'),
					      K(FL_K_MEM_TOTAL, 'u'),
					      K(FL_K_SWAP_TOTAL, 'u'),
					      K(FL_K_OVERCOMMIT, 'i'),
					      K(FL_K_THP, 's'),
					      K(FL_K_RLIMIT_STACK, 'n'),
					      K(FL_K_TLB, 'O'),
					      K(FL_K_PROBES, 'o'),
					      K(FL_K_OPTIONS, 'o'),
					      END};
static const struct key_spec maps_keys[] = {ROWS(FL_K_VMAS, 1, "aasaus"), ROWS(FL_K_SHIM, 0, "aa"),
					    K(FL_K_WHY, 's'), END};
static const struct key_spec stack_keys[] = {R(FL_K_ID, 'u'), ROWS(FL_K_FRAMES, 1, "*a"), END};
static const struct key_spec alloc_keys[] = {K(FL_K_FUNC, 's'),	  R(FL_K_ADDR, 'a'),
					     R(FL_K_SIZE, 'u'),	  K(FL_K_STACK, 'u'),
					     K(FL_K_WEIGHT, 'u'), END};
static const struct key_spec free_keys[] = {R(FL_K_ADDR, 'a'), K(FL_K_SIZE, 'u'), END};
static const struct key_spec realloc_keys[] = {
    K(FL_K_FUNC, 's'),	   R(FL_K_OLD_ADDR, 'a'), R(FL_K_ADDR, 'a'),   R(FL_K_SIZE, 'u'),
    K(FL_K_OLD_SIZE, 'u'), K(FL_K_STACK, 'u'),	  K(FL_K_WEIGHT, 'u'), END};
static const struct key_spec mmap_keys[] = {K(FL_K_ADDR, 'A'),
					    R(FL_K_SIZE, 'u'),
					    K(FL_K_PROT, 'i'),
					    K(FL_K_FLAGS, 'i'),
					    K(FL_K_FD, 'i'),
					    K(FL_K_OFFSET, 'i'),
					    R(FL_K_RESULT, 'A'),
					    K(FL_K_ERRNO, 'i'),
					    K(FL_K_STACK, 'u'),
					    K(FL_K_PATH, 'S'),
					    END};
static const struct key_spec range_keys[] = {
    R(FL_K_ADDR, 'A'),	 R(FL_K_SIZE, 'u'),  K(FL_K_PROT, 'i'),	 K(FL_K_ADVICE, 'i'),
    K(FL_K_RESULT, 'A'), K(FL_K_ERRNO, 'i'), K(FL_K_STACK, 'u'), END};
static const struct key_spec mremap_keys[] = {
    R(FL_K_OLD_ADDR, 'A'), K(FL_K_OLD_SIZE, 'u'), R(FL_K_SIZE, 'u'),  K(FL_K_FLAGS, 'i'),
    R(FL_K_RESULT, 'A'),   K(FL_K_ERRNO, 'i'),	  K(FL_K_STACK, 'u'), END};
static const struct key_spec brk_keys[] = {K(FL_K_FUNC, 's'),
					   K(FL_K_ADDR, 'A'),
					   K(FL_K_SIZE, 'i'),
					   K(FL_K_RESULT, 'A'),
					   K(FL_K_ERRNO, 'i'),
					   K(FL_K_STACK, 'u'),
					   END};
static const struct key_spec fork_keys[] = {R(FL_K_CHILD, 'i'), K(FL_K_KIND, 's'), END};
static const struct key_spec exec_keys[] = {K(FL_K_PATH, 'S'), ROWS(FL_K_ARGV, 0, "*S"),
					    K(FL_K_RESULT, 'i'), K(FL_K_ERRNO, 'i'), END};
static const struct key_spec exit_keys[] = {
    K(FL_K_HOW, 's'),	    K(FL_K_STATUS, 'i'),    K(FL_K_SIGNAL, 'i'),
    K(FL_K_RU_MINFLT, 'n'), K(FL_K_RU_MAJFLT, 'n'), K("ru_utime_ns", 'n'),
    K("ru_stime_ns", 'n'),  K("ru_maxrss_kb", 'n'), END};
static const struct key_spec faults_keys[] = {K(FL_K_PERIOD, 'u'), K(FL_K_LOST, 'u'),
					      ROWS(FL_K_SAMPLES, 1, "aaiui"), END};
static const struct key_spec counters_keys[] = {K(FL_K_MINFLT, 'n'),
						K(FL_K_MAJFLT, 'n'),
						K(FL_K_RU_MINFLT, 'n'),
						K(FL_K_RU_MAJFLT, 'n'),
						K(FL_K_DTLB_LOAD, 'n'),
						K(FL_K_DTLB_STORE, 'n'),
						K(FL_K_RSS_ANON, 'n'),
						K(FL_K_RSS_FILE, 'n'),
						K(FL_K_RSS_SHMEM, 'n'),
						K(FL_K_VSZ, 'n'),
						K(FL_K_SWAP, 'n'),
						K(FL_K_PTE, 'n'),
						K(FL_K_STACK_VMA, 'n'),
						K(FL_K_COMMITTED, 'n'),
						K(FL_K_COMMIT_LIMIT, 'n'),
						K(FL_K_OOM_SCORE, 'n'),
						K(FL_K_TRACKING_FAULTS, 'n'),
						END};
static const struct key_spec residency_keys[] = {K(FL_K_METHOD, 's'),
						 ROWS(FL_K_REGIONS, 1, "aaiiiiiiii"), END};
static const struct key_spec wss_keys[] = {K(FL_K_METHOD, 's'), K("window_ns", 'u'),
					   K("written", 'i'), ROWS(FL_K_REGIONS, 0, "aai"), END};
static const struct key_spec io_keys[] = {ROWS(FL_K_FDS, 1, "iSuu"), END};
static const struct key_spec heap_keys[] = {K(FL_K_CALLS, 'o'), K(FL_K_BYTES, 'o'),
					    K(FL_K_LIVE, 'i'), K(FL_K_PEAK, 'i'), END};
static const struct key_spec sites_keys[] = {ROWS("sites", 1, "uuuuii"), END};
static const struct key_spec note_keys[] = {K("what", 's'), K(FL_K_WHY, 'S'), K("n", 'n'), END};

static const struct key_spec *const event_keys[FL_E_COUNT] = {
    [FL_E_HEADER] = header_keys,     [FL_E_MAPS] = maps_keys,
    [FL_E_STACK] = stack_keys,	     [FL_E_ALLOC] = alloc_keys,
    [FL_E_FREE] = free_keys,	     [FL_E_REALLOC] = realloc_keys,
    [FL_E_MMAP] = mmap_keys,	     [FL_E_MUNMAP] = range_keys,
    [FL_E_MREMAP] = mremap_keys,     [FL_E_MPROTECT] = range_keys,
    [FL_E_MADVISE] = range_keys,     [FL_E_BRK] = brk_keys,
    [FL_E_FORK] = fork_keys,	     [FL_E_EXEC] = exec_keys,
    [FL_E_EXIT] = exit_keys,	     [FL_E_FAULTS] = faults_keys,
    [FL_E_COUNTERS] = counters_keys, [FL_E_RESIDENCY] = residency_keys,
    [FL_E_WSS] = wss_keys,	     [FL_E_IO] = io_keys,
    [FL_E_HEAP] = heap_keys,	     [FL_E_SITES] = sites_keys,
    [FL_E_NOTE] = note_keys,
};

/* Hex digit values plus one; 0 for anything else. */
static const unsigned char hexval1[256] = {
    ['0'] = 1,	['1'] = 2,  ['2'] = 3,	['3'] = 4,  ['4'] = 5,	['5'] = 6,  ['6'] = 7,	['7'] = 8,
    ['8'] = 9,	['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * "0x..." in s[0..n) (not NUL-terminated); -1 when it is not one, or has
 * more than 64 significant bits (leading zeros are fine).
 */
static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 2, sig;
	if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	while (i < n && s[i] == '0')
		i++;
	sig = n - i;
	for (; i < n; i++) {
		unsigned d = hexval1[(unsigned char)s[i]];
		if (!d)
			return -1;
		v = v << 4 | (d - 1);
	}
	if (sig > 16)
		return -1;
	*out = v;
	return 0;
}

int fl_parse_addr(const char *s, uint64_t *out)
{
	return parse_hex(s, strlen(s), out);
}

uint64_t fl_json_addr(const json_t *v)
{
	uint64_t a = 0;
	if (json_is_string(v))
		fl_parse_addr(json_string_value(v), &a);
	else if (json_is_integer(v))
		a = (uint64_t)json_integer_value(v);
	return a;
}

uint64_t fl_json_get_addr(const json_t *o, const char *key)
{
	return fl_json_addr(json_object_get(o, key));
}

int64_t fl_json_get_int(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

const char *fl_json_get_str(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *type_word(char t)
{
	switch (t) {
	case 'i':
	case 'n':
		return "an integer";
	case 'u':
		return "a non-negative integer";
	case 'a':
		return "an address string \"0x...\"";
	case 'A':
		return "an address";
	case 's':
	case 'S':
		return "a string";
	case 'o':
		return "an object";
	case 'O':
		return "an object or null";
	case 'r':
		return "an array";
	case 'b':
		return "a boolean";
	}
	return "?";
}

static const char *json_word(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

static int type_ok(const json_t *v, char t)
{
	uint64_t a;
	switch (t) {
	case 'i':
		return json_is_integer(v);
	case 'u':
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case 'n':
		return json_is_integer(v) || json_is_null(v);
	case 'a':
		return json_is_string(v) && fl_parse_addr(json_string_value(v), &a) == 0;
	case 'A':
		return (json_is_string(v) && fl_parse_addr(json_string_value(v), &a) == 0) ||
		       json_is_integer(v);
	case 's':
		return json_is_string(v);
	case 'S':
		return json_is_string(v) || json_is_null(v);
	case 'o':
		return json_is_object(v);
	case 'O':
		return json_is_object(v) || json_is_null(v);
	case 'r':
		return json_is_array(v);
	case 'b':
		return json_is_boolean(v);
	}
	return 0;
}

/* Checks the rows of an array key; returns NULL or a message in buf. */
static const char *check_rows(const struct key_spec *k, const json_t *arr, char *buf, size_t len)
{
	size_t i, ncols = strlen(k->row);
	json_t *el;
	json_array_foreach(arr, i, el)
	{
		if (k->row[0] == '*') {
			if (!type_ok(el, k->row[1])) {
				snprintf(buf, len, "'%s'[%zu] should be %s, not %s", k->key, i,
					 type_word(k->row[1]), json_word(el));
				return buf;
			}
			continue;
		}
		if (!json_is_array(el) || json_array_size(el) < ncols) {
			snprintf(buf, len, "'%s'[%zu] should be an array of %zu values", k->key, i,
				 ncols);
			return buf;
		}
		for (size_t c = 0; c < ncols; c++) {
			json_t *v = json_array_get(el, c);
			if (!type_ok(v, k->row[c])) {
				snprintf(buf, len, "'%s'[%zu][%zu] should be %s, not %s", k->key, i,
					 c, type_word(k->row[c]), json_word(v));
				return buf;
			}
		}
	}
	return NULL;
}

static const char *check_keys(const struct key_spec *ks, const json_t *obj, char *buf, size_t len)
{
	for (const struct key_spec *k = ks; k->key; k++) {
		json_t *v = json_object_get(obj, k->key);
		if (!v) {
			if (k->required) {
				snprintf(buf, len, "missing key '%s'", k->key);
				return buf;
			}
			continue;
		}
		if (!type_ok(v, k->type)) {
			snprintf(buf, len, "'%s' should be %s, not %s", k->key, type_word(k->type),
				 json_word(v));
			return buf;
		}
		if (k->row) {
			const char *msg = check_rows(k, v, buf, len);
			if (msg)
				return msg;
		}
	}
	return NULL;
}

/* Validates one parsed line; returns NULL when fine, else a message in buf. */
static const char *validate(const json_t *obj, enum fl_ev *ev, char *buf, size_t len)
{
	json_t *e;
	const char *msg;
	if (!json_is_object(obj))
		return "not a JSON object";
	e = json_object_get(obj, FL_K_EVENT);
	if (!e)
		return "missing key 'e' (the event name)";
	if (!json_is_string(e)) {
		snprintf(buf, len, "'e' should be a string, not %s", json_word(e));
		return buf;
	}
	*ev = fl_reader_event(json_string_value(e));
	msg = check_keys(common_keys, obj, buf, len);
	if (msg)
		return msg;
	if (*ev != FL_E_UNKNOWN)
		return check_keys(event_keys[*ev], obj, buf, len);
	return NULL;
}

/* ---- the fast path ---- */

/* Caches the address a string value spells (see fl_flat_val_addr). */
static void flat_set_addr(struct fl_flat_val *v)
{
	v->aok = v->type == 's' && parse_hex(v->s, v->slen, &v->a) == 0;
}

const char *fl_flat_str(const struct fl_flat *f, const char *key, char *buf, size_t len)
{
	const struct fl_flat_val *v = fl_flat_get(f, key);
	size_t n;
	if (!v || v->type != 's' || !len)
		return NULL;
	n = v->slen < len - 1 ? v->slen : len - 1;
	memcpy(buf, v->s, n);
	buf[n] = 0;
	return buf;
}

/* Eight ASCII digits at p as their value, or -1 when they are not all digits (SWAR). */
static int64_t eight_digits(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	if (((x & 0xF0F0F0F0F0F0F0F0ull) |
	     (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) != 0x3333333333333333ull)
		return -1;
	x -= 0x3030303030303030ull;
	x = x * 10 + (x >> 8); /* pairs */
	x = (((x & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
	     (((x >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
	    32;
	return (int64_t)(uint32_t)x;
}

/*
 * A JSON integer exactly as jansson accepts it, within int64. The last
 * byte before end is never a digit (a line ends with '}', rows with ']'),
 * so the digit loop needs no bound.
 */
static const char *scan_int(const char *p, const char *end, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;
	const char *start;
	int64_t d8;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	start = p;
	while (end - p > 8 && (unsigned)(p[7] - '0') < 10 && (d8 = eight_digits(p)) >= 0) {
		v = v * 100000000 + (uint64_t)d8;
		p += 8;
	}
	while ((unsigned)(*p - '0') < 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == start || (*start == '0' && p - start > 1))
		return NULL;
	if (p - start > 18) {
		/* Could have wrapped: again, carefully. */
		v = 0;
		for (const char *q = start; q < p; q++) {
			if (v > (UINT64_MAX - 9) / 10)
				return NULL;
			v = v * 10 + (uint64_t)(*q - '0');
		}
	}
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL; /* a real: leave it to jansson */
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return NULL;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return p;
}

/* Characters in a fast-path string: 0 plain printable ASCII, 1 the closing quote, 2 anything
 * else (controls, backslash escapes, non-ASCII: jansson's business). */
static const unsigned char str_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* A string of printable ASCII without escapes; p is after the opening quote. */
static const char *scan_str(const char *p, const char *end, const char **s, size_t *len)
{
	const char *q = p;
	while (q < end && !str_class[(unsigned char)*q])
		q++;
	if (q >= end || *q != '"')
		return NULL;
	*s = p;
	*len = (size_t)(q - p);
	return q + 1;
}

/* A scalar: integer, plain string or null; NULL when it is anything else. */
static const char *scan_scalar(const char *p, const char *end, struct fl_flat_val *v)
{
	if (p >= end)
		return NULL;
	if (*p == '"') {
		v->type = 's';
		p = scan_str(p + 1, end, &v->s, &v->slen);
		if (p)
			flat_set_addr(v);
		return p;
	}
	if (*p == 'n') {
		v->type = 'n';
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	}
	v->type = 'i';
	return scan_int(p, end, &v->i);
}

/* One row "[scalar,...]" into r (when r is not NULL); returns the end, or NULL. */
static const char *scan_row(const char *p, const char *end, struct fl_flat_row *r)
{
	struct fl_flat_val tmp;
	size_t n = 0;
	if (p >= end || *p++ != '[' || p >= end)
		return NULL;
	if (*p == ']')
		goto done;
	for (;;) {
		p = scan_scalar(p, end, r && n < FL_FLAT_COLS ? &r->buf[n] : &tmp);
		if (!p || p >= end)
			return NULL;
		n++;
		if (*p == ']')
			break;
		if (*p++ != ',')
			return NULL;
	}
done:
	if (r) {
		r->n = n < FL_FLAT_COLS ? n : FL_FLAT_COLS;
		r->v = r->buf;
	}
	return p + 1;
}

static unsigned scalar_kind(const struct fl_flat_val *v)
{
	if (v->type == 'i')
		return v->i < 0 ? FL_FLAT_T_NEG : FL_FLAT_T_UINT;
	if (v->type == 's')
		return v->aok ? FL_FLAT_T_ADDR : FL_FLAT_T_STR;
	return FL_FLAT_T_NULL;
}

/*
 * "[[...],[...]]" or "[]" into rv: arrays of rows of scalars only, summed
 * up in g as they go (see struct fl_flat_sig), their values kept in f's
 * cells while they fit.
 */
static const char *scan_rows(const char *p, const char *end, struct fl_flat_sig *g,
			     struct fl_flat *f, struct fl_flat_val *rv)
{
	size_t c0 = f->ncells;
	int store = 1;
	g->minn = SIZE_MAX;
	memset(g->mask, 0, sizeof(g->mask));
	rv->cells = NULL;
	rv->ncells = 0;
	p++; /* '[' */
	if (p < end && *p == ']') {
		p++;
		goto done;
	}
	for (;;) {
		size_t n = 0, hdr = f->ncells;
		if (p >= end || *p++ != '[' || p >= end)
			return NULL;
		if (store && f->ncells < FL_FLAT_CELLS)
			f->ncells++;
		else
			store = 0;
		if (*p != ']')
			for (;;) {
				struct fl_flat_val tmp, *v = &tmp;
				if (store && n < FL_FLAT_COLS) {
					if (f->ncells < FL_FLAT_CELLS)
						v = &f->cell[f->ncells++];
					else
						store = 0;
				}
				p = scan_scalar(p, end, v);
				if (!p || p >= end)
					return NULL;
				if (n < FL_FLAT_COLS)
					g->mask[n] |= (unsigned char)scalar_kind(v);
				n++;
				if (*p == ']')
					break;
				if (*p++ != ',')
					return NULL;
			}
		p++; /* the row's ']' */
		if (n < g->minn)
			g->minn = n;
		if (store)
			f->cell[hdr].i = (int64_t)(n < FL_FLAT_COLS ? n : FL_FLAT_COLS);
		if (p >= end)
			return NULL;
		if (*p == ']') {
			p++;
			break;
		}
		if (*p++ != ',')
			return NULL;
	}
done:
	if (store) {
		rv->cells = &f->cell[c0];
		rv->ncells = f->ncells - c0;
	} else {
		f->ncells = c0;
	}
	return p;
}

int fl_flat_row_next(const struct fl_flat_val *v, size_t *pos, struct fl_flat_row *row)
{
	const char *p, *end;
	if (v->type != 'r')
		return 0;
	if (v->cells) {
		if (*pos >= v->ncells)
			return 0;
		row->n = (size_t)v->cells[*pos].i;
		row->v = &v->cells[*pos + 1];
		*pos += 1 + row->n;
		return 1;
	}
	p = v->s + (*pos ? *pos : 1);
	end = v->s + v->slen;
	if (p >= end || *p == ']')
		return 0;
	if (*p == ',')
		p++;
	p = scan_row(p, end, row);
	if (!p)
		return 0;
	*pos = (size_t)(p - v->s);
	return 1;
}

int fl_flat_scan(const char *p, size_t n, struct fl_flat *f)
{
	const char *end = p + n;
	const struct fl_flat_val *e;
	f->n = 0;
	f->nsig = 0;
	f->ncells = 0;
	if (n < 2 || *p++ != '{' || end[-1] != '}')
		return -1; /* (the '}' also bounds scan_int) */
	for (;;) {
		struct fl_flat_val *v;
		if (f->n == FL_FLAT_MAX || p >= end || *p++ != '"')
			return -1;
		v = &f->v[f->n++];
		p = scan_str(p, end, &v->key, &v->klen);
		if (!p || p >= end || *p++ != ':' || p >= end)
			return -1;
		if (*p == '"') {
			v->type = 's';
			p = scan_str(p + 1, end, &v->s, &v->slen);
			if (p)
				flat_set_addr(v);
		} else if (*p == 'n') {
			v->type = 'n';
			p = end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
		} else if (*p == '[') {
			if (f->nsig == FL_FLAT_SIGS)
				return -1;
			v->type = 'r';
			v->s = p;
			v->i = (int64_t)f->nsig;
			p = scan_rows(p, end, &f->sig[f->nsig++], f, v);
			v->slen = p ? (size_t)(p - v->s) : 0;
		} else {
			v->type = 'i';
			p = scan_int(p, end, &v->i);
		}
		if (!p || p >= end)
			return -1;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return -1;
	}
	if (p + 1 != end)
		return -1;
	e = fl_flat_get(f, FL_K_EVENT);
	if (!e || e->type != 's')
		return -1;
	f->ev = event_of(e->s, e->slen);
	return 0;
}

void fl_flat_from_json(const json_t *o, enum fl_ev ev, struct fl_flat *f)
{
	const char *k;
	json_t *v;
	f->ev = ev;
	f->n = 0;
	json_object_foreach((json_t *)o, k, v)
	{
		struct fl_flat_val *x;
		if (f->n == FL_FLAT_MAX)
			break;
		if (!json_is_integer(v) && !json_is_string(v) && !json_is_null(v))
			continue;
		x = &f->v[f->n++];
		x->key = k;
		x->klen = strlen(k);
		x->type = json_is_integer(v) ? 'i' : json_is_string(v) ? 's' : 'n';
		x->i = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
		x->s = json_is_string(v) ? json_string_value(v) : NULL;
		x->slen = json_is_string(v) ? json_string_length(v) : 0;
		/* As the validator read it: up to a NUL (\u0000) if any. */
		x->aok = x->s && fl_parse_addr(x->s, &x->a) == 0;
	}
}

static int flat_type_ok(const struct fl_flat_val *v, char t)
{
	switch (t) {
	case 'i':
		return v->type == 'i';
	case 'u':
		return v->type == 'i' && v->i >= 0;
	case 'n':
		return v->type == 'i' || v->type == 'n';
	case 'a':
		return v->type == 's' && v->aok;
	case 'A':
		return v->type == 'i' || (v->type == 's' && v->aok);
	case 's':
		return v->type == 's';
	case 'S':
		return v->type == 's' || v->type == 'n';
	}
	return 0; /* objects, arrays, booleans: never flat */
}

/* The kinds of value (FL_FLAT_T_*) a key type accepts in a row. */
static unsigned kinds_of(char t)
{
	switch (t) {
	case 'i':
		return FL_FLAT_T_NEG | FL_FLAT_T_UINT;
	case 'u':
		return FL_FLAT_T_UINT;
	case 'n':
		return FL_FLAT_T_NEG | FL_FLAT_T_UINT | FL_FLAT_T_NULL;
	case 'a':
		return FL_FLAT_T_ADDR;
	case 'A':
		return FL_FLAT_T_NEG | FL_FLAT_T_UINT | FL_FLAT_T_ADDR;
	case 's':
		return FL_FLAT_T_ADDR | FL_FLAT_T_STR;
	case 'S':
		return FL_FLAT_T_ADDR | FL_FLAT_T_STR | FL_FLAT_T_NULL;
	}
	return 0;
}

/*
 * Rows of an 'r' value against a row spec (never "*X": scalar arrays are
 * not flat), from what the scan saw: no row shorter than the spec, no value
 * of a kind its column does not take.
 */
static int flat_rows_ok(const struct fl_flat *f, const struct fl_flat_val *v, const char *row)
{
	const struct fl_flat_sig *g;
	size_t ncols = strlen(row);
	if (row[0] == '*')
		return v->slen == 2; /* only "[]" */
	if (v->slen == 2)
		return 1;
	g = &f->sig[v->i];
	if (g->minn < ncols)
		return 0;
	for (size_t c = 0; c < ncols; c++)
		if (g->mask[c] & ~kinds_of(row[c]))
			return 0;
	return 1;
}

/* fl_flat_get with the key's length known. */
static const struct fl_flat_val *flat_getn(const struct fl_flat *f, const char *key, size_t kl)
{
	for (size_t i = f->n; i-- > 0;)
		if (f->v[i].klen == kl && f->v[i].key[0] == key[0] &&
		    memcmp(f->v[i].key, key, kl) == 0)
			return &f->v[i];
	return NULL;
}

static int flat_keys_ok(const struct key_spec *ks, const struct fl_flat *f)
{
	for (const struct key_spec *k = ks; k->key; k++) {
		const struct fl_flat_val *v = flat_getn(f, k->key, k->klen);
		if (!v) {
			if (k->required)
				return 0;
			continue;
		}
		if (k->type == 'r' ? v->type != 'r' || !flat_rows_ok(f, v, k->row)
				   : !flat_type_ok(v, k->type))
			return 0;
	}
	return 1;
}

/*
 * The shim writes every line of one kind with the same keys in the same
 * order. A shape remembers the last key sequence that passed validation
 * for an event, with each position's spec: a line with the same keys is
 * then validated position by position, without looking keys up.
 */
#define SHAPE_KEYBYTES 256
struct shape {
	size_t n;		     /* 0: none learned */
	size_t off[FL_FLAT_MAX + 1]; /* key i is kbuf[off[i]..off[i+1]) */
	char kbuf[SHAPE_KEYBYTES];
	const struct key_spec *spec[FL_FLAT_MAX]; /* NULL: a key the schema does not know */
};

static int shape_same(const struct shape *sh, const struct fl_flat *f)
{
	if (sh->n != f->n)
		return 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].klen != sh->off[i + 1] - sh->off[i] ||
		    memcmp(f->v[i].key, sh->kbuf + sh->off[i], f->v[i].klen) != 0)
			return 0;
	return 1;
}

static const struct key_spec *spec_of(const struct key_spec *ks, const char *key, size_t kl)
{
	for (const struct key_spec *k = ks; k && k->key; k++)
		if (k->klen == kl && !memcmp(k->key, key, kl))
			return k;
	return NULL;
}

/* Learns f's key sequence (already validated) unless a key repeats or they are too long. */
static void shape_learn(struct shape *sh, const struct fl_flat *f)
{
	size_t o = 0;
	sh->n = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (o + f->v[i].klen > SHAPE_KEYBYTES)
			return;
		for (size_t j = 0; j < i; j++)
			if (f->v[j].klen == f->v[i].klen &&
			    !memcmp(f->v[j].key, f->v[i].key, f->v[i].klen))
				return;
		sh->off[i] = o;
		memcpy(sh->kbuf + o, f->v[i].key, f->v[i].klen);
		o += f->v[i].klen;
		sh->spec[i] = spec_of(common_keys, f->v[i].key, f->v[i].klen);
		if (!sh->spec[i])
			sh->spec[i] = spec_of(event_keys[f->ev], f->v[i].key, f->v[i].klen);
	}
	sh->off[f->n] = o;
	sh->n = f->n;
}

/* f's values against the specs of a shape it has (shape_same). */
static int shape_types_ok(const struct shape *sh, const struct fl_flat *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct key_spec *k = sh->spec[i];
		const struct fl_flat_val *v = &f->v[i];
		if (k && (k->type == 'r' ? v->type != 'r' || !flat_rows_ok(f, v, k->row)
					 : !flat_type_ok(v, k->type)))
			return 0;
	}
	return 1;
}

/* ---- reading a file ---- */

struct file_state {
	const char *path;
	unsigned long bad;
	long good;
	const struct fl_reader_ops *ops;
	void *ctx;
	int stop;
	int fast;		     /* the fast path is on (see FL_READER_NO_FAST_ENV) */
	struct fl_progress progress; /* long reads show how far they got */
	struct shape shapes[FL_E_COUNT];
};

static void line_error(struct file_state *fs, long line, const char *fmt, const char *msg)
{
	fs->bad++;
	if (fs->bad <= MAX_REPORTED_PER_FILE)
		fl_error_at(fs->path, line, fmt, msg);
	else
		fl_error_count++;
}

/* Handles the first line; returns 0 if the header is usable. */
static int first_line(struct file_state *fs, const char *p, size_t n, json_t **out, enum fl_ev *ev)
{
	json_error_t err;
	char buf[256];
	const char *msg;
	json_t *v, *obj = json_loadb(p, n, 0, &err);
	if (!obj) {
		fl_error_at(fs->path, 1, "not a faultline trace (the first line is not JSON: %s)",
			    err.text);
		return -1;
	}
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, FL_K_EVENT))) {
		fl_error_at(fs->path, 1,
			    "not a faultline trace (the first line has no event name)");
		goto fail;
	}
	*ev = fl_reader_event(json_string_value(json_object_get(obj, FL_K_EVENT)));
	if (*ev != FL_E_HEADER) {
		fl_error_at(fs->path, 1,
			    "missing header: the first line is event '%s', not 'header'",
			    json_string_value(json_object_get(obj, FL_K_EVENT)));
		goto fail;
	}
	/* The version first: a newer header may change any other key. */
	v = json_object_get(obj, FL_K_VERSION);
	if (json_is_integer(v) && json_integer_value(v) > FL_TRACE_VERSION) {
		fl_error_at(
		    fs->path, 1,
		    "trace schema version %lld is newer than this faultline understands (%d)",
		    (long long)json_integer_value(v), FL_TRACE_VERSION);
		goto fail;
	}
	msg = validate(obj, ev, buf, sizeof(buf));
	if (msg) {
		fl_error_at(fs->path, 1, "bad header: %s", msg);
		goto fail;
	}
	if (json_integer_value(v) < 1) {
		fl_error_at(fs->path, 1, "bad header: invalid trace schema version %lld",
			    (long long)json_integer_value(v));
		goto fail;
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return -1;
}

static void deliver(struct file_state *fs, enum fl_ev ev, json_t *obj, long line)
{
	struct fl_reader_loc loc = {fs->path, line};
	int r;
	fs->good++;
	if (fs->ops->flat && (fs->ops->flat_mask & (1u << ev))) {
		struct fl_flat f;
		fl_flat_from_json(obj, ev, &f);
		r = fs->ops->flat(fs->ctx, &f, &loc);
	} else {
		r = fs->ops->event(fs->ctx, ev, obj, &loc);
	}
	if (r < 0)
		fs->stop = 1;
}

/* Whether a scanned line passes the schema: by its shape when known, else key by key. */
static int flat_valid(struct file_state *fs, const struct fl_flat *f)
{
	struct shape *sh = &fs->shapes[f->ev];
	if (shape_same(sh, f))
		return shape_types_ok(sh, f);
	if (!flat_keys_ok(common_keys, f) || !flat_keys_ok(event_keys[f->ev], f))
		return 0;
	shape_learn(sh, f);
	return 1;
}

/* One line (without its newline); last = it had no newline at the end of the file. */
static void one_line(struct file_state *fs, const char *p, size_t n, long line, int last)
{
	json_error_t err;
	enum fl_ev ev = FL_E_UNKNOWN;
	char msgbuf[256];
	const char *msg;
	json_t *obj;
	if (line == 1) {
		if (first_line(fs, p, n, &obj, &ev) < 0) {
			fs->stop = -1;
			return;
		}
		deliver(fs, ev, obj, line);
		json_decref(obj);
		return;
	}
	if (n == 0 || (n == 1 && p[0] == '\r'))
		return; /* blank lines are harmless */
	if (fs->fast && !last) {
		struct fl_flat f;
		if (fl_flat_scan(p, n, &f) == 0 &&
		    ((fs->ops->flat_mask | fs->ops->fast_mask) & (1u << f.ev)) &&
		    flat_valid(fs, &f)) {
			struct fl_reader_loc loc = {fs->path, line};
			fs->good++;
			if (fs->ops->flat(fs->ctx, &f, &loc) < 0)
				fs->stop = 1;
			return;
		}
	}
	obj = json_loadb(p, n, 0, &err);
	if (!obj) {
		if (last)
			line_error(fs, line, "%s",
				   "truncated last line (the process was killed while writing?); "
				   "skipped");
		else
			line_error(fs, line, "not valid JSON: %s", err.text);
		return;
	}
	msg = validate(obj, &ev, msgbuf, sizeof(msgbuf));
	if (msg)
		line_error(fs, line, "%s; line skipped", msg);
	else if (ev == FL_E_HEADER)
		line_error(fs, line, "%s", "a second header; line skipped");
	else
		deliver(fs, ev, obj, line);
	json_decref(obj);
}

#define CHUNK (1 << 20)

/* Reads fd in chunks and hands out complete lines; returns the last line number. */
static long read_lines(struct file_state *fs, int fd)
{
	size_t cap = CHUNK, len = 0;
	char *buf = fl_xmalloc(cap);
	long line = 0;
	int eof = 0;
	uint64_t consumed = 0;
	while (!fs->stop && (!eof || len)) {
		size_t off = 0;
		if (!eof) {
			ssize_t r;
			if (cap - len < CHUNK / 2) {
				cap *= 2; /* a line longer than what is left: grow */
				buf = fl_xrealloc(buf, cap);
			}
			r = read(fd, buf + len, cap - len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				fl_error("cannot read '%s': %s", fs->path, strerror(errno));
				break;
			}
			eof = r == 0;
			len += (size_t)r;
		}
		while (!fs->stop && off < len) {
			char *nl = memchr(buf + off, '\n', len - off);
			if (!nl && !eof)
				break;
			one_line(fs, buf + off, nl ? (size_t)(nl - (buf + off)) : len - off, ++line,
				 !nl);
			off = nl ? (size_t)(nl - buf) + 1 : len;
		}
		memmove(buf, buf + off, len - off);
		len -= off;
		consumed += off;
		fl_progress_update(&fs->progress, consumed);
	}
	fl_progress_done(&fs->progress);
	free(buf);
	return line;
}

long fl_reader_read_file_ops(const char *path, const struct fl_reader_ops *ops, void *ctx)
{
	const char *nofast = getenv(FL_READER_NO_FAST_ENV);
	struct file_state fs = {path, 0, 0, ops, ctx, 0, 0, {0}, {{0}}};
	struct stat st;
	long line;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fl_error("'%s' is not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return fl_error("'%s' is empty (no header: the process may have been killed at "
				"start)",
				path);
	}
	fs.fast = ops->flat && !(nofast && *nofast && strcmp(nofast, "0"));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	fl_progress_init(&fs.progress, path, (uint64_t)st.st_size);
	line = read_lines(&fs, fd);
	close(fd);
	if (fs.stop < 0)
		return -1;
	if (fs.bad > MAX_REPORTED_PER_FILE) {
		/* Not an error of its own: the lines were counted already. */
		fflush(stdout);
		fprintf(stderr, "faultline: %s:%ld: %lu more bad lines not shown\n", path, line,
			fs.bad - MAX_REPORTED_PER_FILE);
	}
	return fs.good;
}

long fl_reader_read_file(const char *path, fl_reader_fn fn, void *ctx)
{
	struct fl_reader_ops ops = {fn, NULL, 0, 0};
	return fl_reader_read_file_ops(path, &ops, ctx);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long fl_reader_list(const char *path, char ***files)
{
	struct stat st;
	char **v = NULL;
	size_t n = 0, cap = 0, extlen = strlen(FL_TRACE_FILE_EXT);
	DIR *d;
	struct dirent *e;
	if (stat(path, &st) < 0)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		v = fl_xcalloc(2, sizeof(*v));
		v[0] = fl_xstrdup(path);
		*files = v;
		return 1;
	}
	d = opendir(path);
	if (!d)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *full;
		if (len <= extlen || strcmp(e->d_name + len - extlen, FL_TRACE_FILE_EXT) != 0)
			continue;
		full = fl_xmalloc(strlen(path) + len + 2);
		sprintf(full, "%s/%s", path, e->d_name);
		FL_GROW(v, cap, n + 2);
		v[n++] = full;
	}
	closedir(d);
	if (!n) {
		free(v);
		return fl_error("'%s' holds no trace files (*%s)", path, FL_TRACE_FILE_EXT);
	}
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*files = v;
	return (long)n;
}

void fl_reader_list_free(char **files)
{
	if (!files)
		return;
	for (char **p = files; *p; p++)
		free(*p);
	free(files);
}
