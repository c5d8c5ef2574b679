// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the packet path.
 *
 * Read top to bottom: the two bridge hooks, then the checks they run.
 *
 *   NF_NETDEV_INGRESS  a frame arrives from a VM at its port state->in,
 *                      before the bridge, a VLAN device on the port or the
 *                      host's stack sees it (ingress.c says which devices
 *                      carry this hook, and why there).  From a port bound
 *                      in enforce mode it must carry the VM's own
 *                      addresses and must not play infrastructure (DHCP
 *                      server, router, querier).  From an unbound port it
 *                      passes, unless its bridge is set to drop those.
 *   NF_BR_FORWARD,     a frame leaves the bridge through port state->out,
 *   NF_BR_LOCAL_OUT    from another port or from the host's own stack.
 *                      Towards a port bound in enforce mode it must be
 *                      addressed to that VM, and must not be another VM's
 *                      DHCP request.  Flooded frames pass this hook once
 *                      per output port, so each VM is judged on its own.
 *
 * Hooks run under rcu_read_lock() with bottom halves disabled.  They take
 * no lock: one rhashtable lookup finds the port, one rcu_dereference()
 * its binding.  At every hook skb->data points at the network header;
 * every read goes through skb_header_pointer() and its bounds check, and
 * lengths are taken from the IP headers only after they were checked
 * against the frame, so nothing is ever read past the end of the data.
 * The hooks need neither br_netfilter nor the bridge-nf-call-* sysctls.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/igmp.h>
#include <linux/sctp.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include "arp.h"
#include "binding.h"
#include "bridge.h"
#include "claims.h"
#include "events.h"
#include "ingress.h"
#include "netns.h"
#include "packet_path.h"
#include "port.h"
#include "prefix_set.h"
#include "stats.h"
#include "testing.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547

/*
 * The hooks find the port, dispatch on the ethertype and count.  The
 * checks of each protocol, the drop and the unbound path are functions of
 * their own (noinline): a frame pays only for the stack frame and the
 * header buffers of what it is, and a trusted or unbound port for none.
 */
static enum vmfence_drop_reason
vmfence_check_from_vm(struct vmfence_net *vn, const struct vmfence_port *port,
		      const struct vmfence_binding *b, struct sk_buff *skb);
static enum vmfence_drop_reason
vmfence_check_to_vm(struct vmfence_net *vn, const struct vmfence_binding *b,
		    struct sk_buff *skb, const struct nf_hook_state *state);

/*
 * Count a drop under the port (or bridge) and the namespace, and tell
 * whoever listens for drop events.
 */
static noinline unsigned int vmfence_drop(const struct nf_hook_state *state,
					  struct vmfence_net *vn,
					  const struct net_device *dev,
					  const struct vmfence_binding *b,
					  struct vmfence_stats *stats,
					  struct vmfence_evlimit *limit,
					  struct sk_buff *skb,
					  enum vmfence_drop_reason reason)
{
	vmfence_count(stats, reason);
	vmfence_count(&vn->stats, reason);
	if (unlikely(vmfence_event_listeners(state->net)))
		vmfence_event_drop(state->net, vn, dev, b, limit, skb, reason);
	return NF_DROP;
}

/* A frame from a port nobody bound: its bridge decides. */
static noinline unsigned int
vmfence_from_unbound(const struct nf_hook_state *state, struct vmfence_net *vn,
		     struct sk_buff *skb)
{
	struct vmfence_bridge *br;
	struct net_device *master;

	if (xa_empty(&vn->bridges))
		return NF_ACCEPT;
	master = netdev_master_upper_dev_get_rcu(state->in);
	br = master ? vmfence_bridge_lookup_rcu(vn, master) : NULL;
	if (!br || READ_ONCE(br->unbound) != VMFENCE_UNBOUND_DROP)
		return NF_ACCEPT;
	return vmfence_drop(state, vn, state->in, NULL, &br->stats,
			    &br->evlimit, skb, VMFENCE_DROP_UNBOUND);
}

/*
 * NF_NETDEV_INGRESS of a bridge port or bound device: a frame from a VM,
 * before the bridge, a VLAN device on the port, or anything else on the
 * host acts on it (see ingress.c for why here).
 */
static unsigned int vmfence_from_port(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct vmfence_ingress *in = priv;
	struct vmfence_net *vn = in->vn;
	const struct vmfence_binding *b;
	enum vmfence_drop_reason reason;
	struct vmfence_port *port;

	/*
	 * The host's own multicast, looped back to its stack on this device
	 * (dev_loopback_xmit()): not something the VM sent.  A VM cannot
	 * make one: eth_type_trans() never says PACKET_LOOPBACK.
	 */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return NF_ACCEPT;
	vmfence_test_hook_delay(vmfence_test_dying(vn));
	/* The hook is the device's own: its port comes without a lookup. */
	port = rcu_dereference(in->port);
	if (!port)
		return vmfence_from_unbound(state, vn, skb);
	b = rcu_dereference(port->binding);
	if (b->mode == VMFENCE_MODE_ENFORCE) {
		reason = vmfence_check_from_vm(vn, port, b, skb);
		if (unlikely(reason))
			return vmfence_drop(state, vn, state->in, b,
					    &port->stats, &port->evlimit, skb,
					    reason);
	}
	vmfence_count(&port->stats, 0);
	vmfence_count(&vn->stats, 0);
	return NF_ACCEPT;
}

