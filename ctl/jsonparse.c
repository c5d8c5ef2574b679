// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON reader: see jsonparse.h.  Recursive descent, bounded by
 * JV_MAX_DEPTH; every value remembers where it starts, for messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "util.h"

struct reader {
	const unsigned char *s;
	size_t len;
	size_t pos;
	char *err;
	size_t errlen;
	int ret;		/* the first error */
};

static void jv_clear(struct jv *v);

/* Reports an error at byte offset pos, once. */
static int __attribute__((format(printf, 3, 4)))
error_at(struct reader *r, size_t pos, const char *fmt, ...)
{
	unsigned int line = 1, col = 1;
	va_list ap;
	size_t i, n;

	if (r->ret)
		return r->ret;
	for (i = 0; i < pos && i < r->len; i++) {
		if (r->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	n = snprintf(r->err, r->errlen, "line %u, column %u: ", line, col);
	if (n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	r->ret = -EBADMSG;
	return r->ret;
}

static int nomem(struct reader *r)
{
	if (!r->ret) {
		snprintf(r->err, r->errlen, "%s", strerror(ENOMEM));
		r->ret = -ENOMEM;
	}
	return r->ret;
}

static void skip_space(struct reader *r)
{
	while (r->pos < r->len &&
	       (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' ||
		r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		r->pos++;
}

/* The character at the cursor, for messages: "'x'" or "the end". */
static const char *what_is_here(const struct reader *r, char *buf,
				size_t len)
{
	unsigned char c;

	if (r->pos >= r->len)
		return "the end of the document";
	c = r->s[r->pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

static int unexpected(struct reader *r, const char *expected)
{
	char buf[16];

	return error_at(r, r->pos, "expected %s, found %s", expected,
			what_is_here(r, buf, sizeof(buf)));
}

/* The length of a valid UTF-8 sequence at s, of at most avail bytes, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

static size_t put_utf8(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = 0xc0 | c >> 6;
		out[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		out[0] = 0xe0 | c >> 12;
		out[1] = 0x80 | (c >> 6 & 0x3f);
		out[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | c >> 18;
	out[1] = 0x80 | (c >> 12 & 0x3f);
	out[2] = 0x80 | (c >> 6 & 0x3f);
	out[3] = 0x80 | (c & 0x3f);
	return 4;
}

/* Four hex digits at the cursor; -1 if they are not there. */
static long hex4(struct reader *r)
{
	long v = 0;
	int i, d;
	unsigned char c;

	if (r->len - r->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = r->s[r->pos + i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	r->pos += 4;
	return v;
}

/* The \u escape whose 'u' was just read, as a code point; -1 on error. */
static long read_u_escape(struct reader *r, size_t start)
{
	long hi, lo;

	hi = hex4(r);
	if (hi < 0) {
		error_at(r, start, "\\u must be followed by 4 hex digits");
		return -1;
	}
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		error_at(r, start, "unpaired surrogate \\u%04lx", hi);
		return -1;
	}
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (r->len - r->pos < 2 || r->s[r->pos] != '\\' ||
	    r->s[r->pos + 1] != 'u') {
		error_at(r, start, "unpaired surrogate \\u%04lx", hi);
		return -1;
	}
	r->pos += 2;
	lo = hex4(r);
	if (lo < 0xdc00 || lo > 0xdfff) {
		error_at(r, start, "unpaired surrogate \\u%04lx", hi);
		return -1;
	}
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/*
 * Reads the string at the cursor (on its opening quote) into *out, a
 * decoded copy; *outlen is its length.
 */
static int read_string(struct reader *r, char **out, size_t *outlen)
{
	size_t start = r->pos, n, len = 0, cap = 0;
	char *buf = NULL, *p;
	unsigned char c;
	long cp;

	/*
	 * Most strings of a document (names, addresses) are printable
	 * ASCII: copied in one piece.  Anything else takes the loop below.
	 */
	for (n = r->pos + 1; n < r->len; n++) {
		c = r->s[n];
		if (c == '"') {
			len = n - r->pos - 1;
			buf = malloc(len + 1);
			if (!buf)
				return nomem(r);
			memcpy(buf, r->s + r->pos + 1, len);
			buf[len] = '\0';
			r->pos = n + 1;
			*out = buf;
			*outlen = len;
			return 0;
		}
		if (c < 0x20 || c >= 0x80 || c == '\\')
			break;
	}

	r->pos++;	/* the quote */
	for (;;) {
		/* room for the longest piece, 4 bytes, and a NUL */
		if (len + 5 > cap) {
			cap = cap ? cap * 2 : 32;
			p = realloc(buf, cap);
			if (!p)
				goto nomem;
			buf = p;
		}
		if (r->pos >= r->len) {
			error_at(r, start, "unterminated string");
			goto fail;
		}
		c = r->s[r->pos];
		if (c == '"') {
			r->pos++;
			break;
		}
		if (c < 0x20) {
			error_at(r, r->pos,
				 "control character 0x%02x in a string (write it as \\u%04x)",
				 c, c);
			goto fail;
		}
		if (c != '\\') {
			n = utf8_seq(r->s + r->pos, r->len - r->pos);
			if (!n) {
				error_at(r, r->pos, "invalid UTF-8 in a string");
				goto fail;
			}
			memcpy(buf + len, r->s + r->pos, n);
			len += n;
			r->pos += n;
			continue;
		}

		n = r->pos;	/* the backslash */
		r->pos++;
		if (r->pos >= r->len) {
			error_at(r, start, "unterminated string");
			goto fail;
		}
		c = r->s[r->pos++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			buf[len++] = c;
			break;
		case 'b':
			buf[len++] = '\b';
			break;
		case 'f':
			buf[len++] = '\f';
			break;
		case 'n':
			buf[len++] = '\n';
			break;
		case 'r':
			buf[len++] = '\r';
			break;
		case 't':
			buf[len++] = '\t';
			break;
		case 'u':
			cp = read_u_escape(r, n);
			if (cp < 0)
				goto fail;
			if (!cp) {
				error_at(r, n, "\\u0000 is not allowed in a string");
				goto fail;
			}
			len += put_utf8(buf + len, cp);
			break;
		default:
			error_at(r, n, "invalid escape \\%c%s",
				 c >= 0x20 && c < 0x7f ? c : '?',
				 " (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
			goto fail;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;

nomem:
	nomem(r);
fail:
	free(buf);
	return r->ret;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as text. */
static int read_number(struct reader *r, struct jv *v)
{
	size_t start = r->pos;

	if (r->pos < r->len && r->s[r->pos] == '-')
		r->pos++;
	if (r->pos >= r->len || !is_digit(r->s[r->pos]))
		return error_at(r, start, "invalid number");
	if (r->s[r->pos] == '0') {
		r->pos++;
		if (r->pos < r->len && is_digit(r->s[r->pos]))
			return error_at(r, start,
					"invalid number: leading zeros are not allowed");
	} else {
		while (r->pos < r->len && is_digit(r->s[r->pos]))
			r->pos++;
	}
	if (r->pos < r->len && r->s[r->pos] == '.') {
		r->pos++;
		if (r->pos >= r->len || !is_digit(r->s[r->pos]))
			return error_at(r, start, "invalid number");
		while (r->pos < r->len && is_digit(r->s[r->pos]))
			r->pos++;
	}
	if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
		r->pos++;
		if (r->pos < r->len &&
		    (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
			r->pos++;
		if (r->pos >= r->len || !is_digit(r->s[r->pos]))
			return error_at(r, start, "invalid number");
		while (r->pos < r->len && is_digit(r->s[r->pos]))
			r->pos++;
	}
	v->type = JV_NUMBER;
	v->str.len = r->pos - start;
	v->str.s = malloc(v->str.len + 1);
	if (!v->str.s)
		return nomem(r);
	memcpy(v->str.s, r->s + start, v->str.len);
	v->str.s[v->str.len] = '\0';
	return 0;
}

static int read_value(struct reader *r, struct jv *v, unsigned int depth);

static int read_array(struct reader *r, struct jv *v, unsigned int depth)
{
	size_t cap = 0;
	struct jv *items;

	v->type = JV_ARRAY;
	r->pos++;	/* [ */
	skip_space(r);
	if (r->pos < r->len && r->s[r->pos] == ']') {
		r->pos++;
		return 0;
	}
	for (;;) {
		items = array_grow(v->arr.items, &cap, v->arr.n,
				   sizeof(*items));
		if (!items)
			return nomem(r);
		v->arr.items = items;
		memset(&items[v->arr.n], 0, sizeof(*items));
		/* counted first, so that jv_clear() frees a partial one */
		v->arr.n++;
		if (read_value(r, &items[v->arr.n - 1], depth + 1))
			return r->ret;
		skip_space(r);
		if (r->pos < r->len && r->s[r->pos] == ',') {
			r->pos++;
			skip_space(r);
			continue;
		}
		if (r->pos < r->len && r->s[r->pos] == ']') {
			r->pos++;
			return 0;
		}
		return unexpected(r, "',' or ']'");
	}
}

static int read_object(struct reader *r, struct jv *v, unsigned int depth)
{
	struct jv_member *members, *m;
	size_t cap = 0, key_pos, len, i;
	char *key;

	v->type = JV_OBJECT;
	r->pos++;	/* { */
	skip_space(r);
	if (r->pos < r->len && r->s[r->pos] == '}') {
		r->pos++;
		return 0;
	}
	for (;;) {
		if (r->pos >= r->len || r->s[r->pos] != '"')
			return unexpected(r, "a key (a string in double quotes)");
		key_pos = r->pos;
		if (read_string(r, &key, &len))
			return r->ret;
		/* Objects of a document are small: a linear search will do. */
		for (i = 0; i < v->obj.n; i++) {
			if (!strcmp(v->obj.members[i].key, key)) {
				error_at(r, key_pos,
					 "key \"%s\" is given twice in one object",
					 key);
				free(key);
				return r->ret;
			}
		}
		members = array_grow(v->obj.members, &cap, v->obj.n,
				     sizeof(*members));
		if (!members) {
			free(key);
			return nomem(r);
		}
		v->obj.members = members;
		m = &members[v->obj.n++];
		memset(m, 0, sizeof(*m));
		m->key = key;

		skip_space(r);
		if (r->pos >= r->len || r->s[r->pos] != ':')
			return unexpected(r, "':' after a key");
		r->pos++;
		skip_space(r);
		if (read_value(r, &m->value, depth + 1))
			return r->ret;
		skip_space(r);
		if (r->pos < r->len && r->s[r->pos] == ',') {
			r->pos++;
			skip_space(r);
			continue;
		}
		if (r->pos < r->len && r->s[r->pos] == '}') {
			r->pos++;
			return 0;
		}
		return unexpected(r, "',' or '}'");
	}
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n))
		return false;
	r->pos += n;
	return true;
}

static int read_value(struct reader *r, struct jv *v, unsigned int depth)
{
	unsigned char c;

	v->pos = r->pos;
	if (depth > JV_MAX_DEPTH)
		return error_at(r, r->pos, "nested more than %d levels deep",
				JV_MAX_DEPTH);
	if (r->pos >= r->len)
		return unexpected(r, "a value");
	c = r->s[r->pos];
	switch (c) {
	case '{':
		return read_object(r, v, depth);
	case '[':
		return read_array(r, v, depth);
	case '"':
		v->type = JV_STRING;
		return read_string(r, &v->str.s, &v->str.len);
	case 't':
	case 'f':
	case 'n':
		if (literal(r, "true")) {
			v->type = JV_BOOL;
			v->b = true;
			return 0;
		}
		if (literal(r, "false")) {
			v->type = JV_BOOL;
			v->b = false;
			return 0;
		}
		if (literal(r, "null")) {
			v->type = JV_NULL;
			return 0;
		}
		return unexpected(r, "a value");
	default:
		if (c == '-' || is_digit(c))
			return read_number(r, v);
		return unexpected(r, "a value");
	}
}

int jv_parse(const char *text, size_t len, struct jv **root, char *err,
	     size_t errlen)
{
	struct reader r = {
		.s = (const unsigned char *)text,
		.len = len,
		.err = err,
		.errlen = errlen,
	};
	struct jv *v;

	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	skip_space(&r);
	if (!read_value(&r, v, 1)) {
		skip_space(&r);
		if (r.pos < r.len)
			unexpected(&r, "the end of the document");
	}
	if (r.ret) {
		jv_free(v);
		return r.ret;
	}
	*root = v;
	return 0;
}

static void jv_clear(struct jv *v)
{
	size_t i;

	switch (v->type) {
	case JV_NUMBER:
	case JV_STRING:
		free(v->str.s);
		break;
	case JV_ARRAY:
		for (i = 0; i < v->arr.n; i++)
			jv_clear(&v->arr.items[i]);
		free(v->arr.items);
		break;
	case JV_OBJECT:
		for (i = 0; i < v->obj.n; i++) {
			free(v->obj.members[i].key);
			jv_clear(&v->obj.members[i].value);
		}
		free(v->obj.members);
		break;
	default:
		break;
	}
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	jv_clear(v);
	free(v);
}

const char *jv_type_name(enum jv_type type)
{
	switch (type) {
	case JV_NULL:
		return "null";
	case JV_BOOL:
		return "a boolean";
	case JV_NUMBER:
		return "a number";
	case JV_STRING:
		return "a string";
	case JV_ARRAY:
		return "an array";
	case JV_OBJECT:
		return "an object";
	}
	return "a value";
}
