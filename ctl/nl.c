// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vmfence.h>

#include "names.h"
#include "nl.h"
#include "util.h"

/* Enough for a 32 KiB dump skb, the largest the kernel makes; grows. */
#define VF_RECV_SIZE	65536
#define VF_DUMP_TRIES	10
#define VF_GROUPS_MAX	8
#define VF_EVENT_RCVBUF	(1024 * 1024)

struct vf_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	/* resolving the family: report nothing, vf_sock_open()'s caller will */
	bool quiet;
	char *req;		/* the request, VF_REQUEST_SIZE bytes */
	/* the request being answered, which extended ACKs point into */
	const struct nlmsghdr *cur;
	/* names the part of cur that an extended ACK points at, if set */
	vf_where_cb where;
	void *where_arg;
	struct {
		char name[GENL_NAMSIZ];
		uint32_t id;
	} groups[VF_GROUPS_MAX];	/* the family's multicast groups */
	unsigned int n_groups;
	char *buf;		/* what the kernel sends, buf_len bytes */
	size_t buf_len;
};

/* What an NLMSG_ERROR or NLMSG_DONE carries besides its errno. */
struct ext_ack {
	const char *msg;
	bool has_offs;
	bool has_miss_type;
	bool has_miss_nest;
	uint32_t offs;
	uint32_t miss_type;
	uint32_t miss_nest;
};

static bool attr_ok(const struct nlattr *a, const struct vf_policy *p)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	switch (p->kind) {
	case VF_ATTR_U8:
		return len == sizeof(uint8_t);
	case VF_ATTR_U16:
		return len == sizeof(uint16_t);
	case VF_ATTR_U32:
		return len == sizeof(uint32_t);
	case VF_ATTR_U64:
		return len == sizeof(uint64_t);
	case VF_ATTR_STRING:
		if (strnlen(s, len) == len)
			return false;
		return !p->len || strlen(s) < p->len;
	case VF_ATTR_BINARY:
		return len == p->len;
	default:
		return true;
	}
}

static int parse_payload(const void *payload, size_t len,
			 const struct vf_policy *pol, unsigned int max,
			 const struct nlattr **tb)
{
	const char *end = (const char *)payload + len;
	const struct nlattr *a;
	uint16_t type;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	for (a = payload; mnl_attr_ok(a, end - (const char *)a);
	     a = mnl_attr_next(a)) {
		type = mnl_attr_get_type(a);
		if (type > max || pol[type].kind == VF_ATTR_UNSPEC)
			continue;
		if (!attr_ok(a, &pol[type]))
			return -EBADMSG;
		tb[type] = a;
	}
	return 0;
}

int vf_parse(const struct nlmsghdr *nlh, const struct vf_policy *pol,
	     unsigned int max, const struct nlattr **tb)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (len < GENL_HDRLEN)
		return -EBADMSG;
	return parse_payload((const char *)mnl_nlmsg_get_payload(nlh) +
			     GENL_HDRLEN, len - GENL_HDRLEN, pol, max, tb);
}

int vf_parse_nested(const struct nlattr *nest, const struct vf_policy *pol,
		    unsigned int max, const struct nlattr **tb)
{
	return parse_payload(mnl_attr_get_payload(nest),
			     mnl_attr_get_payload_len(nest), pol, max, tb);
}

/*
 * Finds the attribute in [start, end) that holds pos; *n is its position
 * among its siblings, from 1.
 */
static const struct nlattr *attr_holding(const char *start, const char *end,
					 const char *pos, unsigned int *n)
{
	const struct nlattr *a;

	*n = 0;
	for (a = (const void *)start; mnl_attr_ok(a, end - (const char *)a);
	     a = mnl_attr_next(a)) {
		++*n;
		if (pos >= (const char *)a &&
		    pos < (const char *)a + a->nla_len)
			return a;
	}
	return NULL;
}