/*
 * NF_BR_FORWARD and NF_BR_LOCAL_OUT: a frame leaves the bridge towards a
 * port, from another port or from the host's own stack (the bridge's
 * address: a gateway, a DHCP or metadata server).  Only drops are
 * counted here: "passed" counts what a port sent.
 */
static unsigned int vmfence_to_port(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct vmfence_net *vn = priv;
	const struct vmfence_binding *b;
	enum vmfence_drop_reason reason;
	struct vmfence_port *port;

	vmfence_test_hook_delay(vmfence_test_dying(vn));
	port = vmfence_port_lookup_rcu(vn, state->out);
	if (!port)
		return NF_ACCEPT;
	b = rcu_dereference(port->binding);
	if (b->mode != VMFENCE_MODE_ENFORCE)
		return NF_ACCEPT;
	reason = vmfence_check_to_vm(vn, b, skb, state);
	if (reason)
		return vmfence_drop(state, vn, state->out, b, &port->stats,
				    &port->evlimit, skb, reason);
	return NF_ACCEPT;
}

/*
 * Towards a VM, before everything else that may look at the frame:
 * ebtables (NF_BR_PRI_FILTER_BRIDGED), conntrack, br_netfilter and
 * nftables bridge chains see only what vmfence let through.
 */
#define VMFENCE_BR_PRI	(NF_BR_PRI_NAT_DST_BRIDGED - 1)

static const struct nf_hook_ops vmfence_nf_ops[] = {
	{
		.hook = vmfence_to_port,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_FORWARD,
		.priority = VMFENCE_BR_PRI,
	},
	{
		.hook = vmfence_to_port,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_LOCAL_OUT,
		.priority = VMFENCE_BR_PRI,
	},
};

/*
 * Each namespace registers its own copy of the bridge hooks, whose ->priv
 * is its vmfence_net: the hooks find their state without net_generic().
 */
int vmfence_hooks_register(struct net *net, struct vmfence_net *vn)
{
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(vmfence_nf_ops) != ARRAY_SIZE(vn->hook_ops));
	for (i = 0; i < ARRAY_SIZE(vmfence_nf_ops); i++) {
		vn->hook_ops[i] = vmfence_nf_ops[i];
		vn->hook_ops[i].priv = vn;
	}
	return nf_register_net_hooks(net, vn->hook_ops,
				     ARRAY_SIZE(vn->hook_ops));
}

/*
 * Unregistering does not wait for hooks in flight (the old hook entries
 * are freed with call_rcu()): the caller waits for a grace period before
 * freeing anything the hooks read.
 */
void vmfence_hooks_unregister(struct net *net, struct vmfence_net *vn)
{
	nf_unregister_net_hooks(net, vn->hook_ops, ARRAY_SIZE(vn->hook_ops));
}

/*
 * The ingress hook of one device (ingress.c attaches it): first among
 * the device's ingress hooks, before nftables netdev chains.
 */
void vmfence_ingress_ops_init(struct vmfence_ingress *in,
			      struct net_device *dev)
{
	in->ops = (struct nf_hook_ops) {
		.hook = vmfence_from_port,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = INT_MIN,
		.dev = dev,
		.priv = in,
	};
}

/* ---- parsing shared by both directions ---- */

/*
 * An IPv4 header checked against the frame.  Also tells whether the
 * transport header is in this packet (first or only fragment) and where.
 */
static __always_inline const struct iphdr *
vmfence_ip4_header(struct sk_buff *skb, struct iphdr *buf)
{
	const struct iphdr *iph;

	iph = skb_header_pointer(skb, 0, sizeof(*buf), buf);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    ntohs(iph->tot_len) < iph->ihl * 4 ||
	    ntohs(iph->tot_len) > skb->len)
		return NULL;
	return iph;
}

/* The UDP ports of a first or only fragment; false if there are none. */
static __always_inline bool vmfence_udp_ports(struct sk_buff *skb, int off,
					      int end, __be16 *sport,
					      __be16 *dport)
{
	struct udphdr _uh;
	const struct udphdr *uh;

	if (off + (int)sizeof(_uh) > end)
		return false;
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh)
		return false;
	*sport = uh->source;
	*dport = uh->dest;
	return true;
}

/* The first byte of the upper-layer header (an ICMP or IGMP type). */
static __always_inline const u8 *vmfence_l4_type(struct sk_buff *skb, int off,
						 int end, u8 *buf)
{
	return off < end ? skb_header_pointer(skb, off, 1, buf) : NULL;
}

/* Where an IPv6 packet's upper-layer header is: what it takes to find it. */
struct vmfence_ip6_upper {
	int off;		/* offset of the upper-layer header */
	int end;		/* end of the IPv6 payload */
	u8 proto;		/* IPPROTO_* */
	bool later_fragment;	/* not the first: no upper-layer header */
	bool fragmented;	/* a fragment header was seen */
};

