// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence-nlfuzz: requests, from the grammar of uapi/linux/vmfence.h, and
 * mutations of them.
 *
 * The generator builds each command's request with libnl the way a
 * client would, but every knob has a chance (gen->dirty, per mille, drawn
 * per request) of a defect: an attribute missing, twice, of the wrong
 * length, with or without NLA_F_NESTED where it must not, an unknown
 * type, a string too long or without its NUL, a value out of range, a
 * device that does not exist or is of the wrong kind, a stale seq.  Values
 * come from small pools per device (a few MACs, addresses, labels), so
 * that requests meet what is in force: an address added twice, a binding
 * set again identical, a seq just stale.  The generator does not decide
 * the verdict; the model does (nlfuzz-model.c).
 *
 * The mutator then works on bytes: bit flips, attribute headers changed,
 * attributes removed, doubled, shortened, lengthened or inserted (with or
 * without fixing the lengths of the nests around them), the message cut
 * or extended, its flags and genlmsghdr changed, its length a lie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include "nlfuzz.h"

static bool dirty(const struct gen *g)
{
	return rnd_below(1000) < (uint32_t)g->dirty;
}

static struct nl_msg *begin(struct gen *g, uint32_t seq, int cmd, int flags,
			    size_t size)
{
	struct nl_msg *m = nlmsg_alloc_size(size);

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, seq, g->family, 0, flags, cmd,
			       VMFENCE_GENL_VERSION)) {
		fprintf(stderr, "vmfence-nlfuzz: out of memory\n");
		exit(2);
	}
	return m;
}

static void finish(struct nl_msg *m, struct buf *out)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	out->len = 0;
	buf_add(out, h, h->nlmsg_len);
	nlmsg_free(m);
}

/* End a nest; now and then "forget" NLA_F_NESTED. */
static void nest_end(struct gen *g, struct nl_msg *m, struct nlattr *n)
{
	nla_nest_end(m, n);
	if (dirty(g))
		n->nla_type &= ~NLA_F_NESTED;
}

/* An integer attribute, sometimes of the wrong length or flagged. */
static void put_uint(struct gen *g, struct nl_msg *m, int type,
		     uint64_t value, int len)
{
	static const int lens[] = { 0, 1, 2, 3, 4, 6, 8, 12 };
	uint8_t data[16] = { 0 };

	if (dirty(g))
		len = lens[rnd_below(ARRAY_LEN(lens))];
	if (dirty(g))
		type |= one_in(2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	memcpy(data, &value, sizeof(value));
	nla_put(m, type, len, data);
}

/* A string attribute: normally @s with its NUL; sometimes not quite. */
static void put_str(struct gen *g, struct nl_msg *m, int type, const char *s,
		    int max)
{
	char big[300];
	int n = strlen(s);

	if (!dirty(g)) {
		nla_put(m, type, n + 1, s);
		return;
	}
	switch (rnd_below(6)) {
	case 0:		/* no NUL */
		nla_put(m, type, n, s);
		break;
	case 1:		/* one too long, or far too long */
		n = max + 1 + (one_in(2) ? 0 : (int)rnd_below(200));
		memset(big, 'x', n);
		big[n] = 0;
		nla_put(m, type, n + 1, big);
		break;
	case 2:		/* garbage after the NUL */
		snprintf(big, sizeof(big), "%s", s);
		n = strlen(big) + 1;
		memcpy(big + n, "zzzzzzzz", 8);
		nla_put(m, type, n + rnd_below(9), big);
		break;
	case 3:		/* empty */
		nla_put(m, type, one_in(2), "");
		break;
	case 4:		/* exactly the maximum */
		memset(big, 'm', max);
		big[max] = 0;
		nla_put(m, type, max + 1, big);
		break;
	default:	/* an attribute that is no string */
		put_uint(g, m, type, rnd64(), 4);
		break;
	}
}

/* An attribute of a type the policy does not have, or has no entry for. */
static void put_unknown(struct gen *g, struct nl_msg *m, int maxtype)
{
	static const int extra[] = { 0, 0x3fff, 0x7fff };
	uint8_t data[16];
	int type = one_in(2) ? maxtype + 1 + (int)rnd_below(3) :
		   extra[rnd_below(ARRAY_LEN(extra))];

	(void)g;
	rnd_bytes(data, sizeof(data));
	nla_put(m, type, rnd_below(17), data);
}

/* ---- devices ---- */

struct dref {
	int dev;		/* index in model->dev, -1: none such */
	uint32_t ifindex;
	char name[IFNAMSIZ];
};

static void dref_of(struct gen *g, int dev, struct dref *r)
{
	r->dev = dev;
	r->ifindex = g->m->dev[dev].ifindex;
	snprintf(r->name, sizeof(r->name), "%s", g->m->dev[dev].name);
}

static void dref_none(struct dref *r)
{
	r->dev = -1;
	r->ifindex = 900000 + rnd_below(100000);
	snprintf(r->name, sizeof(r->name), "nx%u", rnd_below(1000));
}

/* Any device whose state we know and may change, -1 if none. */
static int any_known(struct gen *g, bool bridge)
{
	int i, d;

	for (i = 0; i < 8; i++) {
		d = rnd_below(g->m->ndev);
		if (g->m->dev[d].role == DEV_EPOCH ||
		    !model_dev_known(g->m, &g->m->dev[d]))
			continue;
		if (!bridge || g->m->dev[d].bridge)
			return d;
	}
	return -1;
}

static int own_dev(struct gen *g)
{
	return g->m->nown ? g->m->own[rnd_below(g->m->nown)] : -1;
}

static void pick_port(struct gen *g, struct dref *r)
{
	struct mdev *lo = model_dev_by_name(g->m, "lo");
	uint32_t x = rnd_below(100);
	int d = -1;

	if (x < 84)
		d = own_dev(g);
	else if (x < 90)
		d = any_known(g, false);
	else if (x < 93 && lo)
		d = lo - g->m->dev;
	else if (x < 96)
		d = g->bridge;
	if (d >= 0)
		dref_of(g, d, r);
	else
		dref_none(r);
}

static void pick_bridge(struct gen *g, struct dref *r)
{
	uint32_t x = rnd_below(100);
	int d = -1;

	if (x < 75)
		d = g->bridge;
	else if (x < 85)
		d = any_known(g, true);
	else if (x < 92)
		d = own_dev(g);
	if (d >= 0)
		dref_of(g, d, r);
	else
		dref_none(r);
}

/* IFINDEX or IFNAME (same numbers in port and bridge nests). */
static void put_id(struct gen *g, struct nl_msg *m, const struct dref *r)
{
	uint32_t x = rnd_below(100);

	if (dirty(g)) {
		switch (rnd_below(4)) {
		case 0:		/* both */
			put_uint(g, m, VMFENCE_PORT_A_IFINDEX, r->ifindex, 4);
			put_str(g, m, VMFENCE_PORT_A_IFNAME, r->name, IFNAMSIZ - 1);
			return;
		case 1:		/* neither */
			return;
		case 2:		/* ifindex 0, or huge */
			put_uint(g, m, VMFENCE_PORT_A_IFINDEX,
				 one_in(2) ? 0 : 0xffffffffu, 4);
			return;
		}
	}
	if (x < 50)
		put_uint(g, m, VMFENCE_PORT_A_IFINDEX, r->ifindex, 4);
	else
		put_str(g, m, VMFENCE_PORT_A_IFNAME, r->name, IFNAMSIZ - 1);
}

/* ---- bindings ---- */

static const uint16_t eth_pool[] = {
	0x88cc, 0x8906, 0x88b5, 0x22f0, 0x88f7, 0x0806, 0x86dd, 0x8100,
	0x88a8, 0x9000, 0x0600, 0xffff, 0x893f, 0x88e5, 0x8035, 0x0842,
	0x88b6, 0x88b7,
};

static void pool_mac(struct gen *g, int dev, uint8_t *mac)
{
	static const uint8_t bad[][6] = {
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0, 0, 0, 0, 0, 0 },
		{ 0x03, 0x00, 0x00, 0x00, 0x00, 0x07 },
	};

	if (dirty(g)) {
		memcpy(mac, bad[rnd_below(ARRAY_LEN(bad))], 6);
		return;
	}
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = dev >> 8;
	mac[3] = dev;
	mac[4] = 0;
	mac[5] = 1 + rnd_below(2);
}

