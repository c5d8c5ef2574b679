/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence: the hooks of the packet path (packet_path.c), for those that
 * register them: the bridge hooks of a namespace (netns.c) and the netdev
 * ingress hook of one device (ingress.c).
 */
#ifndef _VMFENCE_PACKET_PATH_H
#define _VMFENCE_PACKET_PATH_H

struct net;
struct net_device;
struct vmfence_ingress;
struct vmfence_net;

int vmfence_hooks_register(struct net *net, struct vmfence_net *vn);
void vmfence_hooks_unregister(struct net *net, struct vmfence_net *vn);
void vmfence_ingress_ops_init(struct vmfence_ingress *in,
			      struct net_device *dev);

#endif /* _VMFENCE_PACKET_PATH_H */
