// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl monitor [--count N]: one line per frame that vmfence drops,
 * from the "events" multicast group of the family.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/vmfence.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "parse.h"
#include "subcommands.h"
#include "util.h"

#define TIME_STR_LEN	32	/* "2026-11-22T11:43:39.123456Z" */

struct monitor {
	uint64_t count;		/* events to print; 0: no limit */
	uint64_t seen;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* CLOCK_REALTIME nanoseconds as UTC, to the microsecond. */
static char *format_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "%" PRIu64 "ns", ns);
		return buf;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06uZ",
		 (unsigned int)(ns % 1000000000 / 1000));
	return buf;
}

/* An IPv4 or IPv6 address attribute, or NULL if it is neither. */
static const char *format_addr(const struct nlattr *a, char *buf)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	int family;

	if (len == ADDR_LEN(AF_INET))
		family = AF_INET;
	else if (len == ADDR_LEN(AF_INET6))
		family = AF_INET6;
	else
		return NULL;
	return inet_ntop(family, mnl_attr_get_payload(a), buf,
			 INET6_ADDRSTRLEN);
}

/* The IP protocols worth a name; the others are shown by number. */
static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 2:
		return "igmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 51:
		return "ah";
	case 58:
		return "icmpv6";
	case 112:
		return "vrrp";
	case 132:
		return "sctp";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static bool proto_known(const char *name)
{
	return name[0] < '0' || name[0] > '9';
}

static void print_event(const struct nlattr **tb)
{
	char buf[TIME_STR_LEN], mac[MAC_STR_LEN], type[ETHERTYPE_STR_LEN];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char name[NAME_BUF_LEN], pbuf[8];
	const char *s = NULL, *d = NULL, *proto;
	uint16_t ethertype = 0;
	uint64_t suppressed = 0;
	bool first = true;

	if (tb[VMFENCE_EVENT_A_SRC])
		s = format_addr(tb[VMFENCE_EVENT_A_SRC], src);
	if (tb[VMFENCE_EVENT_A_DST])
		d = format_addr(tb[VMFENCE_EVENT_A_DST], dst);
	if (tb[VMFENCE_EVENT_A_ETHERTYPE])
		ethertype = mnl_attr_get_u16(tb[VMFENCE_EVENT_A_ETHERTYPE]);
	if (tb[VMFENCE_EVENT_A_SUPPRESSED])
		suppressed = mnl_attr_get_u64(tb[VMFENCE_EVENT_A_SUPPRESSED]);

	print_reset();
	open_json_object(NULL);
	if (tb[VMFENCE_EVENT_A_TIME]) {
		format_time(mnl_attr_get_u64(tb[VMFENCE_EVENT_A_TIME]), buf,
			    sizeof(buf));
		print_string(PRINT_ANY, "time", "%s", buf);
		first = false;
	}
	if (tb[VMFENCE_EVENT_A_IFNAME]) {
		print_string(PRINT_ANY, "ifname", first ? "%s" : " %s",
			     mnl_attr_get_str(tb[VMFENCE_EVENT_A_IFNAME]));
		first = false;
	}
	/* Text names the port by its ifindex only if it has no name. */
	if (tb[VMFENCE_EVENT_A_IFINDEX])
		print_uint(tb[VMFENCE_EVENT_A_IFNAME] ? PRINT_JSON : PRINT_ANY,
			   "ifindex", first ? "ifindex %u" : " ifindex %u",
			   mnl_attr_get_u32(tb[VMFENCE_EVENT_A_IFINDEX]));
	if (tb[VMFENCE_EVENT_A_LABEL])
		print_escaped(PRINT_ANY, "label", " (%s)",
			      mnl_attr_get_str(tb[VMFENCE_EVENT_A_LABEL]));
	if (tb[VMFENCE_EVENT_A_REASON])
		print_string(PRINT_ANY, "reason", " %s",
			     drop_reason_name(mnl_attr_get_u32(tb[VMFENCE_EVENT_A_REASON]),
					      name, sizeof(name)));
	if (tb[VMFENCE_EVENT_A_SUPPRESSED])
		print_u64(PRINT_JSON, "suppressed", NULL, suppressed);
	if (tb[VMFENCE_EVENT_A_ETH_SRC])
		print_string(PRINT_ANY, "eth_src", " from %s",
			     format_mac(mnl_attr_get_payload(tb[VMFENCE_EVENT_A_ETH_SRC]),
					mac));
	if (tb[VMFENCE_EVENT_A_ETH_DST])
		print_string(PRINT_ANY, "eth_dst", " to %s",
			     format_mac(mnl_attr_get_payload(tb[VMFENCE_EVENT_A_ETH_DST]),
					mac));
	if (tb[VMFENCE_EVENT_A_ETHERTYPE]) {
		format_ethertype(ethertype, type);
		/* Text shows the ethertype of frames it has nothing else on. */
		print_string(s || d ? PRINT_JSON : PRINT_ANY, "ethertype",
			     " ethertype %s", type);
	}
	if ((s || d) && ethertype == ETH_P_ARP)
		print_string(PRINT_FP, NULL, "%s", " arp");
	if (s)
		print_string(PRINT_ANY, "src", " %s", s);
	if (d)
		print_string(PRINT_ANY, "dst", s ? " -> %s" : " to %s", d);
	if (tb[VMFENCE_EVENT_A_PROTO]) {
		proto = proto_name(mnl_attr_get_u8(tb[VMFENCE_EVENT_A_PROTO]),
				   pbuf, sizeof(pbuf));
		print_string(PRINT_ANY, "proto",
			     proto_known(proto) ? " %s" : " proto %s", proto);
	}
	if (tb[VMFENCE_EVENT_A_SPORT])
		print_uint(PRINT_ANY, "sport", " %u",
			   mnl_attr_get_u16(tb[VMFENCE_EVENT_A_SPORT]));
	if (tb[VMFENCE_EVENT_A_DPORT])
		print_uint(PRINT_ANY, "dport",
			   tb[VMFENCE_EVENT_A_SPORT] ? " -> %u" : " to port %u",
			   mnl_attr_get_u16(tb[VMFENCE_EVENT_A_DPORT]));
	if (tb[VMFENCE_EVENT_A_ICMP_TYPE])
		print_uint(PRINT_ANY, "icmp_type", " type %u",
			   mnl_attr_get_u8(tb[VMFENCE_EVENT_A_ICMP_TYPE]));
	if (suppressed)
		print_u64(PRINT_FP, NULL, " (%" PRIu64 " suppressed)",
			  suppressed);
	print_nl();
	close_json_object();
	print_fini();
}