static void set_addr(struct maddr *a, int alen, int plen, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->alen = alen;
	a->plen = plen;
	memcpy(a->addr, p, alen);
}

/* An address or prefix from the device's pool: valid unless dirty. */
static void pool_addr(struct gen *g, int dev, struct maddr *a)
{
	uint8_t p[16] = { 0 };

	if (dirty(g)) {
		static const uint8_t mc4[4] = { 224, 0, 0, 5 },
				     bc4[4] = { 255, 255, 255, 255 },
				     hb4[4] = { 10, 200, 0, 1 };

		switch (rnd_below(6)) {
		case 0:
			return set_addr(a, 4, 32, mc4);
		case 1:
			return set_addr(a, 4, 32, bc4);
		case 2:
			return set_addr(a, 4, 32, p);		/* 0.0.0.0 */
		case 3:
			return set_addr(a, 4, 24, hb4);		/* host bits */
		case 4:
			p[0] = 0xff;
			p[1] = 0x02;
			p[15] = 1;
			return set_addr(a, 16, 128, p);
		default:
			return set_addr(a, 16, 128, p);		/* :: */
		}
	}
	switch (rnd_below(12)) {
	case 0:
	case 1:
	case 2:
		p[0] = 10;
		p[1] = dev >> 8;
		p[2] = dev;
		p[3] = 1 + rnd_below(4);
		return set_addr(a, 4, 32, p);
	case 3:
		p[0] = 10;
		p[1] = 200;
		p[2] = dev;
		return set_addr(a, 4, 24 + rnd_below(2), p);
	case 4:
		p[0] = 192;
		p[1] = 168;
		p[2] = rnd_below(4);
		return set_addr(a, 4, 24, p);
	case 5:
		if (one_in(2))
			return set_addr(a, 4, 0, p);		/* 0.0.0.0/0 */
		p[0] = 224;
		return set_addr(a, 4, 4, p);
	case 6:
	case 7:
	case 8:
		p[0] = 0x20;
		p[1] = 0x01;
		p[2] = 0x0d;
		p[3] = 0xb8;
		p[4] = dev >> 8;
		p[5] = dev;
		p[15] = 1 + rnd_below(4);
		return set_addr(a, 16, 128, p);
	case 9:
		p[0] = 0x20;
		p[1] = 0x01;
		p[2] = 0x0d;
		p[3] = 0xb8;
		p[4] = dev >> 8;
		p[5] = dev;
		return set_addr(a, 16, 64, p);
	case 10:
		p[0] = 0xfe;
		p[1] = 0x80;
		p[15] = 1 + rnd_below(2);
		return set_addr(a, 16, 128, p);
	default:
		return set_addr(a, 16, one_in(2) ? 0 : 8, p);	/* ::/0, ::/8 */
	}
}

