// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the generic netlink family, vmfence's configuration interface.
 *
 * Commands and attribute trees are documented in uapi/linux/vmfence.h.
 * Policies are strict: unknown attributes, wrong lengths and wrong types
 * are refused by the core, and everything the policies cannot express is
 * checked here, each refusal with an extended-ACK message that begins with
 * the name of the attribute at fault.  A command either applies whole or
 * changes nothing.
 *
 * Handlers that change state take vn->lock; they build what they publish
 * (a new binding) before taking it, so they hold it briefly.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "binding.h"
#include "bridge.h"
#include "netlink.h"
#include "netns.h"
#include "port.h"
#include "prefix_set.h"
#include "stats.h"
#include "testing.h"

const struct nla_policy vmfence_addr_policy[VMFENCE_ADDR_A_MAX + 1] = {
	[VMFENCE_ADDR_A_IN] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VMFENCE_ADDR_A_IN6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VMFENCE_ADDR_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy vmfence_addrs_policy[VMFENCE_ADDRS_A_MAX + 1] = {
	[VMFENCE_ADDRS_A_ADDR] = NLA_POLICY_NESTED(vmfence_addr_policy),
};

static const struct nla_policy
vmfence_ethertypes_policy[VMFENCE_ETHERTYPES_A_MAX + 1] = {
	[VMFENCE_ETHERTYPES_A_TYPE] = { .type = NLA_U16 },
};

const struct nla_policy vmfence_port_policy[VMFENCE_PORT_A_MAX + 1] = {
	[VMFENCE_PORT_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[VMFENCE_PORT_A_IFNAME] = { .type = NLA_NUL_STRING,
				    .len = IFNAMSIZ - 1 },
	[VMFENCE_PORT_A_MAC] = NLA_POLICY_ETH_ADDR,
	[VMFENCE_PORT_A_MODE] = NLA_POLICY_RANGE(NLA_U8, VMFENCE_MODE_ENFORCE,
						 VMFENCE_MODE_MAX),
	[VMFENCE_PORT_A_LABEL] = { .type = NLA_NUL_STRING,
				   .len = VMFENCE_LABEL_MAX - 1 },
	[VMFENCE_PORT_A_SEQ] = { .type = NLA_U64 },
	[VMFENCE_PORT_A_ADDRS] = NLA_POLICY_NESTED(vmfence_addrs_policy),
	[VMFENCE_PORT_A_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						 __VMFENCE_PORT_F_ALL),
	[VMFENCE_PORT_A_ETHERTYPES] =
		NLA_POLICY_NESTED(vmfence_ethertypes_policy),
};

const struct nla_policy vmfence_bridge_policy[VMFENCE_BRIDGE_A_MAX + 1] = {
	[VMFENCE_BRIDGE_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[VMFENCE_BRIDGE_A_IFNAME] = { .type = NLA_NUL_STRING,
				      .len = IFNAMSIZ - 1 },
	[VMFENCE_BRIDGE_A_UNBOUND] = NLA_POLICY_RANGE(NLA_U8,
						      VMFENCE_UNBOUND_PASS,
						      VMFENCE_UNBOUND_MAX),
};

/*
 * Each command's own policy names what the command reads; any other
 * top-level attribute is refused by name (NLA_REJECT, with the offset of
 * the attribute), never parsed and ignored: a PORT_SET that carries
 * APPLY_FLAGS is a mistake of its sender, not a no-op.
 */
#define VMFENCE_NOT_TAKEN(what)						\
	{ .type = NLA_REJECT,						\
	  .reject_message = what ": not an attribute of this command" }
#define VMFENCE_KERNEL_ONLY(what)					\
	{ .type = NLA_REJECT,						\
	  .reject_message = what ": sent by the kernel only" }

/* PORT_SET, PORT_DEL, PORT_GET, PORT_ADDR_ADD/DEL, STATS_GET/RESET */
static const struct nla_policy vmfence_port_cmd_policy[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = NLA_POLICY_NESTED(vmfence_port_policy),
	[VMFENCE_A_STATS] = VMFENCE_KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = VMFENCE_NOT_TAKEN("bridge"),
	[VMFENCE_A_APPLY_FLAGS] = VMFENCE_NOT_TAKEN("apply_flags"),
	[VMFENCE_A_EVENT] = VMFENCE_KERNEL_ONLY("event"),
};

/* BRIDGE_SET, BRIDGE_GET */
static const struct nla_policy vmfence_bridge_cmd_policy[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = VMFENCE_NOT_TAKEN("port"),
	[VMFENCE_A_STATS] = VMFENCE_KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = NLA_POLICY_NESTED(vmfence_bridge_policy),
	[VMFENCE_A_APPLY_FLAGS] = VMFENCE_NOT_TAKEN("apply_flags"),
	[VMFENCE_A_EVENT] = VMFENCE_KERNEL_ONLY("event"),
};

static const struct nla_policy vmfence_apply_cmd_policy[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT] = NLA_POLICY_NESTED(vmfence_port_policy),
	[VMFENCE_A_STATS] = VMFENCE_KERNEL_ONLY("stats"),
	[VMFENCE_A_BRIDGE] = NLA_POLICY_NESTED(vmfence_bridge_policy),
	[VMFENCE_A_APPLY_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __VMFENCE_APPLY_F_ALL),
	[VMFENCE_A_EVENT] = VMFENCE_KERNEL_ONLY("event"),
};

/* ---- requests ---- */

static int vmfence_nl_parse_port(struct nlattr **attrs, struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	if (!attrs[VMFENCE_A_PORT]) {
		NL_SET_ERR_MSG(extack, "port: VMFENCE_A_PORT is required");
		return -EINVAL;
	}
	return nla_parse_nested(tb, VMFENCE_PORT_A_MAX, attrs[VMFENCE_A_PORT],
				vmfence_port_policy, extack);
}

/*
 * The device a port nest (@nest, parsed into @tb) names, with a reference
 * the caller drops.
 */
struct net_device *vmfence_nl_port_dev(struct net *net, struct nlattr **tb,
				       const struct nlattr *nest,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = tb[VMFENCE_PORT_A_IFINDEX];
	struct nlattr *ifname = tb[VMFENCE_PORT_A_IFNAME];
	struct net_device *dev;

	if (!ifindex == !ifname) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "port: give exactly one of VMFENCE_PORT_A_IFINDEX and VMFENCE_PORT_A_IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (ifindex)
		dev = dev_get_by_index(net, nla_get_u32(ifindex));
	else
		dev = dev_get_by_name(net, nla_data(ifname));
	if (!dev) {
		if (ifindex)
			NL_SET_ERR_MSG_ATTR(extack, ifindex,
					    "ifindex: no such device");
		else
			NL_SET_ERR_MSG_ATTR(extack, ifname,
					    "ifname: no such device");
		return ERR_PTR(-ENODEV);
	}
	vmfence_test_cmd_delay();
	return dev;
}

/*
 * Parse the port nest and find its device and, with vn->lock held by the
 * caller, its port.  Returns the device (referenced) or an error;
 * *portp is NULL when the device is not bound.
 */
static struct net_device *vmfence_nl_port(struct vmfence_net *vn,
					  struct genl_info *info,
					  struct nlattr **tb,
					  struct vmfence_port **portp)
{
	struct net_device *dev;
	int err;

	err = vmfence_nl_parse_port(info->attrs, tb, info->extack);
	if (err)
		return ERR_PTR(err);
	dev = vmfence_nl_port_dev(genl_info_net(info), tb,
				  info->attrs[VMFENCE_A_PORT], info->extack);
	if (!IS_ERR(dev) && portp)
		*portp = vmfence_port_find(vn, dev);
	return dev;
}

static int vmfence_nl_not_bound(struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_ATTR(extack, tb[VMFENCE_PORT_A_IFINDEX] ?:
			    tb[VMFENCE_PORT_A_IFNAME],
			    "port: the device is not bound");
	return -ENOENT;
}

/* ---- replies ---- */

/* Upper bound of a port message, for a binding with @naddrs addresses. */
static size_t vmfence_nl_port_size(unsigned int naddrs)
{
	return nla_total_size(0) +			/* VMFENCE_A_PORT */
	       nla_total_size(sizeof(u32)) +		/* IFINDEX */
	       nla_total_size(IFNAMSIZ) +		/* IFNAME */
	       nla_total_size(ETH_ALEN) +		/* MAC */
	       nla_total_size(sizeof(u8)) +		/* MODE */
	       nla_total_size(VMFENCE_LABEL_MAX) +	/* LABEL */
	       nla_total_size_64bit(sizeof(u64)) +	/* SEQ */
	       nla_total_size(sizeof(u32)) +		/* FLAGS */
	       nla_total_size(0) +			/* ETHERTYPES */
	       VMFENCE_ETHERTYPES_MAX * nla_total_size(sizeof(u16)) +
	       nla_total_size(0) +			/* ADDRS */
	       naddrs * (nla_total_size(0) +		/* ADDR */
			 nla_total_size(16) +		/* IN6 */
			 nla_total_size(sizeof(u8)));	/* PREFIXLEN */
}

static size_t vmfence_nl_stats_size(void)
{
	return nla_total_size(0) +			/* VMFENCE_A_STATS */
	       nla_total_size_64bit(sizeof(u64)) +	/* PASSED */
	       nla_total_size(0) +			/* DROPS */
	       VMFENCE_DROP_MAX * nla_total_size_64bit(sizeof(u64));
}

/* The identity of a port: ifindex, name and, if any, label. */
static int vmfence_nl_put_port_id(struct sk_buff *skb,
				  const struct vmfence_port *port,
				  const struct vmfence_binding *b)
{
	char name[IFNAMSIZ];

	/* Renames happen under RTNL, not vn->lock: copy, don't point. */
	strscpy(name, port->dev->name, sizeof(name));
	if (nla_put_u32(skb, VMFENCE_PORT_A_IFINDEX, port->dev->ifindex) ||
	    nla_put_string(skb, VMFENCE_PORT_A_IFNAME, name))
		return -EMSGSIZE;
	if (b->label[0] &&
	    nla_put_string(skb, VMFENCE_PORT_A_LABEL, b->label))
		return -EMSGSIZE;
	return 0;
}

static int vmfence_nl_put_addrs(struct sk_buff *skb,
				const struct vmfence_prefix_set *set)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++) {
		const struct vmfence_prefix *p = &set->ents[i];
		struct nlattr *nest;

		nest = nla_nest_start(skb, VMFENCE_ADDRS_A_ADDR);
		if (!nest ||
		    nla_put(skb, set->alen == 4 ? VMFENCE_ADDR_A_IN :
			    VMFENCE_ADDR_A_IN6, set->alen, p->addr) ||
		    nla_put_u8(skb, VMFENCE_ADDR_A_PREFIXLEN, p->plen))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int vmfence_nl_put_ethertypes(struct sk_buff *skb,
				     const struct vmfence_binding *b)
{
	struct nlattr *nest;
	int i;

	if (!b->n_ethertypes)
		return 0;
	nest = nla_nest_start(skb, VMFENCE_PORT_A_ETHERTYPES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < b->n_ethertypes; i++)
		if (nla_put_u16(skb, VMFENCE_ETHERTYPES_A_TYPE,
				ntohs(b->ethertypes[i])))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int vmfence_nl_fill_port(struct sk_buff *skb, struct vmfence_net *vn,
				const struct vmfence_port *port, u32 portid,
				u32 seq, int flags, struct netlink_callback *cb)
{
	const struct vmfence_binding *b = vmfence_deref(vn, port->binding);
	struct nlattr *nest, *addrs;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vmfence_genl_family, flags,
			  VMFENCE_CMD_PORT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, VMFENCE_A_PORT);
	if (!nest || vmfence_nl_put_port_id(skb, port, b) ||
	    nla_put(skb, VMFENCE_PORT_A_MAC, ETH_ALEN, b->mac) ||
	    nla_put_u8(skb, VMFENCE_PORT_A_MODE, b->mode) ||
	    nla_put_u64_64bit(skb, VMFENCE_PORT_A_SEQ, b->seq,
			      VMFENCE_PORT_A_PAD) ||
	    nla_put_u32(skb, VMFENCE_PORT_A_FLAGS, b->flags) ||
	    vmfence_nl_put_ethertypes(skb, b))
		goto out_cancel;
	addrs = nla_nest_start(skb, VMFENCE_PORT_A_ADDRS);
	if (!addrs || vmfence_nl_put_addrs(skb, b->ip4) ||
	    vmfence_nl_put_addrs(skb, b->ip6))
		goto out_cancel;
	nla_nest_end(skb, addrs);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

out_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int vmfence_nl_put_stats(struct sk_buff *skb,
				const struct vmfence_stats *stats)
{
	struct vmfence_stats_snapshot s;
	struct nlattr *nest, *drops;
	int r;

	vmfence_stats_read(stats, &s);
	nest = nla_nest_start(skb, VMFENCE_A_STATS);
	if (!nest || nla_put_u64_64bit(skb, VMFENCE_STATS_A_PASSED, s.passed,
				       VMFENCE_STATS_A_PAD))
		return -EMSGSIZE;
	drops = nla_nest_start(skb, VMFENCE_STATS_A_DROPS);
	if (!drops)
		return -EMSGSIZE;
	for (r = 1; r < __VMFENCE_DROP_LAST; r++)
		if (nla_put_u64_64bit(skb, r, s.drops[r], VMFENCE_DROP_UNSPEC))
			return -EMSGSIZE;
	nla_nest_end(skb, drops);
	nla_nest_end(skb, nest);
	return 0;
}

/* @port NULL: the namespace's totals. */
static int vmfence_nl_fill_stats(struct sk_buff *skb, struct vmfence_net *vn,
				 const struct vmfence_port *port, u32 portid,
				 u32 seq, int flags, struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vmfence_genl_family, flags,
			  VMFENCE_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (port) {
		const struct vmfence_binding *b;

		b = vmfence_deref(vn, port->binding);
		nest = nla_nest_start(skb, VMFENCE_A_PORT);
		if (!nest || vmfence_nl_put_port_id(skb, port, b))
			goto out_cancel;
		nla_nest_end(skb, nest);
	}
	if (vmfence_nl_put_stats(skb, port ? &port->stats : &vn->stats))
		goto out_cancel;
	genlmsg_end(skb, hdr);
	return 0;

out_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ---- commands ---- */

static int vmfence_nl_port_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct vmfence_binding *b, *old;
	struct vmfence_port *port;
	struct net_device *dev;
	int err = 0;

	err = vmfence_nl_parse_port(info->attrs, tb, extack);
	if (err)
		return err;
	dev = vmfence_nl_port_dev(genl_info_net(info), tb,
				  info->attrs[VMFENCE_A_PORT], extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (dev->type != ARPHRD_ETHER || netif_is_bridge_master(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VMFENCE_PORT_A_IFINDEX] ?:
				    tb[VMFENCE_PORT_A_IFNAME],
				    "port: only Ethernet devices that can be bridge ports are bound, not bridges");
		err = -EOPNOTSUPP;
		goto out_put;
	}
	b = vmfence_binding_parse(tb, extack);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		goto out_put;
	}

	mutex_lock(&vn->lock);
	port = vmfence_port_find(vn, dev);
	if (!port) {
		port = vmfence_port_create(vn, dev, b, extack);
		if (IS_ERR(port))
			err = PTR_ERR(port);
		else
			b = NULL;
		goto out_unlock;
	}
	old = vmfence_deref(vn, port->binding);
	if (!tb[VMFENCE_PORT_A_SEQ]) {
		b->seq = old->seq;
	} else if (b->seq <= old->seq) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VMFENCE_PORT_A_SEQ],
				    "seq: not newer than the seq in force, nothing changed");
		err = -ESTALE;
		goto out_unlock;
	}
	err = vmfence_port_prepare(vn, port, b);
	if (err)
		goto out_unlock;
	vmfence_port_publish(vn, port, b);
	b = NULL;
