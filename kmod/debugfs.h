/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: per-port tables in debugfs (debugfs.c).
 */
#ifndef _VMFENCE_DEBUGFS_H
#define _VMFENCE_DEBUGFS_H

void vmfence_debugfs_init(void);
void vmfence_debugfs_exit(void);

#endif /* _VMFENCE_DEBUGFS_H */
