/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: per network namespace state (netns.c).
 *
 * Locking
 * -------
 * Each network namespace has one struct vmfence_net.  Its mutex ->lock
 * serializes every writer: netlink commands that change state, the
 * netdevice notifier (which runs under RTNL and then takes ->lock, so the
 * order is always RTNL -> vn->lock; nothing here takes RTNL while holding
 * ->lock) and namespace teardown.  Netlink dumps and gets also take ->lock
 * so that what they report is consistent.
 *
 * The packet path takes no lock: its hooks run under rcu_read_lock()
 * with bottom halves disabled.  The towards-VM hooks (NF_BR_FORWARD,
 * NF_BR_LOCAL_OUT) find the port in the rhashtable ->ports; the from-VM
 * hook, one per device on its ingress (ingress.c), holds its port in
 * its own priv (struct vmfence_ingress ->port).  Both read the binding
 * with rcu_dereference().  A
 * binding is immutable once published; writers build a new one, swap the
 * pointer and free the old one after a grace period, so a frame is checked
 * against the old binding or the new one, never a mix.  Ports are freed
 * after a grace period too.
 *
 * How the packet path counts without a lock, and how counters are reset
 * under ->lock without writing them: stats.h.
 */
#ifndef _VMFENCE_NETNS_H
#define _VMFENCE_NETNS_H

#include <linux/compiler.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/netns/generic.h>
#include "events.h"
#include "stats.h"

struct net_device;
struct notifier_block;
struct pernet_operations;

struct vmfence_net {
	struct net *net;		/* the namespace this is the state of */
	struct mutex lock;		/* writers; see Locking above */
	struct rhashtable ports;	/* RCU readers in the packet path */
	struct xarray ports_by_ifindex;	/* under ->lock: lookups, dump order */
	struct xarray bridges;		/* by ifindex; readers: RCU */
	struct xarray ingress;		/* under ->lock: ingress.c */
	struct rhltable claims;		/* RCU readers: claims.c */
	unsigned int nports;		/* under ->lock: vmfence_ports_max */
	unsigned int nbridges;		/* under ->lock: vmfence_bridges_max */
	u32 gen;			/* under ->lock: bumped on any change */
	u64 apply_mark;			/* under ->lock: the last APPLY's */
	struct vmfence_stats stats;	/* namespace totals */
	struct vmfence_evlimit evlimit;	/* events of the whole namespace */
	struct nf_hook_ops hook_ops[2];	/* towards VMs; ->priv is this */
#ifdef VMFENCE_TESTING
	bool test_dying;		/* torn down: kmod/testing.h */
#endif
};

static inline bool vmfence_test_dying(const struct vmfence_net *vn)
{
#ifdef VMFENCE_TESTING
	return READ_ONCE(vn->test_dying);
#else
	return false;
#endif
}

extern unsigned int vmfence_net_id;

/* Per-namespace limits (module parameters, main.c). */
extern unsigned int vmfence_ports_max;
extern unsigned int vmfence_bridges_max;

static inline struct vmfence_net *vmfence_pernet(const struct net *net)
{
	return net_generic(net, vmfence_net_id);
}

#define vmfence_deref(vn, p) \
	rcu_dereference_protected(p, lockdep_is_held(&(vn)->lock))

bool vmfence_dev_here(struct vmfence_net *vn, struct net_device *dev);

extern struct notifier_block vmfence_netdev_notifier;
extern struct pernet_operations vmfence_net_ops;

#endif /* _VMFENCE_NETNS_H */