/*
 * Finds the innermost attribute of the request that holds byte offset
 * off, as the kernel's NLMSGERR_ATTR_OFFS and _MISS_NEST point.  Returns
 * it, the space that names it in *space, and in *index the position of
 * the repeated entry (such as an address) it is in, or 0, with the name
 * of such entries in *entry.
 */
static const struct nlattr *find_attr(const struct nlmsghdr *req,
				      uint32_t off,
				      const struct attr_space **space,
				      unsigned int *index, const char **entry)
{
	const struct attr_space *sp = &vmfence_attr_space, *child;
	const char *start = (const char *)req + NLMSG_HDRLEN + GENL_HDRLEN;
	const char *end = (const char *)req + req->nlmsg_len;
	const char *pos = (const char *)req + off;
	const struct nlattr *found = NULL, *a;
	unsigned int n;
	uint16_t type;

	*index = 0;
	if (off >= req->nlmsg_len)
		return NULL;
	while ((a = attr_holding(start, end, pos, &n))) {
		found = a;
		*space = sp;
		if (sp->entry) {
			*index = n;
			*entry = sp->entry;
		}
		type = mnl_attr_get_type(a);
		child = sp->nested && type <= sp->max ? sp->nested[type] : NULL;
		if (!child || pos < (const char *)mnl_attr_get_payload(a))
			break;
		sp = child;
		start = mnl_attr_get_payload(a);
		end = (const char *)a + a->nla_len;
	}
	return found;
}

static const char *attr_name(const struct attr_space *sp, unsigned int type,
			     char *buf, size_t len)
{
	if (type <= sp->max && sp->names[type])
		return sp->names[type];
	snprintf(buf, len, "attribute type %u", type);
	return buf;
}

/*
 * Describes the attribute an extended ACK without a message points at,
 * " (attribute VMFENCE_ADDR_A_PREFIXLEN of address 2)", into buf; leaves
 * buf empty if it cannot tell.
 */
static void describe_attr(const struct vf_sock *sk, const struct ext_ack *ea,
			  char *buf, size_t len)
{
	const struct nlmsghdr *req = sk->cur;
	const struct attr_space *sp = &vmfence_attr_space;
	const char *what, *name, *entry = NULL;
	const struct nlattr *a = NULL;
	unsigned int index = 0;
	char tmp[32];

	buf[0] = '\0';
	if (!req || req->nlmsg_type != sk->family)
		return;
	if (ea->has_miss_type) {
		what = "missing ";
		if (ea->has_miss_nest) {
			a = find_attr(req, ea->miss_nest, &sp, &index,
				      &entry);
			if (!a)
				return;
			sp = sp->nested && mnl_attr_get_type(a) <= sp->max ?
			     sp->nested[mnl_attr_get_type(a)] : NULL;
			if (!sp)
				return;
		}
		name = attr_name(sp, ea->miss_type, tmp, sizeof(tmp));
	} else if (ea->has_offs) {
		what = "attribute ";
		a = find_attr(req, ea->offs, &sp, &index, &entry);
		if (!a)
			return;
		name = attr_name(sp, mnl_attr_get_type(a), tmp, sizeof(tmp));
	} else {
		return;
	}
	if (index)
		snprintf(buf, len, " (%s%s of %s %u)", what, name, entry,
			 index);
	else
		snprintf(buf, len, " (%s%s)", what, name);
}

static const char *errno_text(int err)
{
	switch (err) {
	case EPERM:
		return "Operation not permitted (vmfencectl needs CAP_NET_ADMIN)";
	case ESTALE:
		/* the one meaning the uapi gives it */
		return "seq is not greater than the seq in force";
	default:
		return strerror(err);
	}
}

/* Prints a kernel message without the final period it may have. */
static void print_ext_msg(const char *prefix, const char *where,
			  const char *msg)
{
	size_t len = strlen(msg);

	while (len && (msg[len - 1] == '.' || msg[len - 1] == '\n'))
		len--;
	fprintf(stderr, "%s: %s%.*s.\n", prefix, where, (int)len, msg);
}