static void put_addr(struct gen *g, struct nl_msg *m, const struct maddr *a)
{
	struct nlattr *n = nla_nest_start(m, VMFENCE_ADDRS_A_ADDR);
	int type = a->alen == 4 ? VMFENCE_ADDR_A_IN : VMFENCE_ADDR_A_IN6;
	int len = a->alen;
	int plen = a->plen;

	if (dirty(g)) {
		switch (rnd_below(5)) {
		case 0:		/* both families */
			nla_put(m, VMFENCE_ADDR_A_IN, 4, a->addr);
			type = VMFENCE_ADDR_A_IN6;
			len = 16;
			break;
		case 1:		/* the wrong length */
			len = 1 + rnd_below(20);
			break;
		case 2:		/* prefix too long for the family, or for any */
			plen = one_in(2) ? a->alen * 8 + 1 : 129 + (int)rnd_below(127);
			break;
		case 3:		/* no address at all */
			len = -1;
			break;
		default:
			put_unknown(g, m, VMFENCE_ADDR_A_MAX);
			break;
		}
	}
	if (len >= 0) {
		uint8_t data[32] = { 0 };

		memcpy(data, a->addr, a->alen);
		nla_put(m, type, len, data);
	}
	if (plen != a->alen * 8 || one_in(2))
		put_uint(g, m, VMFENCE_ADDR_A_PREFIXLEN, plen, 1);
	nest_end(g, m, n);
}

/* Around VMFENCE_ADDRS_MAX addresses of one family (IPv6: the most bytes). */
static void put_many_addrs(struct gen *g, struct nl_msg *m, int n)
{
	bool v6 = one_in(2);
	int i;

	for (i = 0; i < n; i++) {
		uint8_t p[16] = { 10, 128, i >> 8, i };
		struct maddr a;

		if (v6) {
			memset(p, 0, sizeof(p));
			p[0] = 0x20;
			p[1] = 0x01;
			p[2] = 0x0d;
			p[3] = 0xb8;
			p[4] = 0xff;
			p[14] = i >> 8;
			p[15] = i;
		}
		if (one_in(200))	/* one given twice */
			p[v6 ? 15 : 3] = 0;
		set_addr(&a, v6 ? 16 : 4, v6 ? 128 : 32, p);
		put_addr(g, m, &a);
	}
}

static void put_addrs(struct gen *g, struct nl_msg *m, int dev, bool many_ok)
{
	struct nlattr *n = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
	uint32_t x = rnd_below(100);
	int i, k;

	if (x < 10) {
		/* empty */
	} else if (x < 96 || !many_ok) {
		struct maddr a[6];
		int j;

		k = 1 + rnd_below(6);
		for (i = 0; i < k; i++) {
			/* Distinct, unless this one is to be twice. */
			pool_addr(g, dev, &a[i]);
			for (j = 0; j < i && !dirty(g); j++) {
				if (!maddr_cmp(&a[i], &a[j])) {
					pool_addr(g, dev, &a[i]);
					j = -1;
				}
			}
			put_addr(g, m, &a[i]);
		}
	} else {
		put_many_addrs(g, m, VMFENCE_ADDRS_MAX - 8 + rnd_below(10));
	}
	nest_end(g, m, n);
}

static void put_ethertypes(struct gen *g, struct nl_msg *m)
{
	struct nlattr *n = nla_nest_start(m, VMFENCE_PORT_A_ETHERTYPES);
	int k, i, first = rnd_below(ARRAY_LEN(eth_pool));
	uint32_t x = rnd_below(100);

	k = x < 10 ? 0 : x < 90 ? 1 + rnd_below(3) :
	    VMFENCE_ETHERTYPES_MAX + (dirty(g) ? 1 : 0);
	for (i = 0; i < k; i++) {
		uint16_t t = eth_pool[(first + i) % ARRAY_LEN(eth_pool)];

		if (dirty(g))
			t = one_in(2) ? 0x5ff - rnd_below(0x600) :
			    eth_pool[first];	/* twice */
		put_uint(g, m, VMFENCE_ETHERTYPES_A_TYPE, t, 2);
	}
	nest_end(g, m, n);
}

/* The binding in force, attribute by attribute (maybe reordered). */
static void put_current(struct gen *g, struct nl_msg *m, const struct mbind *b)
{
	struct nlattr *n;
	int i;

	nla_put(m, VMFENCE_PORT_A_MAC, 6, b->mac);
	if (b->mode != VMFENCE_MODE_ENFORCE || one_in(2))
		put_uint(g, m, VMFENCE_PORT_A_MODE, b->mode, 1);
	if (b->label[0] || one_in(4))
		put_str(g, m, VMFENCE_PORT_A_LABEL, b->label,
			VMFENCE_LABEL_MAX - 1);
	if (one_in(2))
		put_uint(g, m, VMFENCE_PORT_A_SEQ,
			 b->seq + (one_in(3) ? 1 : 0), 8);
	if (b->flags || one_in(2))
		put_uint(g, m, VMFENCE_PORT_A_FLAGS, b->flags, 4);
	if (b->neth || one_in(4)) {
		n = nla_nest_start(m, VMFENCE_PORT_A_ETHERTYPES);
		for (i = 0; i < b->neth; i++)
			put_uint(g, m, VMFENCE_ETHERTYPES_A_TYPE, b->eth[i], 2);
		nest_end(g, m, n);
	}
	if (b->naddr || one_in(2)) {
		int start = b->naddr ? rnd_below(b->naddr) : 0;

		/* Any order: the kernel sorts. */
		n = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
		for (i = 0; i < b->naddr; i++)
			put_addr(g, m, &b->addr[(start + i) % b->naddr]);
		nest_end(g, m, n);
	}
}

