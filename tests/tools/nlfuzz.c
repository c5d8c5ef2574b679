// SPDX-License-Identifier: GPL-2.0
/*
 * vmfence-nlfuzz: a netlink fuzzer for vmfence, and a second client of
 * its generic-netlink family, written against libnl-genl-3 and
 * uapi/linux/vmfence.h alone (nothing of ctl/).
 *
 *   vmfence-nlfuzz [fuzz] --seconds S --seed N --devices PREFIX
 *                  [--bridge NAME] [--shared] [--blind] [--volatile PREFIX]
 *                  [--epoch DEV1,DEV2 [--epoch-every N]] [--tag NAME]
 *       Requests for every command of the uapi, from its grammar (with
 *       defects) and mutated, on the devices whose name starts with
 *       PREFIX; each answer is checked against the model's prediction
 *       (nlfuzz-model.c).  --shared: other writers run at once, so only
 *       our devices are modelled and nothing that could touch another's
 *       is sent (no APPLY --replace).  --blind: mutated requests are not
 *       predicted but checked afterwards: a refusal has a text, an
 *       accepted one changed only what it named.  --volatile: devices of
 *       that prefix come and go (their requests go the blind way).
 *       --epoch: every N requests, one APPLY gives both devices the same
 *       new label (see "dump").
 *   vmfence-nlfuzz bind --devices PREFIX
 *       APPLY documents of every device of PREFIX: a good one (checked by
 *       a dump), one with a bad last entry and one with a stale entry in
 *       the middle (refused, nothing changed), the good one again (a
 *       no-op), one of more than VMFENCE_APPLY_PORTS_MAX entries.
 *   vmfence-nlfuzz clear
 *       APPLY --replace of an empty document: every binding and bridge
 *       setting of the namespace goes (checked by dumps).
 *   vmfence-nlfuzz dump --seconds S [--epoch DEV1,DEV2]
 *       Only dumps (ports, stats, bridges), each parsed strictly: a dump
 *       is either flagged NLM_F_DUMP_INTR (counted, retried) or
 *       consistent: in ifindex order, names unique, and both epoch
 *       devices bound with the same label or neither.
 *   vmfence-nlfuzz send HEX...
 *       Each HEX a request as a finding prints it: sent with our family
 *       id and a new seq; prints the model's verdict and the kernel's.
 *   vmfence-nlfuzz abandon --seconds S
 *       Dumps started on a fresh socket and abandoned: the socket is
 *       closed after the first recvmsg() (sometimes a few); now and then
 *       a second dump is asked for meanwhile (EBUSY, from the core).
 *
 * Prints "FINDING <category>: ..." on stderr for each problem (the first
 * few of each category), a summary on stdout ("nlfuzz: key=value ..."),
 * and exits 1 if there was any finding, 2 if it could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include "nlfuzz.h"

struct counts cnt;

/* ---- random numbers ---- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

void rnd_seed(uint64_t seed)
{
	rnd_state = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (!rnd_state)
		rnd_state = 1;
}

uint64_t rnd64(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)((rnd64() >> 32) % n) : 0;
}

bool one_in(uint32_t n)
{
	return rnd_below(n) == 0;
}

void rnd_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd64() >> 56;
}

/* ---- findings ---- */

const char *const finding_names[F_NCAT] = {
	[F_VERDICT] = "verdict",
	[F_ERRNO] = "errno",
	[F_EXTACK] = "extack",
	[F_EXTACK_TEXT] = "extack-text",
	[F_EXTACK_OFFS] = "extack-offset",
	[F_STATE] = "state",
	[F_UNTOUCHED] = "untouched",
	[F_REPLY] = "reply",
	[F_DUMP] = "dump-consistency",
	[F_PROTOCOL] = "protocol",
	[F_FINAL] = "final",
};

static unsigned long nfound[F_NCAT];
static const char *opt_tag = "nlfuzz";
#define FINDINGS_SHOWN 12

static void vfinding(enum finding_cat cat, const uint8_t *msg, size_t len,
		     const char *fmt, va_list ap)
{
	char hex[1100];

	if (++nfound[cat] > FINDINGS_SHOWN)
		return;
	fprintf(stderr, "FINDING %s: [%s] ", finding_names[cat], opt_tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (msg && nfound[cat] <= 4) {
		hexdump_to(hex, sizeof(hex), msg, len);
		fprintf(stderr, "FINDING %s: [%s]   message (%zu bytes): %s\n",
			finding_names[cat], opt_tag, len, hex);
	}
}

void finding(enum finding_cat cat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(cat, NULL, 0, fmt, ap);
	va_end(ap);
}

void finding_msg(enum finding_cat cat, const uint8_t *msg, size_t len,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(cat, msg, len, fmt, ap);
	va_end(ap);
}

unsigned long findings_total(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < F_NCAT; i++)
		n += nfound[i];
	return n;
}

/* ---- options ---- */

static double opt_seconds = 10;
static uint64_t opt_seed;
static const char *opt_devices = "";
static const char *opt_bridge;
static bool opt_shared, opt_blind;
static const char *opt_epoch;
static int opt_epoch_every = 16;
static const char *opt_volatile;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- one fuzzing session ---- */

struct ctx {
	struct fz_sock s;
	struct model m;
	struct gen g;
	struct buf msg;
	double deadline;
};

static bool is_dump(const uint8_t *msg, size_t len)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)msg;

	return len >= NLMSG_HDRLEN &&
	       (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	       (h->nlmsg_flags & NLM_F_REQUEST);
}

/*
 * Refusals the genetlink core makes before vmfence's code, and before
 * any extended ACK is set: no room for a genlmsghdr (EINVAL), a command
 * the family does not have (EOPNOTSUPP), a dump of a command without a
 * dumpit (EOPNOTSUPP); genl_rcv_msg() and genl_family_rcv_msg() return
 * these bare.  Everything else that refuses says why.
 */
static bool core_bare_refusal(const uint8_t *msg, size_t len, int err)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)msg;
	const struct genlmsghdr *g;

	if (len < NLMSG_HDRLEN)
		return false;
	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return err == EINVAL;
	g = (const struct genlmsghdr *)(msg + NLMSG_HDRLEN);
	if (err != EOPNOTSUPP)
		return false;
	if (g->cmd < VMFENCE_CMD_PORT_SET || g->cmd > VMFENCE_CMD_APPLY)
		return true;
	return (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	       g->cmd != VMFENCE_CMD_PORT_GET &&
	       g->cmd != VMFENCE_CMD_STATS_GET &&
	       g->cmd != VMFENCE_CMD_BRIDGE_GET;
}

