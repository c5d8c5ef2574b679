/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_PARSE_H
#define VMFENCECTL_PARSE_H

/*
 * Parsers for what users type.  They are pure: no global state, no
 * output.  Each returns 0, or -EINVAL (-ERANGE for numbers that do not
 * fit) and writes a one-line explanation, without the program name, into
 * err.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/if_ether.h>

#define MAC_STR_LEN	18	/* "02:00:00:00:00:01" and its NUL */
#define PREFIX_STR_LEN	50	/* INET6_ADDRSTRLEN, "/128" and a NUL */
#define ETHERTYPE_STR_LEN 7	/* "0x88cc" and its NUL */

/*
 * The length of an address of family (AF_INET or AF_INET6): in bytes,
 * and in bits, the longest prefix.
 */
#define ADDR_LEN(family)	((family) == AF_INET ? 4 : 16)
#define ADDR_BITS(family)	(8 * ADDR_LEN(family))

struct prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length, in bits */
	/* network byte order; IPv4 in the first 4 bytes */
	uint8_t addr[ADDR_LEN(AF_INET6)];
};

/* A unicast, non-zero MAC address written aa:bb:cc:dd:ee:ff. */
int parse_mac(const char *s, uint8_t mac[ETH_ALEN], char *err, size_t len);

/* An IPv4 or IPv6 address, or a prefix ADDR/LEN with no host bits set. */
int parse_prefix(const char *s, struct prefix *p, char *err, size_t len);

/* A number: decimal digits only, 0 to 2^64 - 1. */
int parse_seq(const char *s, uint64_t *seq, char *err, size_t len);

/*
 * The largest seq of a binding: 2^53, the largest integer every JSON
 * reader holds exactly, so that what "dump" writes "apply" reads back.
 */
#define SEQ_MAX		(1ULL << 53)

/* "enforce" or "trusted", as an enum vmfence_port_mode value. */
int parse_mode(const char *s, uint8_t *mode, char *err, size_t len);

/*
 * An ethertype written 0x and 1 to 4 hex digits, 0x0600 or more (below,
 * the field is an 802.3 length).
 */
int parse_ethertype(const char *s, uint16_t *type, char *err, size_t len);

/* "allow" or "deny", as *flags with VMFENCE_PORT_F_MULTICAST set or not. */
int parse_multicast(const char *s, uint32_t *flags, char *err, size_t len);

/* "pass" or "drop", as an enum vmfence_unbound value. */
int parse_unbound(const char *s, uint8_t *unbound, char *err, size_t len);

/* A device name as the kernel accepts it: 1 to IFNAMSIZ - 1 bytes. */
int parse_ifname(const char *s, char *err, size_t len);

/* A label: at most VMFENCE_LABEL_MAX - 1 bytes. */
int parse_label(const char *s, char *err, size_t len);

/* Formats a MAC address into buf, MAC_STR_LEN bytes. */
char *format_mac(const uint8_t mac[ETH_ALEN], char *buf);

/* Formats an ethertype into buf, ETHERTYPE_STR_LEN bytes: "0x88cc". */
char *format_ethertype(uint16_t type, char *buf);

/*
 * Formats an address into buf, PREFIX_STR_LEN bytes, with "/LEN" only if
 * LEN is shorter than the address.
 */
char *format_prefix(const struct prefix *p, char *buf);

#endif /* VMFENCECTL_PARSE_H */
