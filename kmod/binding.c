// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: bindings, what one port is allowed to send as.
 *
 * A binding is built whole from a netlink request, validated completely
 * before anything is published, and never changed afterwards: an edit
 * (an address added or removed) builds a new binding.  Every rejection
 * carries an extended-ACK message that starts with the attribute's name.
 */
#include <linux/etherdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include "alloc.h"
#include "binding.h"
#include "netlink.h"
#include "prefix_set.h"

/* Collected addresses of both families, before they become sets. */
struct vmfence_addr_list {
	struct vmfence_prefix *v4, *v6;
	u16 n4, n6;
};

static void vmfence_addr_list_free(struct vmfence_addr_list *l)
{
	kfree(l->v4);
	kfree(l->v6);
}

static int vmfence_addr_list_alloc(struct vmfence_addr_list *l, u16 n)
{
	memset(l, 0, sizeof(*l));
	if (!n)
		return 0;
	l->v4 = kcalloc(n, sizeof(*l->v4), VMFENCE_GFP);
	l->v6 = kcalloc(n, sizeof(*l->v6), VMFENCE_GFP);
	if (!l->v4 || !l->v6) {
		vmfence_addr_list_free(l);
		return -ENOMEM;
	}
	return 0;
}

/* Parse one VMFENCE_ADDRS_A_ADDR nest into @p; returns its length, 4/16. */
static int vmfence_addr_parse(const struct nlattr *nest,
			      struct vmfence_prefix *p,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VMFENCE_ADDR_A_MAX + 1];
	struct nlattr *a;
	u8 masked[16];
	int err, alen;

	err = nla_parse_nested(tb, VMFENCE_ADDR_A_MAX, nest,
			       vmfence_addr_policy, extack);
	if (err)
		return err;
	if (!!tb[VMFENCE_ADDR_A_IN] == !!tb[VMFENCE_ADDR_A_IN6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "addr: give exactly one of VMFENCE_ADDR_A_IN and VMFENCE_ADDR_A_IN6");
		return -EINVAL;
	}
	a = tb[VMFENCE_ADDR_A_IN] ?: tb[VMFENCE_ADDR_A_IN6];
	alen = nla_len(a);
	memset(p, 0, sizeof(*p));
	memcpy(p->addr, nla_data(a), alen);
	p->plen = alen * 8;

	if (tb[VMFENCE_ADDR_A_PREFIXLEN]) {
		p->plen = nla_get_u8(tb[VMFENCE_ADDR_A_PREFIXLEN]);
		if (p->plen > alen * 8) {
			NL_SET_ERR_MSG_ATTR(extack, tb[VMFENCE_ADDR_A_PREFIXLEN],
					    "prefixlen: more than 32 for an IPv4 prefix");
			return -EINVAL;
		}
	}
	memcpy(masked, p->addr, alen);
	vmfence_prefix_mask(masked, alen, p->plen);
	if (memcmp(masked, p->addr, alen)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "addr: host bits set beyond the prefix length");
		return -EINVAL;
	}
	/* A multicast or broadcast address is never a legitimate source. */
	if (p->plen == alen * 8 &&
	    (alen == 4 ? ipv4_is_multicast(*(__be32 *)p->addr) ||
			 ipv4_is_lbcast(*(__be32 *)p->addr) ||
			 ipv4_is_zeronet(*(__be32 *)p->addr) :
			 ipv6_addr_is_multicast((struct in6_addr *)p->addr) ||
			 ipv6_addr_any((struct in6_addr *)p->addr))) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "addr: a multicast, broadcast or unspecified address cannot be bound");
		return -EINVAL;
	}
	return alen;
}

/*
 * Append every address of a VMFENCE_PORT_A_ADDRS nest to @l, which has
 * room for @room more entries in each family.
 */
static int vmfence_addrs_collect(const struct nlattr *addrs,
				 struct vmfence_addr_list *l, u16 room,
				 struct netlink_ext_ack *extack)
{
	const struct nlattr *nest;
	int rem, alen;

	nla_for_each_nested(nest, addrs, rem) {
		struct vmfence_prefix p;

		if (nla_type(nest) != VMFENCE_ADDRS_A_ADDR) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "addrs: only VMFENCE_ADDRS_A_ADDR entries are allowed");
			return -EINVAL;
		}
		if (!room--) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "addrs: more than VMFENCE_ADDRS_MAX addresses");
			return -E2BIG;
		}
		alen = vmfence_addr_parse(nest, &p, extack);
		if (alen < 0)
			return alen;
		if (alen == 4)
			l->v4[l->n4++] = p;
		else
			l->v6[l->n6++] = p;
	}
	return 0;
}

static u16 vmfence_addrs_count(const struct nlattr *addrs)
{
	const struct nlattr *nest;
	int rem;
	u16 n = 0;

	nla_for_each_nested(nest, addrs, rem)
		if (n++ == VMFENCE_ADDRS_MAX)
			break;
	return n;
}

