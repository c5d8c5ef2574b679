// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence-nlfuzz: strict parsers of what the kernel sends back.
 *
 * Every reply and dump message is held to the uapi header: the right
 * command in the genlmsghdr, each attribute of the length its type says,
 * nests flagged NLA_F_NESTED, nothing unknown, nothing twice, everything
 * that is always sent present, and values the kernel itself would accept
 * (a bound address is masked to its prefix, a mode is a mode).  Address
 * lists must come in the order the packet path searches them (IPv4 then
 * IPv6, longest prefix first, then by address): a list out of that order
 * would mean a lookup that misses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include "nlfuzz.h"

struct pctx {
	char *why;
	size_t wlen;
	bool bad;
};

static int bad(struct pctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->bad) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->wlen, fmt, ap);
		va_end(ap);
	}
	c->bad = true;
	return -1;
}

/* The attributes of a nest (or a message), each type once, known ones. */
static int collect(struct pctx *c, const char *what, const struct nlattr *head,
		   int len, int maxtype, const struct nlattr **tb,
		   uint32_t nested_mask)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem) {
		int t = nla_type(a);
		bool nested = a->nla_type & NLA_F_NESTED;

		if (t == 0 || t > maxtype)
			return bad(c, "%s: unknown attribute %d", what, t);
		if (tb[t])
			return bad(c, "%s: attribute %d twice", what, t);
		if (nested != !!(nested_mask & (1u << t)))
			return bad(c, "%s: attribute %d %s NLA_F_NESTED", what,
				   t, nested ? "with" : "without");
		tb[t] = a;
	}
	if (rem != 0 && rem > -4)
		return bad(c, "%s: %d bytes after the last attribute", what,
			   rem);
	return 0;
}

static int want_len(struct pctx *c, const char *what,
		    const struct nlattr *a, int len)
{
	if (nla_len(a) != len)
		return bad(c, "%s: %d bytes, expected %d", what, nla_len(a),
			   len);
	return 0;
}

static uint64_t get_uint(const struct nlattr *a)
{
	uint64_t v = 0;

	memcpy(&v, nla_data(a), nla_len(a) < 8 ? nla_len(a) : 8);
	return v;
}

/* A NUL-terminated string of at most @max bytes before the NUL. */
static int want_str(struct pctx *c, const char *what,
		    const struct nlattr *a, char *out, int max)
{
	const char *s = nla_data(a);
	int n = nla_len(a);

	if (n < 1 || s[n - 1] || (int)strlen(s) != n - 1)
		return bad(c, "%s: not one NUL-terminated string", what);
	if (n - 1 > max)
		return bad(c, "%s: %d bytes, at most %d", what, n - 1, max);
	memcpy(out, s, n);
	return 0;
}

static int genl_check(struct pctx *c, const struct nlmsghdr *h, int cmd)
{
	const struct genlmsghdr *g = nlmsg_data(h);

	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return bad(c, "message of %u bytes", h->nlmsg_len);
	if (g->cmd != cmd)
		return bad(c, "genlmsghdr.cmd %u, expected %d", g->cmd, cmd);
	if (g->version != VMFENCE_GENL_VERSION)
		return bad(c, "genlmsghdr.version %u", g->version);
	if (g->reserved)
		return bad(c, "genlmsghdr.reserved %u", g->reserved);
	return 0;
}

#define TOP(h) ((const struct nlattr *)((const uint8_t *)(h) + NLMSG_HDRLEN + GENL_HDRLEN))
#define TOPLEN(h) ((int)(h)->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN)

static int check_addr(struct pctx *c, const struct nlattr *nest,
		      struct maddr *p)
{
	const struct nlattr *tb[VMFENCE_ADDR_A_MAX + 1], *a;
	uint8_t masked[16];
	int i, plen;

