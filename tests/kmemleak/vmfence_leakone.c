// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence_leakone: a test-only module that leaks one allocation on
 * purpose, so that the test run's kmemleak check is seen to report a
 * leak (tests/guest/main.sh loads it on the debug kernel before its
 * final kmemleak scan and requires the report to name this object).
 * Never built into vmfence.ko, never installed.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#define LEAKONE_MARK "vmfence-test: deliberate leak"

/* Not __init: its code stays, so that kmemleak's backtrace names it. */
static int vmfence_leakone_init(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	strscpy(p, LEAKONE_MARK, 64);
	/* The only pointer to it goes out of scope here: a leak. */
	pr_info("vmfence_leakone: leaked 64 bytes holding \"%s\"\n", p);
	return 0;
}

static void vmfence_leakone_exit(void)
{
}

module_init(vmfence_leakone_init);
module_exit(vmfence_leakone_exit);
MODULE_DESCRIPTION("vmfence test: one deliberate memory leak, for kmemleak");
MODULE_LICENSE("GPL");
