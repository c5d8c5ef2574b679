#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pkt.py: send hand-made Ethernet frames from one network namespace's
interface and report what arrives at others, in one process.

Commands:
  send-expect --from NS:IF --to NS:IF [--to ...] --frame SPEC
              --expect arrive|drop [--name NAME] [--timeout S] [--count N]
      Watch every --to interface, send the frame from --from, and report
      "ok NAME: ..." or "FAIL NAME: ..." per receiver.  A frame counts as
      arrived when the exact bytes sent (VLAN tag restored from the
      packet's metadata, Ethernet padding ignored) are seen there.
      "arrive" waits up to --timeout (default 5 s); "drop" watches for
      --drop-wait (default 0.5 s, env VMFENCE_PKT_DROP_WAIT).
  send --from NS:IF --frame SPEC [--count N] [--interval S] [--vary-src-mac]
      --vary-src-mac: frame K gets source MAC 02:5a:XX:XX:XX:XX (K), one
      new MAC a frame (FDB exhaustion).
  vnet-send --tap NS:TAP --frame SPEC [--csum-start S --csum-offset O
            [--pseudo] [--steer V]] [--expect-reply MATCH --name NAME
            [--timeout S]]
      Send FRAME as a VM with a virtio-net NIC does: through the tap TAP
      of namespace NS, opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, with a
      virtio-net header that marks it NEEDS_CSUM with the given checksum
      start and offset (from the start of the frame).  --steer V sets the
      frame's last two bytes so that the 16-bit checksum the host computes
      and writes at S+O is V (how a VM steers the rewrite, see
      steer_word()); --pseudo puts in that field what a sending stack
      leaves there for the device (the pseudo-header sum): an ordinary
      offloaded frame.  --expect-reply MATCH: a frame matching MATCH
      (watch-check keys) must come back to the tap within --timeout.
  tap-open --tap NS:TAP        attach to the tap now (it stays attached)
  txcsum --dev NS:IF on|off    turn the device's tx checksum offload on or
                               off (SIOCETHTOOL; ethtool is not needed)
  verdicts --file F [--timeout S] [--settle S] [--drop-wait S]
      A table of frames (lines "NAME VIF arrive|drop FROM TO,... FRAME
      [WANT [COUNT]]", tab-separated), sent one after the other; VIF's
      counters (vmfencectl -j stats) checked after each as expect_counters
      does (WANT: "REASON=N passed=+ ..."; VIF "-": none), arrivals judged
      once at the end.  See cmd_verdicts.
  build --frame SPEC           print the frame in hex (debugging)
  dhcp-rogue --listen NS:IF --from NS:IF --src-mac MAC --server IP
             --yiaddr IP --router IP [--duration S]
  dhcp-rogue --v6 --listen NS:IF --from NS:IF --src-mac MAC --yiaddr6 IP
             [--server IP6] [--duration S]
      A rogue DHCP server that knows every transaction: answers each
      DISCOVER or REQUEST seen at --listen (outgoing frames included)
      with an OFFER or ACK sent from --from (see cmd_dhcp_rogue); --v6:
      each DHCPv6 SOLICIT or REQUEST with an ADVERTISE or REPLY leasing
      --yiaddr6 (see dhcp6_answer; listening at its own interface, it is
      a DHCPv6 server).  With --background NAME (serve mode), it runs in
      a thread until "bg-stop NAME", which prints what it answered.
  dhcp6-client --on NS:IF --mac MAC [--tries N] [--timeout S]
      A DHCPv6 client (SOLICIT, ADVERTISE, REQUEST, REPLY; see
      cmd_dhcp6_client): configures the leased address on IF and prints
      "lease ADDR from SERVER", or "no lease"; status non-zero only if the
      client itself failed.
  watch-start --at NS:IF       start keeping what arrives at NS:IF (in
                               serve mode, between commands)
  watch-check --at NS:IF --match 'KEY=VALUE ...' --expect arrive|drop
              [--name NAME] [--timeout S]
      Whether a frame matching every KEY=VALUE arrived at NS:IF since
      watch-start (waiting up to --timeout for "arrive", default 5 s, or
      --drop-wait for "drop"); then stop watching.  Keys: eth_src, eth_dst,
      ethertype, ip_src, ip_dst, proto (IPv4 protocol or IPv6 upper-layer
      header, after extension headers), sport, dport, icmp_type,
      nd_target, dhcp_type, dhcp6_type, arp_op, arp_sha, arp_spa,
      arp_tpa.  For frames the kernel's own stack sends.
  ctl-json [--ns NS] --expr EXPR -- ARGS...
      Run "vmfencectl ARGS" (env VMFENCE_CTL, default ctl/vmfencectl) in
      namespace NS (default host), parse its JSON output and print the
      Python expression EXPR of it (bound to d; P is its list of ports): a
      list prints one item a line, a dict or nested list as JSON.
  counters [--ns NS] DEV
      "passed=N dropped=N <reason>=N..." from "vmfencectl -j stats DEV".
  serve                        read commands from stdin, one a line (shell
                               words); after each, a line ".".  Results
                               are "ok|FAIL<TAB>NAME<TAB>DETAIL", values
                               "=<TAB>VALUE".
  run FILE                     the commands of FILE, one a line

tests/lib.sh keeps one "pkt.py serve" per test file, so that Python (slow
to start under TCG) starts once.

NS:IF names an interface in the namespace /run/netns/NS; a bare IF is in
pkt.py's own namespace; tap:NS:TAP is the VM side of a tap of NS (its
queue, opened with IFF_VNET_HDR: see vnet-send), wherever an interface
may be named.

Frame SPEC: a kind, then key=value words (a later key overrides):
  udp     src_mac dst_mac src_ip dst_ip sport dport [payload] [udp_csum=N]
          (v4 or v6 from the addresses)
  tcp     ... sport dport [flags=S] [seq] [ack] [win] [payload]
  icmp    echo request (or type= code=) [id] [seq] [payload]      IPv4
  icmp6   echo request (or type= code=) [id] [seq] [payload]      IPv6
  ip4     src_ip dst_ip [proto] [payload]    ip6  src_ip dst_ip [nh] [payload]
  arp     op=request|reply|N [sha] spa [tha] tpa [hrd=1 pro=0x0800 hln=6
          pln=4: header fields, forced]
  ns      [src_ip=::] target [dst_ip=solicited-node] [sll=MAC|none]
          [nonce=auto|none]         Neighbor Solicitation
  na      src_ip target [dst_ip=ff02::1] [flags=RSO] [tll=MAC|none]
  rs      src_ip [sll]              ra  src_ip [prefix=P/L,...] [mtu] [sll]
          [lifetime=1800] [flags=MO]
          ns, na, rs, ra: opts=ITEM,... sets the options, in that order,
          instead (sll:MAC tll:MAC nonce[:HEX] mtu:N prefix:P/L
          raw:TYPE:LEN[:SIZE]; see nd_options())
  redirect4 src_ip dst_ip gw orig_src orig_dst   ICMPv4 redirect (host)
  redirect6 src_ip dst_ip target dest [tll]      ICMPv6 redirect
  mld2    src_ip [groups=G,...] [rtype=4]   MLDv2 report, hop-by-hop RA
  dhcp4   msg=discover|offer|request|ack|nak [xid] [chaddr] [yiaddr] [siaddr]
          [router] (client: 0.0.0.0:68 -> 255.255.255.255:67 by default)
  dhcp6   msg=solicit|advertise|request|reply|relay-forw|... src_ip
          [dst_ip] [xid] [addr] [iaid] [cid=HEX] [sid=HEX] (client: 546
          -> ff02::1:2 port 547; server: 547 -> 546; relay: 547 -> 547;
          see build_dhcp6)
  eth     ethertype=0x88b5 [payload]
  raw     hex=FRAME
Common keys: src_mac, dst_mac (default from the destination address when
it is broadcast or multicast), vlan=ID[:PCP][,ID...] (802.1Q tags, outer
first), ttl/hlim, ext=hbh|hbh-ra|dst|dstN|rt|frag[:OFF[:M]],... (IPv6
extension headers, in order), ihl=, tot_len=, plen= (header fields forced
to a given value), frag6=START:[END] (only that fragment of the IPv6
packet, see ipv6_fragment()), truncate=N (cut the frame), pad=N (zero-pad to N),
payload=TEXT or payload=hex:HEX, nonce=0 (udp/tcp/icmp append 8 random
bytes to the payload unless nonce=0, so that a frame is unique).
"""

import argparse
import ctypes
import json
import os
import random
import select
import shlex
import socket
import struct
import subprocess
import sys
import threading
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
CLONE_NEWNET = 0x40000000
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6

_libc = ctypes.CDLL(None, use_errno=True)


class Error(Exception):
    pass


# --- namespaces ----------------------------------------------------------

class Netns:
    """Enter /run/netns/NAME for the duration of a with-block."""

    def __init__(self, name):
        self.name = name
        self.home = None

    def __enter__(self):
        if not self.name:
            return self
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        try:
            fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        except OSError as e:
            os.close(self.home)
            raise Error("no network namespace %s (%s)" % (self.name, e.strerror))
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                e = ctypes.get_errno()
                raise Error("setns %s: %s" % (self.name, os.strerror(e)))
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        if self.home is not None:
            _libc.setns(self.home, CLONE_NEWNET)
            os.close(self.home)
        return False


def parse_endpoint(s):
    ns, _, ifname = s.rpartition(":")
    return ns, ifname


class TapSocket:
    """tap:NS:TAP, a tap as QEMU opens it (open_tap), used like a socket:
    send() writes a frame behind an empty virtio-net header (the VM sends
    it), receiving gives what the host sent to the VM.  close() keeps the
    tap attached (see open_tap)."""

    def __init__(self, endpoint):
        self.fd = open_tap(endpoint)

    def fileno(self):
        return self.fd

    def send(self, frame):
        os.write(self.fd, bytes(10) + frame)

    def recvmsg(self, size, _ancsize):
        data = os.read(self.fd, size + 10)     # BlockingIOError: none queued
        return data[10:], [], 0, ("tap", 0, 0)

    def close(self):
        pass


def open_socket(endpoint):
    """A raw AF_PACKET socket bound to an interface of a namespace; it keeps
    working after we return to our own namespace.  "tap:NS:TAP": a tap's
    queue instead (TapSocket)."""
    if endpoint.startswith("tap:"):
        return TapSocket(endpoint[4:])
    ns, ifname = parse_endpoint(endpoint)
    with Netns(ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        try:
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((ifname, ETH_P_ALL))
        except OSError as e:
            s.close()
            raise Error("%s: %s" % (endpoint, e.strerror))
    s.setblocking(False)
    return s


def recv_frame(s):
    """One frame with its 802.1Q tag put back (the kernel strips it into
    metadata), and its packet type; None if nothing is queued."""
    try:
        data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
    except BlockingIOError:
        return None
    pkttype = addr[2]
    for level, typ, cdata in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
            status, _len, _snap, _mac, _net, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                if not status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = ETH_P_8021Q
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data, pkttype


# --- frame building --------------------------------------------------------

def mac(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise Error("bad MAC %r" % s)
    return b


def is_v6(addr):
    return ":" in addr


def ip(addr):
    try:
        return socket.inet_pton(socket.AF_INET6 if is_v6(addr) else socket.AF_INET, addr)
    except OSError:
        raise Error("bad IP address %r" % addr)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4_csum(src, dst, proto, seg):
    s, d = ip(src), ip(dst)
    if len(s) == 4:
        pseudo = s + d + struct.pack("!BBH", 0, proto, len(seg))
    else:
        pseudo = s + d + struct.pack("!IxxxB", len(seg), proto)
    c = csum(pseudo + seg)
    return c if c or proto != 17 else 0xFFFF


def multicast_mac(dst):
    a = ip(dst)
    if len(a) == 16:
        if a[0] == 0xFF:
            return b"\x33\x33" + a[12:]
        return None
    if a == b"\xff" * 4:
        return b"\xff" * 6
    if 224 <= a[0] <= 239:
        return bytes([0x01, 0x00, 0x5E, a[1] & 0x7F, a[2], a[3]])
    return None


def solicited_node(target):
    a = ip(target)
    return socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff0200000000000000000001ff") + a[13:])


def payload_of(f, default=b""):
    p = f.get("payload")
    if p is None:
        body = default
    elif p.startswith("hex:"):
        body = bytes.fromhex(p[4:])
    else:
        body = p.encode()
    if f.get("nonce", "1") not in ("0", "none", "no"):
        body += os.urandom(8)
    return body


def num(v):
    return int(v, 0)


def ipv4_packet(f, proto, l4):
    src, dst = f["src_ip"], f["dst_ip"]
    ihl = num(f.get("ihl", "5"))
    tot = num(f.get("tot_len", str(20 + len(l4))))
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, num(f.get("tos", "0")), tot,
                      num(f.get("id", str(random.randrange(65536)))),
                      num(f.get("frag", "0x4000")), num(f.get("ttl", "64")),
                      num(f.get("proto", str(proto))), 0, ip(src), ip(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def ipv6_exthdrs(f, nh):
    """The extension header chain of ext=..., ending in next header nh:
    (bytes, first next-header value)."""
    items = [x for x in f.get("ext", "").split(",") if x]
    out = b""
    for item in reversed(items):
        parts = item.split(":")
        kind = parts[0]
        if kind in ("hbh", "hbh-ra") or kind.startswith("dst"):
            typ = 0 if kind.startswith("hbh") else 60
            size = 8
            if kind.startswith("dst") and kind[3:]:
                size = int(kind[3:])
            if len(parts) > 1:
                size = int(parts[1])
            if size % 8 or size < 8:
                raise Error("extension header size must be a multiple of 8: %r" % item)
            opts = b""
            if kind == "hbh-ra":
                opts = b"\x05\x02\x00\x00"      # router alert: MLD
            pad = size - 2 - len(opts)
            if pad == 1:
                opts += b"\x00"
            elif pad > 1:
                opts += bytes([1, pad - 2]) + b"\0" * (pad - 2)
            out = bytes([nh, size // 8 - 1]) + opts + out
            nh = typ
        elif kind == "rt":
            # type 0, segments left 0, no address: processed as absent
            out = bytes([nh, 0, 0, 0]) + b"\0" * 4 + out
            nh = 43
        elif kind == "frag":
            off = int(parts[1]) if len(parts) > 1 else 0
            more = int(parts[2]) if len(parts) > 2 else 0
            out = struct.pack("!BBHI", nh, 0, (off << 3) | more,
                              random.randrange(1 << 32)) + out
            nh = 44
        else:
            raise Error("unknown extension header %r" % item)
    return out, nh


def ipv6_packet(f, nh, l4):
    ext, first = ipv6_exthdrs(f, num(f.get("nh", str(nh))))
    body = ext + l4
    plen = num(f.get("plen", str(len(body))))
    hdr = struct.pack("!IHBB16s16s", 0x60000000, plen, first,
                      num(f.get("hlim", f.get("ttl", "64"))),
                      ip(f["src_ip"]), ip(f["dst_ip"]))
    return hdr + body


def ipv6_fragment(f, pkt):
    """frag6=START:[END]: of the IPv6 packet pkt, the fragment holding
    bytes START to END (default: the end) of what follows the fixed
    header (all of it fragmentable), with a fragment header (id fragid=,
    default 0x1234; M set unless it ends the packet)."""
    if len(pkt) < 40 or pkt[0] >> 4 != 6:
        raise Error("frag6= is for IPv6 packets")
    start, _, end = f["frag6"].partition(":")
    start = int(start)
    rest = pkt[40:]
    end = int(end) if end else len(rest)
    if start % 8 or (end < len(rest) and (end - start) % 8):
        raise Error("frag6=%s: fragments are multiples of 8 bytes" % f["frag6"])
    body = struct.pack("!BBHI", pkt[6], 0, start | (1 if end < len(rest) else 0),
                       num(f.get("fragid", "0x1234"))) + rest[start:end]
    return pkt[:4] + struct.pack("!HB", len(body), 44) + pkt[7:40] + body


def ip_packet(f, proto, l4_fn):
    """IPv4 or IPv6 (from src_ip) around the layer-4 segment l4_fn makes
    (given the final protocol number, for checksums)."""
    if is_v6(f["src_ip"]):
        if proto == 1:
            proto = 58
        return ETH_P_IPV6, ipv6_packet(f, proto, l4_fn(proto))
    return ETH_P_IP, ipv4_packet(f, proto, l4_fn(proto))


def build_udp(f):
    body = payload_of(f)
    sport, dport = num(f.get("sport", "40000")), num(f.get("dport", "9"))

    def seg(proto):
        s = struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body
        c = l4_csum(f["src_ip"], f["dst_ip"], 17, s)
        if "udp_csum" in f:     # forced: udp_csum=0 is "none" over IPv4
            c = num(f["udp_csum"])
        return s[:6] + struct.pack("!H", c) + s[8:]
    return ip_packet(f, 17, seg)


TCP_FLAGS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}


def build_tcp(f):
    body = payload_of(f, b"")
    flags = sum(TCP_FLAGS[c] for c in f.get("flags", "S"))

    def seg(proto):
        s = struct.pack("!HHIIBBHHH", num(f.get("sport", "40000")), num(f.get("dport", "80")),
                        num(f.get("seq", "1000")), num(f.get("ack", "0")), 5 << 4, flags,
                        num(f.get("win", "65535")), 0, 0) + body
        c = l4_csum(f["src_ip"], f["dst_ip"], 6, s)
        return s[:16] + struct.pack("!H", c) + s[18:]
    return ip_packet(f, 6, seg)


def icmp_seg(f, typ, code, body, v6):
    s = struct.pack("!BBH", typ, code, 0) + body
    c = l4_csum(f["src_ip"], f["dst_ip"], 58, s) if v6 else csum(s)
    return s[:2] + struct.pack("!H", c) + s[4:]


def build_icmp(f, v6=False):
    if is_v6(f["src_ip"]) != v6:
        raise Error("icmp is for IPv4, icmp6 for IPv6")
    typ = num(f.get("type", "128" if v6 else "8"))
    body = struct.pack("!HH", num(f.get("id", str(random.randrange(65536)))),
                       num(f.get("seq", "1"))) + payload_of(f)
    return ip_packet(f, 58 if v6 else 1,
                     lambda p: icmp_seg(f, typ, num(f.get("code", "0")), body, v6))


def build_icmp6(f):
    return build_icmp(f, v6=True)


def build_ip4(f):
    return ETH_P_IP, ipv4_packet(f, num(f.get("proto", "253")), payload_of(f))


def build_ip6(f):
    return ETH_P_IPV6, ipv6_packet(f, num(f.get("nh", "59")), payload_of(f))


def build_arp(f):
    op = {"request": 1, "reply": 2}.get(f.get("op", "request"))
    if op is None:
        op = num(f["op"])
    sha = mac(f.get("sha", f["src_mac"]))
    if op == 1:
        f.setdefault("dst_mac", "ff:ff:ff:ff:ff:ff")
        tha = mac(f.get("tha", "00:00:00:00:00:00"))
    else:
        tha = mac(f.get("tha", f.get("dst_mac", "00:00:00:00:00:00")))
    return ETH_P_ARP, struct.pack("!HHBBH6s4s6s4s", num(f.get("hrd", "1")),
                                  num(f.get("pro", str(ETH_P_IP))),
                                  num(f.get("hln", "6")), num(f.get("pln", "4")), op,
                                  sha, ip(f["spa"]), tha, ip(f["tpa"]))


def nd_option(typ, data):
    data = bytes([typ, 0]) + data
    pad = (-len(data)) % 8
    data += b"\0" * pad
    return data[:1] + bytes([len(data) // 8]) + data[2:]


def icmp6_nd(f, typ, body):
    f.setdefault("hlim", "255")
    return ETH_P_IPV6, ipv6_packet(f, 58, icmp_seg(f, typ, 0, body, True))


def lladdr_opt(f, key, typ):
    v = f.get(key, "auto")
    if v == "none":
        return b""
    if v == "auto":
        if f["src_ip"] == "::" and typ == 1:
            return b""    # RFC 4861: no source link-layer option from ::
        v = f["src_mac"]
    return nd_option(typ, mac(v))


def nd_options(f):
    """opts=ITEM,...: the ND options, in this order, instead of the
    automatic ones.  Items: sll:MAC, tll:MAC, nonce[:HEX], mtu:N,
    prefix:P/L, raw:TYPE:LEN[:SIZE] (an option whose length field is LEN,
    in units of 8 bytes, whatever its SIZE in bytes: default LEN * 8, or 8
    when LEN is 0; zero-filled)."""
    out = b""
    for item in [x for x in f["opts"].split(",") if x]:
        kind, _, arg = item.partition(":")
        if kind in ("sll", "tll"):
            out += nd_option(1 if kind == "sll" else 2, mac(arg))
        elif kind == "nonce":
            out += nd_option(14, bytes.fromhex(arg) if arg else os.urandom(6))
        elif kind == "mtu":
            out += nd_option(5, struct.pack("!HI", 0, num(arg)))
        elif kind == "prefix":
            pfx, _, plen = arg.partition("/")
            out += nd_option(3, struct.pack("!BBIII16s", int(plen or 64), 0xC0,
                                            86400, 14400, 0, ip(pfx)))
        elif kind == "raw":
            parts = arg.split(":")
            typ, ln = num(parts[0]), num(parts[1])
            size = num(parts[2]) if len(parts) > 2 else (ln * 8 or 8)
            out += (bytes([typ, ln]) + b"\0" * size)[:size]
        else:
            raise Error("unknown ND option %r" % item)
    return out


def build_ns(f):
    f.setdefault("src_ip", "::")
    target = f["target"]
    f.setdefault("dst_ip", solicited_node(target))
    body = b"\0" * 4 + ip(target)
    if "opts" in f:
        return icmp6_nd(f, 135, body + nd_options(f))
    body += lladdr_opt(f, "sll", 1)
    nonce = f.get("nonce", "auto")
    if nonce == "auto":
        body += nd_option(14, os.urandom(6))
    elif nonce not in ("none", "0"):
        body += nd_option(14, bytes.fromhex(nonce))
    return icmp6_nd(f, 135, body)


def build_na(f):
    f.setdefault("dst_ip", "ff02::1")
    fl = f.get("flags", "O")
    bits = (0x80 if "R" in fl else 0) | (0x40 if "S" in fl else 0) | (0x20 if "O" in fl else 0)
    body = bytes([bits, 0, 0, 0]) + ip(f["target"])
    body += nd_options(f) if "opts" in f else lladdr_opt(f, "tll", 2)
    return icmp6_nd(f, 136, body)


def build_rs(f):
    f.setdefault("dst_ip", "ff02::2")
    return icmp6_nd(f, 133, b"\0" * 4 + (nd_options(f) if "opts" in f else lladdr_opt(f, "sll", 1)))


def build_ra(f):
    f.setdefault("dst_ip", "ff02::1")
    fl = f.get("flags", "")
    bits = (0x80 if "M" in fl else 0) | (0x40 if "O" in fl else 0)
    body = struct.pack("!BBHII", num(f.get("curhlim", "64")), bits,
                       num(f.get("lifetime", "1800")), 0, 0)
    if "opts" in f:
        return icmp6_nd(f, 134, body + nd_options(f))
    body += lladdr_opt(f, "sll", 1)
    if "mtu" in f:
        body += nd_option(5, struct.pack("!HI", 0, num(f["mtu"])))
    for p in [x for x in f.get("prefix", "").split(",") if x]:
        pfx, _, plen = p.partition("/")
        body += nd_option(3, struct.pack("!BBIII16s", int(plen or 64), 0xC0,
                                         86400, 14400, 0, ip(pfx)))
    return icmp6_nd(f, 134, body)


def build_mld2(f):
    f.setdefault("dst_ip", "ff02::16")
    f.setdefault("hlim", "1")
    f.setdefault("ext", "hbh-ra")
    groups = [g for g in f.get("groups", "ff02::1:ff00:1").split(",") if g]
    rtype = num(f.get("rtype", "4"))
    body = struct.pack("!HH", 0, len(groups))
    for g in groups:
        body += struct.pack("!BBH16s", rtype, 0, 0, ip(g))
    return ETH_P_IPV6, ipv6_packet(f, 58, icmp_seg(f, 143, 0, body, True))


DHCP_TYPES = {"discover": 1, "offer": 2, "request": 3, "decline": 4,
              "ack": 5, "nak": 6, "release": 7, "inform": 8}


def build_dhcp4(f):
    msg = DHCP_TYPES[f.get("msg", "discover")]
    client = msg in (1, 3, 4, 7, 8)
    f.setdefault("src_ip", "0.0.0.0" if client else "10.0.0.254")
    f.setdefault("dst_ip", "255.255.255.255")
    f.setdefault("sport", "68" if client else "67")
    f.setdefault("dport", "67" if client else "68")
    chaddr = mac(f.get("chaddr", f["src_mac"] if client else f.get("dst_mac", "ff:ff:ff:ff:ff:ff")))
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1 if client else 2, 1, 6, 0,
                        num(f.get("xid", str(random.randrange(1 << 32)))), 0, 0x8000,
                        ip(f.get("ciaddr", "0.0.0.0")), ip(f.get("yiaddr", "0.0.0.0")),
                        ip(f.get("siaddr", "0.0.0.0")), ip("0.0.0.0"),
                        chaddr + b"\0" * 10, b"", b"")
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, msg])
    if not client:
        opts += bytes([54, 4]) + ip(f["src_ip"])
        opts += bytes([51, 4]) + struct.pack("!I", 3600)
        opts += bytes([1, 4]) + ip(f.get("netmask", "255.255.255.0"))
    if "router" in f:
        opts += bytes([3, 4]) + ip(f["router"])
    if "requested" in f:
        opts += bytes([50, 4]) + ip(f["requested"])
    opts += b"\xff"
    f["payload"] = "hex:" + (bootp + opts).hex()
    f["nonce"] = "0"
    return build_udp(f)


def build_redirect4(f):
    """ICMPv4 redirect (type 5, code 1: host) to gw, quoting the IPv4
    header and first 8 bytes of an ICMP echo reply (orig_type=0; Linux
    acts on a redirect about an echo reply, which the kernel itself sends)
    orig_src -> orig_dst."""
    echo = struct.pack("!BBHHH", num(f.get("orig_type", "0")), 0, 0, 1, 1)
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    inner = ipv4_packet({"src_ip": f["orig_src"], "dst_ip": f["orig_dst"],
                         "id": "1"}, 1, echo)
    s = struct.pack("!BBH", 5, num(f.get("code", "1")), 0) + ip(f["gw"]) + inner[:28]
    s = s[:2] + struct.pack("!H", csum(s)) + s[4:]
    return ETH_P_IP, ipv4_packet(f, 1, s)


def build_redirect6(f):
    """ICMPv6 redirect (137): target (the better first hop) and dest (the
    destination redirected), [tll=MAC|none]; hop limit 255."""
    body = b"\0" * 4 + ip(f["target"]) + ip(f["dest"])
    if f.get("tll", "none") != "none":
        body += nd_option(2, mac(f["tll"]))
    return icmp6_nd(f, 137, body)


DHCP6_TYPES = {"solicit": 1, "advertise": 2, "request": 3, "confirm": 4,
               "renew": 5, "rebind": 6, "reply": 7, "release": 8,
               "decline": 9, "reconfigure": 10, "information-request": 11,
               "relay-forw": 12, "relay-repl": 13}


def build_dhcp6(f):
    """DHCPv6: msg=solicit|advertise|request|reply|relay-forw|... A client
    message goes from src_ip port 546 to ff02::1:2 port 547; a server
    message from port 547 to dst_ip port 546; a relay message from 547 to
    547.  [xid] [duid=MAC: the sender's DUID-LL, default src_mac]
    [cid=HEX, sid=HEX: the Client and Server Identifier options' DUIDs: a
    client message has its own (cid, default duid) and sid only if given
    (a REQUEST names its server), a server message its own (sid, default
    duid) and cid only if given (the client's, echoed)] [addr=ADDR: an
    IA_NA with it] [iaid=N: the IA_NA's IAID, default 1; an IA_NA
    without an address if there is no addr=; a client's T1 and T2 are
    0]."""
    msg = DHCP6_TYPES[f.get("msg", "solicit")]
    client = msg in (1, 3, 4, 5, 6, 8, 9, 11)
    relay = msg in (12, 13)
    f.setdefault("dst_ip", "ff02::1:2")
    f.setdefault("sport", "547" if relay or not client else "546")
    f.setdefault("dport", "547" if relay or client else "546")
    duid = struct.pack("!HH", 3, 1) + mac(f.get("duid", f["src_mac"]))
    if relay:
        inner = struct.pack("!I", (1 << 24) | random.randrange(1 << 24))
        inner += struct.pack("!HH", 1, len(duid)) + duid
        body = bytes([msg, 0]) + ip(f.get("link", "::")) + ip(f["src_ip"])
        body += struct.pack("!HH", 9, len(inner)) + inner
    else:
        body = struct.pack("!I", (msg << 24) | num(f.get("xid", str(random.randrange(1 << 24)))))
        own, peer = ("cid", "sid") if client else ("sid", "cid")
        ids = {own: bytes.fromhex(f[own]) if own in f else duid}
        if peer in f:
            ids[peer] = bytes.fromhex(f[peer])
        for code, key in ((1, "cid"), (2, "sid")):
            if key in ids:
                body += struct.pack("!HH", code, len(ids[key])) + ids[key]
        if "addr" in f or "iaid" in f:
            iaaddr = b""
            if "addr" in f:
                iaaddr = ip(f["addr"]) + struct.pack("!II", 3600, 7200)
                iaaddr = struct.pack("!HH", 5, len(iaaddr)) + iaaddr
            t1, t2 = (0, 0) if client else (1800, 2880)     # RFC 8415, 21.4
            ia = struct.pack("!III", num(f.get("iaid", "1")), t1, t2) + iaaddr
            body += struct.pack("!HH", 3, len(ia)) + ia
    f["payload"] = "hex:" + body.hex()
    f["nonce"] = "0"
    return build_udp(f)


def build_eth(f):
    return num(f.get("ethertype", "0x88b5")), payload_of(f)


BUILDERS = {
    "udp": build_udp, "tcp": build_tcp, "icmp": build_icmp, "icmp6": build_icmp6,
    "ip4": build_ip4, "ip6": build_ip6, "arp": build_arp, "ns": build_ns,
    "na": build_na, "rs": build_rs, "ra": build_ra, "mld2": build_mld2,
    "dhcp4": build_dhcp4, "eth": build_eth, "dhcp6": build_dhcp6,
    "redirect4": build_redirect4, "redirect6": build_redirect6,
}


def build(spec):
    words = shlex.split(spec)
    if not words:
        raise Error("empty frame spec")
    kind, f = words[0], {}
    for w in words[1:]:
        k, eq, v = w.partition("=")
        if not eq:
            raise Error("frame spec: %r is not key=value" % w)
        f[k] = v
    if kind == "raw":
        frame = bytes.fromhex(f["hex"])
    else:
        if kind not in BUILDERS:
            raise Error("unknown frame kind %r (known: %s, raw)" % (kind, ", ".join(sorted(BUILDERS))))
        try:
            ethertype, payload = BUILDERS[kind](f)
        except KeyError as e:
            raise Error("frame %s needs %s=" % (kind, e.args[0]))
        dst = f.get("dst_mac")
        if dst is None and "dst_ip" in f:
            m = multicast_mac(f["dst_ip"])
            dst = m and ":".join("%02x" % b for b in m)
        if dst is None:
            raise Error("frame %s needs dst_mac=" % kind)
        if "src_mac" not in f:
            raise Error("frame %s needs src_mac=" % kind)
        tags = b""
        if f.get("vlan"):
            vlans = f["vlan"].split(",")
            for i, v in enumerate(vlans):
                vid, _, pcp = v.partition(":")
                tpid = ETH_P_8021AD if (i == 0 and len(vlans) > 1) else ETH_P_8021Q
                tags += struct.pack("!HH", tpid, (int(pcp or 0) << 13) | int(vid))
        if "frag6" in f:
            payload = ipv6_fragment(f, payload)
        ethertype = num(f.get("ethertype", str(ethertype)))
        frame = mac(dst) + mac(f["src_mac"]) + tags + struct.pack("!H", ethertype) + payload
    if "pad" in f and len(frame) < int(f["pad"]):
        frame += b"\0" * (int(f["pad"]) - len(frame))
    if "truncate" in f:
        frame = frame[:int(f["truncate"])]
    return frame


# --- commands --------------------------------------------------------------

def matches(got, want):
    return got[:len(want)] == want and not any(got[len(want):])


def summary(spec):
    return spec if len(spec) < 300 else spec[:300] + "..."


def cmd_send_expect(a, out):
    name = a.name or "%s %s -> %s" % (a.expect, a.from_, ",".join(a.to))
    frame = build(a.frame)
    socks = {}
    try:
        for t in a.to:
            socks[t] = open_socket(t)
        tx = open_socket(a.from_)
        try:
            for _ in range(a.count):
                tx.send(frame)
        finally:
            tx.close()
        t0 = time.monotonic()
        wait = a.timeout if a.expect == "arrive" else a.drop_wait
        seen = {}
        while len(seen) < len(socks):
            left = t0 + wait - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(socks.values()), [], [], left)
            for t, s in socks.items():
                if s not in ready:
                    continue
                while True:
                    r = recv_frame(s)
                    if r is None:
                        break
                    data, pkttype = r
                    if pkttype != PACKET_OUTGOING and matches(data, frame) and t not in seen:
                        seen[t] = time.monotonic() - t0
    finally:
        for s in socks.values():
            s.close()
    fails = 0
    for t in a.to:
        label = name if len(a.to) == 1 else "%s (at %s)" % (name, t)
        if a.expect == "arrive":
            if t in seen:
                out("ok", label, "arrived at %s after %.0f ms" % (t, seen[t] * 1000))
            else:
                fails += 1
                out("FAIL", label, "expected the frame to arrive at %s within %.1f s; "
                    "saw: it did not (sent from %s: %s; %d bytes: %s)"
                    % (t, a.timeout, a.from_, summary(a.frame), len(frame), frame.hex()))
        else:
            if t in seen:
                fails += 1
                out("FAIL", label, "expected the frame to be dropped; saw: it arrived at %s "
                    "after %.0f ms (sent from %s: %s)" % (t, seen[t] * 1000, a.from_, summary(a.frame)))
            else:
                out("ok", label, "not seen at %s within %.1f s" % (t, a.drop_wait))
    return fails


def cmd_dhcp_rogue(a, out):
    """A rogue DHCP server that knows every transaction: it watches
    --listen (the victim's own interface, say: frames it sends included)
    for DHCP DISCOVERs and REQUESTs, and answers each from --from with an
    OFFER or ACK of --yiaddr, naming --router, for --duration seconds.
    --v6: DHCPv6 instead; SOLICITs and REQUESTs (UDP 546 -> 547) answered
    with an ADVERTISE or REPLY of --yiaddr6 (see dhcp6_answer), from
    --server (default: --from's link-local address).  Prints what it
    answered."""
    if a.v6:
        if not a.yiaddr6:
            raise Error("dhcp-rogue --v6 needs --yiaddr6")
        a.server = a.server or link_local(a.from_)
    elif not (a.server and a.yiaddr and a.router):
        raise Error("dhcp-rogue needs --server, --yiaddr and --router (or --v6 --yiaddr6)")
    rx = open_socket(a.listen)
    tx = open_socket(a.from_)
    if a.background:
        stop = threading.Event()
        log = []
        th = threading.Thread(target=dhcp_rogue_loop, args=(a, rx, tx, stop, log.append), daemon=True)
        BACKGROUND[a.background] = (th, stop, log)
        th.start()
        return 0
    print("ready", flush=True)
    dhcp_rogue_loop(a, rx, tx, threading.Event(), lambda m: print(m, flush=True))
    return 0


def cmd_bg_stop(a, out):
    """Stop background job NAME (dhcp-rogue --background NAME); print
    what it logged."""
    th, stop, log = BACKGROUND.pop(a.name)
    stop.set()
    th.join()
    for line in log:
        out("=", "", line)
    return 0


BACKGROUND = {}


def dhcp_rogue_loop(a, rx, tx, stop, say):
    answer = dhcp6_answer if a.v6 else dhcp4_answer
    answered = []
    try:
        t_end = time.monotonic() + a.duration
        while not stop.is_set():
            left = min(t_end - time.monotonic(), 0.2)
            if t_end <= time.monotonic():
                break
            select.select([rx], [], [], left)
            while True:
                r = recv_frame(rx)
                if r is None:
                    break
                got = answer(a, r[0])
                if got is None:
                    continue
                frame, msg, xid = got
                if frame is None:
                    say("ignored %s xid %#x" % (msg, xid))
                    continue
                tx.send(frame)
                answered.append(msg)
                say("answered %s xid %#x" % (msg, xid))
    finally:
        rx.close()
        tx.close()
    say("answered: %s" % (" ".join(answered) or "nothing"))


def dhcp4_answer(a, data):
    """The rogue's OFFER to a DISCOVER, ACK to a REQUEST in frame data:
    (frame, message name, xid); None for anything else."""
    f = dissect(data)
    if f.get("dport") != "67" or f.get("dhcp_type") not in ("discover", "request"):
        return None
    if f.get("ethertype") != "0x0800":
        return None
    l4 = 14 + (data[14] & 15) * 4
    bootp = data[l4 + 8:]
    xid = struct.unpack_from("!I", bootp, 4)[0]
    chaddr = ":".join("%02x" % b for b in bootp[28:34])
    msg = "offer" if f["dhcp_type"] == "discover" else "ack"
    return (build("dhcp4 msg=%s src_mac=%s dst_mac=ff:ff:ff:ff:ff:ff src_ip=%s "
                  "xid=%d chaddr=%s yiaddr=%s router=%s"
                  % (msg, a.src_mac, a.server, xid, chaddr, a.yiaddr, a.router)), msg, xid)


def dhcp6_answer(a, data):
    """The v6 rogue's ADVERTISE to a SOLICIT, REPLY to a REQUEST in frame
    data: from --src-mac and --server to the client's MAC and address,
    with its transaction id, its Client Identifier echoed, a Server
    Identifier (the DUID-LL of --src-mac) and an IA_NA (the client's IAID)
    of --yiaddr6.  A REQUEST that names another server is not answered
    (RFC 8415, 16.4), so a real server run from this code leaves alone
    what a client asks of another: (None, "request for another server",
    xid).  None for anything else, and for a message without a Client
    Identifier."""
    f, l4 = dissect_at(data)
    if (f.get("sport"), f.get("dport")) != ("546", "547") or \
            f.get("dhcp6_type") not in ("solicit", "request"):
        return None
    body = data[l4 + 8:l4 + struct.unpack_from("!H", data, l4 + 4)[0]]
    if len(body) < 4:
        return None
    xid = struct.unpack("!I", body[:4])[0] & 0xFFFFFF
    opts = dhcp6_options(body[4:])
    cid, sid, ia = (dhcp6_option(opts, c) for c in (1, 2, 3))
    if cid is None:
        return None
    if f["dhcp6_type"] == "request" and sid != struct.pack("!HH", 3, 1) + mac(a.src_mac):
        return None, "request for another server", xid
    iaid = struct.unpack("!I", ia[:4])[0] if ia is not None and len(ia) >= 4 else 1
    msg = "advertise" if f["dhcp6_type"] == "solicit" else "reply"
    return (build("dhcp6 msg=%s src_mac=%s src_ip=%s dst_mac=%s dst_ip=%s xid=%d cid=%s "
                  "iaid=%d addr=%s" % (msg, a.src_mac, a.server, f["eth_src"], f["ip_src"],
                                       xid, cid.hex(), iaid, a.yiaddr6)), msg, xid)


def dhcp6_options(body):
    """The options of a DHCPv6 message (what follows its type and
    transaction id) or of an IA_NA (what follows IAID, T1 and T2): a
    list of (code, data), in order."""
    opts = []
    while len(body) >= 4:
        code, ln = struct.unpack("!HH", body[:4])
        opts.append((code, body[4:4 + ln]))
        body = body[4 + ln:]
    return opts


def dhcp6_option(opts, code):
    """The data of the first option code of opts, None if it has none."""
    return next((d for c, d in opts if c == code), None)


def dhcp6_leased(opts):
    """The first address that opts' IA_NAs lease (an IA Address option in
    an IA_NA without a Status Code other than Success), None if none."""
    for code, ia in opts:
        if code != 3 or len(ia) < 12:
            continue
        inner = dhcp6_options(ia[12:])
        st = dhcp6_option(inner, 13)
        if st is not None and st[:2] != b"\0\0":
            continue
        for c, d in inner:
            if c == 5 and len(d) >= 24:
                return socket.inet_ntop(socket.AF_INET6, d[:16])
    return None


def link_local(endpoint):
    """The link-local address of NS:IF (one past duplicate address
    detection)."""
    ns, ifname = parse_endpoint(endpoint)
    with Netns(ns):
        with open("/proc/thread-self/net/if_inet6") as fh:
            rows = [line.split() for line in fh]
    for r in rows:
        # address, ifindex, prefix length, scope, flags, name
        if len(r) == 6 and r[5] == ifname and int(r[3], 16) == 0x20 and \
                not int(r[4], 16) & 0x48:       # IFA_F_TENTATIVE, IFA_F_DADFAILED
            return socket.inet_ntop(socket.AF_INET6, bytes.fromhex(r[0]))
    raise Error("%s: no link-local address (none, or not past DAD)" % endpoint)


def cmd_dhcp6_client(a, out):
    """A minimal DHCPv6 client (RFC 8415's four messages, one IA_NA) at
    --on NS:IF: a SOLICIT from the interface's link-local address to
    ff02::1:2, with a Client Identifier (the DUID-LL of --mac) and an
    IA_NA, sent up to --tries times, --timeout seconds apart, until an
    ADVERTISE comes that has its transaction id, its Client Identifier, a
    Server Identifier and an address in an IA_NA; then a REQUEST naming
    that server and address, the same way, until a REPLY from that
    server leases an address.  Answers are read from a UDP socket bound
    to port 546 in the namespace: what the interface's stack takes in, as
    a client's own socket would.  The leased address is configured on the
    interface ("ip -6 addr add ADDR/128 dev IF nodad" in the namespace),
    and "lease ADDR from SERVER" printed (SERVER: the REPLY's source
    address), or "no lease".  Either is status 0; anything else that goes
    wrong is an error (status non-zero, nothing printed)."""
    ns, ifname = parse_endpoint(a.on)
    src = link_local(a.on)
    duid = struct.pack("!HH", 3, 1) + mac(a.mac)
    with Netns(ns):
        rx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        try:
            rx.bind(("::", 546))
        except OSError as e:
            rx.close()
            raise Error("%s: bind [::]:546: %s" % (a.on, e.strerror))
    try:
        tx = open_socket(a.on)
        try:
            lease = dhcp6_exchange(a, tx, rx, "solicit", src, duid, None)
            if lease is not None:
                lease = dhcp6_exchange(a, tx, rx, "request", src, duid, lease)
        finally:
            tx.close()
    finally:
        rx.close()
    if lease is None:
        out("=", "", "no lease")
        return 0
    _sid, addr, server = lease
    cmd = ["ip"] + (["-n", ns] if ns else []) + ["-6", "addr", "add", addr + "/128",
                                                 "dev", ifname, "nodad"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode != 0:
        raise Error("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stdout.strip()))
    out("=", "", "lease %s from %s" % (addr, server))
    return 0


def dhcp6_exchange(a, tx, rx, msg, src, duid, chosen):
    """One exchange of cmd_dhcp6_client: msg ("solicit", or "request" to
    chosen, an earlier answer's (server DUID, address, server)) sent up
    to a.tries times, a.timeout seconds apart, with one transaction id;
    the first valid answer's (server DUID, address, server address), or
    None."""
    xid = random.randrange(1, 1 << 24)
    spec = "dhcp6 msg=%s src_mac=%s src_ip=%s xid=%d cid=%s iaid=1" % (msg, a.mac, src, xid, duid.hex())
    if chosen is not None:
        spec += " sid=%s addr=%s" % (chosen[0].hex(), chosen[1])
    frame = build(spec)
    want = DHCP6_TYPES["advertise" if msg == "solicit" else "reply"]
    for _ in range(a.tries):
        tx.send(frame)
        t_end = time.monotonic() + a.timeout
        while True:
            left = t_end - time.monotonic()
            if left <= 0:
                break
            if not select.select([rx], [], [], left)[0]:
                continue
            data, peer = rx.recvfrom(65535)
            if peer[1] != 547 or len(data) < 4 or data[0] != want or \
                    struct.unpack("!I", data[:4])[0] & 0xFFFFFF != xid:
                continue
            opts = dhcp6_options(data[4:])
            sid = dhcp6_option(opts, 2)
            addr = dhcp6_leased(opts)
            if dhcp6_option(opts, 1) != duid or sid is None or addr is None or \
                    (chosen is not None and sid != chosen[0]):
                continue
            return sid, addr, peer[0].partition("%")[0]
    return None


def read_counters(ns, bridges=False):
    """Every bound port's counters in namespace ns: {ifname: {key: n}},
    keys passed, dropped and the drop reasons ("vmfencectl -j stats").
    With bridges, also each bridge's unbound drops ("-j bridge show"), as
    {"bridge:BR": {"dropped": n, "unbound": n}}."""
    d = run_ctl(ns, ["-j", "stats"])
    res = {}
    for p in d.get("ports", []):
        c = {"passed": p["passed"], "dropped": p["dropped"]}
        c.update(p["drops"])
        res[p["ifname"]] = c
    if bridges:
        for b in run_ctl(ns, ["-j", "bridge", "show"]):
            n = b.get("unbound_drops", 0)
            res["bridge:" + b["ifname"]] = {"dropped": n, "unbound": n}
    return res


def counter_problems(before, after, want):
    """What is wrong with the move from before to after (each {key: n}):
    the one counter check of the tests, for verdicts and for
    tests/lib.sh's expect_counters (through counter-check).  want maps a
    key to a delta (an int, or "+": moved); drop reasons not named must
    not move; "dropped" must move by the sum of the named reasons' deltas
    unless it is named itself or a reason is "+"; "passed" is checked only
    if named.  An empty list if nothing is."""
    bad = []
    for k in want:
        if k not in after:
            bad.append("no counter %s" % k)
    total, plus = 0, False
    for k in sorted(after):
        d = after[k] - before.get(k, 0)
        w = want.get(k)
        if k in ("passed", "dropped") and w is None:
            continue
        w = 0 if w is None else w
        if w == "+":
            if d <= 0:
                bad.append("%s moved by %d, expected it to move" % (k, d))
            plus = plus or k != "passed"
        else:
            if d != w:
                bad.append("%s moved by %d, expected %d" % (k, d, w))
            if k not in ("passed", "dropped"):
                total += w
    if "dropped" not in want and not plus and "dropped" in after:
        d = after["dropped"] - before.get("dropped", 0)
        if d != total:
            bad.append("dropped moved by %d, expected %d" % (d, total))
    return bad


def parse_counter_words(words):
    """{key: n} from "passed=N dropped=N REASON=N ..." (what "pkt.py
    counters" prints), None if it is not that (an error message)."""
    if not words.startswith("passed="):
        return None
    try:
        return {k: int(v) for k, _, v in (w.partition("=") for w in words.split())}
    except ValueError:
        return None


def parse_want(words):
    """{key: delta} from words "KEY=N" or "KEY=+"."""
    want = {}
    for w in words:
        k, _, v = w.partition("=")
        want[k] = v if v == "+" else int(v)
    return want


def cmd_counter_check(a, out):
    """expect_counters NAME BEFORE AFTER WANT... of tests/lib.sh: BEFORE
    and AFTER as "pkt.py counters DEV" prints them, judged by
    counter_problems.  One check, NAME."""
    before, after = parse_counter_words(a.before), parse_counter_words(a.after)
    if before is None or after is None:
        out("FAIL", a.name, "counters unreadable: before: '%s' after: '%s'" % (a.before, a.after))
        return 1
    bad = counter_problems(before, after, parse_want(a.want))
    if not bad:
        out("ok", a.name, "counters as expected")
        return 0
    out("FAIL", a.name, "expected: %s; saw: %s; before: %s; after: %s"
        % (" ".join(a.want) or "no drop", "; ".join(bad), a.before, a.after))
    return 1


def only_passed_extra(before, after, want):
    """Whether the only thing wrong with the move from before to after is
    that "passed" moved by more than want says (frames of the VM's own
    stack): the one mismatch a verdict measures again."""
    if after is None or "passed" not in want or "passed" not in after:
        return False
    rest = dict(want)
    del rest["passed"]
    if counter_problems(before, after, rest):
        return False
    d = after["passed"] - before.get("passed", 0)
    return want["passed"] != "+" and d > want["passed"]


def format_counters(c):
    keys = ["passed", "dropped"] + sorted(k for k in c if k not in ("passed", "dropped"))
    return " ".join("%s=%d" % (k, c[k]) for k in keys if k in c)


def cmd_verdicts(a, out):
    """A table of frames, each sent in turn; the counters of a port are
    read after each, and what arrived is judged once at the end (one wait
    for the whole table, not one per frame).  Lines of --file, tab-
    separated: NAME VIF arrive|drop FROM TO[,TO...] FRAME [WANT [COUNT]]
    with VIF "-" for no counter check, "bridge:BR" for bridge BR's
    unbound drops (a port with no binding: "unbound=1"), and WANT the
    expected moves ("REASON=N passed=+ ...", as expect_counters).
    Checks: "NAME: received" or "NAME: not received" (per receiver when
    several) and "NAME: VIF WANT"."""
    steps = []
    with open(a.file) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) < 6:
                raise Error("verdicts: bad line %r" % line)
            name, vif, expect, from_, to, spec = cols[:6]
            wants = cols[6].split() if len(cols) > 6 else []
            count = int(cols[7]) if len(cols) > 7 and cols[7] else 1
            want = {}
            for w in wants:
                k, _, v = w.partition("=")
                want[k] = v if v == "+" else int(v)
            steps.append({"name": name, "vif": vif, "expect": expect, "from": from_,
                          "to": [t for t in to.split(",") if t], "spec": spec,
                          "want": want, "count": count, "seen": set(),
                          "frame": build(spec)})
    socks, txs = {}, {}
    fails = 0
    try:
        for st in steps:
            for t in st["to"]:
                if t not in socks:
                    socks[t] = open_socket(t)
            if st["from"] not in txs:
                txs[st["from"]] = open_socket(st["from"])
        got = []

        def drain():
            for t, sk in socks.items():
                while True:
                    r = recv_frame(sk)
                    if r is None:
                        break
                    if r[1] != PACKET_OUTGOING:
                        got.append((t, r[0]))

        counters = None
        for st in steps:
            # Bridges' counters only for a bridge's step (one more
            # vmfencectl each read); read afresh when the last read
            # lacks this step's.
            bridges = st["vif"].startswith("bridge:")
            if st["vif"] != "-" and (counters is None or st["vif"] not in counters):
                counters = read_counters(a.ns, bridges)
            # A frame of the VM's own stack (a late MLD report, say) may
            # pass in the same window, most often on a slow kernel: when
            # "passed" moved by more than expected and nothing else is
            # amiss, the frame is measured once more, from fresh counters.
            # Any other mismatch (a drop counter, "passed" short) is a
            # failure at once: a second try must not hide it.
            for attempt in (1, 2):
                for _ in range(st["count"]):
                    txs[st["from"]].send(st["frame"])
                drain()
                if st["vif"] == "-":
                    break
                t_end = time.monotonic() + a.settle
                while True:
                    time.sleep(0.02)
                    after = read_counters(a.ns, bridges)
                    if st["vif"] not in after:
                        bad = ["no counters for %s" % st["vif"]]
                    else:
                        bad = counter_problems(counters.get(st["vif"], {}), after[st["vif"]],
                                               st["want"])
                    if not bad or time.monotonic() > t_end:
                        break
                if not bad or attempt == 2 or \
                        not only_passed_extra(counters.get(st["vif"], {}), after.get(st["vif"]), st["want"]):
                    break
                first = "; ".join(bad)
                counters = after
            if st["vif"] == "-":
                counters = None
                continue
            want = " ".join("%s=%s" % kv for kv in st["want"].items()) or "no drop"
            label = "%s: %s %s" % (st["name"], st["vif"], want)
            if attempt == 2:
                print("pkt: %s: measured twice (the first time: %s)" % (label, first),
                      file=sys.stderr)
            if bad:
                fails += 1
                out("FAIL", label, "expected: %s; saw: %s; before: %s; after: %s"
                    % (want, "; ".join(bad), format_counters(counters.get(st["vif"], {})),
                       format_counters(after.get(st["vif"], {}))))
            else:
                out("ok", label, "counters as expected")
            counters = after
        # One wait for the whole table.
        t0 = time.monotonic()
        while True:
            drain()
            for st in steps:
                for t, data in got:
                    if t in st["to"] and matches(data, st["frame"]):
                        st["seen"].add(t)
            pending = any(st["expect"] == "arrive" and len(st["seen"]) < len(st["to"]) for st in steps)
            left = t0 + (a.timeout if pending else a.drop_wait) - time.monotonic()
            if left <= 0:
                break
            select.select(list(socks.values()), [], [], min(left, 0.1))
    finally:
        for sk in list(socks.values()) + list(txs.values()):
            sk.close()
    for st in steps:
        for t in st["to"]:
            label = st["name"] + (": received" if st["expect"] == "arrive" else ": not received")
            if len(st["to"]) > 1:
                label += " (at %s)" % t
            if (t in st["seen"]) == (st["expect"] == "arrive"):
                out("ok", label, "%s at %s" % ("arrived" if t in st["seen"] else "not seen", t))
            else:
                fails += 1
                out("FAIL", label, "expected the frame %s %s; saw: %s (sent from %s: %s; %s)"
                    % ("to arrive at" if st["expect"] == "arrive" else "not to reach", t,
                       "it arrived" if t in st["seen"] else "it did not arrive",
                       st["from"], summary(st["spec"]), st["frame"].hex()))
    return fails


def cmd_send(a, out):
    frame = build(a.frame)
    tx = open_socket(a.from_)
    try:
        for i in range(a.count):
            if i and a.interval:
                time.sleep(a.interval)
            if a.vary_src_mac:
                frame = frame[:6] + b"\x02\x5a" + struct.pack("!I", i) + frame[12:]
            tx.send(frame)
    finally:
        tx.close()
    return 0


# --- a VM's virtio-net NIC: a tap with a virtio-net header ------------------

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
VIRTIO_NET_HDR_F_NEEDS_CSUM = 1


TAPS = {}


def open_tap(endpoint):
    """The queue of tap TAP in namespace NS (it must exist, made with "ip
    tuntap add ... mode tap vnet_hdr"), as QEMU opens it: non-blocking,
    every frame preceded by a 10-byte virtio_net_hdr.  It stays open (in
    serve mode, until the file ends): the tap has carrier only while a
    queue is attached, and a bridge port comes up a moment after."""
    import fcntl
    if endpoint in TAPS:
        return TAPS[endpoint]
    ns, name = parse_endpoint(endpoint)
    with Netns(ns):
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(),
                                               IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
    except OSError as e:
        os.close(fd)
        raise Error("%s: TUNSETIFF: %s" % (endpoint, e.strerror))
    TAPS[endpoint] = fd
    return fd


def cmd_tap_open(a, out):
    open_tap(a.tap)
    return 0


def ones_add(a, b):
    s = a + b
    return (s & 0xFFFF) + (s >> 16)


def steer_word(frame, start, offset, value):
    """The frame with its last two bytes set so that the checksum the host
    completes (skb_checksum_help(): the one's complement of the folded sum
    of every byte from START, written at START + OFFSET) is VALUE.  The
    last word must sit at an even distance from START."""
    if (len(frame) - 2 - start) % 2:
        raise Error("steer: the last word is not aligned to the checksum start")
    body = frame[:-2] + b"\0\0"
    data = body[start:]
    total = 0
    for i in range(0, len(data), 2):
        total = ones_add(total, struct.unpack("!H", data[i:i + 2])[0])
    # fold(total + W) must be ~VALUE: W = ~VALUE - total, one's complement.
    w = ones_add(~value & 0xFFFF, ~total & 0xFFFF)
    return body[:-2] + struct.pack("!H", w)


def pseudo_field(frame, start, offset):
    """The frame with the transport checksum at START + OFFSET set as a
    sending stack leaves it for the device to complete: the folded sum of
    the pseudo-header (IPv4 or IPv6, untagged)."""
    et = struct.unpack_from("!H", frame, 12)[0]
    if et == ETH_P_IP:
        ihl = (frame[14] & 0xF) * 4
        proto = frame[23]
        pseudo = frame[26:34] + struct.pack("!BBH", 0, proto, len(frame) - 14 - ihl)
    elif et == ETH_P_IPV6:
        plen = struct.unpack_from("!H", frame, 18)[0]
        pseudo = frame[22:54] + struct.pack("!IxxxB", plen, frame[20])
    else:
        raise Error("--pseudo: neither IPv4 nor IPv6")
    total = 0
    for i in range(0, len(pseudo), 2):
        total = ones_add(total, struct.unpack("!H", pseudo[i:i + 2])[0])
    pos = start + offset
    return frame[:pos] + struct.pack("!H", total) + frame[pos + 2:]


def cmd_vnet_send(a, out):
    frame = build(a.frame)
    flags = 0
    start = offset = 0
    if a.csum_start is not None:
        flags = VIRTIO_NET_HDR_F_NEEDS_CSUM
        start, offset = a.csum_start, a.csum_offset
        if a.pseudo:
            frame = pseudo_field(frame, start, offset)
        if a.steer is not None:
            frame = steer_word(frame, start, offset, num(a.steer))
    # hdr_len: tun refuses one shorter than the Ethernet header.
    hdr_len = max(14, start + offset + 2) if flags else 0
    hdr = struct.pack("<BBHHHH", flags, 0, hdr_len, 0, start, offset)
    fd = open_tap(a.tap)
    while True:             # what the host sent before is not a reply
        try:
            os.read(fd, 65536)
        except BlockingIOError:
            break
    os.write(fd, hdr + frame)
    if not a.expect_reply:
        return 0
    want = {}
    for w in shlex.split(a.expect_reply):
        k, _, v = w.partition("=")
        want[k] = norm_match(k, v)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        select.select([fd], [], [], max(0, deadline - time.monotonic()))
        try:
            data = os.read(fd, 65536)[10:]
        except BlockingIOError:
            continue
        f = dissect(data)
        if all(f.get(k) == v for k, v in want.items()):
            out("ok", a.name, "the reply came back to %s: %s" % (a.tap, f))
            return 0
    out("FAIL", a.name, "expected a frame with %s back at %s within %.1f s; saw none"
        % (a.expect_reply, a.tap, a.timeout))
    return 1


SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17


def cmd_txcsum(a, out):
    import fcntl
    ns, ifname = parse_endpoint(a.dev)
    with Netns(ns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        val = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM,
                                                      1 if a.state == "on" else 0))
        ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(val))
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    except OSError as e:
        raise Error("%s: ETHTOOL_STXCSUM: %s" % (a.dev, e.strerror))
    finally:
        s.close()
    return 0


def cmd_build(a, out):
    print(build(a.frame).hex(), flush=True)
    return 0


def default_ctl():
    return os.environ.get("VMFENCE_CTL") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "ctl", "vmfencectl")


def run_ctl(ns, args):
    """vmfencectl ARGS inside namespace ns: its parsed JSON output."""
    with Netns(ns):
        r = subprocess.run([default_ctl()] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode != 0:
        raise Error("vmfencectl %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                     r.stderr.strip() or r.stdout.strip()))
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Error("vmfencectl %s: not JSON (%s): %r" % (" ".join(args), e, r.stdout[:500]))


def format_value(r):
    if isinstance(r, list) and all(not isinstance(x, (dict, list)) for x in r):
        return [str(x) for x in r]
    if isinstance(r, (dict, list)):
        return [json.dumps(r, sort_keys=True)]
    return [str(r)]


def cmd_ctl_json(a, out):
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    d = run_ctl(a.ns, args)
    # P: the list of ports, whatever the command printed ("port show" a
    # list, "stats" an object with "ports").
    if isinstance(d, list):
        ports = d
    elif isinstance(d, dict) and "ports" in d:
        ports = d["ports"]
    else:
        ports = [d]
    for v in format_value(eval(a.expr, {"d": d, "P": ports})):
        out("=", "", v)
    return 0


def cmd_counters(a, out):
    d = run_ctl(a.ns, ["-j", "stats", a.dev])
    try:
        p = d["ports"][0]
        words = ["passed=%d" % p["passed"], "dropped=%d" % p["dropped"]]
        words += ["%s=%d" % kv for kv in sorted(p["drops"].items())]
    except (KeyError, IndexError, TypeError) as e:
        raise Error("vmfencectl -j stats %s: unexpected JSON (%r): %s" % (a.dev, e, json.dumps(d)[:500]))
    out("=", "", " ".join(words))
    return 0


# --- watching what the kernels send ----------------------------------------

WATCHES = {}


def dissect(data):
    """The fields watch-check can match, from a frame's bytes."""
    return dissect_at(data)[0]


def dissect_at(data):
    """dissect(data), and the offset in data of the upper-layer header
    (after IPv6 extension headers; None if there is none)."""
    f = {}
    if len(data) < 14:
        return f, None
    f["eth_dst"] = ":".join("%02x" % b for b in data[0:6])
    f["eth_src"] = ":".join("%02x" % b for b in data[6:12])
    off = 12
    et = struct.unpack_from("!H", data, off)[0]
    while et in (ETH_P_8021Q, ETH_P_8021AD) and len(data) >= off + 6:
        off += 4
        et = struct.unpack_from("!H", data, off)[0]
    off += 2
    f["ethertype"] = "0x%04x" % et
    l4 = None
    if et == ETH_P_ARP and len(data) >= off + 28:
        f["arp_op"] = str(struct.unpack_from("!H", data, off + 6)[0])
        f["arp_sha"] = ":".join("%02x" % b for b in data[off + 8:off + 14])
        f["arp_spa"] = socket.inet_ntop(socket.AF_INET, data[off + 14:off + 18])
        f["arp_tpa"] = socket.inet_ntop(socket.AF_INET, data[off + 24:off + 28])
        return f, None
    if et == ETH_P_IP and len(data) >= off + 20:
        ihl = (data[off] & 15) * 4
        f["ip_src"] = socket.inet_ntop(socket.AF_INET, data[off + 12:off + 16])
        f["ip_dst"] = socket.inet_ntop(socket.AF_INET, data[off + 16:off + 20])
        proto = data[off + 9]
        l4 = off + ihl
    elif et == ETH_P_IPV6 and len(data) >= off + 40:
        f["ip_src"] = socket.inet_ntop(socket.AF_INET6, data[off + 8:off + 24])
        f["ip_dst"] = socket.inet_ntop(socket.AF_INET6, data[off + 24:off + 40])
        proto = data[off + 6]
        l4 = off + 40
        while proto in (0, 43, 60, 44) and len(data) >= l4 + 8:
            nxt = data[l4]
            l4 += 8 if proto == 44 else (data[l4 + 1] + 1) * 8
            proto = nxt
    if l4 is None:
        return f, None
    f["proto"] = str(proto)
    if proto in (6, 17) and len(data) >= l4 + 4:
        f["sport"], f["dport"] = (str(x) for x in struct.unpack_from("!HH", data, l4))
        if proto == 17 and f["dport"] in ("67", "68"):
            opts = data[l4 + 8 + 240:]
            while len(opts) >= 2 and opts[0] != 255:
                if opts[0] == 0:
                    opts = opts[1:]
                    continue
                if opts[0] == 53 and opts[1] >= 1:
                    f["dhcp_type"] = {v: k for k, v in DHCP_TYPES.items()}.get(opts[2], str(opts[2]))
                opts = opts[2 + opts[1]:]
        if proto == 17 and et == ETH_P_IPV6 and len(data) > l4 + 8 and \
                (f["sport"], f["dport"]) in (("546", "547"), ("547", "546"), ("547", "547")):
            f["dhcp6_type"] = {v: k for k, v in DHCP6_TYPES.items()}.get(data[l4 + 8], str(data[l4 + 8]))
    elif proto in (1, 58) and len(data) >= l4 + 1:
        f["icmp_type"] = str(data[l4])
        if proto == 58 and data[l4] in (135, 136) and len(data) >= l4 + 24:
            f["nd_target"] = socket.inet_ntop(socket.AF_INET6, data[l4 + 8:l4 + 24])
    return f, l4


def norm_match(k, v):
    if k in ("ip_src", "ip_dst", "nd_target", "arp_spa", "arp_tpa"):
        return socket.inet_ntop(socket.AF_INET6 if is_v6(v) else socket.AF_INET, ip(v))
    if k in ("eth_src", "eth_dst", "arp_sha"):
        return ":".join("%02x" % b for b in mac(v))
    if k == "ethertype":
        return "0x%04x" % int(v, 0)
    return v


def cmd_watch_start(a, out):
    if a.at in WATCHES:
        WATCHES.pop(a.at).close()
    WATCHES[a.at] = open_socket(a.at)
    return 0


def cmd_watch_check(a, out):
    name = a.name or "watch %s at %s" % (a.match, a.at)
    want = {}
    for w in shlex.split(a.match):
        k, _, v = w.partition("=")
        want[k] = norm_match(k, v)
    s = WATCHES.pop(a.at, None)
    if s is None:
        raise Error("no watch-start --at %s before watch-check" % a.at)
    t0 = time.monotonic()
    wait = a.timeout if a.expect == "arrive" else a.drop_wait
    found = None
    try:
        while found is None:
            r = recv_frame(s)
            if r is None:
                left = t0 + wait - time.monotonic()
                if left <= 0:
                    break
                select.select([s], [], [], left)
                continue
            data, pkttype = r
            if pkttype == PACKET_OUTGOING:
                continue
            f = dissect(data)
            if all(f.get(k) == v for k, v in want.items()):
                found = f
    finally:
        s.close()
    if a.expect == "arrive":
        if found:
            out("ok", name, "seen at %s: %s" % (a.at, found))
            return 0
        out("FAIL", name, "expected a frame with %s at %s; saw: none within %.1f s"
            % (a.match, a.at, wait))
        return 1
    if found:
        out("FAIL", name, "expected no frame with %s at %s; saw: %s" % (a.match, a.at, found))
        return 1
    out("ok", name, "no frame with %s at %s" % (a.match, a.at))
    return 0


def parser():
    p = argparse.ArgumentParser(prog="pkt.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    se = sub.add_parser("send-expect")
    se.add_argument("--from", dest="from_", required=True)
    se.add_argument("--to", action="append", required=True)
    se.add_argument("--frame", required=True)
    se.add_argument("--expect", choices=("arrive", "drop"), required=True)
    se.add_argument("--name")
    se.add_argument("--count", type=int, default=1)
    se.add_argument("--timeout", type=float, default=5.0)
    se.add_argument("--drop-wait", type=float,
                    default=float(os.environ.get("VMFENCE_PKT_DROP_WAIT", "0.5")))
    se.set_defaults(fn=cmd_send_expect)
    s = sub.add_parser("send")
    s.add_argument("--from", dest="from_", required=True)
    s.add_argument("--frame", required=True)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--interval", type=float, default=0.0)
    s.add_argument("--vary-src-mac", action="store_true")
    s.set_defaults(fn=cmd_send)
    vs = sub.add_parser("vnet-send")
    vs.add_argument("--tap", required=True)
    vs.add_argument("--frame", required=True)
    vs.add_argument("--csum-start", type=int)
    vs.add_argument("--csum-offset", type=int)
    vs.add_argument("--steer")
    vs.add_argument("--pseudo", action="store_true")
    vs.add_argument("--expect-reply")
    vs.add_argument("--name", default="vnet-send")
    vs.add_argument("--timeout", type=float, default=5.0)
    vs.set_defaults(fn=cmd_vnet_send)
    to = sub.add_parser("tap-open")
    to.add_argument("--tap", required=True)
    to.set_defaults(fn=cmd_tap_open)
    tx = sub.add_parser("txcsum")
    tx.add_argument("--dev", required=True)
    tx.add_argument("state", choices=("on", "off"))
    tx.set_defaults(fn=cmd_txcsum)
    vd = sub.add_parser("verdicts")
    vd.add_argument("--file", required=True)
    vd.add_argument("--ns", default="host")
    vd.add_argument("--timeout", type=float, default=5.0)
    vd.add_argument("--settle", type=float, default=1.0)
    vd.add_argument("--drop-wait", type=float,
                    default=float(os.environ.get("VMFENCE_PKT_DROP_WAIT", "0.5")))
    vd.set_defaults(fn=cmd_verdicts)
    dr = sub.add_parser("dhcp-rogue")
    dr.add_argument("--listen", required=True)
    dr.add_argument("--from", dest="from_", required=True)
    dr.add_argument("--src-mac", required=True)
    dr.add_argument("--server")
    dr.add_argument("--yiaddr")
    dr.add_argument("--router")
    dr.add_argument("--v6", action="store_true")
    dr.add_argument("--yiaddr6")
    dr.add_argument("--duration", type=float, default=10.0)
    dr.add_argument("--background", metavar="NAME")
    dr.set_defaults(fn=cmd_dhcp_rogue)
    d6 = sub.add_parser("dhcp6-client")
    d6.add_argument("--on", required=True)
    d6.add_argument("--mac", required=True)
    d6.add_argument("--tries", type=int, default=3)
    d6.add_argument("--timeout", type=float, default=2.0)
    d6.set_defaults(fn=cmd_dhcp6_client)
    bs = sub.add_parser("bg-stop")
    bs.add_argument("name")
    bs.set_defaults(fn=cmd_bg_stop)
    b = sub.add_parser("build")
    b.add_argument("--frame", required=True)
    b.set_defaults(fn=cmd_build)
    ws = sub.add_parser("watch-start")
    ws.add_argument("--at", required=True)
    ws.set_defaults(fn=cmd_watch_start)
    wc = sub.add_parser("watch-check")
    wc.add_argument("--at", required=True)
    wc.add_argument("--match", required=True)
    wc.add_argument("--expect", choices=("arrive", "drop"), default="arrive")
    wc.add_argument("--name")
    wc.add_argument("--timeout", type=float, default=5.0)
    wc.add_argument("--drop-wait", type=float,
                    default=float(os.environ.get("VMFENCE_PKT_DROP_WAIT", "0.5")))
    wc.set_defaults(fn=cmd_watch_check)
    cj = sub.add_parser("ctl-json")
    cj.add_argument("--ns", default="host")
    cj.add_argument("--expr", required=True)
    cj.add_argument("args", nargs=argparse.REMAINDER)
    cj.set_defaults(fn=cmd_ctl_json)
    cc = sub.add_parser("counter-check")
    cc.add_argument("--name", required=True)
    cc.add_argument("--before", required=True)
    cc.add_argument("--after", required=True)
    cc.add_argument("want", nargs="*")
    cc.set_defaults(fn=cmd_counter_check)
    c = sub.add_parser("counters")
    c.add_argument("--ns", default="host")
    c.add_argument("dev")
    c.set_defaults(fn=cmd_counters)
    sv = sub.add_parser("serve")
    sv.set_defaults(fn=None)
    r = sub.add_parser("run")
    r.add_argument("file")
    r.set_defaults(fn=None)
    return p


def run_line(p, line, out):
    """One command line; never raises: errors become a FAIL line."""
    words = shlex.split(line)
    if not words or words[0].startswith("#"):
        return 0
    try:
        a = p.parse_args(words)
        if a.fn is None:
            raise Error("%s cannot be nested" % a.cmd)
        return a.fn(a, out)
    except SystemExit:
        out("FAIL", words[0], "bad pkt.py command: %s" % line.strip())
        return 1
    except Exception as e:     # noqa: a test tool reports, never dies
        msg = "%s: %s" % (type(e).__name__, e) if not isinstance(e, Error) else str(e)
        if words[0] in ("ctl-json", "counters"):
            out("!", "", msg)       # no value: the caller's check fails
        else:
            name = words[words.index("--name") + 1] if "--name" in words[:-1] else words[0]
            out("FAIL", name, "pkt.py error: " + msg)
        return 1


def main():
    p = parser()
    a = p.parse_args()

    def out(status, name, detail):
        if status == "=":
            print(detail, flush=True)
        elif status == "!":
            print("pkt.py: " + detail, file=sys.stderr, flush=True)
        else:
            print("%s %s: %s" % (status, name, detail), flush=True)

    if a.cmd == "serve":
        # For tests/lib.sh: tab-separated, and "." after each command.
        def out_tab(status, name, detail):
            print("%s\t%s\t%s" % (status, name or "-", detail), flush=True)
        for line in sys.stdin:
            run_line(p, line, out_tab)
            print(".", flush=True)
        return 0
    if a.cmd == "run":
        fails = 0
        with open(a.file) as fh:
            for line in fh:
                fails += run_line(p, line, out)
        return 1 if fails else 0
    try:
        return 1 if a.fn(a, out) else 0
    except (Error, OSError, ValueError, struct.error) as e:
        print("pkt.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
