// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: self-test of the prefix sets, run when the module loads on a
 * kernel built with KASAN (the test suite's debug kernel), or when built
 * with VMFENCE_SELFTEST=1.  Random sets are checked against the trivial
 * implementation, a linear scan for the longest entry holding an address,
 * on addresses drawn at random and, where the bugs are, next to each
 * entry's boundaries: its first and last address and the ones just
 * outside.  A disagreement fails the load.
 */
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../prefix_set.h"
#include "../selftest.h"

#define SETS		300
#define ENTS_MAX	40

/* The trivial implementation: every entry, the longest that holds @a. */
static int linear_match(const struct vmfence_prefix *ents, unsigned int n,
			const u8 *a, u8 alen)
{
	u8 masked[16];
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(masked, a, alen);
		vmfence_prefix_mask(masked, alen, ents[i].plen);
		if (!memcmp(masked, ents[i].addr, alen) && ents[i].plen > best)
			best = ents[i].plen;
	}
	return best;
}

/*
 * Prefix lengths from a few classes, so that runs of one length hold
 * several entries and every kind of mask (0, partial words, whole words)
 * is built.
 */
static u8 random_plen(struct rnd_state *rnd, u8 alen)
{
	static const u8 v4[] = { 0, 1, 7, 8, 16, 23, 24, 25, 31, 32 };
	static const u8 v6[] = { 0, 1, 48, 63, 64, 65, 96, 127, 128 };
	u32 r = prandom_u32_state(rnd);

	if (r % 4 == 0)
		return r / 4 % (alen * 8 + 1);
	if (alen == 4)
		return v4[r / 4 % ARRAY_SIZE(v4)];
	return v6[r / 4 % ARRAY_SIZE(v6)];
}

/* Random bytes, most of them from a small pool so that entries nest. */
static void random_addr(struct rnd_state *rnd, u8 *a, u8 alen)
{
	unsigned int i;

	prandom_bytes_state(rnd, a, alen);
	for (i = 0; i < alen; i++)
		if (prandom_u32_state(rnd) % 4)
			a[i] &= 0x03;
}

/* @a moved by @delta (+1 or -1) as a big-endian number of @alen bytes. */
static void addr_step(u8 *a, u8 alen, int delta)
{
	int i;

	for (i = alen - 1; i >= 0; i--) {
		a[i] += delta;
		if ((delta > 0 && a[i]) || (delta < 0 && a[i] != 0xff))
			break;
	}
}

/* The last address of the entry @e: its host bits set. */
static void addr_last(const struct vmfence_prefix *e, u8 *a, u8 alen)
{
	unsigned int i, plen = e->plen;

	memcpy(a, e->addr, alen);
	for (i = 0; i < alen; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a[i] |= 0xff >> plen;
		plen = 0;
	}
}

static bool check_one(const struct vmfence_prefix_set *set,
		      const struct vmfence_prefix *ents, unsigned int n,
		      const u8 *a, u8 alen)
{
	int want = linear_match(ents, n, a, alen);
	int got = alen == 4 ? vmfence_ip4_match(set, (const __be32 *)a) :
			      vmfence_ip6_match(set, (const struct in6_addr *)a);

	if (got == want)
		return true;
	pr_err("vmfence: self-test: prefix set of %u entries: %*phC matched /%d, the linear scan says /%d\n",
	       n, alen, a, got, want);
	return false;
}

static bool test_family(struct rnd_state *rnd, u8 alen, unsigned long *probes)
{
	struct vmfence_prefix *ents, *copy;
	struct vmfence_prefix_set *set;
	unsigned int s, i, j, n;
	bool ok = true;
	u8 a[16];

	ents = kcalloc(ENTS_MAX, sizeof(*ents), GFP_KERNEL);
	copy = kcalloc(ENTS_MAX, sizeof(*copy), GFP_KERNEL);
	if (!ents || !copy) {
		ok = false;
		goto out;
	}
	for (s = 0; s < SETS && ok; s++) {
		n = 0;
		for (i = 1 + prandom_u32_state(rnd) % ENTS_MAX; i; i--) {
			struct vmfence_prefix e = {};

			random_addr(rnd, e.addr, alen);
			e.plen = random_plen(rnd, alen);
			vmfence_prefix_mask(e.addr, alen, e.plen);
			/* Sets hold distinct entries (bindings refuse twins). */
			for (j = 0; j < n; j++)
				if (ents[j].plen == e.plen &&
				    !memcmp(ents[j].addr, e.addr, alen))
					break;
			if (j == n)
				ents[n++] = e;
		}
		/* vmfence_prefix_set_new() sorts its argument: keep ours. */
		memcpy(copy, ents, n * sizeof(*ents));
		set = vmfence_prefix_set_new(copy, n, alen);
		if (!set) {
			ok = false;
			break;
		}
		for (i = 0; i < n && ok; i++) {
			memcpy(a, ents[i].addr, alen);
			ok &= check_one(set, ents, n, a, alen);
			addr_step(a, alen, -1);
			ok &= check_one(set, ents, n, a, alen);
			addr_last(&ents[i], a, alen);
			ok &= check_one(set, ents, n, a, alen);
			addr_step(a, alen, 1);
			ok &= check_one(set, ents, n, a, alen);
			*probes += 4;
		}
		for (i = 0; i < 64 && ok; i++) {
			random_addr(rnd, a, alen);
			ok &= check_one(set, ents, n, a, alen);
			(*probes)++;
		}
		kfree(set);
	}
out:
	kfree(copy);
	kfree(ents);
	return ok;
}

/* Also the empty set: nothing matches. */
static bool test_empty(void)
{
	static const u8 zero[16];

	return vmfence_ip4_match(NULL, (const __be32 *)zero) == -1 &&
	       vmfence_ip6_match(NULL, (const struct in6_addr *)zero) == -1;
}

bool __init vmfence_selftest_prefix_set(void)
{
	struct rnd_state rnd;
	unsigned long probes = 0;
	bool ok;

	/* A fixed seed: a failure is the same at the next load. */
	prandom_seed_state(&rnd, 0x766d66656e6365ULL);
	ok = test_empty() && test_family(&rnd, 4, &probes) &&
	     test_family(&rnd, 16, &probes);
	if (ok)
		pr_info("vmfence: self-test: prefix sets: %lu lookups in %u IPv4 and %u IPv6 sets agree with a linear scan\n",
			probes, SETS, SETS);
	else
		pr_err("vmfence: self-test: prefix sets: FAILED\n");
	return ok;
}
