/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: which devices carry vmfence's netdev ingress hook (ingress.c).
 */
#ifndef _VMFENCE_INGRESS_H
#define _VMFENCE_INGRESS_H

#include <linux/netfilter.h>
#include <linux/types.h>

struct net_device;
struct vmfence_net;
struct vmfence_port;

/*
 * The netdev ingress hook of one device, its ->ops.priv: it hands the
 * packet path the device's port without a lookup.  ->port is set under
 * vn->lock, read under RCU.
 */
struct vmfence_ingress {
	struct nf_hook_ops ops;
	struct vmfence_net *vn;
	struct vmfence_port __rcu *port;	/* NULL: the device is unbound */
	struct rcu_head rcu;
};

void vmfence_ingress_init(struct vmfence_net *vn);
void vmfence_ingress_set_port(struct vmfence_net *vn, struct net_device *dev,
			      struct vmfence_port *port);
bool vmfence_ingress_attached(struct vmfence_net *vn,
			      const struct net_device *dev);
int vmfence_ingress_attach(struct vmfence_net *vn, struct net_device *dev);
void vmfence_ingress_detach(struct vmfence_net *vn, struct net_device *dev);
void vmfence_ingress_detach_all(struct vmfence_net *vn);

#endif /* _VMFENCE_INGRESS_H */
