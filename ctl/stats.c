// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl stats [DEV], stats reset [DEV].
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/vmfence.h>

#include "json.h"
#include "names.h"
#include "nl.h"
#include "parse.h"
#include "subcommands.h"
#include "util.h"

/* A drop reason newer than this tool, kept as the kernel sent it. */
struct extra_drop {
	uint16_t reason;
	uint64_t count;
};

struct counters {
	uint64_t passed;
	uint64_t drops[__VMFENCE_DROP_LAST];	/* by reason; 0 is unused */
	struct extra_drop *extra;
	size_t n_extra;
	size_t cap_extra;
};

struct port_stats {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	char label[VMFENCE_LABEL_MAX];
	struct counters c;
};

struct stats {
	struct counters total;
	struct port_stats *ports;
	size_t n;
	size_t cap;
};

static void stats_reset_list(void *arg)
{
	struct stats *s = arg;
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->ports[i].c.extra);
	s->n = 0;
	free(s->total.extra);
	memset(&s->total, 0, sizeof(s->total));
}

static void stats_free(struct stats *s)
{
	stats_reset_list(s);
	free(s->ports);
}

static int add_drops(struct counters *c, uint16_t reason, uint64_t count)
{
	struct extra_drop *extra;

	if (reason < __VMFENCE_DROP_LAST) {
		c->drops[reason] = count;
		return 0;
	}
	extra = array_grow(c->extra, &c->cap_extra, c->n_extra,
			   sizeof(*extra));
	if (!extra)
		return -ENOMEM;
	c->extra = extra;
	extra[c->n_extra].reason = reason;
	extra[c->n_extra].count = count;
	c->n_extra++;
	return 0;
}

/* Parses a VMFENCE_A_STATS into c, which it zeroes first. */
static int parse_counters(const struct nlattr *nest, struct counters *c)
{
	static const struct vf_policy pol[VMFENCE_STATS_A_MAX + 1] = {
		[VMFENCE_STATS_A_PASSED]	= { .kind = VF_ATTR_U64 },
		[VMFENCE_STATS_A_DROPS]		= { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[VMFENCE_STATS_A_MAX + 1];
	const struct nlattr *a;
	uint16_t reason;
	int err;

	memset(c, 0, sizeof(*c));
	err = vf_parse_nested(nest, pol, VMFENCE_STATS_A_MAX, tb);
	if (err)
		return err;
	if (tb[VMFENCE_STATS_A_PASSED])
		c->passed = mnl_attr_get_u64(tb[VMFENCE_STATS_A_PASSED]);
	if (!tb[VMFENCE_STATS_A_DROPS])
		return 0;

	mnl_attr_for_each_nested(a, tb[VMFENCE_STATS_A_DROPS]) {
		reason = mnl_attr_get_type(a);
		if (reason == VMFENCE_DROP_UNSPEC)	/* padding */
			continue;
		if (mnl_attr_get_payload_len(a) != sizeof(uint64_t)) {
			err = -EBADMSG;
			goto out_free;
		}
		err = add_drops(c, reason, mnl_attr_get_u64(a));
		if (err)
			goto out_free;
	}
	return 0;

out_free:
	free(c->extra);
	c->extra = NULL;
	return err;
}

static int parse_port_stats(const struct nlattr *port,
			    const struct nlattr *stats, struct port_stats *p)
{
	static const struct vf_policy pol[VMFENCE_PORT_A_MAX + 1] = {
		[VMFENCE_PORT_A_IFINDEX]	= { .kind = VF_ATTR_U32 },
		[VMFENCE_PORT_A_IFNAME]		= {
			.kind = VF_ATTR_STRING, .len = IFNAMSIZ },
		[VMFENCE_PORT_A_LABEL]		= {
			.kind = VF_ATTR_STRING, .len = VMFENCE_LABEL_MAX },
	};
	const struct nlattr *tb[VMFENCE_PORT_A_MAX + 1];
	int err;

	err = vf_parse_nested(port, pol, VMFENCE_PORT_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_PORT_A_IFINDEX] || !tb[VMFENCE_PORT_A_IFNAME])
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->ifindex = mnl_attr_get_u32(tb[VMFENCE_PORT_A_IFINDEX]);
	strcpy(p->ifname, mnl_attr_get_str(tb[VMFENCE_PORT_A_IFNAME]));
	if (tb[VMFENCE_PORT_A_LABEL])
		strcpy(p->label, mnl_attr_get_str(tb[VMFENCE_PORT_A_LABEL]));
	return parse_counters(stats, &p->c);
}

/* One STATS_GET reply: the totals (no VMFENCE_A_PORT) or one port's. */
static int stats_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct vf_policy pol[VMFENCE_A_MAX + 1] = {
		[VMFENCE_A_PORT]	= { .kind = VF_ATTR_NESTED },
		[VMFENCE_A_STATS]	= { .kind = VF_ATTR_NESTED },
	};
	const struct nlattr *tb[VMFENCE_A_MAX + 1];
	struct port_stats *ports;
	struct stats *s = arg;
	int err;

	err = vf_parse(nlh, pol, VMFENCE_A_MAX, tb);
	if (err)
		return err;
	if (!tb[VMFENCE_A_STATS])
		return -EBADMSG;
	if (!tb[VMFENCE_A_PORT]) {
		free(s->total.extra);
		return parse_counters(tb[VMFENCE_A_STATS], &s->total);
	}

	ports = array_grow(s->ports, &s->cap, s->n, sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	s->ports = ports;
	err = parse_port_stats(tb[VMFENCE_A_PORT], tb[VMFENCE_A_STATS],
			       &ports[s->n]);
	if (err)
		return err;
	s->n++;
	return 0;
}

/* A reason's count: text shows the non-zero ones, JSON all it knows. */
static void print_drop(unsigned int reason, uint64_t count)
{
	char buf[NAME_BUF_LEN];
	const char *name;

	if (!count && !is_json())
		return;
	name = drop_reason_name(reason, buf, sizeof(buf));
	print_string(PRINT_FP, NULL, "    %s", name);
	print_u64(PRINT_ANY, name, " %" PRIu64 "\n", count);
}

static void print_counters(const struct counters *c)
{
	uint64_t dropped = 0;
	unsigned int r;
	size_t i;

	for (r = 0; r < __VMFENCE_DROP_LAST; r++)
		dropped += c->drops[r];
	for (i = 0; i < c->n_extra; i++)
		dropped += c->extra[i].count;

	print_u64(PRINT_ANY, "passed", " passed %" PRIu64, c->passed);
	print_u64(PRINT_ANY, "dropped", " dropped %" PRIu64, dropped);
	print_nl();
	open_json_object("drops");
	for (r = VMFENCE_DROP_UNSPEC + 1; r < __VMFENCE_DROP_LAST; r++)
		print_drop(r, c->drops[r]);
	for (i = 0; i < c->n_extra; i++)
		print_drop(c->extra[i].reason, c->extra[i].count);
	close_json_object();
}

static void print_port_stats(const struct port_stats *p)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "ifname", "%s", p->ifname);
	print_uint(PRINT_JSON, "ifindex", NULL, p->ifindex);
	print_escaped(PRINT_ANY, "label", *p->label ? " (%s)" : "%s",
		      p->label);
	print_string(PRINT_FP, NULL, "%s", ":");
	print_counters(&p->c);
	close_json_object();
}