out_unlock:
	mutex_unlock(&vn->lock);
	vmfence_binding_free(b);
out_put:
	dev_put(dev);
	if (err == -ENOMEM && !extack->_msg)
		NL_SET_ERR_MSG(extack, "port: out of memory (cgroup limit?), nothing changed");
	return err;
}

static int vmfence_nl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct vmfence_port *port = NULL;
	struct net_device *dev;
	int err = 0;

	mutex_lock(&vn->lock);
	dev = vmfence_nl_port(vn, info, tb, &port);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	if (port)
		vmfence_port_remove(vn, port);
	else
		err = vmfence_nl_not_bound(tb, info->extack);
	dev_put(dev);
out_unlock:
	mutex_unlock(&vn->lock);
	return err;
}

static int vmfence_nl_port_addr(struct genl_info *info, bool add)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct vmfence_port *port = NULL;
	struct vmfence_binding *b;
	struct net_device *dev;
	int err = 0;

	mutex_lock(&vn->lock);
	dev = vmfence_nl_port(vn, info, tb, &port);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	if (!port) {
		err = vmfence_nl_not_bound(tb, info->extack);
		goto out_put;
	}
	if (!tb[VMFENCE_PORT_A_ADDRS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMFENCE_A_PORT],
				    "addrs: VMFENCE_PORT_A_ADDRS is required");
		err = -EINVAL;
		goto out_put;
	}
	b = vmfence_binding_edit_addr(vmfence_deref(vn, port->binding),
				      tb[VMFENCE_PORT_A_ADDRS], add,
				      info->extack);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		goto out_put;
	}
	err = vmfence_port_prepare(vn, port, b);
	if (err) {
		vmfence_binding_free(b);
		goto out_put;
	}
	vmfence_port_publish(vn, port, b);
