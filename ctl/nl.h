/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_NL_H
#define VMFENCECTL_NL_H

/*
 * The generic netlink socket to the vmfence family, on libmnl.  Its
 * names are vmfence's own (vf_), not libnl's (nl_), which they would
 * only seem to be.
 *
 * Requests are built in the socket's one request buffer, VF_REQUEST_SIZE
 * bytes, with vf_request() then libmnl's mnl_attr_put*().  vf_talk() and
 * vf_dump() report every failure themselves, as one line on stderr
 * ("Error: <text>."), and return -errno; callers only exit 1.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define VF_REQUEST_SIZE	65536

struct vf_sock;

/*
 * Called for each message of a reply or a dump, which it parses into
 * arg.  Returns 0, or -errno (-EBADMSG for a malformed message), which
 * ends the request.
 */
typedef int (*vf_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Opens a socket and resolves the vmfence family.  Returns 0, -ENOENT if
 * the family does not exist (the module is not loaded), or -errno.
 * Prints nothing.
 */
int vf_sock_open(struct vf_sock **skp);

/* vf_sock_open(), but reports failure itself and returns NULL. */
struct vf_sock *vf_sock_connect(void);

void vf_sock_close(struct vf_sock *sk);

/* The version of the family the kernel module registered. */
uint32_t vf_family_version(const struct vf_sock *sk);

/* The id of the vmfence family, the type of its messages. */
uint16_t vf_family_id(const struct vf_sock *sk);

/* The socket, to poll. */
int vf_sock_fd(const struct vf_sock *sk);

/* Starts a request for command cmd of the vmfence family. */
struct nlmsghdr *vf_request(struct vf_sock *sk, uint8_t cmd);

/* Adds a VMFENCE_A_PORT nest holding just the device name. */
void vf_put_port_ifname(struct nlmsghdr *nlh, const char *ifname);

/* Adds a VMFENCE_A_BRIDGE nest holding just the bridge's name. */
void vf_put_bridge_ifname(struct nlmsghdr *nlh, const char *ifname);

/*
 * Sends req, built by vf_request(), and waits for its ACK, calling cb,
 * if not NULL, for the reply that comes before it.
 */
int vf_talk(struct vf_sock *sk, struct nlmsghdr *req, vf_msg_cb cb, void *arg);

/*
 * Names the part of a request that holds byte offset off, which an
 * extended ACK points at, into buf ("ports[3] (vif3)"); returns false if
 * it cannot.
 */
typedef bool (*vf_where_cb)(uint32_t off, char *buf, size_t len, void *arg);

/*
 * Like vf_talk() without reply, for a request of any size built outside
 * the request buffer (see nlbuf.h): raises the socket's send buffer to
 * fit it (SO_SNDBUFFORCE, else SO_SNDBUF).  An error that points into the
 * request is reported as "Error: <where>: <message>.", where is named by
 * where(), if not NULL.
 */
int vf_talk_large(struct vf_sock *sk, struct nlmsghdr *req, vf_where_cb where,
		  void *arg);

/*
 * Sends req as a dump request and calls cb for every message of the
 * dump.  If the kernel flags the dump inconsistent (NLM_F_DUMP_INTR), it
 * calls reset to discard what cb collected, and dumps again.
 */
int vf_dump(struct vf_sock *sk, struct nlmsghdr *req, vf_msg_cb cb,
	    void (*reset)(void *arg), void *arg);

/*
 * The id of the family's multicast group name, from CTRL_CMD_GETFAMILY.
 * Returns 0, or -ENOENT if the module has no such group.
 */
int vf_mcast_group(const struct vf_sock *sk, const char *name, uint32_t *id);

/* Joins multicast group id; returns 0 or -errno (-EPERM).  Prints nothing. */
int vf_join(struct vf_sock *sk, uint32_t group);

/*
 * Receives one datagram, blocking, and calls cb for each notification of
 * the family in it.  Returns 0, -errno (-ENOBUFS: the receive buffer
 * overran and notifications were lost; the socket remains usable), or
 * what cb returned.  Prints nothing.
 */
int vf_recv_notifications(struct vf_sock *sk, vf_msg_cb cb, void *arg);

/* What a reply attribute must look like; unlisted types are skipped. */
enum vf_attr_kind {
	VF_ATTR_UNSPEC,
	VF_ATTR_U8,
	VF_ATTR_U16,
	VF_ATTR_U32,
	VF_ATTR_U64,
	VF_ATTR_STRING,		/* NUL-terminated, strlen < len if len */
	VF_ATTR_BINARY,		/* exactly len bytes */
	VF_ATTR_BYTES,		/* any length: the caller checks */
	VF_ATTR_NESTED,
};

struct vf_policy {
	enum vf_attr_kind kind;
	uint16_t len;
};

/*
 * Parses the attributes of a generic netlink message, or of a nest, into
 * tb[0..max], checking them against pol[0..max].  Returns 0 or -EBADMSG.
 */
int vf_parse(const struct nlmsghdr *nlh, const struct vf_policy *pol,
	     unsigned int max, const struct nlattr **tb);
int vf_parse_nested(const struct nlattr *nest, const struct vf_policy *pol,
		    unsigned int max, const struct nlattr **tb);

#endif /* VMFENCECTL_NL_H */
