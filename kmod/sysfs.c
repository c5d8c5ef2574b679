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
 * "Global" is the sum over every network namespace of the namespace
 * totals that "vmfencectl stats" shows as "total" (a stats reset in a
 * namespace lowers them).  One value per file, read-only.
 */
#include <linux/kobject.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <net/net_namespace.h>
#include "vmfence.h"

static struct kobject *vmfence_kobj;
static struct kobj_attribute *vmfence_drop_attrs;
static struct attribute **vmfence_drop_attr_list;
static struct attribute_group vmfence_drops_group = {
	.name = "drops",
};

/* Sum of every namespace's totals. */
void vmfence_stats_read_all(struct vmfence_stats_snapshot *sum)
{
	struct vmfence_stats_snapshot one;
	struct net *net;
	int r;

	memset(sum, 0, sizeof(*sum));
	down_read(&net_rwsem);
	for_each_net(net) {
		struct vmfence_net *vn = vmfence_pernet(net);

		mutex_lock(&vn->lock);
		vmfence_stats_read(&vn->stats, &one);
		mutex_unlock(&vn->lock);
		sum->passed += one.passed;
		for (r = 1; r < __VMFENCE_DROP_LAST; r++)
			sum->drops[r] += one.drops[r];
	}
	up_read(&net_rwsem);
}

static ssize_t drop_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct vmfence_stats_snapshot s;

	vmfence_stats_read_all(&s);
	/* The attributes are an array indexed by reason - 1. */
	return sysfs_emit(buf, "%llu\n",
			  s.drops[attr - vmfence_drop_attrs + 1]);
}

static ssize_t passed_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct vmfence_stats_snapshot s;

	vmfence_stats_read_all(&s);
	return sysfs_emit(buf, "%llu\n", s.passed);
}

static ssize_t dropped_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct vmfence_stats_snapshot s;
	u64 total = 0;
	int r;

	vmfence_stats_read_all(&s);
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
