// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration document: see doc.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/vmfence.h>

#include "doc.h"
#include "jsonparse.h"
#include "nlbuf.h"
#include "parse.h"
#include "util.h"

/* Where a value is, for messages: "ports[3] (vif3)", or "" at the top. */
struct ctx {
	const char *list;	/* "ports", "bridges" or NULL */
	size_t index;
	const char *ifname;	/* NULL until known to be valid */
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

static int want_type(const struct ctx *c, const char *key,
		     const struct jv *v, enum jv_type type)
{
	if (v->type == type)
		return 0;
	return ctx_error(c, -EINVAL, "\"%s\" must be %s, not %s", key,
			 jv_type_name(type), jv_type_name(v->type));
}

/* An array whose items are all strings. */
static int want_strings(const struct ctx *c, const char *key,
			const struct jv *v)
{
	size_t i;

	if (v->type == JV_ARRAY) {
		for (i = 0; i < v->arr.n; i++) {
			if (v->arr.items[i].type != JV_STRING)
				break;
		}
		if (i == v->arr.n)
			return 0;
	}
	return ctx_error(c, -EINVAL, "\"%s\" must be an array of strings", key);
}

static const struct jv *member(const struct jv *obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->obj.n; i++) {
		if (!strcmp(obj->obj.members[i].key, key))
			return &obj->obj.members[i].value;
	}
	return NULL;
}