/*
 * Walk the extension headers (hop-by-hop, routing, destination options,
 * fragment, AH) to the upper-layer header.  RA guard evasion hides an RA
 * behind such headers, or pushes it out of the first fragment: a chain
 * that does not end inside the packet, first fragment included, is
 * malformed (RFC 7112, RFC 7113).
 */
static bool vmfence_ip6_walk(struct sk_buff *skb, const struct ipv6hdr *ip6h,
			     struct vmfence_ip6_upper *up)
{
	u8 nexthdr = ip6h->nexthdr;
	int off = sizeof(*ip6h);

	up->end = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	up->fragmented = false;
	up->later_fragment = false;
	/* Each header is at least 8 bytes long: the loop ends. */
	while (ipv6_ext_hdr(nexthdr)) {
		struct ipv6_opt_hdr _hdr;
		const struct ipv6_opt_hdr *hp;
		int hdrlen;

		if (nexthdr == NEXTHDR_NONE)
			break;		/* nothing follows: legitimate */
		hp = skb_header_pointer(skb, off, sizeof(_hdr), &_hdr);
		if (!hp)
			return false;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			const struct frag_hdr *fh;
			struct frag_hdr _fh;

			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return false;
			/* Atomic fragments (RFC 6946) count as fragments. */
			up->fragmented = true;
			if (ntohs(fh->frag_off) & ~0x7) {
				up->later_fragment = true;
				up->proto = fh->nexthdr;
				up->off = off + sizeof(*fh);
				return up->off <= up->end;
			}
			hdrlen = sizeof(*fh);
		} else if (nexthdr == NEXTHDR_AUTH) {
			hdrlen = vmfence_test_skipped(VMFENCE_SKIP_AH_LEN) ?
				 ipv6_optlen(hp) : ipv6_authlen(hp);
		} else {
			hdrlen = ipv6_optlen(hp);
		}
		nexthdr = hp->nexthdr;
		off += hdrlen;
		if (off > up->end)
			return false;
	}
	up->off = off;
	up->proto = nexthdr;
	/*
	 * A first fragment must carry the whole upper-layer header (RFC
	 * 7112): TCP's is 20 bytes (its flags are past the first 8), every
	 * other one at least 8.
	 */
	if (up->fragmented && nexthdr != NEXTHDR_NONE &&
	    !vmfence_test_skipped(VMFENCE_SKIP_FIRST_FRAG) &&
	    off + (nexthdr == IPPROTO_TCP ? 20 : 8) > up->end)
		return false;
	return true;
}

/*
 * An IPv6 header checked against the frame, and its extension headers
 * walked to the upper-layer header: NULL if either is malformed.
 */
static __always_inline const struct ipv6hdr *
vmfence_ip6_header(struct sk_buff *skb, struct ipv6hdr *buf,
		   struct vmfence_ip6_upper *up)
{
	const struct ipv6hdr *ip6h;

	ip6h = skb_header_pointer(skb, 0, sizeof(*buf), buf);
	if (!ip6h || ip6h->version != 6 ||
	    sizeof(*ip6h) + ntohs(ip6h->payload_len) > skb->len ||
	    !vmfence_ip6_walk(skb, ip6h, up))
		return NULL;
	return ip6h;
}

/* ---- frames from a VM ---- */

/*
 * What a port owns: an address its binding holds, unless the binding
 * holds it only through a prefix and another port of the same bridge
 * holds it exactly (claims.c: the more specific binding wins).
 */
static bool vmfence_ip4_owned(struct vmfence_net *vn,
			      const struct vmfence_port *port,
			      const struct vmfence_binding *b,
			      const __be32 *addr)
{
	int plen = vmfence_ip4_match(b->ip4, addr);

	return plen == 32 ||
	       (plen >= 0 && (vmfence_test_skipped(VMFENCE_SKIP_CLAIMS) ||
			      !vmfence_claimed_by_other(vn, port, addr, 4)));
}

static bool vmfence_ip6_owned(struct vmfence_net *vn,
			      const struct vmfence_port *port,
			      const struct vmfence_binding *b,
			      const struct in6_addr *addr)
{
	int plen = vmfence_ip6_match(b->ip6, addr);

	if (plen == 128 || ipv6_addr_equal(addr, &b->ll6))
		return true;
	return plen >= 0 && (vmfence_test_skipped(VMFENCE_SKIP_CLAIMS) ||
			     !vmfence_claimed_by_other(vn, port, addr, 16));
}

/*
 * A frame the VM marked CHECKSUM_PARTIAL carries offsets the VM chose (a
 * virtio-net header: QEMU, vhost-net, a packet socket with PACKET_VNET_HDR).
 * A device without checksum offload has skb_checksum_help() write 16 bits
 * at csum_start + csum_offset, after every check here, and segmentation
 * takes the transport header from csum_start: they must be exactly the
 * checksum field of the transport header parsed here (@thoff from the
 * network header, @end the end of the IP payload), or the VM could
 * rewrite ports, addresses or MACs that were checked.  Resolving the
 * checksum here instead is no remedy when csum_start lies before the
 * network header.
 */
