/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_JSON_H
#define VMFENCECTL_JSON_H

/*
 * One print path for text and JSON, in the spirit of iproute2's
 * json_print.h: every value is printed once, with both its text format
 * and its JSON key.  PRINT_FP values appear only in text, PRINT_JSON ones
 * only in JSON.  Objects and arrays exist only in JSON; in text, opening
 * and closing them prints nothing.  Inside an array the key is NULL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_type {
	PRINT_FP	= 1,
	PRINT_JSON	= 2,
	PRINT_ANY	= PRINT_FP | PRINT_JSON,
};

/* Chooses the output, before anything is printed. */
void print_init(bool json, bool pretty);
bool is_json(void);
/*
 * Starts another document with the same choices, for outputs that are a
 * series of documents, one per line.
 */
void print_reset(void);
/* Ends the output: the newline after the JSON document. */
void print_fini(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
/*
 * Like print_string(), but the text output escapes value too, as a JSON
 * string without its quotes: for text that users wrote, such as labels.
 */
void print_escaped(enum output_type t, const char *key, const char *fmt,
		   const char *value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_u64(enum output_type t, const char *key, const char *fmt,
	       uint64_t value);
/* Ends a line of text. */
void print_nl(void);

/*
 * The length of the UTF-8 sequence at s, a NUL-terminated string, or 0
 * if it is not valid UTF-8.
 */
size_t utf8_len(const unsigned char *s);

#endif /* VMFENCECTL_JSON_H */
