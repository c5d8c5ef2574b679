/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: immutable sets of addresses and prefixes (prefix_set.c), and
 * their lookup, inlined into the packet path.
 */
#ifndef _VMFENCE_PREFIX_SET_H
#define _VMFENCE_PREFIX_SET_H

#include <linux/compiler.h>
#include <linux/in6.h>
#include <linux/types.h>
#include <asm/unaligned.h>

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

#endif /* _VMFENCE_PREFIX_SET_H */
