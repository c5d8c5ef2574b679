// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the parsers of what users type (parse.c).  The
 * first byte picks the parser, the rest is the string.  What a parser
 * accepts must format back to text that it accepts again as the same
 * value; what it refuses must come with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

#include "check.h"

static void check_err(int ret, const char *err, size_t len)
{
	size_t n = strnlen(err, len);

	if (!ret)
		return;
	CHECK(ret < 0);
	CHECK(n > 0 && n < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERR_LEN], buf[PREFIX_STR_LEN], *s;
	uint8_t mac[ETH_ALEN], mac2[ETH_ALEN], u8v;
	struct prefix p, p2;
	uint16_t type, type2;
	uint64_t seq, seq2;
	uint32_t flags = 0;
	int ret;

	if (!size)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	memset(err, 0, sizeof(err));

	switch (data[0] % 8) {
	case 0:
		ret = parse_mac(s, mac, err, sizeof(err));
		if (!ret) {
			CHECK(!(mac[0] & 1));
			format_mac(mac, buf);
			CHECK(!parse_mac(buf, mac2, err, sizeof(err)));
			CHECK(!memcmp(mac, mac2, ETH_ALEN));
		}
		break;
	case 1:
		ret = parse_prefix(s, &p, err, sizeof(err));
		if (!ret) {
			CHECK(p.family == AF_INET || p.family == AF_INET6);
			CHECK(p.len <= ADDR_BITS(p.family));
			format_prefix(&p, buf);
			CHECK(strlen(buf) < PREFIX_STR_LEN);
			CHECK(!parse_prefix(buf, &p2, err, sizeof(err)));
			CHECK(!memcmp(&p, &p2, sizeof(p)));
		}
		break;
	case 2:
		ret = parse_ethertype(s, &type, err, sizeof(err));
		if (!ret) {
			CHECK(type >= 0x0600);
			format_ethertype(type, buf);
			CHECK(!parse_ethertype(buf, &type2, err, sizeof(err)));
			CHECK(type == type2);
		}
		break;
	case 3:
		ret = parse_seq(s, &seq, err, sizeof(err));
		if (!ret) {
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)seq);
			CHECK(!parse_seq(buf, &seq2, err, sizeof(err)));
			CHECK(seq == seq2);
		}
		break;
	case 4:
		ret = parse_mode(s, &u8v, err, sizeof(err));
		break;
	case 5:
		ret = parse_multicast(s, &flags, err, sizeof(err));
		break;
	case 6:
		ret = parse_unbound(s, &u8v, err, sizeof(err));
		break;
	default:
		ret = parse_ifname(s, err, sizeof(err));
		if (ret)
			break;
		ret = parse_label(s, err, sizeof(err));
		break;
	}
	check_err(ret, err, sizeof(err));
	free(s);
	return 0;
}
