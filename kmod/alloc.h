/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: how the control plane allocates.
 *
 * What the control plane allocates for a namespace (bindings, address
 * sets, claims, ports and their per-CPU counters, bridge settings, ingress
 * hooks, an APPLY in flight) is charged to the memory cgroup of the
 * caller: any user may bind ports in a network namespace of its own.
 * No retrying: at the cgroup's limit a command fails with -ENOMEM (and
 * changes nothing) instead of waking the OOM killer in the tenant's
 * cgroup.  The packet path allocates nothing.
 */
#ifndef _VMFENCE_ALLOC_H
#define _VMFENCE_ALLOC_H

#include <linux/gfp.h>

#define VMFENCE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN)

#endif /* _VMFENCE_ALLOC_H */