out_put:
	dev_put(dev);
out_unlock:
	mutex_unlock(&vn->lock);
	if (err == -ENOMEM && !info->extack->_msg)
		NL_SET_ERR_MSG(info->extack,
			       "addrs: out of memory (cgroup limit?), nothing changed");
	return err;
}

static int vmfence_nl_port_addr_add(struct sk_buff *skb,
				    struct genl_info *info)
{
	return vmfence_nl_port_addr(info, true);
}

static int vmfence_nl_port_addr_del(struct sk_buff *skb,
				    struct genl_info *info)
{
	return vmfence_nl_port_addr(info, false);
}

/* PORT_GET and STATS_GET for one port. */
static int vmfence_nl_get_one(struct genl_info *info, bool stats)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct vmfence_port *port = NULL;
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	mutex_lock(&vn->lock);
	dev = vmfence_nl_port(vn, info, tb, &port);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	if (!port) {
		err = vmfence_nl_not_bound(tb, info->extack);
		goto out_put;
	}
	msg = genlmsg_new(stats ? vmfence_nl_port_size(0) +
			  vmfence_nl_stats_size() :
			  vmfence_nl_port_size(VMFENCE_ADDRS_MAX), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}
	if (stats)
		err = vmfence_nl_fill_stats(msg, vn, port, info->snd_portid,
					    info->snd_seq, 0, NULL);
	else
		err = vmfence_nl_fill_port(msg, vn, port, info->snd_portid,
					   info->snd_seq, 0, NULL);
	if (err) {
		nlmsg_free(msg);
		goto out_put;
	}
	err = genlmsg_reply(msg, info);