	if (collect(c, "addr", nla_data(nest), nla_len(nest),
		    VMFENCE_ADDR_A_MAX, tb, 0))
		return -1;
	if (!tb[VMFENCE_ADDR_A_IN] == !tb[VMFENCE_ADDR_A_IN6])
		return bad(c, "addr: not exactly one of IN and IN6");
	a = tb[VMFENCE_ADDR_A_IN] ?: tb[VMFENCE_ADDR_A_IN6];
	if (want_len(c, "addr", a, tb[VMFENCE_ADDR_A_IN] ? 4 : 16))
		return -1;
	if (!tb[VMFENCE_ADDR_A_PREFIXLEN])
		return bad(c, "addr: no PREFIXLEN");
	if (want_len(c, "prefixlen", tb[VMFENCE_ADDR_A_PREFIXLEN], 1))
		return -1;
	memset(p, 0, sizeof(*p));
	p->alen = nla_len(a);
	memcpy(p->addr, nla_data(a), p->alen);
	p->plen = get_uint(tb[VMFENCE_ADDR_A_PREFIXLEN]);
	if (p->plen > p->alen * 8)
		return bad(c, "addr: prefix length %u", p->plen);
	memcpy(masked, p->addr, sizeof(masked));
	for (i = 0, plen = p->plen; i < p->alen; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		masked[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
	if (memcmp(masked, p->addr, p->alen))
		return bad(c, "addr: host bits beyond /%u", p->plen);
	return 0;
}

static int check_addrs(struct pctx *c, const struct nlattr *addrs,
		       struct mbind *b)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, addrs, rem) {
		if (nla_type(a) != VMFENCE_ADDRS_A_ADDR ||
		    !(a->nla_type & NLA_F_NESTED))
			return bad(c, "addrs: entry of type %#x", a->nla_type);
		if (b->naddr == VMFENCE_ADDRS_MAX)
			return bad(c, "addrs: more than VMFENCE_ADDRS_MAX");
		if (check_addr(c, a, &b->addr[b->naddr]))
			return -1;
		if (b->naddr &&
		    maddr_cmp(&b->addr[b->naddr - 1], &b->addr[b->naddr]) >= 0)
			return bad(c, "addrs: not in lookup order, or twice");
		b->naddr++;
	}
	if (rem != 0 && rem > -4)
		return bad(c, "addrs: trailing bytes");
	return 0;
}

static int check_ethertypes(struct pctx *c, const struct nlattr *types,
			    struct mbind *b)
{
	const struct nlattr *a;
	int rem, i;

	nla_for_each_nested(a, types, rem) {
		uint16_t t;

		if (nla_type(a) != VMFENCE_ETHERTYPES_A_TYPE ||
		    want_len(c, "ethertype", a, 2))
			return bad(c, "ethertypes: bad entry");
		t = get_uint(a);
		if (t < 0x600)
			return bad(c, "ethertypes: %#x", t);
		for (i = 0; i < b->neth; i++)
			if (b->eth[i] == t)
				return bad(c, "ethertypes: %#x twice", t);
		if (b->neth == VMFENCE_ETHERTYPES_MAX)
			return bad(c, "ethertypes: more than the maximum");
		b->eth[b->neth++] = t;
	}
	if (!b->neth)
		return bad(c, "ethertypes: sent empty");
	return 0;
}

/* IFINDEX, IFNAME and LABEL, as in port messages and stats messages. */
static int check_port_id(struct pctx *c, const struct nlattr **tb,
			 int *ifindex, char *name, char *label)
{
	if (!tb[VMFENCE_PORT_A_IFINDEX] || !tb[VMFENCE_PORT_A_IFNAME])
		return bad(c, "port: no IFINDEX or no IFNAME");
	if (want_len(c, "ifindex", tb[VMFENCE_PORT_A_IFINDEX], 4) ||
	    want_str(c, "ifname", tb[VMFENCE_PORT_A_IFNAME], name,
		     IFNAMSIZ - 1))
		return -1;
	*ifindex = get_uint(tb[VMFENCE_PORT_A_IFINDEX]);
	if (*ifindex <= 0)
		return bad(c, "ifindex %d", *ifindex);
	label[0] = 0;
	if (tb[VMFENCE_PORT_A_LABEL]) {
		if (want_str(c, "label", tb[VMFENCE_PORT_A_LABEL], label,
			     VMFENCE_LABEL_MAX - 1))
			return -1;
		if (!label[0])
			return bad(c, "label: sent empty");
	}
	return 0;
}

static const uint32_t port_nests = 1u << VMFENCE_PORT_A_ADDRS |
				   1u << VMFENCE_PORT_A_ETHERTYPES;

