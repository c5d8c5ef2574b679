// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence-nlfuzz: the model of the configuration, and the evaluator.
 *
 * The model is what the kernel holds for the devices we know: a binding
 * per bound port, a setting per bridge.  The evaluator reads a request
 * byte by byte as the kernel does and says what must come back: the
 * netlink core's checks (af_netlink.c, genetlink.c), strict attribute
 * validation against the policies of kmod/netlink.c (lib/nlattr.c), then
 * the command's own checks in the order kmod/ makes them, down to which
 * attribute the extended ACK must point at, and the state afterwards.
 * Whatever the request is, grammar-built or mutated, the verdict is
 * exact; a request it cannot judge (a device whose state is someone
 * else's) is VK_UNKNOWN and goes the blind way (nlfuzz.c).
 *
 * Nothing here changes the model: a verdict lists its changes, and
 * model_commit() makes them once the kernel agreed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include "nlfuzz.h"

#define ARPHRD_ETHER 1

/* ---- devices ---- */

static struct model *sort_model;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(sort_model->dev[*(const int *)a].name,
		      sort_model->dev[*(const int *)b].name);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return prefix && *prefix && !strncmp(s, prefix, strlen(prefix));
}

static bool in_list(const char *name, const char *list)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* One RTM_NEWLINK: name, type, and whether it is a bridge. */
static int link_parse(const struct nlmsghdr *h, struct mdev *d)
{
	const struct ifinfomsg *ifi = nlmsg_data(h);
	const struct nlattr *a, *k;
	int rem, krem;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -1;
	memset(d, 0, sizeof(*d));
	d->ifindex = ifi->ifi_index;
	nla_for_each_attr(a, nlmsg_attrdata(h, sizeof(*ifi)),
			  nlmsg_attrlen(h, sizeof(*ifi)), rem) {
		if (nla_type(a) == IFLA_IFNAME)
			snprintf(d->name, sizeof(d->name), "%.*s", nla_len(a),
				 (const char *)nla_data(a));
		if (nla_type(a) != IFLA_LINKINFO)
			continue;
		nla_for_each_nested(k, a, krem)
			if (nla_type(k) == IFLA_INFO_KIND &&
			    !strncmp(nla_data(k), "bridge", nla_len(k)))
				d->bridge = true;
	}
	d->bindable = ifi->ifi_type == ARPHRD_ETHER && !d->bridge;
	return d->name[0] ? 0 : -1;
}

/*
 * Every device of the namespace, by one RTM_GETLINK dump (reading sysfs
 * device by device costs seconds per thousand on a debug kernel).
 */
static int load_links(struct model *m)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_sock *sk = nl_socket_alloc();
	int cap = 0, err = -EIO;
	bool done = false;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
		goto out;
	nl_socket_disable_auto_ack(sk);
	if (nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi)) < 0)
		goto out;
	while (!done) {
		struct sockaddr_nl peer;
		unsigned char *data = NULL;
		struct nlmsghdr *h;
		int n = nl_recv(sk, &peer, &data, NULL);

		if (n <= 0)
			goto out;
		for (h = (struct nlmsghdr *)data; nlmsg_ok(h, n);
		     h = nlmsg_next(h, &n)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (m->ndev == cap) {
				cap = cap * 2 + 256;
				m->dev = realloc(m->dev, cap * sizeof(*m->dev));
			}
			if (!link_parse(h, &m->dev[m->ndev]))
				m->ndev++;
		}
		free(data);
	}
	err = m->ndev ? 0 : -ENODEV;
out:
	if (sk)
		nl_socket_free(sk);
	return err;
}

int model_load_devices(struct model *m, const char *own_prefix,
		       const char *epoch_names, bool shared,
		       const char *volatile_prefix)
{
	int i, err;

	memset(m, 0, sizeof(*m));
	m->shared = shared;
	m->volatile_prefix = volatile_prefix;
	err = load_links(m);
	if (err)
		return err;
	m->by_name = calloc(m->ndev + 1, sizeof(int));
	m->own = calloc(m->ndev + 1, sizeof(int));
	m->epoch = calloc(m->ndev + 1, sizeof(int));
	for (i = 0; i < m->ndev; i++) {
		struct mdev *d = &m->dev[i];

		if (epoch_names && in_list(d->name, epoch_names))
			d->role = DEV_EPOCH;
		else if (has_prefix(d->name, volatile_prefix))
			d->role = DEV_VOLATILE;
		else if (has_prefix(d->name, own_prefix))
			d->role = DEV_OWN;
		else
			d->role = DEV_FOREIGN;
		if (d->ifindex > m->max_ifindex)
			m->max_ifindex = d->ifindex;
	}

	m->by_ifindex = malloc((m->max_ifindex + 1) * sizeof(int));
	for (i = 0; i <= m->max_ifindex; i++)
		m->by_ifindex[i] = -1;
	for (i = 0; i < m->ndev; i++) {
		m->by_ifindex[m->dev[i].ifindex] = i;
		m->by_name[i] = i;
		/* Volatile devices of ours are targets too (blind ones). */
		if (m->dev[i].role == DEV_OWN ||
		    (m->dev[i].role == DEV_VOLATILE &&
		     has_prefix(m->dev[i].name, own_prefix)))
			m->own[m->nown++] = i;
		if (m->dev[i].role == DEV_EPOCH)
			m->epoch[m->nepoch++] = i;
	}
	sort_model = m;
	qsort(m->by_name, m->ndev, sizeof(int), name_cmp);
	return 0;
}

struct mdev *model_dev_by_ifindex(struct model *m, int64_t ifindex)
{
	if (ifindex <= 0 || ifindex > m->max_ifindex)
		return NULL;
	return m->by_ifindex[ifindex] < 0 ? NULL :
	       &m->dev[m->by_ifindex[ifindex]];
}

struct mdev *model_dev_by_name(struct model *m, const char *name)
{
	int lo = 0, hi = m->ndev;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(m->dev[m->by_name[mid]].name, name);