out_put:
	dev_put(dev);
out_unlock:
	mutex_unlock(&vn->lock);
	return err;
}

static int vmfence_nl_port_get(struct sk_buff *skb, struct genl_info *info)
{
	return vmfence_nl_get_one(info, false);
}

static int vmfence_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	return vmfence_nl_get_one(info, true);
}

/* A port with every address must fit in one dump message. */
static int vmfence_nl_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = NLMSG_ALIGN(GENL_HDRLEN) + NLMSG_HDRLEN +
			     vmfence_nl_port_size(VMFENCE_ADDRS_MAX);
	return 0;
}

/*
 * Dumps walk the ports in ifindex order; cb->args[0] is the next ifindex
 * and, for stats, cb->args[1] says the totals were sent.  cb->seq follows
 * vn->gen, so a dump that spans a change is flagged NLM_F_DUMP_INTR.
 */
static int vmfence_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
			   bool stats)
{
	struct vmfence_net *vn = vmfence_pernet(sock_net(skb->sk));
	u32 portid = NETLINK_CB(cb->skb).portid;
	u32 seq = cb->nlh->nlmsg_seq;
	struct vmfence_port *port;
	unsigned long idx;
	int err = 0;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	if (stats && !cb->args[1]) {
		err = vmfence_nl_fill_stats(skb, vn, NULL, portid, seq,
					    NLM_F_MULTI, cb);
		if (err)
			goto out_unlock;
		cb->args[1] = 1;
	}
	xa_for_each_start(&vn->ports_by_ifindex, idx, port, cb->args[0]) {
		if (stats)
			err = vmfence_nl_fill_stats(skb, vn, port, portid, seq,
						    NLM_F_MULTI, cb);
		else
			err = vmfence_nl_fill_port(skb, vn, port, portid, seq,
						   NLM_F_MULTI, cb);
		if (err)
			break;
		cb->args[0] = idx + 1;
	}
out_unlock:
	mutex_unlock(&vn->lock);
	/* Out of room: send what we have, continue in the next message. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static int vmfence_nl_port_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	return vmfence_nl_dump(skb, cb, false);
}

static int vmfence_nl_stats_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	return vmfence_nl_dump(skb, cb, true);
}

static int vmfence_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	struct vmfence_port *port = NULL;
	struct net_device *dev;
	unsigned long idx;
	int err = 0;

	mutex_lock(&vn->lock);
	if (!info->attrs[VMFENCE_A_PORT]) {
		struct vmfence_bridge *br;

		xa_for_each(&vn->ports_by_ifindex, idx, port)
			vmfence_stats_reset(&port->stats);
		xa_for_each(&vn->bridges, idx, br)
			vmfence_stats_reset(&br->stats);
		vmfence_stats_reset(&vn->stats);
		goto out_unlock;
	}
	dev = vmfence_nl_port(vn, info, tb, &port);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	if (port)
		vmfence_stats_reset(&port->stats);
	else
		err = vmfence_nl_not_bound(tb, info->extack);
	dev_put(dev);
out_unlock:
	mutex_unlock(&vn->lock);
	return err;
}

/* ---- bridges ---- */

/*
 * The bridge a bridge nest names, with a reference the caller drops;
 * @nest is parsed into @tb.
 */
struct net_device *vmfence_nl_bridge_dev(struct net *net,
					 const struct nlattr *nest,
					 struct nlattr **tb,
					 struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex, *ifname;
	struct net_device *dev;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "bridge: VMFENCE_A_BRIDGE is required");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, VMFENCE_BRIDGE_A_MAX, nest,
			       vmfence_bridge_policy, extack);
	if (err)
		return ERR_PTR(err);
	ifindex = tb[VMFENCE_BRIDGE_A_IFINDEX];
	ifname = tb[VMFENCE_BRIDGE_A_IFNAME];
	if (!ifindex == !ifname) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "bridge: give exactly one of VMFENCE_BRIDGE_A_IFINDEX and VMFENCE_BRIDGE_A_IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (ifindex)
		dev = dev_get_by_index(net, nla_get_u32(ifindex));
	else
		dev = dev_get_by_name(net, nla_data(ifname));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "bridge: no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!netif_is_bridge_master(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "bridge: the device is not a bridge");
		dev_put(dev);
		return ERR_PTR(-EINVAL);
	}
	vmfence_test_cmd_delay();
	return dev;
}

