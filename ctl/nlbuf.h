/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_NLBUF_H
#define VMFENCECTL_NLBUF_H

/*
 * A netlink message in a buffer that grows, for requests too large for
 * the socket's request buffer (an APPLY of many ports is over a megabyte).
 * Nests are remembered by offset, since the buffer moves as it grows.
 * Errors are sticky: after one, puts do nothing and nlbuf_finish() says
 * what went wrong.  Pure: no socket, no output.
 */

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

struct nlbuf {
	char *data;
	size_t len;		/* bytes used, always NLA_ALIGNTO aligned */
	size_t cap;
	int err;		/* 0, -ENOMEM or -EMSGSIZE */
	size_t err_nest;	/* offset of the nest that overflowed */
};

/*
 * Starts a generic netlink message for the family whose id is type, of
 * command cmd: its nlmsghdr and genlmsghdr.
 */
void nlbuf_init(struct nlbuf *b, uint16_t type, uint8_t cmd,
		uint8_t version);
void nlbuf_free(struct nlbuf *b);

void nlbuf_put(struct nlbuf *b, uint16_t type, const void *data,
	       size_t len);
void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlbuf_put_u16(struct nlbuf *b, uint16_t type, uint16_t v);
void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlbuf_put_u64(struct nlbuf *b, uint16_t type, uint64_t v);
void nlbuf_put_strz(struct nlbuf *b, uint16_t type, const char *s);

/* Returns the nest's offset, for nlbuf_nest_end(). */
size_t nlbuf_nest_start(struct nlbuf *b, uint16_t type);
/*
 * Ends the nest at offset off.  A nest holds at most 65535 bytes, its
 * header included (nla_len is 16 bits): beyond, the message fails with
 * -EMSGSIZE and err_nest says which nest.
 */
void nlbuf_nest_end(struct nlbuf *b, size_t off);

/* Sets the message's length; returns 0 or the first error. */
int nlbuf_finish(struct nlbuf *b);

static inline struct nlmsghdr *nlbuf_msg(const struct nlbuf *b)
{
	return (struct nlmsghdr *)b->data;
}

#endif /* VMFENCECTL_NLBUF_H */
