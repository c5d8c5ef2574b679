/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: declarations shared by the module's files.
 *
 * Locking
 * -------
 * Each network namespace has one struct vmfence_net.  Its mutex ->lock
 * serializes every writer: netlink commands that change state, the
 * netdevice notifier (which runs under RTNL and then takes ->lock, so the
 * order is always RTNL -> vn->lock; nothing here takes RTNL while holding
 * ->lock) and namespace teardown.  Netlink dumps and gets also take ->lock
 * so that what they report is consistent.
 *
 * The packet path takes no lock: bridge netfilter hooks run under
 * rcu_read_lock() with bottom halves disabled, find the port in the
 * rhashtable ->ports and read its binding with rcu_dereference().  A
 * binding is immutable once published; writers build a new one, swap the
 * pointer and free the old one after a grace period, so a frame is checked
 * against the old binding or the new one, never a mix.  Ports are freed
 * after a grace period too.
 *
 * Counters are per CPU and written only by the packet path; readers sum
 * them.  A reset does not write them (that would race with the packet
 * path): it records the current sums as a base that later reads subtract.
 */
#ifndef _VMFENCE_H
#define _VMFENCE_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/hash.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>
#include <asm/unaligned.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <linux/vmfence.h>

/* ---- counters (stats.c) ---- */

struct vmfence_counters {
	u64_stats_t passed;
	u64_stats_t drops[__VMFENCE_DROP_LAST];
	struct u64_stats_sync syncp;
};

struct vmfence_stats_snapshot {
	u64 passed;
	u64 drops[__VMFENCE_DROP_LAST];
};

struct vmfence_stats {
	struct vmfence_counters __percpu *pcpu;
	seqcount_t base_seq;			/* readers of ->base */
	struct vmfence_stats_snapshot base;	/* written under vn->lock */
};

int vmfence_stats_init(struct vmfence_stats *stats);
void vmfence_stats_free(struct vmfence_stats *stats);
void vmfence_stats_read(const struct vmfence_stats *stats,
			struct vmfence_stats_snapshot *out);
void vmfence_stats_reset(struct vmfence_stats *stats);

/* Packet path: count one frame, passed (reason 0) or dropped. */
static inline void vmfence_count(struct vmfence_stats *stats,
				 enum vmfence_drop_reason reason)
{
	struct vmfence_counters *c = this_cpu_ptr(stats->pcpu);

	u64_stats_update_begin(&c->syncp);
	if (reason)
		u64_stats_inc(&c->drops[reason]);
	else
		u64_stats_inc(&c->passed);
	u64_stats_update_end(&c->syncp);
}

const char *vmfence_drop_name(enum vmfence_drop_reason reason);

/*
 * Drop events (events.c): at most so many per second, per port (or
 * bridge) and per namespace.  Called from the packet path.
 */
struct vmfence_evlimit {
	spinlock_t lock;		/* start and sent; never spun on */
	unsigned long start;		/* jiffies: start of the window */
	u32 sent;			/* events sent in the window */
	atomic64_t suppressed;		/* since the last event sent */
};

/* ---- prefix sets (prefix_set.c) ---- */

/* An address with the bits beyond @plen cleared. */
struct vmfence_prefix {
	u8 addr[16];
	u8 plen;
};

/* Entries sharing one prefix length, a run of the sorted array. */
struct vmfence_prefix_run {
	u64 mask_hi, mask_lo;		/* the length as a mask of a key */
	u16 start;
	u16 count;
	u8 plen;
};

/*
 * What the packet path compares: an address as a 128-bit number in host
 * byte order (an IPv4 address in ->lo), so that a lookup is a few integer
 * operations.  The numeric order is the order of the address bytes.
 */
struct vmfence_prefix_key {
	u64 hi, lo;
};

/*
 * An immutable set of addresses and prefixes of one family.  A lookup
 * costs one binary search per distinct prefix length: it does not grow
 * with the number of ports, only (logarithmically) with the number of
 * addresses of the one port being checked.  ->ents is what the control
 * plane reads (dumps, edits); ->keys holds the same entries, in the same
 * order, for the packet path.
 */
struct vmfence_prefix_set {
	u16 n;
	u8 alen;			/* 4 or 16 */
	u8 nruns;
	struct vmfence_prefix_run *runs;	/* point into this allocation */
	struct vmfence_prefix_key *keys;
	struct vmfence_prefix ents[];	/* by plen descending, then addr */
};

struct vmfence_prefix_set *vmfence_prefix_set_new(struct vmfence_prefix *ents,
						  u16 n, u8 alen);
