// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: immutable sets of addresses and prefixes.
 *
 * Entries are sorted by prefix length, longest first, then by address,
 * and grouped in runs of equal length.  A lookup masks the address to
 * each run's length and binary-searches the run: the cost depends on the
 * number of distinct prefix lengths of one port (at most 33 or 129, in
 * practice one or two), never on the number of ports.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "alloc.h"
#include "prefix_set.h"

void vmfence_prefix_mask(u8 *addr, u8 alen, u8 plen)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		addr[i] &= (u8)(0xff00 >> plen);
		plen = 0;
	}
}

static int vmfence_prefix_cmp(const void *a, const void *b)
{
	const struct vmfence_prefix *pa = a, *pb = b;

	if (pa->plen != pb->plen)
		return pa->plen > pb->plen ? -1 : 1;
	return memcmp(pa->addr, pb->addr, sizeof(pa->addr));
}

/* The mask of the first @plen bits of a key of @alen bytes. */
static void vmfence_prefix_run_mask(struct vmfence_prefix_run *run, u8 alen)
{
	unsigned int bits = alen * 8, plen = run->plen;

	/* The bits of the key beyond the address, if any, are 0 anyway. */
	if (bits == 32) {
		run->mask_hi = 0;
		run->mask_lo = plen ? GENMASK_ULL(31, 32 - plen) : 0;
		return;
	}
	run->mask_hi = plen >= 64 ? ~0ULL : plen ? GENMASK_ULL(63, 64 - plen) : 0;
	run->mask_lo = plen >= 128 ? ~0ULL :
		       plen > 64 ? GENMASK_ULL(63, 128 - plen) : 0;
}

/*
 * Build a set from @n masked, distinct entries (sorted here).  Returns
 * NULL for an empty set or on allocation failure; the caller tells them
 * apart by @n.
 */
struct vmfence_prefix_set *vmfence_prefix_set_new(struct vmfence_prefix *ents,
						  u16 n, u8 alen)
{
	struct vmfence_prefix_set *set;
	unsigned int i, nruns = 0;
	size_t size;

	if (!n)
		return NULL;
	sort(ents, n, sizeof(*ents), vmfence_prefix_cmp, NULL);
	for (i = 0; i < n; i++)
		if (!i || ents[i].plen != ents[i - 1].plen)
			nruns++;

	/* ents[], then keys[] (8-byte aligned: ents are 17 bytes), runs[]. */
	size = ALIGN(struct_size(set, ents, n), sizeof(u64));
	set = kzalloc(size + n * sizeof(*set->keys) +
		      nruns * sizeof(*set->runs), VMFENCE_GFP);
	if (!set)
		return NULL;
	set->n = n;
	set->alen = alen;
	set->nruns = nruns;
	set->keys = (struct vmfence_prefix_key *)((u8 *)set + size);
	set->runs = (struct vmfence_prefix_run *)(set->keys + n);
	memcpy(set->ents, ents, n * sizeof(*ents));

	nruns = 0;
	for (i = 0; i < n; i++) {
		set->keys[i] = vmfence_prefix_key(ents[i].addr, alen);
		if (i && ents[i].plen == ents[i - 1].plen) {
			set->runs[nruns - 1].count++;
			continue;
		}
		set->runs[nruns].plen = ents[i].plen;
		set->runs[nruns].start = i;
		set->runs[nruns].count = 1;
		vmfence_prefix_run_mask(&set->runs[nruns], alen);
		nruns++;
	}
	return set;
}