/* "attr: text", the form of every refusal vmfence itself makes. */
static bool vmf_text(const char *s)
{
	const char *p = s;

	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return p > s && p[0] == ':' && p[1] == ' ' && p[2];
}

/* Checks every answer gets, predicted or not. */
static void check_common(const uint8_t *msg, size_t len, const struct reply *r)
{
	if (r->stray)
		finding_msg(F_PROTOCOL, msg, len, "%u messages for another seq",
			    r->stray);
	if (!r->acked || !r->err)
		return;
	cnt.refused++;
	if (r->has_msg)
		return;
	if (core_bare_refusal(msg, len, r->err))
		cnt.core_noextack++;
	else
		finding_msg(F_EXTACK, msg, len,
			    "refused with %s but no extended-ACK text",
			    strerror(r->err));
}

static void count_outcome(const struct reply *r)
{
	if (r->acked && r->err)
		return;		/* counted by check_common() */
	if (r->acked || r->ndata || r->done)
		cnt.accepted++;
	else
		cnt.noreply++;
}

static const char *cmd_name(int cmd)
{
	static const char *const names[] = {
		[VMFENCE_CMD_PORT_SET] = "PORT_SET",
		[VMFENCE_CMD_PORT_DEL] = "PORT_DEL",
		[VMFENCE_CMD_PORT_GET] = "PORT_GET",
		[VMFENCE_CMD_PORT_ADDR_ADD] = "PORT_ADDR_ADD",
		[VMFENCE_CMD_PORT_ADDR_DEL] = "PORT_ADDR_DEL",
		[VMFENCE_CMD_STATS_GET] = "STATS_GET",
		[VMFENCE_CMD_STATS_RESET] = "STATS_RESET",
		[VMFENCE_CMD_BRIDGE_SET] = "BRIDGE_SET",
		[VMFENCE_CMD_BRIDGE_GET] = "BRIDGE_GET",
		[VMFENCE_CMD_APPLY] = "APPLY",
	};

	return cmd > 0 && cmd <= VMFENCE_CMD_APPLY ? names[cmd] : "bogus";
}

/* ---- reading the configuration back ---- */

static bool pentry_matches(const struct mdev *d, const struct pentry *e,
			   char *why, size_t wlen)
{
	char want[600], got[600];

	if (!d->b) {
		snprintf(why, wlen, "%s is bound in the kernel, not in the model",
			 d->name);
		return false;
	}
	if (strcmp(e->name, d->name)) {
		snprintf(why, wlen, "ifindex %d is named %s, not %s", d->ifindex,
			 e->name, d->name);
		return false;
	}
	if (mbind_equal(&e->b, d->b, true))
		return true;
	mbind_describe(d->b, want, sizeof(want));
	mbind_describe(&e->b, got, sizeof(got));
	snprintf(why, wlen, "%s: model: %s; kernel: %s", d->name, want, got);
	return false;
}

/* Differences expected anywhere: the first read, or after --replace. */
static const struct named anything = { .replace = true };

static bool in_named(const struct named *nm, int dev)
{
	int i;

	for (i = 0; nm && i < nm->n; i++)
		if (nm->dev[i] == dev)
			return true;
	return false;
}

/*
 * One device's difference between model and kernel: a finding of @cat
 * unless @allowed names it; the model takes the kernel's state.
 */
static void differ(enum finding_cat cat, const struct named *allowed, int dev,
		   const char *why)
{
	if (!in_named(allowed, dev) && !(allowed && allowed->replace))
		finding(cat, "%s", why);
}

/* A full dump of @cmd, retried while flagged NLM_F_DUMP_INTR. */
static int consistent_dump(struct ctx *c, int cmd, struct dump *d,
			   double give_up)
{
	struct reply r;
	int tries = 0;

	for (;;) {
		fz_dump(&c->s, cmd, &r);
		cnt.dumps++;
		if (r.send_err || dump_parse(cmd, c->s.family, &r, d)) {
			reply_free(&r);
			dump_free(d);
			return -1;
		}
		reply_free(&r);
		if (!d->intr) {
			cnt.dumps_ok++;
			return 0;
		}
		cnt.dumps_intr++;
		if (!c->m.shared)
			finding(F_DUMP, "dump of %s flagged NLM_F_DUMP_INTR with no other writer",
				cmd_name(cmd));
		dump_free(d);
		if (now() > give_up)
			return 1;
		cnt.dump_retries++;
		sleep_ms(++tries < 5 ? 0 : 10);
	}
}

/*
 * Read every binding and bridge setting by dumps and compare the known
 * devices with the model; differences are findings of @cat except on the
 * devices @allowed names.  The model then holds what the kernel holds.
 * Returns -1 if no consistent dump came before @give_up.
 */
