// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl: configures vmfence, anti-spoofing for VM ports on a Linux
 * bridge, through its generic netlink family.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/vmfence.h>

#include "json.h"
#include "nl.h"
#include "subcommands.h"
#include "util.h"

#ifndef VMFENCECTL_VERSION
#define VMFENCECTL_VERSION	"unknown"
#endif

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
		"Options:\n"
		"  -j, --json     print JSON\n"
		"  -p, --pretty   print indented JSON (implies -j)\n"
		"  -h, --help     print this help\n"
		"\n"
		"See vmfencectl(8).\n");
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
		{ "json",	no_argument,	NULL, 'j' },
		{ "pretty",	no_argument,	NULL, 'p' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL,		0,		NULL, 0 },
	};
	bool json = false, pretty = false;
	int c, ret;
	size_t i;

	opterr = 0;
	/* "+": options end at the command, so "label -x" stays a label. */
	while ((c = getopt_long(argc, argv, "+jph", long_options,
				NULL)) != -1) {
		switch (c) {
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

	print_init(json, pretty);
	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[0], subcommands[i].name))
			continue;
		ret = subcommands[i].fn(argc, argv);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "Error: cannot write the output: %s.\n",
				strerror(errno));
			return EXIT_FAIL;
		}
		return ret;
	}
	return usage_error("unknown command \"%s\" (try: port, bridge, stats, apply, dump, monitor, version)",
			   argv[0]);
}