		if (!c)
			return &m->dev[m->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Could @ifindex be a device made since we listed them?  New devices get
 * ifindexes above every one in use (dev_new_index()), one by one.
 */
bool model_new_ifindex(const struct model *m, int64_t ifindex)
{
	return ifindex > m->max_ifindex && ifindex <= m->max_ifindex + 100000;
}

/* Do we know this device's binding and bridge setting? */
bool model_dev_known(const struct model *m, const struct mdev *d)
{
	if (d->role == DEV_VOLATILE)
		return false;
	if (!m->shared || d->role == DEV_OWN || d->role == DEV_EPOCH)
		return true;
	/* lo and the like: nobody can bind them, they have no setting. */
	return !d->bindable && !d->bridge;
}

/* ---- bindings ---- */

/* The kernel's order: IPv4 first, longest prefix first, then address. */
int maddr_cmp(const void *a, const void *b)
{
	const struct maddr *x = a, *y = b;

	if (x->alen != y->alen)
		return x->alen < y->alen ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

void mbind_sort(struct mbind *b)
{
	qsort(b->addr, b->naddr, sizeof(b->addr[0]), maddr_cmp);
}

bool mbind_equal(const struct mbind *a, const struct mbind *b, bool cmp_seq)
{
	return !memcmp(a->mac, b->mac, 6) && a->mode == b->mode &&
	       a->flags == b->flags && a->neth == b->neth &&
	       !memcmp(a->eth, b->eth, a->neth * sizeof(a->eth[0])) &&
	       !strcmp(a->label, b->label) && (!cmp_seq || a->seq == b->seq) &&
	       a->naddr == b->naddr &&
	       !memcmp(a->addr, b->addr, a->naddr * sizeof(a->addr[0]));
}

void mbind_describe(const struct mbind *b, char *out, size_t len)
{
	size_t o;
	int i;

	o = snprintf(out, len,
		     "mac %02x:%02x:%02x:%02x:%02x:%02x mode %u flags %u seq %llu label \"%s\" eth",
		     b->mac[0], b->mac[1], b->mac[2], b->mac[3], b->mac[4],
		     b->mac[5], b->mode, b->flags, (unsigned long long)b->seq,
		     b->label);
	for (i = 0; i < b->neth && o < len; i++)
		o += snprintf(out + o, len - o, " %04x", b->eth[i]);
	if (o < len)
		o += snprintf(out + o, len - o, " addrs(%u)", b->naddr);
	for (i = 0; i < b->naddr && i < 8 && o < len; i++) {
		const struct maddr *a = &b->addr[i];

		if (a->alen == 4)
			o += snprintf(out + o, len - o, " %u.%u.%u.%u/%u",
				      a->addr[0], a->addr[1], a->addr[2],
				      a->addr[3], a->plen);
		else
			o += snprintf(out + o, len - o,
				      " %02x%02x:%02x%02x::..%02x%02x/%u",
				      a->addr[0], a->addr[1], a->addr[2],
				      a->addr[3], a->addr[14], a->addr[15],
				      a->plen);
	}
}

void model_set_binding(struct model *m, struct mdev *d, const struct mbind *b)
{
	if (d->b && !b)
		m->nbound--;
	if (!d->b && b)
		m->nbound++;
	if (!b) {
		free(d->b);
		d->b = NULL;
		return;
	}
	if (!d->b)
		d->b = malloc(sizeof(*d->b));
	*d->b = *b;
}

/* ---- verdicts ---- */

void verdict_reset(struct verdict *v)
{
	verdict_free(v);
	memset(v, 0, sizeof(*v));
	v->kind = VK_UNKNOWN;
	v->offs = -1;
	v->entry_lo = v->entry_hi = -1;
	v->reply_dev = -1;
}

void verdict_free(struct verdict *v)
{
	int i;

	for (i = 0; i < v->nch; i++)
		free(v->ch[i].b);
	free(v->ch);
	v->ch = NULL;
	v->nch = v->capch = 0;
}

static void add_change(struct verdict *v, int dev, enum change_kind kind,
		       const struct mbind *b, int unbound)
{
	struct change *c;

	if (v->nch == v->capch) {
		v->capch = v->capch * 2 + 8;
		v->ch = realloc(v->ch, v->capch * sizeof(*v->ch));
	}
	c = &v->ch[v->nch++];
	c->dev = dev;
	c->kind = kind;
	c->unbound = unbound;
	c->b = NULL;
	if (b) {
		c->b = malloc(sizeof(*b));
		*c->b = *b;
	}
}

void model_commit(struct model *m, struct verdict *v)
{
	int i;

	for (i = 0; i < v->nch; i++) {
		struct change *c = &v->ch[i];
		struct mdev *d = &m->dev[c->dev];

		switch (c->kind) {
		case CH_BIND:
			model_set_binding(m, d, c->b);
			break;
		case CH_UNBIND:
			model_set_binding(m, d, NULL);
			break;
		case CH_BRIDGE:
			d->unbound = c->unbound;
			break;
		case CH_BRIDGE_DEL:
			d->unbound = 0;
			break;
		}
	}
}

/* ---- attribute validation, as lib/nlattr.c does it, strictly ---- */

enum pol_type { PT_UNSPEC, PT_U8, PT_U16, PT_U32, PT_U64, PT_NUL_STRING,
		PT_BINARY, PT_NESTED, PT_REJECT };
enum pol_check { PV_NONE, PV_RANGE, PV_MIN, PV_MAX, PV_MASK };

struct pol {
	uint8_t type, check;
	uint16_t len;		/* strings: longest; nests: maxtype inside */
	uint64_t min, max;	/* PV_RANGE/MIN/MAX; PV_MASK: max is the mask */
	const struct pol *nested;
	const char *reject;	/* PT_REJECT: the policy's reject_message */
};

/* Mirrors of the policies in kmod/netlink.c. */
static const struct pol addr_pol[VMFENCE_ADDR_A_MAX + 1] = {
	[VMFENCE_ADDR_A_IN] = { PT_BINARY, PV_RANGE, 0, 4, 4, NULL },
	[VMFENCE_ADDR_A_IN6] = { PT_BINARY, PV_RANGE, 0, 16, 16, NULL },
	[VMFENCE_ADDR_A_PREFIXLEN] = { PT_U8, PV_MAX, 0, 0, 128, NULL },
};

static const struct pol addrs_pol[VMFENCE_ADDRS_A_MAX + 1] = {
	[VMFENCE_ADDRS_A_ADDR] = { PT_NESTED, PV_NONE, VMFENCE_ADDR_A_MAX, 0,
				   0, addr_pol },
};

static const struct pol eth_pol[VMFENCE_ETHERTYPES_A_MAX + 1] = {
	[VMFENCE_ETHERTYPES_A_TYPE] = { PT_U16, PV_NONE, 0, 0, 0, NULL },
};

static const struct pol port_pol[VMFENCE_PORT_A_MAX + 1] = {
	[VMFENCE_PORT_A_IFINDEX] = { PT_U32, PV_MIN, 0, 1, 0, NULL },
	[VMFENCE_PORT_A_IFNAME] = { PT_NUL_STRING, PV_NONE, IFNAMSIZ - 1, 0,
				    0, NULL },
	[VMFENCE_PORT_A_MAC] = { PT_BINARY, PV_RANGE, 0, 6, 6, NULL },
	[VMFENCE_PORT_A_MODE] = { PT_U8, PV_RANGE, 0, VMFENCE_MODE_ENFORCE,
				  VMFENCE_MODE_MAX, NULL },
	[VMFENCE_PORT_A_LABEL] = { PT_NUL_STRING, PV_NONE,
				   VMFENCE_LABEL_MAX - 1, 0, 0, NULL },
	[VMFENCE_PORT_A_SEQ] = { PT_U64, PV_NONE, 0, 0, 0, NULL },
	[VMFENCE_PORT_A_ADDRS] = { PT_NESTED, PV_NONE, VMFENCE_ADDRS_A_MAX, 0,
				   0, addrs_pol },
	[VMFENCE_PORT_A_FLAGS] = { PT_U32, PV_MASK, 0, 0, __VMFENCE_PORT_F_ALL,
				   NULL },
	[VMFENCE_PORT_A_ETHERTYPES] = { PT_NESTED, PV_NONE,
					VMFENCE_ETHERTYPES_A_MAX, 0, 0,
					eth_pol },
};

static const struct pol bridge_pol[VMFENCE_BRIDGE_A_MAX + 1] = {
	[VMFENCE_BRIDGE_A_IFINDEX] = { PT_U32, PV_MIN, 0, 1, 0, NULL },
	[VMFENCE_BRIDGE_A_IFNAME] = { PT_NUL_STRING, PV_NONE, IFNAMSIZ - 1, 0,
				      0, NULL },
	[VMFENCE_BRIDGE_A_UNBOUND] = { PT_U8, PV_RANGE, 0,
				       VMFENCE_UNBOUND_PASS,
				       VMFENCE_UNBOUND_MAX, NULL },
};

/* Each command's top-level policy (kmod/netlink.c: *_cmd_policy). */
#define NOT_TAKEN(what)	{ PT_REJECT, PV_NONE, 0, 0, 0, NULL, \
			  what ": not an attribute of this command" }
#define KERNEL_ONLY(what) { PT_REJECT, PV_NONE, 0, 0, 0, NULL, \
			  what ": sent by the kernel only" }
#define PORT_NEST	{ PT_NESTED, PV_NONE, VMFENCE_PORT_A_MAX, 0, 0, port_pol, NULL }
#define BRIDGE_NEST	{ PT_NESTED, PV_NONE, VMFENCE_BRIDGE_A_MAX, 0, 0, bridge_pol, NULL }

static const struct pol port_cmd_pol[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = PORT_NEST,
	[VMFENCE_A_STATS] = KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = NOT_TAKEN("bridge"),
	[VMFENCE_A_APPLY_FLAGS] = NOT_TAKEN("apply_flags"),
	[VMFENCE_A_EVENT] = KERNEL_ONLY("event"),
};

static const struct pol bridge_cmd_pol[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = NOT_TAKEN("port"),
	[VMFENCE_A_STATS] = KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = BRIDGE_NEST,
	[VMFENCE_A_APPLY_FLAGS] = NOT_TAKEN("apply_flags"),
	[VMFENCE_A_EVENT] = KERNEL_ONLY("event"),
};

static const struct pol apply_cmd_pol[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = PORT_NEST,
	[VMFENCE_A_STATS] = KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = BRIDGE_NEST,
	[VMFENCE_A_APPLY_FLAGS] = { PT_U32, PV_MASK, 0, 0,
				    __VMFENCE_APPLY_F_ALL, NULL, NULL },
	[VMFENCE_A_EVENT] = KERNEL_ONLY("event"),
};

static const struct pol *cmd_pol(int cmd)
{
	switch (cmd) {
	case VMFENCE_CMD_BRIDGE_SET:
	case VMFENCE_CMD_BRIDGE_GET:
		return bridge_cmd_pol;
	case VMFENCE_CMD_APPLY:
		return apply_cmd_pol;
	default:
		return port_cmd_pol;
	}
}

/* One evaluation. */
struct ev {
	struct model *m;
	const uint8_t *msg;
	struct verdict *v;
	bool unknown;		/* reached a device we cannot judge */
	const struct nlattr *top[VMFENCE_A_MAX + 1];
};

static int64_t off_of(const struct ev *e, const struct nlattr *a)
{
	return a ? (const uint8_t *)a - e->msg : -1;
}

/* A refusal by the policy: the core's own text, pointing at @a. */
static int pol_fail(struct ev *e, int err, const struct nlattr *a,
		    const char *why)
{
	e->v->kind = VK_ERR;
	e->v->err = err;
	e->v->offs = off_of(e, a);
	e->v->why = why;
	return -err;
}

/* A refusal by vmfence: "attr: text", pointing at @a (NULL: nowhere). */
static void refuse(struct ev *e, int err, const struct nlattr *a,
		   const char *why)
{
	e->v->kind = VK_ERR;
	e->v->err = err;
	e->v->vmf = true;
	e->v->offs = off_of(e, a);
	e->v->why = why;
}

static uint64_t attr_uint(const struct nlattr *a, int len)
{
	uint64_t v8 = 0;
	uint32_t v4 = 0;
	uint16_t v2 = 0;

	switch (len) {
	case 1:
		return *(const uint8_t *)nla_data(a);
	case 2:
		memcpy(&v2, nla_data(a), 2);
		return v2;
	case 4:
		memcpy(&v4, nla_data(a), 4);
		return v4;
	default:
		memcpy(&v8, nla_data(a), 8);
		return v8;
	}
}

static int validate_stream(struct ev *e, const struct nlattr *head, int len,
			   int maxtype, const struct pol *policy,
			   const struct nlattr **tb);

static int validate_check(struct ev *e, const struct nlattr *a,
			  const struct pol *pt)
{
	static const uint64_t tmax[PT_NESTED + 1] = { [PT_U8] = 0xff, [PT_U16] = 0xffff,
					 [PT_U32] = 0xffffffffu,
					 [PT_U64] = UINT64_MAX,
					 [PT_BINARY] = 0xffff };
	static const int size[PT_NESTED + 1] = { [PT_U8] = 1, [PT_U16] = 2, [PT_U32] = 4,
				    [PT_U64] = 8 };
	uint64_t value, lo = 0, hi = tmax[pt->type];

	if (pt->check == PV_NONE)
		return 0;
	value = pt->type == PT_BINARY ? (uint64_t)nla_len(a) :
		attr_uint(a, size[pt->type]);
	if (pt->check == PV_MASK)
		return value & ~pt->max ?
		       pol_fail(e, EINVAL, a, "reserved bit set") : 0;
	if (pt->check == PV_RANGE || pt->check == PV_MIN)
		lo = pt->min;
	if (pt->check == PV_RANGE || pt->check == PV_MAX)
		hi = pt->max;
	if (value < lo || value > hi)
		return pol_fail(e, ERANGE, a, pt->type == PT_BINARY ?
				"binary attribute size out of range" :
				"integer out of range");
	return 0;
}

/* validate_nla() for one attribute of a known type. */
static int validate_attr(struct ev *e, const struct nlattr *a,
			 const struct pol *pt)
{
	static const int exact[PT_REJECT + 1] = { [PT_U8] = 1, [PT_U16] = 2, [PT_U32] = 4,
				     [PT_U64] = 8 };
	int attrlen = nla_len(a);
	const char *data = nla_data(a);
	int minlen;

	if (exact[pt->type] && attrlen != exact[pt->type])
		return pol_fail(e, EINVAL, a, "invalid attribute length");
	if (pt->type == PT_NESTED && !(a->nla_type & NLA_F_NESTED))
		return pol_fail(e, EINVAL, a, "NLA_F_NESTED is missing");
	if (pt->type != PT_NESTED && pt->type != PT_UNSPEC &&
	    (a->nla_type & NLA_F_NESTED))
		return pol_fail(e, EINVAL, a, "NLA_F_NESTED not expected");

	switch (pt->type) {
	case PT_NUL_STRING:
		minlen = attrlen < pt->len + 1 ? attrlen : pt->len + 1;
		if (!minlen || !memchr(data, 0, minlen))
			return pol_fail(e, EINVAL, a, "string without its NUL");
		if (data[attrlen - 1] == 0)
			attrlen--;
		if (attrlen > pt->len)
			return pol_fail(e, ERANGE, a, "string too long");
		break;
	case PT_BINARY:
		break;
	case PT_NESTED:
		if (attrlen == 0)
			break;
		if (attrlen < NLA_HDRLEN)
			return pol_fail(e, ERANGE, a, "nest shorter than an attribute");
		return validate_stream(e, nla_data(a), attrlen, pt->len,
				       pt->nested, NULL);
	case PT_UNSPEC:
		return pol_fail(e, EINVAL, a, "Unsupported attribute");
	case PT_REJECT:
		return pol_fail(e, EINVAL, a, pt->reject);
	default:
		break;
	}
	return validate_check(e, a, pt);
}

/* __nla_validate_parse(), NL_VALIDATE_STRICT; fills @tb (last wins). */
static int validate_stream(struct ev *e, const struct nlattr *head, int len,
			   int maxtype, const struct pol *policy,
			   const struct nlattr **tb)
{
	const struct nlattr *a;
	int rem, err;

	if (tb)
		memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem) {
		int type = nla_type(a);

		if (type == 0 || type > maxtype)
			return pol_fail(e, EINVAL, a, "Unknown attribute type");
		err = validate_attr(e, a, &policy[type]);
		if (err)
			return err;
		if (tb)
			tb[type] = a;
	}
	if (rem > 0)
		return pol_fail(e, EINVAL, NULL,
				"bytes leftover after parsing attributes");
	return 0;
}

