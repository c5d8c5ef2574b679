// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl bridge: set and show what a bridge does with frames from its
 * ports that have no binding.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/vmfence.h>

#include "bridge.h"
#include "json.h"
#include "names.h"
#include "nl.h"
#include "parse.h"
#include "subcommands.h"
#include "util.h"

void bridge_list_reset(void *arg)
{
	struct bridge_list *list = arg;

	list->n = 0;
}

/* Parses the VMFENCE_A_BRIDGE of a BRIDGE_GET reply. */
static int parse_bridge(const struct nlattr *nest, struct bridge *br)
{
	static const struct vf_policy pol[VMFENCE_BRIDGE_A_MAX + 1] = {
		[VMFENCE_BRIDGE_A_IFINDEX]	= { .kind = VF_ATTR_U32 },
		[VMFENCE_BRIDGE_A_IFNAME]	= {
			.kind = VF_ATTR_STRING, .len = IFNAMSIZ },
		[VMFENCE_BRIDGE_A_UNBOUND]	= { .kind = VF_ATTR_U8 },
		[VMFENCE_BRIDGE_A_UNBOUND_DROPS] = { .kind = VF_ATTR_U64 },
	};
	const struct nlattr *tb[VMFENCE_BRIDGE_A_MAX + 1];
	int err;

	err = vf_parse_nested(nest, pol, VMFENCE_BRIDGE_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_BRIDGE_A_IFINDEX] || !tb[VMFENCE_BRIDGE_A_IFNAME] ||
	    !tb[VMFENCE_BRIDGE_A_UNBOUND])
		return -EBADMSG;

	memset(br, 0, sizeof(*br));
	br->ifindex = mnl_attr_get_u32(tb[VMFENCE_BRIDGE_A_IFINDEX]);
	strcpy(br->ifname, mnl_attr_get_str(tb[VMFENCE_BRIDGE_A_IFNAME]));
	br->unbound = mnl_attr_get_u8(tb[VMFENCE_BRIDGE_A_UNBOUND]);
	if (tb[VMFENCE_BRIDGE_A_UNBOUND_DROPS])
		br->unbound_drops =
			mnl_attr_get_u64(tb[VMFENCE_BRIDGE_A_UNBOUND_DROPS]);
	return 0;
}

int bridge_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct vf_policy pol[VMFENCE_A_MAX + 1] = {
		[VMFENCE_A_BRIDGE]	= { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[VMFENCE_A_MAX + 1];
	struct bridge_list *list = arg;
	struct bridge *bridges;
	int err;

	err = vf_parse(nlh, pol, VMFENCE_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_A_BRIDGE])
		return -EBADMSG;
	bridges = array_grow(list->bridges, &list->cap, list->n,
			     sizeof(*bridges));
	if (!bridges)
		return -ENOMEM;
	list->bridges = bridges;
	err = parse_bridge(tb[VMFENCE_A_BRIDGE], &bridges[list->n]);
	if (err)
		return err;
	list->n++;
	return 0;
}

void print_bridge(const struct bridge *br, bool doc)
{
	char unbound[NAME_BUF_LEN];

	open_json_object(NULL);
	print_string(PRINT_ANY, "ifname", "%s:", br->ifname);
	if (!doc)
		print_uint(PRINT_JSON, "ifindex", NULL, br->ifindex);
	print_string(PRINT_ANY, "unbound", " unbound %s",
		     unbound_name(br->unbound, unbound, sizeof(unbound)));
	if (!doc)
		print_u64(PRINT_ANY, "unbound_drops", " (dropped %" PRIu64 ")",
			  br->unbound_drops);
	print_nl();
	close_json_object();
}

enum set_keyword {
	KW_UNBOUND,
	__KW_LAST
};

static const char *const set_keywords[__KW_LAST] = {
	[KW_UNBOUND]	= "unbound",
};

static int set_keyword(const char *s)
{
	int i;

	for (i = 0; i < __KW_LAST; i++) {
		if (!strcmp(s, set_keywords[i]))
			return i;
	}
	return -1;
}

/* bridge set BR unbound pass|drop */
static int bridge_set(int argc, char *argv[])
{
	struct nlmsghdr *nlh;
	unsigned int seen = 0;
	struct nlattr *nest;
	char err[ERR_LEN];
	uint8_t unbound = 0;
	struct vf_sock *sk;
	int i, kw, ret;

	if (argc < 2)
		return usage_error("bridge set: missing BR");
	if (parse_ifname(argv[1], err, sizeof(err)))
		return usage_error("%s", err);
	for (i = 2; i < argc; i += 2) {
		kw = set_keyword(argv[i]);
		if (kw < 0)
			return usage_error("bridge set: unknown keyword \"%s\"",
					   argv[i]);
		if (seen & 1u << kw)
			return usage_error("bridge set: %s is given twice",
					   argv[i]);
		seen |= 1u << kw;
		if (i + 1 >= argc)
			return usage_error("bridge set: %s needs a value",
					   argv[i]);

		switch (kw) {
		case KW_UNBOUND:
			ret = parse_unbound(argv[i + 1], &unbound, err,
					    sizeof(err));
			break;
		default:
			ret = 0;
			break;
		}
		if (ret)
			return usage_error("%s", err);
	}
	if (!(seen & 1u << KW_UNBOUND))
		return usage_error("bridge set: unbound is required (pass or drop)");

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_BRIDGE_SET);
	nest = mnl_attr_nest_start(nlh, VMFENCE_A_BRIDGE);
	mnl_attr_put_strz(nlh, VMFENCE_BRIDGE_A_IFNAME, argv[1]);
	mnl_attr_put_u8(nlh, VMFENCE_BRIDGE_A_UNBOUND, unbound);
	mnl_attr_nest_end(nlh, nest);
	ret = vf_talk(sk, nlh, NULL, NULL);
	vf_sock_close(sk);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* bridge show [BR] */
static int bridge_show(int argc, char *argv[])
{
	struct bridge_list list = { 0 };
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	struct vf_sock *sk;
	size_t i;
	int ret;

	if (argc > 2)
		return usage_error("bridge show: unexpected argument \"%s\"",
				   argv[2]);
	if (argc == 2 && parse_ifname(argv[1], err, sizeof(err)))
		return usage_error("%s", err);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_BRIDGE_GET);
	if (argc == 2) {
		vf_put_bridge_ifname(nlh, argv[1]);
		ret = vf_talk(sk, nlh, bridge_cb, &list);
	} else {
		ret = vf_dump(sk, nlh, bridge_cb, bridge_list_reset, &list);
	}
	vf_sock_close(sk);
	if (!ret) {
		open_json_array(NULL);
		for (i = 0; i < list.n; i++)
			print_bridge(&list.bridges[i], false);
		close_json_array();
		print_fini();
	}
	free(list.bridges);
	return ret ? EXIT_FAIL : EXIT_OK;
}

int bridge_main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char *argv[]);
	} cmds[] = {
		{ "set", bridge_set },
		{ "show", bridge_show },
	};
	size_t i;

	if (argc < 2)
		return usage_error("bridge: missing command (set or show)");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	}
	return usage_error("bridge: unknown command \"%s\" (set or show)",
			   argv[1]);
}
