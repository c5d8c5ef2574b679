// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH	8
#define JSON_INDENT	4	/* like iproute2's -p */

static struct {
	bool json;
	bool pretty;
	unsigned int depth;
	/* values written so far at each depth, to place the commas */
	unsigned int count[JSON_MAX_DEPTH];
} out;

void print_init(bool json, bool pretty)
{
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.pretty = json && pretty;
}

void print_reset(void)
{
	print_init(out.json, out.pretty);
}

bool is_json(void)
{
	return out.json;
}

void print_fini(void)
{
	if (out.json)
		putchar('\n');
}

size_t utf8_len(const unsigned char *s)
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

/*
 * Writes s as the inside of a JSON string: quote, backslash and control
 * characters escaped, bytes that are not UTF-8 replaced by U+FFFD.
 */
static void put_escaped(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
}

static void newline_indent(void)
{
	putchar('\n');
	printf("%*s", out.depth * JSON_INDENT, "");
}

/* Starts a value: the comma before it, and its key inside an object. */
static void start_value(const char *key)
{
	if (out.count[out.depth]++)
		putchar(',');
	if (out.pretty && out.depth)
		newline_indent();
	if (key) {
		putchar('"');
		put_escaped(stdout, key);
		fputs(out.pretty ? "\": " : "\":", stdout);
	}
}

static void open_container(const char *key, char c)
{
	if (!out.json)
		return;
	if (out.depth + 1 >= JSON_MAX_DEPTH)
		abort();
	start_value(key);
	putchar(c);
	out.count[++out.depth] = 0;
}

static void close_container(char c)
{
	if (!out.json)
		return;
	if (!out.depth)
		abort();
	out.depth--;
	if (out.pretty && out.count[out.depth + 1])
		newline_indent();
	putchar(c);
}

void open_json_object(const char *key)
{
	open_container(key, '{');
}

void close_json_object(void)
{
	close_container('}');
}

void open_json_array(const char *key)
{
	open_container(key, '[');
}

void close_json_array(void)
{
	close_container(']');
}

static void json_string(const char *key, const char *value)
{
	start_value(key);
	putchar('"');
	put_escaped(stdout, value);
	putchar('"');
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (out.json) {
		if (t & PRINT_JSON)
			json_string(key, value);
	} else if (t & PRINT_FP) {
		printf(fmt, value);
	}
}

void print_escaped(enum output_type t, const char *key, const char *fmt,
		   const char *value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (out.json || !(t & PRINT_FP)) {
		print_string(t, key, fmt, value);
		return;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		/* Out of memory: better raw than nothing. */
		printf(fmt, value);
		return;
	}
	put_escaped(f, value);
	if (fclose(f))
		printf(fmt, value);
	else
		printf(fmt, buf);
	free(buf);
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (out.json) {
		if (t & PRINT_JSON) {
			start_value(key);
			printf("%u", value);
		}
	} else if (t & PRINT_FP) {
		printf(fmt, value);
	}
}

void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value)
{
	if (out.json) {
		if (t & PRINT_JSON) {
			start_value(key);
			printf("%" PRIu64, value);
		}
	} else if (t & PRINT_FP) {
		printf(fmt, value);
	}
}

void print_nl(void)
{
	if (!out.json)
		putchar('\n');
}