static int event_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct vf_policy pol[VMFENCE_A_MAX + 1] = {
		[VMFENCE_A_EVENT]	= { .kind = VF_ATTR_NESTED },
	};
	static const struct vf_policy ev_pol[VMFENCE_EVENT_A_MAX + 1] = {
		[VMFENCE_EVENT_A_TIME]		= { .kind = VF_ATTR_U64 },
		[VMFENCE_EVENT_A_IFINDEX]	= { .kind = VF_ATTR_U32 },
		[VMFENCE_EVENT_A_IFNAME]	= {
			.kind = VF_ATTR_STRING, .len = IFNAMSIZ },
		[VMFENCE_EVENT_A_LABEL]		= {
			.kind = VF_ATTR_STRING, .len = VMFENCE_LABEL_MAX },
		[VMFENCE_EVENT_A_REASON]	= { .kind = VF_ATTR_U32 },
		[VMFENCE_EVENT_A_SUPPRESSED]	= { .kind = VF_ATTR_U64 },
		[VMFENCE_EVENT_A_ETH_SRC]	= {
			.kind = VF_ATTR_BINARY, .len = ETH_ALEN },
		[VMFENCE_EVENT_A_ETH_DST]	= {
			.kind = VF_ATTR_BINARY, .len = ETH_ALEN },
		[VMFENCE_EVENT_A_ETHERTYPE]	= { .kind = VF_ATTR_U16 },
		[VMFENCE_EVENT_A_SRC]		= { .kind = VF_ATTR_BYTES },
		[VMFENCE_EVENT_A_DST]		= { .kind = VF_ATTR_BYTES },
		[VMFENCE_EVENT_A_PROTO]		= { .kind = VF_ATTR_U8 },
		[VMFENCE_EVENT_A_SPORT]		= { .kind = VF_ATTR_U16 },
		[VMFENCE_EVENT_A_DPORT]		= { .kind = VF_ATTR_U16 },
		[VMFENCE_EVENT_A_ICMP_TYPE]	= { .kind = VF_ATTR_U8 },
	};
	const struct nlattr *tb[VMFENCE_A_MAX + 1];
	const struct nlattr *ev[VMFENCE_EVENT_A_MAX + 1];
	const struct genlmsghdr *genl;
	struct monitor *m = arg;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != VMFENCE_CMD_DROP_EVENT)
		return 0;	/* some other notification, of a later version */
	if (m->count && m->seen >= m->count)
		return 0;
	err = vf_parse(nlh, pol, VMFENCE_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_A_EVENT])
		return -EBADMSG;
	err = vf_parse_nested(tb[VMFENCE_A_EVENT], ev_pol, VMFENCE_EVENT_A_MAX,
			      ev);
	if (err)
		return err;
	/* The kernel always says why; without it, this is no event. */
	if (!ev[VMFENCE_EVENT_A_REASON])
		return -EBADMSG;
	print_event(ev);
	m->seen++;
	/* Whoever reads a pipe wants each event as it happens. */
	if (fflush(stdout) || ferror(stdout))
		return -EIO;
	return 0;
}

