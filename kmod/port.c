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
 * (netns.c) removes the port when the device is unregistered (or leaves
 * the namespace), before the device can be freed, and lookups only
 * compare the pointer, so a device allocated later at the same address
 * can never inherit a stale binding.
 */
#include <linux/slab.h>
#include "alloc.h"
#include "binding.h"
#include "claims.h"
#include "events.h"
#include "ingress.h"
#include "netns.h"
#include "port.h"
#include "stats.h"

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
 * Namespace teardown (exit_batch), after the hooks are gone and a grace
 * period has passed, and after the notifier removed the ports of every
 * device of the namespace: free what is left.
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

/*
 * The port of @dev, or NULL.  Called with vn->lock held.  The device,
 * not its ifindex, is what a command names: a device moved to another
 * namespace may get a new ifindex there that is another device's here,
 * and a command still holding it must not find that one's port.
 */
struct vmfence_port *vmfence_port_find(struct vmfence_net *vn,
				       const struct net_device *dev)
{
	struct vmfence_port *port;

	lockdep_assert_held(&vn->lock);
	port = xa_load(&vn->ports_by_ifindex, dev->ifindex);
	return port && port->dev == dev ? port : NULL;
}

/*
 * Create the port of @dev with binding @b and insert it in both indexes,
 * the packet path's last, after its ingress hook (ingress.c) and its
 * claims (claims.c).  Called with vn->lock held.  On success @b belongs
 * to the port; on failure nothing changed and @b is still the caller's.
 */
struct vmfence_port *vmfence_port_create(struct vmfence_net *vn,
					 struct net_device *dev,
					 struct vmfence_binding *b,
					 struct netlink_ext_ack *extack)
{
	struct vmfence_port *port;
	bool attached;
	int err;

	lockdep_assert_held(&vn->lock);
	if (!vmfence_dev_here(vn, dev)) {
		NL_SET_ERR_MSG(extack, "ifname: the device is going away or has moved");
		return ERR_PTR(-ENODEV);
	}
	if (vn->nports >= READ_ONCE(vmfence_ports_max)) {
		NL_SET_ERR_MSG(extack, "port: the namespace has ports_max bound ports already");
		return ERR_PTR(-ENOSPC);
	}
	attached = vmfence_ingress_attached(vn, dev);
	port = kzalloc(sizeof(*port), VMFENCE_GFP);
	if (!port)
		return ERR_PTR(-ENOMEM);
	err = vmfence_stats_init(&port->stats);
	if (err)
		goto out_free_port;
	port->dev = dev;
	vmfence_evlimit_init(&port->evlimit);
	RCU_INIT_POINTER(port->binding, b);

	err = vmfence_ingress_attach(vn, dev);
	if (err)
		goto out_free_stats;
	err = vmfence_claims_add(vn, port, b);
	if (err)
		goto out_detach;
	err = xa_insert(&vn->ports_by_ifindex, dev->ifindex, port, VMFENCE_GFP);
	if (err)
		goto out_unclaim;
	err = rhashtable_insert_fast(&vn->ports, &port->node,
				     vmfence_port_params);
	if (err)
		goto out_erase;
	vmfence_ingress_set_port(vn, dev, port);
	vn->nports++;
	vn->gen++;
	return port;

out_erase:
	xa_erase(&vn->ports_by_ifindex, dev->ifindex);
out_unclaim:
	/* The packet path may have found @port through its claims. */
	vmfence_claims_del(vn, b);
	synchronize_rcu();
	kfree(b->claims);
	b->claims = NULL;
out_detach:
	if (!attached)
		vmfence_ingress_detach(vn, dev);
out_free_stats:
	vmfence_stats_free(&port->stats);
out_free_port:
	kfree(port);
	return ERR_PTR(err);
}

/*
 * Replacing a binding is two steps, so that a transaction (apply.c) can
 * do every step that may fail before the first change: prepare @b to
 * become @port's binding (its claims), then publish it.  Called with
 * vn->lock held.  A prepared binding that is not published is
 * unprepared, then freed after a grace period (the packet path may have
 * seen its claims).
 */
int vmfence_port_prepare(struct vmfence_net *vn, struct vmfence_port *port,
			 struct vmfence_binding *b)
{
	return vmfence_claims_add(vn, port, b);
}

void vmfence_port_unprepare(struct vmfence_net *vn, struct vmfence_binding *b)
{
	vmfence_claims_del(vn, b);
}

/*
 * Replace the binding of @port with the prepared @b; the old one is freed
 * after a grace period.  Called with vn->lock held.
 */
void vmfence_port_publish(struct vmfence_net *vn, struct vmfence_port *port,
			  struct vmfence_binding *b)
{
	struct vmfence_binding *old;

	old = rcu_replace_pointer(port->binding, b,
				  lockdep_is_held(&vn->lock));
	vmfence_claims_del(vn, old);
	vmfence_binding_free_rcu(old);
	vn->gen++;
}

/*
 * Called with vn->lock held.  The device keeps its ingress hook while it
 * is a bridge port (for "unbound drop").  Racing with the device leaving
 * its bridge, which clears IFF_BRIDGE_PORT under RTNL only after the
 * CHANGEUPPER notifier ran, the hook may stay on a device that needs it
 * no more: it then lets every frame through, until the device goes.
 */
void vmfence_port_remove(struct vmfence_net *vn, struct vmfence_port *port)
{
	lockdep_assert_held(&vn->lock);
	vmfence_ingress_set_port(vn, port->dev, NULL);
	rhashtable_remove_fast(&vn->ports, &port->node, vmfence_port_params);
	xa_erase(&vn->ports_by_ifindex, port->dev->ifindex);
	vmfence_claims_del(vn, vmfence_deref(vn, port->binding));
	if (!netif_is_bridge_port(port->dev))
		vmfence_ingress_detach(vn, port->dev);
	vn->nports--;
	vn->gen++;
	call_rcu(&port->rcu, vmfence_port_free_rcu);
}