int parse_port_msg(const struct nlmsghdr *h, struct pentry *e, char *why,
		   size_t wlen)
{
	struct pctx c = { why, wlen, false };
	const struct nlattr *top[VMFENCE_A_MAX + 1];
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct mbind *b = &e->b;
	const uint8_t *mac;

	memset(e, 0, offsetof(struct pentry, b) + offsetof(struct mbind, addr));
	if (genl_check(&c, h, VMFENCE_CMD_PORT_GET) ||
	    collect(&c, "message", TOP(h), TOPLEN(h), VMFENCE_A_MAX, top,
		    1u << VMFENCE_A_PORT))
		return -1;
	if (!top[VMFENCE_A_PORT] || top[VMFENCE_A_STATS] ||
	    top[VMFENCE_A_BRIDGE] || top[VMFENCE_A_APPLY_FLAGS] ||
	    top[VMFENCE_A_EVENT])
		return bad(&c, "message: not exactly VMFENCE_A_PORT");
	if (collect(&c, "port", nla_data(top[VMFENCE_A_PORT]),
		    nla_len(top[VMFENCE_A_PORT]), VMFENCE_PORT_A_MAX, tb,
		    port_nests) ||
	    check_port_id(&c, tb, &e->ifindex, e->name, b->label))
		return -1;
	if (!tb[VMFENCE_PORT_A_MAC] || !tb[VMFENCE_PORT_A_MODE] ||
	    !tb[VMFENCE_PORT_A_SEQ] || !tb[VMFENCE_PORT_A_ADDRS] ||
	    !tb[VMFENCE_PORT_A_FLAGS])
		return bad(&c, "port: MAC, MODE, SEQ, ADDRS or FLAGS missing");
	if (want_len(&c, "mac", tb[VMFENCE_PORT_A_MAC], 6) ||
	    want_len(&c, "mode", tb[VMFENCE_PORT_A_MODE], 1) ||
	    want_len(&c, "seq", tb[VMFENCE_PORT_A_SEQ], 8) ||
	    want_len(&c, "flags", tb[VMFENCE_PORT_A_FLAGS], 4))
		return -1;
	if (tb[VMFENCE_PORT_A_PAD] && nla_len(tb[VMFENCE_PORT_A_PAD]))
		return bad(&c, "pad: not empty");
	mac = nla_data(tb[VMFENCE_PORT_A_MAC]);
	memcpy(b->mac, mac, 6);
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return bad(&c, "mac: not unicast");
	b->mode = get_uint(tb[VMFENCE_PORT_A_MODE]);
	if (b->mode < VMFENCE_MODE_ENFORCE || b->mode > VMFENCE_MODE_MAX)
		return bad(&c, "mode %u", b->mode);
	b->seq = get_uint(tb[VMFENCE_PORT_A_SEQ]);
	b->flags = get_uint(tb[VMFENCE_PORT_A_FLAGS]);
	if (b->flags & ~(uint32_t)__VMFENCE_PORT_F_ALL)
		return bad(&c, "flags %#x", b->flags);
	if (tb[VMFENCE_PORT_A_ETHERTYPES] &&
	    check_ethertypes(&c, tb[VMFENCE_PORT_A_ETHERTYPES], b))
		return -1;
	return check_addrs(&c, tb[VMFENCE_PORT_A_ADDRS], b);
}

static int check_stats(struct pctx *c, const struct nlattr *stats)
{
	const struct nlattr *tb[VMFENCE_STATS_A_MAX + 1], *a;
	bool seen[VMFENCE_DROP_MAX + 1] = { false };
	int rem, r;

	if (collect(c, "stats", nla_data(stats), nla_len(stats),
		    VMFENCE_STATS_A_MAX, tb, 1u << VMFENCE_STATS_A_DROPS))
		return -1;
	if (!tb[VMFENCE_STATS_A_PASSED] || !tb[VMFENCE_STATS_A_DROPS])
		return bad(c, "stats: PASSED or DROPS missing");
	if (want_len(c, "passed", tb[VMFENCE_STATS_A_PASSED], 8))
		return -1;
	nla_for_each_nested(a, tb[VMFENCE_STATS_A_DROPS], rem) {
		r = nla_type(a);
		if (r == VMFENCE_DROP_UNSPEC) {
			if (nla_len(a))
				return bad(c, "drops: padding not empty");
			continue;
		}
		if (want_len(c, "drop counter", a, 8))
			return -1;
		if (r > VMFENCE_DROP_MAX)
			continue;	/* newer than us: allowed */
		if (seen[r])
			return bad(c, "drops: reason %d twice", r);
		seen[r] = true;
	}
	for (r = 1; r <= VMFENCE_DROP_MAX; r++)
		if (!seen[r])
			return bad(c, "drops: reason %d missing", r);
	return 0;
}

