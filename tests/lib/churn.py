#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""churn.py: configuration churn under traffic, for tests/cases/88-churn-*.sh
(tests/lib/churn.sh).
Speaks the vmfence family through tests/lib/genl.py (imported, unchanged).

The address plan.  Every traffic port has a number P (1..99) and a class
C (1..6); the frames injected into port P carry UDP source port
C * 10000 + P, so that a receiver knows which port sent a frame, whatever
its addresses, and the pktgen magic (0xbe9be955) first in the UDP payload.
What some binding of port P may ever allow (the "ever-allowed" pool):

    MAC   02:00:00:00:PP:01, 02:00:00:00:PP:02
    IPv4  10.P.1.0/24
    IPv6  2001:db8:P:1::/64            (P in hex in the third group)

Every binding this file makes for port P lies inside that pool.  Traffic
also carries sources no binding of P ever allows ("never-allowed"):
MACs 02:00:00:00:PP:00 and :03, 10.P.0.0/24 and 10.P.2.0/24 (either side
of the pool), 2001:db8:P:2::/64, and other ports' pools.  A frame from
port P (by its UDP source port) is "allowed" iff its source MAC and its
source address are both in P's pool: anything else reaching a receiver
from an enforced port is a forbidden frame delivered.

Subcommands (each prints or writes what it saw; see the functions):
  sink --status FILE --samples FILE SPEC...
      In the receivers' namespace: one AF_PACKET socket per SPEC
      NAME=CLASS:allowed|forbidden|any[:read], each with a classic BPF
      filter that accepts only that class's frames of that kind (the
      kernel counts them: PACKET_STATISTICS); ":read" sockets are read
      and their frames kept as samples.  On SIGUSR1 (and SIGTERM) writes
      FILE: "seq N", then "NAME COUNT" lines.
  churn --seconds S --ports IF=P,... [--flip IF=P,...] [--mix OP=W,...] ...
      Random configuration changes, batched, until S seconds have passed:
      PORT_SET with varying address sets, PORT_ADDR_ADD/DEL, APPLY
      documents (some with REPLACE), PORT_DEL + PORT_SET, STATS_RESET,
      BRIDGE_SET, mode flips of the --flip ports.  Only ever-allowed
      bindings; the --drop-bridges stay "drop".  Errors the operation may
      legitimately meet (EEXIST, ENOENT, ESTALE ...; ENODEV with
      --volatile) are counted; any other is "unexpected".  Survives the
      module going away and coming back (--reload).  Writes a JSON summary.
  model --seconds S --ports IF=P,... --expect-out FILE
      One process alone: random changes as churn makes, each result
      checked against a model of the kernel's semantics, the whole table
      compared with a PORT_GET dump every so often and at the end; writes
      the final expected "port show" entries to FILE (for ports_diff of
      tests/lib.sh).
  reader --seconds S --ports IF=P,... [--flip ...] [--trusted IF,...]
      Dumps (PORT_GET, STATS_GET, BRIDGE_GET), debugfs and sysfs reads in
      a loop: every binding listed must lie in its port's pool, no port
      listed twice, counters below 2^60, drop bridges "drop".
  send --port NS:IF:P:C:KIND:DSTMAC ... [--fps N] [--seconds S]
      AF_PACKET sender for ports whose devices come and go: sends from IF
      in namespace NS (a veth whose peer is the bridge port) frames of
      port P, class C, KIND "mixed" (allowed and never-allowed sources)
      or "allowed"; when the device disappears it keeps trying to open it
      again (a recreated device of the same name is used as soon as it
      exists).  Stops at SIGTERM or after S seconds; writes a summary.
  doc --ports IF=P,... [...]    print an APPLY document (vmfencectl apply)
  sums STATS BRIDGES            "vmfencectl -j stats" and "-j bridge show"
                                output: do the ports' and bridges' counters
                                add up to the totals, reason by reason?
  summary, get                  shell-friendly extracts of the summaries
  query NS ports|bridge-drops BR|links   (see query_main)
  nsmove --dev IF --other NS ...  APPLY racing a namespace move (see
                                nsmove_main)
  serve                         the above from one process (Python starts
                                slowly under TCG): commands on stdin, one a
                                line (shell words), each answered by lines
                                "=<TAB>VALUE" or "!<TAB>ERROR" and a line ".":
                                  spawn NAME NS LOG SUBCOMMAND ARGS...
                                    fork, enter namespace NS ("-": stay),
                                    output to LOG; prints the pid
                                  wait NAME... [--timeout S]  exit statuses
                                  kill NAME SIGNAL
                                  run SUBCOMMAND ARGS...  in this process
                                Children die with the server.
"""

import argparse
import bisect
import contextlib
import ctypes
import errno
import io
import json
import os
import random
import select
import shlex
import signal
import socket
import struct
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402  (tests/lib/genl.py)
from genl import nla, nest, parse_attrs  # noqa: E402

# uapi/linux/vmfence.h, beyond what genl.py names
CMD_PORT_SET = 1
CMD_PORT_DEL = 2
CMD_PORT_GET = 3
CMD_ADDR_ADD = 4
CMD_ADDR_DEL = 5
CMD_STATS_GET = 6
CMD_STATS_RESET = 7
CMD_BRIDGE_SET = 8
CMD_BRIDGE_GET = 9
CMD_APPLY = 10
A_PORT = 1
A_STATS = 2
A_BRIDGE = 3
A_APPLY_FLAGS = 4
P_IFINDEX, P_IFNAME, P_MAC, P_MODE, P_LABEL, P_SEQ, P_ADDRS = 1, 2, 3, 4, 5, 6, 7
P_FLAGS, P_ETHERTYPES = 9, 10
ADDRS_ADDR = 1
ADDR_IN, ADDR_IN6, ADDR_PLEN = 1, 2, 3
ET_TYPE = 1
S_PASSED, S_DROPS = 1, 2
B_IFINDEX, B_IFNAME, B_UNBOUND, B_UNBOUND_DROPS = 1, 2, 3, 4
MODE_ENFORCE, MODE_TRUSTED = 1, 2
UNBOUND_PASS, UNBOUND_DROP = 1, 2
F_MULTICAST = 1
APPLY_F_REPLACE = 1
ADDRS_MAX = 256

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR = 2
NLMSG_DONE = 3

MAGIC = 0xBE9BE955
EVER_MACS = (1, 2)
COUNTER_LIMIT = 1 << 60


# --- the address plan ---------------------------------------------------------

def mac_str(p, m):
    return "02:00:00:00:%02x:%02x" % (p, m)


def mac_bytes(p, m):
    return bytes([2, 0, 0, 0, p, m])


# An address or prefix is a tuple (4 or 6, packed address, prefix length),
# host bits beyond the prefix length clear.

def pool4(p):
    return (4, bytes([10, p, 1, 0]), 24)


def v6base(p, sub=1):
    return struct.pack("!HHHH", 0x2001, 0x0DB8, p, sub)


def pool6(p):
    return (6, v6base(p) + bytes(8), 64)


def in_pool(p, n):
    """n lies inside port p's ever-allowed pool."""
    ver, a, plen = n
    if ver == 4:
        return a[:3] == bytes([10, p, 1]) and 24 <= plen <= 32
    return a[:8] == v6base(p) and 64 <= plen <= 128


def net_str(n):
    ver, a, plen = n
    txt = socket.inet_ntop(socket.AF_INET if ver == 4 else socket.AF_INET6, a)
    return txt if plen == (32 if ver == 4 else 128) else "%s/%d" % (txt, plen)


def net_parse(txt):
    addr, _, plen = txt.partition("/")
    if ":" in addr:
        return (6, socket.inet_pton(socket.AF_INET6, addr), int(plen) if plen else 128)
    return (4, socket.inet_pton(socket.AF_INET, addr), int(plen) if plen else 32)