/* nla_parse_nested() of something already validated. */
static void fill_tb(const struct nlattr *nest, int maxtype,
		    const struct nlattr **tb)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	nla_for_each_nested(a, nest, rem)
		tb[nla_type(a)] = a;
}

/* ---- the commands, in the order kmod/ checks things ---- */

static struct mdev *lookup(struct ev *e, const struct nlattr *ifindex,
			   const struct nlattr *ifname)
{
	struct mdev *d;

	if (ifindex)
		d = model_dev_by_ifindex(e->m, attr_uint(ifindex, 4));
	else
		d = model_dev_by_name(e->m, nla_data(ifname));
	if (d && !model_dev_known(e->m, d))
		e->unknown = true;
	if (!d && e->m->volatile_prefix) {
		/* A device of the volatile set may have appeared since. */
		if (ifindex ? model_new_ifindex(e->m, attr_uint(ifindex, 4)) :
		    has_prefix(nla_data(ifname), e->m->volatile_prefix))
			e->unknown = true;
	}
	return d;
}

/* vmfence_nl_port_dev(): exactly one of ifindex and ifname, existing. */
static struct mdev *port_dev(struct ev *e, const struct nlattr **tb,
			     const struct nlattr *nest)
{
	const struct nlattr *ifindex = tb[VMFENCE_PORT_A_IFINDEX];
	const struct nlattr *ifname = tb[VMFENCE_PORT_A_IFNAME];
	struct mdev *d;

	if (!ifindex == !ifname) {
		refuse(e, EINVAL, nest, "port: not exactly one of ifindex and ifname");
		return NULL;
	}
	d = lookup(e, ifindex, ifname);
	if (!d && !e->unknown)
		refuse(e, ENODEV, ifindex ?: ifname, "no such device");
	return d;
}

