// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the names of drop reasons, as sysfs, debugfs and vmfencectl
 * show them (snake_case of the constant's name).
 */
#include "stats.h"

static const char * const vmfence_drop_names[__VMFENCE_DROP_LAST] = {
	[VMFENCE_DROP_MAC_SPOOF] = "mac_spoof",
	[VMFENCE_DROP_IP4_SPOOF] = "ip4_spoof",
	[VMFENCE_DROP_IP6_SPOOF] = "ip6_spoof",
	[VMFENCE_DROP_MALFORMED] = "malformed",
	[VMFENCE_DROP_ARP_SPOOF] = "arp_spoof",
	[VMFENCE_DROP_ND_SPOOF] = "nd_spoof",
	[VMFENCE_DROP_DHCP_SERVER] = "dhcp_server",
	[VMFENCE_DROP_DHCP6_SERVER] = "dhcp6_server",
	[VMFENCE_DROP_ROUTER_ADVERT] = "router_advert",
	[VMFENCE_DROP_REDIRECT] = "redirect",
	[VMFENCE_DROP_VLAN] = "vlan",
	[VMFENCE_DROP_ETHERTYPE] = "ethertype",
	[VMFENCE_DROP_BROADCAST] = "broadcast",
	[VMFENCE_DROP_MULTICAST] = "multicast",
	[VMFENCE_DROP_NOT_FOR_PORT] = "not_for_port",
	[VMFENCE_DROP_DHCP_SNOOP] = "dhcp_snoop",
	[VMFENCE_DROP_UNBOUND] = "unbound",
	[VMFENCE_DROP_BPDU] = "bpdu",
	[VMFENCE_DROP_CSUM_OFFLOAD] = "csum_offload",
	[VMFENCE_DROP_DHCP_SPOOF] = "dhcp_spoof",
};

const char *vmfence_drop_name(enum vmfence_drop_reason reason)
{
	if (reason <= VMFENCE_DROP_UNSPEC || reason >= __VMFENCE_DROP_LAST ||
	    WARN_ON_ONCE(!vmfence_drop_names[reason]))
		return "unknown";
	return vmfence_drop_names[reason];
}
