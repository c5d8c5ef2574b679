// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl port: set, show, del and addr.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vmfence.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "parse.h"
#include "port.h"
#include "subcommands.h"
#include "util.h"

/* The largest PORT_SET: every attribute, VMFENCE_ADDRS_MAX IPv6 entries. */
#define ATTR_SIZE(len)	(MNL_ATTR_HDRLEN + MNL_ALIGN(len))
#define ADDR_SIZE_MAX	(MNL_ATTR_HDRLEN + ATTR_SIZE(ADDR_LEN(AF_INET6)) + \
			 ATTR_SIZE(1))
#define PORT_NEST_MAX	(MNL_ATTR_HDRLEN + ATTR_SIZE(IFNAMSIZ) +	\
			 ATTR_SIZE(ETH_ALEN) + ATTR_SIZE(1) +		\
			 ATTR_SIZE(VMFENCE_LABEL_MAX) + ATTR_SIZE(8) +	\
			 MNL_ATTR_HDRLEN + VMFENCE_ADDRS_MAX * ADDR_SIZE_MAX + \
			 ATTR_SIZE(4) + MNL_ATTR_HDRLEN +		\
			 VMFENCE_ETHERTYPES_MAX * ATTR_SIZE(2))
_Static_assert(PORT_NEST_MAX <= UINT16_MAX,
	       "a full VMFENCE_A_PORT does not fit in a netlink attribute");
_Static_assert(MNL_NLMSG_HDRLEN + GENL_HDRLEN + PORT_NEST_MAX <=
	       VF_REQUEST_SIZE, "a full PORT_SET does not fit in the buffer");

void port_list_reset(void *arg)
{
	struct port_list *list = arg;
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->ports[i].addrs);
		free(list->ports[i].ethertypes);
	}
	list->n = 0;
}

void port_list_free(struct port_list *list)
{
	port_list_reset(list);
	free(list->ports);
}

static void put_addr(struct nlmsghdr *nlh, const struct prefix *p)
{
	struct nlattr *addr;

	addr = mnl_attr_nest_start(nlh, VMFENCE_ADDRS_A_ADDR);
	mnl_attr_put(nlh, p->family == AF_INET ? VMFENCE_ADDR_A_IN :
		     VMFENCE_ADDR_A_IN6, ADDR_LEN(p->family), p->addr);
	mnl_attr_put_u8(nlh, VMFENCE_ADDR_A_PREFIXLEN, p->len);
	mnl_attr_nest_end(nlh, addr);
}

static void put_addrs(struct nlmsghdr *nlh, const struct prefix *addrs,
		      size_t n)
{
	struct nlattr *nest;
	size_t i;

	nest = mnl_attr_nest_start(nlh, VMFENCE_PORT_A_ADDRS);
	for (i = 0; i < n; i++)
		put_addr(nlh, &addrs[i]);
	mnl_attr_nest_end(nlh, nest);
}

static void put_ethertypes(struct nlmsghdr *nlh, const uint16_t *types,
			   size_t n)
{
	struct nlattr *nest;
	size_t i;

	nest = mnl_attr_nest_start(nlh, VMFENCE_PORT_A_ETHERTYPES);
	for (i = 0; i < n; i++)
		mnl_attr_put_u16(nlh, VMFENCE_ETHERTYPES_A_TYPE, types[i]);
	mnl_attr_nest_end(nlh, nest);
}

/* Parses one VMFENCE_ADDRS_A_ADDR of a reply. */
static int parse_addr(const struct nlattr *nest, struct prefix *p)
{
	static const struct vf_policy pol[VMFENCE_ADDR_A_MAX + 1] = {
		[VMFENCE_ADDR_A_IN]	= {
			.kind = VF_ATTR_BINARY, .len = ADDR_LEN(AF_INET) },
		[VMFENCE_ADDR_A_IN6]	= {
			.kind = VF_ATTR_BINARY, .len = ADDR_LEN(AF_INET6) },
		[VMFENCE_ADDR_A_PREFIXLEN] = { .kind = VF_ATTR_U8 },
	};
	const struct nlattr *tb[VMFENCE_ADDR_A_MAX + 1], *a;
	int err;

	err = vf_parse_nested(nest, pol, VMFENCE_ADDR_A_MAX, tb);
	if (err)
		return err;
	memset(p, 0, sizeof(*p));
	if (tb[VMFENCE_ADDR_A_IN] && !tb[VMFENCE_ADDR_A_IN6]) {
		p->family = AF_INET;
		a = tb[VMFENCE_ADDR_A_IN];
	} else if (tb[VMFENCE_ADDR_A_IN6] && !tb[VMFENCE_ADDR_A_IN]) {
		p->family = AF_INET6;
		a = tb[VMFENCE_ADDR_A_IN6];
	} else {
		return -EBADMSG;
	}
	memcpy(p->addr, mnl_attr_get_payload(a), ADDR_LEN(p->family));
	p->len = ADDR_BITS(p->family);
	if (tb[VMFENCE_ADDR_A_PREFIXLEN]) {
		p->len = mnl_attr_get_u8(tb[VMFENCE_ADDR_A_PREFIXLEN]);
		if (p->len > ADDR_BITS(p->family))
			return -EBADMSG;
	}
	return 0;
}