static bool vmfence_csum_ok(const struct sk_buff *skb, int thoff, int end,
			    u8 proto)
{
	unsigned int field;

	if (skb_checksum_start_offset(skb) != thoff)
		return false;
	switch (proto) {
	case IPPROTO_TCP:
		field = offsetof(struct tcphdr, check);
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		field = offsetof(struct udphdr, check);
		break;
	case IPPROTO_SCTP:
		field = offsetof(struct sctphdr, checksum);
		break;
	case IPPROTO_ICMP:
		field = offsetof(struct icmphdr, checksum);
		break;
	case IPPROTO_ICMPV6:
		field = offsetof(struct icmp6hdr, icmp6_cksum);
		break;
	default:
		return false;
	}
	return skb->csum_offset == field && thoff + field + 2 <= end;
}

static bool vmfence_is_dhcp_client(__be16 sport, __be16 dport)
{
	return sport == htons(DHCP_CLIENT_PORT) &&
	       dport == htons(DHCP_SERVER_PORT);
}

/*
 * A DHCPv4 client message names its hardware address in chaddr, and a
 * server leases by it: one VM sending DISCOVERs under made-up addresses
 * would exhaust the pool.  chaddr must be the bound MAC, in this packet.
 */
static bool vmfence_dhcp_chaddr_ok(const struct vmfence_binding *b,
				   struct sk_buff *skb, int off, int end)
{
	/* op htype hlen hops, xid, secs flags, ciaddr yiaddr siaddr giaddr */
	const int chaddr = sizeof(struct udphdr) + 28;
	u8 _hw[3 + ETH_ALEN];
	const u8 *hw;

	if (off + chaddr + ETH_ALEN > end)
		return false;
	hw = skb_header_pointer(skb, off + sizeof(struct udphdr) + 1,
				sizeof(_hw), _hw);
	if (!hw || hw[0] != ARPHRD_ETHER || hw[1] != ETH_ALEN)
		return false;
	hw = skb_header_pointer(skb, off + chaddr, ETH_ALEN, _hw);
	return hw && ether_addr_equal(hw, b->mac);
}

#define VMFENCE_ICMP_ROUTERADVERT	9	/* RFC 1256 router discovery */

static noinline enum vmfence_drop_reason
vmfence_check_ip4(struct vmfence_net *vn, const struct vmfence_port *port,
		  const struct vmfence_binding *b, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	bool dhcp_client = false, query = false;
	__be16 sport = 0, dport = 0;
	const struct iphdr *iph;
	struct iphdr _iph;
	int thoff, end;
	u8 _type;
	const u8 *type;

	iph = vmfence_ip4_header(skb, &_iph);
	if (!iph)
		return VMFENCE_DROP_MALFORMED;
	thoff = iph->ihl * 4;
	end = ntohs(iph->tot_len);

	if (!ip_is_fragment(iph) || !(ntohs(iph->frag_off) & IP_OFFSET)) {
		switch (iph->protocol) {
		case IPPROTO_UDP:
			if (!vmfence_udp_ports(skb, thoff, end, &sport, &dport))
				return VMFENCE_DROP_MALFORMED;
			dhcp_client = vmfence_is_dhcp_client(sport, dport);
			break;
		case IPPROTO_ICMP:
			type = vmfence_l4_type(skb, thoff, end, &_type);
			if (!type)
				return VMFENCE_DROP_MALFORMED;
			if (*type == ICMP_REDIRECT)
				return VMFENCE_DROP_REDIRECT;
			if (*type == VMFENCE_ICMP_ROUTERADVERT)
				return VMFENCE_DROP_ROUTER_ADVERT;
			break;
		case IPPROTO_IGMP:
			type = vmfence_l4_type(skb, thoff, end, &_type);
			if (!type)
				return VMFENCE_DROP_MALFORMED;
			/* A querier: snooping bridges make it a router port. */
			query = *type == IGMP_HOST_MEMBERSHIP_QUERY;
			break;
		}
		if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL) &&
		    !vmfence_csum_ok(skb, thoff, end, iph->protocol))
			return VMFENCE_DROP_CSUM_OFFLOAD;
	} else if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL)) {
		/* A later fragment has no transport checksum to complete. */
		return VMFENCE_DROP_CSUM_OFFLOAD;
	}

	/* A DHCP client has no address yet. */
	if (!vmfence_ip4_owned(vn, port, b, &iph->saddr) &&
	    !(iph->saddr == htonl(INADDR_ANY) && dhcp_client))
		return VMFENCE_DROP_IP4_SPOOF;
	/* A server answers from port 67; whatever speaks to a client's 68. */
	if (iph->protocol == IPPROTO_UDP &&
	    (sport == htons(DHCP_SERVER_PORT) ||
	     dport == htons(DHCP_CLIENT_PORT)) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_DHCP_SERVER))
		return VMFENCE_DROP_DHCP_SERVER;
	if (dhcp_client && !vmfence_dhcp_chaddr_ok(b, skb, thoff, end) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_CHADDR))
		return VMFENCE_DROP_DHCP_SPOOF;

	if (b->flags & VMFENCE_PORT_F_MULTICAST)
		return 0;
	if (query)
		return VMFENCE_DROP_MULTICAST;
	/*
	 * The Ethernet destination first: a group other than broadcast is
	 * multicast whatever the IP destination.  A DHCP client broadcasts:
	 * that, and only that, it may do.
	 */
	if (is_broadcast_ether_addr(eth->h_dest) ||
	    (!is_multicast_ether_addr(eth->h_dest) &&
	     ipv4_is_lbcast(iph->daddr))) {
		if (!dhcp_client)
			return VMFENCE_DROP_BROADCAST;
	} else if (is_multicast_ether_addr(eth->h_dest)) {
		return VMFENCE_DROP_MULTICAST;
	}
	if (ipv4_is_multicast(iph->daddr))
		return VMFENCE_DROP_MULTICAST;
	return 0;
}

