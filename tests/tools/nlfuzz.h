/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmfence-nlfuzz: a netlink fuzzer for the vmfence generic-netlink family,
 * and a second client of it, independent of ctl/: it is written against
 * libnl-genl-3 and uapi/linux/vmfence.h only.
 *
 *   nlfuzz.c        command line, the modes (fuzz, bind, dump, abandon),
 *                   findings and the summary
 *   nlfuzz-nl.c     sockets, one request and its replies, dumps
 *   nlfuzz-model.c  the devices, the model of the configuration and the
 *                   evaluator that predicts what the kernel answers
 *   nlfuzz-check.c  strict parsers of the kernel's replies
 *   nlfuzz-gen.c    requests from the grammar of the uapi, and mutations
 */
#ifndef NLFUZZ_H
#define NLFUZZ_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include "../../uapi/linux/vmfence.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- random numbers (nlfuzz.c): xorshift, reproducible by --seed ---- */
void rnd_seed(uint64_t seed);
uint64_t rnd64(void);
uint32_t rnd_below(uint32_t n);		/* 0 .. n-1; 0 if n is 0 */
bool one_in(uint32_t n);
void rnd_bytes(void *p, size_t n);

/* ---- growable byte buffers ---- */
struct buf {
	uint8_t *p;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t more);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