int parse_stats_msg(const struct nlmsghdr *h, struct sentry *e, char *why,
		    size_t wlen)
{
	struct pctx c = { why, wlen, false };
	const struct nlattr *top[VMFENCE_A_MAX + 1];
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	int i;

	memset(e, 0, sizeof(*e));
	if (genl_check(&c, h, VMFENCE_CMD_STATS_GET) ||
	    collect(&c, "message", TOP(h), TOPLEN(h), VMFENCE_A_MAX, top,
		    1u << VMFENCE_A_PORT | 1u << VMFENCE_A_STATS))
		return -1;
	if (!top[VMFENCE_A_STATS] || top[VMFENCE_A_BRIDGE] ||
	    top[VMFENCE_A_APPLY_FLAGS] || top[VMFENCE_A_EVENT])
		return bad(&c, "message: not VMFENCE_A_STATS and maybe VMFENCE_A_PORT");
	e->totals = !top[VMFENCE_A_PORT];
	if (top[VMFENCE_A_PORT]) {
		if (collect(&c, "port", nla_data(top[VMFENCE_A_PORT]),
			    nla_len(top[VMFENCE_A_PORT]), VMFENCE_PORT_A_MAX,
			    tb, 0) ||
		    check_port_id(&c, tb, &e->ifindex, e->name, e->label))
			return -1;
		for (i = 0; i <= VMFENCE_PORT_A_MAX; i++)
			if (tb[i] && i != VMFENCE_PORT_A_IFINDEX &&
			    i != VMFENCE_PORT_A_IFNAME &&
			    i != VMFENCE_PORT_A_LABEL)
				return bad(&c, "stats port: attribute %d", i);
	}
	return check_stats(&c, top[VMFENCE_A_STATS]);
}

int parse_bridge_msg(const struct nlmsghdr *h, struct bentry *e, char *why,
		     size_t wlen)
{
	struct pctx c = { why, wlen, false };
	const struct nlattr *top[VMFENCE_A_MAX + 1];
	const struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (genl_check(&c, h, VMFENCE_CMD_BRIDGE_GET) ||
	    collect(&c, "message", TOP(h), TOPLEN(h), VMFENCE_A_MAX, top,
		    1u << VMFENCE_A_BRIDGE))
		return -1;
	if (!top[VMFENCE_A_BRIDGE] || top[VMFENCE_A_PORT] ||
	    top[VMFENCE_A_STATS] || top[VMFENCE_A_APPLY_FLAGS] ||
	    top[VMFENCE_A_EVENT])
		return bad(&c, "message: not exactly VMFENCE_A_BRIDGE");
	if (collect(&c, "bridge", nla_data(top[VMFENCE_A_BRIDGE]),
		    nla_len(top[VMFENCE_A_BRIDGE]), VMFENCE_BRIDGE_A_MAX, tb, 0))
		return -1;
	if (!tb[VMFENCE_BRIDGE_A_IFINDEX] || !tb[VMFENCE_BRIDGE_A_IFNAME] ||
	    !tb[VMFENCE_BRIDGE_A_UNBOUND] || !tb[VMFENCE_BRIDGE_A_UNBOUND_DROPS])
		return bad(&c, "bridge: an attribute is missing");
	if (want_len(&c, "ifindex", tb[VMFENCE_BRIDGE_A_IFINDEX], 4) ||
	    want_str(&c, "ifname", tb[VMFENCE_BRIDGE_A_IFNAME], e->name,
		     IFNAMSIZ - 1) ||
	    want_len(&c, "unbound", tb[VMFENCE_BRIDGE_A_UNBOUND], 1) ||
	    want_len(&c, "unbound_drops", tb[VMFENCE_BRIDGE_A_UNBOUND_DROPS], 8))
		return -1;
	if (tb[VMFENCE_BRIDGE_A_PAD] && nla_len(tb[VMFENCE_BRIDGE_A_PAD]))
		return bad(&c, "pad: not empty");
	e->ifindex = get_uint(tb[VMFENCE_BRIDGE_A_IFINDEX]);
	e->unbound = get_uint(tb[VMFENCE_BRIDGE_A_UNBOUND]);
	if (e->unbound < VMFENCE_UNBOUND_PASS || e->unbound > VMFENCE_UNBOUND_MAX)
		return bad(&c, "unbound %d", e->unbound);
	return 0;
}