static const struct nlattr *port_id(const struct nlattr **tb)
{
	return tb[VMFENCE_PORT_A_IFINDEX] ?: tb[VMFENCE_PORT_A_IFNAME];
}

/* vmfence_addr_parse() */
static bool addr_parse(struct ev *e, const struct nlattr *nest,
		       struct maddr *p)
{
	const struct nlattr *tb[VMFENCE_ADDR_A_MAX + 1], *a;
	uint8_t masked[16];
	int alen, i, plen;

	fill_tb(nest, VMFENCE_ADDR_A_MAX, tb);
	if (!tb[VMFENCE_ADDR_A_IN] == !tb[VMFENCE_ADDR_A_IN6]) {
		refuse(e, EINVAL, nest, "addr: not exactly one of IN and IN6");
		return false;
	}
	a = tb[VMFENCE_ADDR_A_IN] ?: tb[VMFENCE_ADDR_A_IN6];
	alen = nla_len(a);
	memset(p, 0, sizeof(*p));
	p->alen = alen;
	memcpy(p->addr, nla_data(a), alen);
	p->plen = alen * 8;
	if (tb[VMFENCE_ADDR_A_PREFIXLEN]) {
		p->plen = attr_uint(tb[VMFENCE_ADDR_A_PREFIXLEN], 1);
		if (p->plen > alen * 8) {
			refuse(e, EINVAL, tb[VMFENCE_ADDR_A_PREFIXLEN],
			       "prefixlen: longer than the address");
			return false;
		}
	}
	/* vmfence_prefix_mask() */
	memcpy(masked, p->addr, alen);
	for (i = 0, plen = p->plen; i < alen; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		masked[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
	if (memcmp(masked, p->addr, alen)) {
		refuse(e, EINVAL, a, "addr: host bits set");
		return false;
	}
	if (p->plen == alen * 8) {
		static const uint8_t zero[16], bcast[4] = { 255, 255, 255, 255 };
		bool bad = alen == 4 ?
			   (p->addr[0] & 0xf0) == 0xe0 ||
			   !memcmp(p->addr, bcast, 4) || !memcmp(p->addr, zero, 4) :
			   p->addr[0] == 0xff || !memcmp(p->addr, zero, 16);

		if (bad) {
			refuse(e, EINVAL, a, "addr: multicast, broadcast or unspecified");
			return false;
		}
	}
	return true;
}

static int count_nested(const struct nlattr *nest)
{
	const struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, nest, rem)
		if (n++ == VMFENCE_ADDRS_MAX)
			break;
	return n;
}

/* vmfence_addrs_collect() into @b, with room for @room more. */
static bool addrs_collect(struct ev *e, const struct nlattr *addrs,
			  struct mbind *b, int room)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, addrs, rem) {
		if (!room--) {
			refuse(e, E2BIG, a, "addrs: more than VMFENCE_ADDRS_MAX");
			return false;
		}
		if (!addr_parse(e, a, &b->addr[b->naddr]))
			return false;
		b->naddr++;
	}
	return true;
}

