// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl dump: the whole configuration as the document that "apply"
 * reads (see doc.h).  Nothing in it changes unless the configuration
 * does: no counters, no ifindexes, entries in ifindex order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bridge.h"
#include "doc.h"
#include "json.h"
#include "nl.h"
#include "port.h"
#include "subcommands.h"
#include "util.h"

static int port_ifindex_cmp(const void *a, const void *b)
{
	const struct port *pa = a, *pb = b;

	return pa->ifindex < pb->ifindex ? -1 : pa->ifindex > pb->ifindex;
}

static int bridge_ifindex_cmp(const void *a, const void *b)
{
	const struct bridge *ba = a, *bb = b;

	return ba->ifindex < bb->ifindex ? -1 : ba->ifindex > bb->ifindex;
}

static bool is_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	while (*u) {
		n = utf8_len(u);
		if (!n)
			return false;
		u += n;
	}
	return true;
}

/*
 * JSON cannot carry bytes that are not UTF-8: such a name or label is
 * dumped with U+FFFD, and applying the dump would change the binding.
 */
static void warn_not_utf8(const struct port_list *ports,
			  const struct bridge_list *bridges)
{
	size_t i;

	for (i = 0; i < ports->n; i++) {
		if (!is_utf8(ports->ports[i].ifname) ||
		    !is_utf8(ports->ports[i].label))
			fprintf(stderr,
				PROG_NAME ": warning: ports[%zu]: the device name or label is not UTF-8: the dump cannot reproduce it\n",
				i);
	}
	for (i = 0; i < bridges->n; i++) {
		if (!is_utf8(bridges->bridges[i].ifname))
			fprintf(stderr,
				PROG_NAME ": warning: bridges[%zu]: the device name is not UTF-8: the dump cannot reproduce it\n",
				i);
	}
}

int dump_main(int argc, char *argv[])
{
	struct bridge_list bridges = { 0 };
	struct port_list ports = { 0 };
	struct vf_sock *sk;
	size_t i;
	int ret;

	if (argc > 1)
		return usage_error("dump: unexpected argument \"%s\"", argv[1]);

	sk = vf_sock_connect();
	if (!sk)
		return EXIT_FAIL;
	ret = vf_dump(sk, vf_request(sk, VMFENCE_CMD_BRIDGE_GET), bridge_cb,
		      bridge_list_reset, &bridges);
	if (!ret)
		ret = vf_dump(sk, vf_request(sk, VMFENCE_CMD_PORT_GET),
			      port_cb, port_list_reset, &ports);
	vf_sock_close(sk);
	if (ret)
		goto out_free;

	/* The kernel dumps in ifindex order already; make sure of it. */
	if (bridges.n > 1)
		qsort(bridges.bridges, bridges.n, sizeof(*bridges.bridges),
		      bridge_ifindex_cmp);
	if (ports.n > 1)
		qsort(ports.ports, ports.n, sizeof(*ports.ports),
		      port_ifindex_cmp);

	/* Always pretty: a document is for people and diff too. */
	print_init(true, true);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "version", NULL, DOC_VERSION);
	open_json_array("bridges");
	for (i = 0; i < bridges.n; i++)
		print_bridge(&bridges.bridges[i], true);
	close_json_array();
	open_json_array("ports");
	for (i = 0; i < ports.n; i++)
		print_port(&ports.ports[i], true);
	close_json_array();
	open_json_array("groups");
	close_json_array();
	close_json_object();
	print_fini();
	warn_not_utf8(&ports, &bridges);

out_free:
	free(bridges.bridges);
	port_list_free(&ports);
	return ret ? EXIT_FAIL : EXIT_OK;
}
