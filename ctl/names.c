// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/vmfence.h>

#include "names.h"
#include "util.h"

/* Named after the uapi constants, in snake_case, as the header asks. */
static const char *const drop_reason_names[__VMFENCE_DROP_LAST] = {
	[VMFENCE_DROP_MAC_SPOOF]	= "mac_spoof",
	[VMFENCE_DROP_IP4_SPOOF]	= "ip4_spoof",
	[VMFENCE_DROP_IP6_SPOOF]	= "ip6_spoof",
	[VMFENCE_DROP_MALFORMED]	= "malformed",
	[VMFENCE_DROP_ARP_SPOOF]	= "arp_spoof",
	[VMFENCE_DROP_ND_SPOOF]		= "nd_spoof",
	[VMFENCE_DROP_DHCP_SERVER]	= "dhcp_server",
	[VMFENCE_DROP_DHCP6_SERVER]	= "dhcp6_server",
	[VMFENCE_DROP_ROUTER_ADVERT]	= "router_advert",
	[VMFENCE_DROP_REDIRECT]		= "redirect",
	[VMFENCE_DROP_VLAN]		= "vlan",
	[VMFENCE_DROP_ETHERTYPE]	= "ethertype",
	[VMFENCE_DROP_BROADCAST]	= "broadcast",
	[VMFENCE_DROP_MULTICAST]	= "multicast",
	[VMFENCE_DROP_NOT_FOR_PORT]	= "not_for_port",
	[VMFENCE_DROP_DHCP_SNOOP]	= "dhcp_snoop",
	[VMFENCE_DROP_UNBOUND]		= "unbound",
	[VMFENCE_DROP_BPDU]		= "bpdu",
	[VMFENCE_DROP_CSUM_OFFLOAD]	= "csum_offload",
	[VMFENCE_DROP_DHCP_SPOOF]	= "dhcp_spoof",
};

static const char *const mode_names[__VMFENCE_MODE_LAST] = {
	[VMFENCE_MODE_ENFORCE]	= "enforce",
	[VMFENCE_MODE_TRUSTED]	= "trusted",
};

static const char *const unbound_names[__VMFENCE_UNBOUND_LAST] = {
	[VMFENCE_UNBOUND_PASS]	= "pass",
	[VMFENCE_UNBOUND_DROP]	= "drop",
};

/* The index of name in names[0..n - 1], or -EINVAL. */
static int name_lookup(const char *const *names, unsigned int n,
		       const char *name, unsigned int *value)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (names[i] && !strcmp(name, names[i])) {
			*value = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *drop_reason_name(unsigned int reason, char *buf, size_t len)
{
	if (reason < ARRAY_SIZE(drop_reason_names) &&
	    drop_reason_names[reason])
		return drop_reason_names[reason];
	snprintf(buf, len, "reason_%u", reason);
	return buf;
}

const char *mode_name(unsigned int mode, char *buf, size_t len)
{
	if (mode < ARRAY_SIZE(mode_names) && mode_names[mode])
		return mode_names[mode];
	snprintf(buf, len, "mode_%u", mode);
	return buf;
}

int mode_lookup(const char *name, unsigned int *mode)
{
	return name_lookup(mode_names, ARRAY_SIZE(mode_names), name, mode);
}

const char *unbound_name(unsigned int unbound, char *buf, size_t len)
{
	if (unbound < ARRAY_SIZE(unbound_names) && unbound_names[unbound])
		return unbound_names[unbound];
	snprintf(buf, len, "unbound_%u", unbound);
	return buf;
}

int unbound_lookup(const char *name, unsigned int *unbound)
{
	return name_lookup(unbound_names, ARRAY_SIZE(unbound_names), name,
			   unbound);
}

#define NAME(type)	[type] = #type

static const char *const addr_names[VMFENCE_ADDR_A_MAX + 1] = {
	NAME(VMFENCE_ADDR_A_IN),
	NAME(VMFENCE_ADDR_A_IN6),
	NAME(VMFENCE_ADDR_A_PREFIXLEN),
};

static const struct attr_space addr_space = {
	.names	= addr_names,
	.max	= VMFENCE_ADDR_A_MAX,
};

static const char *const addrs_names[VMFENCE_ADDRS_A_MAX + 1] = {
	NAME(VMFENCE_ADDRS_A_ADDR),
};

static const struct attr_space *const addrs_nested[VMFENCE_ADDRS_A_MAX + 1] = {
	[VMFENCE_ADDRS_A_ADDR]	= &addr_space,
};

static const struct attr_space addrs_space = {
	.names	= addrs_names,
	.max	= VMFENCE_ADDRS_A_MAX,
	.nested	= addrs_nested,
	.entry	= "address",
};

static const char *const port_names[VMFENCE_PORT_A_MAX + 1] = {
	NAME(VMFENCE_PORT_A_IFINDEX),
	NAME(VMFENCE_PORT_A_IFNAME),
	NAME(VMFENCE_PORT_A_MAC),
	NAME(VMFENCE_PORT_A_MODE),
	NAME(VMFENCE_PORT_A_LABEL),
	NAME(VMFENCE_PORT_A_SEQ),
	NAME(VMFENCE_PORT_A_ADDRS),
	NAME(VMFENCE_PORT_A_PAD),
	NAME(VMFENCE_PORT_A_FLAGS),
	NAME(VMFENCE_PORT_A_ETHERTYPES),
};

static const char *const ethertypes_names[VMFENCE_ETHERTYPES_A_MAX + 1] = {
	NAME(VMFENCE_ETHERTYPES_A_TYPE),
};

static const struct attr_space ethertypes_space = {
	.names	= ethertypes_names,
	.max	= VMFENCE_ETHERTYPES_A_MAX,
	.entry	= "ethertype",
};

static const struct attr_space *const port_nested[VMFENCE_PORT_A_MAX + 1] = {
	[VMFENCE_PORT_A_ADDRS]		= &addrs_space,
	[VMFENCE_PORT_A_ETHERTYPES]	= &ethertypes_space,
};

static const struct attr_space port_space = {
	.names	= port_names,
	.max	= VMFENCE_PORT_A_MAX,
	.nested	= port_nested,
};

static const char *const bridge_names[VMFENCE_BRIDGE_A_MAX + 1] = {
	NAME(VMFENCE_BRIDGE_A_IFINDEX),
	NAME(VMFENCE_BRIDGE_A_IFNAME),
	NAME(VMFENCE_BRIDGE_A_UNBOUND),
	NAME(VMFENCE_BRIDGE_A_UNBOUND_DROPS),
	NAME(VMFENCE_BRIDGE_A_PAD),
};

static const struct attr_space bridge_space = {
	.names	= bridge_names,
	.max	= VMFENCE_BRIDGE_A_MAX,
};

static const char *const vmfence_names[VMFENCE_A_MAX + 1] = {
	NAME(VMFENCE_A_PORT),
	NAME(VMFENCE_A_STATS),
	NAME(VMFENCE_A_BRIDGE),
	NAME(VMFENCE_A_APPLY_FLAGS),
	NAME(VMFENCE_A_EVENT),
};

static const struct attr_space *const vmfence_nested[VMFENCE_A_MAX + 1] = {
	[VMFENCE_A_PORT]	= &port_space,
	[VMFENCE_A_BRIDGE]	= &bridge_space,
};

const struct attr_space vmfence_attr_space = {
	.names	= vmfence_names,
	.max	= VMFENCE_A_MAX,
	.nested	= vmfence_nested,
};