/* The "ifname" of an entry: checked first, so that errors can name it. */
static int read_ifname(struct ctx *c, const struct jv *obj, char *ifname)
{
	const struct jv *v = member(obj, "ifname");
	char msg[ERR_LEN];
	int ret;

	if (!v)
		return ctx_error(c, -EINVAL, "\"ifname\" is required");
	ret = want_type(c, "ifname", v, JV_STRING);
	if (ret)
		return ret;
	ret = parse_ifname(v->str.s, msg, sizeof(msg));
	if (ret)
		return ctx_parse_error(c, ret, msg);
	strcpy(ifname, v->str.s);
	c->ifname = ifname;
	return 0;
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

/* The kernel refuses an address given twice: say which, before. */
static int check_addr_dups(const struct ctx *c, const struct doc_port *p)
{
	char buf[PREFIX_STR_LEN];
	struct prefix *sorted;
	size_t i;
	int ret = 0;

	if (p->n_addrs < 2)
		return 0;
	sorted = malloc(p->n_addrs * sizeof(*sorted));
	if (!sorted)
		return ctx_error(c, -ENOMEM, "%s", strerror(ENOMEM));
	memcpy(sorted, p->addrs, p->n_addrs * sizeof(*sorted));
	qsort(sorted, p->n_addrs, sizeof(*sorted), prefix_cmp);
	for (i = 1; i < p->n_addrs; i++) {
		if (!prefix_cmp(&sorted[i - 1], &sorted[i])) {
			ret = ctx_error(c, -EINVAL,
					"address %s is given twice",
					format_prefix(&sorted[i], buf));
			break;
		}
	}
	free(sorted);
	return ret;
}

static int read_addrs(const struct ctx *c, const struct jv *v,
		      struct doc_port *p)
{
	char msg[ERR_LEN];
	size_t i;
	int ret;

	ret = want_strings(c, "addrs", v);
	if (ret)
		return ret;
	if (v->arr.n > VMFENCE_ADDRS_MAX)
		return ctx_error(c, -EINVAL,
				 "too many addresses: %zu (at most %d)",
				 v->arr.n, VMFENCE_ADDRS_MAX);
	if (!v->arr.n)
		return 0;
	p->addrs = calloc(v->arr.n, sizeof(*p->addrs));
	if (!p->addrs)
		return ctx_error(c, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < v->arr.n; i++) {
		ret = parse_prefix(v->arr.items[i].str.s, &p->addrs[i], msg,
				   sizeof(msg));
		if (ret)
			return ctx_parse_error(c, ret, msg);
		p->n_addrs++;
	}
	return check_addr_dups(c, p);
}

static int read_ethertypes(const struct ctx *c, const struct jv *v,
			   struct doc_port *p)
{
	char msg[ERR_LEN], buf[ETHERTYPE_STR_LEN];
	uint16_t type;
	size_t i, j;
	int ret;

	ret = want_strings(c, "ethertypes", v);
	if (ret)
		return ret;
	if (v->arr.n > VMFENCE_ETHERTYPES_MAX)
		return ctx_error(c, -EINVAL,
				 "too many ethertypes: %zu (at most %d)",
				 v->arr.n, VMFENCE_ETHERTYPES_MAX);
	for (i = 0; i < v->arr.n; i++) {
		ret = parse_ethertype(v->arr.items[i].str.s, &type, msg,
				      sizeof(msg));
		if (ret)
			return ctx_parse_error(c, ret, msg);
		for (j = 0; j < p->n_ethertypes; j++) {
			if (p->ethertypes[j] == type)
				return ctx_error(c, -EINVAL,
						 "ethertype %s is given twice",
						 format_ethertype(type, buf));
		}
		p->ethertypes[p->n_ethertypes++] = type;
	}
	return 0;
}

/* Keys that "port show" and "bridge show" print but apply ignores. */
static int ignored_number(const struct ctx *c, const char *key,
			  const struct jv *v)
{
	return want_type(c, key, v, JV_NUMBER);
}

static int read_port(struct ctx *c, const struct jv *obj, struct doc_port *p)
{
	char msg[ERR_LEN];
	const struct jv *v;
	const char *key;
	bool has_mac = false;
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	p->mode = VMFENCE_MODE_ENFORCE;
	if (obj->type != JV_OBJECT)
		return ctx_error(c, -EINVAL, "must be an object, not %s",
				 jv_type_name(obj->type));
	ret = read_ifname(c, obj, p->ifname);
	if (ret)
		return ret;

	for (i = 0; i < obj->obj.n; i++) {
		key = obj->obj.members[i].key;
		v = &obj->obj.members[i].value;
		if (!strcmp(key, "ifname"))
			continue;
		if (!strcmp(key, "ifindex")) {
			ret = ignored_number(c, key, v);
			if (ret)
				return ret;
			continue;
		}
		if (!strcmp(key, "addrs")) {
			ret = read_addrs(c, v, p);
			if (ret)
				return ret;
			continue;
		}
		if (!strcmp(key, "ethertypes")) {
			ret = read_ethertypes(c, v, p);
			if (ret)
				return ret;
			continue;
		}

		/* The rest are scalars read by the parsers of "port set". */
		if (!strcmp(key, "seq")) {
			ret = want_type(c, key, v, JV_NUMBER);
			if (ret)
				return ret;
			ret = parse_seq(v->str.s, &p->seq, msg, sizeof(msg));
			p->has_seq = true;
		} else if (!strcmp(key, "mac") || !strcmp(key, "mode") ||
			   !strcmp(key, "label") || !strcmp(key, "multicast")) {
			ret = want_type(c, key, v, JV_STRING);
			if (ret)
				return ret;
			if (!strcmp(key, "mac")) {
				ret = parse_mac(v->str.s, p->mac, msg,
						sizeof(msg));
				has_mac = true;
			} else if (!strcmp(key, "mode")) {
				ret = parse_mode(v->str.s, &p->mode, msg,
						 sizeof(msg));
			} else if (!strcmp(key, "label")) {
				ret = parse_label(v->str.s, msg, sizeof(msg));
				if (!ret)
					strcpy(p->label, v->str.s);
			} else {
				ret = parse_multicast(v->str.s, &p->flags, msg,
						      sizeof(msg));
			}
		} else {
			return ctx_error(c, -EINVAL, "unknown key \"%s\"", key);
		}
		if (ret)
			return ctx_parse_error(c, ret, msg);
	}
	if (!has_mac)
		return ctx_error(c, -EINVAL, "\"mac\" is required");
	return 0;
}

static int read_bridge(struct ctx *c, const struct jv *obj,
		       struct doc_bridge *br)
{
	bool has_unbound = false;
	char msg[ERR_LEN];
	const struct jv *v;
	const char *key;
	size_t i;
	int ret;

	memset(br, 0, sizeof(*br));
	if (obj->type != JV_OBJECT)
		return ctx_error(c, -EINVAL, "must be an object, not %s",
				 jv_type_name(obj->type));
	ret = read_ifname(c, obj, br->ifname);
	if (ret)
		return ret;

	for (i = 0; i < obj->obj.n; i++) {
		key = obj->obj.members[i].key;
		v = &obj->obj.members[i].value;
		if (!strcmp(key, "ifname"))
			continue;
		if (!strcmp(key, "ifindex") || !strcmp(key, "unbound_drops")) {
			ret = ignored_number(c, key, v);
			if (ret)
				return ret;
			continue;
		}
		if (strcmp(key, "unbound"))
			return ctx_error(c, -EINVAL, "unknown key \"%s\"", key);
		ret = want_type(c, key, v, JV_STRING);
		if (ret)
			return ret;
		ret = parse_unbound(v->str.s, &br->unbound, msg, sizeof(msg));
		if (ret)
			return ctx_parse_error(c, ret, msg);
		has_unbound = true;
	}
	if (!has_unbound)
		return ctx_error(c, -EINVAL,
				 "\"unbound\" is required (pass or drop)");
	return 0;
}

/* Sorts entry numbers by name, then number. */
struct name_ref {
	const char *name;
	size_t index;
};

static int name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *ra = a, *rb = b;
	int c = strcmp(ra->name, rb->name);

	if (c)
		return c;
	return ra->index < rb->index ? -1 : ra->index > rb->index;
}

/*
 * Finds the first entry (in document order) whose name an earlier entry
 * has: returns its number and, in *first, the earlier one's, or n.
 */
static size_t find_dup(const char *names, size_t stride, size_t n,
		       size_t *first, int *ret)
{
	struct name_ref *refs;
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
		refs[i].name = names + i * stride;
		refs[i].index = i;
	}
	qsort(refs, n, sizeof(*refs), name_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i - 1].name, refs[i].name))
			continue;
		if (refs[i].index < dup) {
			dup = refs[i].index;
			*first = refs[i - 1].index;
		}
	}
	free(refs);
	return dup;
}