static int sync_dump(struct ctx *c, enum finding_cat cat,
		     const struct named *allowed, double give_up)
{
	struct model *m = &c->m;
	struct dump pd, bd;
	char why[1400];
	uint8_t *seen;
	int i;

	cnt.resyncs++;
	if (consistent_dump(c, VMFENCE_CMD_PORT_GET, &pd, give_up))
		return -1;
	if (consistent_dump(c, VMFENCE_CMD_BRIDGE_GET, &bd, give_up)) {
		dump_free(&pd);
		return -1;
	}
	seen = calloc(m->ndev + 1, 1);
	for (i = 0; i < pd.n; i++) {
		struct mdev *d = model_dev_by_ifindex(m, pd.p[i].ifindex);

		if (!d) {
			if (!m->shared && !m->volatile_prefix)
				finding(cat, "bound: ifindex %d (%s), a device we do not know",
					pd.p[i].ifindex, pd.p[i].name);
			continue;
		}
		if (!model_dev_known(m, d))
			continue;
		seen[d - m->dev] = 1;
		if (!pentry_matches(d, &pd.p[i], why, sizeof(why))) {
			differ(cat, allowed, d - m->dev, why);
			model_set_binding(m, d, &pd.p[i].b);
		}
	}
	for (i = 0; i < m->ndev; i++) {
		struct mdev *d = &m->dev[i];

		if (seen[i] || !d->b || !model_dev_known(m, d))
			continue;
		snprintf(why, sizeof(why), "%s: bound in the model, not in the kernel",
			 d->name);
		differ(cat, allowed, i, why);
		model_set_binding(m, d, NULL);
	}
	memset(seen, 0, m->ndev + 1);
	for (i = 0; i < bd.n; i++) {
		struct mdev *d = model_dev_by_ifindex(m, bd.br[i].ifindex);

		if (!d || !model_dev_known(m, d))
			continue;
		seen[d - m->dev] = 1;
		if (d->unbound != bd.br[i].unbound) {
			snprintf(why, sizeof(why), "bridge %s: unbound %d in the model, %d in the kernel",
				 d->name, d->unbound, bd.br[i].unbound);
			differ(cat, allowed, d - m->dev, why);
			d->unbound = bd.br[i].unbound;
		}
	}
	for (i = 0; i < m->ndev; i++) {
		struct mdev *d = &m->dev[i];

		if (seen[i] || !d->unbound || !model_dev_known(m, d))
			continue;
		snprintf(why, sizeof(why), "bridge %s: a setting in the model, none in the kernel",
			 d->name);
		differ(cat, allowed, i, why);
		d->unbound = 0;
	}
	free(seen);
	dump_free(&pd);
	dump_free(&bd);
	return 0;
}

/* One doit of @cmd for @d: its binding or its bridge setting. */
static int get_one(struct ctx *c, int cmd, struct mdev *d, struct reply *r)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *h;
	struct nlattr *n;

	genlmsg_put(m, NL_AUTO_PORT, fz_next_seq(&c->s), c->s.family, 0,
		    NLM_F_REQUEST | NLM_F_ACK, cmd, VMFENCE_GENL_VERSION);
	n = nla_nest_start(m, cmd == VMFENCE_CMD_BRIDGE_GET ?
			   VMFENCE_A_BRIDGE : VMFENCE_A_PORT);
	nla_put_u32(m, VMFENCE_PORT_A_IFINDEX, d->ifindex);
	nla_nest_end(m, n);
	h = nlmsg_hdr(m);
	fz_txrx(&c->s, (const uint8_t *)h, h->nlmsg_len, false, r);
	cnt.readbacks++;
	nlmsg_free(m);
	return r->send_err;
}

/* Read one device back by doits, compare, and adopt what the kernel says. */
static void sync_dev(struct ctx *c, enum finding_cat cat,
		     const struct named *allowed, int dev)
{
	struct mdev *d = &c->m.dev[dev];
	char why[1400];
	struct reply r;
	struct pentry e;
	struct bentry be;

	if (d->bindable && !get_one(c, VMFENCE_CMD_PORT_GET, d, &r)) {
		if (r.acked && r.err == ENOENT && !r.ndata) {
			if (d->b) {
				snprintf(why, sizeof(why), "%s: bound in the model, not in the kernel",
					 d->name);
				differ(cat, allowed, dev, why);
				model_set_binding(&c->m, d, NULL);
			}
		} else if (r.acked && !r.err && r.ndata == 1) {
			if (parse_port_msg((struct nlmsghdr *)r.data.p, &e, why,
					   sizeof(why))) {
				finding(F_REPLY, "PORT_GET reply for %s: %s",
					d->name, why);
			} else if (!pentry_matches(d, &e, why, sizeof(why))) {
				differ(cat, allowed, dev, why);
				model_set_binding(&c->m, d, &e.b);
			}
		} else {
			finding(F_PROTOCOL, "PORT_GET of %s: error %d, %u messages",
				d->name, r.err, r.ndata);
		}
		reply_free(&r);
	}
	if (d->bridge && !get_one(c, VMFENCE_CMD_BRIDGE_GET, d, &r)) {
		int unbound = -1;

		if (r.acked && r.err == ENOENT && !r.ndata)
			unbound = 0;
		else if (r.acked && !r.err && r.ndata == 1 &&
			 !parse_bridge_msg((struct nlmsghdr *)r.data.p, &be, why,
					   sizeof(why)))
			unbound = be.unbound;
		else
			finding(F_REPLY, "BRIDGE_GET of %s: error %d, %u messages",
				d->name, r.err, r.ndata);
		if (unbound >= 0 && unbound != d->unbound) {
			snprintf(why, sizeof(why), "bridge %s: unbound %d in the model, %d in the kernel",
				 d->name, d->unbound, unbound);
			differ(cat, allowed, dev, why);
			d->unbound = unbound;
		}
		reply_free(&r);
	}
}

/* Our devices, one doit each: not raced by other writers' dumps. */
static void sync_own(struct ctx *c, enum finding_cat cat,
		     const struct named *allowed)
{
	int i;

	cnt.resyncs++;
	for (i = 0; i < c->m.nown; i++)
		if (model_dev_known(&c->m, &c->m.dev[c->m.own[i]]))
			sync_dev(c, cat, allowed, c->m.own[i]);
	for (i = 0; i < c->m.nepoch; i++)
		sync_dev(c, cat, allowed, c->m.epoch[i]);
	if (c->g.bridge >= 0 && !c->m.dev[c->g.bridge].bindable)
		sync_dev(c, cat, allowed, c->g.bridge);
}

/* ---- checking a predicted answer ---- */