static bool has_dups(const struct mbind *b)
{
	int i;

	for (i = 1; i < b->naddr; i++)
		if (!maddr_cmp(&b->addr[i], &b->addr[i - 1]))
			return true;
	return false;
}

static bool ethertypes_parse(struct ev *e, const struct nlattr *types,
			     struct mbind *b)
{
	const struct nlattr *a;
	int rem, i;

	nla_for_each_nested(a, types, rem) {
		uint16_t type = attr_uint(a, 2);

		if (type < 0x600) {
			refuse(e, EINVAL, a, "ethertypes: below 0x0600");
			return false;
		}
		for (i = 0; i < b->neth; i++) {
			if (b->eth[i] == type) {
				refuse(e, EINVAL, a, "ethertypes: given twice");
				return false;
			}
		}
		if (b->neth == VMFENCE_ETHERTYPES_MAX) {
			refuse(e, E2BIG, a, "ethertypes: more than VMFENCE_ETHERTYPES_MAX");
			return false;
		}
		b->eth[b->neth++] = type;
	}
	return true;
}

/* vmfence_binding_parse() */
static bool binding_parse(struct ev *e, const struct nlattr **tb,
			  struct mbind *b)
{
	const struct nlattr *mac = tb[VMFENCE_PORT_A_MAC];
	const uint8_t *p;

	memset(b, 0, offsetof(struct mbind, addr));
	if (!mac) {
		refuse(e, EINVAL, NULL, "mac: required");
		return false;
	}
	p = nla_data(mac);
	if ((p[0] & 1) || !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5])) {
		refuse(e, EINVAL, mac, "mac: not unicast");
		return false;
	}
	memcpy(b->mac, p, 6);
	b->mode = tb[VMFENCE_PORT_A_MODE] ?
		  attr_uint(tb[VMFENCE_PORT_A_MODE], 1) : VMFENCE_MODE_ENFORCE;
	if (tb[VMFENCE_PORT_A_SEQ])
		b->seq = attr_uint(tb[VMFENCE_PORT_A_SEQ], 8);
	if (tb[VMFENCE_PORT_A_LABEL])
		/* nla_strscpy(): what counts is up to the first NUL. */
		snprintf(b->label, sizeof(b->label), "%.*s",
			 nla_len(tb[VMFENCE_PORT_A_LABEL]),
			 (const char *)nla_data(tb[VMFENCE_PORT_A_LABEL]));
	if (tb[VMFENCE_PORT_A_FLAGS])
		b->flags = attr_uint(tb[VMFENCE_PORT_A_FLAGS], 4);
	if (tb[VMFENCE_PORT_A_ETHERTYPES] &&
	    !ethertypes_parse(e, tb[VMFENCE_PORT_A_ETHERTYPES], b))
		return false;
	if (tb[VMFENCE_PORT_A_ADDRS]) {
		if (!addrs_collect(e, tb[VMFENCE_PORT_A_ADDRS], b,
				   VMFENCE_ADDRS_MAX))
			return false;
		mbind_sort(b);
		if (has_dups(b)) {
			refuse(e, EINVAL, tb[VMFENCE_PORT_A_ADDRS],
			       "addrs: an address given twice");
			return false;
		}
	}
	return true;
}

static int dev_index(struct ev *e, const struct mdev *d)
{
	return d - e->m->dev;
}

static const struct nlattr *need_port(struct ev *e, const struct nlattr **tb)
{
	if (!e->top[VMFENCE_A_PORT]) {
		refuse(e, EINVAL, NULL, "port: VMFENCE_A_PORT required");
		return NULL;
	}
	fill_tb(e->top[VMFENCE_A_PORT], VMFENCE_PORT_A_MAX, tb);
	return e->top[VMFENCE_A_PORT];
}