static void put_seq(struct gen *g, struct nl_msg *m, const struct mdev *d)
{
	uint64_t cur = d && d->b ? d->b->seq : 0;
	uint32_t x = rnd_below(100);

	if (x < 45)
		return;
	if (x < 80)
		put_uint(g, m, VMFENCE_PORT_A_SEQ, cur + 1 + rnd_below(3), 8);
	else if (x < 90)
		put_uint(g, m, VMFENCE_PORT_A_SEQ, cur, 8);
	else if (x < 98)
		put_uint(g, m, VMFENCE_PORT_A_SEQ, cur ? cur - 1 : 0, 8);
	else
		put_uint(g, m, VMFENCE_PORT_A_SEQ, rnd64() >> rnd_below(64), 8);
}

static void put_label(struct gen *g, struct nl_msg *m, int dev)
{
	char label[VMFENCE_LABEL_MAX];
	uint32_t x = rnd_below(100);

	if (x < 40)
		return;
	if (x < 80) {
		snprintf(label, sizeof(label), "vm-%d-%u", dev, rnd_below(3));
	} else if (x < 90) {
		label[0] = 0;
	} else {
		memset(label, 'L', VMFENCE_LABEL_MAX - 1);
		label[VMFENCE_LABEL_MAX - 1] = 0;
	}
	put_str(g, m, VMFENCE_PORT_A_LABEL, label, VMFENCE_LABEL_MAX - 1);
}

/*
 * The biggest binding there is: the longest label, every ethertype, every
 * address IPv6.  Its PORT_GET reply and dump message are the largest the
 * kernel sizes for (vmfence_nl_port_size()).
 */
static void put_biggest(struct gen *g, struct nl_msg *m, int dev)
{
	char label[VMFENCE_LABEL_MAX];
	uint8_t mac[6];
	struct nlattr *n;
	int i;

	pool_mac(g, dev < 0 ? 0 : dev, mac);
	nla_put(m, VMFENCE_PORT_A_MAC, 6, mac);
	memset(label, 'B', sizeof(label) - 1);
	label[sizeof(label) - 1] = 0;
	nla_put_string(m, VMFENCE_PORT_A_LABEL, label);
	nla_put_u32(m, VMFENCE_PORT_A_FLAGS, VMFENCE_PORT_F_MULTICAST);
	n = nla_nest_start(m, VMFENCE_PORT_A_ETHERTYPES);
	for (i = 0; i < VMFENCE_ETHERTYPES_MAX; i++)
		nla_put_u16(m, VMFENCE_ETHERTYPES_A_TYPE, 0x9000 + i);
	nla_nest_end(m, n);
	n = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
	for (i = 0; i < VMFENCE_ADDRS_MAX; i++) {
		uint8_t p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xfe, [14] = i >> 8,
				  [15] = i };
		struct maddr a;

		set_addr(&a, 16, 128, p);
		put_addr(g, m, &a);
	}
	nla_nest_end(m, n);
}

/* The attributes of a binding for device @dev (-1: none such). */
static void put_binding(struct gen *g, struct nl_msg *m, int dev, bool many_ok)
{
	const struct mdev *d = dev >= 0 ? &g->m->dev[dev] : NULL;
	uint8_t mac[16] = { 0 };
	uint32_t x;

	if (d && d->b && one_in(4)) {
		put_current(g, m, d->b);
		return;
	}
	if (many_ok && one_in(40)) {
		put_biggest(g, m, dev);
		return;
	}
	pool_mac(g, dev < 0 ? 0 : dev, mac);
	if (!dirty(g))
		nla_put(m, VMFENCE_PORT_A_MAC, dirty(g) ? 1 + rnd_below(8) : 6,
			mac);
	x = rnd_below(100);
	if (x >= 60)
		put_uint(g, m, VMFENCE_PORT_A_MODE,
			 dirty(g) ? rnd_below(256) : 1 + (x >= 90), 1);
	put_label(g, m, dev);
	put_seq(g, m, d);
	x = rnd_below(100);
	if (x >= 50)
		put_uint(g, m, VMFENCE_PORT_A_FLAGS,
			 dirty(g) ? 1u << rnd_below(32) : x >= 75, 4);
	if (one_in(3))
		put_ethertypes(g, m);
	if (!one_in(5))
		put_addrs(g, m, dev < 0 ? 0 : dev, many_ok);
	if (dirty(g))
		put_unknown(g, m, VMFENCE_PORT_A_MAX);
	if (dirty(g))	/* the MAC again: the last one counts */
		nla_put(m, VMFENCE_PORT_A_MAC, 6, mac);
}

/* One A_PORT nest naming a device, with what @cmd wants in it. */
static void put_port(struct gen *g, struct nl_msg *m, int cmd,
		     const struct dref *r, bool many_ok)
{
	struct nlattr *n = nla_nest_start(m, VMFENCE_A_PORT);

	put_id(g, m, r);
	if (cmd == VMFENCE_CMD_PORT_SET || cmd == VMFENCE_CMD_APPLY) {
		put_binding(g, m, r->dev, many_ok);
	} else if (cmd == VMFENCE_CMD_PORT_ADDR_ADD ||
		   cmd == VMFENCE_CMD_PORT_ADDR_DEL) {
		const struct mdev *d = r->dev >= 0 ? &g->m->dev[r->dev] : NULL;
		struct nlattr *addrs;
		struct maddr a;
		int k = dirty(g) ? rnd_below(3) : 1;

		if (!dirty(g)) {
			addrs = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
			while (k--) {
				if (d && d->b && d->b->naddr && one_in(2))
					a = d->b->addr[rnd_below(d->b->naddr)];
				else
					pool_addr(g, r->dev < 0 ? 0 : r->dev, &a);
				put_addr(g, m, &a);
			}
			nest_end(g, m, addrs);
		}
	}
	if (dirty(g))	/* allowed by the policy, ignored by this command */
		put_binding(g, m, r->dev, false);
	if (dirty(g))
		put_unknown(g, m, VMFENCE_PORT_A_MAX);
	nest_end(g, m, n);
}