/* --count N or --count=N */
static int parse_args(int argc, char *argv[], struct monitor *m)
{
	const char *value;
	char err[ERR_LEN];
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count")) {
			if (i + 1 >= argc)
				return usage_error("monitor: --count needs a value");
			value = argv[++i];
		} else if (!strncmp(argv[i], "--count=", 8)) {
			value = argv[i] + 8;
		} else {
			return usage_error("monitor: unexpected argument \"%s\"",
					   argv[i]);
		}
		if (parse_seq(value, &m->count, err, sizeof(err)) ||
		    !m->count)
			return usage_error("monitor: invalid count \"%s\": expected a number of events, 1 or more",
					   value);
	}
	return EXIT_OK;
}

/*
 * SIGINT and SIGTERM end the monitor cleanly.  They are blocked but while
 * waiting in ppoll() with *wait_mask: none can slip in between a check of
 * stop and the wait, and one that comes while starting waits for it.
 */
static void catch_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int listen_events(struct vf_sock *sk, struct monitor *m,
			 const sigset_t *wait_mask)
{
	struct pollfd pfd = { .fd = vf_sock_fd(sk), .events = POLLIN };
	int ret = EXIT_OK, err;

	while (!stop && (!m->count || m->seen < m->count)) {
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			ret = fail("poll: %s", strerror(errno));
			break;
		}
		err = vf_recv_notifications(sk, event_cb, m);
		if (err == -ENOBUFS) {
			fflush(stdout);
			fprintf(stderr,
				PROG_NAME ": events lost (receive buffer overrun)\n");
			continue;
		}
		if (err == -EAGAIN || err == -EINTR)
			continue;
		if (err == -EIO) {
			ret = fail("cannot write the output: %s",
				   strerror(errno));
			break;
		}
		if (err == -EBADMSG) {
			/* A monitor outlives a bad message: say so, go on. */
			fflush(stdout);
			fprintf(stderr,
				PROG_NAME ": malformed event from the vmfence kernel module skipped\n");
			continue;
		}
		if (err) {
			ret = fail("netlink: %s", strerror(-err));
			break;
		}
	}
	return ret;
}

int monitor_main(int argc, char *argv[])
{
	struct monitor m = { 0 };
	sigset_t wait_mask;
	struct vf_sock *sk;
	uint32_t group;
	int ret, err;

	ret = parse_args(argc, argv, &m);
	if (ret)
		return ret;
	catch_signals(&wait_mask);
	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	if (vf_mcast_group(sk, VMFENCE_MCGRP_EVENTS, &group)) {
		ret = fail("the loaded vmfence module sends no drop events (it has no \"" VMFENCE_MCGRP_EVENTS "\" multicast group)");
		goto out_close;
	}
	err = vf_join(sk, group);
	if (err == -EPERM || err == -EACCES) {
		ret = fail("listening to drop events needs CAP_NET_ADMIN (they name VMs and their addresses)");
		goto out_close;
	}
	if (err) {
		ret = fail("cannot join the \"" VMFENCE_MCGRP_EVENTS "\" multicast group: %s",
			   strerror(-err));
		goto out_close;
	}
	ret = listen_events(sk, &m, &wait_mask);
out_close:
	vf_sock_close(sk);
	return ret;
}
