/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: self-tests of the lookup structures against trivial
 * implementations (kmod/selftest/), run by vmfence_init() before anything
 * is registered.  Built in on kernels with KASAN (the test suite's debug
 * kernel) or with VMFENCE_SELFTEST=1; elsewhere they pass without running.
 */
#ifndef _VMFENCE_SELFTEST_H
#define _VMFENCE_SELFTEST_H

#include <linux/init.h>
#include <linux/types.h>

#ifdef VMFENCE_SELFTEST
bool vmfence_selftest_prefix_set(void) __init;
#else
static inline bool vmfence_selftest_prefix_set(void)
{
	return true;
}
#endif

#endif /* _VMFENCE_SELFTEST_H */