/* A group address other than broadcast, under "multicast deny". */
static bool vmfence_group_denied(const struct vmfence_binding *b,
				 const u8 *dest)
{
	return is_multicast_ether_addr(dest) && !is_broadcast_ether_addr(dest) &&
	       !(b->flags & VMFENCE_PORT_F_MULTICAST);
}

static noinline enum vmfence_drop_reason
vmfence_check_arp(struct vmfence_net *vn, const struct vmfence_port *port,
		  const struct vmfence_binding *b, struct sk_buff *skb)
{
	const struct vmfence_arp *arp;
	struct vmfence_arp _arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp)
		return VMFENCE_DROP_MALFORMED;
	if (!vmfence_arp_is_ether_ip(arp) ||
	    (arp->hdr.ar_op != htons(ARPOP_REQUEST) &&
	     arp->hdr.ar_op != htons(ARPOP_REPLY)))
		return VMFENCE_DROP_ARP_SPOOF;
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL))
		return VMFENCE_DROP_CSUM_OFFLOAD;
	/* The frame's source is the bound MAC already: so must this be. */
	if (!ether_addr_equal(arp->sha, b->mac))
		return VMFENCE_DROP_ARP_SPOOF;
	if (!vmfence_ip4_owned(vn, port, b, &arp->spa) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_ARP_SENDER)) {
		/*
		 * An ARP probe (RFC 5227) asks before the VM takes an
		 * address: only about an address the VM may take, or a
		 * neighbour doing conflict detection would give up its own.
		 */
		if (arp->spa != htonl(INADDR_ANY) ||
		    arp->hdr.ar_op != htons(ARPOP_REQUEST) ||
		    !vmfence_ip4_owned(vn, port, b, &arp->tpa))
			return VMFENCE_DROP_ARP_SPOOF;
	}
	if (vmfence_group_denied(b, eth_hdr(skb)->h_dest))
		return VMFENCE_DROP_MULTICAST;
	return 0;
}

/*
 * Router Solicitation, Neighbor Solicitation and Advertisement: an NA may
 * only announce the VM's own addresses, a duplicate address detection
 * probe (an NS from ::) may only ask about one, and a link-layer address
 * option, wherever it sits, must carry the VM's MAC.
 */
static enum vmfence_drop_reason
vmfence_check_nd(struct vmfence_net *vn, const struct vmfence_port *port,
		 const struct vmfence_binding *b, struct sk_buff *skb,
		 const struct vmfence_ip6_upper *up, u8 type, bool from_any)
{
	int off = up->off + (type == NDISC_ROUTER_SOLICITATION ? 8 : 24);

	/* Neighbour discovery is never fragmented (RFC 6980). */
	if (up->fragmented)
		return VMFENCE_DROP_ND_SPOOF;
	if (off > up->end)
		return VMFENCE_DROP_MALFORMED;
	if (type == NDISC_NEIGHBOUR_ADVERTISEMENT ||
	    (type == NDISC_NEIGHBOUR_SOLICITATION && from_any)) {
		struct in6_addr _target;
		const struct in6_addr *target;

		target = skb_header_pointer(skb, up->off + 8, sizeof(_target),
					    &_target);
		if (!target)
			return VMFENCE_DROP_MALFORMED;
		if (!vmfence_ip6_owned(vn, port, b, target) &&
		    !vmfence_test_skipped(VMFENCE_SKIP_NA_TARGET))
			return VMFENCE_DROP_ND_SPOOF;
	}
	while (off < up->end && !vmfence_test_skipped(VMFENCE_SKIP_ND_OPTIONS)) {
		u8 _opt[2 + ETH_ALEN];
		const u8 *opt;

		opt = skb_header_pointer(skb, off, 2, _opt);
		if (!opt || !opt[1] || off + opt[1] * 8 > up->end)
			return VMFENCE_DROP_MALFORMED;
		if (opt[0] == ND_OPT_SOURCE_LL_ADDR ||
		    opt[0] == ND_OPT_TARGET_LL_ADDR) {
			opt = skb_header_pointer(skb, off, sizeof(_opt), _opt);
			if (!opt)
				return VMFENCE_DROP_MALFORMED;
			if (!ether_addr_equal(opt + 2, b->mac))
				return VMFENCE_DROP_ND_SPOOF;
		}
		off += opt[1] * 8;
	}
	return 0;
}

/*
 * The infrastructure roles an IPv6 packet from a VM plays, for the
 * multicast rule: each may go to the groups it needs and no others.
 */
