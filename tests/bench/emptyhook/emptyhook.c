// SPDX-License-Identifier: GPL-2.0
/*
 * emptyhook: a calibration module for tests/bench.  Two bridge netfilter
 * hooks that accept every frame, at the points and the priority vmfence
 * uses (NF_BR_PRE_ROUTING and NF_BR_FORWARD, just before ebtables nat),
 * in the initial network namespace: what a hook costs before it does
 * anything.  Never installed.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <net/net_namespace.h>

static unsigned int emptyhook_accept(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops emptyhook_ops[] = {
	{
		.hook = emptyhook_accept,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_PRE_ROUTING,
		.priority = NF_BR_PRI_NAT_DST_BRIDGED - 1,
	},
	{
		.hook = emptyhook_accept,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_FORWARD,
		.priority = NF_BR_PRI_NAT_DST_BRIDGED - 1,
	},
};

static int __init emptyhook_init(void)
{
	return nf_register_net_hooks(&init_net, emptyhook_ops,
				     ARRAY_SIZE(emptyhook_ops));
}

static void __exit emptyhook_exit(void)
{
	nf_unregister_net_hooks(&init_net, emptyhook_ops,
				ARRAY_SIZE(emptyhook_ops));
}

module_init(emptyhook_init);
module_exit(emptyhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmfence benchmark: two empty bridge hooks");
