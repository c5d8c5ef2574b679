// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: per network namespace state.
 *
 * Bindings made in a namespace govern the bridges of that namespace: each
 * namespace has its own port table, counters and hooks.  This is a pernet
 * subsystem, so on namespace teardown its exit runs after every device of
 * the namespace has been unregistered (and its port removed).
 */
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include "vmfence.h"

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
