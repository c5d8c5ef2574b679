/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: bindings (binding.c), what one port is allowed to send as.
 */
#ifndef _VMFENCE_BINDING_H
#define _VMFENCE_BINDING_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/types.h>
#include <linux/vmfence.h>

struct netlink_ext_ack;
struct nlattr;
struct vmfence_claims;
struct vmfence_prefix_set;

/* What a port is allowed to be.  Immutable once published. */
struct vmfence_binding {
	u8 mac[ETH_ALEN];
	u8 mode;			/* enum vmfence_port_mode */
	u8 n_ethertypes;
	u32 flags;			/* VMFENCE_PORT_F_* */
	__be16 ethertypes[VMFENCE_ETHERTYPES_MAX];	/* beyond IP, ARP */
	u64 seq;
	struct in6_addr ll6;		/* EUI-64 link-local of ->mac */
	struct vmfence_prefix_set *ip4;	/* NULL when empty */
	struct vmfence_prefix_set *ip6;	/* NULL when empty */
	char label[VMFENCE_LABEL_MAX];
	struct vmfence_claims *claims;	/* set while in force: claims.c */
	struct rcu_head rcu;
};

struct vmfence_binding *vmfence_binding_parse(struct nlattr **tb,
					      struct netlink_ext_ack *extack);
struct vmfence_binding *vmfence_binding_edit_addr(const struct vmfence_binding *old,
						  const struct nlattr *addrs,
						  bool add,
						  struct netlink_ext_ack *extack);
void vmfence_binding_free(struct vmfence_binding *b);
void vmfence_binding_free_rcu(struct vmfence_binding *b);

#endif /* _VMFENCE_BINDING_H */
