/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_JSONPARSE_H
#define VMFENCECTL_JSONPARSE_H

/*
 * A strict JSON (RFC 8259) reader for the documents that users write for
 * "vmfencectl apply".  Stricter than common libraries, because a document
 * is security policy: a key given twice in one object, a NUL (\u0000) in
 * a string, an unpaired surrogate, bytes that are not UTF-8 and anything
 * after the value are errors, and a number keeps its text, so that each
 * field reads it with its own parser (a seq of 2^64 is "too large", not
 * silently 2^64 - 1).  Pure: no global state, no output.
 */

#include <stdbool.h>
#include <stddef.h>

/* Deeper nesting is refused; a document needs 4 levels. */
#define JV_MAX_DEPTH	32

enum jv_type {
	JV_NULL,
	JV_BOOL,
	JV_NUMBER,
	JV_STRING,
	JV_ARRAY,
	JV_OBJECT,
};

struct jv_member;

struct jv {
	enum jv_type type;
	size_t pos;			/* byte offset in the text */
	union {
		bool b;
		/* a string, decoded, or a number, as written */
		struct {
			char *s;	/* NUL-terminated, no NUL inside */
			size_t len;
		} str;
		struct {
			struct jv *items;
			size_t n;
		} arr;
		struct {
			struct jv_member *members;	/* in document order */
			size_t n;
		} obj;
	};
};

struct jv_member {
	char *key;
	struct jv value;
};

/*
 * Parses the len bytes at text (which need not be NUL-terminated) into a
 * tree that jv_free() frees.  Returns 0, -EBADMSG with "line L, column C:
 * <what>" in err, or -ENOMEM.
 */
int jv_parse(const char *text, size_t len, struct jv **root, char *err,
	     size_t errlen);

void jv_free(struct jv *v);

/* "a string", "an array"...: for error messages. */
const char *jv_type_name(enum jv_type type);

#endif /* VMFENCECTL_JSONPARSE_H */