enum vmfence_ip6_role {
	VMFENCE_ROLE_NONE,
	VMFENCE_ROLE_ND,		/* RS, NS, NA */
	VMFENCE_ROLE_MLD_REPORT,	/* MLDv1 report: to its group */
	VMFENCE_ROLE_MLD_DONE,		/* MLDv1 done: to all routers */
	VMFENCE_ROLE_MLD2_REPORT,	/* MLDv2 report: to ff02::16 */
	VMFENCE_ROLE_MLD_QUERY,		/* a querier: "multicast allow" only */
	VMFENCE_ROLE_DHCP6_CLIENT,	/* to ff02::1:2, ff05::1:3 */
};

/*
 * The ICMPv6 a VM may send: never an RA or a redirect; neighbour
 * discovery about itself only.  *@role says what the message is for the
 * multicast rule; *@dad that it belongs to duplicate address detection
 * (an NS, or the MLD report sent while DAD runs, RFC 3590), the only
 * messages that may come from "::".
 */
static enum vmfence_drop_reason
vmfence_check_icmp6(struct vmfence_net *vn, const struct vmfence_port *port,
		    const struct vmfence_binding *b, struct sk_buff *skb,
		    const struct vmfence_ip6_upper *up, bool from_any,
		    enum vmfence_ip6_role *role, bool *dad)
{
	u8 _type;
	const u8 *type;

	type = vmfence_l4_type(skb, up->off, up->end, &_type);
	if (!type)
		return VMFENCE_DROP_MALFORMED;
	switch (*type) {
	case NDISC_ROUTER_ADVERTISEMENT:
		if (vmfence_test_skipped(VMFENCE_SKIP_RA))
			return 0;
		return VMFENCE_DROP_ROUTER_ADVERT;
	case NDISC_REDIRECT:
		return VMFENCE_DROP_REDIRECT;
	case NDISC_NEIGHBOUR_SOLICITATION:
		*dad = true;
		fallthrough;
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		*role = VMFENCE_ROLE_ND;
		return vmfence_check_nd(vn, port, b, skb, up, *type, from_any);
	case ICMPV6_MGM_REPORT:
		*dad = true;
		*role = VMFENCE_ROLE_MLD_REPORT;
		return 0;
	case ICMPV6_MLD2_REPORT:
		*dad = true;
		*role = VMFENCE_ROLE_MLD2_REPORT;
		return 0;
	case ICMPV6_MGM_REDUCTION:
		*role = VMFENCE_ROLE_MLD_DONE;
		return 0;
	case ICMPV6_MGM_QUERY:
		*role = VMFENCE_ROLE_MLD_QUERY;
		return 0;
	}
	return 0;
}

/* ff02::16, where MLDv2 reports go (RFC 3810). */
static bool vmfence_ip6_is_mld2_routers(const struct in6_addr *a)
{
	return a->s6_addr32[0] == htonl(0xff020000) && !a->s6_addr32[1] &&
	       !a->s6_addr32[2] && a->s6_addr32[3] == htonl(0x16);
}

/*
 * ff02::1:2 (relay agents and servers) and ff05::1:3 (servers), where
 * DHCPv6 clients ask (RFC 8415).
 */
static bool vmfence_ip6_is_dhcp6_group(const struct in6_addr *a)
{
	if (a->s6_addr32[1] || a->s6_addr32[2])
		return false;
	return (a->s6_addr32[0] == htonl(0xff020000) &&
		a->s6_addr32[3] == htonl(0x00010002)) ||
	       (a->s6_addr32[0] == htonl(0xff050000) &&
		a->s6_addr32[3] == htonl(0x00010003));
}

/*
 * Under "multicast deny", may a packet of @role go to the group @daddr?
 * ND to all-nodes, all-routers and solicited-node groups; MLD reports to
 * ff02::16 or, in MLDv1, to the group reported; MLDv1 done to
 * all-routers; DHCPv6 client messages to the DHCPv6 groups.
 */
static bool vmfence_ip6_group_ok(struct sk_buff *skb,
				 const struct vmfence_ip6_upper *up,
				 enum vmfence_ip6_role role,
				 const struct in6_addr *daddr)
{
	struct in6_addr _group;
	const struct in6_addr *group;

	switch (role) {
	case VMFENCE_ROLE_ND:
		return ipv6_addr_is_ll_all_nodes(daddr) ||
		       ipv6_addr_is_ll_all_routers(daddr) ||
		       ipv6_addr_is_solict_mult(daddr);
	case VMFENCE_ROLE_MLD_REPORT:
		group = up->off + 8 + (int)sizeof(_group) <= up->end ?
			skb_header_pointer(skb, up->off + 8, sizeof(_group),
					   &_group) : NULL;
		return group && ipv6_addr_equal(group, daddr);
	case VMFENCE_ROLE_MLD_DONE:
		return ipv6_addr_is_ll_all_routers(daddr);
	case VMFENCE_ROLE_MLD2_REPORT:
		return vmfence_ip6_is_mld2_routers(daddr);
	case VMFENCE_ROLE_DHCP6_CLIENT:
		return vmfence_ip6_is_dhcp6_group(daddr);
	default:
		return false;
	}
}

