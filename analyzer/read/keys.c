/*
 * The schema as the reader checks it: event names, and per event one row
 * per key with its type (table driven, so that the model can take the
 * values without checking types again). This file holds the jansson
 * validation path; read/flat.c checks scanned lines against the same table.
 */
#include "read/keys.h"

#include <stdio.h>
#include <string.h>

#include "faultline/schema.h"

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
    [FL_E_ALLOC_FAILED] = FL_EV_ALLOC_FAILED,
    [FL_E_HEAPCALLS] = FL_EV_HEAPCALLS,
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

enum fl_ev fl_reader_event_n(const char *s, size_t n)
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

const struct fl_key_spec fl_keys_common[] = {R(FL_K_TIME, 'u'), K(FL_K_SEQ, 'u'), K(FL_K_TID, 'i'),
					     END};
static const struct fl_key_spec header_keys[] = {R(FL_K_VERSION, 'i'),
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
static const struct fl_key_spec maps_keys[] = {ROWS(FL_K_VMAS, 1, "aasaus"),
					       ROWS(FL_K_SHIM, 0, "aa"), K(FL_K_WHY, 's'), END};
static const struct fl_key_spec stack_keys[] = {R(FL_K_ID, 'u'), ROWS(FL_K_FRAMES, 1, "*a"), END};
static const struct fl_key_spec alloc_keys[] = {
    K(FL_K_FUNC, 's'),	 R(FL_K_ADDR, 'a'),	 R(FL_K_SIZE, 'u'),	    K(FL_K_STACK, 'u'),
    K(FL_K_WEIGHT, 'u'), K(FL_K_COMMITTED, 'u'), K(FL_K_COMMIT_LIMIT, 'u'), END};
static const struct fl_key_spec alloc_failed_keys[] = {
    K(FL_K_FUNC, 's'),	R(FL_K_SIZE, 'u'),	K(FL_K_SIZE_OVERFLOW, 'b'), K(FL_K_ERRNO, 'i'),
    K(FL_K_STACK, 'u'), K(FL_K_COMMITTED, 'u'), K(FL_K_COMMIT_LIMIT, 'u'),  END};
static const struct fl_key_spec free_keys[] = {R(FL_K_ADDR, 'a'), K(FL_K_SIZE, 'u'), END};
static const struct fl_key_spec realloc_keys[] = {K(FL_K_FUNC, 's'),	     R(FL_K_OLD_ADDR, 'a'),
						  R(FL_K_ADDR, 'a'),	     R(FL_K_SIZE, 'u'),
						  K(FL_K_OLD_SIZE, 'u'),     K(FL_K_STACK, 'u'),
						  K(FL_K_WEIGHT, 'u'),	     K(FL_K_COMMITTED, 'u'),
						  K(FL_K_COMMIT_LIMIT, 'u'), END};
static const struct fl_key_spec mmap_keys[] = {K(FL_K_ADDR, 'A'),
					       R(FL_K_SIZE, 'u'),
					       K(FL_K_PROT, 'i'),
					       K(FL_K_FLAGS, 'i'),
					       K(FL_K_FD, 'i'),
					       K(FL_K_OFFSET, 'i'),
					       R(FL_K_RESULT, 'A'),
					       K(FL_K_ERRNO, 'i'),
					       K(FL_K_STACK, 'u'),
					       K(FL_K_PATH, 'S'),
					       K(FL_K_COMMITTED, 'u'),
					       K(FL_K_COMMIT_LIMIT, 'u'),
					       END};
static const struct fl_key_spec range_keys[] = {
    R(FL_K_ADDR, 'A'),	 R(FL_K_SIZE, 'u'),  K(FL_K_PROT, 'i'),	 K(FL_K_ADVICE, 'i'),
    K(FL_K_RESULT, 'A'), K(FL_K_ERRNO, 'i'), K(FL_K_STACK, 'u'), END};
static const struct fl_key_spec mremap_keys[] = {
    R(FL_K_OLD_ADDR, 'A'), K(FL_K_OLD_SIZE, 'u'), R(FL_K_SIZE, 'u'),  K(FL_K_FLAGS, 'i'),
    R(FL_K_RESULT, 'A'),   K(FL_K_ERRNO, 'i'),	  K(FL_K_STACK, 'u'), END};
static const struct fl_key_spec brk_keys[] = {K(FL_K_FUNC, 's'),
					      K(FL_K_ADDR, 'A'),
					      K(FL_K_SIZE, 'i'),
					      K(FL_K_RESULT, 'A'),
					      K(FL_K_ERRNO, 'i'),
					      K(FL_K_STACK, 'u'),
					      END};
static const struct fl_key_spec fork_keys[] = {R(FL_K_CHILD, 'i'), K(FL_K_KIND, 's'), END};
static const struct fl_key_spec exec_keys[] = {K(FL_K_PATH, 'S'), ROWS(FL_K_ARGV, 0, "*S"),
					       K(FL_K_RESULT, 'i'), K(FL_K_ERRNO, 'i'), END};
static const struct fl_key_spec exit_keys[] = {K(FL_K_HOW, 's'),	K(FL_K_STATUS, 'i'),
					       K(FL_K_SIGNAL, 'i'),	K(FL_K_RU_MINFLT, 'n'),
					       K(FL_K_RU_MAJFLT, 'n'),	K("ru_utime_ns", 'n'),
					       K("ru_stime_ns", 'n'),	K("ru_maxrss_kb", 'n'),
					       K(FL_K_RU_INBLOCK, 'n'), END};
static const struct fl_key_spec faults_keys[] = {K(FL_K_PERIOD, 'u'), K(FL_K_LOST, 'u'),
						 ROWS(FL_K_SAMPLES, 1, "aaiui"), END};
static const struct fl_key_spec counters_keys[] = {K(FL_K_MINFLT, 'n'),
						   K(FL_K_MAJFLT, 'n'),
						   K(FL_K_RU_MINFLT, 'n'),
						   K(FL_K_RU_MAJFLT, 'n'),
						   K(FL_K_DTLB_LOAD, 'n'),
						   K(FL_K_DTLB_STORE, 'n'),
						   K(FL_K_RSS_ANON, 'n'),
						   K(FL_K_RSS_FILE, 'n'),
						   K(FL_K_RSS_SHMEM, 'n'),
						   K(FL_K_VSZ, 'n'),
						   K(FL_K_VM_HWM, 'n'),
						   K(FL_K_VM_PEAK, 'n'),
						   K(FL_K_SWAP, 'n'),
						   K(FL_K_PTE, 'n'),
						   K(FL_K_STACK_VMA, 'n'),
						   K(FL_K_COMMITTED, 'n'),
						   K(FL_K_COMMIT_LIMIT, 'n'),
						   K(FL_K_OOM_SCORE, 'n'),
						   K(FL_K_TRACKING_FAULTS, 'n'),
						   K(FL_K_RU_MINFLT_BASE, 'n'),
						   K(FL_K_SHIM_KERNEL_MINFLT, 'n'),
						   K(FL_K_EXEC_KERNEL_MINFLT, 'n'),
						   K(FL_K_SHIM_THREADS, 'n'),
						   END};
static const struct fl_key_spec residency_keys[] = {K(FL_K_METHOD, 's'),
						    ROWS(FL_K_REGIONS, 1, "aaiiiiiiii"), END};
static const struct fl_key_spec wss_keys[] = {K(FL_K_METHOD, 's'), K("window_ns", 'u'),
					      K("written", 'i'), ROWS(FL_K_REGIONS, 0, "aai"), END};
static const struct fl_key_spec io_keys[] = {ROWS(FL_K_FDS, 1, "iSuu"), END};
static const struct fl_key_spec heap_keys[] = {K(FL_K_CALLS, 'o'), K(FL_K_BYTES, 'o'),
					       K(FL_K_LIVE, 'i'), K(FL_K_PEAK, 'i'), END};
static const struct fl_key_spec sites_keys[] = {ROWS("sites", 1, "uuuuii"), END};
static const struct fl_key_spec heapcalls_keys[] = {R(FL_K_SEQ, 'u'),
						    R(FL_K_TID, 'i'),
						    R(FL_K_N, 'u'),
						    ROWS(FL_K_DATA, 0, "*i"),
						    K(FL_K_HC_KINDS, 's'),
						    K(FL_K_HC_SLOTS, 's'),
						    K(FL_K_HC_SIZES, 's'),
						    K(FL_K_HC_PLACES, 's'),
						    K(FL_K_HC_DELTAS, 's'),
						    K(FL_K_HC_US, 's'),
						    K(FL_K_HC_DSEQ, 's'),
						    K(FL_K_HC_FN, 's'),
						    K(FL_K_HC_STACKS, 's'),
						    K(FL_K_HC_WEIGHTS, 's'),
						    K(FL_K_HC_CODED, 's'),
						    K(FL_K_HC_NLETTERS, 'u'),
						    END};
static const struct fl_key_spec note_keys[] = {K("what", 's'), K(FL_K_WHY, 'S'), K("n", 'n'), END};

static const struct fl_key_spec *const event_keys[FL_E_COUNT] = {
    [FL_E_HEADER] = header_keys,
    [FL_E_MAPS] = maps_keys,
    [FL_E_STACK] = stack_keys,
    [FL_E_ALLOC] = alloc_keys,
    [FL_E_FREE] = free_keys,
    [FL_E_REALLOC] = realloc_keys,
    [FL_E_MMAP] = mmap_keys,
    [FL_E_MUNMAP] = range_keys,
    [FL_E_MREMAP] = mremap_keys,
    [FL_E_MPROTECT] = range_keys,
    [FL_E_MADVISE] = range_keys,
    [FL_E_BRK] = brk_keys,
    [FL_E_FORK] = fork_keys,
    [FL_E_EXEC] = exec_keys,
    [FL_E_EXIT] = exit_keys,
    [FL_E_FAULTS] = faults_keys,
    [FL_E_COUNTERS] = counters_keys,
    [FL_E_RESIDENCY] = residency_keys,
    [FL_E_WSS] = wss_keys,
    [FL_E_IO] = io_keys,
    [FL_E_HEAP] = heap_keys,
    [FL_E_SITES] = sites_keys,
    [FL_E_NOTE] = note_keys,
    [FL_E_ALLOC_FAILED] = alloc_failed_keys,
    [FL_E_HEAPCALLS] = heapcalls_keys,
};

/* Hex digit values plus one; 0 for anything else. */
static const unsigned char hexval1[256] = {
    ['0'] = 1,	['1'] = 2,  ['2'] = 3,	['3'] = 4,  ['4'] = 5,	['5'] = 6,  ['6'] = 7,	['7'] = 8,
    ['8'] = 9,	['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int fl_parse_hexn(const char *s, size_t n, uint64_t *out)
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
	return fl_parse_hexn(s, strlen(s), out);
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
static const char *check_rows(const struct fl_key_spec *k, const json_t *arr, char *buf, size_t len)
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

static const char *check_keys(const struct fl_key_spec *ks, const json_t *obj, char *buf,
			      size_t len)
{
	for (const struct fl_key_spec *k = ks; k->key; k++) {
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

const char *fl_keys_validate(const json_t *obj, enum fl_ev *ev, char *buf, size_t len)
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
	msg = check_keys(fl_keys_common, obj, buf, len);
	if (msg)
		return msg;
	if (*ev != FL_E_UNKNOWN)
		return check_keys(event_keys[*ev], obj, buf, len);
	return NULL;
}

const struct fl_key_spec *fl_keys_of(enum fl_ev ev)
{
	return ev > FL_E_UNKNOWN && ev < FL_E_COUNT ? event_keys[ev] : NULL;
}
