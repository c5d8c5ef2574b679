/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: the generic netlink family (netlink.c) and its APPLY command
 * (apply.c).
 */
#ifndef _VMFENCE_NETLINK_H
#define _VMFENCE_NETLINK_H

#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/vmfence.h>

struct net;
struct net_device;

extern const struct nla_policy vmfence_addr_policy[VMFENCE_ADDR_A_MAX + 1];
extern const struct nla_policy vmfence_port_policy[VMFENCE_PORT_A_MAX + 1];
extern const struct nla_policy vmfence_bridge_policy[VMFENCE_BRIDGE_A_MAX + 1];
extern struct genl_family vmfence_genl_family;

struct net_device *vmfence_nl_port_dev(struct net *net, struct nlattr **tb,
				       const struct nlattr *nest,
				       struct netlink_ext_ack *extack);
struct net_device *vmfence_nl_bridge_dev(struct net *net,
					 const struct nlattr *nest,
					 struct nlattr **tb,
					 struct netlink_ext_ack *extack);
int vmfence_nl_apply(struct sk_buff *skb, struct genl_info *info);

int vmfence_genl_register(void);
void vmfence_genl_unregister(void);

#endif /* _VMFENCE_NETLINK_H */