static int read_ports(struct ctx *c, const struct jv *v, struct doc *doc)
{
	size_t i, dup, first = 0;
	int ret;

	ret = want_type(c, "ports", v, JV_ARRAY);
	if (ret)
		return ret;
	if (v->arr.n > VMFENCE_APPLY_PORTS_MAX)
		return ctx_error(c, -EINVAL, "too many ports: %zu (at most %d)",
				 v->arr.n, VMFENCE_APPLY_PORTS_MAX);
	if (!v->arr.n)
		return 0;
	doc->ports = calloc(v->arr.n, sizeof(*doc->ports));
	if (!doc->ports)
		return ctx_error(c, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < v->arr.n; i++) {
		struct ctx pc = *c;

		pc.list = "ports";
		pc.index = i;
		/* counted first: doc_free() frees a half-read entry */
		doc->n_ports++;
		ret = read_port(&pc, &v->arr.items[i], &doc->ports[i]);
		if (ret)
			return ret;
	}
	dup = find_dup(doc->ports[0].ifname, sizeof(doc->ports[0]),
		       doc->n_ports, &first, &ret);
	if (ret)
		return ctx_error(c, ret, "%s", strerror(-ret));
	if (dup < doc->n_ports) {
		struct ctx pc = *c;

		pc.list = "ports";
		pc.index = dup;
		pc.ifname = doc->ports[dup].ifname;
		return ctx_error(&pc, -EINVAL,
				 "the device is given twice (also ports[%zu])",
				 first);
	}
	return 0;
}

static int read_bridges(struct ctx *c, const struct jv *v, struct doc *doc)
{
	size_t i, dup, first = 0;
	int ret;

	ret = want_type(c, "bridges", v, JV_ARRAY);
	if (ret)
		return ret;
	if (!v->arr.n)
		return 0;
	doc->bridges = calloc(v->arr.n, sizeof(*doc->bridges));
	if (!doc->bridges)
		return ctx_error(c, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < v->arr.n; i++) {
		struct ctx bc = *c;

		bc.list = "bridges";
		bc.index = i;
		doc->n_bridges++;
		ret = read_bridge(&bc, &v->arr.items[i], &doc->bridges[i]);
		if (ret)
			return ret;
	}
	dup = find_dup(doc->bridges[0].ifname, sizeof(doc->bridges[0]),
		       doc->n_bridges, &first, &ret);
	if (ret)
		return ctx_error(c, ret, "%s", strerror(-ret));
	if (dup < doc->n_bridges) {
		struct ctx bc = *c;

		bc.list = "bridges";
		bc.index = dup;
		bc.ifname = doc->bridges[dup].ifname;
		return ctx_error(&bc, -EINVAL,
				 "the bridge is given twice (also bridges[%zu])",
				 first);
	}
	return 0;
}

static int read_doc(struct ctx *c, const struct jv *root, struct doc *doc)
{
	const struct jv *v;
	const char *key;
	size_t i;
	int ret;

	if (root->type != JV_OBJECT)
		return ctx_error(c, -EINVAL,
				 "the document must be an object, not %s",
				 jv_type_name(root->type));
	for (i = 0; i < root->obj.n; i++) {
		key = root->obj.members[i].key;
		v = &root->obj.members[i].value;
		if (!strcmp(key, "version")) {
			if (v->type != JV_NUMBER || strcmp(v->str.s, "1"))
				return ctx_error(c, -EINVAL,
						 "\"version\" must be %d: this vmfencectl reads version %d documents",
						 DOC_VERSION, DOC_VERSION);
		} else if (!strcmp(key, "groups")) {
			ret = want_type(c, key, v, JV_ARRAY);
			if (ret)
				return ret;
			if (v->arr.n)
				return ctx_error(c, -EINVAL,
						 "groups are not supported by this vmfence version");
		} else if (!strcmp(key, "ports")) {
			ret = read_ports(c, v, doc);
			if (ret)
				return ret;
		} else if (!strcmp(key, "bridges")) {
			ret = read_bridges(c, v, doc);
			if (ret)
				return ret;
		} else {
			return ctx_error(c, -EINVAL,
					 "unknown key \"%s\" in the document",
					 key);
		}
	}
	return 0;
}

int doc_parse(const char *text, size_t len, struct doc *doc, char *err,
	      size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	struct jv *root;
	int ret;

	memset(doc, 0, sizeof(*doc));
	ret = jv_parse(text, len, &root, err, errlen);
	if (ret) {
		escape_controls(err, errlen);
		return ret;
	}
	ret = read_doc(&c, root, doc);
	jv_free(root);
	if (ret)
		doc_free(doc);
	return ret;
}

void doc_free(struct doc *doc)
{
	size_t i;

	for (i = 0; i < doc->n_ports; i++)
		free(doc->ports[i].addrs);
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