/*
 * "ports[3] (vif3): " if the caller can name the part of the request that
 * the extended ACK points at, else "".
 */
static void where_prefix(const struct vf_sock *sk, const struct ext_ack *ea,
			 char *buf, size_t len)
{
	char where[128];
	uint32_t off;

	buf[0] = '\0';
	if (!sk->where || !sk->cur)
		return;
	if (ea->has_offs)
		off = ea->offs;
	else if (ea->has_miss_type && ea->has_miss_nest)
		off = ea->miss_nest;
	else
		return;
	if (off >= sk->cur->nlmsg_len ||
	    !sk->where(off, where, sizeof(where), sk->where_arg))
		return;
	snprintf(buf, len, "%s: ", where);
}

static void report_kernel_error(const struct vf_sock *sk, int err,
				const struct ext_ack *ea)
{
	char where[160], what[128];

	where_prefix(sk, ea, where, sizeof(where));
	if (!err) {
		if (ea->msg && *ea->msg)
			print_ext_msg("Warning", where, ea->msg);
		return;
	}
	if (ea->msg && *ea->msg) {
		print_ext_msg("Error", where, ea->msg);
		return;
	}
	describe_attr(sk, ea, what, sizeof(what));
	fprintf(stderr, "Error: %s%s%s.\n", where, errno_text(err), what);
}

static void report_local_error(int err)
{
	if (err == -EBADMSG)
		fail("malformed message from the vmfence kernel module");
	else
		fail("netlink: %s", strerror(-err));
}

static uint32_t attr_u32(const struct nlattr *a, bool *ok)
{
	*ok = mnl_attr_get_payload_len(a) == sizeof(uint32_t);
	return *ok ? mnl_attr_get_u32(a) : 0;
}

/* Reads the TLVs at offset off of the payload of an ERROR or DONE. */
static void parse_ext_ack(const struct nlmsghdr *nlh, size_t off,
			  struct ext_ack *ea)
{
	static const struct vf_policy str = { .kind = VF_ATTR_STRING };
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const char *payload = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(ea, 0, sizeof(*ea));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > len)
		return;
	for (a = (const void *)(payload + off);
	     mnl_attr_ok(a, payload + len - (const char *)a);
	     a = mnl_attr_next(a)) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (attr_ok(a, &str))
				ea->msg = mnl_attr_get_str(a);
			break;
		case NLMSGERR_ATTR_OFFS:
			ea->offs = attr_u32(a, &ea->has_offs);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			ea->miss_type = attr_u32(a, &ea->has_miss_type);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			ea->miss_nest = attr_u32(a, &ea->has_miss_nest);
			break;
		}
	}
}

/*
 * The errno of an NLMSG_ERROR (0 for an ACK) or NLMSG_DONE, reported if
 * report is set.
 */