def random_net(rng, p):
    """One address or prefix inside p's pool."""
    r = rng.random()
    if r < 0.45:
        return (4, bytes([10, p, 1, rng.randrange(256)]), 32)
    if r < 0.65:
        plen = rng.choice((24, 25, 26, 27, 28, 30, 31))
        size = 1 << (32 - plen)
        return (4, bytes([10, p, 1, rng.randrange(256 // size) * size]), plen)
    if r < 0.85:
        return (6, v6base(p) + bytes(7) + bytes([rng.randrange(1, 17)]), 128)
    plen = rng.choice((64, 96, 112, 120, 124, 126, 127))
    last = 0
    if plen > 124:
        size = 1 << (128 - plen)
        last = rng.randrange(16 // size) * size
    return (6, v6base(p) + bytes(7) + bytes([last]), plen)


def random_binding(rng, p, mode=MODE_ENFORCE):
    addrs = set()
    for _ in range(rng.choice((0, 1, 2, 3, 4, 6, 10, 16))):
        addrs.add(random_net(rng, p))
    if rng.random() < 0.3:
        addrs.add(pool4(p))		# the whole pool: frames pass
    if rng.random() < 0.3:
        addrs.add(pool6(p))
    ets = []
    if rng.random() < 0.2:
        ets = rng.sample((0x88CC, 0x8809, 0x88B5, 0x9000), rng.randint(1, 3))
    return {
        "mac": mac_str(p, rng.choice(EVER_MACS)),
        "mode": mode,
        "label": rng.choice(("", "vm-%d" % p, "churn %d \u00e9" % rng.randrange(1000))),
        "multicast": rng.random() < 0.25,
        "ethertypes": ets,
        "addrs": sorted(addrs),
    }


# --- netlink encoding -----------------------------------------------------------

def addr_nest(n):
    ver, a, plen = n
    return nest(ADDRS_ADDR, nla(ADDR_IN if ver == 4 else ADDR_IN6, a),
                nla(ADDR_PLEN, bytes([plen])))


def port_nest(ifname, b, seq=None):
    return nest(A_PORT, port_inner(ifname, b, seq))


def port_inner(ifname, b, seq=None):
    """The attributes of a PORT_SET's port nest (without the nest)."""
    attrs = [nla(P_IFNAME, ifname.encode() + b"\0"),
             nla(P_MAC, bytes.fromhex(b["mac"].replace(":", "")))]
    if b["mode"] != MODE_ENFORCE or random.random() < 0.5:
        attrs.append(nla(P_MODE, bytes([b["mode"]])))
    if b["label"]:
        attrs.append(nla(P_LABEL, b["label"].encode() + b"\0"))
    if seq is not None:
        attrs.append(nla(P_SEQ, struct.pack("=Q", seq)))
    if b["addrs"]:
        attrs.append(nest(P_ADDRS, *[addr_nest(n) for n in b["addrs"]]))
    if b["multicast"]:
        attrs.append(nla(P_FLAGS, struct.pack("=I", F_MULTICAST)))
    if b["ethertypes"]:
        attrs.append(nest(P_ETHERTYPES, *[nla(ET_TYPE, struct.pack("=H", t))
                                          for t in b["ethertypes"]]))
    return b"".join(attrs)


def ifname_nest(ifname, *more):
    return nest(A_PORT, nla(P_IFNAME, ifname.encode() + b"\0"), *more)


def bridge_nest(ifname, unbound):
    return nest(A_BRIDGE, nla(B_IFNAME, ifname.encode() + b"\0"),
                nla(B_UNBOUND, bytes([unbound])))


def parse_addrs(data):
    out = []
    while len(data) >= 4:
        ln, typ = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        a = parse_attrs(data[4:ln])
        plen = a[ADDR_PLEN][0] if ADDR_PLEN in a else None
        if ADDR_IN in a:
            out.append((4, a[ADDR_IN][:4], 32 if plen is None else plen))
        elif ADDR_IN6 in a:
            out.append((6, a[ADDR_IN6][:16], 128 if plen is None else plen))
        data = data[(ln + 3) & ~3:]
    return out


def parse_ethertypes(data):
    out = []
    while len(data) >= 4:
        ln, typ = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        out.append(struct.unpack_from("=H", data, 4)[0])
        data = data[(ln + 3) & ~3:]
    return out


def parse_port_msg(attrs):
    p = parse_attrs(attrs[A_PORT])
    return {
        "ifindex": struct.unpack("=I", p[P_IFINDEX][:4])[0] if P_IFINDEX in p else None,
        "ifname": p[P_IFNAME].rstrip(b"\0").decode() if P_IFNAME in p else None,
        "mac": ":".join("%02x" % c for c in p[P_MAC][:6]) if P_MAC in p else None,
        "mode": p[P_MODE][0] if P_MODE in p else None,
        "label": p[P_LABEL].rstrip(b"\0").decode(errors="replace") if P_LABEL in p else "",
        "seq": struct.unpack("=Q", p[P_SEQ][:8])[0] if P_SEQ in p else None,
        "addrs": parse_addrs(p.get(P_ADDRS, b"")),
        "multicast": bool(struct.unpack("=I", p[P_FLAGS][:4])[0] & F_MULTICAST) if P_FLAGS in p else False,
        "ethertypes": parse_ethertypes(p.get(P_ETHERTYPES, b"")),
    }


def parse_stats_msg(attrs):
    out = {"port": None}
    if A_PORT in attrs:
        p = parse_attrs(attrs[A_PORT])
        out["port"] = p[P_IFNAME].rstrip(b"\0").decode() if P_IFNAME in p else "?"
    s = parse_attrs(attrs.get(A_STATS, b""))
    out["passed"] = struct.unpack("=Q", s[S_PASSED][:8])[0] if S_PASSED in s else None
    drops = {}
    d = s.get(S_DROPS, b"")
    while len(d) >= 4:
        ln, typ = struct.unpack_from("=HH", d)
        if ln < 4:
            break
        if typ and ln >= 12:
            drops[typ & 0x3FFF] = struct.unpack_from("=Q", d, 4)[0]
        d = d[(ln + 3) & ~3:]
    out["drops"] = drops
    return out


def parse_bridge_msg(attrs):
    b = parse_attrs(attrs.get(A_BRIDGE, b""))
    return {
        "ifname": b[B_IFNAME].rstrip(b"\0").decode() if B_IFNAME in b else "?",
        "unbound": b[B_UNBOUND][0] if B_UNBOUND in b else None,
        "drops": struct.unpack("=Q", b[B_UNBOUND_DROPS][:8])[0] if B_UNBOUND_DROPS in b else None,
    }


class Away(Exception):
    """The vmfence family is not registered (module unloaded)."""


class Conn:
    """A generic-netlink socket of the vmfence family that survives the
    module going away: resolve() again when requests start failing."""

    def __init__(self, wait=0.0):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.g = genl.Genl()
                break
            except SystemExit:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
        self.s = self.g.s
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        try:
            self.s.setsockopt(socket.SOL_SOCKET, 32, 4 << 20)	# SO_SNDBUFFORCE
        except OSError:
            pass
        self.family = self.g.family

    def resolve(self):
        """The family's id now, or None if it is not registered."""
        self.g.seq += 1
        seq = self.g.seq
        self.s.send(genl.nlmsg(genl.GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq,
                               genl.CTRL_CMD_GETFAMILY,
                               nla(genl.CTRL_ATTR_FAMILY_NAME, b"vmfence\0"), version=1))
        fam = None
        while True:
            data = self.s.recv(1 << 20)
            done = False
            while len(data) >= 16:
                ln, typ, _fl, mseq, _pid = struct.unpack_from("=IHHII", data)
                if mseq == seq:
                    if typ == NLMSG_ERROR:
                        done = True
                    elif typ == genl.GENL_ID_CTRL:
                        a = parse_attrs(data[20:ln])
                        if genl.CTRL_ATTR_FAMILY_ID in a:
                            fam = struct.unpack("=H", a[genl.CTRL_ATTR_FAMILY_ID][:2])[0]
                data = data[(ln + 3) & ~3:]
            if done:
                break
        if fam is not None:
            self.family = fam
        return fam

    def transact(self, reqs):
        """reqs: list of (cmd, attrs).  Sends them in one sendmsg();
        returns the list of errno values (0: accepted)."""
        buf = b""
        first = self.g.seq + 1
        for cmd, attrs in reqs:
            self.g.seq += 1
            buf += genl.nlmsg(self.family, NLM_F_REQUEST | NLM_F_ACK, self.g.seq, cmd, attrs)
        self.s.send(buf)
        res = [None] * len(reqs)
        left = len(reqs)
        while left:
            data = self.s.recv(1 << 20)
            while len(data) >= 16:
                ln, typ, _fl, seq, _pid = struct.unpack_from("=IHHII", data)
                if typ == NLMSG_ERROR and first <= seq < first + len(reqs) and res[seq - first] is None:
                    res[seq - first] = -struct.unpack_from("=i", data, 16)[0]
                    left -= 1
                data = data[(ln + 3) & ~3:]
        return res

    def dump(self, cmd, attrs=b""):
        """A dump: (list of attribute dicts, interrupted?)."""
        self.g.seq += 1
        seq = self.g.seq
        self.s.send(genl.nlmsg(self.family, NLM_F_REQUEST | NLM_F_DUMP, seq, cmd, attrs))
        out, intr = [], False
        while True:
            data = self.s.recv(1 << 20)
            while len(data) >= 16:
                ln, typ, fl, mseq, _pid = struct.unpack_from("=IHHII", data)
                if mseq == seq:
                    if fl & NLM_F_DUMP_INTR:
                        intr = True
                    if typ == NLMSG_DONE:
                        return out, intr
                    if typ == NLMSG_ERROR:
                        err = -struct.unpack_from("=i", data, 16)[0]
                        if err:
                            raise OSError(err, os.strerror(err))
                        return out, intr
                    if typ == self.family:
                        out.append(parse_attrs(data[20:ln]))
                data = data[(ln + 3) & ~3:]


def parse_map(s):
    """'IF=P,IF=P' -> [(IF, P)]"""
    out = []
    for w in (s or "").split(","):
        if w:
            name, _, p = w.partition("=")
            out.append((name, int(p)))
    return out


def parse_mix(s):
    ops, weights = [], []
    for w in s.split(","):
        if w:
            k, _, v = w.partition("=")
            ops.append(k)
            weights.append(float(v))
    return ops, weights


def ename(e):
    return errno.errorcode.get(e, str(e))


# --- churn ---------------------------------------------------------------------

# Errors an operation may meet with nothing wrong: another process changed
# the port in between (ENOENT, EEXIST), a stale seq (ESTALE), the address
# limit (E2BIG).  --volatile (devices come and go) adds ENODEV everywhere.
EXPECTED = {
    "set": {errno.ESTALE},
    "seq": {errno.ESTALE},
    "add": {errno.EEXIST, errno.ENOENT, errno.E2BIG},
    "rm": {errno.ENOENT},
    "del": {errno.ENOENT},
    "apply": {errno.ESTALE},
    "replace": {errno.ESTALE},
    "reset": {errno.ENOENT},
    "resetall": set(),
    "bridge": set(),
    "flip": set(),
}


class Churner:
    """Random changes from pre-encoded pieces: Python is slow under TCG,
    so each port gets VARIANTS random bindings (and ADDRS random single
    addresses) encoded once, and requests are put together from them."""
    VARIANTS = 32
    ADDRS = 48

    def __init__(self, a):
        self.a = a
        self.rng = rng = random.Random(a.seed)
        random.seed(a.seed + 1)
        self.ports = parse_map(a.ports)
        self.flips = parse_map(a.flip)
        self.drop_bridges = [b for b in (a.drop_bridges or "").split(",") if b]
        self.flip_bridges = [b for b in (a.flip_bridges or "").split(",") if b]
        self.trusted = [b for b in (a.trusted or "").split(",") if b]
        self.ops, weights = parse_mix(a.mix)
        self.cum = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cum.append(acc)
        self.stats = {}
        self.unexpected = []
        self.n_unexpected = 0
        self.away_batches = 0
        self.away_time = 0.0
        self.set_v = {n: [port_inner(n, random_binding(rng, p)) for _ in range(self.VARIANTS)]
                      for n, p in self.ports}
        self.flip_v = {n: [port_inner(n, random_binding(rng, p, rng.choice((MODE_ENFORCE, MODE_TRUSTED))))
                           for _ in range(self.VARIANTS)] for n, p in self.flips}
        self.addr_v = {}
        for n, p in self.ports:
            nets = [random_net(rng, p) for _ in range(self.ADDRS - 2)] + [pool4(p), pool6(p)]
            self.addr_v[n] = [ifname_nest(n, nest(P_ADDRS, addr_nest(x))) for x in nets]
        self.trusted_v = [port_nest(t, {"mac": a.trusted_mac, "mode": MODE_TRUSTED, "label": "sink",
                                        "multicast": False, "ethertypes": [], "addrs": []})
                          for t in self.trusted]
        self.names = [n for n, _p in self.ports]
        self.doc_ports = {}	# entries of recent APPLY documents, for the count
        self.all_names = self.names + [n for n, _p in self.flips]

    def pick_op(self):
        return self.ops[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]

    def reqs_for(self, op):
        """The requests of one operation: [(cmd, attrs, op)]"""
        rng = self.rng
        if op in ("set", "seq"):
            n = rng.choice(self.names)
            inner = rng.choice(self.set_v[n])
            if op == "seq":
                inner += nla(P_SEQ, struct.pack("=Q", time.monotonic_ns()))
            return [(CMD_PORT_SET, nest(A_PORT, inner), op)]
        if op in ("add", "rm"):
            n = rng.choice(self.names)
            return [(CMD_ADDR_ADD if op == "add" else CMD_ADDR_DEL, rng.choice(self.addr_v[n]), op)]
        if op == "del":
            # A delete, then (usually) the port bound again at once.
            n = rng.choice(self.names)
            out = [(CMD_PORT_DEL, ifname_nest(n), "del")]
            if rng.random() < 0.8:
                out.append((CMD_PORT_SET, nest(A_PORT, rng.choice(self.set_v[n])), "set"))
            return out
        if op in ("apply", "replace"):
            doc, n = self.document(op == "replace")
            self.doc_ports[len(self.doc_ports) % 4096] = n
            return [(CMD_APPLY, doc, op)]
        if op == "reset":
            return [(CMD_STATS_RESET, ifname_nest(rng.choice(self.all_names)), op)]
        if op == "resetall":
            return [(CMD_STATS_RESET, b"", op)]
        if op == "bridge":
            if self.flip_bridges and rng.random() < 0.7:
                br = rng.choice(self.flip_bridges)
                return [(CMD_BRIDGE_SET, bridge_nest(br, rng.choice((UNBOUND_PASS, UNBOUND_DROP))), op)]
            if self.drop_bridges:
                return [(CMD_BRIDGE_SET, bridge_nest(rng.choice(self.drop_bridges), UNBOUND_DROP), op)]
            return []
        if op == "flip":
            if not self.flips:
                return []
            n, _p = rng.choice(self.flips)
            return [(CMD_PORT_SET, nest(A_PORT, rng.choice(self.flip_v[n])), op)]
        raise SystemExit("churn.py: unknown operation %s" % op)

    def document(self, replace):
        """An APPLY: some ports (all of them with REPLACE), the flip ports
        in a random mode, the trusted ports, the bridges."""
        rng = self.rng
        names = self.names if replace else rng.sample(self.names, rng.randint(1, len(self.names)))
        attrs = [nest(A_PORT, rng.choice(self.set_v[n])) for n in names]
        if replace or rng.random() < 0.5:
            attrs += [nest(A_PORT, rng.choice(self.flip_v[n])) for n, _p in self.flips]
            attrs += self.trusted_v
        if replace or rng.random() < 0.5:
            attrs += [bridge_nest(br, UNBOUND_DROP) for br in self.drop_bridges]
            attrs += [bridge_nest(br, rng.choice((UNBOUND_PASS, UNBOUND_DROP))) for br in self.flip_bridges]
        n = len(attrs)
        if replace:
            attrs.append(nla(A_APPLY_FLAGS, struct.pack("=I", APPLY_F_REPLACE)))
        return b"".join(attrs), n

    def stop_requested(self):
        return self.a.stop_file and os.path.exists(self.a.stop_file)

    def run(self):
        a = self.a
        os.nice(a.nice)
        conn = Conn(wait=a.wait)
        touch(a.ready)
        t0 = time.monotonic()
        deadline = t0 + a.seconds
        changes = 0
        docs = doc_entries = 0
        while time.monotonic() < deadline and not self.stop_requested():
            batch = []
            while len(batch) < a.batch:
                batch.extend(self.reqs_for(self.pick_op()))
            try:
                res = conn.transact([(c, at) for c, at, _op in batch])
            except OSError as e:
                # The family went away under our feet (or a netlink error).
                res = [e.errno or errno.EIO] * len(batch)
            bad = []
            for (_c, _at, op), err in zip(batch, res):
                if err and err not in EXPECTED[op] and not (a.volatile and err == errno.ENODEV):
                    bad.append((op, err))
            if bad and a.reload:
                # Module unloaded, or unloaded and loaded again (a new
                # family id)?  Then these errors say nothing about it.
                before = conn.family
                fam = conn.resolve()
                if fam is None:
                    self.away_batches += 1
                    ta = time.monotonic()
                    while conn.resolve() is None and time.monotonic() < deadline and not self.stop_requested():
                        time.sleep(0.02)
                    self.away_time += time.monotonic() - ta
                    continue
                if fam != before or all(e == errno.ENOENT for e in res):
                    # A new family id, or every request refused as if
                    # there were no such family: it was away meanwhile.
                    self.away_batches += 1
                    continue
            for (_c, _at, op), err in zip(batch, res):
                st = self.stats.setdefault(op, {"sent": 0, "ok": 0, "errors": {}})
                st["sent"] += 1
                if err == 0:
                    st["ok"] += 1
                    if op not in ("reset", "resetall"):
                        changes += 1
                    if op in ("apply", "replace"):
                        docs += 1
                else:
                    st["errors"][ename(err)] = st["errors"].get(ename(err), 0) + 1
            for op, err in bad:
                if len(self.unexpected) < 20:
                    self.unexpected.append("%s: %s" % (op, ename(err)))
            self.n_unexpected += len(bad)
        dt = time.monotonic() - t0
        sent = sum(s["sent"] for s in self.stats.values())
        # Entries (ports and bridges) per APPLY document, on average.
        per_doc = sum(self.doc_ports.values()) / len(self.doc_ports) if self.doc_ports else 0
        out = {
            "apply_docs": docs, "entries_per_doc": round(per_doc, 1),
            "seconds": round(dt, 2), "requests": sent, "changes": changes,
            "requests_per_s": round(sent / dt, 1) if dt else 0,
            "changes_per_s": round(changes / dt, 1) if dt else 0,
            "unexpected": self.n_unexpected, "unexpected_samples": self.unexpected,
            "away_batches": self.away_batches, "away_seconds": round(self.away_time, 2),
            "ops": self.stats,
        }
        write_json(a.out, out)
        return 0


def touch(path):
    if path:
        with open(path, "w"):
            pass


def write_json(path, obj):
    data = json.dumps(obj, sort_keys=True)
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(data + "\n")
        os.rename(tmp, path)
    else:
        print(data)


def churn_main(a):
    return Churner(a).run()


# --- model ---------------------------------------------------------------------

def norm_binding(ifname, b, seq):
    return {
        "ifname": ifname, "mac": b["mac"],
        "mode": "trusted" if b["mode"] == MODE_TRUSTED else "enforce",
        "label": b["label"], "seq": seq,
        "addrs": sorted(net_str(n) for n in b["addrs"]),
        "multicast": "allow" if b["multicast"] else "deny",
        "ethertypes": ["0x%04x" % t for t in b["ethertypes"]],
    }


def model_main(a):
    """Random operations from one process, each result predicted."""
    rng = random.Random(a.seed)
    random.seed(a.seed + 1)
    ports = parse_map(a.ports)
    conn = Conn()
    state = {}		# ifname -> (binding, seq)
    # Start from what is there (the churners' leftovers).
    msgs, _intr = conn.dump(CMD_PORT_GET)
    names = {n for n, _p in ports}
    for m in msgs:
        p = parse_port_msg(m)
        if p["ifname"] in names:
            state[p["ifname"]] = ({"mac": p["mac"], "mode": p["mode"], "label": p["label"],
                                   "multicast": p["multicast"], "ethertypes": p["ethertypes"],
                                   "addrs": p["addrs"]}, p["seq"])
    mism = []
    nops = 0
    checks = 0
    t0 = time.monotonic()
    deadline = t0 + a.seconds
    ops, weights = parse_mix(a.mix)
    while time.monotonic() < deadline:
        op = rng.choices(ops, weights)[0]
        ifname, p = rng.choice(ports)
        cur = state.get(ifname)
        if op in ("set", "seq"):
            b = random_binding(rng, p)
            seq = None
            if op == "seq":
                base = cur[1] if cur else 0
                seq = max(0, base + rng.choice((-1, 0, 1, 5)))
            req = (CMD_PORT_SET, port_nest(ifname, b, seq))
            if cur and seq is not None and seq <= cur[1]:
                want, new = errno.ESTALE, state
            else:
                want = 0
                new = dict(state)
                new[ifname] = (b, seq if seq is not None else (cur[1] if cur else 0))
        elif op in ("add", "rm"):
            n = random_net(rng, p)
            if op == "rm" and cur and cur[0]["addrs"] and rng.random() < 0.6:
                n = rng.choice(cur[0]["addrs"])
            req = ((CMD_ADDR_ADD if op == "add" else CMD_ADDR_DEL),
                   ifname_nest(ifname, nest(P_ADDRS, addr_nest(n))))
            new = state
            if not cur:
                want = errno.ENOENT
            elif op == "add":
                if len(cur[0]["addrs"]) >= ADDRS_MAX:
                    want = errno.E2BIG
                elif n in cur[0]["addrs"]:
                    want = errno.EEXIST
                else:
                    want = 0
                    b = dict(cur[0])
                    b["addrs"] = cur[0]["addrs"] + [n]
                    new = dict(state)
                    new[ifname] = (b, cur[1])
            else:
                if n not in cur[0]["addrs"]:
                    want = errno.ENOENT
                else:
                    want = 0
                    b = dict(cur[0])
                    b["addrs"] = [x for x in cur[0]["addrs"] if x != n]
                    new = dict(state)
                    new[ifname] = (b, cur[1])
        elif op == "del":
            req = (CMD_PORT_DEL, ifname_nest(ifname))
            if cur:
                want = 0
                new = dict(state)
                del new[ifname]
            else:
                want, new = errno.ENOENT, state
        elif op in ("apply", "replace"):
            chosen = ports if op == "replace" else rng.sample(ports, rng.randint(1, len(ports)))
            attrs = []
            new = {} if op == "replace" else dict(state)
            for n_, p_ in chosen:
                b = random_binding(rng, p_)
                attrs.append(port_nest(n_, b))
                old = state.get(n_)
                new[n_] = (b, old[1] if old else 0)
            for br in (a.drop_bridges or "").split(","):
                if br:
                    attrs.append(bridge_nest(br, UNBOUND_DROP))
            if op == "replace":
                attrs.append(nla(A_APPLY_FLAGS, struct.pack("=I", APPLY_F_REPLACE)))
            req = (CMD_APPLY, b"".join(attrs))
            want = 0
        elif op == "reset":
            req = (CMD_STATS_RESET, ifname_nest(ifname))
            want, new = (0 if cur else errno.ENOENT), state
        else:
            raise SystemExit("churn.py model: unknown operation %s" % op)
        got = conn.transact([req])[0]
        nops += 1
        if got != want:
            if len(mism) < 20:
                mism.append("op %d %s %s: kernel said %s, the model %s"
                            % (nops, op, ifname, ename(got) if got else "ok", ename(want) if want else "ok"))
            # Resynchronise from the kernel, so one surprise is not many.
            state = kernel_state(conn, names)
        else:
            state = new
        if nops % a.check_every == 0:
            checks += 1
            diff = compare_state(conn, names, state)
            if diff and len(mism) < 20:
                mism.append("after op %d: table differs from the model: %s" % (nops, diff))
                state = kernel_state(conn, names)
    diff = compare_state(conn, names, state)
    checks += 1
    if diff:
        mism.append("at the end: table differs from the model: %s" % diff)
    dt = time.monotonic() - t0
    expect = sorted((norm_binding(n, b, s) for n, (b, s) in state.items()), key=lambda x: x["ifname"])
    with open(a.expect_out, "w") as fh:
        json.dump(expect, fh, sort_keys=True)
    write_json(a.out, {"ops": nops, "seconds": round(dt, 2), "ops_per_s": round(nops / dt, 1),
                       "checks": checks, "mismatches": mism, "bound": len(state)})
    return 0


def kernel_state(conn, names):
    state = {}
    msgs, _ = conn.dump(CMD_PORT_GET)
    for m in msgs:
        p = parse_port_msg(m)
        if p["ifname"] in names:
            state[p["ifname"]] = ({"mac": p["mac"], "mode": p["mode"], "label": p["label"],
                                   "multicast": p["multicast"], "ethertypes": p["ethertypes"],
                                   "addrs": p["addrs"]}, p["seq"])
    return state


def compare_state(conn, names, state):
    got = kernel_state(conn, names)
    want = {n: norm_binding(n, b, s) for n, (b, s) in state.items()}
    have = {n: norm_binding(n, b, s) for n, (b, s) in got.items()}
    if want == have:
        return ""
    out = []
    for n in sorted(set(want) | set(have)):
        if want.get(n) != have.get(n):
            out.append("%s: kernel %s, model %s" % (n, json.dumps(have.get(n)), json.dumps(want.get(n))))
    return "; ".join(out)[:1500]


# --- reader --------------------------------------------------------------------

def reader_main(a):
    ports = dict(parse_map(a.ports))
    flips = dict(parse_map(a.flip))
    trusted = {t for t in (a.trusted or "").split(",") if t}
    drop_bridges = {b for b in (a.drop_bridges or "").split(",") if b}
    viol = []
    n = {"port_dumps": 0, "stats_dumps": 0, "bridge_dumps": 0, "debugfs": 0, "sysfs": 0,
         "intr": 0, "away": 0, "ports_seen": 0}
    conn = None
    os.nice(a.nice)
    touch(a.ready)
    t0 = time.monotonic()
    deadline = t0 + a.seconds

    def bad(msg):
        if len(viol) < 30:
            viol.append(msg)
        n["violations"] = n.get("violations", 0) + 1

    while time.monotonic() < deadline and not (a.stop_file and os.path.exists(a.stop_file)):
        try:
            if conn is None:
                conn = Conn()
            msgs, intr = conn.dump(CMD_PORT_GET)
            n["port_dumps"] += 1
            n["intr"] += intr
            seen = set()
            for m in msgs:
                p = parse_port_msg(m)
                n["ports_seen"] += 1
                if p["ifname"] in seen and not intr:
                    bad("port dump lists %s twice" % p["ifname"])
                seen.add(p["ifname"])
                if p["ifname"] in ports:
                    pp = ports[p["ifname"]]
                    if p["mode"] != MODE_ENFORCE:
                        bad("%s: mode %s, never set" % (p["ifname"], p["mode"]))
                elif p["ifname"] in flips:
                    pp = flips[p["ifname"]]
                elif p["ifname"] in trusted:
                    if p["mode"] != MODE_TRUSTED:
                        bad("%s: not trusted" % p["ifname"])
                    continue
                else:
                    if not a.others_ok:
                        bad("a binding nobody made: %s %s %s" % (p["ifname"], p["mac"],
                                                                 " ".join(net_str(n) for n in p["addrs"])))
                    continue
                if p["mac"] not in (mac_str(pp, 1), mac_str(pp, 2)):
                    bad("%s: MAC %s, never bound" % (p["ifname"], p["mac"]))
                for net in p["addrs"]:
                    if not in_pool(pp, net):
                        bad("%s: address %s, never bound" % (p["ifname"], net_str(net)))
            msgs, intr = conn.dump(CMD_STATS_GET)
            n["stats_dumps"] += 1
            for i, m in enumerate(msgs):
                s = parse_stats_msg(m)
                if i == 0 and s["port"] is not None:
                    bad("stats dump: the first message is not the totals")
                for k, v in [("passed", s["passed"])] + list(s["drops"].items()):
                    if v is None or v >= COUNTER_LIMIT:
                        bad("stats of %s: %s = %s" % (s["port"] or "total", k, v))
            msgs, intr = conn.dump(CMD_BRIDGE_GET)
            n["bridge_dumps"] += 1
            for m in msgs:
                b = parse_bridge_msg(m)
                if b["ifname"] in drop_bridges and b["unbound"] != UNBOUND_DROP:
                    bad("bridge %s: unbound %s, only ever set to drop" % (b["ifname"], b["unbound"]))
                if b["drops"] is None or b["drops"] >= COUNTER_LIMIT:
                    bad("bridge %s: unbound drops %s" % (b["ifname"], b["drops"]))
            if a.debugfs:
                for f in ("ports", "bridges"):
                    try:
                        with open("/sys/kernel/debug/vmfence/" + f) as fh:
                            fh.read()
                    except OSError:
                        pass
                n["debugfs"] += 1
                try:
                    for f in ("passed", "dropped", "drops/mac_spoof", "drops/unbound"):
                        with open("/sys/kernel/vmfence/" + f) as fh:
                            v = int(fh.read())
                        if v >= COUNTER_LIMIT:
                            bad("sysfs %s = %d" % (f, v))
                    n["sysfs"] += 1
                except (OSError, ValueError):
                    pass
        except (OSError, SystemExit) as e:
            # The module went away (phase 4), or its family did.
            n["away"] += 1
            conn = None
            if not a.reload:
                bad("reader: %r" % e)
                break
            time.sleep(0.05)
        if a.pause:
            time.sleep(a.pause)
    n["seconds"] = round(time.monotonic() - t0, 2)
    n["violation_samples"] = viol
    n.setdefault("violations", 0)
    write_json(a.out, n)
    return 0


# --- sink: counting receivers ----------------------------------------------------

SOL_PACKET = 263
PACKET_STATISTICS = 6
PACKET_IGNORE_OUTGOING = 23
SO_ATTACH_FILTER = 26
ETH_P_ALL = 3


class Bpf:
    """A classic BPF assembler with forward labels."""
    LD_W, LD_H, LD_B = 0x20, 0x28, 0x30
    JEQ_K, JGE_K, JGT_K, JEQ_X = 0x15, 0x35, 0x25, 0x1D
    SUB_K, TAX, RET_K = 0x14, 0x07, 0x06

    def __init__(self):
        self.insns = []		# [code, jt, jf, k]
        self.labels = {}

    def op(self, code, k=0, jt=None, jf=None):
        self.insns.append([code, jt, jf, k])

    def label(self, name):
        self.labels[name] = len(self.insns)

    def assemble(self):
        out = b""
        for i, (code, jt, jf, k) in enumerate(self.insns):
            def rel(t):
                if t is None:
                    return 0
                d = self.labels[t] - i - 1
                assert 0 <= d < 256, (t, d)
                return d
            out += struct.pack("=HBBI", code, rel(jt), rel(jf), k & 0xFFFFFFFF)
        return out


def sink_filter(cls, want):
    """Accept (256 bytes of) the frames of class cls that are allowed,
    forbidden or either (want).  See the address plan at the top."""
    f = Bpf()
    lo, hi = cls * 10000 + 1, cls * 10000 + 99
    good = 256 if want in ("allowed", "any") else 0
    badv = 256 if want in ("forbidden", "any") else 0
    f.op(f.LD_H, 12)
    f.op(f.JEQ_K, 0x0800, None, "not4")
    for fam in (4, 6):
        if fam == 6:
            f.label("not4")
            f.op(f.JEQ_K, 0x86DD, None, "reject")
        base = 14 + (20 if fam == 4 else 40)
        if fam == 4:
            f.op(f.LD_B, 14)
            f.op(f.JEQ_K, 0x45, None, "reject")
            f.op(f.LD_B, 23)
        else:
            f.op(f.LD_B, 20)
        f.op(f.JEQ_K, 17, None, "reject")
        f.op(f.LD_W, base + 8)
        f.op(f.JEQ_K, MAGIC, None, "reject")
        f.op(f.LD_H, base)		# UDP source port: class and port
        f.op(f.JGE_K, lo, None, "reject")
        f.op(f.JGT_K, hi, "reject", None)
        f.op(f.SUB_K, cls * 10000)
        f.op(f.TAX)			# X = P
        f.op(f.LD_W, 6)			# source MAC 02:00:00:00:PP:0{1,2}
        f.op(f.JEQ_K, 0x02000000, None, "bad")
        f.op(f.LD_B, 10)
        f.op(f.JEQ_X, 0, None, "bad")
        f.op(f.LD_B, 11)
        f.op(f.JEQ_K, 1, "ip%d" % fam, None)
        f.op(f.JEQ_K, 2, "ip%d" % fam, "bad")
        f.label("ip%d" % fam)
        if fam == 4:			# 10.P.1.x
            f.op(f.LD_B, 26)
            f.op(f.JEQ_K, 10, None, "bad")
            f.op(f.LD_B, 27)
            f.op(f.JEQ_X, 0, None, "bad")
            f.op(f.LD_B, 28)
            f.op(f.JEQ_K, 1, "good", "bad")
        else:				# 2001:db8:P:1::/64
            f.op(f.LD_W, 22)
            f.op(f.JEQ_K, 0x20010DB8, None, "bad")
            f.op(f.LD_H, 26)
            f.op(f.JEQ_X, 0, None, "bad")
            f.op(f.LD_H, 28)
            f.op(f.JEQ_K, 1, "good", "bad")
    f.label("good")
    f.op(f.RET_K, good)
    f.label("bad")
    f.op(f.RET_K, badv)
    f.label("reject")
    f.op(f.RET_K, 0)
    return f.assemble()


def attach_filter(s, prog):
    n = len(prog) // 8
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HL", n, ctypes.addressof(buf))
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    return buf		# keep it alive until attached (it is copied)


def describe(frame):
    if len(frame) < 14:
        return frame.hex()
    src = ":".join("%02x" % c for c in frame[6:12])
    et = struct.unpack_from("!H", frame, 12)[0]
    if et == 0x0800 and len(frame) >= 38:
        ip = socket.inet_ntop(socket.AF_INET, frame[26:30])
        sport = struct.unpack_from("!H", frame, 34)[0]
    elif et == 0x86DD and len(frame) >= 58:
        ip = socket.inet_ntop(socket.AF_INET6, frame[22:38])
        sport = struct.unpack_from("!H", frame, 54)[0]
    else:
        return "ethertype 0x%04x from %s" % (et, src)
    return "from port %d (class %d): mac %s ip %s" % (sport % 10000, sport // 10000, src, ip)


def sink_main(a):
    specs = []
    for w in a.spec:
        name, _, rest = w.partition("=")
        parts = rest.split(":")
        cls, want = int(parts[0]), parts[1]
        read = len(parts) > 2 and parts[2] == "read"
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        attach_filter(s, sink_filter(cls, want))
        # Frames queued before the filter was attached: drain them.
        s.setblocking(False)
        try:
            while True:
                s.recv(65536)
        except BlockingIOError:
            pass
        s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)	# zero the counters
        if not read:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        specs.append({"name": name, "sock": s, "read": read, "count": 0, "drops": 0, "samples": 0})
    lock = threading.Lock()
    samples = []		# the first SAMPLES frames of each read socket
    seq = [0]

    def collect():
        with lock:
            for sp in specs:
                packets, drops = struct.unpack("=II", sp["sock"].getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
                sp["count"] += packets
                sp["drops"] += drops
                # Unread sockets drop once full: that is fine, the kernel
                # counted the frames (tp_packets includes the drops).

    def status(*_args):
        collect()
        seq[0] += 1
        lines = ["seq %d" % seq[0], "time %.3f" % time.monotonic()]
        lines += ["%s %d" % (sp["name"], sp["count"]) for sp in specs]
        tmp = a.status + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.rename(tmp, a.status)

    stopping = [False]

    def term(*_args):
        stopping[0] = True

    def clear(*_args):
        del samples[:]
        for sp in specs:
            sp["samples"] = 0
        with open(a.samples, "w"):
            pass

    signal.signal(signal.SIGUSR2, clear)
    signal.signal(signal.SIGUSR1, status)
    signal.signal(signal.SIGTERM, term)
    status()
    readers = [sp for sp in specs if sp["read"]]
    while not stopping[0]:
        try:
            r, _, _ = select.select([sp["sock"] for sp in readers], [], [], 0.5)
        except InterruptedError:
            continue
        for s in r:
            sp = next(x for x in readers if x["sock"] is s)
            try:
                while True:
                    frame = s.recv(256)
                    if sp["samples"] < 20:
                        sp["samples"] += 1
                        samples.append("%.3f %s: %s" % (time.monotonic(), sp["name"], describe(frame)))
                        with open(a.samples, "w") as fh:
                            fh.write("\n".join(samples) + "\n")
            except BlockingIOError:
                pass
        if not readers:
            time.sleep(0.5)
            collect()
    status()
    return 0


# --- send: frames from devices that come and go ----------------------------------

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def udp_frame(dst_mac, src_mac, src_ip, dst_ip, sport, seq):
    payload = struct.pack("!IIII", MAGIC, seq, 0, 0) + b"\0" * 8
    udp = struct.pack("!HHHH", sport, 9, 8 + len(payload), 0) + payload
    if ":" in src_ip:
        ip = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + \
            socket.inet_pton(socket.AF_INET6, src_ip) + socket.inet_pton(socket.AF_INET6, dst_ip)
        et = 0x86DD
    else:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0, 64, 17, 0,
                          socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
        ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        et = 0x0800
    return dst_mac + src_mac + struct.pack("!H", et) + ip + udp


def port_frames(p, cls, kind, dst_mac, rng):
    """The frames port p sends: 'allowed' only, or 'mixed' (allowed and
    never-allowed sources, about a third allowed)."""
    sport = cls * 10000 + p
    q = p % 99 + 1
    dst4, dst6 = "10.200.0.1", "2001:db8:200::1"
    out = []
    for i in range(48):
        if kind == "allowed":
            m = rng.choice(EVER_MACS)
            src = "10.%d.1.%d" % (p, rng.randrange(256)) if i % 4 else "2001:db8:%x:1::%x" % (p, rng.randrange(1, 17))
        else:
            m = rng.choice((0, 1, 1, 2, 2, 3))
            r = rng.random()
            if r < 0.5:
                src = "10.%d.1.%d" % (p, rng.randrange(256))
            elif r < 0.6:
                src = "10.%d.0.%d" % (p, rng.randrange(256))
            elif r < 0.7:
                src = "10.%d.2.%d" % (p, rng.randrange(256))
            elif r < 0.8:
                src = "10.%d.1.%d" % (q, rng.randrange(256))
            elif r < 0.9:
                src = "2001:db8:%x:1::%x" % (p, rng.randrange(1, 17))
            else:
                src = "2001:db8:%x:2::%x" % (p, rng.randrange(1, 17))
        out.append(udp_frame(dst_mac, mac_bytes(p, m), src, dst6 if ":" in src else dst4, sport, i))
    return out


def send_main(a):
    os.nice(a.nice)
    rng = random.Random(a.seed)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    ports = []
    for w in a.port:
        ns, ifname, p, cls, kind, dst = w.split(":", 5)
        p, cls = int(p), int(cls)
        ports.append({"ns": ns, "ifname": ifname, "p": p, "cls": cls, "sock": None, "retry": 0.0,
                      "frames": port_frames(p, cls, kind, bytes.fromhex(dst.replace("-", "")), rng),
                      "i": 0, "sent": 0, "errors": 0, "opens": 0, "down_s": 0.0, "down_since": None})
    stop = [False]

    def term(*_args):
        stop[0] = True
    signal.signal(signal.SIGTERM, term)

    def reopen(pt, now):
        try:
            setns("/run/netns/" + pt["ns"])
            try:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
                try:
                    s.bind((pt["ifname"], 0))
                except OSError:
                    s.close()
                    raise
            finally:
                _libc.setns(home, CLONE_NEWNET)
            s.setblocking(False)
            pt["sock"] = s
            pt["opens"] += 1
            if pt["down_since"] is not None:
                pt["down_s"] += now - pt["down_since"]
                pt["down_since"] = None
        except OSError:
            pt["retry"] = now + 0.02
            if pt["down_since"] is None:
                pt["down_since"] = now

    touch(a.ready)
    t0 = time.monotonic()
    deadline = t0 + a.seconds
    per_round = max(1, a.burst)
    interval = per_round * len(ports) / a.fps if a.fps else 0
    nxt = t0
    while not stop[0] and time.monotonic() < deadline:
        now = time.monotonic()
        for pt in ports:
            if pt["sock"] is None:
                if now >= pt["retry"]:
                    reopen(pt, now)
                if pt["sock"] is None:
                    continue
            s = pt["sock"]
            fr = pt["frames"]
            try:
                for _ in range(per_round):
                    s.send(fr[pt["i"]])
                    pt["i"] = (pt["i"] + 1) % len(fr)
                    pt["sent"] += 1
            except BlockingIOError:
                pass
            except OSError:
                # The device went away (ENXIO, ENODEV) or is down
                # (ENETDOWN): open it again when it is back.
                pt["errors"] += 1
                s.close()
                pt["sock"] = None
                pt["retry"] = now + 0.02
                pt["down_since"] = now
        if interval:
            nxt += interval
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)
            elif d < -1:
                nxt = time.monotonic()
    dt = time.monotonic() - t0
    out = {"seconds": round(dt, 2), "sent": sum(p["sent"] for p in ports),
           "fps": round(sum(p["sent"] for p in ports) / dt, 1) if dt else 0,
           "ports": {p["ifname"] + "@" + p["ns"]: {"sent": p["sent"], "errors": p["errors"], "opens": p["opens"],
                                                   "down_s": round(p["down_s"], 2)} for p in ports}}
    write_json(a.out, out)
    return 0


# --- doc -------------------------------------------------------------------------

def doc_main(a):
    rng = random.Random(a.seed)
    doc = {"version": 1, "ports": [], "bridges": []}
    for ifname, p in parse_map(a.ports):
        if a.full:
            b = {"mac": mac_str(p, 1), "mode": MODE_ENFORCE, "label": "vm-%d" % p, "multicast": False,
                 "ethertypes": [], "addrs": [pool4(p), pool6(p)]}
        else:
            b = random_binding(rng, p)
        e = {"ifname": ifname, "mac": b["mac"], "label": b["label"] or "vm-%d" % p,
             "addrs": [net_str(n) for n in b["addrs"]]}
        doc["ports"].append(e)
    for ifname, p in parse_map(a.flip):
        doc["ports"].append({"ifname": ifname, "mac": mac_str(p, 1), "mode": "trusted" if a.flip_trusted else "enforce",
                             "addrs": [net_str(pool4(p)), net_str(pool6(p))]})
    for ifname in (a.trusted or "").split(","):
        if ifname:
            doc["ports"].append({"ifname": ifname, "mac": a.trusted_mac, "mode": "trusted", "label": "sink"})
    for br in (a.drop_bridges or "").split(","):
        if br:
            doc["bridges"].append({"ifname": br, "unbound": "drop"})
    print(json.dumps(doc, indent=1))
    return 0


# --- summary ---------------------------------------------------------------------

def summary_main(a):
    """One shell-friendly line about a phase's churners and reader:
    REQUESTS CHANGES UNEXPECTED VIOLATIONS PORT_DUMPS INTR DEBUGFS
    REQUESTS/S CHANGES/S APPLY_DOCUMENTS BINDINGS_REPLACED/S | SAMPLES"""
    req = chg = unexp = docs = 0
    req_s = chg_s = bind_s = 0.0
    samp = []
    for f in a.churners:
        try:
            d = json.load(open(f))
        except (OSError, ValueError) as e:
            unexp += 1
            samp.append("%s: no summary (%s)" % (os.path.basename(f), e))
            continue
        req += d["requests"]
        chg += d["changes"]
        req_s += d["requests_per_s"]
        chg_s += d["changes_per_s"]
        docs += d.get("apply_docs", 0)
        # Bindings replaced: one per accepted change, one per port entry
        # of an APPLY (about: an entry equal to what is in force is left
        # alone).
        if d["seconds"]:
            bind_s += (d["changes"] + d.get("apply_docs", 0) * (d.get("entries_per_doc", 1) - 1)) / d["seconds"]
        unexp += d["unexpected"]
        samp += ["%s: %s" % (os.path.basename(f), x) for x in d["unexpected_samples"][:3]]
    viol, dumps, intr, dbg = 0, 0, 0, 0
    if a.reader:
        try:
            d = json.load(open(a.reader))
            viol, dumps, intr, dbg = d["violations"], d["port_dumps"], d["intr"], d["debugfs"]
            samp += ["reader: %s" % x for x in d["violation_samples"][:3]]
        except (OSError, ValueError) as e:
            viol = 1
            samp.append("reader: no summary (%s)" % e)
    print(req, chg, unexp, viol, dumps, intr, dbg, int(req_s), int(chg_s), docs, int(bind_s), "|", "; ".join(samp))
    return 0


def get_main(a):
    """Print EXPR of the JSON in FILE (d), or DEFAULT if it cannot."""
    try:
        d = json.load(open(a.file))
        v = eval(a.expr, {"d": d})
    except Exception:
        v = a.default
    print(v)
    return 0


# --- end-of-file checks ------------------------------------------------------------

def sums_main(a):
    """Every frame counted in a port (for "unbound": in a bridge) is
    counted in the namespace's totals too: after a reset with no traffic
    and no port created or deleted since, the sums match exactly."""
    with open(a.stats) as fh:
        st = json.load(fh)
    with open(a.bridges) as fh:
        br = json.load(fh)
    tot, ports = st["total"], st["ports"]
    bad = []
    if sum(p["passed"] for p in ports) != tot["passed"]:
        bad.append("passed: ports %d, total %d" % (sum(p["passed"] for p in ports), tot["passed"]))
    for r, v in sorted(tot["drops"].items()):
        if r == "unbound":
            got = sum(b.get("unbound_drops", 0) for b in br)
        else:
            got = sum(p["drops"].get(r, 0) for p in ports)
        if got != v:
            bad.append("%s: ports or bridges %d, total %d" % (r, got, v))
    for p in ports + [tot]:
        if p["dropped"] != sum(p["drops"].values()):
            bad.append("%s: dropped %d, the sum of its reasons %d"
                       % (p.get("ifname", "total"), p["dropped"], sum(p["drops"].values())))
    if tot["passed"] == 0 or tot["dropped"] == 0:
        bad.append("nothing counted: passed %d, dropped %d" % (tot["passed"], tot["dropped"]))
    # "OK", not silence: a sums that crashed prints nothing.
    print("; ".join(bad) or "OK")
    return 0


# --- nsmove: APPLY racing a move to another namespace ------------------------------

IFLA_IFNAME = 3
IFLA_NET_NS_FD = 28
RTM_NEWLINK = 16
RTM_DELLINK = 17


def rtnl_move(s, ifname, nsfd):
    """ip link set IFNAME netns NSFD, through rtnetlink socket s."""
    body = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + nla(IFLA_IFNAME, ifname.encode() + b"\0") + \
        nla(IFLA_NET_NS_FD, struct.pack("=I", nsfd))
    s.send(struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
    d = s.recv(4096)
    return -struct.unpack_from("=i", d, 16)[0]


def nsmove_main(a):
    """A device (--dev) named first in an APPLY document whose other
    entries (--count dummies --prefix N, --addrs addresses each) take a
    while to stage, moved to namespace --other by a child process at a
    random moment during the APPLY.  The binding must not stay behind in
    this namespace once the device is gone (README: "when the device ...
    moves to another namespace the binding goes with it").  A binding left
    behind points at a device this namespace no longer has: when that
    device is freed, reading it (port show) is a use-after-free.  So after
    each round the device comes back (which makes the stale entry point at
    a live device again) and is unbound."""
    rng = random.Random(a.seed)
    conn = Conn()
    mac = "02:10:00:00:00:00"
    first = port_nest(a.dev, {"mac": mac, "mode": MODE_ENFORCE, "label": "", "multicast": False,
                              "ethertypes": [], "addrs": []})
    rest = []
    for i in range(1, a.count + 1):
        addrs = [(4, bytes([10, 128 + (i >> 8 & 63), i & 255, j]), 32) for j in range(a.addrs)]
        rest.append(port_nest("%s%d" % (a.prefix, i), {"mac": "02:10:00:01:%02x:%02x" % (i >> 8 & 255, i & 255),
                                                       "mode": MODE_ENFORCE, "label": "", "multicast": False,
                                                       "ethertypes": [], "addrs": addrs}))
    doc = first + b"".join(rest)
    home_rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    other_fd = os.open("/run/netns/" + a.other, os.O_RDONLY)
    home_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
    other_rt = in_netns(a.other, lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
    # The dummies bound once: later APPLYs find them unchanged (staged,
    # compared, not replaced).
    err = conn.transact([(CMD_APPLY, doc)])[0]
    if err:
        raise SystemExit("nsmove: the first APPLY failed: %s" % ename(err))
    conn.transact([(CMD_PORT_DEL, ifname_nest(a.dev))])
    t = time.monotonic()
    conn.transact([(CMD_APPLY, doc)])
    dt = time.monotonic() - t
    conn.transact([(CMD_PORT_DEL, ifname_nest(a.dev))])
    stale, rounds, results, move_errors = 0, 0, {}, 0
    details = []
    t0 = time.monotonic()
    while rounds < a.rounds and time.monotonic() - t0 < a.seconds:
        rounds += 1
        delay = rng.uniform(0, dt * 0.7)
        pid = os.fork()
        if pid == 0:
            time.sleep(delay)
            os._exit(rtnl_move(home_rt, a.dev, other_fd))
        e = conn.transact([(CMD_APPLY, doc)])[0]
        _, st = os.waitpid(pid, 0)
        moved = os.waitstatus_to_exitcode(st)
        results[ename(e) if e else "ok"] = results.get(ename(e) if e else "ok", 0) + 1
        if moved:
            move_errors += 1
            details.append("round %d: the move failed: %s" % (rounds, ename(moved)))
            break
        msgs, _ = conn.dump(CMD_PORT_GET)
        left = [parse_port_msg(m) for m in msgs]
        left = [p for p in left if p["ifname"] == a.dev]
        if left and a.uaf:
            # The reproducer of the use-after-free: free the device while
            # the stale entry points at it, then read this namespace's
            # table (a PORT_GET dump reads port->dev->name and ifindex).
            print("stale binding of %s (ifindex %s) after round %d; deleting the device in %s, then "
                  "dumping the bindings here" % (a.dev, left[0]["ifindex"], rounds, a.other), flush=True)
            body = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + nla(IFLA_IFNAME, a.dev.encode() + b"\0")
            other_rt.send(struct.pack("=IHHII", 16 + len(body), RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 2, 0) + body)
            other_rt.recv(4096)
            time.sleep(1)
            msgs, _ = conn.dump(CMD_PORT_GET)
            print("after the device was freed, the dump lists: %s" % [parse_port_msg(m)["ifname"] for m in msgs],
                  flush=True)
            return 1
        # Back home: a stale entry points at a live device again.
        back = rtnl_move(other_rt, a.dev, home_fd)
        if left:
            stale += 1
            details.append("round %d (move %.1f ms into a %.1f ms APPLY, which returned %s): %s, now in "
                           "namespace %s, still bound here (ifindex %s)"
                           % (rounds, delay * 1000, dt * 1000, ename(e) if e else "ok", a.dev, a.other,
                              left[0]["ifindex"]))
        if back:
            move_errors += 1
            details.append("round %d: moving it back failed: %s" % (rounds, ename(back)))
            break
        conn.transact([(CMD_PORT_DEL, ifname_nest(a.dev))])
        if stale and a.first:
            break
    # Unbind the dummies (their devices stay).
    conn.transact([(CMD_PORT_DEL, ifname_nest("%s%d" % (a.prefix, i))) for i in range(1, a.count + 1)])
    write_json(a.out, {"rounds": rounds, "stale": stale, "apply_ms": round(dt * 1000, 1), "move_errors": move_errors,
                       "applies": results, "details": details[:5]})
    return 0


# --- query: from the server, without starting a process ----------------------------

_CONNS = {}


def in_netns(ns, fn):
    """fn() with this thread in namespace ns ("-": where it is)."""
    if ns == "-":
        return fn()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        setns("/run/netns/" + ns)
        return fn()
    finally:
        _libc.setns(home, CLONE_NEWNET)
        os.close(home)


def query_main(a):
    """What the test asks often: the bound ports ("IF:IFINDEX ..."), a
    bridge's unbound drops, the devices ("IF:IFINDEX ...").  The socket
    of namespace NS is kept (it holds the namespace: never query a
    namespace that is to be destroyed)."""
    if a.what == "links":
        print(" ".join("%s:%d" % (name, idx) for idx, name in in_netns(a.ns, socket.if_nameindex)))
        return 0
    for attempt in (1, 2):
        try:
            c = _CONNS.get(a.ns)
            if c is None:
                c = _CONNS[a.ns] = in_netns(a.ns, Conn)
            if a.what == "ports":
                msgs, _ = c.dump(CMD_PORT_GET)
                print(" ".join("%s:%d" % (p["ifname"], p["ifindex"]) for p in map(parse_port_msg, msgs)))
            elif a.what == "bridge-drops":
                msgs, _ = c.dump(CMD_BRIDGE_GET)
                print(sum(b["drops"] or 0 for b in map(parse_bridge_msg, msgs) if b["ifname"] == a.arg))
            else:
                raise SystemExit("churn.py query: what is %s?" % a.what)
            return 0
        except (OSError, SystemExit):
            # The module was reloaded (another family id) or is away.
            _CONNS.pop(a.ns, None)
            if attempt == 2:
                raise
    return 1


# --- serve: one Python for the whole test file -------------------------------------

PR_SET_PDEATHSIG = 1


def serve_main(a):
    children = {}
    parser = build_parser()

    def dispatch(argv):
        try:
            sa = parser.parse_args(argv)
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else 2
        return sa.fn(sa)

    def reply(kind, text):
        for line in str(text).split("\n"):
            sys.stdout.write("%s\t%s\n" % (kind, line))

    for line in sys.stdin:
        try:
            words = shlex.split(line)
        except ValueError as e:
            reply("!", "cannot parse %r: %s" % (line, e))
            words = []
        if words:
            cmd, args = words[0], words[1:]
            try:
                if cmd == "spawn":
                    name, ns, log, argv = args[0], args[1], args[2], args[3:]
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        rc = 1
                        try:
                            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
                            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                            os.dup2(fd, 1)
                            os.dup2(fd, 2)
                            os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
                            signal.signal(signal.SIGTERM, signal.SIG_DFL)
                            if ns != "-":
                                setns("/run/netns/" + ns)
                            rc = dispatch(argv) or 0
                        except BaseException:
                            traceback.print_exc()
                        finally:
                            try:
                                sys.stdout.flush()
                                sys.stderr.flush()
                            finally:
                                os._exit(rc if isinstance(rc, int) else 1)
                    children[name] = pid
                    reply("=", pid)
                elif cmd == "wait":
                    timeout = None
                    if "--timeout" in args:
                        i = args.index("--timeout")
                        timeout = float(args[i + 1])
                        args = args[:i] + args[i + 2:]
                    deadline = time.monotonic() + timeout if timeout is not None else None
                    for name in args:
                        pid = children.get(name)
                        if pid is None:
                            reply("=", "%s none" % name)
                            continue
                        while True:
                            got, status = os.waitpid(pid, os.WNOHANG)
                            if got:
                                del children[name]
                                reply("=", "%s %d" % (name, os.waitstatus_to_exitcode(status)))
                                break
                            if deadline is not None and time.monotonic() > deadline:
                                reply("=", "%s running" % name)
                                break
                            time.sleep(0.02)
                elif cmd == "kill":
                    sig = getattr(signal, "SIG" + args[1]) if not args[1].isdigit() else int(args[1])
                    if args[0] in children:
                        os.kill(children[args[0]], sig)
                elif cmd == "run":
                    buf = io.StringIO()
                    with contextlib.redirect_stdout(buf):
                        rc = dispatch(args)
                    for ln in buf.getvalue().splitlines():
                        reply("=", ln)
                    if rc:
                        reply("!", "%s: exit status %s" % (args[0], rc))
                else:
                    reply("!", "unknown command %s" % cmd)
            except Exception as e:
                reply("!", "%s: %s" % (cmd, traceback.format_exc(limit=3).replace("\n", " | ")))
        sys.stdout.write(".\n")
        sys.stdout.flush()
    for pid in children.values():
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    return 0


# --- main ----------------------------------------------------------------------------

def build_parser():
    p = argparse.ArgumentParser(prog="churn.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--ports", default="")
        sp.add_argument("--flip", default="")
        sp.add_argument("--trusted", default="")
        sp.add_argument("--trusted-mac", default="02:00:00:ff:00:01")
        sp.add_argument("--drop-bridges", default="")
        sp.add_argument("--flip-bridges", default="")
        sp.add_argument("--seed", type=int, default=1)
        sp.add_argument("--out")

    s = sub.add_parser("sink")
    s.add_argument("--status", required=True)
    s.add_argument("--samples", required=True)
    s.add_argument("spec", nargs="+")
    s.set_defaults(fn=sink_main)

    c = sub.add_parser("churn")
    common(c)
    c.add_argument("--seconds", type=float, required=True)
    c.add_argument("--mix", default="set=4,seq=1,add=3,rm=3,apply=1,replace=0.3,del=1,reset=0.5,"
                                    "resetall=0.1,bridge=0.5,flip=1")
    c.add_argument("--batch", type=int, default=16)
    c.add_argument("--volatile", action="store_true", help="devices come and go: ENODEV is expected")
    c.add_argument("--reload", action="store_true", help="the module comes and goes")
    c.add_argument("--wait", type=float, default=0, help="wait this long for the family at start")
    c.add_argument("--stop-file")
    c.add_argument("--ready")
    c.add_argument("--nice", type=int, default=0)
    c.set_defaults(fn=churn_main)

    m = sub.add_parser("model")
    common(m)
    m.add_argument("--seconds", type=float, required=True)
    m.add_argument("--mix", default="set=3,seq=1,add=3,rm=3,apply=1,replace=0.3,del=1,reset=0.5")
    m.add_argument("--check-every", type=int, default=50)
    m.add_argument("--expect-out", required=True)
    m.set_defaults(fn=model_main)

    r = sub.add_parser("reader")
    common(r)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--debugfs", action="store_true")
    r.add_argument("--reload", action="store_true")
    r.add_argument("--others-ok", action="store_true")
    r.add_argument("--pause", type=float, default=0)
    r.add_argument("--stop-file")
    r.add_argument("--ready")
    r.add_argument("--nice", type=int, default=0)
    r.set_defaults(fn=reader_main)

    se = sub.add_parser("send")
    se.add_argument("--port", action="append", required=True)
    se.add_argument("--fps", type=float, default=2000)
    se.add_argument("--burst", type=int, default=4)
    se.add_argument("--seconds", type=float, default=3600)
    se.add_argument("--seed", type=int, default=1)
    se.add_argument("--out")
    se.add_argument("--ready")
    se.add_argument("--nice", type=int, default=0)
    se.set_defaults(fn=send_main)

    d = sub.add_parser("doc")
    common(d)
    d.add_argument("--full", action="store_true", help="each port's whole pool, MAC :01")
    d.add_argument("--flip-trusted", action="store_true")
    d.set_defaults(fn=doc_main)

    su = sub.add_parser("sums")
    su.add_argument("stats")
    su.add_argument("bridges")
    su.set_defaults(fn=sums_main)

    sm = sub.add_parser("summary")
    sm.add_argument("--reader")
    sm.add_argument("churners", nargs="*")
    sm.set_defaults(fn=summary_main)

    g = sub.add_parser("get")
    g.add_argument("file")
    g.add_argument("expr")
    g.add_argument("--default", default="?")
    g.set_defaults(fn=get_main)

    nm = sub.add_parser("nsmove")
    nm.add_argument("--dev", required=True)
    nm.add_argument("--other", required=True)
    nm.add_argument("--prefix", default="mvd")
    nm.add_argument("--count", type=int, default=64)
    nm.add_argument("--addrs", type=int, default=256)
    nm.add_argument("--rounds", type=int, default=40)
    nm.add_argument("--seconds", type=float, default=30)
    nm.add_argument("--first", action="store_true", help="stop at the first stale binding")
    nm.add_argument("--uaf", action="store_true",
                    help="at the first stale binding, delete the device in --other and dump the "
                         "bindings here: a use-after-free (KASAN reports it)")
    nm.add_argument("--seed", type=int, default=1)
    nm.add_argument("--out")
    nm.set_defaults(fn=nsmove_main)

    q = sub.add_parser("query")
    q.add_argument("ns")
    q.add_argument("what", choices=("ports", "bridge-drops", "links"))
    q.add_argument("arg", nargs="?")
    q.set_defaults(fn=query_main)

    sv = sub.add_parser("serve")
    sv.set_defaults(fn=serve_main)
    return p


def main():
    a = build_parser().parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
