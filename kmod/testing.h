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
 *   test_exit_delay_us  so do the frames in a hook of a namespace being
 *                       torn down, or while the module unloads: every
 *                       frame in flight then is in flight for that long
 *   test_cmd_delay_ms   a command sleeps this long between resolving the
 *                       device it names and acting on it (the device may
 *                       move to another namespace meanwhile)
 *
 * And mutation controls: test_skip, a mask of VMFENCE_SKIP_* bits, turns
 * single checks off, so that a test can show its fuzzer finds the hole.
 * The bits are part of the test suite's interface (tests/lib/pktfuzz.py),
 * not of the module's.
 */

#ifndef _VMFENCE_TESTING_H
#define _VMFENCE_TESTING_H

enum vmfence_skip {
	VMFENCE_SKIP_ND_OPTIONS = 1 << 0,	/* the link-layer option walk */
	VMFENCE_SKIP_NA_TARGET = 1 << 1,	/* NA and DAD targets owned */
	VMFENCE_SKIP_AH_LEN = 1 << 2,		/* AH length as other ext hdrs */
	VMFENCE_SKIP_FIRST_FRAG = 1 << 3,	/* first fragment's upper layer */
	VMFENCE_SKIP_TO_VM_ADDR = 1 << 4,	/* towards-VM address check */
	VMFENCE_SKIP_DHCP_SNOOP = 1 << 5,	/* others' DHCP requests */
	VMFENCE_SKIP_RA = 1 << 6,		/* ICMPv6 router advertisements */
	VMFENCE_SKIP_DHCP_SERVER = 1 << 7,	/* DHCPv4 server messages */
	VMFENCE_SKIP_ARP_SENDER = 1 << 8,	/* ARP sender address owned */
	VMFENCE_SKIP_MCAST_GROUPS = 1 << 9,	/* ND/MLD/DHCPv6 group limits */
	VMFENCE_SKIP_CHADDR = 1 << 10,		/* DHCP client chaddr */
	VMFENCE_SKIP_CLAIMS = 1 << 11,		/* the more specific binding */
};

#ifdef VMFENCE_TESTING
#include <linux/delay.h>

extern unsigned int vmfence_test_hook_delay_us;
extern unsigned int vmfence_test_exit_delay_us;
extern unsigned int vmfence_test_cmd_delay_ms;
extern unsigned int vmfence_test_skip;
extern bool vmfence_test_exiting;

/* Is the check @bit turned off (a mutation control)? */
static inline bool vmfence_test_skipped(unsigned int bit)
{
	return READ_ONCE(vmfence_test_skip) & bit;
}

static inline void vmfence_test_hook_delay(bool dying)
{
	unsigned int us = READ_ONCE(vmfence_test_hook_delay_us);

	if (dying || READ_ONCE(vmfence_test_exiting))
		us += READ_ONCE(vmfence_test_exit_delay_us);
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
static inline bool vmfence_test_skipped(unsigned int bit)
{
	return false;
}

static inline void vmfence_test_hook_delay(bool dying)
{
}

static inline void vmfence_test_cmd_delay(void)
{
}
#endif

#endif /* _VMFENCE_TESTING_H */
