/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_DOC_H
#define VMFENCECTL_DOC_H

/*
 * The configuration document of "vmfencectl apply" and "vmfencectl dump":
 *
 *   { "version": 1,
 *     "bridges": [ { "ifname": "br0", "unbound": "drop" } ],
 *     "ports": [ { "ifname": "vif1", "mac": "02:00:00:00:00:01",
 *                  "mode": "enforce", "label": "i-2-3-VM", "seq": 3,
 *                  "addrs": [ "10.0.0.1", "2001:db8::/64" ],
 *                  "multicast": "deny", "ethertypes": [ "0x88cc" ] } ],
 *     "groups": [] }
 *
 * Parsing and encoding are pure (no socket, no output), so that they can
 * be fuzzed: doc_parse() reads the text with libjansson (a key given twice
 * in one object, a NUL and anything after the value are errors) and checks
 * every value with the parsers of "port set" (parse.c); a seq is an
 * integer from 0 to 2^53.  doc_encode() writes the VMFENCE_CMD_APPLY
 * request into a growable buffer and records where each entry landed, so
 * that the offset of a kernel error can be traced back to the entry with
 * doc_locate().
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vmfence.h>

#include "nlbuf.h"
#include "parse.h"

#define DOC_VERSION	1

struct doc_port {
	char ifname[IFNAMSIZ];
	uint8_t mac[ETH_ALEN];
	uint8_t mode;			/* enum vmfence_port_mode */
	char label[VMFENCE_LABEL_MAX];	/* "": no label */
	bool has_seq;
	uint64_t seq;
	struct prefix *addrs;
	size_t n_addrs;
	uint32_t flags;			/* VMFENCE_PORT_F_* */
	uint16_t *ethertypes;
	size_t n_ethertypes;
	/* where doc_encode() put its VMFENCE_A_PORT: [start, end) */
	uint32_t msg_start, msg_end;
};

struct doc_bridge {
	char ifname[IFNAMSIZ];
	uint8_t unbound;		/* enum vmfence_unbound */
	uint32_t msg_start, msg_end;
};

struct doc {
	struct doc_port *ports;
	size_t n_ports;
	struct doc_bridge *bridges;
	size_t n_bridges;
};

/*
 * Parses and checks the len bytes at text.  Returns 0; -EBADMSG if it is
 * not JSON, with "line L, column C: <what>" in err; -EINVAL or -ERANGE if
 * a value is wrong, with "ports[3] (vif3): <what>" in err; or -ENOMEM.
 * On error, doc is empty.
 */
int doc_parse(const char *text, size_t len, struct doc *doc, char *err,
	      size_t errlen);

void doc_free(struct doc *doc);

/*
 * Writes the VMFENCE_CMD_APPLY request for doc into b (nlbuf_init()ed by
 * this function, for family family), with flags VMFENCE_APPLY_F_*, and
 * sets the msg_start and msg_end of every entry.  Returns 0, or -ENOMEM,
 * or -EMSGSIZE if the entries do not fit in the request (with why in err).
 */
int doc_encode(struct doc *doc, uint16_t family, uint32_t flags,
	       struct nlbuf *b, char *err, size_t errlen);

/*
 * Names the entry of doc that holds byte offset off of the request,
 * "ports[3] (vif3)", into buf; returns false if no entry holds it.
 */
bool doc_locate(const struct doc *doc, uint32_t off, char *buf, size_t len);

#endif /* VMFENCECTL_DOC_H */
