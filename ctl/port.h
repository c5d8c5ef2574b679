/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_PORT_H
#define VMFENCECTL_PORT_H

/* Bindings as PORT_GET reports them: shared by "port show" and "dump". */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vmfence.h>

#include "parse.h"

struct nlmsghdr;

struct port {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint8_t mac[ETH_ALEN];
	uint8_t mode;
	bool has_label;
	char label[VMFENCE_LABEL_MAX];
	uint64_t seq;
	struct prefix *addrs;
	size_t n_addrs;
	uint32_t flags;			/* VMFENCE_PORT_F_* */
	uint16_t *ethertypes;
	size_t n_ethertypes;
};

struct port_list {
	struct port *ports;
	size_t n;
	size_t cap;
};

/* A vf_msg_cb for PORT_GET replies: appends to a struct port_list. */
int port_cb(const struct nlmsghdr *nlh, void *arg);
/* Empties the list, for vf_dump()'s retries. */
void port_list_reset(void *arg);
void port_list_free(struct port_list *list);

/*
 * Prints a binding.  doc: as an entry of the configuration document (see
 * doc.h), without what describes the device rather than the binding
 * (its ifindex).
 */
void print_port(const struct port *p, bool doc);

#endif /* VMFENCECTL_PORT_H */
