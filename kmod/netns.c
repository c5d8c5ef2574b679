// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: per network namespace state, and the lifetime of the devices
 * it names.
 *
 * Bindings made in a namespace govern the bridges of that namespace: each
 * namespace has its own port table, counters and hooks.  This is a pernet
 * subsystem, so on namespace teardown its exit runs after every device of
 * the namespace has been unregistered (and its port removed).
 *
 * Ports, bridge settings and ingress hooks hold no reference on their
 * net_device.  The netdevice notifier below removes them when the device
 * is unregistered or leaves the namespace, before it can be freed; it
 * also puts the ingress hook on a device that becomes a bridge port
 * (ingress.c).
 */
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include "bridge.h"
#include "claims.h"
#include "events.h"
#include "ingress.h"
#include "netns.h"
#include "packet_path.h"
#include "port.h"
#include "stats.h"

unsigned int vmfence_net_id __read_mostly;

static int __net_init vmfence_net_init(struct net *net)
{
	struct vmfence_net *vn = vmfence_pernet(net);
	int err;

	vn->net = net;
	mutex_init(&vn->lock);
	vn->gen = 1;
	vmfence_evlimit_init(&vn->evlimit);
	err = vmfence_stats_init(&vn->stats);
	if (err)
		return err;
	xa_init(&vn->bridges);
	vmfence_ingress_init(vn);
	err = vmfence_claims_init(vn);
	if (err)
		goto out_free_stats;
	err = vmfence_ports_init(vn);
	if (err)
		goto out_destroy_claims;
	/* The last step: nothing can fail once a hook may run. */
	err = vmfence_hooks_register(net, vn);
	if (err)
		goto out_destroy_ports;
	return 0;

out_destroy_ports:
	vmfence_ports_destroy(vn);
out_destroy_claims:
	vmfence_claims_destroy(vn);
out_free_stats:
	vmfence_stats_free(&vn->stats);
	return err;
}

/*
 * Teardown, in batches of namespaces: unregister every hook of every
 * namespace of the batch, wait for a grace period, then free the tables.
 * Unregistering a hook does not wait for the frames in flight in it (the
 * core frees its old hook entries with call_rcu()), so the wait is what
 * keeps a hook from reading freed tables; one wait serves the batch.
 *
 * Not in pre_exit, although the core waits for a grace period after it:
 * a namespace being deleted runs pre_exit while its devices still carry
 * traffic, and frames from its VMs would pass unchecked until the devices
 * go.  By the time exit_batch runs on namespace deletion the devices are
 * gone (their unregistration removed their ports and ingress hooks); on
 * module unload, when they are not, the netdevice notifier has already
 * removed every port and ingress hook as it unregistered.
 */
static void __net_exit vmfence_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	list_for_each_entry(net, net_list, exit_list) {
		struct vmfence_net *vn = vmfence_pernet(net);

		vmfence_hooks_unregister(net, vn);
		vmfence_ingress_detach_all(vn);
	}
	synchronize_rcu();
	list_for_each_entry(net, net_list, exit_list) {
		struct vmfence_net *vn = vmfence_pernet(net);

		vmfence_ports_destroy(vn);
		vmfence_bridges_destroy(vn);
		vmfence_claims_destroy(vn);
		vmfence_stats_free(&vn->stats);
	}
}

#ifdef VMFENCE_TESTING
/* The testing build: frames in flight from here on spin (testing.h). */
static void __net_exit vmfence_test_net_pre_exit(struct net *net)
{
	WRITE_ONCE(vmfence_pernet(net)->test_dying, true);
}
#endif

struct pernet_operations vmfence_net_ops = {
	.init = vmfence_net_init,
#ifdef VMFENCE_TESTING
	.pre_exit = vmfence_test_net_pre_exit,
#endif
	.exit_batch = vmfence_net_exit_batch,
	.id = &vmfence_net_id,
	.size = sizeof(struct vmfence_net),
};

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
 * A device becomes a bridge port, or stops being one: it gets the ingress
 * hook before it can forward a frame (br_add_if() links the port before
 * enabling it; a failure here fails the enslaving), and loses it unless
 * it is bound.
 */
static int vmfence_netdev_changeupper(struct vmfence_net *vn,
				      struct net_device *dev,
				      struct netdev_notifier_changeupper_info *info)
{
	int err = 0;

	if (!netif_is_bridge_master(info->upper_dev))
		return 0;
	mutex_lock(&vn->lock);
	if (info->linking) {
		err = vmfence_ingress_attach(vn, dev);
		if (err)
			NL_SET_ERR_MSG(info->info.extack,
				       "vmfence: cannot hook the new bridge port");
	} else if (!vmfence_port_find(vn, dev)) {
		vmfence_ingress_detach(vn, dev);
	}
	mutex_unlock(&vn->lock);
	return err;
}

static int vmfence_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vmfence_net *vn = vmfence_pernet(dev_net(dev));
	struct vmfence_bridge *br;
	struct vmfence_port *port;
	int err = 0;

	switch (event) {
	case NETDEV_REGISTER:
		/* Replayed for every device when the module loads. */
		if (!netif_is_bridge_port(dev))
			break;
		mutex_lock(&vn->lock);
		err = vmfence_ingress_attach(vn, dev);
		mutex_unlock(&vn->lock);
		break;
	case NETDEV_CHANGEUPPER:
		err = vmfence_netdev_changeupper(vn, dev, ptr);
		break;
	case NETDEV_UNREGISTER:
		/* Also sent when the device moves to another namespace. */
		mutex_lock(&vn->lock);
		port = vmfence_port_find(vn, dev);
		if (port)
			vmfence_port_remove(vn, port);
		br = vmfence_bridge_find(vn, dev);
		if (br)
			vmfence_bridge_remove(vn, br);
		vmfence_ingress_detach(vn, dev);
		mutex_unlock(&vn->lock);
		break;
	case NETDEV_CHANGENAME:
		/* Names are read from the device; a dump in flight restarts. */
		mutex_lock(&vn->lock);
		if (vmfence_port_find(vn, dev) ||
		    vmfence_bridge_find(vn, dev))
			vn->gen++;
		mutex_unlock(&vn->lock);
		break;
	}
	return notifier_from_errno(err);
}

struct notifier_block vmfence_netdev_notifier = {
	.notifier_call = vmfence_netdev_event,
};
