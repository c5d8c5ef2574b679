// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl: configures vmfence, anti-spoofing for VM ports on a Linux
 * bridge, through its generic netlink family.
 */
#define _GNU_SOURCE	/* setns() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/vmfence.h>

#include "json.h"
#include "nl.h"
#include "subcommands.h"
#include "util.h"

#ifndef VMFENCECTL_VERSION
#define VMFENCECTL_VERSION	"unknown"
#endif

/* Where "ip netns add" keeps the network namespaces it names. */
#define NETNS_RUN_DIR		"/run/netns"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "port", port_main,
	  "Binds devices to a MAC and addresses, shows and removes bindings" },
	{ "bridge", bridge_main,
	  "Sets and shows what a bridge does with frames from unbound ports" },
	{ "stats", stats_main,
	  "Shows or resets the counters of frames passed and dropped" },
	{ "apply", apply_main,
	  "Applies a whole configuration from a JSON document, all or nothing" },
	{ "dump", dump_main,
	  "Prints the whole configuration as a document for apply" },
	{ "monitor", monitor_main,
	  "Prints a line for each frame dropped, as it happens" },
	{ "version", version_main,
	  "Shows the versions of vmfencectl and the kernel module" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " PROG_NAME " [-j] [-p] port set DEV mac MAC [ip ADDR[/LEN]]...\n"
		"                  [mode enforce|trusted] [label TEXT] [seq N]\n"
		"                  [allow-ethertype 0xNNNN]... [multicast allow|deny]\n"
		"       " PROG_NAME " [-j] [-p] port show [DEV]\n"
		"       " PROG_NAME " port del DEV\n"
		"       " PROG_NAME " port addr add|del DEV ADDR[/LEN]\n"
		"       " PROG_NAME " bridge set BR unbound pass|drop\n"
		"       " PROG_NAME " [-j] [-p] bridge show [BR]\n"
		"       " PROG_NAME " [-j] [-p] stats [--format text|json|prometheus] [DEV]\n"
		"       " PROG_NAME " stats reset [DEV]\n"
		"       " PROG_NAME " apply [--replace] FILE|-\n"
		"       " PROG_NAME " dump\n"
		"       " PROG_NAME " [-j] monitor [--count N]\n"
		"       " PROG_NAME " version\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(f, "  %-9s%s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f,
		"\n"
		"Options (before the command):\n"
		"  -n, --netns NETNS  act in network namespace NETNS: a name that\n"
		"                     \"ip netns\" lists (" NETNS_RUN_DIR "/NETNS), or a path\n"
		"  -j, --json         print JSON\n"
		"  -p, --pretty       print indented JSON (implies -j)\n"
		"  -h, --help         print this help\n"
		"\n"
		"See vmfencectl(8).\n");
}

/*
 * Enters network namespace name, as "ip -n" does: NETNS_RUN_DIR/name, or
 * name itself if it holds a '/' (/proc/PID/ns/net).  Only the network
 * namespace changes: the subcommands open their socket after this, in it,
 * so the kernel looks the devices they name up there; files (apply FILE)
 * are read as before.  Reports failure itself.
 */
static int enter_netns(const char *name)
{
	char path[PATH_MAX], shown[PATH_MAX];
	const char *why;
	int fd, len;

	snprintf(shown, sizeof(shown), "%s", name);
	escape_controls(shown, sizeof(shown));
	if (strchr(name, '/'))
		len = snprintf(path, sizeof(path), "%s", name);
	else
		len = snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		fd = -1;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(stderr,
			PROG_NAME ": cannot open network namespace \"%s\": %s\n",
			shown, strerror(errno));
		return EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		if (errno == EINVAL)
			why = "not a network namespace";
		else if (errno == EPERM)
			why = "Operation not permitted (it needs CAP_SYS_ADMIN)";
		else
			why = strerror(errno);
		fprintf(stderr,
			PROG_NAME ": cannot enter network namespace \"%s\": %s\n",
			shown, why);
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}

int version_main(int argc, char *argv[])
{
	struct vf_sock *sk;
	int err;

	if (argc > 1)
		return usage_error("version: unexpected argument \"%s\"",
				   argv[1]);
	printf(PROG_NAME " %s\n", VMFENCECTL_VERSION);
	err = vf_sock_open(&sk);
	if (!err) {
		printf("kernel module: genl family " VMFENCE_GENL_NAME " version %u\n",
		       vf_family_version(sk));
		vf_sock_close(sk);
	} else if (err == -ENOENT) {
		printf("kernel module: not loaded\n");
	} else {
		printf("kernel module: unknown (%s)\n", strerror(-err));
	}
	return EXIT_OK;
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "netns",	required_argument,	NULL, 'n' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	bool json = false, pretty = false;
	const char *netns = NULL;
	int c, ret;
	size_t i;

	opterr = 0;
	/*
	 * "+": options end at the command, so "label -x" stays a label.
	 * ":": a missing value is ':', not an unknown option.
	 */
	while ((c = getopt_long(argc, argv, "+:n:jph", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (netns)
				return usage_error("-n is given twice");
			netns = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			json = true;
			pretty = true;
			break;
		case 'h':
			show_usage(stdout);
			return EXIT_OK;
		case ':':
			return usage_error("-n needs a value: a network namespace");
		default:
			if (optopt)
				return usage_error("unknown option -%c",
						   optopt);
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;

	if (!argc) {
		show_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		show_usage(stdout);
		return EXIT_OK;
	}

	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (!strcmp(argv[0], subcommands[i].name))
			break;
	}
	if (i == ARRAY_SIZE(subcommands))
		return usage_error("unknown command \"%s\" (try: port, bridge, stats, apply, dump, monitor, version)",
				   argv[0]);
	/* Before the subcommand opens its socket, which stays in it. */
	if (netns && enter_netns(netns))
		return EXIT_FAIL;

	print_init(json, pretty);
	ret = subcommands[i].fn(argc, argv);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "Error: cannot write the output: %s.\n",
			strerror(errno));
		return EXIT_FAIL;
	}
	return ret;
}
