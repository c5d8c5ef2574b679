/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: addresses ports hold exactly (claims.c): a port bound to a
 * prefix may not use one that another port of its bridge holds exactly.
 */
#ifndef _VMFENCE_CLAIMS_H
#define _VMFENCE_CLAIMS_H

#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct vmfence_binding;
struct vmfence_net;
struct vmfence_port;

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

#endif /* _VMFENCE_CLAIMS_H */