static void ev_port_set(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1], *nest;
	struct mbind *b;
	struct mdev *d;

	nest = need_port(e, tb);
	if (!nest)
		return;
	d = port_dev(e, tb, nest);
	if (!d)
		return;
	if (!d->bindable) {
		refuse(e, EOPNOTSUPP, port_id(tb), "port: not a bindable device");
		return;
	}
	b = malloc(sizeof(*b));
	if (!binding_parse(e, tb, b))
		goto out;
	if (d->b) {
		if (!tb[VMFENCE_PORT_A_SEQ]) {
			b->seq = d->b->seq;
		} else if (b->seq <= d->b->seq) {
			refuse(e, ESTALE, tb[VMFENCE_PORT_A_SEQ], "seq: stale");
			goto out;
		}
	}
	add_change(e->v, dev_index(e, d), CH_BIND, b, 0);
	e->v->kind = VK_OK;
out:
	free(b);
}

static void ev_port_del(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1], *nest;
	struct mdev *d;

	nest = need_port(e, tb);
	if (!nest)
		return;
	d = port_dev(e, tb, nest);
	if (!d)
		return;
	if (!d->b) {
		refuse(e, ENOENT, port_id(tb), "port: not bound");
		return;
	}
	add_change(e->v, dev_index(e, d), CH_UNBIND, NULL, 0);
	e->v->kind = VK_OK;
}

static void ev_port_addr(struct ev *e, bool add)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1], *nest, *addrs;
	struct mbind *b;
	struct maddr one;
	struct mdev *d;
	int i;

	nest = need_port(e, tb);
	if (!nest)
		return;
	d = port_dev(e, tb, nest);
	if (!d)
		return;
	if (!d->b) {
		refuse(e, ENOENT, port_id(tb), "port: not bound");
		return;
	}
	addrs = tb[VMFENCE_PORT_A_ADDRS];
	if (!addrs) {
		refuse(e, EINVAL, nest, "addrs: required");
		return;
	}
	if (count_nested(addrs) != 1) {
		refuse(e, EINVAL, addrs, "addrs: not exactly one address");
		return;
	}
	if (!addr_parse(e, nla_data(addrs), &one))
		return;
	b = malloc(sizeof(*b));
	*b = *d->b;
	for (i = 0; i < b->naddr && maddr_cmp(&b->addr[i], &one); i++)
		;
	if (add && b->naddr >= VMFENCE_ADDRS_MAX) {
		refuse(e, E2BIG, addrs, "addrs: full");
	} else if (add && i < b->naddr) {
		refuse(e, EEXIST, addrs, "addrs: already bound");
	} else if (!add && i == b->naddr) {
		refuse(e, ENOENT, addrs, "addrs: not bound");
	} else {
		if (add)
			b->addr[b->naddr++] = one;
		else
			b->addr[i] = b->addr[--b->naddr];
		mbind_sort(b);
		add_change(e->v, dev_index(e, d), CH_BIND, b, 0);
		e->v->kind = VK_OK;
	}
	free(b);
}

/* PORT_GET and STATS_GET for one port. */
static void ev_get_one(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1], *nest;
	struct mdev *d;

	nest = need_port(e, tb);
	if (!nest)
		return;
	d = port_dev(e, tb, nest);
	if (!d)
		return;
	if (!d->b) {
		refuse(e, ENOENT, port_id(tb), "port: not bound");
		return;
	}
	e->v->reply_dev = dev_index(e, d);
	e->v->kind = VK_OK;
}

static void ev_stats_reset(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct mdev *d;

	if (!e->top[VMFENCE_A_PORT]) {
		e->v->kind = VK_OK;
		return;
	}
	fill_tb(e->top[VMFENCE_A_PORT], VMFENCE_PORT_A_MAX, tb);
	d = port_dev(e, tb, e->top[VMFENCE_A_PORT]);
	if (!d)
		return;
	if (!d->b) {
		refuse(e, ENOENT, port_id(tb), "port: not bound");
		return;
	}
	e->v->kind = VK_OK;
}

/* vmfence_nl_bridge_dev() */
static struct mdev *bridge_dev(struct ev *e, const struct nlattr *nest,
			       const struct nlattr **tb)
{
	const struct nlattr *ifindex, *ifname;
	struct mdev *d;

	if (!nest) {
		refuse(e, EINVAL, NULL, "bridge: VMFENCE_A_BRIDGE required");
		return NULL;
	}
	fill_tb(nest, VMFENCE_BRIDGE_A_MAX, tb);
	ifindex = tb[VMFENCE_BRIDGE_A_IFINDEX];
	ifname = tb[VMFENCE_BRIDGE_A_IFNAME];
	if (!ifindex == !ifname) {
		refuse(e, EINVAL, nest, "bridge: not exactly one of ifindex and ifname");
		return NULL;
	}
	d = lookup(e, ifindex, ifname);
	if (e->unknown)
		return NULL;
	if (!d) {
		refuse(e, ENODEV, ifindex ?: ifname, "bridge: no such device");
		return NULL;
	}
	if (!d->bridge) {
		refuse(e, EINVAL, ifindex ?: ifname, "bridge: not a bridge");
		return NULL;
	}
	return d;
}

static void ev_bridge_set(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	struct mdev *d;

	d = bridge_dev(e, e->top[VMFENCE_A_BRIDGE], tb);
	if (!d)
		return;
	if (!tb[VMFENCE_BRIDGE_A_UNBOUND]) {
		refuse(e, EINVAL, e->top[VMFENCE_A_BRIDGE], "unbound: required");
		return;
	}
	add_change(e->v, dev_index(e, d), CH_BRIDGE, NULL,
		   attr_uint(tb[VMFENCE_BRIDGE_A_UNBOUND], 1));
	e->v->kind = VK_OK;
}

static void ev_bridge_get(struct ev *e)
{
	const struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	struct mdev *d;

	d = bridge_dev(e, e->top[VMFENCE_A_BRIDGE], tb);
	if (!d)
		return;
	if (!d->unbound) {
		refuse(e, ENOENT, NULL, "bridge: no setting");
		return;
	}
	e->v->reply_dev = dev_index(e, d);
	e->v->kind = VK_OK;
}

/* ---- APPLY ---- */

struct staged {
	int dev;
	bool has_seq;
	const struct nlattr *nest;
	struct mbind *b;		/* ports */
	int unbound;			/* bridges */
};

/* Phase 1 for a port entry; false: the document is refused. */
static bool stage_port(struct ev *e, const struct nlattr *nest,
		       struct staged *sp, uint8_t *seen)
{
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct mdev *d;

