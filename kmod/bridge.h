/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: per-bridge settings (bridge.c).
 */
#ifndef _VMFENCE_BRIDGE_H
#define _VMFENCE_BRIDGE_H

#include <linux/types.h>
#include "events.h"
#include "stats.h"

struct net_device;
struct vmfence_net;

/* A bridge with a setting; all under vn->lock but the lookup. */
struct vmfence_bridge {
	struct net_device *dev;		/* no reference: as for ports */
	u8 unbound;			/* enum vmfence_unbound */
	struct vmfence_stats stats;	/* only drops[VMFENCE_DROP_UNBOUND] */
	struct vmfence_evlimit evlimit;
	u64 apply_mark;			/* under vn->lock: see apply.c */
	struct rcu_head rcu;
};

struct vmfence_bridge *vmfence_bridge_lookup_rcu(struct vmfence_net *vn,
						 const struct net_device *dev);
struct vmfence_bridge *vmfence_bridge_find(struct vmfence_net *vn,
					   const struct net_device *dev);
struct vmfence_bridge *vmfence_bridge_get_or_create(struct vmfence_net *vn,
						    struct net_device *dev);
void vmfence_bridge_remove(struct vmfence_net *vn, struct vmfence_bridge *br);
void vmfence_bridges_destroy(struct vmfence_net *vn);

#endif /* _VMFENCE_BRIDGE_H */
