/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: the global counters in sysfs (sysfs.c).
 */
#ifndef _VMFENCE_SYSFS_H
#define _VMFENCE_SYSFS_H

int vmfence_sysfs_init(void);
void vmfence_sysfs_exit(void);

#endif /* _VMFENCE_SYSFS_H */
