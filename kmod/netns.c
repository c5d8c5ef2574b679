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
	err = vmfence_ports_init(vn);
	if (err)
		goto out_free_stats;
	err = vmfence_hooks_register(net, vn);
	if (err)
		goto out_destroy_ports;
	return 0;

out_destroy_ports:
	vmfence_ports_destroy(vn);
out_free_stats:
	vmfence_stats_free(&vn->stats);
	return err;
}

static void __net_exit vmfence_net_exit(struct net *net)
{
	struct vmfence_net *vn = vmfence_pernet(net);

	/* Waits for hooks in flight (synchronize_net()). */
	vmfence_hooks_unregister(net, vn);
	vmfence_ports_destroy(vn);
	vmfence_bridges_destroy(vn);
	vmfence_stats_free(&vn->stats);
}

struct pernet_operations vmfence_net_ops = {
	.init = vmfence_net_init,
	.exit = vmfence_net_exit,
	.id = &vmfence_net_id,
	.size = sizeof(struct vmfence_net),
};
