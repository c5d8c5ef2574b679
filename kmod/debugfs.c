// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: per-port tables in debugfs, for troubleshooting.
 *
 *   /sys/kernel/debug/vmfence/ports    every binding of every namespace,
 *                                      with its counters
 *   /sys/kernel/debug/vmfence/bridges  every bridge setting
 *
 * The format is for people and may change; scripts use vmfencectl -j.
 * Root only (they span every namespace).  Read under RCU, taking no lock
 * the writers take: ports, bindings and bridge entries are freed after
 * a grace period, and the xarrays may be walked under RCU.  A reading
 * that races with a change may show a port once with the old binding or
 * the new one, or miss a port being added.
 */
#include <linux/debugfs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include "binding.h"
#include "bridge.h"
#include "debugfs.h"
#include "netns.h"
#include "port.h"
#include "prefix_set.h"
#include "stats.h"

static struct dentry *vmfence_debugfs;

static void vmfence_seq_addrs(struct seq_file *m,
			      const struct vmfence_prefix_set *set)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++) {
		const struct vmfence_prefix *p = &set->ents[i];

		if (set->alen == 4)
			seq_printf(m, " %pI4", p->addr);
		else
			seq_printf(m, " %pI6c", p->addr);
		if (p->plen != set->alen * 8)
			seq_printf(m, "/%u", p->plen);
	}
}

static void vmfence_seq_stats(struct seq_file *m,
			      const struct vmfence_stats *stats)
{
	struct vmfence_stats_snapshot s;
	int r;

	vmfence_stats_read(stats, &s);
	seq_printf(m, "\tpassed %llu", s.passed);
	for (r = 1; r < __VMFENCE_DROP_LAST; r++)
		if (s.drops[r])
			seq_printf(m, " %s %llu", vmfence_drop_name(r),
				   s.drops[r]);
	seq_putc(m, '\n');
}

static int vmfence_ports_show(struct seq_file *m, void *v)
{
	struct vmfence_port *port;
	unsigned long idx;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		struct vmfence_net *vn = vmfence_pernet(net);

		xa_for_each(&vn->ports_by_ifindex, idx, port) {
			const struct vmfence_binding *b;
			int i;

			b = rcu_dereference(port->binding);
			seq_printf(m, "netns %u ifindex %d %s mac %pM mode %s seq %llu flags 0x%x label \"%s\"\n\taddrs",
				   net->ns.inum, port->dev->ifindex,
				   port->dev->name, b->mac,
				   b->mode == VMFENCE_MODE_TRUSTED ?
				   "trusted" : "enforce", b->seq, b->flags,
				   b->label);
			vmfence_seq_addrs(m, b->ip4);
			vmfence_seq_addrs(m, b->ip6);
			seq_printf(m, " ll6 %pI6c", &b->ll6);
			for (i = 0; i < b->n_ethertypes; i++)
				seq_printf(m, " ethertype 0x%04x",
					   ntohs(b->ethertypes[i]));
			seq_putc(m, '\n');
			vmfence_seq_stats(m, &port->stats);
		}
	}
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmfence_ports);

static int vmfence_bridges_show(struct seq_file *m, void *v)
{
	struct vmfence_bridge *br;
	unsigned long idx;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		struct vmfence_net *vn = vmfence_pernet(net);

		xa_for_each(&vn->bridges, idx, br) {
			seq_printf(m, "netns %u ifindex %d %s unbound %s\n",
				   net->ns.inum, br->dev->ifindex,
				   br->dev->name,
				   READ_ONCE(br->unbound) == VMFENCE_UNBOUND_DROP ?
				   "drop" : "pass");
			vmfence_seq_stats(m, &br->stats);
		}
	}
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmfence_bridges);

/* debugfs is optional: failures here only lose the troubleshooting view. */
void __init vmfence_debugfs_init(void)
{
	vmfence_debugfs = debugfs_create_dir("vmfence", NULL);
	debugfs_create_file("ports", 0400, vmfence_debugfs, NULL,
			    &vmfence_ports_fops);
	debugfs_create_file("bridges", 0400, vmfence_debugfs, NULL,
			    &vmfence_bridges_fops);
}

void vmfence_debugfs_exit(void)
{
	debugfs_remove_recursive(vmfence_debugfs);
}
