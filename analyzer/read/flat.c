/*
 * The fast path: a flat line scanned without jansson, then validated
 * against the key specs of read/keys.c from what the scan saw.
 */
#include "read/flat.h"

#include <string.h>

#include "faultline/schema.h"
#include "read/keys.h"

/* Caches the address a string value spells (see fl_flat_val_addr). */
static void flat_set_addr(struct fl_flat_val *v)
{
	v->aok = v->type == 's' && fl_parse_hexn(v->s, v->slen, &v->a) == 0;
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
	f->ev = fl_reader_event_n(e->s, e->slen);
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

static int flat_keys_ok(const struct fl_key_spec *ks, const struct fl_flat *f)
{
	for (const struct fl_key_spec *k = ks; k->key; k++) {
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

static int shape_same(const struct fl_flat_shape *sh, const struct fl_flat *f)
{
	if (sh->n != f->n)
		return 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].klen != sh->off[i + 1] - sh->off[i] ||
		    memcmp(f->v[i].key, sh->kbuf + sh->off[i], f->v[i].klen) != 0)
			return 0;
	return 1;
}

static const struct fl_key_spec *spec_of(const struct fl_key_spec *ks, const char *key, size_t kl)
{
	for (const struct fl_key_spec *k = ks; k && k->key; k++)
		if (k->klen == kl && !memcmp(k->key, key, kl))
			return k;
	return NULL;
}

/* Learns f's key sequence (already validated) unless a key repeats or they are too long. */
static void shape_learn(struct fl_flat_shape *sh, const struct fl_flat *f)
{
	size_t o = 0;
	sh->n = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (o + f->v[i].klen > FL_FLAT_SHAPE_KEYBYTES)
			return;
		for (size_t j = 0; j < i; j++)
			if (f->v[j].klen == f->v[i].klen &&
			    !memcmp(f->v[j].key, f->v[i].key, f->v[i].klen))
				return;
		sh->off[i] = o;
		memcpy(sh->kbuf + o, f->v[i].key, f->v[i].klen);
		o += f->v[i].klen;
		sh->spec[i] = spec_of(fl_keys_common, f->v[i].key, f->v[i].klen);
		if (!sh->spec[i])
			sh->spec[i] = spec_of(fl_keys_of(f->ev), f->v[i].key, f->v[i].klen);
	}
	sh->off[f->n] = o;
	sh->n = f->n;
}

/* f's values against the specs of a shape it has (shape_same). */
static int shape_types_ok(const struct fl_flat_shape *sh, const struct fl_flat *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fl_key_spec *k = sh->spec[i];
		const struct fl_flat_val *v = &f->v[i];
		if (k && (k->type == 'r' ? v->type != 'r' || !flat_rows_ok(f, v, k->row)
					 : !flat_type_ok(v, k->type)))
			return 0;
	}
	return 1;
}

/* Whether a scanned line passes the schema: by its shape when known, else key by key. */
int fl_flat_valid(struct fl_flat_shape *shapes, const struct fl_flat *f)
{
	struct fl_flat_shape *sh = &shapes[f->ev];
	if (shape_same(sh, f))
		return shape_types_ok(sh, f);
	if (!flat_keys_ok(fl_keys_common, f) || !flat_keys_ok(fl_keys_of(f->ev), f))
		return 0;
	shape_learn(sh, f);
	return 1;
}
