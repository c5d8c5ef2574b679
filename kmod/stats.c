// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: per-CPU counters of passed and dropped frames.
 *
 * The packet path increments the counters of the current CPU only.
 * Readers sum every CPU; a reset records the sums as a base that later
 * reads subtract, so it never writes a counter another CPU may be
 * incrementing.  Resets are serialized by vn->lock; readers take no lock
 * (sysfs and debugfs must not contend with the writers): they read the
 * base under its seqcount, retrying if a reset wrote it meanwhile.
 */
#include <linux/percpu.h>
#include <linux/string.h>
#include "alloc.h"
#include "stats.h"

int vmfence_stats_init(struct vmfence_stats *stats)
{
	int cpu;

	stats->pcpu = alloc_percpu_gfp(struct vmfence_counters, VMFENCE_GFP);
	if (!stats->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats->pcpu, cpu)->syncp);
	memset(&stats->base, 0, sizeof(stats->base));
	seqcount_init(&stats->base_seq);
	return 0;
}

void vmfence_stats_free(struct vmfence_stats *stats)
{
	free_percpu(stats->pcpu);
	stats->pcpu = NULL;
}

static void vmfence_stats_sum(const struct vmfence_stats *stats,
			      struct vmfence_stats_snapshot *sum)
{
	int cpu, r;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vmfence_counters *c = per_cpu_ptr(stats->pcpu, cpu);
		struct vmfence_stats_snapshot one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			one.passed = u64_stats_read(&c->passed);
			for (r = 1; r < __VMFENCE_DROP_LAST; r++)
				one.drops[r] = u64_stats_read(&c->drops[r]);
		} while (u64_stats_fetch_retry(&c->syncp, start));

		sum->passed += one.passed;
		for (r = 1; r < __VMFENCE_DROP_LAST; r++)
			sum->drops[r] += one.drops[r];
	}
}

/* Needs no lock (the counters must exist: RCU or vn->lock). */
void vmfence_stats_read(const struct vmfence_stats *stats,
			struct vmfence_stats_snapshot *out)
{
	struct vmfence_stats_snapshot base;
	unsigned int seq;
	int r;

	do {
		seq = read_seqcount_begin(&stats->base_seq);
		base = stats->base;
	} while (read_seqcount_retry(&stats->base_seq, seq));
	vmfence_stats_sum(stats, out);
	out->passed -= base.passed;
	for (r = 1; r < __VMFENCE_DROP_LAST; r++)
		out->drops[r] -= base.drops[r];
}

/* Called with vn->lock held (one writer of the base at a time). */
void vmfence_stats_reset(struct vmfence_stats *stats)
{
	struct vmfence_stats_snapshot sum;

	vmfence_stats_sum(stats, &sum);
	preempt_disable();
	write_seqcount_begin(&stats->base_seq);
	stats->base = sum;
	write_seqcount_end(&stats->base_seq);
	preempt_enable();
}