static int status(const struct vf_sock *sk, const struct nlmsghdr *nlh,
		  bool report)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh), off;
	struct ext_ack ea;
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* Old kernels may send an empty NLMSG_DONE. */
		if (len < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		off = NLMSG_ALIGN(sizeof(int));
	} else {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (len < sizeof(*e)) {
			if (report)
				report_local_error(-EBADMSG);
			return -EBADMSG;
		}
		err = e->error;
		off = sizeof(*e);
		/* Without NETLINK_CAP_ACK, the request follows. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e->msg.nlmsg_len > NLMSG_HDRLEN)
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (err > 0)
		err = -EPROTO;
	if (report) {
		parse_ext_ack(nlh, off, &ea);
		report_kernel_error(sk, -err, &ea);
	}
	return err;
}

/*
 * Receives one datagram into sk->buf, growing it to fit.  Returns its
 * length, 0 for one to ignore, or -errno.
 */
static ssize_t recv_datagram(struct vf_sock *sk)
{
	int fd = mnl_socket_get_fd(sk->mnl);
	struct sockaddr_nl sa;
	struct iovec iov;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t len;
	char *p;

	/* Peek at the size first, as iproute2 does: a reply may be big. */
	for (;;) {
		iov.iov_base = sk->buf;
		iov.iov_len = sk->buf_len;
		len = recvmsg(fd, &msg, MSG_PEEK | MSG_TRUNC);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if ((size_t)len <= sk->buf_len)
			break;
		p = realloc(sk->buf, len);
		if (!p)
			return -ENOMEM;
		sk->buf = p;
		sk->buf_len = len;
	}

	msg.msg_name = &sa;
	msg.msg_namelen = sizeof(sa);
	do {
		len = recvmsg(fd, &msg, 0);
	} while (len < 0 && errno == EINTR);
	if (len < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Only the kernel may speak to us. */
	if (msg.msg_namelen != sizeof(sa) || sa.nl_pid)
		return 0;
	return len;
}

/*
 * Reads the answer to request seq to its end: the ACK or error of a
 * request, the NLMSG_DONE or error of a dump.  Calls cb for every data
 * message, until an error.  Reports the first error, returns it; sets
 * *intr if the kernel flagged a dump inconsistent.
 */
static int recv_answer(struct vf_sock *sk, uint32_t seq, vf_msg_cb cb,
		       void *arg, bool *intr)
{
	const struct nlmsghdr *nlh;
	bool done = false;
	int err = 0, ret;
	ssize_t len;
	int left;

	while (!done) {
		len = recv_datagram(sk);
		if (len < 0) {
			if (!err && !sk->quiet)
				report_local_error(len);
			return err ? err : len;
		}
		left = len;
		for (nlh = (const void *)sk->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			/* leftovers of an earlier request */
			if (nlh->nlmsg_seq != seq ||
			    (nlh->nlmsg_pid && nlh->nlmsg_pid != sk->portid))
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;

			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
			case NLMSG_DONE:
				done = true;
				ret = status(sk, nlh, !err && !sk->quiet);
				break;
			case NLMSG_OVERRUN:
				done = true;
				ret = -ENOBUFS;
				if (!err && !sk->quiet)
					report_local_error(ret);
				break;
			default:
				if (err || !cb)
					continue;
				ret = cb(nlh, arg);
				if (ret && !sk->quiet)
					report_local_error(ret);
				break;
			}
			if (!err)
				err = ret;
			if (done)
				break;
		}
	}
	return err;
}

static int send_request(struct vf_sock *sk, struct nlmsghdr *req,
			uint16_t flags)
{
	req->nlmsg_flags = NLM_F_REQUEST | flags;
	req->nlmsg_seq = ++sk->seq;
	sk->cur = req;
	if (mnl_socket_sendto(sk->mnl, req, req->nlmsg_len) < 0) {
		int err = -errno;

		if (!sk->quiet)
			report_local_error(err);
		return err;
	}
	return 0;
}

int vf_talk(struct vf_sock *sk, struct nlmsghdr *req, vf_msg_cb cb, void *arg)
{
	bool intr = false;
	int err;

	err = send_request(sk, req, NLM_F_ACK);
	if (err)
		return err;
	return recv_answer(sk, req->nlmsg_seq, cb, arg, &intr);
}

/*
 * Makes the socket's send buffer big enough for a message of len bytes:
 * the kernel refuses one larger than the buffer.
 */
static int fit_sndbuf(struct vf_sock *sk, size_t len)
{
	int fd = mnl_socket_get_fd(sk->mnl), cur, want;
	socklen_t optlen = sizeof(cur);

	if (len > INT_MAX / 2 - 4096)
		return -EMSGSIZE;
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &optlen))
		return -errno;
	/* netlink_sendmsg() wants len <= sk_sndbuf - 32 */
	if ((size_t)cur >= len + 32)
		return 0;
	/* The kernel doubles what it is given, for its bookkeeping. */
	want = len + 4096;
	/* Beyond net.core.wmem_max, only with CAP_NET_ADMIN. */
	if (!setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		return 0;
	if (!setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)))
		return 0;
	return -errno;
}

