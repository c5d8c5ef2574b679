/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: the port table of a network namespace (port.c).
 */
#ifndef _VMFENCE_PORT_H
#define _VMFENCE_PORT_H

#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/types.h>
#include "events.h"
#include "netns.h"
#include "stats.h"

struct net_device;
struct netlink_ext_ack;
struct vmfence_binding;

struct vmfence_port {
	struct rhash_head node;		/* in vn->ports, keyed by ->dev */
	struct net_device *dev;		/* no reference: see port.c */
	struct vmfence_binding __rcu *binding;
	struct vmfence_stats stats;
	struct vmfence_evlimit evlimit;
	u64 apply_mark;			/* under vn->lock: see apply.c */
	struct rcu_head rcu;
};

/*
 * The port table's hash and compare, inlined into the packet path: the
 * key is a pointer, so one multiplication hashes it (seeded per table)
 * and one comparison matches it.
 */
static inline u32 vmfence_port_hashfn(const void *data, u32 len, u32 seed)
{
	return hash_64(*(const unsigned long *)data ^ seed, 32);
}

static inline int vmfence_port_cmpfn(struct rhashtable_compare_arg *arg,
				     const void *obj)
{
	const struct vmfence_port *port = obj;

	return port->dev != *(const struct net_device * const *)arg->key;
}

static const struct rhashtable_params vmfence_port_params = {
	.key_len = sizeof_field(struct vmfence_port, dev),
	.key_offset = offsetof(struct vmfence_port, dev),
	.head_offset = offsetof(struct vmfence_port, node),
	.hashfn = vmfence_port_hashfn,
	.obj_cmpfn = vmfence_port_cmpfn,
	.automatic_shrinking = true,
};

int vmfence_ports_init(struct vmfence_net *vn);
void vmfence_ports_destroy(struct vmfence_net *vn);

/* Called under RCU (the packet path). */
static inline struct vmfence_port *
vmfence_port_lookup_rcu(struct vmfence_net *vn, const struct net_device *dev)
{
	return rhashtable_lookup(&vn->ports, &dev, vmfence_port_params);
}

struct vmfence_port *vmfence_port_find(struct vmfence_net *vn,
				       const struct net_device *dev);
struct vmfence_port *vmfence_port_create(struct vmfence_net *vn,
					 struct net_device *dev,
					 struct vmfence_binding *b,
					 struct netlink_ext_ack *extack);
int vmfence_port_prepare(struct vmfence_net *vn, struct vmfence_port *port,
			 struct vmfence_binding *b);
void vmfence_port_unprepare(struct vmfence_net *vn, struct vmfence_binding *b);
void vmfence_port_publish(struct vmfence_net *vn, struct vmfence_port *port,
			  struct vmfence_binding *b);
void vmfence_port_remove(struct vmfence_net *vn, struct vmfence_port *port);

#endif /* _VMFENCE_PORT_H */
