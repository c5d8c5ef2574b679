// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: keeps the virtual machines on a shared Linux bridge from
 * spoofing their addresses and attacking each other.
 *
 * main.c only wires the pieces together; the packet path is in
 * packet_path.c, the configuration interface in netlink.c.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include "debugfs.h"
#include "events.h"
#include "netlink.h"
#include "netns.h"
#include "selftest.h"
#include "sysfs.h"
#include "testing.h"

/*
 * Per network namespace: a user who binds ports in a namespace of its
 * own (README, Permissions) may spend no more than this, besides what its
 * memory cgroup allows.  Lowering a limit removes nothing.
 */
unsigned int vmfence_ports_max __read_mostly = 65536;
module_param_named(ports_max, vmfence_ports_max, uint, 0644);
MODULE_PARM_DESC(ports_max, "bound ports per network namespace (default 65536)");

#ifdef VMFENCE_TESTING
unsigned int vmfence_test_hook_delay_us;
module_param_named(test_hook_delay_us, vmfence_test_hook_delay_us, uint, 0644);
unsigned int vmfence_test_exit_delay_us;
module_param_named(test_exit_delay_us, vmfence_test_exit_delay_us, uint, 0644);
bool vmfence_test_exiting;
unsigned int vmfence_test_cmd_delay_ms;
module_param_named(test_cmd_delay_ms, vmfence_test_cmd_delay_ms, uint, 0644);
unsigned int vmfence_test_skip;
module_param_named(test_skip, vmfence_test_skip, uint, 0644);
#endif

unsigned int vmfence_bridges_max __read_mostly = 4096;
module_param_named(bridges_max, vmfence_bridges_max, uint, 0644);
MODULE_PARM_DESC(bridges_max,
		 "bridges with a setting per network namespace (default 4096)");

#if !IS_ENABLED(CONFIG_BRIDGE) || !IS_ENABLED(CONFIG_NETFILTER_FAMILY_BRIDGE)
#error "vmfence needs CONFIG_BRIDGE and CONFIG_NETFILTER_FAMILY_BRIDGE"
#endif

static int __init vmfence_init(void)
{
	int err;

	if (!vmfence_selftest_prefix_set())
		return -ENOTRECOVERABLE;
	err = register_pernet_subsys(&vmfence_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&vmfence_netdev_notifier);
	if (err)
		goto out_pernet;
	err = vmfence_genl_register();
	if (err)
		goto out_notifier;
	vmfence_events_start();
	err = vmfence_sysfs_init();
	if (err)
		goto out_genl;
	vmfence_debugfs_init();
	pr_info("vmfence %s loaded\n", VMFENCE_VERSION);
	return 0;

out_genl:
	vmfence_events_stop();
	vmfence_genl_unregister();
out_notifier:
	unregister_netdevice_notifier(&vmfence_netdev_notifier);
out_pernet:
	unregister_pernet_subsys(&vmfence_net_ops);
	return err;
}

static void __exit vmfence_exit(void)
{
#ifdef VMFENCE_TESTING
	WRITE_ONCE(vmfence_test_exiting, true);
#endif
	vmfence_debugfs_exit();
	vmfence_sysfs_exit();
	/*
	 * No more events, then no new configuration, then no more ports
	 * (the notifier removes every one as it unregisters), then no more
	 * hooks (netns.c: unregistered, a grace period, then the tables).
	 */
	vmfence_events_stop();
	vmfence_genl_unregister();
	unregister_netdevice_notifier(&vmfence_netdev_notifier);
	unregister_pernet_subsys(&vmfence_net_ops);
	/* Bindings, ports and hook registrations go by call_rcu(): wait. */
	rcu_barrier();
}

module_init(vmfence_init);
module_exit(vmfence_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Anti-spoofing and isolation for VM ports on a Linux bridge");
MODULE_AUTHOR("The vmfence developers");
MODULE_VERSION(VMFENCE_VERSION);
MODULE_ALIAS_GENL_FAMILY(VMFENCE_GENL_NAME);
