// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the addresses ports hold exactly, for prefix-bound ports.
 *
 * A port bound to a prefix (fe80::/64 for a guest with a random
 * link-local address, a routed /64 delegated to a VM) may use any
 * address inside it, except one that another port of the same bridge
 * holds exactly: bound as a full-length address, or the EUI-64
 * link-local derived from its MAC.  The more specific binding wins, so
 * that binding a prefix never lets a VM take over a neighbour's address
 * (as source, ARP sender, Neighbor Advertisement or DAD target).
 *
 * vn->claims maps each such address to the ports that hold it: an
 * rhltable, because two ports may bind one address (a VRRP pair).  Each
 * binding carries its claims (struct vmfence_claims, allocated when the
 * binding is about to be published and freed with it), so a binding's
 * entries are inserted before it is published and removed when it is
 * replaced or its port goes.  Writers hold vn->lock; the packet path
 * looks up under RCU, and only for an address that matched a port's
 * binding through a prefix: an exactly bound source costs nothing here.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include "alloc.h"
#include "binding.h"
#include "claims.h"
#include "netns.h"
#include "port.h"
#include "prefix_set.h"

static const struct rhashtable_params vmfence_claim_params = {
	.key_len = sizeof_field(struct vmfence_claim, key),
	.key_offset = offsetof(struct vmfence_claim, key),
	.head_offset = offsetof(struct vmfence_claim, node),
	.automatic_shrinking = true,
};

int vmfence_claims_init(struct vmfence_net *vn)
{
	return rhltable_init(&vn->claims, &vmfence_claim_params);
}

/* Namespace teardown: every port, and so every claim, is gone. */
void vmfence_claims_destroy(struct vmfence_net *vn)
{
	rhltable_destroy(&vn->claims);
}

static void vmfence_claim_key(struct vmfence_claim_key *k, const void *addr,
			      u8 alen)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, addr, alen);
	k->alen = alen;
}

/* The full-length entries of @set, which sorts them first. */
static unsigned int vmfence_exact_count(const struct vmfence_prefix_set *set)
{
	if (!set || !set->nruns || set->runs[0].plen != set->alen * 8)
		return 0;
	return set->runs[0].count;
}

static void vmfence_claims_fill(struct vmfence_claims *cl,
				const struct vmfence_prefix_set *set)
{
	unsigned int i;

	for (i = 0; i < vmfence_exact_count(set); i++)
		vmfence_claim_key(&cl->c[cl->n++].key, set->ents[i].addr,
				  set->alen);
}

static void vmfence_claims_unlink(struct vmfence_net *vn,
				  struct vmfence_claims *cl, unsigned int n)
{
	while (n--)
		rhltable_remove(&vn->claims, &cl->c[n].node,
				vmfence_claim_params);
}

/*
 * Insert the claims of @b, about to become @port's binding.  Called with
 * vn->lock held, before @b is published; on failure nothing changed.
 */
int vmfence_claims_add(struct vmfence_net *vn, const struct vmfence_port *port,
		       struct vmfence_binding *b)
{
	unsigned int n = 1 + vmfence_exact_count(b->ip4) +
			 vmfence_exact_count(b->ip6);
	struct vmfence_claims *cl;
	unsigned int i;
	int err;

	lockdep_assert_held(&vn->lock);
	if (WARN_ON_ONCE(b->claims))
		return -EINVAL;
	cl = kzalloc(struct_size(cl, c, n), VMFENCE_GFP);
	if (!cl)
		return -ENOMEM;
	vmfence_claim_key(&cl->c[cl->n++].key, &b->ll6, 16);
	vmfence_claims_fill(cl, b->ip4);
	vmfence_claims_fill(cl, b->ip6);
	for (i = 0; i < cl->n; i++) {
		cl->c[i].port = port;
		err = rhltable_insert(&vn->claims, &cl->c[i].node,
				      vmfence_claim_params);
		if (err) {
			/* The packet path may have found the first ones. */
			vmfence_claims_unlink(vn, cl, i);
			kfree_rcu(cl, rcu);
			return err;
		}
	}
	b->claims = cl;
	return 0;
}

/*
 * Remove the claims of @b, which is no longer (or never became) a port's
 * binding.  Called with vn->lock held; they are freed with @b, after a
 * grace period if the packet path may have seen them.
 */
void vmfence_claims_del(struct vmfence_net *vn, struct vmfence_binding *b)
{
	lockdep_assert_held(&vn->lock);
	if (b && b->claims)
		vmfence_claims_unlink(vn, b->claims, b->claims->n);
}

/*
 * Does a port other than @port, on the same bridge, hold @addr exactly?
 * Called under RCU, from the packet path.  A port that is in no bridge
 * shares its segment with nobody.
 */
bool vmfence_claimed_by_other(struct vmfence_net *vn,
			      const struct vmfence_port *port,
			      const void *addr, u8 alen)
{
	struct vmfence_claim_key key;
	struct rhlist_head *list, *pos;
	struct net_device *master;
	struct vmfence_claim *c;

	vmfence_claim_key(&key, addr, alen);
	list = rhltable_lookup(&vn->claims, &key, vmfence_claim_params);
	if (!list)
		return false;
	master = netdev_master_upper_dev_get_rcu(port->dev);
	if (!master)
		return false;
	rhl_for_each_entry_rcu(c, pos, list, node)
		if (c->port != port &&
		    netdev_master_upper_dev_get_rcu(c->port->dev) == master)
			return true;
	return false;
}
