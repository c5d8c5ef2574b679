// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: VMFENCE_CMD_APPLY, a whole configuration in one transaction.
 *
 * Three phases:
 *  1. stage: without the lock, resolve every device and build every
 *     binding; any bad entry refuses the document and nothing was touched;
 *  2. check and prepare, under vn->lock: refuse stale entries, then do
 *     every step that can fail (creating ports and bridge entries); if one
 *     fails, undo the ones before it, which nobody but the packet path has
 *     seen, and report;
 *  3. commit, still under vn->lock: the steps that cannot fail (replacing
 *     bindings, setting bridges, removing what a --replace leaves out).
 * So either the whole document is in force or nothing changed.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "alloc.h"
#include "binding.h"
#include "bridge.h"
#include "netlink.h"
#include "netns.h"
#include "port.h"
#include "prefix_set.h"

struct vmfence_staged_port {
	struct net_device *dev;			/* referenced */
	struct vmfence_binding *b;		/* ours until committed */
	const struct nlattr *nest;		/* for error messages */
	bool has_seq;
	bool created;				/* phase 2 made the port */
	bool prepared;				/* phase 2 prepared ->b */
	bool unchanged;				/* identical to what is in force */
};

struct vmfence_staged_bridge {
	struct net_device *dev;			/* referenced */
	const struct nlattr *nest;		/* for error messages */
	u8 unbound;
	bool created;
};

struct vmfence_apply {
	struct xarray seen;			/* ifindexes staged, for dups */
	struct vmfence_staged_port *ports;
	struct vmfence_staged_bridge *bridges;
	unsigned int nports, nbridges;
	bool replace;
};

/* How many top-level attributes of @type the request carries. */
static unsigned int vmfence_apply_count(const struct genl_info *info, int type)
{
	const struct nlattr *a;
	unsigned int n = 0;
	int rem;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(a) == type)
			n++;
	return n;
}

static void vmfence_apply_free(struct vmfence_apply *ap)
{
	unsigned int i;

	for (i = 0; i < ap->nports; i++) {
		vmfence_binding_free(ap->ports[i].b);
		dev_put(ap->ports[i].dev);
	}
	for (i = 0; i < ap->nbridges; i++)
		dev_put(ap->bridges[i].dev);
	kvfree(ap->ports);
	kvfree(ap->bridges);
	xa_destroy(&ap->seen);
}

static bool vmfence_prefix_set_equal(const struct vmfence_prefix_set *a,
				     const struct vmfence_prefix_set *b)
{
	if (!a || !b)
		return a == b;
	return a->n == b->n &&
	       !memcmp(a->ents, b->ents, a->n * sizeof(a->ents[0]));
}

/* Same policy?  The seq only counts when the entry gives one. */
static bool vmfence_binding_equal(const struct vmfence_binding *a,
				  const struct vmfence_binding *b,
				  bool cmp_seq)
{
	return ether_addr_equal(a->mac, b->mac) && a->mode == b->mode &&
	       a->flags == b->flags && a->n_ethertypes == b->n_ethertypes &&
	       !memcmp(a->ethertypes, b->ethertypes,
		       a->n_ethertypes * sizeof(a->ethertypes[0])) &&
	       !strcmp(a->label, b->label) && (!cmp_seq || a->seq == b->seq) &&
	       vmfence_prefix_set_equal(a->ip4, b->ip4) &&
	       vmfence_prefix_set_equal(a->ip6, b->ip6);
}

/* Phase 1 for one port entry. */
static int vmfence_stage_port(struct net *net, struct vmfence_apply *ap,
			      const struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	struct vmfence_staged_port *sp = &ap->ports[ap->nports];
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, VMFENCE_PORT_A_MAX, nest,
			       vmfence_port_policy, extack);
	if (err)
		return err;
	sp->dev = vmfence_nl_port_dev(net, tb, nest, extack);
	if (IS_ERR(sp->dev)) {
		err = PTR_ERR(sp->dev);
		sp->dev = NULL;
		return err;
	}
	ap->nports++;	/* from here on, vmfence_apply_free() cleans up */
	sp->nest = nest;
	if (sp->dev->type != ARPHRD_ETHER || netif_is_bridge_master(sp->dev)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port: only Ethernet devices that can be bridge ports are bound, not bridges");
		return -EOPNOTSUPP;
	}
	err = xa_insert(&ap->seen, sp->dev->ifindex, sp, VMFENCE_GFP);
	if (err) {
		if (err == -EBUSY) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "port: the device is given twice");
			err = -EINVAL;
		}
		return err;
	}
	sp->b = vmfence_binding_parse(tb, extack);
	if (IS_ERR(sp->b)) {
		err = PTR_ERR(sp->b);
		sp->b = NULL;
		/* Point into the entry if the parser named no attribute. */
		if (!extack->bad_attr)
			NL_SET_BAD_ATTR(extack, nest);
		return err;
	}
	sp->has_seq = tb[VMFENCE_PORT_A_SEQ];
	return 0;
}