/* Sorted duplicate check: both arrays are sorted by the set builder. */
static bool vmfence_set_has_dups(const struct vmfence_prefix_set *set)
{
	unsigned int i;

	for (i = 1; set && i < set->n; i++)
		if (set->ents[i].plen == set->ents[i - 1].plen &&
		    !memcmp(set->ents[i].addr, set->ents[i - 1].addr, set->alen))
			return true;
	return false;
}

static int vmfence_binding_set_addrs(struct vmfence_binding *b,
				     struct vmfence_addr_list *l,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	b->ip4 = vmfence_prefix_set_new(l->v4, l->n4, 4);
	b->ip6 = vmfence_prefix_set_new(l->v6, l->n6, 16);
	if ((l->n4 && !b->ip4) || (l->n6 && !b->ip6))
		return -ENOMEM;
	if (vmfence_set_has_dups(b->ip4) || vmfence_set_has_dups(b->ip6)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "addrs: an address is given twice");
		return -EINVAL;
	}
	return 0;
}

static int vmfence_ethertypes_parse(struct vmfence_binding *b,
				    const struct nlattr *types,
				    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, i;

	nla_for_each_nested(a, types, rem) {
		u16 type;

		if (nla_type(a) != VMFENCE_ETHERTYPES_A_TYPE) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "ethertypes: only VMFENCE_ETHERTYPES_A_TYPE entries are allowed");
			return -EINVAL;
		}
		type = nla_get_u16(a);
		/* Below 0x0600 the field is an 802.3 length, not a type. */
		if (type < ETH_P_802_3_MIN) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "ethertypes: an ethertype is 0x0600 or more");
			return -EINVAL;
		}
		for (i = 0; i < b->n_ethertypes; i++) {
			if (b->ethertypes[i] == htons(type)) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "ethertypes: an ethertype is given twice");
				return -EINVAL;
			}
		}
		if (b->n_ethertypes == VMFENCE_ETHERTYPES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "ethertypes: more than VMFENCE_ETHERTYPES_MAX ethertypes");
			return -E2BIG;
		}
		b->ethertypes[b->n_ethertypes++] = htons(type);
	}
	return 0;
}

/* fe80::/64 with the modified EUI-64 interface identifier of @mac. */
static void vmfence_eui64_ll(struct in6_addr *ll, const u8 *mac)
{
	memset(ll, 0, sizeof(*ll));
	ll->s6_addr[0] = 0xfe;
	ll->s6_addr[1] = 0x80;
	ll->s6_addr[8] = mac[0] ^ 0x02;
	ll->s6_addr[9] = mac[1];
	ll->s6_addr[10] = mac[2];
	ll->s6_addr[11] = 0xff;
	ll->s6_addr[12] = 0xfe;
	ll->s6_addr[13] = mac[3];
	ll->s6_addr[14] = mac[4];
	ll->s6_addr[15] = mac[5];
}

void vmfence_binding_free(struct vmfence_binding *b)
{
	if (!b)
		return;
	kfree(b->ip4);
	kfree(b->ip6);
	kfree(b->claims);
	kfree(b);
}

static void vmfence_binding_rcu_cb(struct rcu_head *rcu)
{
	vmfence_binding_free(container_of(rcu, struct vmfence_binding, rcu));
}

void vmfence_binding_free_rcu(struct vmfence_binding *b)
{
	if (b)
		call_rcu(&b->rcu, vmfence_binding_rcu_cb);
}

/*
 * Build a binding from the attributes of a VMFENCE_A_PORT nest (already
 * validated against the port policy).  The seq check against the binding
 * in force is the caller's, under vn->lock.
 */
struct vmfence_binding *vmfence_binding_parse(struct nlattr **tb,
					      struct netlink_ext_ack *extack)
{
	const struct nlattr *addrs = tb[VMFENCE_PORT_A_ADDRS];
	struct vmfence_addr_list l;
	struct vmfence_binding *b;
	u16 n = addrs ? vmfence_addrs_count(addrs) : 0;
	int err;