static void check_reply_data(struct ctx *c, const struct verdict *v,
			     const struct reply *r, const uint8_t *msg,
			     size_t len)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)r->data.p;
	struct mdev *d;
	char why[1400];
	union {
		struct pentry p;
		struct sentry s;
		struct bentry b;
	} *e;

	if (v->reply_dev < 0) {
		if (r->ndata)
			finding_msg(F_PROTOCOL, msg, len, "%s: %u data messages, expected none",
				    cmd_name(v->cmd), r->ndata);
		return;
	}
	if (r->ndata != 1) {
		finding_msg(F_PROTOCOL, msg, len, "%s: %u replies, expected one",
			    cmd_name(v->cmd), r->ndata);
		return;
	}
	d = &c->m.dev[v->reply_dev];
	e = malloc(sizeof(*e));
	if (h->nlmsg_type != c->s.family || (h->nlmsg_flags & NLM_F_MULTI)) {
		finding_msg(F_REPLY, msg, len, "%s reply: type %u flags %#x",
			    cmd_name(v->cmd), h->nlmsg_type, h->nlmsg_flags);
	} else if (v->cmd == VMFENCE_CMD_PORT_GET) {
		if (parse_port_msg(h, &e->p, why, sizeof(why)))
			finding_msg(F_REPLY, msg, len, "PORT_GET reply: %s", why);
		else if (e->p.ifindex != d->ifindex ||
			 !pentry_matches(d, &e->p, why, sizeof(why)))
			finding_msg(F_STATE, msg, len, "PORT_GET reply: %s", why);
	} else if (v->cmd == VMFENCE_CMD_STATS_GET) {
		if (parse_stats_msg(h, &e->s, why, sizeof(why)))
			finding_msg(F_REPLY, msg, len, "STATS_GET reply: %s", why);
		else if (e->s.totals || e->s.ifindex != d->ifindex ||
			 strcmp(e->s.name, d->name) ||
			 strcmp(e->s.label, d->b->label))
			finding_msg(F_STATE, msg, len, "STATS_GET reply for %s: ifindex %d name %s label \"%s\", model label \"%s\"",
				    d->name, e->s.ifindex, e->s.name,
				    e->s.label, d->b->label);
	} else {
		if (parse_bridge_msg(h, &e->b, why, sizeof(why)))
			finding_msg(F_REPLY, msg, len, "BRIDGE_GET reply: %s", why);
		else if (e->b.ifindex != d->ifindex || e->b.unbound != d->unbound)
			finding_msg(F_STATE, msg, len, "BRIDGE_GET reply for %s: unbound %d, model %d",
				    d->name, e->b.unbound, d->unbound);
	}
	free(e);
}

/* A dump asked for by a fuzzed request: compare it with the model. */
static void check_dump_reply(struct ctx *c, const struct verdict *v,
			     const struct reply *r, const uint8_t *msg,
			     size_t len)
{
	struct model *m = &c->m;
	struct dump d;
	int i, n = 0, want = 0;

	cnt.dumps++;
	if (dump_parse(v->dump_cmd, c->s.family, r, &d))
		return;
	if (d.intr) {
		cnt.dumps_intr++;
		if (!m->shared)
			finding_msg(F_DUMP, msg, len, "dump flagged NLM_F_DUMP_INTR with no other writer");
		dump_free(&d);
		return;
	}
	cnt.dumps_ok++;
	for (i = 0; i < d.n; i++) {
		int ifx = v->dump_cmd == VMFENCE_CMD_PORT_GET ? d.p[i].ifindex :
			  v->dump_cmd == VMFENCE_CMD_STATS_GET ? d.s[i].ifindex :
			  d.br[i].ifindex;
		struct mdev *dv = model_dev_by_ifindex(m, ifx);
		char why[1400];

		if (v->dump_cmd == VMFENCE_CMD_STATS_GET && d.s[i].totals)
			continue;
		if (!dv || !model_dev_known(m, dv))
			continue;
		n++;
		if (v->dump_cmd == VMFENCE_CMD_PORT_GET &&
		    !pentry_matches(dv, &d.p[i], why, sizeof(why)))
			finding_msg(F_STATE, msg, len, "dump: %s", why);
		if (v->dump_cmd == VMFENCE_CMD_STATS_GET &&
		    (!dv->b || strcmp(d.s[i].label, dv->b->label)))
			finding_msg(F_STATE, msg, len, "stats dump: %s: label \"%s\" or not bound in the model",
				    dv->name, d.s[i].label);
		if (v->dump_cmd == VMFENCE_CMD_BRIDGE_GET &&
		    d.br[i].unbound != dv->unbound)
			finding_msg(F_STATE, msg, len, "bridge dump: %s: unbound %d, model %d",
				    dv->name, d.br[i].unbound, dv->unbound);
	}
	for (i = 0; i < m->ndev; i++) {
		if (!model_dev_known(m, &m->dev[i]))
			continue;
		want += v->dump_cmd == VMFENCE_CMD_BRIDGE_GET ?
			m->dev[i].unbound != 0 : m->dev[i].b != NULL;
	}
	if (n != want)
		finding_msg(F_STATE, msg, len, "dump of %s: %d entries of known devices, the model has %d",
			    cmd_name(v->dump_cmd), n, want);
	dump_free(&d);
}

static void check_refusal(const struct verdict *v, const struct reply *r,
			  const uint8_t *msg, size_t len)
{
	if (r->err != v->err)
		finding_msg(F_ERRNO, msg, len, "refused with %s (\"%s\"), the model says %s: %s",
			    strerror(r->err), r->msg, strerror(v->err), v->why);
	if (v->vmf && r->has_msg && !vmf_text(r->msg))
		finding_msg(F_EXTACK_TEXT, msg, len, "\"%s\" does not begin with an attribute's name",
			    r->msg);
	if (r->err != v->err)
		return;
	/* The uapi's promise for APPLY; the exact offset is the model's. */
	if (v->entry_lo >= 0 &&
	    (!r->has_offs || r->offs < v->entry_lo || r->offs >= v->entry_hi))
		finding_msg(F_EXTACK_OFFS, msg, len, "APPLY refused (%s, \"%s\"): offset %s%u not inside the entry at fault [%lld, %lld)",
			    strerror(r->err), r->msg, r->has_offs ? "" : "none ",
			    r->offs, (long long)v->entry_lo,
			    (long long)v->entry_hi);
	if (v->offs >= 0 && (!r->has_offs || r->offs != v->offs))
		finding_msg(F_EXTACK_OFFS, msg, len, "refused (%s, \"%s\"): offset %s%u, the model says %lld (%s)",
			    strerror(r->err), r->msg, r->has_offs ? "" : "none ",
			    r->offs, (long long)v->offs, v->why);
	else if (v->offs < 0 && r->has_offs)
		finding_msg(F_EXTACK_OFFS, msg, len, "refused (%s, \"%s\"): offset %u, the model says none (%s)",
			    strerror(r->err), r->msg, r->offs, v->why);
}

/*
 * Compare the answer with the prediction.  Returns true when the model
 * can take the verdict's changes; false when the kernel disagreed and the
 * model must be read back.
 */