static noinline enum vmfence_drop_reason
vmfence_check_ip6(struct vmfence_net *vn, const struct vmfence_port *port,
		  const struct vmfence_binding *b, struct sk_buff *skb)
{
	enum vmfence_ip6_role role = VMFENCE_ROLE_NONE;
	enum vmfence_drop_reason reason = 0;
	const struct ipv6hdr *ip6h;
	struct vmfence_ip6_upper up;
	struct ipv6hdr _ip6h;
	__be16 sport, dport;
	bool dad = false;
	bool from_any;

	ip6h = vmfence_ip6_header(skb, &_ip6h, &up);
	if (!ip6h)
		return VMFENCE_DROP_MALFORMED;
	from_any = ipv6_addr_any(&ip6h->saddr);

	if (!up.later_fragment) {
		switch (up.proto) {
		case IPPROTO_ICMPV6:
			reason = vmfence_check_icmp6(vn, port, b, skb, &up,
						     from_any, &role, &dad);
			break;
		case IPPROTO_UDP:
			if (!vmfence_udp_ports(skb, up.off, up.end,
					       &sport, &dport))
				return VMFENCE_DROP_MALFORMED;
			if (sport == htons(DHCP6_SERVER_PORT) ||
			    dport == htons(DHCP6_CLIENT_PORT))
				reason = VMFENCE_DROP_DHCP6_SERVER;
			else if (sport == htons(DHCP6_CLIENT_PORT) &&
				 dport == htons(DHCP6_SERVER_PORT))
				role = VMFENCE_ROLE_DHCP6_CLIENT;
			break;
		}
		if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL) && !reason &&
		    !vmfence_csum_ok(skb, up.off, up.end, up.proto))
			reason = VMFENCE_DROP_CSUM_OFFLOAD;
	} else if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL)) {
		reason = VMFENCE_DROP_CSUM_OFFLOAD;
	}

	if (!vmfence_ip6_owned(vn, port, b, &ip6h->saddr)) {
		/*
		 * The unspecified source is legitimate only before the VM
		 * has an address: duplicate address detection and the MLD
		 * reports sent while it runs (RFC 3590).
		 */
		if (!from_any || !dad)
			return VMFENCE_DROP_IP6_SPOOF;
	}
	if (reason)
		return reason;
	if (b->flags & VMFENCE_PORT_F_MULTICAST)
		return 0;
	/* A querier: snooping bridges make its port a router port. */
	if (role == VMFENCE_ROLE_MLD_QUERY)
		return VMFENCE_DROP_MULTICAST;
	if (ipv6_addr_is_multicast(&ip6h->daddr))
		return vmfence_ip6_group_ok(skb, &up, role, &ip6h->daddr) ||
		       (role != VMFENCE_ROLE_NONE &&
			vmfence_test_skipped(VMFENCE_SKIP_MCAST_GROUPS)) ?
		       0 : VMFENCE_DROP_MULTICAST;
	/* IPv6 has no broadcast: a unicast packet never goes to a group. */
	if (is_multicast_ether_addr(eth_hdr(skb)->h_dest))
		return VMFENCE_DROP_MULTICAST;
	return 0;
}

static bool vmfence_ethertype_allowed(const struct vmfence_binding *b,
				      __be16 proto)
{
	int i;

	for (i = 0; i < b->n_ethertypes; i++)
		if (b->ethertypes[i] == proto)
			return true;
	return false;
}

/*
 * A frame vmfence lets through without reading its content (an allowed
 * ethertype, a tagged frame with 0x8100 allowed): a checksum completed on
 * the way may only land in that content, never in the Ethernet header
 * or the tag.
 */
static enum vmfence_drop_reason
vmfence_check_opaque(const struct vmfence_binding *b, struct sk_buff *skb)
{
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL) &&
	    skb_checksum_start_offset(skb) < 0)
		return VMFENCE_DROP_CSUM_OFFLOAD;
	if (vmfence_group_denied(b, eth_hdr(skb)->h_dest))
		return VMFENCE_DROP_MULTICAST;
	return 0;
}

/* 01:80:c2:00:00:00, where spanning tree BPDUs go. */
static const u8 vmfence_bridge_group[ETH_ALEN] __aligned(2) = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x00
};

static enum vmfence_drop_reason
vmfence_check_from_vm(struct vmfence_net *vn, const struct vmfence_port *port,
		      const struct vmfence_binding *b, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);

	if (!ether_addr_equal(eth->h_source, b->mac))
		return VMFENCE_DROP_MAC_SPOOF;
	/*
	 * A tag here was put there by the VM (the bridge adds its own
	 * later): whatever it carries would escape the checks below.
	 */
	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol)) {
		__be16 tpid = skb_vlan_tag_present(skb) ? skb->vlan_proto :
			      skb->protocol;

		return vmfence_ethertype_allowed(b, tpid) ?
		       vmfence_check_opaque(b, skb) : VMFENCE_DROP_VLAN;
	}

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return vmfence_check_ip4(vn, port, b, skb);
	case htons(ETH_P_ARP):
		return vmfence_check_arp(vn, port, b, skb);
	case htons(ETH_P_IPV6):
		return vmfence_check_ip6(vn, port, b, skb);
	}
	/* Spanning tree: a VM taking the root would reshape forwarding. */
	if (ether_addr_equal(eth->h_dest, vmfence_bridge_group))
		return VMFENCE_DROP_BPDU;
	return vmfence_ethertype_allowed(b, skb->protocol) ?
	       vmfence_check_opaque(b, skb) : VMFENCE_DROP_ETHERTYPE;
}