	fill_tb(nest, VMFENCE_PORT_A_MAX, tb);
	d = port_dev(e, tb, nest);
	if (!d)
		return false;
	if (!d->bindable) {
		refuse(e, EOPNOTSUPP, nest, "port: not a bindable device");
		return false;
	}
	if (seen[dev_index(e, d)]) {
		refuse(e, EINVAL, nest, "port: given twice");
		return false;
	}
	seen[dev_index(e, d)] = 1;
	sp->dev = dev_index(e, d);
	sp->nest = nest;
	sp->b = malloc(sizeof(*sp->b));
	if (!binding_parse(e, tb, sp->b)) {
		/* The parser's refusal without an attribute: the entry. */
		if (e->v->offs < 0)
			e->v->offs = off_of(e, nest);
		return false;
	}
	sp->has_seq = tb[VMFENCE_PORT_A_SEQ];
	return true;
}

static bool stage_bridge(struct ev *e, const struct nlattr *nest,
			 struct staged *sb, const struct staged *bridges,
			 int nbridges)
{
	const struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	struct mdev *d;
	int i;

	d = bridge_dev(e, nest, tb);
	if (!d)
		return false;
	for (i = 0; i < nbridges; i++) {
		if (bridges[i].dev == dev_index(e, d)) {
			refuse(e, EINVAL, nest, "bridge: given twice");
			return false;
		}
	}
	sb->dev = dev_index(e, d);
	if (!tb[VMFENCE_BRIDGE_A_UNBOUND]) {
		refuse(e, EINVAL, nest, "unbound: required");
		return false;
	}
	sb->unbound = attr_uint(tb[VMFENCE_BRIDGE_A_UNBOUND], 1);
	return true;
}

/* Phases 2 and 3: stale entries refuse the document; else the changes. */
static void apply_commit(struct ev *e, struct staged *ports, int np,
			 struct staged *bridges, int nb, bool replace,
			 const uint8_t *seen)
{
	struct model *m = e->m;
	int i;

	for (i = 0; i < np; i++) {
		struct mdev *d = &m->dev[ports[i].dev];

		if (!d->b)
			continue;
		if (mbind_equal(ports[i].b, d->b, ports[i].has_seq)) {
			free(ports[i].b);
			ports[i].b = NULL;	/* unchanged */
			continue;
		}
		if (!ports[i].has_seq) {
			ports[i].b->seq = d->b->seq;
		} else if (ports[i].b->seq <= d->b->seq) {
			refuse(e, ESTALE, ports[i].nest, "seq: stale entry");
			return;
		}
	}
	for (i = 0; i < np; i++)
		if (ports[i].b)
			add_change(e->v, ports[i].dev, CH_BIND, ports[i].b, 0);
	for (i = 0; i < nb; i++)
		add_change(e->v, bridges[i].dev, CH_BRIDGE, NULL,
			   bridges[i].unbound);
	if (replace) {
		for (i = 0; i < m->ndev; i++) {
			bool listed = false;
			int j;

			if (m->dev[i].b && !seen[i])
				add_change(e->v, i, CH_UNBIND, NULL, 0);
			if (!m->dev[i].unbound)
				continue;
			for (j = 0; j < nb; j++)
				listed |= bridges[j].dev == i;
			if (!listed)
				add_change(e->v, i, CH_BRIDGE_DEL, NULL, 0);
		}
	}
	e->v->replace = replace;
	e->v->kind = VK_OK;
}

static void ev_apply(struct ev *e, const struct nlmsghdr *h)
{
	const struct nlattr *a;
	struct staged *ports, *bridges;
	int rem, np = 0, nb = 0, i, len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	bool replace = false;
	uint8_t *seen;

	if (e->top[VMFENCE_A_APPLY_FLAGS])
		replace = attr_uint(e->top[VMFENCE_A_APPLY_FLAGS], 4) &
			  VMFENCE_APPLY_F_REPLACE;
	nla_for_each_attr(a, (const struct nlattr *)(e->msg + NLMSG_HDRLEN + GENL_HDRLEN),
			  len, rem) {
		np += nla_type(a) == VMFENCE_A_PORT;
		nb += nla_type(a) == VMFENCE_A_BRIDGE;
	}
	if (np > VMFENCE_APPLY_PORTS_MAX) {
		refuse(e, E2BIG, NULL, "port: more than VMFENCE_APPLY_PORTS_MAX");
		return;
	}
	if (replace && e->m->shared) {
		/* Others' bindings would go: we cannot say which. */
		e->unknown = true;
		return;
	}
	ports = calloc(np + 1, sizeof(*ports));
	bridges = calloc(nb + 1, sizeof(*bridges));
	seen = calloc(e->m->ndev + 1, 1);
	np = nb = 0;
	nla_for_each_attr(a, (const struct nlattr *)(e->msg + NLMSG_HDRLEN + GENL_HDRLEN),
			  len, rem) {
		bool ok = true;
		const struct nlattr *failed = a;

		if (nla_type(a) == VMFENCE_A_PORT) {
			ok = stage_port(e, a, &ports[np], seen);
			if (ports[np].b)
				np++;
		} else if (nla_type(a) == VMFENCE_A_BRIDGE) {
			ok = stage_bridge(e, a, &bridges[nb], bridges, nb);
			if (ok)
				nb++;
		}
		if (!ok) {
			e->v->entry_lo = off_of(e, failed);
			e->v->entry_hi = e->v->entry_lo + failed->nla_len;
			goto out;
		}
	}
	apply_commit(e, ports, np, bridges, nb, replace, seen);
	for (i = 0; i < np && e->v->kind == VK_ERR; i++) {
		if (ports[i].nest && off_of(e, ports[i].nest) == e->v->offs) {
			e->v->entry_lo = e->v->offs;
			e->v->entry_hi = e->v->offs + ports[i].nest->nla_len;
		}
	}
out:
	for (i = 0; i < np; i++)
		free(ports[i].b);
	free(ports);
	free(bridges);
	free(seen);
}

/* ---- the whole request ---- */

static bool has_dumpit(int cmd)
{
	return cmd == VMFENCE_CMD_PORT_GET || cmd == VMFENCE_CMD_STATS_GET ||
	       cmd == VMFENCE_CMD_BRIDGE_GET;
}

