/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: ARP over Ethernet for IPv4 as it is on the wire, which the
 * kernel has no struct for: what the packet path checks (packet_path.c)
 * and what drop events report the addresses of (events.c).
 */
#ifndef _VMFENCE_ARP_H
#define _VMFENCE_ARP_H

#include <linux/compiler.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/types.h>

/* ARP over Ethernet for IPv4, the only ARP vmfence lets through. */
struct vmfence_arp {
	struct arphdr hdr;
	u8 sha[ETH_ALEN];
	__be32 spa;
	u8 tha[ETH_ALEN];
	__be32 tpa;
} __packed;

/* Is @arp what the struct says: Ethernet and IPv4 addresses? */
static __always_inline bool vmfence_arp_is_ether_ip(const struct vmfence_arp *arp)
{
	return arp->hdr.ar_hrd == htons(ARPHRD_ETHER) &&
	       arp->hdr.ar_pro == htons(ETH_P_IP) &&
	       arp->hdr.ar_hln == ETH_ALEN && arp->hdr.ar_pln == 4;
}

#endif /* _VMFENCE_ARP_H */