static bool check_predicted(struct ctx *c, const struct verdict *v,
			    const struct reply *r, const uint8_t *msg,
			    size_t len)
{
	bool refused = r->acked && r->err;
	bool nothing = !r->acked && !r->ndata && !r->done;

	switch (v->kind) {
	case VK_NOREPLY:
		if (!nothing) {
			finding_msg(refused ? F_VERDICT : F_PROTOCOL, msg, len,
				    "an answer (error %d, %u messages) where none is due: %s",
				    r->err, r->ndata, v->why);
			return false;
		}
		return true;
	case VK_ERR:
		if (!refused) {
			finding_msg(F_VERDICT, msg, len, "%s accepted, the model refuses it with %s: %s",
				    cmd_name(v->cmd), strerror(v->err), v->why);
			return false;
		}
		check_refusal(v, r, msg, len);
		if (r->ndata)
			finding_msg(F_PROTOCOL, msg, len, "data messages before an error");
		return true;
	case VK_OK:
		if (refused) {
			finding_msg(F_VERDICT, msg, len, "%s refused with %s (\"%s\"), the model accepts it",
				    cmd_name(v->cmd), strerror(r->err), r->msg);
			return false;
		}
		if (v->ack != r->acked)
			finding_msg(F_PROTOCOL, msg, len, "%s: %s", cmd_name(v->cmd),
				    v->ack ? "no ACK" : "an ACK not asked for");
		check_reply_data(c, v, r, msg, len);
		return true;
	case VK_DUMP:
		if (refused) {
			finding_msg(F_VERDICT, msg, len, "dump refused with %s (\"%s\"), the model accepts it",
				    strerror(r->err), r->msg);
			return true;
		}
		check_dump_reply(c, v, r, msg, len);
		return true;
	default:
		return false;
	}
}

/* After a mutating command: read back what it touched. */
static void readback(struct ctx *c, const struct verdict *v,
		     const struct named *nm)
{
	int i;

	if (v->nch > 4 || v->replace) {
		if (!c->m.shared)
			sync_dump(c, F_STATE, NULL, now() + 10);
		else
			sync_own(c, F_STATE, NULL);
		return;
	}
	for (i = 0; i < v->nch; i++)
		sync_dev(c, F_STATE, NULL, v->ch[i].dev);
	for (i = 0; i < nm->n && i < 4; i++)
		sync_dev(c, F_STATE, NULL, nm->dev[i]);
}

/* Not predicted: whatever it changed, it must have named. */
static void check_blind(struct ctx *c, const struct reply *r,
			const struct named *nm)
{
	bool refused = r->acked && r->err;

	if (r->done) {
		struct dump d;
		const struct nlmsghdr *h = (const struct nlmsghdr *)c->msg.p;
		const struct genlmsghdr *g = nlmsg_data(h);

		/* Its messages must still be well formed. */
		if (!dump_parse(g->cmd, c->s.family, r, &d))
			dump_free(&d);
		return;
	}
	if (refused && !one_in(4))
		return;
	if (c->m.shared)
		sync_own(c, F_UNTOUCHED, refused ? NULL : nm);
	else
		sync_dump(c, F_UNTOUCHED, refused ? NULL : nm, now() + 10);
}

static int msg_cmd(const struct buf *b)
{
	return b->len >= NLMSG_HDRLEN + GENL_HDRLEN ?
	       ((const struct genlmsghdr *)(b->p + NLMSG_HDRLEN))->cmd : 0;
}

/*
 * Send c->msg and judge the answer.  @trusted: ours by construction (the
 * epoch APPLY, the bind documents), sent whatever it names.
 */
static void exec_one(struct ctx *c, bool mutated, bool trusted)
{
	struct named nm;
	struct verdict v = { 0 };
	struct reply r;
	bool blind;
	int cmd = msg_cmd(&c->msg);

	/*
	 * Nothing that could touch another writer's devices; what names a
	 * device that may come and go is sent, and judged blind.
	 */
	model_scan_named(&c->m, c->msg.p, c->msg.len, &nm);
	if (!trusted && c->m.shared && nm.foreign) {
		cnt.skipped++;
		named_free(&nm);
		return;
	}
	blind = nm.unknown || (mutated && opt_blind);
	if (!blind) {
		model_eval(&c->m, c->msg.p, c->msg.len, c->s.family, &v);
		blind = v.kind == VK_UNKNOWN;
	}
	cnt.per_cmd[cmd > 0 && cmd <= VMFENCE_CMD_APPLY ? cmd : 0]++;
	fz_txrx(&c->s, c->msg.p, c->msg.len, is_dump(c->msg.p, c->msg.len), &r);
	if (r.send_err) {
		cnt.sendfail++;
		finding_msg(F_PROTOCOL, c->msg.p, c->msg.len > 256 ? 256 : c->msg.len,
			    "sendmsg() of %zu bytes failed: %s", c->msg.len,
			    strerror(-r.send_err));
		goto out;
	}
	check_common(c->msg.p, c->msg.len, &r);
	count_outcome(&r);
	if (blind) {
		cnt.blind++;
		check_blind(c, &r, &nm);
	} else {
		cnt.predicted++;
		if (!check_predicted(c, &v, &r, c->msg.p, c->msg.len)) {
			/* The kernel disagreed: take its state. */
			if (c->m.shared)
				sync_own(c, F_STATE, NULL);
			else
				sync_dump(c, F_STATE, &nm, now() + 10);
		} else {
			model_commit(&c->m, &v);
			if ((v.nch || (v.kind == VK_ERR && nm.n)) && one_in(2))
				readback(c, &v, &nm);
		}
	}
out:
	reply_free(&r);
	verdict_free(&v);
	named_free(&nm);
}

static int ctx_open(struct ctx *c, const char *own)
{
	memset(c, 0, sizeof(*c));
	if (model_load_devices(&c->m, own, opt_epoch, opt_shared,
			       opt_volatile) < 0) {
		fprintf(stderr, "vmfence-nlfuzz: cannot list the devices (RTM_GETLINK)\n");
		return -1;
	}
	if (fz_open(&c->s, 0)) {
		fprintf(stderr, "vmfence-nlfuzz: no generic netlink family \"%s\" (module loaded?)\n",
			VMFENCE_GENL_NAME);
		return -1;
	}
	c->g.m = &c->m;
	c->g.family = c->s.family;
	c->g.shared = opt_shared;
	c->g.huge_ok = !opt_shared;
	c->g.bridge = -1;
	if (opt_bridge) {
		struct mdev *d = model_dev_by_name(&c->m, opt_bridge);

		if (d)
			c->g.bridge = d - c->m.dev;
	}
	return 0;
}