static int vmfence_nl_fill_bridge(struct sk_buff *skb,
				  const struct vmfence_bridge *br, u32 portid,
				  u32 seq, int flags, struct netlink_callback *cb)
{
	struct vmfence_stats_snapshot s;
	char name[IFNAMSIZ];
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vmfence_genl_family, flags,
			  VMFENCE_CMD_BRIDGE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	vmfence_stats_read(&br->stats, &s);
	strscpy(name, br->dev->name, sizeof(name));
	nest = nla_nest_start(skb, VMFENCE_A_BRIDGE);
	if (!nest ||
	    nla_put_u32(skb, VMFENCE_BRIDGE_A_IFINDEX, br->dev->ifindex) ||
	    nla_put_string(skb, VMFENCE_BRIDGE_A_IFNAME, name) ||
	    nla_put_u8(skb, VMFENCE_BRIDGE_A_UNBOUND, br->unbound) ||
	    nla_put_u64_64bit(skb, VMFENCE_BRIDGE_A_UNBOUND_DROPS,
			      s.drops[VMFENCE_DROP_UNBOUND],
			      VMFENCE_BRIDGE_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int vmfence_nl_bridge_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	struct vmfence_bridge *br;
	struct net_device *dev;
	int err = 0;

	dev = vmfence_nl_bridge_dev(genl_info_net(info),
				    info->attrs[VMFENCE_A_BRIDGE], tb,
				    info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (!tb[VMFENCE_BRIDGE_A_UNBOUND]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMFENCE_A_BRIDGE],
				    "unbound: VMFENCE_BRIDGE_A_UNBOUND is required");
		err = -EINVAL;
		goto out_put;
	}
	mutex_lock(&vn->lock);
	br = vmfence_bridge_get_or_create(vn, dev);
	if (IS_ERR(br)) {
		err = PTR_ERR(br);
		if (err == -ENODEV)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VMFENCE_A_BRIDGE],
					    "bridge: the device is going away");
		else if (err == -ENOSPC)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VMFENCE_A_BRIDGE],
					    "bridge: the namespace has bridges_max settings already");
		else
			NL_SET_ERR_MSG(info->extack,
				       "bridge: out of memory (cgroup limit?), nothing changed");
		goto out_unlock;
	}
	WRITE_ONCE(br->unbound, nla_get_u8(tb[VMFENCE_BRIDGE_A_UNBOUND]));
	vn->gen++;