/* Up to the command's handler: af_netlink.c and genetlink.c. */
static bool eval_core(struct ev *e, const uint8_t *msg, size_t len,
		      int family)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)msg;
	const struct genlmsghdr *g;
	struct verdict *v = e->v;
	uint16_t flags;

	if (len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN ||
	    h->nlmsg_len > len) {
		v->kind = VK_NOREPLY;
		v->why = "not a whole netlink message: ignored";
		return false;
	}
	if (h->nlmsg_len < len || h->nlmsg_type != family)
		return false;	/* never sent: VK_UNKNOWN */
	flags = h->nlmsg_flags;
	if (!(flags & NLM_F_REQUEST)) {
		v->kind = (flags & NLM_F_ACK) ? VK_OK : VK_NOREPLY;
		v->ack = true;
		v->why = "not a request: skipped";
		return false;
	}
	v->kind = VK_ERR;
	v->core = true;
	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		v->err = EINVAL;
		v->why = "no room for the genlmsghdr (core, no text)";
		return false;
	}
	g = nlmsg_data(h);
	v->cmd = g->cmd;
	v->core = false;	/* genl_header_check() says why */
	if (g->reserved) {
		v->err = EINVAL;
		v->why = "genlmsghdr.reserved not 0";
		return false;
	}
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) {
		v->err = EINVAL;
		v->why = "reserved bits in nlmsg_flags";
		return false;
	}
	v->core = true;
	if (g->cmd < VMFENCE_CMD_PORT_SET || g->cmd > VMFENCE_CMD_APPLY) {
		v->err = EOPNOTSUPP;
		v->why = "no such command (core, no text)";
		return false;
	}
	if ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && !has_dumpit(g->cmd)) {
		v->err = EOPNOTSUPP;
		v->why = "no dump for this command (core, no text)";
		return false;
	}
	v->core = false;
	if (validate_stream(e, (const struct nlattr *)(msg + NLMSG_HDRLEN + GENL_HDRLEN),
			    h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
			    VMFENCE_A_MAX, cmd_pol(g->cmd), e->top))
		return false;
	if ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		v->kind = VK_DUMP;
		v->dump_cmd = g->cmd;
		v->why = "a dump";
		return false;
	}
	return true;
}

void model_eval(struct model *m, const uint8_t *msg, size_t len,
		int family, struct verdict *v)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)msg;
	struct ev e = { .m = m, .msg = msg, .v = v };

	verdict_reset(v);
	if (!eval_core(&e, msg, len, family))
		return;
	v->kind = VK_UNKNOWN;
	switch (v->cmd) {
	case VMFENCE_CMD_PORT_SET:
		ev_port_set(&e);
		break;
	case VMFENCE_CMD_PORT_DEL:
		ev_port_del(&e);
		break;
	case VMFENCE_CMD_PORT_GET:
	case VMFENCE_CMD_STATS_GET:
		ev_get_one(&e);
		break;
	case VMFENCE_CMD_PORT_ADDR_ADD:
		ev_port_addr(&e, true);
		break;
	case VMFENCE_CMD_PORT_ADDR_DEL:
		ev_port_addr(&e, false);
		break;
	case VMFENCE_CMD_STATS_RESET:
		ev_stats_reset(&e);
		break;
	case VMFENCE_CMD_BRIDGE_SET:
		ev_bridge_set(&e);
		break;
	case VMFENCE_CMD_BRIDGE_GET:
		ev_bridge_get(&e);
		break;
	case VMFENCE_CMD_APPLY:
		ev_apply(&e, h);
		break;
	}
	if (e.unknown) {
		verdict_free(v);
		v->kind = VK_UNKNOWN;
		v->why = "names a device whose state is not ours";
		return;
	}
	if (v->kind == VK_OK)
		v->ack = h->nlmsg_flags & NLM_F_ACK;
}

/* ---- what a message could touch ---- */

static void named_add(struct named *nm, int dev)
{
	if (nm->n == nm->cap) {
		nm->cap = nm->cap * 2 + 8;
		nm->dev = realloc(nm->dev, nm->cap * sizeof(int));
	}
	nm->dev[nm->n++] = dev;
}

void named_free(struct named *nm)
{
	free(nm->dev);
	memset(nm, 0, sizeof(*nm));
}

static void scan_nest(struct model *m, const struct nlattr *nest,
		      struct named *nm)
{
	const struct nlattr *a;
	struct mdev *d;
	int rem;

	nla_for_each_attr(a, nla_data(nest), nla_len(nest), rem) {
		char name[IFNAMSIZ * 2];
		bool byname = nla_type(a) == VMFENCE_PORT_A_IFNAME;

		if (nla_type(a) == VMFENCE_PORT_A_IFINDEX && nla_len(a) >= 4) {
			uint32_t ifx;

			memcpy(&ifx, nla_data(a), 4);
			d = model_dev_by_ifindex(m, ifx);
			if (!d && m->volatile_prefix && model_new_ifindex(m, ifx))
				nm->unknown = true;
		} else if (byname) {
			snprintf(name, sizeof(name), "%.*s", nla_len(a),
				 (const char *)nla_data(a));
			d = model_dev_by_name(m, name);
			if (!d && has_prefix(name, m->volatile_prefix))
				nm->unknown = true;
		} else {
			continue;
		}
		if (!d)
			continue;
		named_add(nm, d - m->dev);
		if (d->role == DEV_VOLATILE)
			nm->unknown = true;
		else if (!model_dev_known(m, d) || d->role == DEV_EPOCH)
			nm->foreign = true;
	}
}

void model_scan_named(struct model *m, const uint8_t *msg, size_t len,
		      struct named *nm)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)msg;
	const struct nlattr *a;
	int rem, alen;

	memset(nm, 0, sizeof(*nm));
	if (len < NLMSG_HDRLEN + GENL_HDRLEN)
		return;
	alen = (h->nlmsg_len < len ? h->nlmsg_len : len) - NLMSG_HDRLEN -
	       GENL_HDRLEN;
	nla_for_each_attr(a, (const struct nlattr *)(msg + NLMSG_HDRLEN + GENL_HDRLEN),
			  alen, rem) {
		int t = nla_type(a);

		if (t == VMFENCE_A_PORT || t == VMFENCE_A_BRIDGE)
			scan_nest(m, a, nm);
		if (t == VMFENCE_A_APPLY_FLAGS && nla_len(a) >= 4 &&
		    (*(const uint8_t *)nla_data(a) & VMFENCE_APPLY_F_REPLACE))
			nm->replace = true;
	}
	if (nm->replace && m->shared)
		nm->foreign = true;
}
