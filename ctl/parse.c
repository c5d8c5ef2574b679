// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/vmfence.h>

#include "names.h"
#include "parse.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

int parse_mac(const char *s, uint8_t mac[ETH_ALEN], char *err, size_t len)
{
	static const uint8_t zero[ETH_ALEN];
	char buf[MAC_STR_LEN];
	int i, hi, lo;

	if (strlen(s) != MAC_STR_LEN - 1)
		goto invalid;
	for (i = 0; i < ETH_ALEN; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0)
			goto invalid;
		if (i < ETH_ALEN - 1 && s[3 * i + 2] != ':')
			goto invalid;
		mac[i] = hi << 4 | lo;
	}
	if (mac[0] & 1) {
		snprintf(err, len,
			 "%s is a multicast MAC address: a port needs a unicast one",
			 format_mac(mac, buf));
		return -EINVAL;
	}
	if (!memcmp(mac, zero, ETH_ALEN)) {
		snprintf(err, len,
			 "%s is not a valid MAC address: a port needs a unicast one",
			 format_mac(mac, buf));
		return -EINVAL;
	}
	return 0;

invalid:
	snprintf(err, len,
		 "invalid MAC address \"%s\": expected six hex bytes like 02:00:00:00:00:01",
		 s);
	return -EINVAL;
}

/* Clears the bits of p->addr beyond p->len; returns whether any was set. */
static bool clear_host_bits(struct prefix *p)
{
	unsigned int i, bits = ADDR_BITS(p->family);
	bool set = false;
	uint8_t mask;

	for (i = p->len; i < bits; i = (i | 7) + 1) {
		mask = 0xff >> (i % 8);
		if (p->addr[i / 8] & mask)
			set = true;
		p->addr[i / 8] &= ~mask;
	}
	return set;
}

int parse_prefix(const char *s, struct prefix *p, char *err, size_t len)
{
	char addr[INET6_ADDRSTRLEN], net[PREFIX_STR_LEN];
	char host[PREFIX_STR_LEN];
	const char *slash, *plen;
	unsigned int max, n;
	size_t alen;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(addr))
		goto invalid;
	memcpy(addr, s, alen);
	addr[alen] = '\0';

	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = AF_INET6;
	else
		goto invalid;
	max = ADDR_BITS(p->family);
	p->len = max;
	if (!slash)
		return 0;

	plen = slash + 1;
	if (!is_digits(plen)) {
		snprintf(err, len, "invalid prefix length \"%s\" in \"%s\"",
			 plen, s);
		return -EINVAL;
	}
	/* Stop once past max: more digits cannot bring it back in range. */
	for (n = 0; *plen && n <= max; plen++)
		n = n * 10 + (*plen - '0');
	if (n > max) {
		snprintf(err, len,
			 "prefix length %s is out of range for %s (0-%u)",
			 slash + 1, p->family == AF_INET ? "IPv4" : "IPv6", max);
		return -ERANGE;
	}
	p->len = n;

	if (clear_host_bits(p)) {
		/* The address alone, as the user meant it, then the prefix. */
		struct prefix h = *p;

		inet_pton(p->family, addr, h.addr);
		h.len = max;
		snprintf(err, len,
			 "%s has host bits set: use %s for the prefix or %s for the address",
			 s, format_prefix(p, net), format_prefix(&h, host));
		return -EINVAL;
	}
	return 0;

invalid:
	snprintf(err, len,
		 "invalid address \"%s\": expected an IPv4 or IPv6 address, optionally with /LEN",
		 s);
	return -EINVAL;
}