static void put_bridge(struct gen *g, struct nl_msg *m, bool set,
		       const struct dref *r)
{
	struct nlattr *n = nla_nest_start(m, VMFENCE_A_BRIDGE);

	put_id(g, m, r);
	if ((set && !dirty(g)) || (!set && dirty(g)))
		put_uint(g, m, VMFENCE_BRIDGE_A_UNBOUND,
			 dirty(g) ? rnd_below(256) : 1 + rnd_below(2), 1);
	if (dirty(g))
		put_unknown(g, m, VMFENCE_BRIDGE_A_MAX);
	if (dirty(g))	/* sent by the kernel, refused from us */
		put_uint(g, m, VMFENCE_BRIDGE_A_UNBOUND_DROPS, 0, 8);
	nest_end(g, m, n);
}

/* Top-level junk: unknown types, attributes only the kernel sends. */
static void put_top_junk(struct gen *g, struct nl_msg *m, int cmd)
{
	if (dirty(g))
		put_unknown(g, m, VMFENCE_A_MAX);
	if (dirty(g)) {
		struct nlattr *n = nla_nest_start(m, one_in(2) ?
						  VMFENCE_A_STATS :
						  VMFENCE_A_EVENT);
		nest_end(g, m, n);
	}
	if (dirty(g) && cmd != VMFENCE_CMD_APPLY)
		put_uint(g, m, VMFENCE_A_APPLY_FLAGS, rnd_below(3), 4);
}

static int pick_cmd(struct gen *g, int *flags)
{
	static const struct { int cmd, weight; bool dump; } table[] = {
		{ VMFENCE_CMD_PORT_SET, 24, false },
		{ VMFENCE_CMD_APPLY, 11, false },
		{ VMFENCE_CMD_PORT_DEL, 5, false },
		{ VMFENCE_CMD_PORT_ADDR_ADD, 10, false },
		{ VMFENCE_CMD_PORT_ADDR_DEL, 8, false },
		{ VMFENCE_CMD_PORT_GET, 7, false },
		{ VMFENCE_CMD_PORT_GET, 2, true },
		{ VMFENCE_CMD_STATS_GET, 4, false },
		{ VMFENCE_CMD_STATS_GET, 1, true },
		{ VMFENCE_CMD_STATS_RESET, 3, false },
		{ VMFENCE_CMD_BRIDGE_SET, 7, false },
		{ VMFENCE_CMD_BRIDGE_GET, 4, false },
		{ VMFENCE_CMD_BRIDGE_GET, 2, true },
		{ -1, 3, false },	/* no such command */
		{ -2, 2, true },	/* a dump of a command without one */
		{ -3, 2, false },	/* random bytes after the header */
	};
	static const int bogus[] = { VMFENCE_CMD_UNSPEC, VMFENCE_CMD_DROP_EVENT,
				     __VMFENCE_CMD_LAST, 100, 255 };
	static const int nodump[] = { VMFENCE_CMD_PORT_SET, VMFENCE_CMD_PORT_DEL,
				      VMFENCE_CMD_PORT_ADDR_ADD,
				      VMFENCE_CMD_STATS_RESET,
				      VMFENCE_CMD_BRIDGE_SET, VMFENCE_CMD_APPLY };
	uint32_t total = 0, x;
	size_t i;

	(void)g;
	for (i = 0; i < ARRAY_LEN(table); i++)
		total += table[i].weight;
	x = rnd_below(total);
	for (i = 0; x >= (uint32_t)table[i].weight; i++)
		x -= table[i].weight;
	*flags = NLM_F_REQUEST | NLM_F_ACK | (table[i].dump ? NLM_F_DUMP : 0);
	if (table[i].cmd == -1)
		return bogus[rnd_below(ARRAY_LEN(bogus))];
	if (table[i].cmd == -2)
		return nodump[rnd_below(ARRAY_LEN(nodump))];
	if (table[i].cmd == -3)
		return -(int)(1 + rnd_below(VMFENCE_CMD_MAX + 1));
	return table[i].cmd;
}

/* ---- APPLY ---- */

static void gen_apply(struct gen *g, struct nl_msg *m)
{
	int np = one_in(20) ? 0 : 1 + rnd_below(one_in(10) ? 30 : 6);
	int nb = one_in(3) ? 1 + dirty(g) : 0;
	int start = rnd_below(g->m->nown + 1), i;
	uint32_t x = rnd_below(100);
	struct dref r;

	/* Each entry has its chances of a defect: fewer per entry. */
	g->dirty /= 1 + np / 2;
	if (x < 50)
		;	/* no flags */
	else if (x < 94 || g->shared)
		put_uint(g, m, VMFENCE_A_APPLY_FLAGS, 0, 4);
	else
		put_uint(g, m, VMFENCE_A_APPLY_FLAGS, VMFENCE_APPLY_F_REPLACE, 4);
	if (dirty(g))
		put_uint(g, m, VMFENCE_A_APPLY_FLAGS, 1u << rnd_below(32), 4);
	for (i = 0; i < np + nb; i++) {
		if (i >= np || (nb && one_in(np + 1))) {
			if (!nb)
				continue;
			nb--;
			pick_bridge(g, &r);
			put_bridge(g, m, !dirty(g), &r);
			continue;
		}
		/* Mostly distinct devices of ours; now and then anything. */
		if (g->m->nown && !dirty(g) && !one_in(8))
			dref_of(g, g->m->own[(start + i) % g->m->nown], &r);
		else
			pick_port(g, &r);
		put_port(g, m, VMFENCE_CMD_APPLY, &r, one_in(20));
	}
}

