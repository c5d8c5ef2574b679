/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: hooks for the test suite, compiled only into its second build
 * (VMFENCE_TESTING=1: tests/lib/vm.sh builds vmfence-testing.ko beside
 * vmfence.ko).  In the module users get, they are empty functions.
 *
 * They make rare windows wide, so that a test can show a race is closed:
 *   test_hook_delay_us  each hook spins this long before it looks its port
 *                       up (unloading, or deleting a namespace, under
 *                       traffic: the tables must outlive every hook)
 *   test_cmd_delay_ms   a command sleeps this long between resolving the
 *                       device it names and acting on it (the device may
 *                       move to another namespace meanwhile)
 */
#ifndef _VMFENCE_TESTING_H
#define _VMFENCE_TESTING_H

#ifdef VMFENCE_TESTING
#include <linux/delay.h>

extern unsigned int vmfence_test_hook_delay_us;
extern unsigned int vmfence_test_cmd_delay_ms;

static inline void vmfence_test_hook_delay(void)
{
	unsigned int us = READ_ONCE(vmfence_test_hook_delay_us);

	if (us)
		udelay(us);
}

static inline void vmfence_test_cmd_delay(void)
{
	unsigned int ms = READ_ONCE(vmfence_test_cmd_delay_ms);

	if (ms)
		msleep(ms);
}
#else
static inline void vmfence_test_hook_delay(void)
{
}

static inline void vmfence_test_cmd_delay(void)
{
}
#endif

#endif /* _VMFENCE_TESTING_H */
