// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: per-bridge settings.
 *
 * Today a bridge has one setting: what happens to frames from its ports
 * that have no binding.  "drop" closes the window between a VM's port
 * joining the bridge and the hotplug script binding it.
 *
 * vn->bridges is an xarray keyed by the bridge's ifindex.  Writers hold
 * vn->lock; the packet path reads it with xa_load() under RCU, and only
 * for frames from unbound ports.  An entry's ->unbound is a single byte
 * written with WRITE_ONCE() and read with READ_ONCE(); entries are freed
 * after a grace period.  As for ports, the netdevice notifier (netns.c)
 * removes the entry of a bridge that is unregistered.
 */
#include <linux/slab.h>
#include "alloc.h"
#include "bridge.h"
#include "events.h"
#include "netns.h"
#include "stats.h"

/* Called under RCU. */
struct vmfence_bridge *vmfence_bridge_lookup_rcu(struct vmfence_net *vn,
						 const struct net_device *dev)
{
	struct vmfence_bridge *br;

	br = xa_load(&vn->bridges, dev->ifindex);
	return br && br->dev == dev ? br : NULL;
}

/* The entry of @dev, or NULL (see vmfence_port_find()); vn->lock held. */
struct vmfence_bridge *vmfence_bridge_find(struct vmfence_net *vn,
					   const struct net_device *dev)
{
	struct vmfence_bridge *br;

	lockdep_assert_held(&vn->lock);
	br = xa_load(&vn->bridges, dev->ifindex);
	return br && br->dev == dev ? br : NULL;
}

/* Called with vn->lock held; a new entry starts with "pass". */
struct vmfence_bridge *vmfence_bridge_get_or_create(struct vmfence_net *vn,
						    struct net_device *dev)
{
	struct vmfence_bridge *br;
	int err;

	br = vmfence_bridge_find(vn, dev);
	if (br)
		return br;
	if (!vmfence_dev_here(vn, dev))
		return ERR_PTR(-ENODEV);
	if (vn->nbridges >= READ_ONCE(vmfence_bridges_max))
		return ERR_PTR(-ENOSPC);
	br = kzalloc(sizeof(*br), VMFENCE_GFP);
	if (!br)
		return ERR_PTR(-ENOMEM);
	err = vmfence_stats_init(&br->stats);
	if (err)
		goto out_free;
	br->dev = dev;
	br->unbound = VMFENCE_UNBOUND_PASS;
	vmfence_evlimit_init(&br->evlimit);
	err = xa_insert(&vn->bridges, dev->ifindex, br, VMFENCE_GFP);
	if (err)
		goto out_free_stats;
	vn->nbridges++;
	return br;

out_free_stats:
	vmfence_stats_free(&br->stats);
out_free:
	kfree(br);
	return ERR_PTR(err);
}

static void vmfence_bridge_free_rcu(struct rcu_head *rcu)
{
	struct vmfence_bridge *br = container_of(rcu, struct vmfence_bridge,
						 rcu);

	vmfence_stats_free(&br->stats);
	kfree(br);
}

/* Called with vn->lock held. */
void vmfence_bridge_remove(struct vmfence_net *vn, struct vmfence_bridge *br)
{
	lockdep_assert_held(&vn->lock);
	xa_erase(&vn->bridges, br->dev->ifindex);
	vn->nbridges--;
	vn->gen++;
	call_rcu(&br->rcu, vmfence_bridge_free_rcu);
}

void vmfence_bridges_destroy(struct vmfence_net *vn)
{
	struct vmfence_bridge *br;
	unsigned long idx;

	mutex_lock(&vn->lock);
	xa_for_each(&vn->bridges, idx, br)
		vmfence_bridge_remove(vn, br);
	mutex_unlock(&vn->lock);
	xa_destroy(&vn->bridges);
}
