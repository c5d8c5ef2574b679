// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the packet path.
 *
 * Read top to bottom: the two bridge hooks, then the checks they run.
 *
 *   NF_BR_PRE_ROUTING  a frame enters the bridge from port state->in.
 *                      From a port bound in enforce mode it must carry the
 *                      VM's own addresses and must not play infrastructure
 *                      (DHCP server, router).  From an unbound port it
 *                      passes, unless its bridge is set to drop those.
 *   NF_BR_FORWARD      a frame leaves the bridge through port state->out.
 *                      Towards a port bound in enforce mode it must be
 *                      addressed to that VM, and must not be another VM's
 *                      DHCP request.  Flooded frames pass this hook once
 *                      per output port, so each VM is judged on its own.
 *
 * Hooks run under rcu_read_lock() with bottom halves disabled.  They take
 * no lock: one rhashtable lookup finds the port, one rcu_dereference()
 * its binding.  At both hooks skb->data points at the network header;
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
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include "vmfence.h"

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
vmfence_check_from_vm(const struct vmfence_binding *b, struct sk_buff *skb);
static enum vmfence_drop_reason
vmfence_check_to_vm(const struct vmfence_binding *b, struct sk_buff *skb);

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

/* NF_BR_PRE_ROUTING: a frame from a VM enters the bridge. */
static unsigned int vmfence_from_port(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct vmfence_net *vn = priv;
	const struct vmfence_binding *b;
	enum vmfence_drop_reason reason;
	struct vmfence_port *port;

	port = vmfence_port_lookup_rcu(vn, state->in);
	if (!port)
		return vmfence_from_unbound(state, vn, skb);
	b = rcu_dereference(port->binding);
	if (b->mode == VMFENCE_MODE_ENFORCE) {
		reason = vmfence_check_from_vm(b, skb);
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
 * NF_BR_FORWARD: a frame leaves the bridge towards a port.  Only drops
 * are counted here: "passed" counts what a port sent.
 */
static unsigned int vmfence_to_port(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct vmfence_net *vn = priv;
	const struct vmfence_binding *b;
	enum vmfence_drop_reason reason;
	struct vmfence_port *port;

	port = vmfence_port_lookup_rcu(vn, state->out);
	if (!port)
		return NF_ACCEPT;
	b = rcu_dereference(port->binding);
	if (b->mode != VMFENCE_MODE_ENFORCE)
		return NF_ACCEPT;
	reason = vmfence_check_to_vm(b, skb);
	if (reason)
		return vmfence_drop(state, vn, state->out, b, &port->stats,
				    &port->evlimit, skb, reason);
	return NF_ACCEPT;
}

/*
 * Before everything else that may look at the frame: ebtables nat
 * (NF_BR_PRI_NAT_DST_BRIDGED), conntrack, br_netfilter and nftables
 * bridge chains all see only what vmfence let through.
 */
#define VMFENCE_BR_PRI	(NF_BR_PRI_NAT_DST_BRIDGED - 1)

static const struct nf_hook_ops vmfence_nf_ops[] = {
	{
		.hook = vmfence_from_port,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_PRE_ROUTING,
		.priority = VMFENCE_BR_PRI,
	},
	{
		.hook = vmfence_to_port,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_FORWARD,
		.priority = VMFENCE_BR_PRI,
	},
};

/*
 * Each namespace registers its own copy of the hooks, whose ->priv is
 * its vmfence_net: the hooks find their state without net_generic().
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

void vmfence_hooks_unregister(struct net *net, struct vmfence_net *vn)
{
	nf_unregister_net_hooks(net, vn->hook_ops, ARRAY_SIZE(vn->hook_ops));
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
			hdrlen = ipv6_authlen(hp);
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
	    off + (nexthdr == IPPROTO_TCP ? 20 : 8) > up->end)
		return false;
	return true;
}

/* ---- frames from a VM ---- */

static bool vmfence_is_dhcp_client(__be16 sport, __be16 dport)
{
	return sport == htons(DHCP_CLIENT_PORT) &&
	       dport == htons(DHCP_SERVER_PORT);
}

static noinline enum vmfence_drop_reason
vmfence_check_ip4(const struct vmfence_binding *b, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	__be16 sport = 0, dport = 0;
	const struct iphdr *iph;
	bool dhcp_client = false;
	struct iphdr _iph;
	u8 _type;
	const u8 *type;

	iph = vmfence_ip4_header(skb, &_iph);
	if (!iph)
		return VMFENCE_DROP_MALFORMED;

	if (!ip_is_fragment(iph) || !(ntohs(iph->frag_off) & IP_OFFSET)) {
		switch (iph->protocol) {
		case IPPROTO_UDP:
			if (!vmfence_udp_ports(skb, iph->ihl * 4,
					       ntohs(iph->tot_len),
					       &sport, &dport))
				return VMFENCE_DROP_MALFORMED;
			dhcp_client = vmfence_is_dhcp_client(sport, dport);
			break;
		case IPPROTO_ICMP:
			type = iph->ihl * 4 < ntohs(iph->tot_len) ?
			       skb_header_pointer(skb, iph->ihl * 4,
						  sizeof(_type), &_type) : NULL;
			if (!type)
				return VMFENCE_DROP_MALFORMED;
			if (*type == ICMP_REDIRECT)
				return VMFENCE_DROP_REDIRECT;
			break;
		}
	}

	/* A DHCP client has no address yet. */
	if (!vmfence_ip4_in(b->ip4, &iph->saddr) &&
	    !(iph->saddr == htonl(INADDR_ANY) && dhcp_client))
		return VMFENCE_DROP_IP4_SPOOF;
	/* A server answers from port 67; whatever speaks to a client's 68. */
	if (iph->protocol == IPPROTO_UDP &&
	    (sport == htons(DHCP_SERVER_PORT) ||
	     dport == htons(DHCP_CLIENT_PORT)))
		return VMFENCE_DROP_DHCP_SERVER;

	if (b->flags & VMFENCE_PORT_F_MULTICAST)
		return 0;
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

static noinline enum vmfence_drop_reason
vmfence_check_arp(const struct vmfence_binding *b, struct sk_buff *skb)
{
	struct {
		struct arphdr hdr;
		u8 sha[ETH_ALEN];
		__be32 spa;
		u8 tha[ETH_ALEN];
		__be32 tpa;
	} __packed _arp;
	const typeof(_arp) *arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp)
		return VMFENCE_DROP_MALFORMED;
	if (arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) ||
	    arp->hdr.ar_hln != ETH_ALEN || arp->hdr.ar_pln != 4 ||
	    (arp->hdr.ar_op != htons(ARPOP_REQUEST) &&
	     arp->hdr.ar_op != htons(ARPOP_REPLY)))
		return VMFENCE_DROP_ARP_SPOOF;
	/* The frame's source is the bound MAC already: so must this be. */
	if (!ether_addr_equal(arp->sha, b->mac))
		return VMFENCE_DROP_ARP_SPOOF;
	if (vmfence_ip4_in(b->ip4, &arp->spa))
		return 0;
	/* An ARP probe (RFC 5227) asks before the VM takes an address. */
	if (arp->spa == htonl(INADDR_ANY) &&
	    arp->hdr.ar_op == htons(ARPOP_REQUEST))
		return 0;
	return VMFENCE_DROP_ARP_SPOOF;
}

static bool vmfence_ip6_owned(const struct vmfence_binding *b,
			      const struct in6_addr *addr)
{
	return vmfence_ip6_in(b->ip6, addr) ||
	       ipv6_addr_equal(addr, &b->ll6);
}

/*
 * Router Solicitation, Neighbor Solicitation and Advertisement: an NA may
 * only announce the VM's own addresses, and a link-layer address option,
 * wherever it sits, must carry the VM's MAC.
 */
static enum vmfence_drop_reason
vmfence_check_nd(const struct vmfence_binding *b, struct sk_buff *skb,
		 const struct vmfence_ip6_upper *up, u8 type)
{
	int off = up->off + (type == NDISC_ROUTER_SOLICITATION ? 8 : 24);

	/* Neighbour discovery is never fragmented (RFC 6980). */
	if (up->fragmented)
		return VMFENCE_DROP_ND_SPOOF;
	if (off > up->end)
		return VMFENCE_DROP_MALFORMED;
	if (type == NDISC_NEIGHBOUR_ADVERTISEMENT) {
		struct in6_addr _target;
		const struct in6_addr *target;

		target = skb_header_pointer(skb, up->off + 8, sizeof(_target),
					    &_target);
		if (!target)
			return VMFENCE_DROP_MALFORMED;
		if (!vmfence_ip6_owned(b, target))
			return VMFENCE_DROP_ND_SPOOF;
	}
	while (off < up->end) {
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
 * The ICMPv6 a VM may send: never an RA or a redirect; neighbour
 * discovery about itself only.  *@nd_mld says the message is ND or MLD,
 * which may always go to multicast addresses; *@dad that it belongs to
 * duplicate address detection (an NS, or the MLD report sent while DAD
 * runs, RFC 3590), the only messages that may come from "::".
 */
static enum vmfence_drop_reason
vmfence_check_icmp6(const struct vmfence_binding *b, struct sk_buff *skb,
		    const struct vmfence_ip6_upper *up, bool *nd_mld,
		    bool *dad)
{
	u8 _type;
	const u8 *type;

	type = up->off < up->end ?
	       skb_header_pointer(skb, up->off, sizeof(_type), &_type) : NULL;
	if (!type)
		return VMFENCE_DROP_MALFORMED;
	switch (*type) {
	case NDISC_ROUTER_ADVERTISEMENT:
		return VMFENCE_DROP_ROUTER_ADVERT;
	case NDISC_REDIRECT:
		return VMFENCE_DROP_REDIRECT;
	case NDISC_NEIGHBOUR_SOLICITATION:
		*dad = true;
		fallthrough;
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		*nd_mld = true;
		return vmfence_check_nd(b, skb, up, *type);
	case ICMPV6_MGM_REPORT:
	case ICMPV6_MLD2_REPORT:
		*dad = true;
		fallthrough;
	case ICMPV6_MGM_QUERY:
	case ICMPV6_MGM_REDUCTION:
		*nd_mld = true;
		return 0;
	}
	return 0;
}

static noinline enum vmfence_drop_reason
vmfence_check_ip6(const struct vmfence_binding *b, struct sk_buff *skb)
{
	bool nd_mld = false, dad = false, dhcp_client = false;
	enum vmfence_drop_reason reason = 0;
	const struct ipv6hdr *ip6h;
	struct vmfence_ip6_upper up;
	__be16 sport, dport;
	struct ipv6hdr _ip6h;

	ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 ||
	    sizeof(*ip6h) + ntohs(ip6h->payload_len) > skb->len ||
	    !vmfence_ip6_walk(skb, ip6h, &up))
		return VMFENCE_DROP_MALFORMED;

	if (!up.later_fragment) {
		switch (up.proto) {
		case IPPROTO_ICMPV6:
			reason = vmfence_check_icmp6(b, skb, &up, &nd_mld,
						     &dad);
			break;
		case IPPROTO_UDP:
			if (!vmfence_udp_ports(skb, up.off, up.end,
					       &sport, &dport))
				return VMFENCE_DROP_MALFORMED;
			if (sport == htons(DHCP6_SERVER_PORT) ||
			    dport == htons(DHCP6_CLIENT_PORT))
				reason = VMFENCE_DROP_DHCP6_SERVER;
			dhcp_client = sport == htons(DHCP6_CLIENT_PORT) &&
				      dport == htons(DHCP6_SERVER_PORT);
			break;
		}
	}

	if (!vmfence_ip6_owned(b, &ip6h->saddr)) {
		/*
		 * The unspecified source is legitimate only before the VM
		 * has an address: duplicate address detection and the MLD
		 * reports sent while it runs (RFC 3590).
		 */
		if (!ipv6_addr_any(&ip6h->saddr) || !dad)
			return VMFENCE_DROP_IP6_SPOOF;
	}
	if (reason)
		return reason;
	if (b->flags & VMFENCE_PORT_F_MULTICAST)
		return 0;
	if (ipv6_addr_is_multicast(&ip6h->daddr))
		return nd_mld || dhcp_client ? 0 : VMFENCE_DROP_MULTICAST;
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

static enum vmfence_drop_reason
vmfence_check_from_vm(const struct vmfence_binding *b, struct sk_buff *skb)
{
	if (!ether_addr_equal(eth_hdr(skb)->h_source, b->mac))
		return VMFENCE_DROP_MAC_SPOOF;
	/*
	 * A tag here was put there by the VM (the bridge adds its own
	 * later): whatever it carries would escape the checks below.
	 */
	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol)) {
		__be16 tpid = skb_vlan_tag_present(skb) ? skb->vlan_proto :
			      skb->protocol;

		return vmfence_ethertype_allowed(b, tpid) ? 0 :
		       VMFENCE_DROP_VLAN;
	}

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return vmfence_check_ip4(b, skb);
	case htons(ETH_P_ARP):
		return vmfence_check_arp(b, skb);
	case htons(ETH_P_IPV6):
		return vmfence_check_ip6(b, skb);
	}
	return vmfence_ethertype_allowed(b, skb->protocol) ? 0 :
	       VMFENCE_DROP_ETHERTYPE;
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
	    dport == htons(DHCP_SERVER_PORT))
		return VMFENCE_DROP_DHCP_SNOOP;
	/*
	 * Flooded unicast is what a sniffing VM would get: a frame sent to
	 * its MAC must also be sent to one of its addresses.
	 */
	if (unicast && !ipv4_is_multicast(iph->daddr) &&
	    !ipv4_is_lbcast(iph->daddr) &&
	    !vmfence_ip4_in(b->ip4, &iph->daddr))
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

	ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6 ||
	    sizeof(*ip6h) + ntohs(ip6h->payload_len) > skb->len ||
	    !vmfence_ip6_walk(skb, ip6h, &up))
		return VMFENCE_DROP_MALFORMED;
	if (!up.later_fragment && up.proto == IPPROTO_UDP &&
	    vmfence_udp_ports(skb, up.off, up.end, &sport, &dport) &&
	    dport == htons(DHCP6_SERVER_PORT))
		return VMFENCE_DROP_DHCP_SNOOP;
	/*
	 * Whatever the Ethernet destination: IPv6 has no broadcast, so in a
	 * group frame too a unicast packet must be for the VM.
	 */
	if (!ipv6_addr_is_multicast(&ip6h->daddr) &&
	    !vmfence_ip6_owned(b, &ip6h->daddr))
		return VMFENCE_DROP_NOT_FOR_PORT;
	return 0;
}