int parse_seq(const char *s, uint64_t *seq, char *err, size_t len)
{
	uint64_t v = 0;
	unsigned int d;
	const char *c;

	if (!is_digits(s)) {
		snprintf(err, len,
			 "invalid seq \"%s\": expected a decimal number from 0 to %llu",
			 s, (unsigned long long)UINT64_MAX);
		return -EINVAL;
	}
	for (c = s; *c; c++) {
		d = *c - '0';
		if (v > (UINT64_MAX - d) / 10) {
			snprintf(err, len, "seq %s is too large (at most %llu)",
				 s, (unsigned long long)UINT64_MAX);
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*seq = v;
	return 0;
}

int parse_mode(const char *s, uint8_t *mode, char *err, size_t len)
{
	unsigned int m;

	if (mode_lookup(s, &m)) {
		snprintf(err, len,
			 "invalid mode \"%s\": expected enforce or trusted", s);
		return -EINVAL;
	}
	*mode = m;
	return 0;
}

int parse_ethertype(const char *s, uint16_t *type, char *err, size_t len)
{
	unsigned int v = 0;
	const char *c;
	int d;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2] ||
	    strlen(s + 2) > 4)
		goto invalid;
	for (c = s + 2; *c; c++) {
		d = hex_digit(*c);
		if (d < 0)
			goto invalid;
		v = v << 4 | d;
	}
	/* Below 0x0600 the field is an 802.3 length, not a type. */
	if (v < ETH_P_802_3_MIN) {
		snprintf(err, len,
			 "allow-ethertype 0x%04x is not an ethertype (0x%04x or more)",
			 v, ETH_P_802_3_MIN);
		return -EINVAL;
	}
	*type = v;
	return 0;

invalid:
	snprintf(err, len,
		 "invalid ethertype \"%s\": expected 0x and 1 to 4 hex digits, like 0x88cc",
		 s);
	return -EINVAL;
}

int parse_multicast(const char *s, uint32_t *flags, char *err, size_t len)
{
	if (!strcmp(s, "allow")) {
		*flags |= VMFENCE_PORT_F_MULTICAST;
	} else if (!strcmp(s, "deny")) {
		*flags &= ~(uint32_t)VMFENCE_PORT_F_MULTICAST;
	} else {
		snprintf(err, len,
			 "invalid multicast \"%s\": expected allow or deny", s);
		return -EINVAL;
	}
	return 0;
}

int parse_unbound(const char *s, uint8_t *unbound, char *err, size_t len)
{
	unsigned int u;

	if (unbound_lookup(s, &u)) {
		snprintf(err, len,
			 "invalid unbound policy \"%s\": expected pass or drop", s);
		return -EINVAL;
	}
	*unbound = u;
	return 0;
}

int parse_ifname(const char *s, char *err, size_t len)
{
	const char *c;

	if (!*s) {
		snprintf(err, len, "the device name is empty");
		return -EINVAL;
	}
	if (strlen(s) >= IFNAMSIZ) {
		snprintf(err, len,
			 "device name \"%s\" is too long (at most %d bytes)",
			 s, IFNAMSIZ - 1);
		return -EINVAL;
	}
	for (c = s; *c; c++) {
		if (*c == '/' || *c == ' ' || (*c >= '\t' && *c <= '\r')) {
			snprintf(err, len,
				 "\"%s\" is not a valid device name", s);
			return -EINVAL;
		}
	}
	return 0;
}

int parse_label(const char *s, char *err, size_t len)
{
	size_t n = strlen(s);

	if (n >= VMFENCE_LABEL_MAX) {
		snprintf(err, len,
			 "label is %zu bytes long: at most %d are allowed",
			 n, VMFENCE_LABEL_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

char *format_mac(const uint8_t mac[ETH_ALEN], char *buf)
{
	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

char *format_ethertype(uint16_t type, char *buf)
{
	snprintf(buf, ETHERTYPE_STR_LEN, "0x%04x", type);
	return buf;
}

char *format_prefix(const struct prefix *p, char *buf)
{
	unsigned int max = ADDR_BITS(p->family);
	size_t n;

	if (!inet_ntop(p->family, p->addr, buf, INET6_ADDRSTRLEN)) {
		snprintf(buf, PREFIX_STR_LEN, "(family %u)", p->family);
		return buf;
	}
	if (p->len < max) {
		n = strlen(buf);
		snprintf(buf + n, PREFIX_STR_LEN - n, "/%u", p->len);
	}
	return buf;
}
