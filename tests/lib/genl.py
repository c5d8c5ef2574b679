#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""genl.py: a raw generic-netlink client of the vmfence family, for tests
that need what vmfencectl does not do: many requests in one process (one
sendmsg() carries up to --batch requests), or requests vmfencectl would
never build.  Speaks uapi/linux/vmfence.h directly.

  genl.py bind-many --format d%d --first 1 --count 10000
      PORT_SET for devices d1..d10000 of the current network namespace:
      MAC 02:10:HH:HH:HH:HH and IPv4 10.H.H.H/32 derived from the number
      (see mac_of() and ip4_of()), label "bulk-N".  Prints how long it took.

  genl.py request [--cmd set|del|addr-add|addr-del|get|stats-reset] ...
      One request, built from the options (see request --help), which may
      be malformed on purpose.  Prints "ok" or "error ERRNO: EXTACK" (the
      errno's name and the kernel's extended-ACK message); exits 0 if the
      kernel accepted it, 1 if it refused it.
  genl.py batch FILE
      One "request" per line of FILE (its options, shell words); one
      result line per request, "ok" or "error ...".
"""

import argparse
import errno
import os
import shlex
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 0x2
NLA_F_NESTED = 0x8000
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

# uapi/linux/vmfence.h
VMFENCE_GENL_VERSION = 1
VMFENCE_CMD_PORT_SET = 1
VMFENCE_CMD_PORT_DEL = 2
VMFENCE_CMD_PORT_GET = 3
VMFENCE_CMD_PORT_ADDR_ADD = 4
VMFENCE_CMD_PORT_ADDR_DEL = 5
VMFENCE_CMD_STATS_GET = 6
VMFENCE_CMD_STATS_RESET = 7
VMFENCE_CMD_APPLY = 10
VMFENCE_A_PORT = 1
VMFENCE_A_STATS = 2
VMFENCE_A_BRIDGE = 3
VMFENCE_A_APPLY_FLAGS = 4
VMFENCE_A_EVENT = 5
VMFENCE_BRIDGE_A_IFNAME = 2
VMFENCE_PORT_A_IFINDEX = 1
VMFENCE_PORT_A_IFNAME = 2
VMFENCE_PORT_A_MAC = 3
VMFENCE_PORT_A_MODE = 4
VMFENCE_PORT_A_LABEL = 5
VMFENCE_PORT_A_SEQ = 6
VMFENCE_PORT_A_ADDRS = 7
VMFENCE_ADDRS_A_ADDR = 1
VMFENCE_ADDR_A_IN = 1
VMFENCE_ADDR_A_IN6 = 2
VMFENCE_ADDR_A_PREFIXLEN = 3
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200

CMDS = {"set": VMFENCE_CMD_PORT_SET, "del": VMFENCE_CMD_PORT_DEL,
        "get": VMFENCE_CMD_PORT_GET, "addr-add": VMFENCE_CMD_PORT_ADDR_ADD,
        "addr-del": VMFENCE_CMD_PORT_ADDR_DEL, "stats-get": VMFENCE_CMD_STATS_GET,
        "stats-reset": VMFENCE_CMD_STATS_RESET}


def nla(typ, data):
    hdr = struct.pack("=HH", 4 + len(data), typ)
    return hdr + data + b"\0" * ((-len(data)) % 4)


def nest(typ, *attrs):
    return nla(typ | NLA_F_NESTED, b"".join(attrs))


def nlmsg(typ, flags, seq, cmd, attrs, version=VMFENCE_GENL_VERSION):
    body = struct.pack("=BBH", cmd, version, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        ln, typ = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        out[typ & 0x3FFF] = data[4:ln]
        data = data[(ln + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.bind((0, 0))
        self.seq = int(time.time())
        self.family = self.resolve("vmfence")

    def resolve(self, name):
        self.seq += 1
        self.s.send(nlmsg(GENL_ID_CTRL, NLM_F_REQUEST, self.seq, CTRL_CMD_GETFAMILY,
                          nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"), version=1))
        data = self.s.recv(65536)
        ln, typ = struct.unpack_from("=IH", data)
        if typ == NLMSG_ERROR:
            err = struct.unpack_from("=i", data, 16)[0]
            raise SystemExit("genl.py: family %s not found (%s): is the module loaded?"
                             % (name, os.strerror(-err)))
        attrs = parse_attrs(data[20:ln])
        return struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID][:2])[0]

    def transact(self, requests, batch):
        """Send requests (lists of attributes) batch at a time; every one
        must be acknowledged without error.  Returns the errors."""
        errors = []
        for i in range(0, len(requests), batch):
            chunk = requests[i:i + batch]
            buf = b""
            first = self.seq + 1
            for attrs in chunk:
                self.seq += 1
                buf += nlmsg(self.family, NLM_F_REQUEST | NLM_F_ACK, self.seq,
                             VMFENCE_CMD_PORT_SET, attrs)
            self.s.send(buf)
            pending = set(range(first, self.seq + 1))
            while pending:
                data = self.s.recv(1 << 20)
                while len(data) >= 16:
                    ln, typ, _fl, seq, _pid = struct.unpack_from("=IHHII", data)
                    if typ == NLMSG_ERROR:
                        err = struct.unpack_from("=i", data, 16)[0]
                        pending.discard(seq)
                        if err:
                            errors.append((seq - first + i, -err))
                    data = data[(ln + 3) & ~3:]
        return errors


    def request(self, cmd, attrs):
        """One request; (0, "") or (errno, extended-ACK message)."""
        self.seq += 1
        self.s.send(nlmsg(self.family, NLM_F_REQUEST | NLM_F_ACK, self.seq, cmd, attrs))
        while True:
            data = self.s.recv(1 << 20)
            while len(data) >= 16:
                ln, typ, flags, seq, _pid = struct.unpack_from("=IHHII", data)
                if typ == NLMSG_ERROR and seq == self.seq:
                    err = -struct.unpack_from("=i", data, 16)[0]
                    msg = ""
                    if flags & NLM_F_ACK_TLVS:
                        # errno, then the request's header (capped ack)
                        tlvs = parse_attrs(data[16 + 4 + 16:ln])
                        if NLMSGERR_ATTR_MSG in tlvs:
                            msg = tlvs[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode(errors="replace")
                    return err, msg
                data = data[(ln + 3) & ~3:]


def addr_attr(spec, raw_plen=None):
    """An ADDRS_A_ADDR nest from ADDR[/LEN]; LEN may be out of range, and
    ADDR may be hex:... for raw bytes of any length (sent as IN)."""
    addr, _, plen = spec.partition("/")
    if addr.startswith("hex:"):
        inner = [nla(VMFENCE_ADDR_A_IN, bytes.fromhex(addr[4:]))]
    elif ":" in addr:
        inner = [nla(VMFENCE_ADDR_A_IN6, socket.inet_pton(socket.AF_INET6, addr))]
    else:
        inner = [nla(VMFENCE_ADDR_A_IN, socket.inet_pton(socket.AF_INET, addr))]
    if plen:
        inner.append(nla(VMFENCE_ADDR_A_PREFIXLEN, bytes([int(plen) & 0xFF])))
    return nest(VMFENCE_ADDRS_A_ADDR, *inner)


def request_parser():
    p = argparse.ArgumentParser(prog="genl.py request")
    p.add_argument("--cmd", choices=sorted(CMDS), default="set")
    p.add_argument("--ifname")
    p.add_argument("--ifindex", type=int)
    p.add_argument("--mac", help="hex bytes, colons allowed, any length")
    p.add_argument("--mode", type=int)
    p.add_argument("--label")
    p.add_argument("--label-raw", help="label bytes in hex, sent as they are")
    p.add_argument("--seq", type=int)
    p.add_argument("--addr", action="append", default=[],
                   help="ADDR[/LEN], repeatable; both=ADDR4,ADDR6 puts both in one nest; "
                        "empty puts an empty nest")
    p.add_argument("--many-addrs", type=int, default=0,
                   help="add N addresses 10.128.x.y")
    p.add_argument("--no-port", action="store_true", help="no VMFENCE_A_PORT at all")
    p.add_argument("--unknown-attr", type=int, help="add a u32 attribute of this type to the port nest")
    p.add_argument("--flat-nest", action="store_true",
                   help="send the port nest without NLA_F_NESTED")
    p.add_argument("--top", action="append", default=[],
                   choices=["apply_flags", "bridge", "stats", "event"],
                   help="add this top-level attribute after the port nest (one another command takes, or "
                        "one only the kernel sends)")
    return p


def build_request(a):
    attrs = []
    if a.ifindex is not None:
        attrs.append(nla(VMFENCE_PORT_A_IFINDEX, struct.pack("=I", a.ifindex)))
    if a.ifname is not None:
        attrs.append(nla(VMFENCE_PORT_A_IFNAME, a.ifname.encode() + b"\0"))
    if a.mac is not None:
        attrs.append(nla(VMFENCE_PORT_A_MAC, bytes.fromhex(a.mac.replace(":", ""))))
    if a.mode is not None:
        attrs.append(nla(VMFENCE_PORT_A_MODE, bytes([a.mode])))
    if a.label is not None:
        attrs.append(nla(VMFENCE_PORT_A_LABEL, a.label.encode() + b"\0"))
    if a.label_raw is not None:
        attrs.append(nla(VMFENCE_PORT_A_LABEL, bytes.fromhex(a.label_raw)))
    if a.seq is not None:
        attrs.append(nla(VMFENCE_PORT_A_SEQ, struct.pack("=Q", a.seq)))
    addrs = []
    for spec in a.addr:
        if spec == "empty":
            addrs.append(nest(VMFENCE_ADDRS_A_ADDR))
        elif spec.startswith("both="):
            v4, v6 = spec[5:].split(",")
            addrs.append(nest(VMFENCE_ADDRS_A_ADDR,
                              nla(VMFENCE_ADDR_A_IN, socket.inet_pton(socket.AF_INET, v4)),
                              nla(VMFENCE_ADDR_A_IN6, socket.inet_pton(socket.AF_INET6, v6))))
        else:
            addrs.append(addr_attr(spec))
    for i in range(a.many_addrs):
        addrs.append(addr_attr("10.128.%d.%d" % (i >> 8 & 255, i & 255)))
    if addrs:
        attrs.append(nest(VMFENCE_PORT_A_ADDRS, *addrs))
    if a.unknown_attr is not None:
        attrs.append(nla(a.unknown_attr, struct.pack("=I", 1)))
    top = {"apply_flags": nla(VMFENCE_A_APPLY_FLAGS, struct.pack("=I", 0)),
           "bridge": nest(VMFENCE_A_BRIDGE, nla(VMFENCE_BRIDGE_A_IFNAME, b"br0\0")),
           "stats": nest(VMFENCE_A_STATS), "event": nest(VMFENCE_A_EVENT)}
    extra = b"".join(top[t] for t in a.top)
    if a.no_port:
        return extra
    if a.flat_nest:
        return nla(VMFENCE_A_PORT, b"".join(attrs)) + extra
    return nest(VMFENCE_A_PORT, *attrs) + extra


def run_request(g, a):
    err, msg = g.request(CMDS[a.cmd], build_request(a))
    if err == 0:
        return 0, "ok"
    name = errno.errorcode.get(err, str(err))
    return 1, "error %s: %s" % (name, msg or "(no extended ACK message)")


def request_main(words):
    a = request_parser().parse_args(words)
    rc, line = run_request(Genl(), a)
    print(line)
    return rc


def batch_main(path):
    with open(path) as fh:
        reqs = [shlex.split(line, comments=True) for line in fh]
    reqs = [request_parser().parse_args(w) for w in reqs if w]
    g = Genl()
    for a in reqs:
        print(run_request(g, a)[1], flush=True)
    return 0


def mac_of(n):
    return bytes([0x02, 0x10]) + struct.pack("!I", n)


def ip4_of(n):
    return bytes([10, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])


def bind_many(a):
    g = Genl()
    reqs = []
    for n in range(a.first, a.first + a.count):
        reqs.append(nest(VMFENCE_A_PORT,
                         nla(VMFENCE_PORT_A_IFNAME, (a.format % n).encode() + b"\0"),
                         nla(VMFENCE_PORT_A_MAC, mac_of(n)),
                         nla(VMFENCE_PORT_A_LABEL, b"bulk-%d\0" % n),
                         nest(VMFENCE_PORT_A_ADDRS,
                              nest(VMFENCE_ADDRS_A_ADDR,
                                   nla(VMFENCE_ADDR_A_IN, ip4_of(n)),
                                   nla(VMFENCE_ADDR_A_PREFIXLEN, b"\x20")))))
    t0 = time.monotonic()
    errors = g.transact(reqs, a.batch)
    dt = time.monotonic() - t0
    msg = ("bound %d devices in %.2f s (%.0f us each), %d errors"
           % (a.count, dt, dt / max(a.count, 1) * 1e6, len(errors)))
    print(msg)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(msg + "\n")
    for idx, err in errors[:10]:
        print("  %s: %s" % (a.format % (a.first + idx), os.strerror(err)), file=sys.stderr)
    return 1 if errors else 0


def main():
    if sys.argv[1:2] == ["request"]:
        return request_main(sys.argv[2:])
    if sys.argv[1:2] == ["batch"] and len(sys.argv) == 3:
        return batch_main(sys.argv[2])
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bind-many")
    b.add_argument("--format", default="d%d")
    b.add_argument("--first", type=int, default=1)
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--batch", type=int, default=64)
    b.add_argument("--out", help="also write the summary line here")
    b.set_defaults(fn=bind_many)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