/* ---- frames towards a VM ---- */

static noinline enum vmfence_drop_reason
vmfence_check_ip4_to_vm(const struct vmfence_binding *b, struct sk_buff *skb,
			bool unicast)
{
	__be16 sport, dport;
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = vmfence_ip4_header(skb, &_iph);
	if (!iph)
		return VMFENCE_DROP_MALFORMED;
	if (iph->protocol == IPPROTO_UDP && !(ntohs(iph->frag_off) & IP_OFFSET) &&
	    vmfence_udp_ports(skb, iph->ihl * 4, ntohs(iph->tot_len),
			      &sport, &dport) &&
	    dport == htons(DHCP_SERVER_PORT) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_DHCP_SNOOP))
		return VMFENCE_DROP_DHCP_SNOOP;
	/*
	 * Flooded unicast is what a sniffing VM would get: a frame sent to
	 * its MAC must also be sent to one of its addresses.
	 */
	if (unicast && !ipv4_is_multicast(iph->daddr) &&
	    !ipv4_is_lbcast(iph->daddr) &&
	    !vmfence_ip4_in(b->ip4, &iph->daddr) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_TO_VM_ADDR))
		return VMFENCE_DROP_NOT_FOR_PORT;
	return 0;
}

static noinline enum vmfence_drop_reason
vmfence_check_ip6_to_vm(const struct vmfence_binding *b, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h;
	struct vmfence_ip6_upper up;
	struct ipv6hdr _ip6h;
	__be16 sport, dport;

	ip6h = vmfence_ip6_header(skb, &_ip6h, &up);
	if (!ip6h)
		return VMFENCE_DROP_MALFORMED;
	if (!up.later_fragment && up.proto == IPPROTO_UDP &&
	    vmfence_udp_ports(skb, up.off, up.end, &sport, &dport) &&
	    dport == htons(DHCP6_SERVER_PORT) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_DHCP_SNOOP))
		return VMFENCE_DROP_DHCP_SNOOP;
	/*
	 * Whatever the Ethernet destination: IPv6 has no broadcast, so in a
	 * group frame too a unicast packet must be for the VM.
	 */
	if (!ipv6_addr_is_multicast(&ip6h->daddr) &&
	    !vmfence_ip6_in(b->ip6, &ip6h->daddr) &&
	    !vmfence_test_skipped(VMFENCE_SKIP_TO_VM_ADDR) &&
	    !ipv6_addr_equal(&ip6h->daddr, &b->ll6))
		return VMFENCE_DROP_NOT_FOR_PORT;
	return 0;
}

/*
 * Did a gratuitous ARP come from someone entitled to announce its sender
 * address: the host's own stack (@in is NULL), a trusted port (a router,
 * a VRRP/keepalived pair taking over the gateway), or an enforce port,
 * whose sender address its own checks proved to be its own?  Not a port
 * nobody bound.
 */
static bool vmfence_garp_sender_ok(struct vmfence_net *vn,
				   const struct net_device *in)
{
	return !in || vmfence_port_lookup_rcu(vn, in);
}

/* Only questions about, and answers to, the VM's own addresses. */
static noinline enum vmfence_drop_reason
vmfence_check_arp_to_vm(struct vmfence_net *vn,
			const struct vmfence_binding *b, struct sk_buff *skb,
			const struct nf_hook_state *state)
{
	const struct vmfence_arp *arp;
	struct vmfence_arp _arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp)
		return VMFENCE_DROP_MALFORMED;
	if (!vmfence_arp_is_ether_ip(arp))
		return VMFENCE_DROP_NOT_FOR_PORT;
	/* An announcement (RFC 5227: sender address = target address). */
	if (arp->spa == arp->tpa && arp->spa != htonl(INADDR_ANY) &&
	    vmfence_garp_sender_ok(vn, state->in))
		return 0;
	if (!vmfence_ip4_in(b->ip4, &arp->tpa))
		return VMFENCE_DROP_NOT_FOR_PORT;
	/* A reply answers the VM's own question, asked from its own MAC. */
	if (arp->hdr.ar_op == htons(ARPOP_REPLY) &&
	    !ether_addr_equal(arp->tha, b->mac))
		return VMFENCE_DROP_NOT_FOR_PORT;
	return 0;
}

static enum vmfence_drop_reason
vmfence_check_to_vm(struct vmfence_net *vn, const struct vmfence_binding *b,
		    struct sk_buff *skb, const struct nf_hook_state *state)
{
	const u8 *dest = eth_hdr(skb)->h_dest;
	bool unicast = !is_multicast_ether_addr(dest);

	if (unicast && !ether_addr_equal(dest, b->mac))
		return VMFENCE_DROP_NOT_FOR_PORT;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return vmfence_check_ip4_to_vm(b, skb, unicast);
	case htons(ETH_P_ARP):
		return vmfence_check_arp_to_vm(vn, b, skb, state);
	case htons(ETH_P_IPV6):
		return vmfence_check_ip6_to_vm(b, skb);
	}
	return 0;
}