/* An address of @alen bytes as a key (see struct vmfence_prefix_key). */
static inline struct vmfence_prefix_key
vmfence_prefix_key(const void *addr, u8 alen)
{
	struct vmfence_prefix_key k;

	if (alen == 4) {
		k.hi = 0;
		k.lo = get_unaligned_be32(addr);
	} else {
		k.hi = get_unaligned_be64(addr);
		k.lo = get_unaligned_be64((const u8 *)addr + 8);
	}
	return k;
}

/*
 * The length of the longest entry of @set that contains @a, or -1.  Runs
 * are sorted longest first, so an exactly bound address, the common case,
 * is found by the first binary search.
 *
 * Called under RCU or vn->lock.  This runs for every frame: integer
 * compares only, inlined, specialised by family (an IPv4 key has no ->hi).
 */
static __always_inline int
__vmfence_prefix_set_match(const struct vmfence_prefix_set *set,
			   struct vmfence_prefix_key a, bool v6)
{
	unsigned int r;

	if (!set)
		return -1;
	for (r = 0; r < set->nruns; r++) {
		const struct vmfence_prefix_run *run = &set->runs[r];
		unsigned int lo = run->start, hi = run->start + run->count;
		u64 khi = v6 ? a.hi & run->mask_hi : 0;
		u64 klo = a.lo & run->mask_lo;

		while (lo < hi) {
			unsigned int mid = lo + (hi - lo) / 2;
			const struct vmfence_prefix_key *k = &set->keys[mid];

			if ((!v6 || k->hi == khi) && k->lo == klo)
				return run->plen;
			if ((v6 && k->hi != khi) ? k->hi < khi : k->lo < klo)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return -1;
}

/* The longest entry of the IPv4 set @set holding @addr, or -1. */
static __always_inline int
vmfence_ip4_match(const struct vmfence_prefix_set *set, const __be32 *addr)
{
	return __vmfence_prefix_set_match(set, vmfence_prefix_key(addr, 4),
					  false);
}

/* The longest entry of the IPv6 set @set holding @addr, or -1. */
static __always_inline int
vmfence_ip6_match(const struct vmfence_prefix_set *set,
		  const struct in6_addr *addr)
{
	return __vmfence_prefix_set_match(set, vmfence_prefix_key(addr, 16),
					  true);
}

/* Is @addr (network byte order) in the IPv4 set @set? */
static __always_inline bool
vmfence_ip4_in(const struct vmfence_prefix_set *set, const __be32 *addr)
{
	return vmfence_ip4_match(set, addr) >= 0;
}

/* Is @addr in the IPv6 set @set? */
static __always_inline bool
vmfence_ip6_in(const struct vmfence_prefix_set *set,
	       const struct in6_addr *addr)
{
	return vmfence_ip6_match(set, addr) >= 0;
}

void vmfence_prefix_mask(u8 *addr, u8 alen, u8 plen);

/* ---- bindings (binding.c) ---- */

/* What a port is allowed to be.  Immutable once published. */
struct vmfence_binding {
	u8 mac[ETH_ALEN];
	u8 mode;			/* enum vmfence_port_mode */
	u8 n_ethertypes;
	u32 flags;			/* VMFENCE_PORT_F_* */
	__be16 ethertypes[VMFENCE_ETHERTYPES_MAX];	/* beyond IP, ARP */
	u64 seq;
	struct in6_addr ll6;		/* EUI-64 link-local of ->mac */
	struct vmfence_prefix_set *ip4;	/* NULL when empty */
	struct vmfence_prefix_set *ip6;	/* NULL when empty */
	char label[VMFENCE_LABEL_MAX];
	struct vmfence_claims *claims;	/* set while in force: claims.c */
	struct rcu_head rcu;
};

struct vmfence_binding *vmfence_binding_parse(struct nlattr **tb,
					      struct netlink_ext_ack *extack);
struct vmfence_binding *vmfence_binding_edit_addr(const struct vmfence_binding *old,
						  const struct nlattr *addrs,
						  bool add,
						  struct netlink_ext_ack *extack);
void vmfence_binding_free(struct vmfence_binding *b);
void vmfence_binding_free_rcu(struct vmfence_binding *b);

/* ---- ports and per-namespace state (port.c, netns.c) ---- */

struct vmfence_port {
	struct rhash_head node;		/* in vn->ports, keyed by ->dev */
	struct net_device *dev;		/* no reference: see port.c */
	struct vmfence_binding __rcu *binding;
	struct vmfence_stats stats;
	struct vmfence_evlimit evlimit;
	u64 apply_mark;			/* under vn->lock: see apply.c */
	struct rcu_head rcu;
};

struct vmfence_net {
	struct net *net;		/* the namespace this is the state of */
	struct mutex lock;		/* writers; see Locking above */
	struct rhashtable ports;	/* RCU readers in the packet path */
	struct xarray ports_by_ifindex;	/* under ->lock: lookups, dump order */
	struct xarray bridges;		/* by ifindex; readers: RCU */
	struct xarray ingress;		/* under ->lock: ingress.c */
	struct rhltable claims;		/* RCU readers: claims.c */
	unsigned int nports;		/* under ->lock: vmfence_ports_max */
	unsigned int nbridges;		/* under ->lock: vmfence_bridges_max */
	u32 gen;			/* under ->lock: bumped on any change */
	u64 apply_mark;			/* under ->lock: the last APPLY's */
	struct vmfence_stats stats;	/* namespace totals */
	struct vmfence_evlimit evlimit;	/* events of the whole namespace */
	struct nf_hook_ops hook_ops[2];	/* towards VMs; ->priv is this */
#ifdef VMFENCE_TESTING
	bool test_dying;		/* torn down: kmod/testing.h */
#endif
};

static inline bool vmfence_test_dying(const struct vmfence_net *vn)
{
#ifdef VMFENCE_TESTING
	return READ_ONCE(vn->test_dying);
#else
	return false;
#endif
}

extern unsigned int vmfence_net_id;

/*
 * What the control plane allocates for a namespace (bindings, address
 * sets, claims, ports and their per-CPU counters, bridge settings, ingress
 * hooks, an APPLY in flight) is charged to the memory cgroup of the
 * caller: any user may bind ports in a network namespace of its own.
 * No retrying: at the cgroup's limit a command fails with -ENOMEM (and
 * changes nothing) instead of waking the OOM killer in the tenant's
 * cgroup.  The packet path allocates nothing.
 */
#define VMFENCE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN)

/* Per-namespace limits (module parameters, main.c). */
extern unsigned int vmfence_ports_max;
extern unsigned int vmfence_bridges_max;

static inline struct vmfence_net *vmfence_pernet(const struct net *net)
{
	return net_generic(net, vmfence_net_id);
}

#define vmfence_deref(vn, p) \
	rcu_dereference_protected(p, lockdep_is_held(&(vn)->lock))

/*
 * The port table's hash and compare, inlined into the packet path: the
 * key is a pointer, so one multiplication hashes it (seeded per table)
 * and one comparison matches it.
 */
static inline u32 vmfence_port_hashfn(const void *data, u32 len, u32 seed)
{
	return hash_64(*(const unsigned long *)data ^ seed, 32);
}

static inline int vmfence_port_cmpfn(struct rhashtable_compare_arg *arg,
				     const void *obj)
{
	const struct vmfence_port *port = obj;

	return port->dev != *(const struct net_device * const *)arg->key;
}

static const struct rhashtable_params vmfence_port_params = {
	.key_len = sizeof_field(struct vmfence_port, dev),
	.key_offset = offsetof(struct vmfence_port, dev),
	.head_offset = offsetof(struct vmfence_port, node),
	.hashfn = vmfence_port_hashfn,
	.obj_cmpfn = vmfence_port_cmpfn,
	.automatic_shrinking = true,
};

int vmfence_ports_init(struct vmfence_net *vn);
void vmfence_ports_destroy(struct vmfence_net *vn);
bool vmfence_dev_here(struct vmfence_net *vn, struct net_device *dev);

/* Called under RCU (the packet path). */
static inline struct vmfence_port *
vmfence_port_lookup_rcu(struct vmfence_net *vn, const struct net_device *dev)
{
	return rhashtable_lookup(&vn->ports, &dev, vmfence_port_params);
}

struct vmfence_port *vmfence_port_find(struct vmfence_net *vn,
				       const struct net_device *dev);
struct vmfence_port *vmfence_port_create(struct vmfence_net *vn,
					 struct net_device *dev,
					 struct vmfence_binding *b,
					 struct netlink_ext_ack *extack);
int vmfence_port_prepare(struct vmfence_net *vn, struct vmfence_port *port,
			 struct vmfence_binding *b);
void vmfence_port_unprepare(struct vmfence_net *vn, struct vmfence_binding *b);
void vmfence_port_publish(struct vmfence_net *vn, struct vmfence_port *port,
			  struct vmfence_binding *b);
void vmfence_port_remove(struct vmfence_net *vn, struct vmfence_port *port);

/* Bridges with a setting (bridge.c); all under vn->lock but the lookup. */
struct vmfence_bridge {
	struct net_device *dev;		/* no reference: as for ports */
	u8 unbound;			/* enum vmfence_unbound */
	struct vmfence_stats stats;	/* only drops[VMFENCE_DROP_UNBOUND] */
	struct vmfence_evlimit evlimit;
	u64 apply_mark;			/* under vn->lock: see apply.c */
	struct rcu_head rcu;
};

struct vmfence_bridge *vmfence_bridge_lookup_rcu(struct vmfence_net *vn,
						 const struct net_device *dev);
struct vmfence_bridge *vmfence_bridge_find(struct vmfence_net *vn,
					   const struct net_device *dev);
struct vmfence_bridge *vmfence_bridge_get_or_create(struct vmfence_net *vn,
						    struct net_device *dev);
void vmfence_bridge_remove(struct vmfence_net *vn, struct vmfence_bridge *br);
void vmfence_bridges_destroy(struct vmfence_net *vn);

/*
 * Addresses ports hold exactly (claims.c): a port bound to a prefix may
 * not use one that another port of its bridge holds exactly.
 */
struct vmfence_claim_key {
	u8 addr[16];
	u8 alen;			/* 4 or 16 */
	u8 pad[3];
};

struct vmfence_claim {
	struct rhlist_head node;	/* in vn->claims */
	struct vmfence_claim_key key;
	const struct vmfence_port *port;
};

struct vmfence_claims {
	unsigned int n;
	struct rcu_head rcu;
	struct vmfence_claim c[];
};

int vmfence_claims_init(struct vmfence_net *vn);
void vmfence_claims_destroy(struct vmfence_net *vn);
int vmfence_claims_add(struct vmfence_net *vn, const struct vmfence_port *port,
		       struct vmfence_binding *b);
void vmfence_claims_del(struct vmfence_net *vn, struct vmfence_binding *b);
bool vmfence_claimed_by_other(struct vmfence_net *vn,
			      const struct vmfence_port *port,
			      const void *addr, u8 alen);

/*
 * The netdev ingress hook of one device (ingress.c), its ->ops.priv: it
 * hands the packet path the device's port without a lookup.  ->port is
 * set under vn->lock, read under RCU.
 */
struct vmfence_ingress {
	struct nf_hook_ops ops;
	struct vmfence_net *vn;
	struct vmfence_port __rcu *port;	/* NULL: the device is unbound */
	struct rcu_head rcu;
};

void vmfence_ingress_init(struct vmfence_net *vn);
void vmfence_ingress_set_port(struct vmfence_net *vn, struct net_device *dev,
			      struct vmfence_port *port);
bool vmfence_ingress_attached(struct vmfence_net *vn,
			      const struct net_device *dev);
int vmfence_ingress_attach(struct vmfence_net *vn, struct net_device *dev);
void vmfence_ingress_detach(struct vmfence_net *vn, struct net_device *dev);
void vmfence_ingress_detach_all(struct vmfence_net *vn);
void vmfence_ingress_ops_init(struct vmfence_ingress *in,
			      struct net_device *dev);

extern struct notifier_block vmfence_netdev_notifier;
extern struct pernet_operations vmfence_net_ops;

/* ---- events (events.c) ---- */

enum vmfence_dir {
	VMFENCE_FROM_VM,
	VMFENCE_TO_VM,
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

/* ---- sysfs, debugfs (sysfs.c, debugfs.c) ---- */

int vmfence_sysfs_init(void);
void vmfence_sysfs_exit(void);
void vmfence_debugfs_init(void);
void vmfence_debugfs_exit(void);

/* ---- hooks (packet_path.c) and netlink (netlink.c, apply.c) ---- */

int vmfence_hooks_register(struct net *net, struct vmfence_net *vn);
void vmfence_hooks_unregister(struct net *net, struct vmfence_net *vn);

extern const struct nla_policy vmfence_addr_policy[VMFENCE_ADDR_A_MAX + 1];
extern const struct nla_policy vmfence_port_policy[VMFENCE_PORT_A_MAX + 1];
extern const struct nla_policy vmfence_bridge_policy[VMFENCE_BRIDGE_A_MAX + 1];
extern struct genl_family vmfence_genl_family;

struct net_device *vmfence_nl_port_dev(struct net *net, struct nlattr **tb,
				       const struct nlattr *nest,
				       struct netlink_ext_ack *extack);
struct net_device *vmfence_nl_bridge_dev(struct net *net,
					 const struct nlattr *nest,
					 struct nlattr **tb,
					 struct netlink_ext_ack *extack);
int vmfence_nl_apply(struct sk_buff *skb, struct genl_info *info);

int vmfence_genl_register(void);
void vmfence_genl_unregister(void);

#endif /* _VMFENCE_H */
