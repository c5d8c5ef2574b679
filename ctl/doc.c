// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration document: see doc.h.
 *
 * The text is read by libjansson into a tree, which is then walked by
 * tables: every object of the document (the document itself, a port, a
 * bridge) is a table of fields, each with its key, the JSON type its value
 * must have, the parser that reads it and whether it is required; every
 * array (ports, bridges, addrs, ethertypes) is read by read_list(), with
 * its limit and its duplicate check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include <linux/vmfence.h>

#include "doc.h"
#include "nlbuf.h"
#include "parse.h"
#include "util.h"

/* Where a value is, for messages: "ports[3] (vif3)", or "" at the top. */
struct ctx {
	const char *list;	/* "ports", "bridges" or NULL */
	size_t index;
	const char *ifname;	/* NULL until known to be valid */
	char *name;		/* where the entry's "ifname" goes */
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
ctx_error(const struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;
	int w;

	if (c->list && c->ifname)
		w = snprintf(c->err, c->errlen, "%s[%zu] (%s): ", c->list,
			     c->index, c->ifname);
	else if (c->list)
		w = snprintf(c->err, c->errlen, "%s[%zu]: ", c->list,
			     c->index);
	else
		w = 0;
	if (w > 0)
		n = w;
	if (n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	escape_controls(c->err, c->errlen);
	return ret;
}

/* A parse.c parser failed with ret and message msg. */
static int ctx_parse_error(const struct ctx *c, int ret, const char *msg)
{
	return ctx_error(c, ret ? ret : -EINVAL, "%s", msg);
}

static int ctx_nomem(const struct ctx *c)
{
	return ctx_error(c, -ENOMEM, "%s", strerror(ENOMEM));
}

/* "a string", "an array"...: for error messages. */
static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

/* The JSON type that a field's value must have. */
enum field_type {
	FT_ANY,			/* its parser checks */
	FT_STRING,
	FT_NUMBER,		/* an integer or not */
	FT_ARRAY,
	FT_STRINGS,		/* an array; read_list() checks the items */
};

/* Whether an object must have a field. */
enum field_need {
	OPTIONAL,
	REQUIRED,
	/*
	 * Required, and read before the others, so that every later
	 * message names the entry by it ("ifname").
	 */
	NAME,
};

/*
 * A key of an object, whose value must be of the JSON type type.  parse
 * reads the value into dst (the struct doc, doc_port or doc_bridge being
 * read); NULL: the value is only checked for its type (what "port show"
 * and "bridge show" print but apply ignores).  A required field that is
 * missing is an error, which names the values it takes, values, if set.
 */
struct field {
	const char *key;
	enum field_type type;
	int (*parse)(struct ctx *c, const json_t *v, void *dst);
	enum field_need need;
	const char *values;
};

/*
 * An array, of at most max items.  Its items are entries (objects read
 * by fields, whose "ifname" goes at cmp_off and is prefixed to messages
 * about them) or values (strings read by read_value, messages prefixed as
 * those of the object that holds the array).  Two items whose keys (what
 * is at cmp_off in each) cmp finds equal are an error.
 */
struct list {
	const char *key;
	const char *noun;	/* "device": "the device is given twice" */
	const char *plural;	/* "ports": "too many ports" */
	size_t max;		/* 0: no limit */
	size_t size;		/* of an item */
	/* entries */
	const struct field *fields;
	size_t n_fields;
	void (*init)(void *item);
	/* values */
	int (*read_value)(struct ctx *c, const char *s, void *item);
	/* for messages: the value of an item, in buf */
	const char *(*show)(const void *item, char *buf);
	size_t cmp_off;
	int (*cmp)(const void *a, const void *b);
	void (*free_item)(void *item);
};

static int want_type(const struct ctx *c, const char *key, const json_t *v,
		     enum field_type type)
{
	static const char *const names[] = {
		[FT_STRING] = "a string",
		[FT_NUMBER] = "a number",
		[FT_ARRAY] = "an array",
		[FT_STRINGS] = "an array of strings",
	};
	bool ok;

	switch (type) {
	case FT_STRING:
		ok = json_is_string(v);
		break;
	case FT_NUMBER:
		ok = json_is_number(v);
		break;
	case FT_ARRAY:
	case FT_STRINGS:
		ok = json_is_array(v);
		break;
	default:
		ok = true;
		break;
	}
	if (ok)
		return 0;
	return ctx_error(c, -EINVAL, "\"%s\" must be %s, not %s", key,
			 names[type], type_name(v));
}

static const struct field *find_field(const struct field *fields, size_t n,
				      const char *key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	}
	return NULL;
}

static int read_field(struct ctx *c, const struct field *f, const json_t *v,
		      void *dst)
{
	int ret = want_type(c, f->key, v, f->type);

	if (ret || !f->parse)
		return ret;
	return f->parse(c, v, dst);
}

/*
 * An object of the document (the document itself when c->list is NULL),
 * of at most 32 fields.
 */
static int read_object(struct ctx *c, const json_t *obj,
		       const struct field *fields, size_t n, void *dst)
{
	uint32_t seen = 0;	/* a bit per field */
	const struct field *f;
	const char *key;
	json_t *v;
	size_t i;
	int ret;

	if (!json_is_object(obj))
		return ctx_error(c, -EINVAL, "%smust be an object, not %s",
				 c->list ? "" : "the document ",
				 type_name(obj));
	for (i = 0; i < n; i++) {
		if (fields[i].need != NAME)
			continue;
		v = json_object_get(obj, fields[i].key);
		if (!v)
			return ctx_error(c, -EINVAL, "\"%s\" is required",
					 fields[i].key);
		ret = read_field(c, &fields[i], v, dst);
		if (ret)
			return ret;
		seen |= 1u << i;
	}
	/* In the order of the document (libjansson keeps it). */
	json_object_foreach((json_t *)obj, key, v) {
		f = find_field(fields, n, key);
		if (!f)
			return ctx_error(c, -EINVAL, "unknown key \"%s\"%s",
					 key, c->list ? "" : " in the document");
		if (seen & 1u << (f - fields))
			continue;
		ret = read_field(c, f, v, dst);
		if (ret)
			return ret;
		seen |= 1u << (f - fields);
	}
	for (i = 0; i < n; i++) {
		if (fields[i].need == OPTIONAL || seen & 1u << i)
			continue;
		return ctx_error(c, -EINVAL, "\"%s\" is required%s%s%s",
				 fields[i].key,
				 fields[i].values ? " (" : "",
				 fields[i].values ? fields[i].values : "",
				 fields[i].values ? ")" : "");
	}
	return 0;
}

/* Sorts items by value, then by number, to find repeats. */
struct item_ref {
	const void *key;
	size_t index;
	int (*cmp)(const void *a, const void *b);
};

static int item_ref_cmp(const void *a, const void *b)
{
	const struct item_ref *ra = a, *rb = b;
	int c = ra->cmp(ra->key, rb->key);

	if (c)
		return c;
	return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/*
 * The first item (in document order) equal to an earlier one: its number
 * and, in *first, the earlier one's; or n.  -ENOMEM in *ret.
 */
static size_t find_dup(const struct list *l, const char *items, size_t n,
		       size_t *first, int *ret)
{
	struct item_ref *refs;
	size_t i, dup = n;

	*ret = 0;
	if (n < 2)
		return n;
	refs = malloc(n * sizeof(*refs));
	if (!refs) {
		*ret = -ENOMEM;
		return n;
	}
	for (i = 0; i < n; i++) {
		refs[i].key = items + i * l->size + l->cmp_off;
		refs[i].index = i;
		refs[i].cmp = l->cmp;
	}
	qsort(refs, n, sizeof(*refs), item_ref_cmp);
	for (i = 1; i < n; i++) {
		if (l->cmp(refs[i - 1].key, refs[i].key))
			continue;
		if (refs[i].index < dup) {
			dup = refs[i].index;
			*first = refs[i - 1].index;
		}
	}
	free(refs);
	return dup;
}

static void free_items(const struct list *l, char *items, size_t n)
{
	size_t i;

	if (l->free_item) {
		for (i = 0; i < n; i++)
			l->free_item(items + i * l->size);
	}
	free(items);
}

/*
 * The array v (its type checked already), read into a new array of
 * l->size-byte items, *out (NULL if empty), of *n items.  On error, *out
 * is NULL and *n is 0.
 */
static int read_list(struct ctx *c, const json_t *v, const struct list *l,
		     void **out, size_t *n_out)
{
	char buf[PREFIX_STR_LEN];
	size_t n = json_array_size(v), i, dup, first = 0;
	char *items = NULL, *item;
	const json_t *e;
	int ret = 0;

	*out = NULL;
	*n_out = 0;
	if (!l->fields) {
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return ctx_error(c, -EINVAL,
						 "\"%s\" must be an array of strings",
						 l->key);
		}
	}
	if (l->max && n > l->max)
		return ctx_error(c, -EINVAL, "too many %s: %zu (at most %zu)",
				 l->plural, n, l->max);
	if (!n)
		return 0;
	items = calloc(n, l->size);
	if (!items)
		return ctx_nomem(c);
	json_array_foreach(v, i, e) {
		item = items + i * l->size;
		if (l->fields) {
			struct ctx ec = *c;

			ec.list = l->key;
			ec.index = i;
			ec.ifname = NULL;
			ec.name = item + l->cmp_off;
			if (l->init)
				l->init(item);
			ret = read_object(&ec, e, l->fields, l->n_fields, item);
		} else {
			ret = l->read_value(c, json_string_value(e), item);
		}
		if (ret) {
			/* this one too: it may hold what it read so far */
			free_items(l, items, i + 1);
			return ret;
		}
	}

	dup = find_dup(l, items, n, &first, &ret);
	if (ret) {
		ret = ctx_nomem(c);
	} else if (dup < n && l->fields) {
		struct ctx ec = *c;

		ec.list = l->key;
		ec.index = dup;
		ec.ifname = items + dup * l->size + l->cmp_off;
		ret = ctx_error(&ec, -EINVAL,
				"the %s is given twice (also %s[%zu])",
				l->noun, l->key, first);
	} else if (dup < n) {
		ret = ctx_error(c, -EINVAL, "%s %s is given twice", l->noun,
				l->show(items + dup * l->size, buf));
	}
	if (ret) {
		free_items(l, items, n);
		return ret;
	}
	*out = items;
	*n_out = n;
	return 0;
}

/* The fields.  dst is the object being read. */

static int read_ifname(struct ctx *c, const json_t *v, void *dst)
{
	const char *s = json_string_value(v);
	char msg[ERR_LEN];
	int ret;

	(void)dst;
	ret = parse_ifname(s, msg, sizeof(msg));
	if (ret)
		return ctx_parse_error(c, ret, msg);
	strcpy(c->name, s);
	c->ifname = c->name;
	return 0;
}

static int read_mac(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	char msg[ERR_LEN];
	int ret;

	ret = parse_mac(json_string_value(v), p->mac, msg, sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static int read_mode(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	char msg[ERR_LEN];
	int ret;

	ret = parse_mode(json_string_value(v), &p->mode, msg, sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static int read_label(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	const char *s = json_string_value(v);
	char msg[ERR_LEN];
	int ret;

	ret = parse_label(s, msg, sizeof(msg));
	if (ret)
		return ctx_parse_error(c, ret, msg);
	strcpy(p->label, s);
	return 0;
}

/*
 * A seq is a JSON integer from 0 to 2^53: readers that hold numbers as
 * doubles (JavaScript, jq) cannot tell larger integers apart, so that a
 * document that went through one could carry another seq than written.
 * (SEQ_MAX, parse.h; "port set" refuses larger ones too.)
 */
static int read_seq(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	json_int_t n;

	if (!json_is_integer(v))
		return ctx_error(c, -EINVAL,
				 "invalid seq: expected an integer from 0 to %llu (2^53), without a fraction or an exponent",
				 SEQ_MAX);
	n = json_integer_value(v);
	if (n < 0)
		return ctx_error(c, -EINVAL,
				 "invalid seq %lld: expected an integer from 0 to %llu (2^53)",
				 (long long)n, SEQ_MAX);
	if ((unsigned long long)n > SEQ_MAX)
		return ctx_error(c, -ERANGE,
				 "seq %lld is too large (at most %llu, 2^53: larger integers are not exact in every JSON reader)",
				 (long long)n, SEQ_MAX);
	p->seq = n;
	p->has_seq = true;
	return 0;
}

static int read_multicast(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	char msg[ERR_LEN];
	int ret;

	ret = parse_multicast(json_string_value(v), &p->flags, msg,
			      sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static int read_prefix(struct ctx *c, const char *s, void *item)
{
	char msg[ERR_LEN];
	int ret;

	ret = parse_prefix(s, item, msg, sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static const char *show_prefix(const void *item, char *buf)
{
	return format_prefix(item, buf);
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct prefix *pa = a, *pb = b;

	if (pa->family != pb->family)
		return pa->family < pb->family ? -1 : 1;
	if (pa->len != pb->len)
		return pa->len < pb->len ? -1 : 1;
	return memcmp(pa->addr, pb->addr, sizeof(pa->addr));
}

/* The kernel refuses an address given twice: read_list() says which. */
static const struct list addrs_list = {
	.key = "addrs",
	.noun = "address",
	.plural = "addresses",
	.max = VMFENCE_ADDRS_MAX,
	.size = sizeof(struct prefix),
	.read_value = read_prefix,
	.show = show_prefix,
	.cmp = prefix_cmp,
};

static int read_addrs(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	void *items;
	int ret;

	ret = read_list(c, v, &addrs_list, &items, &p->n_addrs);
	p->addrs = items;
	return ret;
}

static int read_ethertype(struct ctx *c, const char *s, void *item)
{
	char msg[ERR_LEN];
	int ret;

	ret = parse_ethertype(s, item, msg, sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static const char *show_ethertype(const void *item, char *buf)
{
	return format_ethertype(*(const uint16_t *)item, buf);
}

static int ethertype_cmp(const void *a, const void *b)
{
	uint16_t ta = *(const uint16_t *)a, tb = *(const uint16_t *)b;

	return ta < tb ? -1 : ta > tb;
}

static const struct list ethertypes_list = {
	.key = "ethertypes",
	.noun = "ethertype",
	.plural = "ethertypes",
	.max = VMFENCE_ETHERTYPES_MAX,
	.size = sizeof(uint16_t),
	.read_value = read_ethertype,
	.show = show_ethertype,
	.cmp = ethertype_cmp,
};

static int read_ethertypes(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_port *p = dst;
	void *items;
	int ret;

	ret = read_list(c, v, &ethertypes_list, &items, &p->n_ethertypes);
	p->ethertypes = items;
	return ret;
}

static int read_unbound(struct ctx *c, const json_t *v, void *dst)
{
	struct doc_bridge *br = dst;
	char msg[ERR_LEN];
	int ret;

	ret = parse_unbound(json_string_value(v), &br->unbound, msg,
			    sizeof(msg));
	return ret ? ctx_parse_error(c, ret, msg) : 0;
}

static const struct field port_fields[] = {
	/* key		JSON type	parser		required	its values */
	{ "ifname",	FT_STRING,	read_ifname,	NAME,		NULL },
	{ "mac",	FT_STRING,	read_mac,	REQUIRED,	NULL },
	{ "mode",	FT_STRING,	read_mode,	OPTIONAL,	NULL },
	{ "label",	FT_STRING,	read_label,	OPTIONAL,	NULL },
	{ "seq",	FT_NUMBER,	read_seq,	OPTIONAL,	NULL },
	{ "addrs",	FT_STRINGS,	read_addrs,	OPTIONAL,	NULL },
	{ "multicast",	FT_STRING,	read_multicast,	OPTIONAL,	NULL },
	{ "ethertypes",	FT_STRINGS,	read_ethertypes, OPTIONAL,	NULL },
	/* printed by "port show", ignored */
	{ "ifindex",	FT_NUMBER,	NULL,		OPTIONAL,	NULL },
};

static const struct field bridge_fields[] = {
	{ "ifname",	FT_STRING,	read_ifname,	NAME,		NULL },
	{ "unbound",	FT_STRING,	read_unbound,	REQUIRED, "pass or drop" },
	/* printed by "bridge show", ignored */
	{ "ifindex",	FT_NUMBER,	NULL,		OPTIONAL,	NULL },
	{ "unbound_drops", FT_NUMBER,	NULL,		OPTIONAL,	NULL },
};

_Static_assert(ARRAY_SIZE(port_fields) <= 32 &&
	       ARRAY_SIZE(bridge_fields) <= 32, "read_object(): 32 fields");

static void port_init(void *item)
{
	struct doc_port *p = item;

	p->mode = VMFENCE_MODE_ENFORCE;
}

static void port_free(void *item)
{
	struct doc_port *p = item;

	free(p->addrs);
	free(p->ethertypes);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static const struct list ports_list = {
	.key = "ports",
	.noun = "device",
	.plural = "ports",
	.max = VMFENCE_APPLY_PORTS_MAX,
	.size = sizeof(struct doc_port),
	.fields = port_fields,
	.n_fields = ARRAY_SIZE(port_fields),
	.init = port_init,
	.cmp_off = offsetof(struct doc_port, ifname),
	.cmp = name_cmp,
	.free_item = port_free,
};

static const struct list bridges_list = {
	.key = "bridges",
	.noun = "bridge",
	.plural = "bridges",
	.size = sizeof(struct doc_bridge),
	.fields = bridge_fields,
	.n_fields = ARRAY_SIZE(bridge_fields),
	.cmp_off = offsetof(struct doc_bridge, ifname),
	.cmp = name_cmp,
};

static int read_version(struct ctx *c, const json_t *v, void *dst)
{
	(void)dst;
	if (!json_is_integer(v) || json_integer_value(v) != DOC_VERSION)
		return ctx_error(c, -EINVAL,
				 "\"version\" must be %d: this vmfencectl reads version %d documents",
				 DOC_VERSION, DOC_VERSION);
	return 0;
}

/* Reserved for security groups. */
static int read_groups(struct ctx *c, const json_t *v, void *dst)
{
	(void)dst;
	if (json_array_size(v))
		return ctx_error(c, -EINVAL,
				 "groups are not supported by this vmfence version");
	return 0;
}

static int read_ports(struct ctx *c, const json_t *v, void *dst)
{
	struct doc *doc = dst;
	void *items;
	int ret;

	ret = read_list(c, v, &ports_list, &items, &doc->n_ports);
	doc->ports = items;
	return ret;
}

static int read_bridges(struct ctx *c, const json_t *v, void *dst)
{
	struct doc *doc = dst;
	void *items;
	int ret;

	ret = read_list(c, v, &bridges_list, &items, &doc->n_bridges);
	doc->bridges = items;
	return ret;
}

static const struct field doc_fields[] = {
	{ "version",	FT_ANY,		read_version,	OPTIONAL,	NULL },
	{ "groups",	FT_ARRAY,	read_groups,	OPTIONAL,	NULL },
	{ "ports",	FT_ARRAY,	read_ports,	OPTIONAL,	NULL },
	{ "bridges",	FT_ARRAY,	read_bridges,	OPTIONAL,	NULL },
};

/* Where byte off of text is, as libjansson counts: characters, from 1. */
static void text_position(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* The token that libjansson's message quotes ("... near 'x'"), or NULL. */
static const char *near_token(const char *text, char *buf, size_t len)
{
	const char *p = strstr(text, " near '");
	size_t n;

	if (!p)
		return NULL;
	p += strlen(" near '");
	n = strlen(p);
	if (n < 2 || p[n - 1] != '\'')
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n - 1), p);
	return buf;
}

/*
 * libjansson refused the text: its message, in vmfencectl's words where
 * they differ.  It points at the last character it read, of the token at
 * fault, and counts columns in characters.
 */
static int load_error(const json_error_t *e, char *err, size_t errlen)
{
	char what[JSON_ERROR_TEXT_LENGTH + 128], buf[JSON_ERROR_TEXT_LENGTH];
	const char *tok = near_token(e->text, buf, sizeof(buf));

	switch (json_error_code(e)) {
	case json_error_out_of_memory:
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	case json_error_duplicate_key:
		if (tok)
			snprintf(what, sizeof(what),
				 "key %s is given twice in one object", tok);
		else
			snprintf(what, sizeof(what),
				 "a key is given twice in one object");
		break;
	case json_error_end_of_input_expected:
		if (tok)
			snprintf(what, sizeof(what),
				 "expected the end of the document, found '%s'",
				 tok);
		else
			snprintf(what, sizeof(what),
				 "expected the end of the document");
		break;
	case json_error_premature_end_of_input:
		/* after a comma, a colon, or nothing at all */
		if (!strncmp(e->text, "unexpected token", 16))
			snprintf(what, sizeof(what),
				 "expected a value, found the end of the document");
		else
			snprintf(what, sizeof(what), "%s", e->text);
		break;
	case json_error_null_character:
	case json_error_null_byte_in_key:
		/* its message names a flag of the decoder */
		snprintf(what, sizeof(what),
			 "\\u0000 is not allowed in a string");
		break;
	case json_error_numeric_overflow:
		if (tok) {
			snprintf(what, sizeof(what),
				 "the number %s is too large (a seq is at most %llu, 2^53)",
				 tok, SEQ_MAX);
			break;
		}
		/* fall through */
	default:
		snprintf(what, sizeof(what), "%s", e->text);
		break;
	}
	/* Its column is 0 at the start of a line. */
	snprintf(err, errlen, "line %d, column %d: %s", e->line,
		 e->column > 0 ? e->column : 1, what);
	return -EBADMSG;
}

int doc_parse(const char *text, size_t len, struct doc *doc, char *err,
	      size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	const char *nul;
	json_error_t e;
	json_t *root;
	int ret, line, col;

	memset(doc, 0, sizeof(*doc));
	/*
	 * No JSON text holds a NUL byte; libjansson would call one the end
	 * of the input ("end of file expected near end of file").
	 */
	nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		text_position(text, nul - text, &line, &col);
		snprintf(err, errlen,
			 "line %d, column %d: a NUL byte: not a JSON text",
			 line, col);
		return -EBADMSG;
	}
	root = json_loadb(len ? text : "", len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
	if (!root) {
		ret = load_error(&e, err, errlen);
		escape_controls(err, errlen);
		return ret;
	}
	ret = read_object(&c, root, doc_fields, ARRAY_SIZE(doc_fields), doc);
	json_decref(root);
	if (ret)
		doc_free(doc);
	return ret;
}

void doc_free(struct doc *doc)
{
	size_t i;

	for (i = 0; i < doc->n_ports; i++)
		port_free(&doc->ports[i]);
	free(doc->ports);
	free(doc->bridges);
	memset(doc, 0, sizeof(*doc));
}

/* One VMFENCE_A_PORT, as "port set" sends it. */
static void put_port(struct nlbuf *b, const struct doc_port *p)
{
	const struct prefix *a;
	size_t port, nest, addr, i;

	port = nlbuf_nest_start(b, VMFENCE_A_PORT);
	nlbuf_put_strz(b, VMFENCE_PORT_A_IFNAME, p->ifname);
	nlbuf_put(b, VMFENCE_PORT_A_MAC, p->mac, ETH_ALEN);
	nlbuf_put_u8(b, VMFENCE_PORT_A_MODE, p->mode);
	if (p->label[0])
		nlbuf_put_strz(b, VMFENCE_PORT_A_LABEL, p->label);
	if (p->has_seq)
		nlbuf_put_u64(b, VMFENCE_PORT_A_SEQ, p->seq);
	if (p->n_addrs) {
		nest = nlbuf_nest_start(b, VMFENCE_PORT_A_ADDRS);
		for (i = 0; i < p->n_addrs; i++) {
			a = &p->addrs[i];
			addr = nlbuf_nest_start(b, VMFENCE_ADDRS_A_ADDR);
			nlbuf_put(b, a->family == AF_INET ? VMFENCE_ADDR_A_IN :
				  VMFENCE_ADDR_A_IN6, a->addr,
				  ADDR_LEN(a->family));
			nlbuf_put_u8(b, VMFENCE_ADDR_A_PREFIXLEN, a->len);
			nlbuf_nest_end(b, addr);
		}
		nlbuf_nest_end(b, nest);
	}
	/* Always: the binding is replaced whole, its flags too. */
	nlbuf_put_u32(b, VMFENCE_PORT_A_FLAGS, p->flags);
	if (p->n_ethertypes) {
		nest = nlbuf_nest_start(b, VMFENCE_PORT_A_ETHERTYPES);
		for (i = 0; i < p->n_ethertypes; i++)
			nlbuf_put_u16(b, VMFENCE_ETHERTYPES_A_TYPE,
				      p->ethertypes[i]);
		nlbuf_nest_end(b, nest);
	}
	nlbuf_nest_end(b, port);
}

static void put_bridge(struct nlbuf *b, const struct doc_bridge *br)
{
	size_t nest;

	nest = nlbuf_nest_start(b, VMFENCE_A_BRIDGE);
	nlbuf_put_strz(b, VMFENCE_BRIDGE_A_IFNAME, br->ifname);
	nlbuf_put_u8(b, VMFENCE_BRIDGE_A_UNBOUND, br->unbound);
	nlbuf_nest_end(b, nest);
}

int doc_encode(struct doc *doc, uint16_t family, uint32_t flags,
	       struct nlbuf *b, char *err, size_t errlen)
{
	size_t i;
	int ret;

	/*
	 * Entries are top-level attributes, one per port and bridge: a
	 * list attribute would hold at most 64 KiB.
	 */
	nlbuf_init(b, family, VMFENCE_CMD_APPLY, VMFENCE_GENL_VERSION);
	nlbuf_put_u32(b, VMFENCE_A_APPLY_FLAGS, flags);
	for (i = 0; i < doc->n_ports && !b->err; i++) {
		doc->ports[i].msg_start = b->len;
		put_port(b, &doc->ports[i]);
		doc->ports[i].msg_end = b->len;
	}
	for (i = 0; i < doc->n_bridges && !b->err; i++) {
		doc->bridges[i].msg_start = b->len;
		put_bridge(b, &doc->bridges[i]);
		doc->bridges[i].msg_end = b->len;
	}
	ret = nlbuf_finish(b);
	if (ret)
		snprintf(err, errlen, "%s", strerror(-ret));
	return ret;
}

/* Binary searches, by the offsets that doc_encode() recorded. */
static size_t locate_port(const struct doc *doc, uint32_t off)
{
	size_t lo = 0, hi = doc->n_ports, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (off < doc->ports[mid].msg_start)
			hi = mid;
		else if (off >= doc->ports[mid].msg_end)
			lo = mid + 1;
		else
			return mid;
	}
	return doc->n_ports;
}

static size_t locate_bridge(const struct doc *doc, uint32_t off)
{
	size_t lo = 0, hi = doc->n_bridges, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (off < doc->bridges[mid].msg_start)
			hi = mid;
		else if (off >= doc->bridges[mid].msg_end)
			lo = mid + 1;
		else
			return mid;
	}
	return doc->n_bridges;
}

bool doc_locate(const struct doc *doc, uint32_t off, char *buf, size_t len)
{
	size_t i;

	i = locate_port(doc, off);
	if (i < doc->n_ports) {
		snprintf(buf, len, "ports[%zu] (%s)", i, doc->ports[i].ifname);
		return true;
	}
	i = locate_bridge(doc, off);
	if (i < doc->n_bridges) {
		snprintf(buf, len, "bridges[%zu] (%s)", i,
			 doc->bridges[i].ifname);
		return true;
	}
	return false;
}
