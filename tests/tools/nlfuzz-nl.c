// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence-nlfuzz: sockets, one request and everything answered to it.
 *
 * The kernel handles a generic-netlink request inside our sendmsg(): when
 * it returns, the reply and the ACK (or the error) are already queued on
 * the socket, and so is the first part of a dump, whose next parts are
 * built inside each recvmsg().  So "what is queued now" is the whole
 * answer to a request that is not a dump, and a request that got nothing
 * queued got no answer at all (a message the core drops silently).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include "nlfuzz.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	b->cap = (b->len + more) * 2 + 256;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		perror("vmfence-nlfuzz: realloc");
		exit(2);
	}
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void hexdump_to(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t i, o = 0;

	out[0] = 0;
	for (i = 0; i < n && o + 4 < outlen; i++)
		o += snprintf(out + o, outlen - o, "%02x", p[i]);
	if (i < n && o + 4 < outlen)
		snprintf(out + o, outlen - o, "...");
}

static void setopt(int fd, int level, int name, int val)
{
	/* Best effort: the checks that need these say so when they fail. */
	(void)setsockopt(fd, level, name, &val, sizeof(val));
}

int fz_open(struct fz_sock *s, int family)
{
	memset(s, 0, sizeof(*s));
	s->sk = nl_socket_alloc();
	if (!s->sk)
		return -ENOMEM;
	/* We match replies to requests ourselves, by seq. */
	nl_socket_disable_seq_check(s->sk);
	nl_socket_disable_auto_ack(s->sk);
	if (genl_connect(s->sk) < 0) {
		nl_socket_free(s->sk);
		s->sk = NULL;
		return -ECONNREFUSED;
	}
	s->fd = nl_socket_get_fd(s->sk);
	/* Extended ACKs; errors without a copy of the (maybe huge) request. */
	setopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	setopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	/* Room for multi-megabyte APPLY documents (we run as root). */
	if (nl_socket_set_buffer_size(s->sk, 1 << 20, 1 << 20) < 0)
		return -ENOBUFS;
	setopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20);
	setopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20);
	s->family = family > 0 ? family :
		    genl_ctrl_resolve(s->sk, VMFENCE_GENL_NAME);
	if (s->family < 0) {
		nl_socket_free(s->sk);
		s->sk = NULL;
		return -ENOENT;
	}
	s->seq = (uint32_t)rnd64() | 1;
	return 0;
}

void fz_close(struct fz_sock *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
}

uint32_t fz_next_seq(struct fz_sock *s)
{
	return ++s->seq;
}

void reply_free(struct reply *r)
{
	buf_free(&r->data);
}

/* NLMSG_ERROR: the errno and the extended-ACK TLVs after it. */
static void take_error(struct reply *r, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = nlmsg_data(h);
	const struct nlattr *a;
	size_t off;
	int rem;

	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		finding(F_PROTOCOL, "NLMSG_ERROR of %u bytes", h->nlmsg_len);
		return;
	}
	r->acked = true;
	r->err = -e->error;
	r->capped = h->nlmsg_flags & NLM_F_CAPPED;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!r->capped)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off > h->nlmsg_len) {
		finding(F_PROTOCOL, "NLMSG_ERROR TLVs beyond the message");
		return;
	}
	nla_for_each_attr(a, (struct nlattr *)((uint8_t *)h + off),
			  (int)(h->nlmsg_len - off), rem) {
		switch (nla_type(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(r->msg, sizeof(r->msg), "%.*s", nla_len(a),
				 (const char *)nla_data(a));
			r->has_msg = r->msg[0] != 0;
			break;
		case NLMSGERR_ATTR_OFFS:
			if (nla_len(a) == 4) {
				r->offs = nla_get_u32((struct nlattr *)a);
				r->has_offs = true;
			}
			break;
		}
	}
}

static void take_done(struct reply *r, const struct nlmsghdr *h)
{
	r->done = true;
	if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		memcpy(&r->done_err, nlmsg_data(h), sizeof(int));
	else
		finding(F_PROTOCOL, "NLMSG_DONE without its error field");
	r->done_err = -r->done_err;
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
}

/* One recvmsg(); sorts what it got into @r.  Returns bytes or -errno. */
static int recv_into(struct fz_sock *s, uint32_t seq, struct reply *r)
{
	struct sockaddr_nl peer;
	unsigned char *data = NULL;
	struct nlmsghdr *h;
	int n, rem;

	n = nl_recv(s->sk, &peer, &data, NULL);
	if (n <= 0) {
		free(data);
		return n < 0 ? -EIO : 0;
	}
	r->nrecv++;
	rem = n;
	for (h = (struct nlmsghdr *)data; nlmsg_ok(h, rem);
	     h = nlmsg_next(h, &rem)) {
		if (h->nlmsg_seq != seq) {
			r->stray++;
			continue;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			take_error(r, h);
		} else if (h->nlmsg_type == NLMSG_DONE) {
			take_done(r, h);
		} else {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			buf_add(&r->data, h, NLMSG_ALIGN(h->nlmsg_len));
			r->ndata++;
		}
	}
	if (rem > 0)
		finding(F_PROTOCOL, "%d bytes left over after the messages of one recvmsg()",
			rem);
	free(data);
	return n;
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN);
}

int fz_txrx(struct fz_sock *s, const uint8_t *msg, size_t len, bool dump,
	    struct reply *r)
{
	uint32_t seq = 0;
	int n;

	memset(r, 0, sizeof(*r));
	if (len >= NLMSG_HDRLEN)
		seq = ((const struct nlmsghdr *)msg)->nlmsg_seq;
	n = nl_sendto(s->sk, (void *)msg, len);
	if (n < 0) {
		r->send_err = -errno;
		return -1;
	}
	cnt.sent++;
	for (;;) {
		int wait = 0;

		/* A dump under way continues within each recvmsg(). */
		if (dump && r->ndata && !r->done && !r->acked)
			wait = 5000;
		if (!readable(s->fd, wait)) {
			if (wait)
				r->timeout = true;
			break;
		}
		if (recv_into(s, seq, r) <= 0) {
			finding(F_PROTOCOL, "recvmsg failed (%s)",
				strerror(errno));
			break;
		}
		if (r->acked || r->done)
			break;
	}
	/* Whatever is still queued for this request is a protocol error. */
	while (readable(s->fd, 0)) {
		struct reply extra = { 0 };

		if (recv_into(s, seq, &extra) <= 0)
			break;
		if (extra.ndata || extra.acked || extra.done)
			finding(F_PROTOCOL, "more messages after the end of the answer to seq %u",
				seq);
		r->stray += extra.stray;
		reply_free(&extra);
	}
	return 0;
}

int fz_dump(struct fz_sock *s, int cmd, struct reply *r)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *h;
	int err;

	if (!m)
		return -ENOMEM;
	h = genlmsg_put(m, NL_AUTO_PORT, fz_next_seq(s), s->family, 0,
			NLM_F_REQUEST | NLM_F_DUMP, cmd, VMFENCE_GENL_VERSION) ?
	    nlmsg_hdr(m) : NULL;
	if (!h) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	err = fz_txrx(s, (const uint8_t *)h, h->nlmsg_len, true, r);
	nlmsg_free(m);
	return err;
}

int fz_recv_once_into(struct fz_sock *s, uint32_t seq, int timeout_ms,
		      struct reply *r)
{
	memset(r, 0, sizeof(*r));
	if (!readable(s->fd, timeout_ms))
		return -ETIMEDOUT;
	return recv_into(s, seq, r);
}