int vf_talk_large(struct vf_sock *sk, struct nlmsghdr *req, vf_where_cb where,
		  void *arg)
{
	bool intr = false;
	int err;

	err = fit_sndbuf(sk, req->nlmsg_len);
	if (err) {
		fail("cannot make the socket's send buffer hold the %u-byte request: %s",
		     req->nlmsg_len, strerror(-err));
		return err;
	}
	sk->quiet = true;
	err = send_request(sk, req, NLM_F_ACK);
	sk->quiet = false;
	if (err == -EMSGSIZE)
		fail("the %u-byte request is larger than the socket may send: raise net.core.wmem_max, or run vmfencectl with CAP_NET_ADMIN",
		     req->nlmsg_len);
	else if (err)
		report_local_error(err);
	if (err)
		return err;
	sk->where = where;
	sk->where_arg = arg;
	err = recv_answer(sk, req->nlmsg_seq, NULL, NULL, &intr);
	sk->where = NULL;
	sk->where_arg = NULL;
	return err;
}

int vf_dump(struct vf_sock *sk, struct nlmsghdr *req, vf_msg_cb cb,
	    void (*reset)(void *arg), void *arg)
{
	bool intr;
	int i, err;

	for (i = 0; i < VF_DUMP_TRIES; i++) {
		if (i)
			reset(arg);
		err = send_request(sk, req, NLM_F_DUMP);
		if (err)
			return err;
		intr = false;
		err = recv_answer(sk, req->nlmsg_seq, cb, arg, &intr);
		if (err || !intr)
			return err;
	}
	fail("the bindings or bridge settings changed during each of %d dumps in a row: try again",
	     VF_DUMP_TRIES);
	return -EAGAIN;
}