/* A document of everything bindable we know, in solo mode: big. */
static void gen_huge(struct gen *g, uint32_t seq, struct buf *out)
{
	struct model *mo = g->m;
	struct nl_msg *m;
	int i, bad = one_in(3) ? -2 : -1;

	if (one_in(4)) {
		/* More entries than VMFENCE_APPLY_PORTS_MAX. */
		struct dref r;

		pick_port(g, &r);
		m = begin(g, seq, VMFENCE_CMD_APPLY, NLM_F_REQUEST | NLM_F_ACK,
			  (VMFENCE_APPLY_PORTS_MAX + 1) * 32 + 4096);
		for (i = 0; i <= VMFENCE_APPLY_PORTS_MAX; i++) {
			struct nlattr *nest = nla_nest_start(m, VMFENCE_A_PORT);

			nla_put_u32(m, VMFENCE_PORT_A_IFINDEX, r.ifindex);
			nla_nest_end(m, nest);
		}
		cnt.huge++;
		return finish(m, out);
	}
	m = begin(g, seq, VMFENCE_CMD_APPLY, NLM_F_REQUEST | NLM_F_ACK,
		  mo->ndev * 96 + 4096);
	if (one_in(2))
		nla_put_u32(m, VMFENCE_A_APPLY_FLAGS, VMFENCE_APPLY_F_REPLACE);
	if (bad == -2)
		bad = rnd_below(mo->ndev);
	for (i = 0; i < mo->ndev; i++) {
		struct mdev *d = &mo->dev[i];
		struct nlattr *nest;
		uint8_t mac[6] = { 0x02, 0x43, i >> 8, i, 0, 1 };
		uint8_t ip[4] = { 10, 50 + (i >> 16), i >> 8, i };
		char label[32];

		if (!d->bindable || !model_dev_known(mo, d) ||
		    d->role == DEV_EPOCH)
			continue;
		if (i == bad)
			mac[0] = 1;
		nest = nla_nest_start(m, VMFENCE_A_PORT);
		nla_put_u32(m, VMFENCE_PORT_A_IFINDEX, d->ifindex);
		nla_put(m, VMFENCE_PORT_A_MAC, 6, mac);
		snprintf(label, sizeof(label), "huge-%d", i);
		nla_put_string(m, VMFENCE_PORT_A_LABEL, label);
		{
			struct nlattr *addrs = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
			struct nlattr *a = nla_nest_start(m, VMFENCE_ADDRS_A_ADDR);

			nla_put(m, VMFENCE_ADDR_A_IN, 4, ip);
			nla_nest_end(m, a);
			nla_nest_end(m, addrs);
		}
		nla_nest_end(m, nest);
	}
	cnt.huge++;
	finish(m, out);
}

int gen_request(struct gen *g, uint32_t seq, struct buf *out)
{
	static const int dirt[] = { 0, 0, 0, 0, 0, 10, 30, 30, 80, 150 };
	struct nl_msg *m;
	struct dref r;
	int flags, cmd;

	g->dirty = dirt[rnd_below(ARRAY_LEN(dirt))];
	cmd = pick_cmd(g, &flags);
	if (cmd < 0) {
		/* A command, then bytes that mean nothing. */
		uint8_t junk[512];
		size_t n = rnd_below(sizeof(junk));

		m = begin(g, seq, -cmd, flags, 4096);
		finish(m, out);
		rnd_bytes(junk, n);
		buf_add(out, junk, n);
		((struct nlmsghdr *)out->p)->nlmsg_len = out->len;
		return -cmd;
	}
	if (cmd == VMFENCE_CMD_APPLY && g->huge_ok && one_in(150)) {
		gen_huge(g, seq, out);
		return cmd;
	}
	m = begin(g, seq, cmd, flags, cmd == VMFENCE_CMD_APPLY ? 256 << 10 :
				      64 << 10);
	switch (cmd) {
	case VMFENCE_CMD_APPLY:
		gen_apply(g, m);
		break;
	case VMFENCE_CMD_BRIDGE_SET:
	case VMFENCE_CMD_BRIDGE_GET:
		/* A dump takes no attributes (they are checked, though). */
		if ((flags & NLM_F_DUMP) == NLM_F_DUMP ? dirty(g) : !dirty(g)) {
			pick_bridge(g, &r);
			put_bridge(g, m, cmd == VMFENCE_CMD_BRIDGE_SET, &r);
		}
		break;
	case VMFENCE_CMD_STATS_RESET:
		if (one_in(3))
			break;
		/* fall through */
	default:
		if ((flags & NLM_F_DUMP) == NLM_F_DUMP ? dirty(g) : !dirty(g)) {
			pick_port(g, &r);
			put_port(g, m, cmd, &r, cmd == VMFENCE_CMD_PORT_SET);
		} else if (dirty(g)) {
			/* Flat: the port's attributes where its nest should be. */
			pick_port(g, &r);
			put_id(g, m, &r);
			put_binding(g, m, r.dev, false);
		}
		if (dirty(g)) {	/* twice: the last one counts */
			pick_port(g, &r);
			put_port(g, m, cmd, &r, false);
		}
		break;
	}
	put_top_junk(g, m, cmd);
	finish(m, out);
	return cmd;
}

void gen_epoch(struct gen *g, uint32_t seq, struct buf *out)
{
	struct nl_msg *m = begin(g, seq, VMFENCE_CMD_APPLY,
				 NLM_F_REQUEST | NLM_F_ACK, 4096);
	char label[VMFENCE_LABEL_MAX];
	int i;

	g->epoch++;
	snprintf(label, sizeof(label), "epoch-%llu",
		 (unsigned long long)g->epoch);
	for (i = 0; i < g->m->nepoch; i++) {
		int k = one_in(2) ? i : g->m->nepoch - 1 - i;
		struct mdev *d = &g->m->dev[g->m->epoch[k]];
		struct nlattr *n = nla_nest_start(m, VMFENCE_A_PORT);
		uint8_t mac[6] = { 0x02, 0x45, 0, 0, 0, 1 + k };

		nla_put_string(m, VMFENCE_PORT_A_IFNAME, d->name);
		nla_put(m, VMFENCE_PORT_A_MAC, 6, mac);
		nla_put_string(m, VMFENCE_PORT_A_LABEL, label);
		nla_nest_end(m, n);
	}
	finish(m, out);
}

