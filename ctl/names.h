/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMFENCECTL_NAMES_H
#define VMFENCECTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Big enough for "reason_65535", "mode_255" and "unbound_255". */
#define NAME_BUF_LEN	16

/*
 * The name of a drop reason ("mac_spoof"), or "reason_N", written into
 * buf, for one the tool does not know.
 */
const char *drop_reason_name(unsigned int reason, char *buf, size_t len);

/* The name of a port mode ("enforce"), or "mode_N" written into buf. */
const char *mode_name(unsigned int mode, char *buf, size_t len);

/* Looks up a mode by name; returns 0 or -EINVAL. */
int mode_lookup(const char *name, unsigned int *mode);

/*
 * The name of a bridge's policy for unbound ports ("drop"), or
 * "unbound_N" written into buf.
 */
const char *unbound_name(unsigned int unbound, char *buf, size_t len);

/* Looks up an unbound policy by name; returns 0 or -EINVAL. */
int unbound_lookup(const char *name, unsigned int *unbound);

/*
 * The names of the attributes of one nest of the vmfence family, for
 * error messages that point into a request.
 */
struct attr_space {
	const char *const *names;	/* indexed by attribute type */
	unsigned int max;
	/* indexed by type: the space of a nest's children, or NULL */
	const struct attr_space *const *nested;
	/* the children repeat; the n-th one is called "<entry> n" */
	const char *entry;
};

/* The top-level attributes of a vmfence message. */
extern const struct attr_space vmfence_attr_space;

#endif /* VMFENCECTL_NAMES_H */