static int parse_addrs(const struct nlattr *nest, struct port *port)
{
	struct prefix *addrs = NULL, *p;
	const struct nlattr *a;
	size_t n = 0, cap = 0;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != VMFENCE_ADDRS_A_ADDR)
			continue;
		p = array_grow(addrs, &cap, n, sizeof(*addrs));
		if (!p) {
			err = -ENOMEM;
			goto out_free;
		}
		addrs = p;
		err = parse_addr(a, &addrs[n]);
		if (err)
			goto out_free;
		n++;
	}
	port->addrs = addrs;
	port->n_addrs = n;
	return 0;

out_free:
	free(addrs);
	return err;
}

static int parse_ethertypes(const struct nlattr *nest, struct port *port)
{
	uint16_t *types = NULL, *t;
	const struct nlattr *a;
	size_t n = 0, cap = 0;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != VMFENCE_ETHERTYPES_A_TYPE)
			continue;
		if (mnl_attr_get_payload_len(a) != sizeof(uint16_t)) {
			free(types);
			return -EBADMSG;
		}
		t = array_grow(types, &cap, n, sizeof(*types));
		if (!t) {
			free(types);
			return -ENOMEM;
		}
		types = t;
		types[n++] = mnl_attr_get_u16(a);
	}
	port->ethertypes = types;
	port->n_ethertypes = n;
	return 0;
}