/* The whole configuration, parsed and matched against the model. */
static void final_check(struct ctx *c)
{
	struct dump d;

	if (sync_dump(c, F_FINAL, NULL, now() + 30))
		finding(F_FINAL, "no dump came back consistent within 30 s");
	if (!consistent_dump(c, VMFENCE_CMD_STATS_GET, &d, now() + 30))
		dump_free(&d);
}

static int run_fuzz(void)
{
	double next_full;
	struct ctx c;
	unsigned long i;

	if (ctx_open(&c, opt_devices))
		return 2;
	if (!c.m.nown) {
		fprintf(stderr, "vmfence-nlfuzz: no device named %s*\n",
			opt_devices);
		return 2;
	}
	/* Start from what is in force. */
	if (sync_dump(&c, F_STATE, &anything,
		      now() + 30)) {
		fprintf(stderr, "vmfence-nlfuzz: no consistent dump to start from\n");
		return 2;
	}
	c.deadline = now() + opt_seconds;
	next_full = now();
	for (i = 1; now() < c.deadline; i++) {
		bool mutated = false;

		if (c.m.nepoch && i % opt_epoch_every == 0) {
			gen_epoch(&c.g, fz_next_seq(&c.s), &c.msg);
			exec_one(&c, false, true);
			continue;
		}
		gen_request(&c.g, fz_next_seq(&c.s), &c.msg);
		cnt.generated++;
		if (one_in(3) && c.msg.len < 64 << 10) {
			mutate(&c.msg);
			cnt.mutated++;
			mutated = true;
		}
		exec_one(&c, mutated, false);
		if (i % 64)
			continue;
		/*
		 * Compare with the kernel: our devices one by one, and now
		 * and then all of them, at most a fifth of the time (a dump
		 * of thousands of ports is slow on a debug kernel).
		 */
		if (c.m.shared || now() < next_full) {
			sync_own(&c, F_STATE, NULL);
		} else {
			double t = now();

			sync_dump(&c, F_STATE, NULL, t + 10);
			next_full = now() + 4 * (now() - t);
		}
	}
	final_check(&c);
	fz_close(&c.s);
	return 0;
}

static int cmp_ifindex(const void *a, const void *b, void *m)
{
	const struct model *mo = m;

	return mo->dev[*(const int *)a].ifindex - mo->dev[*(const int *)b].ifindex;
}

static int run_bind(void)
{
	static const struct { enum bulk_kind kind; int round; } docs[] = {
		{ BULK_GOOD, 0 }, { BULK_BAD_LAST, 1 }, { BULK_STALE_MIDDLE, 1 },
		{ BULK_GOOD, 0 }, { BULK_TOO_MANY, 0 },
	};
	struct ctx c;
	double t;
	size_t i;

	opt_shared = true;
	if (ctx_open(&c, opt_devices))
		return 2;
	if (!c.m.nown) {
		fprintf(stderr, "vmfence-nlfuzz: no device named %s*\n",
			opt_devices);
		return 2;
	}
	qsort_r(c.m.own, c.m.nown, sizeof(int), cmp_ifindex, &c.m);
	if (sync_dump(&c, F_STATE, &anything,
		      now() + 30))
		return 2;
	for (i = 0; i < ARRAY_LEN(docs); i++) {
		gen_bulk_apply(&c.g, fz_next_seq(&c.s), c.m.own, c.m.nown,
			       docs[i].kind, docs[i].round, &c.msg);
		cnt.huge++;
		t = now();
		exec_one(&c, false, true);
		printf("nlfuzz: bind: document %zu (%zu bytes, %s) in %.3f s\n",
		       i, c.msg.len, docs[i].kind == BULK_GOOD ? "good" :
		       docs[i].kind == BULK_BAD_LAST ? "bad last entry" :
		       docs[i].kind == BULK_STALE_MIDDLE ? "stale middle entry" :
		       "too many entries", now() - t);
		if (sync_dump(&c, F_STATE, NULL, now() + 30))
			finding(F_DUMP, "no consistent dump after document %zu", i);
	}
	t = now();
	final_check(&c);
	printf("nlfuzz: bind: %d bindings, final dumps in %.3f s\n", c.m.nbound,
	       now() - t);
	fz_close(&c.s);
	return 0;
}

