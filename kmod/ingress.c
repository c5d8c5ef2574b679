// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: which devices carry vmfence's netdev ingress hook.
 *
 * What a VM sends is checked at NF_NETDEV_INGRESS of its port, not at the
 * bridge's NF_BR_PRE_ROUTING: the ingress hook runs in
 * __netif_receive_skb_core() before the device's rx_handler (the bridge)
 * and before VLAN demultiplexing, so it also sees the frames that never
 * reach NF_BR_PRE_ROUTING: link-local destinations, which the bridge
 * learns from and hands to NF_BR_LOCAL_IN or to no hook at all (LLDP,
 * BPDUs), frames an ebtables broute rule would hand to the host's stack,
 * and tagged frames that a VLAN device stacked on the port (tapX.N)
 * would take.  Nothing on the host acts on a frame before it.
 *
 * Netdev hooks are registered per device, so the hook is on:
 *  - every bridge port of the namespace (for "unbound drop", and so that
 *    a port bound later needs nothing more), attached when the device
 *    becomes a bridge port, which fails the enslaving if it cannot be;
 *  - every bound device, bridged or not yet, attached when it is bound.
 * It is detached when neither holds any more, and when the device is
 * unregistered or leaves the namespace.
 *
 * vn->ingress maps ifindex to the registration, under vn->lock.  The
 * hook's ->priv is the registration (struct vmfence_ingress), which
 * points at the device's port, so that a frame finds its port without a
 * hash lookup, and at the namespace's vmfence_net, which outlives it: the
 * namespace's teardown (netns.c) detaches every hook left and waits for a
 * grace period before it frees the tables.
 */
#include <linux/memcontrol.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include "alloc.h"
#include "ingress.h"
#include "netns.h"
#include "packet_path.h"
#include "port.h"

void vmfence_ingress_init(struct vmfence_net *vn)
{
	xa_init(&vn->ingress);
}

/* The registration of @dev, or NULL.  Called with vn->lock held. */
static struct vmfence_ingress *vmfence_ingress_find(struct vmfence_net *vn,
						    const struct net_device *dev)
{
	struct vmfence_ingress *in;

	lockdep_assert_held(&vn->lock);
	in = xa_load(&vn->ingress, dev->ifindex);
	return in && in->ops.dev == dev ? in : NULL;
}

/* Called with vn->lock held. */
bool vmfence_ingress_attached(struct vmfence_net *vn,
			      const struct net_device *dev)
{
	return vmfence_ingress_find(vn, dev);
}

/*
 * @port is @dev's port now (NULL: none).  Called with vn->lock held, by
 * port.c, once the port is in the tables or before it leaves them; a
 * bound device always carries the hook.
 */
void vmfence_ingress_set_port(struct vmfence_net *vn, struct net_device *dev,
			      struct vmfence_port *port)
{
	struct vmfence_ingress *in = vmfence_ingress_find(vn, dev);

	if (!WARN_ON_ONCE(!in && port) && in)
		rcu_assign_pointer(in->port, port);
}

/*
 * The netfilter core grows @dev's array of ingress hooks with
 * GFP_KERNEL_ACCOUNT, and behind that flag stands the memory cgroup's OOM
 * killer: charged to the caller, a command at its cgroup's limit would
 * get a process of the tenant's cgroup killed instead of an error (seen
 * in 84-tenant-limits).  The array is charged to the root cgroup instead;
 * it holds one entry per hook on the device, and a namespace has at most
 * ports_max bound devices.  What vmfence allocates itself stays charged
 * to the caller, with __GFP_NORETRY (VMFENCE_GFP): that is what a
 * tenant's limit refuses, with "out of memory (cgroup limit?)".
 */
static int vmfence_ingress_register(struct net *net,
				    const struct nf_hook_ops *ops)
{
	struct mem_cgroup *root, *old;
	int err;

	/* init_task's memory cgroup is the root: it never goes away. */
	rcu_read_lock();
	root = mem_cgroup_from_task(&init_task);
	rcu_read_unlock();
	old = set_active_memcg(root);
	err = nf_register_net_hook(net, ops);
	set_active_memcg(old);
	return err;
}

/* Put the hook on @dev if it is not there.  Called with vn->lock held. */
int vmfence_ingress_attach(struct vmfence_net *vn, struct net_device *dev)
{
	struct vmfence_ingress *in;
	int err;

	lockdep_assert_held(&vn->lock);
	if (vmfence_ingress_attached(vn, dev))
		return 0;
	in = kzalloc(sizeof(*in), VMFENCE_GFP);
	if (!in)
		return -ENOMEM;
	in->vn = vn;
	RCU_INIT_POINTER(in->port, vmfence_port_find(vn, dev));
	vmfence_ingress_ops_init(in, dev);
	err = xa_insert(&vn->ingress, dev->ifindex, in, VMFENCE_GFP);
	if (err)
		goto out_free;
	err = vmfence_ingress_register(vn->net, &in->ops);
	if (err)
		goto out_erase;
	return 0;

out_erase:
	xa_erase(&vn->ingress, dev->ifindex);
out_free:
	kfree(in);
	return err;
}

static void vmfence_ingress_free(struct vmfence_net *vn,
				 struct vmfence_ingress *in)
{
	xa_erase(&vn->ingress, in->ops.dev->ifindex);
	nf_unregister_net_hook(vn->net, &in->ops);
	/* The core may still hand a frame to ->ops' copy: wait for it. */
	kfree_rcu(in, rcu);
}

/* Take the hook off @dev, if it is there.  Called with vn->lock held. */
void vmfence_ingress_detach(struct vmfence_net *vn, struct net_device *dev)
{
	struct vmfence_ingress *in;

	lockdep_assert_held(&vn->lock);
	in = xa_load(&vn->ingress, dev->ifindex);
	if (in && in->ops.dev == dev)
		vmfence_ingress_free(vn, in);
}

/*
 * Namespace teardown: every hook left goes.  The caller waits for a grace
 * period before freeing what the hooks read.
 */
void vmfence_ingress_detach_all(struct vmfence_net *vn)
{
	struct vmfence_ingress *in;
	unsigned long idx;

	mutex_lock(&vn->lock);
	xa_for_each(&vn->ingress, idx, in)
		vmfence_ingress_free(vn, in);
	mutex_unlock(&vn->lock);
	xa_destroy(&vn->ingress);
}
