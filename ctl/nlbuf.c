// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlbuf.h"

/* Makes room for n more bytes; returns where they go, or NULL. */
static void *reserve(struct nlbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return NULL;
	if (n > b->cap - b->len) {
		cap = b->cap ? b->cap : 4096;
		while (n > cap - b->len) {
			if (cap > SIZE_MAX / 2) {
				b->err = -ENOMEM;
				return NULL;
			}
			cap *= 2;
		}
		p = realloc(b->data, cap);
		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

void nlbuf_init(struct nlbuf *b, uint16_t type, uint8_t cmd,
		uint8_t version)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	memset(b, 0, sizeof(*b));
	nlh = reserve(b, NLMSG_HDRLEN);
	genl = reserve(b, GENL_HDRLEN);
	if (!nlh || !genl)
		return;
	/* reserve() may have moved the header */
	nlh = nlbuf_msg(b);
	nlh->nlmsg_type = type;
	genl = (struct genlmsghdr *)(b->data + NLMSG_HDRLEN);
	genl->cmd = cmd;
	genl->version = version;
}

void nlbuf_free(struct nlbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void nlbuf_put(struct nlbuf *b, uint16_t type, const void *data,
	       size_t len)
{
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		if (!b->err)
			b->err = -EMSGSIZE;
		return;
	}
	a = reserve(b, NLA_HDRLEN + NLA_ALIGN(len));
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nlbuf_put(b, type, &v, sizeof(v));
}

void nlbuf_put_u16(struct nlbuf *b, uint16_t type, uint16_t v)
{
	nlbuf_put(b, type, &v, sizeof(v));
}

void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nlbuf_put(b, type, &v, sizeof(v));
}

void nlbuf_put_u64(struct nlbuf *b, uint16_t type, uint64_t v)
{
	nlbuf_put(b, type, &v, sizeof(v));
}

void nlbuf_put_strz(struct nlbuf *b, uint16_t type, const char *s)
{
	nlbuf_put(b, type, s, strlen(s) + 1);
}

size_t nlbuf_nest_start(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr *a;

	a = reserve(b, NLA_HDRLEN);
	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return off;
}

void nlbuf_nest_end(struct nlbuf *b, size_t off)
{
	struct nlattr *a;
	size_t len;

	if (b->err)
		return;
	len = b->len - off;
	if (len > UINT16_MAX) {
		b->err = -EMSGSIZE;
		b->err_nest = off;
		return;
	}
	a = (struct nlattr *)(b->data + off);
	a->nla_len = len;
}

int nlbuf_finish(struct nlbuf *b)
{
	if (b->err)
		return b->err;
	if (b->len > UINT32_MAX)
		return -EMSGSIZE;
	nlbuf_msg(b)->nlmsg_len = b->len;
	return 0;
}