/*
 * Writes s as a Prometheus label value: backslash, double quote and
 * newline escaped, bytes that are not UTF-8 replaced by U+FFFD (one would
 * make the scraper reject the whole file).
 */
static void put_prom_value(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		switch (*s) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		default:
			n = utf8_len(s);
			if (!n) {
				fputs("\xef\xbf\xbd", stdout);
				break;
			}
			fwrite(s, 1, n, stdout);
			s += n;
			continue;
		}
		s++;
	}
}

static void prom_header(const char *name, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

/* name{port="...",label="..." */
static void prom_port_series(const char *name, const struct port_stats *p)
{
	printf("%s{port=\"", name);
	put_prom_value(p->ifname);
	fputs("\",label=\"", stdout);
	put_prom_value(p->label);
	putchar('"');
}

/* Every reason the tool knows, zeros included, then the kernel's others. */
static void prom_drops(const char *name, const struct port_stats *p,
		       const struct counters *c)
{
	char buf[NAME_BUF_LEN];
	unsigned int r;
	size_t i;

	for (r = VMFENCE_DROP_UNSPEC + 1; r < __VMFENCE_DROP_LAST; r++) {
		if (p) {
			prom_port_series(name, p);
			putchar(',');
		} else {
			printf("%s{", name);
		}
		printf("reason=\"%s\"} %" PRIu64 "\n",
		       drop_reason_name(r, buf, sizeof(buf)), c->drops[r]);
	}
	for (i = 0; i < c->n_extra; i++) {
		if (p) {
			prom_port_series(name, p);
			putchar(',');
		} else {
			printf("%s{", name);
		}
		printf("reason=\"%s\"} %" PRIu64 "\n",
		       drop_reason_name(c->extra[i].reason, buf, sizeof(buf)),
		       c->extra[i].count);
	}
}

/*
 * The node_exporter textfile collector's format (the Prometheus text
 * exposition format, version 0.0.4): each family once, all its series
 * together.
 */
static void print_prometheus(const struct stats *s, bool totals)
{
	size_t i;

	prom_header("vmfence_passed_total",
		    "Frames from a bound port that vmfence let through.");
	for (i = 0; i < s->n; i++) {
		prom_port_series("vmfence_passed_total", &s->ports[i]);
		printf("} %" PRIu64 "\n", s->ports[i].c.passed);
	}
	prom_header("vmfence_dropped_total",
		    "Frames vmfence dropped, by port and reason.");
	for (i = 0; i < s->n; i++)
		prom_drops("vmfence_dropped_total", &s->ports[i],
			   &s->ports[i].c);
	if (!totals)
		return;
	prom_header("vmfence_namespace_passed_total",
		    "Frames vmfence let through in the network namespace, ports since deleted included.");
	printf("vmfence_namespace_passed_total %" PRIu64 "\n", s->total.passed);
	prom_header("vmfence_namespace_dropped_total",
		    "Frames vmfence dropped in the network namespace, by reason, unbound ports and ports since deleted included.");
	prom_drops("vmfence_namespace_dropped_total", NULL, &s->total);
}

/* stats [--format text|json|prometheus] [DEV] */
static int stats_show(const char *ifname, bool prometheus)
{
	struct stats s = { 0 };
	struct nlmsghdr *nlh;
	struct vf_sock *sk;
	size_t i;
	int ret;

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_STATS_GET);
	if (ifname) {
		vf_put_port_ifname(nlh, ifname);
		ret = vf_talk(sk, nlh, stats_cb, &s);
	} else {
		ret = vf_dump(sk, nlh, stats_cb, stats_reset_list, &s);
	}
	vf_sock_close(sk);
	if (!ret && prometheus) {
		print_prometheus(&s, !ifname);
	} else if (!ret) {
		open_json_object(NULL);
		if (!ifname) {
			open_json_object("total");
			print_string(PRINT_FP, NULL, "%s", "total:");
			print_counters(&s.total);
			close_json_object();
		}
		open_json_array("ports");
		for (i = 0; i < s.n; i++)
			print_port_stats(&s.ports[i]);
		close_json_array();
		close_json_object();
		print_fini();
	}
	stats_free(&s);
	return ret ? EXIT_FAIL : EXIT_OK;
}

