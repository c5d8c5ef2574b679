/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: counters of passed and dropped frames (stats.c), and the names
 * of the drop reasons they count (names.c).
 *
 * Counters are per CPU and written only by the packet path; readers sum
 * them.  A reset does not write them (that would race with the packet
 * path): it records the current sums as a base that later reads subtract.
 */
#ifndef _VMFENCE_STATS_H
#define _VMFENCE_STATS_H

#include <linux/percpu.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/vmfence.h>

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

#endif /* _VMFENCE_STATS_H */
