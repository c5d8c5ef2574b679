// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence: the global counters in sysfs, for monitoring agents that do
 * not speak netlink.
 *
 *   /sys/kernel/vmfence/passed          frames let through from bound ports
 *   /sys/kernel/vmfence/dropped         all drops
 *   /sys/kernel/vmfence/drops/<reason>  drops per reason (mac_spoof, ...)
 *   /sys/kernel/vmfence/version         the module's version
 *
 * Each reader sees the totals of its own network namespace, what
 * "vmfencectl stats" shows as "total" there (a stats reset lowers them),
 * as it would read /proc/net: a container learns nothing of other
 * tenants' traffic.  Reading takes no lock (stats.c).  One value per
 * file, read-only.
 */
#include <linux/kobject.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <net/net_namespace.h>
#include "netns.h"
#include "stats.h"
#include "sysfs.h"

static struct kobject *vmfence_kobj;
static struct kobj_attribute *vmfence_drop_attrs;
static struct attribute **vmfence_drop_attr_list;
static struct attribute_group vmfence_drops_group = {
	.name = "drops",
};

/*
 * The totals of the reader's namespace (a task's own namespace stays
 * while it runs).
 */
static void vmfence_stats_read_mine(struct vmfence_stats_snapshot *s)
{
	vmfence_stats_read(&vmfence_pernet(current->nsproxy->net_ns)->stats, s);
}

static ssize_t drop_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct vmfence_stats_snapshot s;

	vmfence_stats_read_mine(&s);
	/* The attributes are an array indexed by reason - 1. */
	return sysfs_emit(buf, "%llu\n",
			  s.drops[attr - vmfence_drop_attrs + 1]);
}

static ssize_t passed_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct vmfence_stats_snapshot s;

	vmfence_stats_read_mine(&s);
	return sysfs_emit(buf, "%llu\n", s.passed);
}

static ssize_t dropped_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct vmfence_stats_snapshot s;
	u64 total = 0;
	int r;

	vmfence_stats_read_mine(&s);
	for (r = 1; r < __VMFENCE_DROP_LAST; r++)
		total += s.drops[r];
	return sysfs_emit(buf, "%llu\n", total);
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", VMFENCE_VERSION);
}

static struct kobj_attribute passed_attr = __ATTR_RO(passed);
static struct kobj_attribute dropped_attr = __ATTR_RO(dropped);
static struct kobj_attribute version_attr = __ATTR_RO(version);

static struct attribute *vmfence_attrs[] = {
	&passed_attr.attr,
	&dropped_attr.attr,
	&version_attr.attr,
	NULL,
};

static const struct attribute_group vmfence_group = {
	.attrs = vmfence_attrs,
};

int __init vmfence_sysfs_init(void)
{
	int r, err = -ENOMEM;

	vmfence_drop_attrs = kcalloc(VMFENCE_DROP_MAX,
				     sizeof(*vmfence_drop_attrs), GFP_KERNEL);
	vmfence_drop_attr_list = kcalloc(VMFENCE_DROP_MAX + 1,
					 sizeof(*vmfence_drop_attr_list),
					 GFP_KERNEL);
	if (!vmfence_drop_attrs || !vmfence_drop_attr_list)
		goto out_free;
	for (r = 1; r < __VMFENCE_DROP_LAST; r++) {
		struct kobj_attribute *a = &vmfence_drop_attrs[r - 1];

		sysfs_attr_init(&a->attr);
		a->attr.name = vmfence_drop_name(r);
		a->attr.mode = 0444;
		a->show = drop_show;
		vmfence_drop_attr_list[r - 1] = &a->attr;
	}
	vmfence_drops_group.attrs = vmfence_drop_attr_list;

	vmfence_kobj = kobject_create_and_add("vmfence", kernel_kobj);
	if (!vmfence_kobj)
		goto out_free;
	err = sysfs_create_group(vmfence_kobj, &vmfence_group);
	if (err)
		goto out_put;
	err = sysfs_create_group(vmfence_kobj, &vmfence_drops_group);
	if (err)
		goto out_remove;
	return 0;

out_remove:
	sysfs_remove_group(vmfence_kobj, &vmfence_group);
out_put:
	kobject_put(vmfence_kobj);
out_free:
	kfree(vmfence_drop_attr_list);
	kfree(vmfence_drop_attrs);
	return err;
}

void vmfence_sysfs_exit(void)
{
	sysfs_remove_group(vmfence_kobj, &vmfence_drops_group);
	sysfs_remove_group(vmfence_kobj, &vmfence_group);
	kobject_put(vmfence_kobj);
	kfree(vmfence_drop_attr_list);
	kfree(vmfence_drop_attrs);
}