/* stats reset [DEV] */
static int stats_reset(int argc, char *argv[])
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	struct vf_sock *sk;
	int ret;

	if (argc > 2)
		return usage_error("stats reset: unexpected argument \"%s\"",
				   argv[2]);
	if (argc == 2 && parse_ifname(argv[1], err, sizeof(err)))
		return usage_error("%s", err);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	nlh = vf_request(sk, VMFENCE_CMD_STATS_RESET);
	if (argc == 2)
		vf_put_port_ifname(nlh, argv[1]);
	ret = vf_talk(sk, nlh, NULL, NULL);
	vf_sock_close(sk);
	return ret ? EXIT_FAIL : EXIT_OK;
}

enum stats_format {
	FORMAT_DEFAULT,		/* what -j and -p say */
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_PROMETHEUS,
};

static int parse_format(const char *s, enum stats_format *format)
{
	if (!strcmp(s, "text"))
		*format = FORMAT_TEXT;
	else if (!strcmp(s, "json"))
		*format = FORMAT_JSON;
	else if (!strcmp(s, "prometheus"))
		*format = FORMAT_PROMETHEUS;
	else
		return usage_error("stats: invalid format \"%s\": expected text, json or prometheus",
				   s);
	return EXIT_OK;
}

/* DEV, given once, checked as "port show" checks it. */
static int set_ifname(const char *arg, const char **ifname)
{
	char err[ERR_LEN];

	if (*ifname)
		return usage_error("stats: unexpected argument \"%s\"", arg);
	if (parse_ifname(arg, err, sizeof(err)))
		return usage_error("%s", err);
	*ifname = arg;
	return EXIT_OK;
}

int stats_main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ NULL,		0,			NULL, 0 },
	};
	enum stats_format format = FORMAT_DEFAULT;
	const char *ifname = NULL;
	int c, ret;

	if (argc >= 2 && !strcmp(argv[1], "reset"))
		return stats_reset(argc - 1, argv + 1);
	/*
	 * With getopt_long() as main() reads the global options; optind 0
	 * starts it afresh.  "-": DEV comes back as 1, in its place, so it
	 * may come before or after --format; ":": a missing value is ':'.
	 */
	optind = 0;
	while ((c = getopt_long(argc, argv, "-:", long_options,
				NULL)) != -1) {
		switch (c) {
		case 1:
			ret = set_ifname(optarg, &ifname);
			break;
		case 'f':
			if (format != FORMAT_DEFAULT)
				return usage_error("stats: --format is given twice");
			ret = parse_format(optarg, &format);
			break;
		case ':':
			return usage_error("stats: --format needs a value (text, json or prometheus)");
		default:
			if (optopt)
				return usage_error("stats: unknown option \"-%c\"",
						   optopt);
			return usage_error("stats: unknown option \"%s\"",
					   argv[optind - 1]);
		}
		if (ret)
			return ret;
	}
	/* What follows "--" is DEV, even if it starts with "-". */
	for (; optind < argc; optind++) {
		ret = set_ifname(argv[optind], &ifname);
		if (ret)
			return ret;
	}
	/* -j asks for JSON: a --format that says otherwise is a mistake. */
	if (is_json() && (format == FORMAT_TEXT || format == FORMAT_PROMETHEUS))
		return usage_error("stats: -j (JSON) and --format %s contradict each other",
				   format == FORMAT_TEXT ? "text" : "prometheus");
	if (format == FORMAT_JSON && !is_json())
		print_init(true, false);
	return stats_show(ifname, format == FORMAT_PROMETHEUS);
}
