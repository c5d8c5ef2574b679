// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the port table of a network namespace.
 *
 * Two indexes over the same ports, both changed only under vn->lock:
 * - vn->ports, an rhashtable keyed by the net_device pointer, is what the
 *   packet path reads under RCU: one hash lookup per frame, whatever the
 *   number of ports;
 * - vn->ports_by_ifindex, an xarray, serves the control plane: finding a
 *   port by ifindex and dumping ports in a stable order across the several
 *   messages of a netlink dump.
 *
 * A port holds no reference on its net_device.  The netdevice notifier
 * removes the port when the device is unregistered (or leaves the
 * namespace), before the device can be freed, and lookups only compare the
 * pointer, so a device allocated later at the same address can never
 * inherit a stale binding.
 */
#include <linux/slab.h>
#include "vmfence.h"

int vmfence_ports_init(struct vmfence_net *vn)
{
	xa_init(&vn->ports_by_ifindex);
	return rhashtable_init(&vn->ports, &vmfence_port_params);
}

static void vmfence_port_free(struct vmfence_port *port)
{
	vmfence_binding_free(rcu_dereference_raw(port->binding));
	vmfence_stats_free(&port->stats);
	kfree(port);
}

static void vmfence_port_free_rcu(struct rcu_head *rcu)
{
	vmfence_port_free(container_of(rcu, struct vmfence_port, rcu));
}

/*
 * Namespace teardown, after the hooks are gone and the notifier has
 * removed the ports of every device of the namespace: free what is left.
 */
void vmfence_ports_destroy(struct vmfence_net *vn)
{
	struct vmfence_port *port;
	unsigned long idx;

	mutex_lock(&vn->lock);
	xa_for_each(&vn->ports_by_ifindex, idx, port)
		vmfence_port_remove(vn, port);
	mutex_unlock(&vn->lock);
	xa_destroy(&vn->ports_by_ifindex);
	rhashtable_destroy(&vn->ports);
}

/* Called with vn->lock held. */
struct vmfence_port *vmfence_port_find(struct vmfence_net *vn, int ifindex)
{
	lockdep_assert_held(&vn->lock);
	return xa_load(&vn->ports_by_ifindex, ifindex);
}

/*
 * Is @dev still a device of @vn's namespace?  Called with vn->lock held,
 * by whoever is about to make a port or bridge entry for a device it
 * looked up earlier.  A device that is unregistered, or that moves to
 * another namespace (which leaves dev->reg_state NETREG_REGISTERED), is
 * unlisted before the netdevice notifiers run, and the notifier takes
 * vn->lock to remove the device's entries: either it runs after us and
 * removes what we make, or we see the device unlisted here and refuse.
 */
bool vmfence_dev_here(struct vmfence_net *vn, struct net_device *dev)
{
	bool here;

	lockdep_assert_held(&vn->lock);
	rcu_read_lock();
	here = dev_get_by_index_rcu(vn->net, dev->ifindex) == dev;
	rcu_read_unlock();
	return here;
}

/*
 * Create the port of @dev with binding @b and insert it in both indexes,
 * the packet path's last.  Called with vn->lock held.  On success @b
 * belongs to the port; on failure nothing changed and @b is still the
 * caller's.
 */
struct vmfence_port *vmfence_port_create(struct vmfence_net *vn,
					 struct net_device *dev,
					 struct vmfence_binding *b,
					 struct netlink_ext_ack *extack)
{
	struct vmfence_port *port;
	int err;

	lockdep_assert_held(&vn->lock);
	if (!vmfence_dev_here(vn, dev)) {
		NL_SET_ERR_MSG(extack, "ifname: the device is going away or has moved");
		return ERR_PTR(-ENODEV);
	}
	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	err = vmfence_stats_init(&port->stats);
	if (err)
		goto out_free_port;
	port->dev = dev;
	vmfence_evlimit_init(&port->evlimit);
	RCU_INIT_POINTER(port->binding, b);

	err = xa_insert(&vn->ports_by_ifindex, dev->ifindex, port, GFP_KERNEL);
	if (err)
		goto out_free_stats;
	err = rhashtable_insert_fast(&vn->ports, &port->node,
				     vmfence_port_params);
	if (err)
		goto out_erase;
	vn->gen++;
	return port;

out_erase:
	xa_erase(&vn->ports_by_ifindex, dev->ifindex);
out_free_stats:
	vmfence_stats_free(&port->stats);
out_free_port:
	kfree(port);
	return ERR_PTR(err);
}

/*
 * Replace the binding of @port with @b; the old one is freed after a
 * grace period.  Called with vn->lock held.
 */
void vmfence_port_publish(struct vmfence_net *vn, struct vmfence_port *port,
			  struct vmfence_binding *b)
{
	struct vmfence_binding *old;

	old = rcu_replace_pointer(port->binding, b,
				  lockdep_is_held(&vn->lock));
	vmfence_binding_free_rcu(old);
	vn->gen++;
}

/* Called with vn->lock held. */
void vmfence_port_remove(struct vmfence_net *vn, struct vmfence_port *port)
{
	lockdep_assert_held(&vn->lock);
	rhashtable_remove_fast(&vn->ports, &port->node, vmfence_port_params);
	xa_erase(&vn->ports_by_ifindex, port->dev->ifindex);
	vn->gen++;
	call_rcu(&port->rcu, vmfence_port_free_rcu);
}

static int vmfence_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vmfence_net *vn = vmfence_pernet(dev_net(dev));
	struct vmfence_bridge *br;
	struct vmfence_port *port;

	switch (event) {
	case NETDEV_UNREGISTER:
		/* Also sent when the device moves to another namespace. */
		mutex_lock(&vn->lock);
		port = vmfence_port_find(vn, dev->ifindex);
		if (port && port->dev == dev)
			vmfence_port_remove(vn, port);
		br = vmfence_bridge_find(vn, dev->ifindex);
		if (br && br->dev == dev)
			vmfence_bridge_remove(vn, br);
		mutex_unlock(&vn->lock);
		break;
	case NETDEV_CHANGENAME:
		/* Names are read from the device; a dump in flight restarts. */
		mutex_lock(&vn->lock);
		if (vmfence_port_find(vn, dev->ifindex) ||
		    vmfence_bridge_find(vn, dev->ifindex))
			vn->gen++;
		mutex_unlock(&vn->lock);
		break;
	}
	return NOTIFY_DONE;
}

struct notifier_block vmfence_netdev_notifier = {
	.notifier_call = vmfence_netdev_event,
};
