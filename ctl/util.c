// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(".\n", stderr);
	return EXIT_FAIL;
}

void escape_controls(char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n, extra = 0;
	unsigned char c;

	for (i = 0; buf[i]; i++) {
		c = buf[i];
		if (c < 0x20 || c == 0x7f)
			extra += 3;
	}
	if (!extra)
		return;
	n = i;
	/* Drop what no longer fits, from the end. */
	while (n + extra + 1 > size && n) {
		c = buf[--n];
		if (c < 0x20 || c == 0x7f)
			extra -= 3;
	}
	buf[n + extra] = '\0';
	while (n) {
		c = buf[--n];
		if (c < 0x20 || c == 0x7f) {
			extra -= 3;
			buf[n + extra] = '\\';
			buf[n + extra + 1] = 'x';
			buf[n + extra + 2] = hex[c >> 4];
			buf[n + extra + 3] = hex[c & 15];
		} else {
			buf[n + extra] = c;
		}
	}
}

void *array_grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	void *p;

	if (n < *cap)
		return v;
	new_cap = *cap ? *cap * 2 : 16;
	if (new_cap <= n)
		new_cap = n + 1;
	if (new_cap > SIZE_MAX / size)
		return NULL;
	p = realloc(v, new_cap * size);
	if (!p)
		return NULL;
	*cap = new_cap;
	return p;
}