/* APPLY --replace of an empty document: nothing is left. */
static int run_clear(void)
{
	struct nl_msg *m;
	struct nlmsghdr *h;
	struct ctx c;
	int i;

	opt_shared = false;
	if (ctx_open(&c, opt_devices))
		return 2;
	if (sync_dump(&c, F_STATE, &anything,
		      now() + 30))
		return 2;
	m = nlmsg_alloc();
	genlmsg_put(m, NL_AUTO_PORT, fz_next_seq(&c.s), c.s.family, 0,
		    NLM_F_REQUEST | NLM_F_ACK, VMFENCE_CMD_APPLY,
		    VMFENCE_GENL_VERSION);
	nla_put_u32(m, VMFENCE_A_APPLY_FLAGS, VMFENCE_APPLY_F_REPLACE);
	h = nlmsg_hdr(m);
	c.msg.len = 0;
	buf_add(&c.msg, h, h->nlmsg_len);
	nlmsg_free(m);
	printf("nlfuzz: clear: %d bindings before\n", c.m.nbound);
	exec_one(&c, false, true);
	final_check(&c);
	for (i = 0; i < c.m.ndev; i++)
		if (c.m.dev[i].b || c.m.dev[i].unbound)
			finding(F_FINAL, "after APPLY --replace of nothing: %s still has a %s",
				c.m.dev[i].name, c.m.dev[i].b ? "binding" : "setting");
	fz_close(&c.s);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Consistency of one dump that was not flagged: see the file header. */
static void dump_consistency(const struct dump *d, const char *const epoch[2])
{
	const char *label[2] = { NULL, NULL };
	const char **names = calloc(d->n + 1, sizeof(*names));
	int i, k, n = 0;

	for (i = 0; i < d->n; i++) {
		const char *name = d->cmd == VMFENCE_CMD_PORT_GET ? d->p[i].name :
				   d->cmd == VMFENCE_CMD_STATS_GET ? d->s[i].name :
				   d->br[i].name;

		if (d->cmd == VMFENCE_CMD_STATS_GET && d->s[i].totals)
			continue;
		names[n++] = name;
		for (k = 0; k < 2 && d->cmd != VMFENCE_CMD_BRIDGE_GET; k++)
			if (epoch[k] && !strcmp(name, epoch[k]))
				label[k] = d->cmd == VMFENCE_CMD_PORT_GET ?
					   d->p[i].b.label : d->s[i].label;
	}
	/* A rename during the dump flags it: unflagged, names are unique. */
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 1; i < n; i++)
		if (!strcmp(names[i], names[i - 1]))
			finding(F_DUMP, "dump of %s not flagged NLM_F_DUMP_INTR lists %s twice",
				cmd_name(d->cmd), names[i]);
	free(names);
	if (!epoch[0] || !epoch[1] || d->cmd == VMFENCE_CMD_BRIDGE_GET)
		return;
	if (!label[0] != !label[1])
		finding(F_DUMP, "dump not flagged NLM_F_DUMP_INTR shows %s bound and %s not, which one APPLY binds together",
			label[0] ? epoch[0] : epoch[1], label[0] ? epoch[1] : epoch[0]);
	else if (label[0] && strcmp(label[0], label[1]))
		finding(F_DUMP, "dump not flagged NLM_F_DUMP_INTR shows %s \"%s\" and %s \"%s\", which one APPLY sets together",
			epoch[0], label[0], epoch[1], label[1]);
}

/*
 * Send requests given in hex (a finding's "message"), with our family's
 * id and a fresh seq put in, and print what the kernel and the model say.
 */
static int run_send(char **hex, int n)
{
	static const char *const kinds[] = { "accepted", "refused", "no answer",
					     "a dump", "not predictable" };
	struct verdict v = { 0 };
	struct ctx c;
	int i;

	if (ctx_open(&c, opt_devices) ||
	    sync_dump(&c, F_STATE, &anything,
		      now() + 30))
		return 2;
	for (i = 0; i < n; i++) {
		struct nlmsghdr *h;
		struct reply r;
		size_t k, len = strlen(hex[i]) / 2;

		c.msg.len = 0;
		buf_reserve(&c.msg, len + 16);
		for (k = 0; k < len; k++)
			if (sscanf(hex[i] + 2 * k, "%2hhx", &c.msg.p[k]) != 1)
				break;
		len = k;
		c.msg.len = len;
		if (len >= NLMSG_HDRLEN) {
			h = (struct nlmsghdr *)c.msg.p;
			h->nlmsg_type = c.s.family;
			h->nlmsg_seq = fz_next_seq(&c.s);
		}
		model_eval(&c.m, c.msg.p, c.msg.len, c.s.family, &v);
		printf("model: %s", kinds[v.kind]);
		if (v.kind == VK_ERR)
			printf(" with %s, offset %lld", strerror(v.err),
			       (long long)v.offs);
		printf(" (%s)\n", v.why ? v.why : "-");
		fz_txrx(&c.s, c.msg.p, c.msg.len, is_dump(c.msg.p, c.msg.len), &r);
		if (r.send_err)
			printf("kernel: sendmsg: %s\n", strerror(-r.send_err));
		else if (r.acked && r.err)
			printf("kernel: refused with %s, \"%s\", offset %s%u\n",
			       strerror(r.err), r.msg, r.has_offs ? "" : "none ",
			       r.offs);
		else
			printf("kernel: %s, %u data messages%s\n",
			       r.acked ? "acknowledged" : r.done ? "dump done" :
			       "no answer", r.ndata, r.intr ? ", interrupted" : "");
		reply_free(&r);
		verdict_free(&v);
	}
	fz_close(&c.s);
	return 0;
}

static int run_dump(void)
{
	static const int cmds[] = { VMFENCE_CMD_PORT_GET, VMFENCE_CMD_PORT_GET,
				    VMFENCE_CMD_STATS_GET,
				    VMFENCE_CMD_BRIDGE_GET };
	const char *epoch[2] = { NULL, NULL };
	char ebuf[64] = "";
	struct fz_sock s;
	double deadline;

	if (opt_epoch) {
		char *comma;

		snprintf(ebuf, sizeof(ebuf), "%s", opt_epoch);
		comma = strchr(ebuf, ',');
		if (comma) {
			*comma = 0;
			epoch[0] = ebuf;
			epoch[1] = comma + 1;
		}
	}
	if (fz_open(&s, 0))
		return 2;
	deadline = now() + opt_seconds;
	while (now() < deadline) {
		int cmd = cmds[rnd_below(ARRAY_LEN(cmds))];
		struct reply r;
		struct dump d;

		fz_dump(&s, cmd, &r);
		cnt.dumps++;
		if (!r.send_err && !dump_parse(cmd, s.family, &r, &d)) {
			if (d.intr) {
				cnt.dumps_intr++;
			} else {
				cnt.dumps_ok++;
				dump_consistency(&d, epoch);
			}
			dump_free(&d);
		}
		if (r.stray)
			finding(F_PROTOCOL, "dump: %u messages for another seq",
				r.stray);
		reply_free(&r);
	}
	fz_close(&s);
	return 0;
}

/*
 * A second dump asked for while the first still runs: the af_netlink core
 * refuses it with a bare EBUSY.  If the first one had already ended (a
 * short dump is done in its first part), the second one runs instead.
 */
static void second_dump(struct fz_sock *s, struct nlmsghdr *h)
{
	struct reply r;
	int k;

	h->nlmsg_seq = fz_next_seq(s);
	if (nl_sendto(s->sk, h, h->nlmsg_len) < 0)
		return;
	cnt.sent++;
	memset(&r, 0, sizeof(r));
	for (k = 0; k < 1000 && !r.acked && !r.done; k++) {
		struct reply part;

		if (fz_recv_once_into(s, h->nlmsg_seq, 2000, &part) <= 0) {
			finding(F_PROTOCOL, "a second dump on a socket with one running: no answer");
			return;
		}
		r.acked |= part.acked;
		r.done |= part.done;
		if (part.acked)
			r.err = part.err;
		reply_free(&part);
	}
	if (r.acked && r.err == EBUSY)
		cnt.ebusy++;
	else if (r.acked)
		finding(F_PROTOCOL, "a second dump on a socket with one running: error %d, expected EBUSY",
			r.err);
}

