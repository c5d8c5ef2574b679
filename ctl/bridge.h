/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_BRIDGE_H
#define VMFENCECTL_BRIDGE_H

/* Bridge settings as BRIDGE_GET reports them: for "bridge show", "dump". */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

struct bridge {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint8_t unbound;		/* enum vmfence_unbound */
	uint64_t unbound_drops;
};

struct bridge_list {
	struct bridge *bridges;
	size_t n;
	size_t cap;
};

/* A vf_msg_cb for BRIDGE_GET replies: appends to a struct bridge_list. */
int bridge_cb(const struct nlmsghdr *nlh, void *arg);
void bridge_list_reset(void *arg);

/*
 * Prints a bridge's setting.  doc: as an entry of the configuration
 * document, without its ifindex and counter.
 */
void print_bridge(const struct bridge *br, bool doc);

#endif /* VMFENCECTL_BRIDGE_H */
