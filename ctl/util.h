/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_UTIL_H
#define VMFENCECTL_UTIL_H

#include <stddef.h>

#define PROG_NAME	"vmfencectl"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The buffer for the one-line message of a parser that refuses what it
 * was given (parse.h, doc.h): longer ones are cut.
 */
#define ERR_LEN		512

/* Exit codes: success, a failure reported by the system, a usage error. */
enum {
	EXIT_OK		= 0,
	EXIT_FAIL	= 1,
	EXIT_USAGE	= 2,
};

/* Prints "vmfencectl: <message>" on stderr and returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "Error: <message>." on stderr and returns EXIT_FAIL. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Rewrites, within size bytes, the control characters of the string in
 * buf as \xNN, so that a message quoting what a user wrote stays on one
 * line.
 */
void escape_controls(char *buf, size_t size);

/*
 * Makes room in v, an array of *cap elements of size bytes, for element
 * number n (so n + 1 elements).  Returns the array, maybe moved, or NULL
 * with v untouched if memory ran out.
 */
void *array_grow(void *v, size_t *cap, size_t n, size_t size);

#endif /* VMFENCECTL_UTIL_H */
