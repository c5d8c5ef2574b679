// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the configuration document: doc_parse() on any
 * bytes, then, for a document it accepts, doc_encode() and a check that
 * the request says what the document says and that doc_locate() names
 * the entry of every byte of it.  No socket: the request is only built.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vmfence.h>

#include "doc.h"
#include "nlbuf.h"
#include "util.h"

#include "check.h"

#define FAMILY	0x1c

static const struct nlattr *find(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static size_t count(const struct nlattr *nest)
{
	const struct nlattr *a;
	size_t n = 0;

	mnl_attr_for_each_nested(a, nest)
		n++;
	return n;
}

static void check_locate(const struct doc *doc, const char *list, size_t i,
			 uint32_t start, uint32_t end, const char *ifname)
{
	char want[64], got[64];

	snprintf(want, sizeof(want), "%s[%zu] (%s)", list, i, ifname);
	CHECK(doc_locate(doc, start, got, sizeof(got)));
	CHECK(!strcmp(got, want));
	CHECK(doc_locate(doc, end - 1, got, sizeof(got)));
	CHECK(!strcmp(got, want));
	CHECK(doc_locate(doc, (start + end) / 2, got, sizeof(got)));
	CHECK(!strcmp(got, want));
}

static void check_port(const struct doc *doc, size_t i,
		       const struct nlmsghdr *nlh, const struct nlattr *e)
{
	const struct doc_port *p = &doc->ports[i];
	const struct nlattr *a;
	uint32_t off = (const char *)e - (const char *)nlh;

	CHECK(mnl_attr_get_type(e) == VMFENCE_A_PORT);
	CHECK(e->nla_type & NLA_F_NESTED);
	CHECK(off == p->msg_start);
	CHECK(off + e->nla_len == p->msg_end);
	a = find(e, VMFENCE_PORT_A_IFNAME);
	CHECK(a && !strcmp(mnl_attr_get_str(a), p->ifname));
	a = find(e, VMFENCE_PORT_A_MAC);
	CHECK(a && mnl_attr_get_payload_len(a) == ETH_ALEN &&
	      !memcmp(mnl_attr_get_payload(a), p->mac, ETH_ALEN));
	CHECK(!(p->mac[0] & 1));
	a = find(e, VMFENCE_PORT_A_MODE);
	CHECK(a && mnl_attr_get_u8(a) == p->mode);
	a = find(e, VMFENCE_PORT_A_SEQ);
	CHECK(!a == !p->has_seq);
	CHECK(!a || mnl_attr_get_u64(a) == p->seq);
	CHECK(p->seq <= 1ULL << 53);	/* exact in every JSON reader */
	a = find(e, VMFENCE_PORT_A_LABEL);
	CHECK(!a == !p->label[0]);
	CHECK(!a || !strcmp(mnl_attr_get_str(a), p->label));
	a = find(e, VMFENCE_PORT_A_ADDRS);
	CHECK(a ? count(a) == p->n_addrs : !p->n_addrs);
	CHECK(p->n_addrs <= VMFENCE_ADDRS_MAX);
	a = find(e, VMFENCE_PORT_A_ETHERTYPES);
	CHECK(a ? count(a) == p->n_ethertypes : !p->n_ethertypes);
	a = find(e, VMFENCE_PORT_A_FLAGS);
	CHECK(a && !(mnl_attr_get_u32(a) & ~__VMFENCE_PORT_F_ALL));
	check_locate(doc, "ports", i, p->msg_start, p->msg_end, p->ifname);
}

static void check_request(const struct doc *doc, const struct nlbuf *b)
{
	const struct nlmsghdr *nlh = nlbuf_msg(b);
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *e;
	size_t ports = 0, bridges = 0, i;
	char where[64];
	uint32_t off;

	CHECK(nlh->nlmsg_len == b->len);
	CHECK(nlh->nlmsg_type == FAMILY);
	CHECK(genl->cmd == VMFENCE_CMD_APPLY);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case VMFENCE_A_APPLY_FLAGS:
			CHECK(mnl_attr_get_u32(a) == VMFENCE_APPLY_F_REPLACE);
			break;
		case VMFENCE_A_PORT:
			/* Ports come first, one top-level entry each. */
			CHECK(!bridges);
			CHECK(ports < doc->n_ports);
			check_port(doc, ports, nlh, a);
			ports++;
			break;
		case VMFENCE_A_BRIDGE: {
			const struct doc_bridge *br;

			CHECK(bridges < doc->n_bridges);
			br = &doc->bridges[bridges];
			e = a;
			off = (const char *)e - (const char *)nlh;
			CHECK(off == br->msg_start);
			CHECK(off + e->nla_len == br->msg_end);
			CHECK(!strcmp(mnl_attr_get_str(find(e, VMFENCE_BRIDGE_A_IFNAME)),
				      br->ifname));
			CHECK(mnl_attr_get_u8(find(e, VMFENCE_BRIDGE_A_UNBOUND)) ==
			      br->unbound);
			check_locate(doc, "bridges", bridges,
				     br->msg_start, br->msg_end,
				     br->ifname);
			bridges++;
			break;
		}
		default:
			CHECK(0);
		}
	}
	CHECK(ports == doc->n_ports);
	CHECK(bridges == doc->n_bridges);
	/* No entry holds the headers. */
	CHECK(!doc_locate(doc, 0, where, sizeof(where)));
	/* Two entries never share a name. */
	for (i = 1; i < doc->n_bridges; i++)
		CHECK(strcmp(doc->bridges[i - 1].ifname, doc->bridges[i].ifname));
}

/* A message is one line, and says something. */
static void check_err(const char *err, size_t len)
{
	size_t n = strnlen(err, len), i;

	CHECK(n > 0 && n < len);
	for (i = 0; i < n; i++)
		CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlbuf b = { 0 };
	struct doc doc;
	char err[ERR_LEN];
	int ret;

	memset(err, 0, sizeof(err));
	ret = doc_parse((const char *)data, size, &doc, err, sizeof(err));
	if (ret) {
		check_err(err, sizeof(err));
		CHECK(!doc.n_ports && !doc.n_bridges);
		return 0;
	}
	ret = doc_encode(&doc, FAMILY, VMFENCE_APPLY_F_REPLACE, &b, err,
			 sizeof(err));
	if (!ret)
		check_request(&doc, &b);
	else
		check_err(err, sizeof(err));
	nlbuf_free(&b);
	doc_free(&doc);
	return 0;
}