out_unlock:
	mutex_unlock(&vn->lock);
out_put:
	dev_put(dev);
	return err;
}

static int vmfence_nl_bridge_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vmfence_net *vn = vmfence_pernet(genl_info_net(info));
	struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	struct vmfence_bridge *br;
	struct net_device *dev;
	struct sk_buff *msg;
	int err;

	dev = vmfence_nl_bridge_dev(genl_info_net(info),
				    info->attrs[VMFENCE_A_BRIDGE], tb,
				    info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}
	mutex_lock(&vn->lock);
	br = vmfence_bridge_find(vn, dev);
	if (br)
		err = vmfence_nl_fill_bridge(msg, br, info->snd_portid,
					     info->snd_seq, 0, NULL);
	else
		err = -ENOENT;
	mutex_unlock(&vn->lock);
	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "bridge: the bridge has no setting (its unbound policy is pass)");
		nlmsg_free(msg);
		goto out_put;
	}
	err = genlmsg_reply(msg, info);
out_put:
	dev_put(dev);
	return err;
}

static int vmfence_nl_bridge_dump(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct vmfence_net *vn = vmfence_pernet(sock_net(skb->sk));
	struct vmfence_bridge *br;
	unsigned long idx;
	int err = 0;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	xa_for_each_start(&vn->bridges, idx, br, cb->args[0]) {
		err = vmfence_nl_fill_bridge(skb, br,
					     NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     cb);
		if (err)
			break;
		cb->args[0] = idx + 1;
	}
	mutex_unlock(&vn->lock);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

static const struct genl_ops vmfence_genl_ops[] = {
	{
		.cmd = VMFENCE_CMD_PORT_SET,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_port_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_PORT_DEL,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_port_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_PORT_GET,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_port_get,
		.start = vmfence_nl_dump_start,
		.dumpit = vmfence_nl_port_dump,
	},
	{
		.cmd = VMFENCE_CMD_PORT_ADDR_ADD,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_port_addr_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_PORT_ADDR_DEL,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_port_addr_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_STATS_GET,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_stats_get,
		.dumpit = vmfence_nl_stats_dump,
	},
	{
		.cmd = VMFENCE_CMD_STATS_RESET,
		.policy = vmfence_port_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_stats_reset,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_BRIDGE_SET,
		.policy = vmfence_bridge_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_bridge_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = VMFENCE_CMD_BRIDGE_GET,
		.policy = vmfence_bridge_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_bridge_get,
		.dumpit = vmfence_nl_bridge_dump,
	},
	{
		.cmd = VMFENCE_CMD_APPLY,
		.policy = vmfence_apply_cmd_policy,
		.maxattr = VMFENCE_A_MAX,
		.doit = vmfence_nl_apply,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group vmfence_mcgrps[] = {
	/* Events name VMs and their addresses: admins only. */
	{ .name = VMFENCE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family vmfence_genl_family __ro_after_init = {
	.name = VMFENCE_GENL_NAME,
	.version = VMFENCE_GENL_VERSION,
	/* What CTRL_ATTR_MAXATTR reports; each command has its own policy. */
	.maxattr = VMFENCE_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = vmfence_genl_ops,
	.n_ops = ARRAY_SIZE(vmfence_genl_ops),
	.mcgrps = vmfence_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vmfence_mcgrps),
	/* resv_start_op 0: every command gets strict validation. */
};

int __init vmfence_genl_register(void)
{
	return genl_register_family(&vmfence_genl_family);
}

void vmfence_genl_unregister(void)
{
	genl_unregister_family(&vmfence_genl_family);
}