/* Start a dump, read a little of it, close the socket. */
static void abandon_one(int family)
{
	static const int cmds[] = { VMFENCE_CMD_PORT_GET, VMFENCE_CMD_PORT_GET,
				    VMFENCE_CMD_PORT_GET, VMFENCE_CMD_PORT_GET,
				    VMFENCE_CMD_PORT_GET, VMFENCE_CMD_STATS_GET,
				    VMFENCE_CMD_STATS_GET, VMFENCE_CMD_STATS_GET,
				    VMFENCE_CMD_STATS_GET, VMFENCE_CMD_BRIDGE_GET };
	struct fz_sock s;
	struct nl_msg *m;
	struct nlmsghdr *h;
	int k, reads = one_in(4) ? 1 + rnd_below(4) : 1;

	if (fz_open(&s, family))
		return;
	m = nlmsg_alloc();
	genlmsg_put(m, NL_AUTO_PORT, fz_next_seq(&s), family, 0,
		    NLM_F_REQUEST | NLM_F_DUMP, cmds[rnd_below(ARRAY_LEN(cmds))],
		    VMFENCE_GENL_VERSION);
	h = nlmsg_hdr(m);
	if (nl_sendto(s.sk, h, h->nlmsg_len) < 0) {
		finding(F_PROTOCOL, "abandon: sendmsg failed");
		goto out;
	}
	cnt.sent++;
	/*
	 * The first part is there when sendmsg() returns; later ones come
	 * with each recvmsg(), until the whole dump (a short one fits in
	 * the first) is done.
	 */
	for (k = 0; k < reads; k++) {
		struct reply r;
		int n = fz_recv_once_into(&s, s.seq, 2000, &r);
		bool done = r.done || r.acked;

		reply_free(&r);
		if (n <= 0) {
			finding(F_PROTOCOL, "abandon: part %d of a dump of %s did not come",
				k + 1, cmd_name(((struct genlmsghdr *)nlmsg_data(h))->cmd));
			break;
		}
		if (done)
			break;
	}
	if (one_in(8))
		second_dump(&s, h);
	cnt.abandoned++;
out:
	nlmsg_free(m);
	fz_close(&s);
}

static int run_abandon(void)
{
	struct fz_sock s;
	double deadline;
	int family;

	if (fz_open(&s, 0))
		return 2;
	family = s.family;
	fz_close(&s);
	deadline = now() + opt_seconds;
	while (now() < deadline)
		abandon_one(family);
	return 0;
}

static void summary(const char *mode, double secs)
{
	int i;

	printf("nlfuzz: tag=%s mode=%s seed=%llu seconds=%.1f sent=%lu accepted=%lu refused=%lu noreply=%lu predicted=%lu blind=%lu skipped=%lu generated=%lu mutated=%lu core_noextack=%lu dumps=%lu dumps_ok=%lu dumps_intr=%lu dump_retries=%lu abandoned=%lu ebusy=%lu readbacks=%lu resyncs=%lu huge=%lu findings=%lu\n",
	       opt_tag, mode, (unsigned long long)opt_seed, secs, cnt.sent,
	       cnt.accepted, cnt.refused, cnt.noreply, cnt.predicted,
	       cnt.blind, cnt.skipped, cnt.generated, cnt.mutated,
	       cnt.core_noextack, cnt.dumps, cnt.dumps_ok, cnt.dumps_intr,
	       cnt.dump_retries, cnt.abandoned, cnt.ebusy, cnt.readbacks,
	       cnt.resyncs, cnt.huge, findings_total());
	printf("nlfuzz: tag=%s commands", opt_tag);
	for (i = 0; i <= VMFENCE_CMD_MAX; i++)
		if (cnt.per_cmd[i])
			printf(" %s=%lu", cmd_name(i), cnt.per_cmd[i]);
	printf("\nnlfuzz: tag=%s findings", opt_tag);
	for (i = 0; i < F_NCAT; i++)
		printf(" %s=%lu", finding_names[i], nfound[i]);
	printf("\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: vmfence-nlfuzz [fuzz|bind|clear|dump|abandon|send HEX...] [--seconds S] [--seed N]\n"
		"       [--devices PREFIX] [--bridge NAME] [--shared] [--blind]\n"
		"       [--epoch DEV1,DEV2] [--epoch-every N] [--volatile PREFIX] [--tag NAME]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "devices", required_argument, NULL, 'd' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "shared", no_argument, NULL, 'S' },
		{ "blind", no_argument, NULL, 'B' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "epoch-every", required_argument, NULL, 'E' },
		{ "volatile", required_argument, NULL, 'v' },
		{ "tag", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = "fuzz";
	double t0 = now();
	int c, rc;

	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt_seconds = atof(optarg);
			break;
		case 'r':
			opt_seed = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			opt_devices = optarg;
			break;
		case 'b':
			opt_bridge = optarg;
			break;
		case 'S':
			opt_shared = true;
			break;
		case 'B':
			opt_blind = true;
			break;
		case 'e':
			opt_epoch = optarg;
			break;
		case 'E':
			opt_epoch_every = atoi(optarg) > 0 ? atoi(optarg) : 16;
			break;
		case 'v':
			opt_volatile = optarg;
			break;
		case 't':
			opt_tag = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		mode = argv[optind++];
	if (optind < argc && strcmp(mode, "send"))
		usage();
	rnd_seed(opt_seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "fuzz"))
		rc = run_fuzz();
	else if (!strcmp(mode, "bind"))
		rc = run_bind();
	else if (!strcmp(mode, "clear"))
		rc = run_clear();
	else if (!strcmp(mode, "send"))
		return run_send(argv + optind, argc - optind);
	else if (!strcmp(mode, "dump"))
		rc = run_dump();
	else if (!strcmp(mode, "abandon"))
		rc = run_abandon();
	else
		usage();
	if (rc)
		return rc;
	summary(mode, now() - t0);
	return findings_total() ? 1 : 0;
}