void gen_bulk_apply(struct gen *g, uint32_t seq, const int *devs, int n,
		    enum bulk_kind kind, int round, struct buf *out)
{
	int total = kind == BULK_TOO_MANY ? VMFENCE_APPLY_PORTS_MAX + 1 : n;
	struct nl_msg *m = begin(g, seq, VMFENCE_CMD_APPLY,
				 NLM_F_REQUEST | NLM_F_ACK,
				 (size_t)total * 96 + 4096);
	int i;

	for (i = 0; i < total; i++) {
		struct mdev *d = &g->m->dev[devs[i % n]];
		int k = devs[i % n];
		uint8_t mac[6] = { 0x02, 0x10, k >> 24, k >> 16, k >> 8, k };
		uint8_t ip[4] = { 10, k >> 16, k >> 8, k };
		struct nlattr *nest, *addrs, *a;
		char label[32];

		nest = nla_nest_start(m, VMFENCE_A_PORT);
		if (i % 2)
			nla_put_u32(m, VMFENCE_PORT_A_IFINDEX, d->ifindex);
		else
			nla_put_string(m, VMFENCE_PORT_A_IFNAME, d->name);
		if (kind == BULK_TOO_MANY) {
			nla_nest_end(m, nest);
			continue;
		}
		if (kind == BULK_BAD_LAST && i == n - 1)
			mac[0] = 0x01;
		nla_put(m, VMFENCE_PORT_A_MAC, 6, mac);
		snprintf(label, sizeof(label), "bulk%d-%d", round, k);
		nla_put_string(m, VMFENCE_PORT_A_LABEL, label);
		nla_put_u64(m, VMFENCE_PORT_A_SEQ,
			    kind == BULK_STALE_MIDDLE && i == n / 2 ? 1 :
			    5 + round);
		addrs = nla_nest_start(m, VMFENCE_PORT_A_ADDRS);
		a = nla_nest_start(m, VMFENCE_ADDRS_A_ADDR);
		nla_put(m, VMFENCE_ADDR_A_IN, 4, ip);
		nla_nest_end(m, a);
		nla_nest_end(m, addrs);
		nla_nest_end(m, nest);
	}
	finish(m, out);
}

/* ---- mutations ---- */

/* Attributes found in a message: offsets, and the nest each is in. */
struct node {
	size_t off;
	int parent;		/* index in the node list, -1: top level */
};

struct tree {
	struct node n[1024];
	int count;
};

/* Index what looks like attributes, descending into what looks nested. */
static void index_attrs(struct tree *t, const struct buf *b, size_t off,
			size_t end, int parent, int depth)
{
	while (off + NLA_HDRLEN <= end && t->count < (int)ARRAY_LEN(t->n)) {
		struct nlattr *a = (struct nlattr *)(b->p + off);
		int me;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			return;
		me = t->count++;
		t->n[me].off = off;
		t->n[me].parent = parent;
		if (depth < 5 && a->nla_len >= 2 * NLA_HDRLEN &&
		    ((a->nla_type & NLA_F_NESTED) || one_in(8)))
			index_attrs(t, b, off + NLA_HDRLEN, off + a->nla_len,
				    me, depth + 1);
		off += NLA_ALIGN(a->nla_len);
	}
}

static struct nlattr *node_attr(const struct buf *b, const struct tree *t,
				int i)
{
	return (struct nlattr *)(b->p + t->n[i].off);
}

/* The nests around node @i grow (or shrink) by @delta, as does the message. */
static void fix_lengths(struct buf *b, const struct tree *t, int i, int delta)
{
	for (i = t->n[i].parent; i >= 0; i = t->n[i].parent) {
		struct nlattr *a = node_attr(b, t, i);
		int len = a->nla_len + delta;

		a->nla_len = len < 0 ? 0 : len > 0xffff ? 0xffff : len;
	}
}

static void insert_bytes(struct buf *b, size_t at, const void *p, size_t n)
{
	buf_reserve(b, n);
	memmove(b->p + at + n, b->p + at, b->len - at);
	memcpy(b->p + at, p, n);
	b->len += n;
}

static void remove_bytes(struct buf *b, size_t at, size_t n)
{
	if (at + n > b->len)
		n = b->len - at;
	memmove(b->p + at, b->p + at + n, b->len - at - n);
	b->len -= n;
}

static uint16_t interesting16(void)
{
	static const uint16_t v[] = { 0, 1, 2, 3, 4, 5, 7, 8, 0x7f, 0x80, 0xff,
				      0x100, 0x3fff, 0x4000, 0x7fff, 0x8000,
				      0xfffe, 0xffff };

	return v[rnd_below(ARRAY_LEN(v))];
}