static void dump_grow(struct dump *d)
{
	if (d->n < d->cap)
		return;
	d->cap = d->cap * 2 + 64;
	if (d->cmd == VMFENCE_CMD_PORT_GET)
		d->p = realloc(d->p, d->cap * sizeof(*d->p));
	else if (d->cmd == VMFENCE_CMD_STATS_GET)
		d->s = realloc(d->s, d->cap * sizeof(*d->s));
	else
		d->br = realloc(d->br, d->cap * sizeof(*d->br));
}

static int entry_ifindex(const struct dump *d, int i)
{
	if (d->cmd == VMFENCE_CMD_PORT_GET)
		return d->p[i].ifindex;
	if (d->cmd == VMFENCE_CMD_STATS_GET)
		return d->s[i].ifindex;
	return d->br[i].ifindex;
}

/* One message of a dump, after the header checks. */
static int dump_one(struct dump *d, const struct nlmsghdr *h, char *why,
		    size_t wlen)
{
	dump_grow(d);
	if (d->cmd == VMFENCE_CMD_PORT_GET)
		return parse_port_msg(h, &d->p[d->n], why, wlen);
	if (d->cmd == VMFENCE_CMD_STATS_GET) {
		if (parse_stats_msg(h, &d->s[d->n], why, wlen))
			return -1;
		if (d->s[d->n].totals != (d->n == 0)) {
			snprintf(why, wlen, "the totals are not the first message (and only that)");
			return -1;
		}
		return 0;
	}
	return parse_bridge_msg(h, &d->br[d->n], why, wlen);
}

int dump_parse(int cmd, int family, const struct reply *r, struct dump *d)
{
	const struct nlmsghdr *h;
	int rem = r->data.len;
	char why[256];

	memset(d, 0, sizeof(*d));
	d->cmd = cmd;
	d->intr = r->intr;
	for (h = (const struct nlmsghdr *)r->data.p; nlmsg_ok(h, rem);
	     h = nlmsg_next((struct nlmsghdr *)h, &rem)) {
		if (h->nlmsg_type != family) {
			finding(F_REPLY, "dump of command %d: message of type %u",
				cmd, h->nlmsg_type);
			return -1;
		}
		if (!(h->nlmsg_flags & NLM_F_MULTI)) {
			finding(F_REPLY, "dump of command %d: message without NLM_F_MULTI",
				cmd);
			return -1;
		}
		if (dump_one(d, h, why, sizeof(why))) {
			finding_msg(F_REPLY, (const uint8_t *)h, h->nlmsg_len,
				    "dump of command %d, message %d: %s", cmd,
				    d->n, why);
			return -1;
		}
		/* In ifindex order; the totals (ifindex 0) first. */
		if (d->n && entry_ifindex(d, d->n) <= entry_ifindex(d, d->n - 1) &&
		    !d->intr) {
			finding(F_DUMP, "dump of command %d: ifindex %d after %d",
				cmd, entry_ifindex(d, d->n),
				entry_ifindex(d, d->n - 1));
			return -1;
		}
		d->n++;
	}
	if (!r->done) {
		finding(F_PROTOCOL, "dump of command %d: no NLMSG_DONE%s", cmd,
			r->timeout ? " (it stopped answering)" : "");
		return -1;
	}
	if (r->done_err) {
		finding(F_REPLY, "dump of command %d ended with error %d (%s)",
			cmd, r->done_err, strerror(r->done_err));
		return -1;
	}
	return 0;
}

void dump_free(struct dump *d)
{
	free(d->p);
	free(d->s);
	free(d->br);
	memset(d, 0, sizeof(*d));
}
