// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: drop events, a summary of each dropped frame multicast to the
 * "events" group of the netlink family while someone listens.
 *
 * This runs in the packet path, but only for frames being dropped and
 * only when the group has listeners.  A VM that floods forged frames must
 * not turn that into a flood of events: each port (or, for "unbound"
 * drops, each bridge) may send event_rate events per second, and the
 * whole namespace event_rate_total; the rest are counted and the count is
 * reported with the port's next event.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/moduleparam.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "arp.h"
#include "binding.h"
#include "events.h"
#include "netlink.h"
#include "netns.h"

static unsigned int event_rate __read_mostly = 10;
module_param(event_rate, uint, 0644);
MODULE_PARM_DESC(event_rate, "drop events per second per port (default 10)");

static unsigned int event_rate_total __read_mostly = 1000;
module_param(event_rate_total, uint, 0644);
MODULE_PARM_DESC(event_rate_total,
		 "drop events per second per network namespace (default 1000)");

void vmfence_evlimit_init(struct vmfence_evlimit *l)
{
	spin_lock_init(&l->lock);
	l->start = jiffies;
	l->sent = 0;
	atomic64_set(&l->suppressed, 0);
}

/* One more event in this second?  Never spins: a busy limiter says no. */
static bool vmfence_evlimit_take(struct vmfence_evlimit *l, unsigned int rate)
{
	bool ok;

	if (!spin_trylock(&l->lock)) {
		atomic64_inc(&l->suppressed);
		return false;
	}
	if (time_after(jiffies, l->start + HZ)) {
		l->start = jiffies;
		l->sent = 0;
	}
	ok = l->sent < rate;
	if (ok)
		l->sent++;
	spin_unlock(&l->lock);
	if (!ok)
		atomic64_inc(&l->suppressed);
	return ok;
}

/*
 * Events go out only while the family is registered: a hook that found
 * listeners must not multicast on a group id the family gave back (and
 * another family may have taken).  Set around genl registration by
 * main.c; a hook reads it under RCU, so stopping waits for a grace
 * period.
 */
static bool vmfence_events_on __read_mostly;

void vmfence_events_start(void)
{
	WRITE_ONCE(vmfence_events_on, true);
}

void vmfence_events_stop(void)
{
	WRITE_ONCE(vmfence_events_on, false);
	synchronize_rcu();
}

bool vmfence_event_listeners(struct net *net)
{
	return READ_ONCE(vmfence_events_on) &&
	       genl_has_listeners(&vmfence_genl_family, net, 0);
}

/*
 * Addresses, protocol and ports of the frame, as far as they are there.
 * Not the packet path's checked parsing (vmfence_ip4_header(),
 * vmfence_ip6_header()): a frame dropped as malformed still has its
 * event say what it can.
 */