/* Only questions about, and answers to, the VM's own addresses. */
static noinline enum vmfence_drop_reason
vmfence_check_arp_to_vm(const struct vmfence_binding *b, struct sk_buff *skb)
{
	struct {
		struct arphdr hdr;
		u8 sha[ETH_ALEN];
		__be32 spa;
		u8 tha[ETH_ALEN];
		__be32 tpa;
	} __packed _arp;
	const typeof(_arp) *arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp)
		return VMFENCE_DROP_MALFORMED;
	if (arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) ||
	    arp->hdr.ar_hln != ETH_ALEN || arp->hdr.ar_pln != 4 ||
	    !vmfence_ip4_in(b->ip4, &arp->tpa))
		return VMFENCE_DROP_NOT_FOR_PORT;
	/* A reply answers the VM's own question, asked from its own MAC. */
	if (arp->hdr.ar_op == htons(ARPOP_REPLY) &&
	    !ether_addr_equal(arp->tha, b->mac))
		return VMFENCE_DROP_NOT_FOR_PORT;
	return 0;
}

static enum vmfence_drop_reason
vmfence_check_to_vm(const struct vmfence_binding *b, struct sk_buff *skb)
{
	const u8 *dest = eth_hdr(skb)->h_dest;
	bool unicast = !is_multicast_ether_addr(dest);

	if (unicast && !ether_addr_equal(dest, b->mac))
		return VMFENCE_DROP_NOT_FOR_PORT;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return vmfence_check_ip4_to_vm(b, skb, unicast);
	case htons(ETH_P_ARP):
		return vmfence_check_arp_to_vm(b, skb);
	case htons(ETH_P_IPV6):
		return vmfence_check_ip6_to_vm(b, skb);
	}
	return 0;
}
