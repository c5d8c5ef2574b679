// SPDX-License-Identifier: GPL-2.0
/*
 * vmfencectl apply [--replace] FILE|-: a whole configuration in one
 * VMFENCE_CMD_APPLY, which the kernel applies whole or not at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vmfence.h>

#include "doc.h"
#include "nl.h"
#include "nlbuf.h"
#include "subcommands.h"
#include "util.h"

/*
 * Far more than the largest document the kernel takes (65536 ports of a
 * few hundred bytes each): only a mistake, such as /dev/zero, is larger.
 */
#define DOC_SIZE_MAX	(64 << 20)

/* Reads all of f into *text; returns 0 or -errno. */
static int read_all(FILE *f, char **text, size_t *len)
{
	size_t n = 0, cap = 0, got;
	char *buf = NULL, *p;

	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > DOC_SIZE_MAX) {
			free(buf);
			return -EFBIG;
		}
		if (got)
			continue;
		if (ferror(f)) {
			free(buf);
			return -EIO;
		}
		break;
	}
	*text = buf;
	*len = n;
	return 0;
}

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = stdin;
	int err;

	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f)
			return -errno;
	}
	err = read_all(f, text, len);
	if (f != stdin)
		fclose(f);
	return err;
}

static bool where_cb(uint32_t off, char *buf, size_t len, void *arg)
{
	return doc_locate(arg, off, buf, len);
}

int apply_main(int argc, char *argv[])
{
	const char *path = NULL, *name;
	bool replace = false;
	struct doc doc = { 0 };
	struct nlbuf b = { 0 };
	char err[ERR_LEN];
	size_t len = 0;
	char *text = NULL;
	struct vf_sock *sk;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--replace")) {
			replace = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("apply: unknown option \"%s\"",
					   argv[i]);
		} else if (path) {
			return usage_error("apply: unexpected argument \"%s\"",
					   argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage_error("apply: missing FILE (or - for standard input)");
	name = strcmp(path, "-") ? path : "standard input";

	ret = read_file(path, &text, &len);
	if (ret == -EFBIG)
		return fail("cannot read %s: larger than %d MiB, too large for a document",
			    name, DOC_SIZE_MAX >> 20);
	if (ret)
		return fail("cannot read %s: %s", name, strerror(-ret));
	ret = doc_parse(text, len, &doc, err, sizeof(err));
	free(text);
	if (ret == -ENOMEM)
		return fail("%s", strerror(ENOMEM));
	if (ret == -EBADMSG)
		return usage_error("%s: %s", name, err);
	if (ret)
		return usage_error("%s", err);

	ret = EXIT_FAIL;
	sk = vf_sock_connect();
	if (!sk)
		goto out_free;
	if (doc_encode(&doc, vf_family_id(sk),
		       replace ? VMFENCE_APPLY_F_REPLACE : 0, &b, err,
		       sizeof(err))) {
		fail("%s", err);
		goto out_close;
	}
	if (!vf_talk_large(sk, nlbuf_msg(&b), where_cb, &doc))
		ret = EXIT_OK;
out_close:
	vf_sock_close(sk);
out_free:
	nlbuf_free(&b);
	doc_free(&doc);
	return ret;
}