static void mutate_attr(struct buf *b, struct tree *t)
{
	int i = rnd_below(t->count);
	struct nlattr *a = node_attr(b, t, i);
	size_t off = t->n[i].off, alen = NLA_ALIGN(a->nla_len);
	uint8_t junk[64];
	int k;

	switch (rnd_below(9)) {
	case 0:		/* another type, or its flags */
		switch (rnd_below(4)) {
		case 0:
			a->nla_type ^= NLA_F_NESTED;
			break;
		case 1:
			a->nla_type ^= NLA_F_NET_BYTEORDER;
			break;
		case 2:
			a->nla_type = (a->nla_type & ~NLA_TYPE_MASK) |
				      rnd_below(14);
			break;
		default:
			a->nla_type = interesting16();
			break;
		}
		break;
	case 1:		/* a length that lies, the nests around unchanged */
		a->nla_len = one_in(2) ? interesting16() :
			     a->nla_len + (int)rnd_below(17) - 8;
		break;
	case 2:		/* gone */
		if (off + alen > b->len)
			alen = b->len - off;
		fix_lengths(b, t, i, -(int)alen);
		remove_bytes(b, off, alen);
		break;
	case 3:		/* twice */
		if (alen > sizeof(junk) || off + alen > b->len)
			break;
		memcpy(junk, b->p + off, alen);
		fix_lengths(b, t, i, alen);
		insert_bytes(b, off + alen, junk, alen);
		break;
	case 4:		/* shorter payload, lengths fixed */
		if (a->nla_len <= NLA_HDRLEN)
			break;
		k = 1 + rnd_below(a->nla_len - NLA_HDRLEN);
		a->nla_len -= k;
		fix_lengths(b, t, i, -k);
		remove_bytes(b, off + a->nla_len, k);
		break;
	case 5:		/* longer payload, lengths fixed */
		k = 1 + rnd_below(16);
		rnd_bytes(junk, k);
		if (a->nla_len + k > 0xffff)
			break;
		insert_bytes(b, off + a->nla_len, junk, k);
		a = node_attr(b, t, i);
		a->nla_len += k;
		fix_lengths(b, t, i, k);
		break;
	case 6:		/* random payload */
		rnd_bytes(b->p + off + NLA_HDRLEN,
			  a->nla_len - NLA_HDRLEN);
		break;
	case 7:		/* a stranger before it */
		k = rnd_below(13);
		((struct nlattr *)junk)->nla_len = NLA_HDRLEN + k;
		((struct nlattr *)junk)->nla_type = rnd_below(16) |
			(one_in(4) ? NLA_F_NESTED : 0);
		rnd_bytes(junk + NLA_HDRLEN, k);
		fix_lengths(b, t, i, NLA_ALIGN(NLA_HDRLEN + k));
		insert_bytes(b, off, junk, NLA_ALIGN(NLA_HDRLEN + k));
		break;
	default:	/* a u32 payload set to something interesting */
		if (a->nla_len >= NLA_HDRLEN + 4) {
			uint32_t v = one_in(2) ? interesting16() :
				     (uint32_t)rnd64();

			memcpy(b->p + off + NLA_HDRLEN, &v, 4);
		}
		break;
	}
}

static void mutate_header(struct buf *b)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->p;
	struct genlmsghdr *g = (struct genlmsghdr *)(b->p + NLMSG_HDRLEN);
	static const uint16_t flag[] = { NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO,
					 NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
					 NLM_F_EXCL, NLM_F_MULTI,
					 NLM_F_DUMP_INTR, NLM_F_DUMP,
					 0x8000 };

	switch (rnd_below(4)) {
	case 0:
		h->nlmsg_flags ^= flag[rnd_below(ARRAY_LEN(flag))];
		break;
	case 1:
		g->cmd = one_in(2) ? rnd_below(14) : rnd64();
		break;
	case 2:
		g->version = rnd64();
		break;
	default:
		g->reserved = one_in(2) ? 1 : rnd64();
		break;
	}
}

void mutate(struct buf *b)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->p;
	uint16_t type = h->nlmsg_type;
	uint32_t seq = h->nlmsg_seq, lie = 0;
	int ops = 1 + rnd_below(4);
	struct tree *t = malloc(sizeof(*t));

	while (ops--) {
		size_t at;

		t->count = 0;
		if (b->len >= NLMSG_HDRLEN + GENL_HDRLEN)
			index_attrs(t, b, NLMSG_HDRLEN + GENL_HDRLEN, b->len,
				    -1, 0);
		switch (rnd_below(10)) {
		case 0:		/* a bit */
			if (b->len > NLMSG_HDRLEN) {
				at = NLMSG_HDRLEN + rnd_below(b->len - NLMSG_HDRLEN);
				b->p[at] ^= 1 << rnd_below(8);
			}
			break;
		case 1:		/* a byte */
			if (b->len > NLMSG_HDRLEN) {
				at = NLMSG_HDRLEN + rnd_below(b->len - NLMSG_HDRLEN);
				b->p[at] = interesting16();
			}
			break;
		case 2:		/* cut short */
			if (b->len > NLMSG_HDRLEN + GENL_HDRLEN)
				b->len = NLMSG_HDRLEN + rnd_below(b->len - NLMSG_HDRLEN);
			break;
		case 3: {	/* garbage at the end */
			uint8_t junk[32];
			int k = 1 + rnd_below(sizeof(junk));

			rnd_bytes(junk, k);
			insert_bytes(b, b->len, junk, k);
			break;
		}
		case 4:
			if (b->len >= NLMSG_HDRLEN + GENL_HDRLEN)
				mutate_header(b);
			break;
		case 5:		/* the message's length a lie */
			lie = one_in(2) ? b->len + 1 + rnd_below(64) :
			      rnd_below(NLMSG_HDRLEN + GENL_HDRLEN);
			break;
		default:
			if (t->count)
				mutate_attr(b, t);
			break;
		}
	}
	free(t);
	h = (struct nlmsghdr *)b->p;
	h->nlmsg_type = type;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	h->nlmsg_len = b->len;
	/* A length shorter than what we send: send only that much. */
	if (lie && lie < b->len && lie >= NLMSG_HDRLEN)
		b->len = h->nlmsg_len = lie;
	else if (lie > b->len)
		h->nlmsg_len = lie;
	else if (lie)
		h->nlmsg_len = lie;	/* below a header: ignored */
}