/* Phase 1 for one bridge entry. */
static int vmfence_stage_bridge(struct net *net, struct vmfence_apply *ap,
				const struct nlattr *nest,
				struct netlink_ext_ack *extack)
{
	struct vmfence_staged_bridge *sb = &ap->bridges[ap->nbridges];
	struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	unsigned int i;

	sb->dev = vmfence_nl_bridge_dev(net, nest, tb, extack);
	if (IS_ERR(sb->dev)) {
		int err = PTR_ERR(sb->dev);

		sb->dev = NULL;
		return err;
	}
	ap->nbridges++;
	sb->nest = nest;
	for (i = 0; i + 1 < ap->nbridges; i++) {
		if (ap->bridges[i].dev == sb->dev) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "bridge: the bridge is given twice");
			return -EINVAL;
		}
	}
	if (!tb[VMFENCE_BRIDGE_A_UNBOUND]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "unbound: VMFENCE_BRIDGE_A_UNBOUND is required");
		return -EINVAL;
	}
	sb->unbound = nla_get_u8(tb[VMFENCE_BRIDGE_A_UNBOUND]);
	return 0;
}

/*
 * Entries are repeated top-level attributes, already validated against
 * the family policy (which validates every one, not only the last).
 */
static int vmfence_apply_stage(struct net *net, struct vmfence_apply *ap,
			       struct genl_info *info)
{
	unsigned int np = vmfence_apply_count(info, VMFENCE_A_PORT);
	unsigned int nb = vmfence_apply_count(info, VMFENCE_A_BRIDGE);
	struct netlink_ext_ack *extack = info->extack;
	const struct nlattr *a;
	int rem, err;

	if (np > VMFENCE_APPLY_PORTS_MAX) {
		NL_SET_ERR_MSG(extack,
			       "port: more than VMFENCE_APPLY_PORTS_MAX entries");
		return -E2BIG;
	}
	if (np) {
		ap->ports = kvcalloc(np, sizeof(*ap->ports), VMFENCE_GFP);
		if (!ap->ports)
			return -ENOMEM;
	}
	if (nb) {
		ap->bridges = kvcalloc(nb, sizeof(*ap->bridges), VMFENCE_GFP);
		if (!ap->bridges)
			return -ENOMEM;
	}

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(a)) {
		case VMFENCE_A_PORT:
			err = vmfence_stage_port(net, ap, a, extack);
			break;
		case VMFENCE_A_BRIDGE:
			err = vmfence_stage_bridge(net, ap, a, extack);
			break;
		default:
			continue;
		}
		if (err)
			return err;
		cond_resched();
	}
	return 0;
}

/* Undo phase 2 after a failure: nothing but the packet path saw it. */
static void vmfence_apply_undo(struct vmfence_net *vn, struct vmfence_apply *ap)
{
	struct vmfence_port *port;
	struct vmfence_bridge *br;
	unsigned int i;

	for (i = 0; i < ap->nports; i++) {
		if (ap->ports[i].prepared) {
			vmfence_port_unprepare(vn, ap->ports[i].b);
			/* The packet path may have seen its claims. */
			vmfence_binding_free_rcu(ap->ports[i].b);
			ap->ports[i].b = NULL;
		}
		if (!ap->ports[i].created)
			continue;
		port = vmfence_port_find(vn, ap->ports[i].dev);
		/*
		 * The packet path may be reading the binding: it goes with
		 * the port, after a grace period.
		 */
		ap->ports[i].b = NULL;
		vmfence_port_remove(vn, port);
	}
	for (i = 0; i < ap->nbridges; i++) {
		if (!ap->bridges[i].created)
			continue;
		br = vmfence_bridge_find(vn, ap->bridges[i].dev);
		vmfence_bridge_remove(vn, br);
	}
}

/* Phase 2, with vn->lock held. */
static int vmfence_apply_prepare(struct vmfence_net *vn,
				 struct vmfence_apply *ap,
				 struct netlink_ext_ack *extack)
{
	struct vmfence_port *port;
	struct vmfence_bridge *br;
	unsigned int i;
	int err;