static int vmfence_event_put_l3(struct sk_buff *msg, struct sk_buff *skb)
{
	union {
		struct iphdr ip4;
		struct ipv6hdr ip6;
		struct vmfence_arp arp;
	} _h;
	const void *h;
	__be16 _ports[2];
	const __be16 *ports;
	int thoff = -1;
	u8 proto = 0;

	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		const struct iphdr *iph;

		h = skb_header_pointer(skb, 0, sizeof(_h.ip4), &_h);
		if (!h)
			return 0;
		iph = h;
		if (nla_put_in_addr(msg, VMFENCE_EVENT_A_SRC, iph->saddr) ||
		    nla_put_in_addr(msg, VMFENCE_EVENT_A_DST, iph->daddr))
			return -EMSGSIZE;
		proto = iph->protocol;
		if (!(ntohs(iph->frag_off) & IP_OFFSET) && iph->ihl >= 5)
			thoff = iph->ihl * 4;
		break;
	}
	case htons(ETH_P_IPV6): {
		const struct ipv6hdr *ip6h;
		__be16 frag_off;

		h = skb_header_pointer(skb, 0, sizeof(_h.ip6), &_h);
		if (!h)
			return 0;
		ip6h = h;
		if (nla_put_in6_addr(msg, VMFENCE_EVENT_A_SRC, &ip6h->saddr) ||
		    nla_put_in6_addr(msg, VMFENCE_EVENT_A_DST, &ip6h->daddr))
			return -EMSGSIZE;
		proto = ip6h->nexthdr;
		thoff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &proto, &frag_off);
		if (thoff >= 0 && (ntohs(frag_off) & ~0x7))
			thoff = -1;
		break;
	}
	case htons(ETH_P_ARP): {
		const struct vmfence_arp *arp;

		arp = skb_header_pointer(skb, 0, sizeof(_h.arp), &_h);
		if (!arp || arp->hdr.ar_hln != ETH_ALEN ||
		    arp->hdr.ar_pln != 4)
			return 0;
		return nla_put_in_addr(msg, VMFENCE_EVENT_A_SRC, arp->spa) ||
		       nla_put_in_addr(msg, VMFENCE_EVENT_A_DST, arp->tpa) ?
		       -EMSGSIZE : 0;
	}
	default:
		return 0;
	}

	if (nla_put_u8(msg, VMFENCE_EVENT_A_PROTO, proto))
		return -EMSGSIZE;
	if (thoff < 0)
		return 0;
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (nla_put_u16(msg, VMFENCE_EVENT_A_SPORT, ntohs(ports[0])) ||
		    nla_put_u16(msg, VMFENCE_EVENT_A_DPORT, ntohs(ports[1])))
			return -EMSGSIZE;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (nla_put_u8(msg, VMFENCE_EVENT_A_ICMP_TYPE,
			       *(const u8 *)ports))
			return -EMSGSIZE;
		break;
	}
	return 0;
}

/*
 * Called from the packet path, under RCU, for a frame being dropped on
 * @dev (bound to @b, or NULL for an unbound port).
 */
void vmfence_event_drop(struct net *net, struct vmfence_net *vn,
			const struct net_device *dev,
			const struct vmfence_binding *b,
			struct vmfence_evlimit *limit, struct sk_buff *skb,
			enum vmfence_drop_reason reason)
{
	const struct ethhdr *eth = eth_hdr(skb);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	if (!vmfence_evlimit_take(limit, READ_ONCE(event_rate)))
		return;
	if (!vmfence_evlimit_take(&vn->evlimit, READ_ONCE(event_rate_total))) {
		atomic64_inc(&limit->suppressed);
		return;
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vmfence_genl_family, 0,
			  VMFENCE_CMD_DROP_EVENT);
	if (!hdr)
		goto out_free;
	nest = nla_nest_start(msg, VMFENCE_A_EVENT);
	if (!nest ||
	    nla_put_u64_64bit(msg, VMFENCE_EVENT_A_TIME, ktime_get_real_ns(),
			      VMFENCE_EVENT_A_PAD) ||
	    nla_put_u32(msg, VMFENCE_EVENT_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, VMFENCE_EVENT_A_IFNAME, dev->name) ||
	    (b && b->label[0] &&
	     nla_put_string(msg, VMFENCE_EVENT_A_LABEL, b->label)) ||
	    nla_put_u32(msg, VMFENCE_EVENT_A_REASON, reason) ||
	    nla_put_u64_64bit(msg, VMFENCE_EVENT_A_SUPPRESSED,
			      atomic64_xchg(&limit->suppressed, 0),
			      VMFENCE_EVENT_A_PAD) ||
	    nla_put(msg, VMFENCE_EVENT_A_ETH_SRC, ETH_ALEN, eth->h_source) ||
	    nla_put(msg, VMFENCE_EVENT_A_ETH_DST, ETH_ALEN, eth->h_dest) ||
	    nla_put_u16(msg, VMFENCE_EVENT_A_ETHERTYPE, ntohs(skb->protocol)) ||
	    vmfence_event_put_l3(msg, skb))
		goto out_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&vmfence_genl_family, net, msg, 0, 0,
				GFP_ATOMIC);
	return;

out_free:
	nlmsg_free(msg);
}