/* Parses the VMFENCE_A_PORT of a PORT_GET reply. */
static int parse_port(const struct nlattr *nest, struct port *p)
{
	static const struct vf_policy pol[VMFENCE_PORT_A_MAX + 1] = {
		[VMFENCE_PORT_A_IFINDEX]	= { .kind = VF_ATTR_U32 },
		[VMFENCE_PORT_A_IFNAME]		= {
			.kind = VF_ATTR_STRING, .len = IFNAMSIZ },
		[VMFENCE_PORT_A_MAC]		= {
			.kind = VF_ATTR_BINARY, .len = ETH_ALEN },
		[VMFENCE_PORT_A_MODE]		= { .kind = VF_ATTR_U8 },
		[VMFENCE_PORT_A_LABEL]		= {
			.kind = VF_ATTR_STRING, .len = VMFENCE_LABEL_MAX },
		[VMFENCE_PORT_A_SEQ]		= { .kind = VF_ATTR_U64 },
		[VMFENCE_PORT_A_ADDRS]		= { .kind = VF_ATTR_NESTED },
		[VMFENCE_PORT_A_FLAGS]		= { .kind = VF_ATTR_U32 },
		[VMFENCE_PORT_A_ETHERTYPES]	= { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	int err;

	err = vf_parse_nested(nest, pol, VMFENCE_PORT_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_PORT_A_IFINDEX] || !tb[VMFENCE_PORT_A_IFNAME] ||
	    !tb[VMFENCE_PORT_A_MAC])
		return -EBADMSG;

	memset(p, 0, sizeof(*p));
	p->ifindex = mnl_attr_get_u32(tb[VMFENCE_PORT_A_IFINDEX]);
	strcpy(p->ifname, mnl_attr_get_str(tb[VMFENCE_PORT_A_IFNAME]));
	memcpy(p->mac, mnl_attr_get_payload(tb[VMFENCE_PORT_A_MAC]),
	       ETH_ALEN);
	p->mode = VMFENCE_MODE_ENFORCE;
	if (tb[VMFENCE_PORT_A_MODE])
		p->mode = mnl_attr_get_u8(tb[VMFENCE_PORT_A_MODE]);
	if (tb[VMFENCE_PORT_A_LABEL]) {
		p->has_label = true;
		strcpy(p->label, mnl_attr_get_str(tb[VMFENCE_PORT_A_LABEL]));
	}
	if (tb[VMFENCE_PORT_A_SEQ])
		p->seq = mnl_attr_get_u64(tb[VMFENCE_PORT_A_SEQ]);
	if (tb[VMFENCE_PORT_A_FLAGS])
		p->flags = mnl_attr_get_u32(tb[VMFENCE_PORT_A_FLAGS]);
	if (tb[VMFENCE_PORT_A_ETHERTYPES]) {
		err = parse_ethertypes(tb[VMFENCE_PORT_A_ETHERTYPES], p);
		if (err)
			return err;
	}
	if (tb[VMFENCE_PORT_A_ADDRS]) {
		err = parse_addrs(tb[VMFENCE_PORT_A_ADDRS], p);
		if (err) {
			free(p->ethertypes);
			return err;
		}
	}
	return 0;
}

int port_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct vf_policy pol[VMFENCE_A_MAX + 1] = {
		[VMFENCE_A_PORT]	= { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[VMFENCE_A_MAX + 1];
	struct port_list *list = arg;
	struct port *ports;
	int err;

	err = vf_parse(nlh, pol, VMFENCE_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_A_PORT])
		return -EBADMSG;
	ports = array_grow(list->ports, &list->cap, list->n, sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	list->ports = ports;
	err = parse_port(tb[VMFENCE_A_PORT], &ports[list->n]);
	if (err)
		return err;
	list->n++;
	return 0;
}

void print_port(const struct port *p, bool doc)
{
	char mac[MAC_STR_LEN], addr[PREFIX_STR_LEN], mode[NAME_BUF_LEN];
	bool multicast = p->flags & VMFENCE_PORT_F_MULTICAST;
	char type[ETHERTYPE_STR_LEN];
	size_t i;

	open_json_object(NULL);
	print_string(PRINT_ANY, "ifname", "%s:", p->ifname);
	if (!doc)
		print_uint(PRINT_JSON, "ifindex", NULL, p->ifindex);
	print_string(PRINT_ANY, "mac", " mac %s", format_mac(p->mac, mac));
	print_string(PRINT_ANY, "mode", " mode %s",
		     mode_name(p->mode, mode, sizeof(mode)));
	print_string(PRINT_JSON, "label", NULL, p->label);
	print_u64(PRINT_ANY, "seq", " seq %" PRIu64, p->seq);
	if (p->has_label)
		print_escaped(PRINT_FP, NULL, " label \"%s\"", p->label);
	if (multicast)
		print_string(PRINT_FP, NULL, "%s", " multicast allow");
	print_nl();
	open_json_array("addrs");
	for (i = 0; i < p->n_addrs; i++)
		print_string(PRINT_ANY, NULL, "    ip %s\n",
			     format_prefix(&p->addrs[i], addr));
	close_json_array();
	print_string(PRINT_JSON, "multicast", NULL,
		     multicast ? "allow" : "deny");
	open_json_array("ethertypes");
	for (i = 0; i < p->n_ethertypes; i++)
		print_string(PRINT_ANY, NULL, "    allow-ethertype %s\n",
			     format_ethertype(p->ethertypes[i], type));
	close_json_array();
	close_json_object();
}

enum set_keyword {
	KW_MAC,
	KW_IP,
	KW_MODE,
	KW_LABEL,
	KW_SEQ,
	KW_ETHERTYPE,
	KW_MULTICAST,
	__KW_LAST
};

static const char *const set_keywords[__KW_LAST] = {
	[KW_MAC]	= "mac",
	[KW_IP]		= "ip",
	[KW_MODE]	= "mode",
	[KW_LABEL]	= "label",
	[KW_SEQ]	= "seq",
	[KW_ETHERTYPE]	= "allow-ethertype",
	[KW_MULTICAST]	= "multicast",
};

/* The keywords that may be given more than once. */
#define KW_REPEATED	(1u << KW_IP | 1u << KW_ETHERTYPE)

static int set_keyword(const char *s)
{
	int i;

	for (i = 0; i < __KW_LAST; i++) {
		if (!strcmp(s, set_keywords[i]))
			return i;
	}
	return -1;
}

struct port_set_args {
	const char *ifname;
	uint8_t mac[ETH_ALEN];
	uint8_t mode;
	const char *label;
	bool has_seq;
	uint64_t seq;
	struct prefix *addrs;
	size_t n_addrs;
	uint32_t flags;
	uint16_t ethertypes[VMFENCE_ETHERTYPES_MAX];
	size_t n_ethertypes;
};

/* Parses the value of allow-ethertype and adds it to a->ethertypes. */
static int add_ethertype(struct port_set_args *a, const char *s)
{
	char err[ERR_LEN], buf[ETHERTYPE_STR_LEN];
	uint16_t type;
	size_t i;

	if (parse_ethertype(s, &type, err, sizeof(err)))
		return usage_error("%s", err);
	for (i = 0; i < a->n_ethertypes; i++) {
		if (a->ethertypes[i] == type)
			return usage_error("port set: allow-ethertype %s is given twice",
					   format_ethertype(type, buf));
	}
	if (a->n_ethertypes == VMFENCE_ETHERTYPES_MAX)
		return usage_error("port set: too many ethertypes (at most %d)",
				   VMFENCE_ETHERTYPES_MAX);
	a->ethertypes[a->n_ethertypes++] = type;
	return EXIT_OK;
}

/*
 * port set DEV mac MAC [ip ADDR[/LEN]]... [mode M] [label TEXT] [seq N]
 *	    [allow-ethertype 0xNNNN]... [multicast allow|deny]
 */
static int parse_set_args(int argc, char *argv[], struct port_set_args *a)
{
	unsigned int seen = 0;
	char err[ERR_LEN];
	int i, kw, ret;

	if (argc < 2)
		return usage_error("port set: missing DEV");
	a->ifname = argv[1];
	if (parse_ifname(a->ifname, err, sizeof(err)))
		return usage_error("%s", err);
	a->mode = VMFENCE_MODE_ENFORCE;

	for (i = 2; i < argc; i += 2) {
		kw = set_keyword(argv[i]);
		if (kw < 0)
			return usage_error("port set: unknown keyword \"%s\"",
					   argv[i]);
		if (!(KW_REPEATED & 1u << kw) && (seen & 1u << kw))
			return usage_error("port set: %s is given twice",
					   argv[i]);
		seen |= 1u << kw;
		if (i + 1 >= argc)
			return usage_error("port set: %s needs a value",
					   argv[i]);

		switch (kw) {
		case KW_MAC:
			ret = parse_mac(argv[i + 1], a->mac, err, sizeof(err));
			break;
		case KW_IP:
			if (a->n_addrs == VMFENCE_ADDRS_MAX)
				return usage_error("port set: too many addresses (at most %d)",
						   VMFENCE_ADDRS_MAX);
			ret = parse_prefix(argv[i + 1], &a->addrs[a->n_addrs],
					   err, sizeof(err));
			a->n_addrs++;
			break;
		case KW_MODE:
			ret = parse_mode(argv[i + 1], &a->mode, err,
					 sizeof(err));
			break;
		case KW_LABEL:
			a->label = argv[i + 1];
			ret = parse_label(a->label, err, sizeof(err));
			break;
		case KW_SEQ:
			a->has_seq = true;
			ret = parse_seq(argv[i + 1], &a->seq, err, sizeof(err));
			if (!ret && a->seq > SEQ_MAX) {
				snprintf(err, sizeof(err),
					 "seq %s is too large (at most %llu, 2^53: as in a document)",
					 argv[i + 1], SEQ_MAX);
				ret = -ERANGE;
			}
			break;
		case KW_ETHERTYPE:
			ret = add_ethertype(a, argv[i + 1]);
			if (ret)
				return ret;
			break;
		case KW_MULTICAST:
			ret = parse_multicast(argv[i + 1], &a->flags, err,
					      sizeof(err));
			break;
		default:
			ret = 0;
			break;
		}
		if (ret)
			return usage_error("%s", err);
	}
	if (!(seen & 1u << KW_MAC))
		return usage_error("port set: mac is required");
	return EXIT_OK;
}

static int port_set(int argc, char *argv[])
{
	struct port_set_args a = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *port;
	struct vf_sock *sk;
	int ret;

	/* Every "ip" comes with a value: argc / 2 entries are enough. */
	a.addrs = calloc(argc / 2 + 1, sizeof(*a.addrs));
	if (!a.addrs)
		return fail("%s", strerror(ENOMEM));
	ret = parse_set_args(argc, argv, &a);
	if (ret)
		goto out_free;

	ret = EXIT_FAIL;
	sk = vf_sock_connect();
	if (!sk)
		goto out_free;
	nlh = vf_request(sk, VMFENCE_CMD_PORT_SET);
	port = mnl_attr_nest_start(nlh, VMFENCE_A_PORT);
	mnl_attr_put_strz(nlh, VMFENCE_PORT_A_IFNAME, a.ifname);
	mnl_attr_put(nlh, VMFENCE_PORT_A_MAC, ETH_ALEN, a.mac);
	mnl_attr_put_u8(nlh, VMFENCE_PORT_A_MODE, a.mode);
	if (a.label)
		mnl_attr_put_strz(nlh, VMFENCE_PORT_A_LABEL, a.label);
	if (a.has_seq)
		mnl_attr_put_u64(nlh, VMFENCE_PORT_A_SEQ, a.seq);
	if (a.n_addrs)
		put_addrs(nlh, a.addrs, a.n_addrs);
	/* Always: the binding is replaced whole, its flags too. */
	mnl_attr_put_u32(nlh, VMFENCE_PORT_A_FLAGS, a.flags);
	if (a.n_ethertypes)
		put_ethertypes(nlh, a.ethertypes, a.n_ethertypes);
	mnl_attr_nest_end(nlh, port);
	if (!vf_talk(sk, nlh, NULL, NULL))
		ret = EXIT_OK;
	vf_sock_close(sk);
out_free:
	free(a.addrs);
	return ret;
}

/* port show [DEV] */
static int port_show(int argc, char *argv[])
{
	struct port_list list = { 0 };
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	struct vf_sock *sk;
	size_t i;
	int ret;

	if (argc > 2)
		return usage_error("port show: unexpected argument \"%s\"",
				   argv[2]);
	if (argc == 2 && parse_ifname(argv[1], err, sizeof(err)))
		return usage_error("%s", err);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_PORT_GET);
	if (argc == 2) {
		vf_put_port_ifname(nlh, argv[1]);
		ret = vf_talk(sk, nlh, port_cb, &list);
	} else {
		ret = vf_dump(sk, nlh, port_cb, port_list_reset, &list);
	}
	vf_sock_close(sk);
	if (!ret) {
		open_json_array(NULL);
		for (i = 0; i < list.n; i++)
			print_port(&list.ports[i], false);
		close_json_array();
		print_fini();
	}
	port_list_free(&list);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* port del DEV */
static int port_del(int argc, char *argv[])
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	struct vf_sock *sk;
	int ret;

	if (argc < 2)
		return usage_error("port del: missing DEV");
	if (argc > 2)
		return usage_error("port del: unexpected argument \"%s\"",
				   argv[2]);
	if (parse_ifname(argv[1], err, sizeof(err)))
		return usage_error("%s", err);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_PORT_DEL);
	vf_put_port_ifname(nlh, argv[1]);
	ret = vf_talk(sk, nlh, NULL, NULL);
	vf_sock_close(sk);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* port addr add|del DEV ADDR[/LEN] */
static int port_addr(int argc, char *argv[])
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	struct nlattr *port;
	struct prefix p;
	struct vf_sock *sk;
	uint8_t cmd;
	int ret;

	if (argc < 2)
		return usage_error("port addr: missing add or del");
	if (!strcmp(argv[1], "add"))
		cmd = VMFENCE_CMD_PORT_ADDR_ADD;
	else if (!strcmp(argv[1], "del"))
		cmd = VMFENCE_CMD_PORT_ADDR_DEL;
	else
		return usage_error("port addr: unknown command \"%s\" (add or del)",
				   argv[1]);
	if (argc < 3)
		return usage_error("port addr %s: missing DEV", argv[1]);
	if (argc < 4)
		return usage_error("port addr %s: missing ADDR", argv[1]);
	if (argc > 4)
		return usage_error("port addr %s: unexpected argument \"%s\"",
				   argv[1], argv[4]);
	if (parse_ifname(argv[2], err, sizeof(err)) ||
	    parse_prefix(argv[3], &p, err, sizeof(err)))
		return usage_error("%s", err);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, cmd);
	port = mnl_attr_nest_start(nlh, VMFENCE_A_PORT);
	mnl_attr_put_strz(nlh, VMFENCE_PORT_A_IFNAME, argv[2]);
	put_addrs(nlh, &p, 1);
	mnl_attr_nest_end(nlh, port);
	ret = vf_talk(sk, nlh, NULL, NULL);
	vf_sock_close(sk);
	return ret ? EXIT_FAIL : EXIT_OK;
}

int port_main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char *argv[]);
	} cmds[] = {
		{ "set", port_set },
		{ "show", port_show },
		{ "del", port_del },
		{ "addr", port_addr },
	};
	size_t i;

	if (argc < 2)
		return usage_error("port: missing command (set, show, del or addr)");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	}
	return usage_error("port: unknown command \"%s\" (set, show, del or addr)",
			   argv[1]);
}