	/* Stale entries first: they fail the document before any change. */
	for (i = 0; i < ap->nports; i++) {
		struct vmfence_staged_port *sp = &ap->ports[i];
		const struct vmfence_binding *old;

		port = vmfence_port_find(vn, sp->dev);
		if (!port)
			continue;
		old = vmfence_deref(vn, port->binding);
		if (vmfence_binding_equal(sp->b, old, sp->has_seq)) {
			sp->unchanged = true;
			continue;
		}
		if (!sp->has_seq) {
			sp->b->seq = old->seq;
		} else if (sp->b->seq <= old->seq) {
			NL_SET_ERR_MSG_ATTR(extack, sp->nest,
					    "seq: not newer than the seq in force, nothing changed");
			return -ESTALE;
		}
	}

	for (i = 0; i < ap->nports; i++) {
		struct vmfence_staged_port *sp = &ap->ports[i];

		port = vmfence_port_find(vn, sp->dev);
		if (port) {
			if (sp->unchanged)
				continue;
			err = vmfence_port_prepare(vn, port, sp->b);
			if (err) {
				NL_SET_BAD_ATTR(extack, sp->nest);
				goto out_undo;
			}
			sp->prepared = true;
			continue;
		}
		port = vmfence_port_create(vn, sp->dev, sp->b, extack);
		if (IS_ERR(port)) {
			err = PTR_ERR(port);
			NL_SET_BAD_ATTR(extack, sp->nest);
			goto out_undo;
		}
		sp->created = true;
	}
	for (i = 0; i < ap->nbridges; i++) {
		struct vmfence_staged_bridge *sb = &ap->bridges[i];

		if (vmfence_bridge_find(vn, sb->dev))
			continue;
		br = vmfence_bridge_get_or_create(vn, sb->dev);
		if (IS_ERR(br)) {
			err = PTR_ERR(br);
			NL_SET_BAD_ATTR(extack, sb->nest);
			goto out_undo;
		}
		sb->created = true;
	}
	return 0;

out_undo:
	vmfence_apply_undo(vn, ap);
	if (err == -ENODEV)
		NL_SET_ERR_MSG(extack, "apply: a device went away while applying, nothing changed");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(extack, "apply: past ports_max or bridges_max, nothing changed");
	else if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "apply: out of memory (cgroup limit?), nothing changed");
	else
		NL_SET_ERR_MSG(extack, "apply: out of resources, nothing changed");
	return err;
}

/* Phase 3, with vn->lock held: nothing here can fail. */
static void vmfence_apply_commit(struct vmfence_net *vn,
				 struct vmfence_apply *ap)
{
	struct vmfence_port *port;
	struct vmfence_bridge *br;
	unsigned long idx;
	unsigned int i;

	u64 mark = ++vn->apply_mark;

	/*
	 * Every port and bridge of the document gets this apply's mark.
	 * 64 bits: it never wraps around to the 0 a port made since carries,
	 * which --replace would then keep.
	 */
	for (i = 0; i < ap->nports; i++) {
		struct vmfence_staged_port *sp = &ap->ports[i];

		port = vmfence_port_find(vn, sp->dev);
		port->apply_mark = mark;
		if (sp->created) {
			sp->b = NULL;	/* the port's now */
			continue;
		}
		if (sp->unchanged)
			continue;
		vmfence_port_publish(vn, port, sp->b);
		sp->b = NULL;
	}
	for (i = 0; i < ap->nbridges; i++) {
		br = vmfence_bridge_find(vn, ap->bridges[i].dev);
		br->apply_mark = mark;
		WRITE_ONCE(br->unbound, ap->bridges[i].unbound);
	}
	vn->gen++;
	if (!ap->replace)
		return;

	/* --replace: what the document did not mark goes. */
	xa_for_each(&vn->ports_by_ifindex, idx, port) {
		if (port->apply_mark != mark)
			vmfence_port_remove(vn, port);
		cond_resched();
	}
	xa_for_each(&vn->bridges, idx, br)
		if (br->apply_mark != mark)
			vmfence_bridge_remove(vn, br);
}

int vmfence_nl_apply(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct vmfence_apply ap = {};
	int err;

	xa_init(&ap.seen);
	if (info->attrs[VMFENCE_A_APPLY_FLAGS])
		ap.replace = nla_get_u32(info->attrs[VMFENCE_A_APPLY_FLAGS]) &
			     VMFENCE_APPLY_F_REPLACE;
	err = vmfence_apply_stage(genl_info_net(info), &ap, info);
	if (err == -ENOMEM && !info->extack->_msg)
		NL_SET_ERR_MSG(info->extack,
			       "apply: out of memory (cgroup limit?), nothing changed");
	if (err)
		goto out_free;

	mutex_lock(&vn->lock);
	err = vmfence_apply_prepare(vn, &ap, info->extack);
	if (!err)
		vmfence_apply_commit(vn, &ap);
	mutex_unlock(&vn->lock);
out_free:
	vmfence_apply_free(&ap);
	return err;
}
