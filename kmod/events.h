/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: drop events (events.c), a summary of each dropped frame
 * multicast to the "events" group of the netlink family while someone
 * listens.
 */
#ifndef _VMFENCE_EVENTS_H
#define _VMFENCE_EVENTS_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vmfence.h>

struct net;
struct net_device;
struct sk_buff;
struct vmfence_binding;
struct vmfence_net;

/*
 * At most so many events per second, per port (or bridge) and per
 * namespace.  Called from the packet path.
 */
struct vmfence_evlimit {
	spinlock_t lock;		/* start and sent; never spun on */
	unsigned long start;		/* jiffies: start of the window */
	u32 sent;			/* events sent in the window */
	atomic64_t suppressed;		/* since the last event sent */
};

void vmfence_evlimit_init(struct vmfence_evlimit *l);
void vmfence_event_drop(struct net *net, struct vmfence_net *vn,
			const struct net_device *dev,
			const struct vmfence_binding *b,
			struct vmfence_evlimit *limit, struct sk_buff *skb,
			enum vmfence_drop_reason reason);
bool vmfence_event_listeners(struct net *net);
void vmfence_events_start(void);
void vmfence_events_stop(void);

#endif /* _VMFENCE_EVENTS_H */