	if (!tb[VMFENCE_PORT_A_MAC]) {
		NL_SET_ERR_MSG(extack, "mac: VMFENCE_PORT_A_MAC is required");
		return ERR_PTR(-EINVAL);
	}
	if (!is_valid_ether_addr(nla_data(tb[VMFENCE_PORT_A_MAC]))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VMFENCE_PORT_A_MAC],
				    "mac: not a unicast Ethernet address");
		return ERR_PTR(-EINVAL);
	}

	b = kzalloc(sizeof(*b), VMFENCE_GFP);
	if (!b)
		return ERR_PTR(-ENOMEM);
	err = vmfence_addr_list_alloc(&l, n);
	if (err)
		goto out_free_binding;

	ether_addr_copy(b->mac, nla_data(tb[VMFENCE_PORT_A_MAC]));
	vmfence_eui64_ll(&b->ll6, b->mac);
	b->mode = tb[VMFENCE_PORT_A_MODE] ?
		  nla_get_u8(tb[VMFENCE_PORT_A_MODE]) : VMFENCE_MODE_ENFORCE;
	if (tb[VMFENCE_PORT_A_SEQ])
		b->seq = nla_get_u64(tb[VMFENCE_PORT_A_SEQ]);
	if (tb[VMFENCE_PORT_A_LABEL])
		nla_strscpy(b->label, tb[VMFENCE_PORT_A_LABEL],
			    sizeof(b->label));
	if (tb[VMFENCE_PORT_A_FLAGS])
		b->flags = nla_get_u32(tb[VMFENCE_PORT_A_FLAGS]);
	if (tb[VMFENCE_PORT_A_ETHERTYPES]) {
		err = vmfence_ethertypes_parse(b, tb[VMFENCE_PORT_A_ETHERTYPES],
					       extack);
		if (err)
			goto out_free_list;
	}

	if (addrs) {
		err = vmfence_addrs_collect(addrs, &l, VMFENCE_ADDRS_MAX,
					    extack);
		if (err)
			goto out_free_list;
		err = vmfence_binding_set_addrs(b, &l, addrs, extack);
		if (err)
			goto out_free_list;
	}
	vmfence_addr_list_free(&l);
	return b;

out_free_list:
	vmfence_addr_list_free(&l);
out_free_binding:
	vmfence_binding_free(b);
	return ERR_PTR(err);
}

static void vmfence_prefix_set_copy_to(const struct vmfence_prefix_set *set,
				       struct vmfence_prefix *to, u16 *n)
{
	if (!set)
		return;
	memcpy(to, set->ents, set->n * sizeof(*to));
	*n = set->n;
}

/* Remove @p from @ents; returns false if it is not there. */
static bool vmfence_prefix_list_del(struct vmfence_prefix *ents, u16 *n,
				    const struct vmfence_prefix *p)
{
	unsigned int i;

	for (i = 0; i < *n; i++) {
		if (ents[i].plen == p->plen &&
		    !memcmp(ents[i].addr, p->addr, sizeof(p->addr))) {
			ents[i] = ents[--*n];
			return true;
		}
	}
	return false;
}

/*
 * A copy of @old with the one address in @addrs added or removed.
 * Called with vn->lock held (@old is the binding in force).
 */
struct vmfence_binding *vmfence_binding_edit_addr(const struct vmfence_binding *old,
						  const struct nlattr *addrs,
						  bool add,
						  struct netlink_ext_ack *extack)
{
	u16 nold = (old->ip4 ? old->ip4->n : 0) + (old->ip6 ? old->ip6->n : 0);
	struct vmfence_addr_list l, one;
	struct vmfence_binding *b;
	int err;

	if (vmfence_addrs_count(addrs) != 1) {
		NL_SET_ERR_MSG_ATTR(extack, addrs,
				    "addrs: give exactly one address to add or delete");
		return ERR_PTR(-EINVAL);
	}
	b = kmemdup(old, sizeof(*old), VMFENCE_GFP);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->ip4 = NULL;
	b->ip6 = NULL;
	b->claims = NULL;	/* @old's: its port makes this one's */
	err = vmfence_addr_list_alloc(&l, nold + 1);
	if (err)
		goto out_free_binding;
	err = vmfence_addr_list_alloc(&one, 1);
	if (err)
		goto out_free_list;
	vmfence_prefix_set_copy_to(old->ip4, l.v4, &l.n4);
	vmfence_prefix_set_copy_to(old->ip6, l.v6, &l.n6);

	err = vmfence_addrs_collect(addrs, &one, 1, extack);
	if (err)
		goto out_free_one;
	if (add) {
		err = -E2BIG;
		if (nold >= VMFENCE_ADDRS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, addrs,
					    "addrs: the port already has VMFENCE_ADDRS_MAX addresses");
			goto out_free_one;
		}
		if (one.n4)
			l.v4[l.n4++] = one.v4[0];
		else
			l.v6[l.n6++] = one.v6[0];
	} else if (one.n4 ? !vmfence_prefix_list_del(l.v4, &l.n4, one.v4) :
			    !vmfence_prefix_list_del(l.v6, &l.n6, one.v6)) {
		NL_SET_ERR_MSG_ATTR(extack, addrs,
				    "addrs: the address is not bound to this port");
		err = -ENOENT;
		goto out_free_one;
	}

	err = vmfence_binding_set_addrs(b, &l, addrs, extack);
	if (err == -EINVAL) {
		NL_SET_ERR_MSG_ATTR(extack, addrs,
				    "addrs: the address is already bound to this port");
		err = -EEXIST;
	}
	if (err)
		goto out_free_one;
	vmfence_addr_list_free(&one);
	vmfence_addr_list_free(&l);
	return b;

out_free_one:
	vmfence_addr_list_free(&one);
out_free_list:
	vmfence_addr_list_free(&l);
out_free_binding:
	vmfence_binding_free(b);
	return ERR_PTR(err);
}