/* ---- findings (nlfuzz.c) ---- */
enum finding_cat {
	F_VERDICT,	/* accepted where the model refuses, or the reverse */
	F_ERRNO,	/* refused, but not with the errno the model predicts */
	F_EXTACK,	/* a refusal by vmfence without an extended-ACK text */
	F_EXTACK_TEXT,	/* the text does not begin with an attribute name */
	F_EXTACK_OFFS,	/* the offset does not point where it must */
	F_STATE,	/* the configuration is not what the model says */
	F_UNTOUCHED,	/* a message changed an object it did not name */
	F_REPLY,	/* a reply or dump message not well formed */
	F_DUMP,		/* a dump not consistent although not flagged */
	F_PROTOCOL,	/* missing, extra or mismatched replies */
	F_FINAL,	/* the final dump does not match the model */
	F_NCAT
};
extern const char *const finding_names[F_NCAT];
void finding(enum finding_cat cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void finding_msg(enum finding_cat cat, const uint8_t *msg, size_t len,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
unsigned long findings_total(void);

/* Counters printed in the summary. */
struct counts {
	unsigned long sent, accepted, refused, noreply, dumps_ok;
	unsigned long predicted, blind, skipped, mutated, generated;
	unsigned long core_noextack;	/* refusals by the genl core, no text */
	unsigned long dumps, dumps_intr, dump_retries, abandoned, ebusy;
	unsigned long readbacks, resyncs, huge, sendfail;
	unsigned long per_cmd[VMFENCE_CMD_MAX + 2];
};
extern struct counts cnt;

/* ---- netlink (nlfuzz-nl.c) ---- */
struct fz_sock {
	struct nl_sock *sk;
	int fd;
	int family;
	uint32_t seq;
};

/* Everything the kernel answered to one request. */
struct reply {
	bool acked;		/* an NLMSG_ERROR for our seq arrived */
	int err;		/* its error, positive (0: success) */
	bool capped;
	char msg[256];		/* NLMSGERR_ATTR_MSG, if any */
	bool has_msg;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS, if any */
	bool has_offs;
	struct buf data;	/* data messages for our seq, back to back */
	unsigned int ndata;
	bool done;		/* NLMSG_DONE (dumps) */
	int done_err;
	bool intr;		/* a message carried NLM_F_DUMP_INTR */
	unsigned int nrecv;	/* recvmsg() calls */
	unsigned int stray;	/* messages for another seq */
	bool timeout;		/* a dump stopped answering */
	int send_err;		/* sendmsg() failed: -errno */
};

int fz_open(struct fz_sock *s, int family);
void fz_close(struct fz_sock *s);
uint32_t fz_next_seq(struct fz_sock *s);
/* Send @msg (its seq is the caller's), collect the answer in @r. */
int fz_txrx(struct fz_sock *s, const uint8_t *msg, size_t len, bool dump,
	    struct reply *r);
void reply_free(struct reply *r);
/* Build and run a clean dump request of @cmd. */
int fz_dump(struct fz_sock *s, int cmd, struct reply *r);
/* Receive once, if something comes within @timeout_ms: bytes or -errno. */
int fz_recv_once_into(struct fz_sock *s, uint32_t seq, int timeout_ms,
		      struct reply *r);
void hexdump_to(char *out, size_t outlen, const uint8_t *p, size_t n);

/* ---- the model (nlfuzz-model.c) ---- */
struct maddr {
	uint8_t alen;		/* 4 or 16 */
	uint8_t plen;
	uint8_t addr[16];	/* masked, zero beyond alen */
};

struct mbind {
	uint8_t mac[6];
	uint8_t mode;
	uint32_t flags;
	uint64_t seq;
	char label[VMFENCE_LABEL_MAX];
	uint8_t neth;
	uint16_t eth[VMFENCE_ETHERTYPES_MAX];	/* in the order given */
	uint16_t naddr;
	struct maddr addr[VMFENCE_ADDRS_MAX];	/* sorted: see maddr_cmp() */
};

enum dev_role {
	DEV_OWN,	/* ours: modelled and fuzzed */
	DEV_EPOCH,	/* ours, changed only by the epoch APPLY */
	DEV_FOREIGN,	/* another writer's (shared mode) */
	DEV_VOLATILE,	/* may come and go at any time (--volatile) */
};

struct mdev {
	int ifindex;
	char name[IFNAMSIZ];
	bool bindable;		/* Ethernet and not a bridge */
	bool bridge;
	enum dev_role role;
	struct mbind *b;	/* the binding in force, NULL: none */
	int unbound;		/* bridge setting, 0: none */
};

struct model {
	struct mdev *dev;
	int ndev;
	int *by_ifindex;	/* ifindex -> index in dev[], or -1 */
	int max_ifindex;
	int *by_name;		/* indexes of dev[], sorted by name */
	bool shared;		/* other writers: only our devices are known */
	const char *volatile_prefix;
	int *own;		/* fuzzing targets, indexes of dev[] */
	int nown;
	int *epoch;		/* the epoch pair */
	int nepoch;
	int nbound;		/* bindings in force, all known devices */
};

int model_load_devices(struct model *m, const char *own_prefix,
		       const char *epoch_names, bool shared,
		       const char *volatile_prefix);
struct mdev *model_dev_by_ifindex(struct model *m, int64_t ifindex);
struct mdev *model_dev_by_name(struct model *m, const char *name);
bool model_dev_known(const struct model *m, const struct mdev *d);
bool model_new_ifindex(const struct model *m, int64_t ifindex);
int maddr_cmp(const void *a, const void *b);
void mbind_sort(struct mbind *b);
bool mbind_equal(const struct mbind *a, const struct mbind *b, bool cmp_seq);
void mbind_describe(const struct mbind *b, char *out, size_t len);
void model_set_binding(struct model *m, struct mdev *d,
		       const struct mbind *b);

/* What the model predicts for one request. */
enum vkind {
	VK_OK,		/* accepted: an ACK with error 0 if NLM_F_ACK */
	VK_ERR,		/* refused with ->err */
	VK_NOREPLY,	/* nothing comes back at all */
	VK_DUMP,	/* a dump of ->dump_cmd, then NLMSG_DONE */
	VK_UNKNOWN,	/* not predictable: the blind path */
};

enum change_kind { CH_BIND, CH_UNBIND, CH_BRIDGE, CH_BRIDGE_DEL };

struct change {
	int dev;		/* index in model->dev */
	enum change_kind kind;
	struct mbind *b;	/* CH_BIND: owned by the change */
	int unbound;		/* CH_BRIDGE */
};

struct verdict {
	enum vkind kind;
	int err;		/* VK_ERR: positive errno */
	bool ack;		/* VK_OK: an ACK is expected */
	bool core;		/* VK_ERR from the genl core: no text needed */
	bool vmf;		/* VK_ERR from vmfence: "attr: text" */
	int64_t offs;		/* expected NLMSGERR_ATTR_OFFS, -1: none */
	int64_t entry_lo, entry_hi;	/* APPLY: the entry at fault */
	const char *why;	/* the model's reason, for findings */
	int cmd;
	int reply_dev;		/* doit GET: the device answered, or -1 */
	int dump_cmd;
	struct change *ch;
	int nch, capch;
	bool replace;		/* APPLY with REPLACE accepted */
};

void verdict_reset(struct verdict *v);
void verdict_free(struct verdict *v);
/* Predict the kernel's answer to @msg; the model is not changed. */
void model_eval(struct model *m, const uint8_t *msg, size_t len,
		int family, struct verdict *v);
/* The kernel agreed: make the verdict's changes. */
void model_commit(struct model *m, struct verdict *v);

/*
 * Devices a message names anywhere the kernel could read a device from
 * (conservative, no validation): what a blind message may change.
 */
struct named {
	int *dev;		/* indexes of model->dev */
	int n, cap;
	bool unknown;		/* names something not in the table */
	bool replace;		/* could be an APPLY with REPLACE */
	bool foreign;		/* names a device that is not ours */
};
void model_scan_named(struct model *m, const uint8_t *msg, size_t len,
		      struct named *nm);
void named_free(struct named *nm);

/* ---- replies (nlfuzz-check.c) ---- */
struct pentry {			/* one PORT_GET message */
	int ifindex;
	char name[IFNAMSIZ];
	struct mbind b;
};
struct sentry {			/* one STATS_GET message */
	bool totals;
	int ifindex;
	char name[IFNAMSIZ];
	char label[VMFENCE_LABEL_MAX];
};
struct bentry {			/* one BRIDGE_GET message */
	int ifindex;
	char name[IFNAMSIZ];
	int unbound;
};

/* Each returns 0, or -1 with @why filled. */
int parse_port_msg(const struct nlmsghdr *h, struct pentry *e, char *why,
		   size_t wlen);
int parse_stats_msg(const struct nlmsghdr *h, struct sentry *e, char *why,
		    size_t wlen);
int parse_bridge_msg(const struct nlmsghdr *h, struct bentry *e, char *why,
		     size_t wlen);

/* A parsed dump: entries in the order received. */
struct dump {
	int cmd;
	struct pentry *p;
	struct sentry *s;
	struct bentry *br;
	int n, cap;
	bool intr;
};
/* Parse every message of @r as @cmd; findings go to F_REPLY. */
int dump_parse(int cmd, int family, const struct reply *r, struct dump *d);
void dump_free(struct dump *d);

/* ---- requests (nlfuzz-gen.c) ---- */
struct gen {
	struct model *m;
	int family;
	bool shared;
	bool huge_ok;		/* may build multi-megabyte APPLYs */
	int bridge;		/* our bridge, index in model->dev, or -1 */
	int dirty;		/* per-knob defect chance, in 1/1000 */
	uint64_t epoch;
};

/* A request from the grammar, in @out; returns its command. */
int gen_request(struct gen *g, uint32_t seq, struct buf *out);
/* The epoch APPLY: both epoch devices get the same label at once. */
void gen_epoch(struct gen *g, uint32_t seq, struct buf *out);
/* APPLY of every device of @devs (indexes), for the "bind" mode. */
enum bulk_kind { BULK_GOOD, BULK_BAD_LAST, BULK_STALE_MIDDLE, BULK_TOO_MANY };
void gen_bulk_apply(struct gen *g, uint32_t seq, const int *devs, int n,
		    enum bulk_kind kind, int round, struct buf *out);
/* Mutate @b in place (its nlmsghdr type and seq are kept). */
void mutate(struct buf *b);

#endif /* NLFUZZ_H */