static struct nlmsghdr *put_request(struct vf_sock *sk, uint16_t type,
				    uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	nlh = mnl_nlmsg_put_header(sk->req);
	nlh->nlmsg_type = type;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *vf_request(struct vf_sock *sk, uint8_t cmd)
{
	return put_request(sk, sk->family, cmd, VMFENCE_GENL_VERSION);
}

void vf_put_port_ifname(struct nlmsghdr *nlh, const char *ifname)
{
	struct nlattr *port;

	port = mnl_attr_nest_start(nlh, VMFENCE_A_PORT);
	mnl_attr_put_strz(nlh, VMFENCE_PORT_A_IFNAME, ifname);
	mnl_attr_nest_end(nlh, port);
}

void vf_put_bridge_ifname(struct nlmsghdr *nlh, const char *ifname)
{
	struct nlattr *bridge;

	bridge = mnl_attr_nest_start(nlh, VMFENCE_A_BRIDGE);
	mnl_attr_put_strz(nlh, VMFENCE_BRIDGE_A_IFNAME, ifname);
	mnl_attr_nest_end(nlh, bridge);
}

/* The CTRL_ATTR_MCAST_GROUPS of the family: their names and ids. */
static int parse_groups(struct vf_sock *sk, const struct nlattr *groups)
{
	static const struct vf_policy pol[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME]	= {
			.kind = VF_ATTR_STRING, .len = GENL_NAMSIZ },
		[CTRL_ATTR_MCAST_GRP_ID]	= { .kind = VF_ATTR_U32 },
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *a;
	int err;

	sk->n_groups = 0;
	mnl_attr_for_each_nested(a, groups) {
		err = vf_parse_nested(a, pol, CTRL_ATTR_MCAST_GRP_MAX, tb);
		if (err)
			return err;
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			return -EBADMSG;
		if (sk->n_groups == VF_GROUPS_MAX)
			continue;
		strcpy(sk->groups[sk->n_groups].name,
		       mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]));
		sk->groups[sk->n_groups].id =
			mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		sk->n_groups++;
	}
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct vf_policy pol[CTRL_ATTR_MCAST_GROUPS + 1] = {
		[CTRL_ATTR_FAMILY_ID]	= { .kind = VF_ATTR_U16 },
		[CTRL_ATTR_VERSION]	= { .kind = VF_ATTR_U32 },
		[CTRL_ATTR_MCAST_GROUPS] = { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	struct vf_sock *sk = arg;
	int err;

	err = vf_parse(nlh, pol, CTRL_ATTR_MCAST_GROUPS, tb);
	if (err)
		return err;
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	sk->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		sk->version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		return parse_groups(sk, tb[CTRL_ATTR_MCAST_GROUPS]);
	return 0;
}

static int resolve_family(struct vf_sock *sk)
{
	struct nlmsghdr *req;
	int err;

	req = put_request(sk, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, VMFENCE_GENL_NAME);
	sk->quiet = true;
	err = vf_talk(sk, req, family_cb, sk);
	sk->quiet = false;
	if (!err && !sk->family)
		err = -EBADMSG;
	return err;
}

int vf_sock_open(struct vf_sock **skp)
{
	int one = 1, err;
	struct vf_sock *sk;

	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sk->req = calloc(1, VF_REQUEST_SIZE);
	sk->buf_len = VF_RECV_SIZE;
	sk->buf = malloc(sk->buf_len);
	if (!sk->req || !sk->buf) {
		err = -ENOMEM;
		goto out_free;
	}

	sk->mnl = mnl_socket_open(NETLINK_GENERIC);
	if (!sk->mnl) {
		err = -errno;
		goto out_free;
	}
	/* Both are optional: without them, errors are just less precise. */
	mnl_socket_setsockopt(sk->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sk->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(sk->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	sk->portid = mnl_socket_get_portid(sk->mnl);
	sk->seq = time(NULL);

	err = resolve_family(sk);
	if (err)
		goto out_close;
	*skp = sk;
	return 0;

out_close:
	mnl_socket_close(sk->mnl);
out_free:
	free(sk->buf);
	free(sk->req);
	free(sk);
	return err;
}

struct vf_sock *vf_sock_connect(void)
{
	struct vf_sock *sk;
	int err;

	err = vf_sock_open(&sk);
	if (err == -ENOENT) {
		fprintf(stderr,
			PROG_NAME ": the vmfence kernel module is not loaded (modprobe vmfence)\n");
		return NULL;
	}
	if (err) {
		fail("cannot reach the vmfence kernel module: %s",
		     strerror(-err));
		return NULL;
	}
	return sk;
}

void vf_sock_close(struct vf_sock *sk)
{
	if (!sk)
		return;
	mnl_socket_close(sk->mnl);
	free(sk->buf);
	free(sk->req);
	free(sk);
}

uint32_t vf_family_version(const struct vf_sock *sk)
{
	return sk->version;
}

uint16_t vf_family_id(const struct vf_sock *sk)
{
	return sk->family;
}

int vf_sock_fd(const struct vf_sock *sk)
{
	return mnl_socket_get_fd(sk->mnl);
}

int vf_mcast_group(const struct vf_sock *sk, const char *name, uint32_t *id)
{
	unsigned int i;

	for (i = 0; i < sk->n_groups; i++) {
		if (!strcmp(sk->groups[i].name, name)) {
			*id = sk->groups[i].id;
			return 0;
		}
	}
	return -ENOENT;
}

int vf_join(struct vf_sock *sk, uint32_t group)
{
	int fd = mnl_socket_get_fd(sk->mnl);
	int size = VF_EVENT_RCVBUF;

	/* Room for bursts; without it, more overruns, nothing worse. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(sk->mnl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

int vf_recv_notifications(struct vf_sock *sk, vf_msg_cb cb, void *arg)
{
	const struct nlmsghdr *nlh;
	ssize_t len;
	int left, err;

	len = recv_datagram(sk);
	if (len < 0)
		return len;
	left = len;
	for (nlh = (const void *)sk->buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		/* Notifications carry no seq and come from the kernel. */
		if (nlh->nlmsg_type != sk->family || nlh->nlmsg_seq ||
		    nlh->nlmsg_pid)
			continue;
		err = cb(nlh, arg);
		if (err)
			return err;
	}
	return 0;
}
