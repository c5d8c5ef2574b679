#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tests/policy-test.py: the fuzzers' judge (tests/lib/policy.py) against
README's reason tables, row by row, on this machine (no guest, a second
or so).

README's "What it protects against" is parsed for the reason names of
its three tables (frames from the VM, towards the VM, from ports of a
bridge set to "unbound drop") and for the order of its precedence
paragraph ("A frame that breaks several rules is counted once, under the
first of these that it breaks").  For every row there must be a case
that breaks it (a frame the judge must forbid and count under that
reason) and a case just inside it (the allowed frame next to the
boundary: the last address of a prefix, the byte that completes a
header, the group an exemption names); for every two reasons next to
each other in the precedence paragraph, a frame that breaks both and is
counted under the first (or a note why no frame can break both).  A
reason README gains without cases here fails.  Every case is one check:
the judge's verdict, the reason counted, and the clause of the row it
names (policy.py's tags).  Last line: "N passed, N failed".

Cases marked "reading" test policy.py's reading where README's words
leave room (its docstring lists them).

  tests/policy-test.py [-v] [README]
"""

import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
import policy  # noqa: E402
from policy import (  # noqa: E402
    ALLOW, FORBID, UNDECIDED, Binding, a4, a6, macb, mcast_mac4, mcast_mac6,
    BCAST, BRIDGE_GROUP)

P = struct.pack
Z4, Z16 = b"\0" * 4, b"\0" * 16

# --- README ------------------------------------------------------------------


def readme_tables(path):
    """{"from": [reasons], "to": [...], "unbound": [...]} and the
    precedence paragraph's text, from README's "What it protects
    against"."""
    text = open(path).read()
    sec = text.split("What it protects against\n")[1].split("\nOperator's guide\n")[0]
    tables = {"from": [], "to": [], "unbound": []}
    where = None
    for line in sec.split("\n"):
        if line.startswith("Frames from the VM"):
            where = "from"
        elif line.startswith("Frames towards the VM"):
            where = "to"
        elif line.startswith("From ports of a bridge"):
            where = "unbound"
        elif line and not line.startswith(" "):
            if where and tables[where]:
                where = None            # the table ended
            continue
        m = re.match(r"^  ([a-z][a-z0-9_]*)\s{2,}\S", line)
        if where and m and m.group(1) != "reason":
            tables[where].append(m.group(1))
    para = re.search(r"A frame that breaks several rules is counted once.*?\n\n", sec, re.S)
    return tables, (para.group(0) if para else "")


def precedence_pairs(para, reasons):
    """The pairs of reasons next to each other in the precedence
    paragraph, per segment: [(segment, first, second)].  Parentheticals
    are dropped unless they list reasons ("what the upper layer says
    (router_advert, redirect, ...)")."""
    para = " ".join(para.split())

    def paren(m):
        items = [x.strip().split(" ")[0] for x in m.group(1).split(",")]
        return " " + m.group(1) + " " if all(x in reasons for x in items) else " "
    flat = re.sub(r"\(([^()]*)\)", paren, para)
    head, _, rest = flat.partition("by protocol,")
    pairs = []

    def names(s):
        return [w for w in re.findall(r"[a-z][a-z0-9_]*", s) if w in reasons]
    g = names(head)
    for a, b in zip(g, g[1:]):
        pairs.append(("all", a, b))
    for seg in re.split(r";", rest):
        m = re.match(r"\s*(IPv4|ARP|IPv6|other ethertypes):(.*)", seg)
        if not m:
            continue
        n = names(m.group(2))
        if g:
            pairs.append((m.group(1), g[0], n[0]))
        for a, b in zip(n, n[1:]):
            if a != b:
                pairs.append((m.group(1), a, b))
    return pairs


# --- frames --------------------------------------------------------------------

A_MAC, T_MAC, R_MAC = macb("02:00:00:00:00:01"), macb("02:00:00:00:00:02"), macb("02:00:00:00:00:03")
OTHER_MAC = macb("02:00:00:00:00:55")
A_SPEC = ("mac=02:00:00:00:00:01 ip=10.0.0.1 ip=10.1.0.0/24 ip=2001:db8::1 ip=2001:db8:1::/64 "
          "ip=2001:db8:6:0:8000::/65 ip=fe80::/64 allow-ethertype=0x88b5")
R_SPEC = ("mac=02:00:00:00:00:03 ip=10.0.0.3 ip=10.1.0.77 ip=10.3.0.0/24 ip=2001:db8::3 "
          "ip=2001:db8:1::77 ip=2001:db8:3::/64")
T_SPEC = "mac=02:00:00:00:00:02 mode=trusted"


def bind(spec, *others):
    b = Binding(spec)
    b.held_by([Binding(o) for o in others])
    return b


A = bind(A_SPEC, R_SPEC, T_SPEC)                        # multicast deny
A_ALLOW = bind(A_SPEC + " multicast=allow", R_SPEC, T_SPEC)
A_VLAN = bind(A_SPEC + " allow-ethertype=0x8100", R_SPEC, T_SPEC)
A_NOLL = bind("mac=02:00:00:00:00:01 ip=10.0.0.1", R_SPEC)     # no fe80::/64
A_VRRP = bind(A_SPEC, "mac=02:00:00:00:00:03 ip=10.0.0.1 ip=10.1.0.9")   # both hold 10.0.0.1
R = bind(R_SPEC)
R_PREFIX = bind("mac=02:00:00:00:00:03 ip=10.0.0.0/24 ip=2001:db8::/64", A_SPEC)


def eth(dst, et, payload, src=A_MAC):
    return dst + src + P("!H", et) + payload


def ip4(src, dst, proto, l4, frag=0, opts=b"", tot=None, ihl=None, ver=4):
    hl = ihl if ihl is not None else 5 + len(opts) // 4
    if tot is None:
        tot = 20 + len(opts) + len(l4)
    return P("!BBHHHBBH4s4s", (ver << 4) | hl, 0, tot, 1, frag, 64, proto, 0, a4(src), a4(dst)) + opts + l4


def udp(sp, dp, data=b"\0" * 8):
    return P("!HHHH", sp, dp, 8 + len(data), 0) + data


def tcp(sp=40000, dp=80):
    return P("!HHIIBBHHH", sp, dp, 1, 0, 0x50, 2, 65535, 0, 0)


def icmp(t, body=b"\0" * 4, code=0):
    return P("!BBH", t, code, 0) + body


def ip6(src, dst, nh, body, plen=None):
    return P("!IHBB16s16s", 0x60000000, len(body) if plen is None else plen, nh, 255,
             a6(src), a6(dst)) + body


def opt6(nh, n8=1):
    """A hop-by-hop or destination options header of n8*8 bytes (PadN)."""
    return bytes([nh, n8 - 1, 1, 8 * n8 - 4]) + bytes(8 * n8 - 4)


def frag6(nh, off=0, more=1):
    return P("!BBHI", nh, 0, (off << 3) | more, 7)


def ah(nh, words=1):
    """AH of (words+2)*4 bytes (RFC 4302)."""
    return P("!BBHII", nh, words, 0, 0x100, 1) + bytes((words + 2) * 4 - 12)


def arp(op, sha, spa, tha, tpa, hdr=b"\x00\x01\x08\x00\x06\x04"):
    return hdr + P("!H", op) + sha + a4(spa) + tha + a4(tpa)


def sll(mac, t=1):
    return bytes([t, 1]) + mac


def ns(tgt, opts=b""):
    return icmp(135, Z4 + a6(tgt) + opts)


def na(tgt, opts=b""):
    return icmp(136, b"\x60\0\0\0" + a6(tgt) + opts)


def rs(opts=b""):
    return icmp(133, Z4 + opts)


RA = icmp(134, P("!BBHII", 64, 0, 1800, 0, 0))
REDIRECT6 = icmp(137, Z4 + a6("fe80::1") + a6("2001:db8::2"))
MTU_OPT = b"\x05\x01\0\0" + P("!I", 1500)
NONCE_OPT = b"\x0e\x01" + bytes(6)


def mld(t, grp):
    return icmp(t, Z4 + a6(grp))


MLD2 = icmp(143, P("!HH", 0, 1) + bytes([4, 0, 0, 0]) + a6("ff02::1:ff00:1"))


def bootp(chaddr=A_MAC, htype=1, hlen=6):
    return (P("!BBBBIHH4s4s4s4s16s", 1, htype, hlen, 0, 1, 0, 0x8000, Z4, Z4, Z4, Z4, chaddr + bytes(10))
            + bytes(192) + b"\x63\x82\x53\x63\x35\x01\x01\xff")


def dhcp4(src="0.0.0.0", dst="255.255.255.255", dmac=BCAST, sp=68, dp=67, body=None, opts=b"",
          smac=A_MAC):
    return eth(dmac, 0x0800, ip4(src, dst, 17, udp(sp, dp, bootp() if body is None else body), opts=opts),
               src=smac)


def u4(src="10.0.0.1", dst="10.0.0.3", dmac=R_MAC, sp=40000, dp=9, smac=A_MAC, **kw):
    return eth(dmac, 0x0800, ip4(src, dst, 17, udp(sp, dp), **kw), src=smac)


def u6(src="2001:db8::1", dst="2001:db8::3", dmac=R_MAC, sp=40000, dp=9, smac=A_MAC, chain=b"", nh0=None):
    body = chain + udp(sp, dp)
    return eth(dmac, 0x86DD, ip6(src, dst, 17 if nh0 is None else nh0, body), src=smac)


def v6(src, dst, nh, body, dmac=None, smac=A_MAC, plen=None):
    if dmac is None:
        dmac = mcast_mac6(a6(dst)) if dst.startswith("ff") else R_MAC
    return eth(dmac, 0x86DD, ip6(src, dst, nh, body, plen), src=smac)


def tagged(inner, tpids=(0x8100,), dmac=None):
    tags = b"".join(P("!HH", t, 5) for t in tpids)
    fr = inner[:12] + tags + inner[12:]
    return (dmac + fr[6:]) if dmac else fr


# --- cases -------------------------------------------------------------------

CASES = []


def case(name, fr, want, counted=None, tag=None, b=None, csum=None, to=False, garp_ok=True,
         inside=(), prec=None, port=None, reading=False):
    """want: ALLOW, FORBID or UNDECIDED; counted: the reason (FORBID);
    tag: the clause (policy's "reason.clause") of the first reason;
    inside: rows this allowed case is just inside; prec: (segment, first,
    second) of the precedence paragraph it shows; port: (binding,
    unbound_drop) for judge_port."""
    if b is None:
        b = R if to else A
    CASES.append(dict(name=name, fr=fr, want=want, counted=counted, tag=tag, b=b, csum=csum, to=to,
                      garp_ok=garp_ok, inside=tuple([inside] if isinstance(inside, str) else inside),
                      prec=prec, port=port, reading=reading))


# mac_spoof
case("a UDP datagram from another MAC", u4(smac=T_MAC), FORBID, "mac_spoof", "mac_spoof.source")
case("the same from the bound MAC", u4(), ALLOW, inside=["mac_spoof", "ip4_spoof"])

# ip4_spoof, and "Owned"
case("IPv4 source just outside the bound /24 (10.1.1.5)", u4(src="10.1.1.5"), FORBID, "ip4_spoof",
     "ip4_spoof.source")
case("IPv4 source: the last address of the bound /24", u4(src="10.1.0.255"), ALLOW, inside="ip4_spoof")
case("IPv4 source 0.0.0.0, not a DHCP client message", u4(src="0.0.0.0"), FORBID, "ip4_spoof",
     "ip4_spoof.zero")
case("IPv4 source 0.0.0.0, a DHCP client message (68->67, broadcast)", dhcp4(), ALLOW,
     inside=["ip4_spoof", "broadcast", "dhcp_spoof", "dhcp_server"])
case("Owned: a source inside the bound /24 that another port holds exactly", u4(src="10.1.0.77"),
     FORBID, "ip4_spoof", "ip4_spoof.claimed")
case("Owned: the address next to it", u4(src="10.1.0.76"), ALLOW, inside="ip4_spoof")
case("Owned: an address two ports bind exactly (VRRP) is both's", u4(), ALLOW, b=A_VRRP)
case("Owned: ... but not through a prefix", u4(src="10.1.0.9"), FORBID, "ip4_spoof",
     "ip4_spoof.claimed", b=A_VRRP)

# ip6_spoof
case("IPv6 source just outside the bound /65", u6(src="2001:db8:6::1"), FORBID, "ip6_spoof",
     "ip6_spoof.source")
case("IPv6 source: the last address of the bound /65", u6(src="2001:db8:6:0:ffff:ffff:ffff:ffff"), ALLOW,
     inside="ip6_spoof")
case("IPv6 source ::, a UDP datagram", u6(src="::"), FORBID, "ip6_spoof", "ip6_spoof.unspecified")
case("IPv6 source ::, an NA", v6("::", "ff02::1", 58, na("2001:db8::1")), FORBID, "ip6_spoof",
     "ip6_spoof.unspecified")
case("IPv6 source ::, a DAD probe for its own address", v6("::", "ff02::1:ff00:1", 58, ns("2001:db8::1")),
     ALLOW, inside=["ip6_spoof", "nd_spoof", "multicast"])
case("IPv6 source ::, an MLDv2 report to ff02::16", v6("::", "ff02::16", 58, MLD2), ALLOW,
     inside=["ip6_spoof", "multicast"])
case("IPv6 source ::, an MLDv1 report to its group", v6("::", "ff02::1:ff00:1", 58, mld(131, "ff02::1:ff00:1")),
     ALLOW, inside="ip6_spoof")
case("the EUI-64 link-local address of the bound MAC, unbound otherwise", u6(src="fe80::ff:fe00:1"), ALLOW,
     b=A_NOLL, inside="ip6_spoof")
case("another link-local address, unbound", u6(src="fe80::ff:fe00:9"), FORBID, "ip6_spoof",
     "ip6_spoof.source", b=A_NOLL)
case("Owned: inside fe80::/64, another port's EUI-64 link-local", u6(src="fe80::ff:fe00:3"), FORBID,
     "ip6_spoof", "ip6_spoof.claimed")
case("Owned: inside fe80::/64, the trusted port's EUI-64 link-local", u6(src="fe80::ff:fe00:2"), FORBID,
     "ip6_spoof", "ip6_spoof.claimed")
case("Owned: inside the bound /64, an address another port holds exactly", u6(src="2001:db8:1::77"), FORBID,
     "ip6_spoof", "ip6_spoof.claimed")
case("Owned: the address next to it", u6(src="2001:db8:1::76"), ALLOW, inside="ip6_spoof")

# arp_spoof
REQ = arp(1, A_MAC, "10.0.0.1", Z4 + b"\0\0", "10.0.0.3")
case("ARP request, as it should be", eth(BCAST, 0x0806, REQ), ALLOW, inside=["arp_spoof", "malformed"])
case("ARP reply, as it should be", eth(R_MAC, 0x0806, arp(2, A_MAC, "10.0.0.1", R_MAC, "10.0.0.3")), ALLOW,
     inside="arp_spoof")
for hdr, what in ((b"\x00\x06\x08\x00\x06\x04", "htype 6"), (b"\x00\x01\x86\xdd\x06\x04", "ptype 0x86dd"),
                  (b"\x00\x01\x08\x00\x08\x04", "hlen 8"), (b"\x00\x01\x08\x00\x06\x10", "plen 16")):
    case("ARP not Ethernet/IPv4 (%s)" % what, eth(BCAST, 0x0806, hdr + REQ[6:]), FORBID, "arp_spoof",
         "arp_spoof.header")
case("ARP op 3 (neither request nor reply)", eth(BCAST, 0x0806, arp(3, A_MAC, "10.0.0.1", Z4 + Z4[:2], "10.0.0.3")),
     FORBID, "arp_spoof", "arp_spoof.op")
case("ARP sender MAC not the bound MAC", eth(BCAST, 0x0806, arp(1, T_MAC, "10.0.0.1", bytes(6), "10.0.0.3")),
     FORBID, "arp_spoof", "arp_spoof.sender-mac")
case("ARP sender IP not owned", eth(BCAST, 0x0806, arp(1, A_MAC, "10.0.0.2", bytes(6), "10.0.0.3")),
     FORBID, "arp_spoof", "arp_spoof.sender-ip")
case("ARP sender IP inside the /24, held exactly by another port",
     eth(BCAST, 0x0806, arp(2, A_MAC, "10.1.0.77", bytes(6), "10.0.0.3")), FORBID, "arp_spoof", "arp_spoof.claimed")
case("ARP probe (a request from 0.0.0.0) for its own address",
     eth(BCAST, 0x0806, arp(1, A_MAC, "0.0.0.0", bytes(6), "10.1.0.5")), ALLOW, inside="arp_spoof")
case("ARP probe for another's address", eth(BCAST, 0x0806, arp(1, A_MAC, "0.0.0.0", bytes(6), "10.0.0.3")),
     FORBID, "arp_spoof", "arp_spoof.probe")
case("ARP probe for an address inside the /24 that another port holds",
     eth(BCAST, 0x0806, arp(1, A_MAC, "0.0.0.0", bytes(6), "10.1.0.77")), FORBID, "arp_spoof", "arp_spoof.claimed")
case("ARP reply from 0.0.0.0 (not a probe)", eth(BCAST, 0x0806, arp(2, A_MAC, "0.0.0.0", bytes(6), "10.0.0.1")),
     FORBID, "arp_spoof", "arp_spoof.sender-ip")
case("gratuitous ARP for its own address", eth(BCAST, 0x0806, arp(1, A_MAC, "10.0.0.1", bytes(6), "10.0.0.1")),
     ALLOW, inside="arp_spoof")
case("gratuitous ARP for another's", eth(BCAST, 0x0806, arp(2, A_MAC, "10.0.0.3", BCAST, "10.0.0.3")),
     FORBID, "arp_spoof", "arp_spoof.sender-ip")

# nd_spoof
case("NA for its own address", v6("2001:db8::1", "ff02::1", 58, na("2001:db8:1::5", sll(A_MAC, 2))), ALLOW,
     inside=["nd_spoof", "multicast"])
case("NA for another's address", v6("2001:db8::1", "ff02::1", 58, na("2001:db8::3")), FORBID, "nd_spoof",
     "nd_spoof.target")
case("NA for an address in its /64 another port holds", v6("2001:db8::1", "ff02::1", 58, na("2001:db8:1::77")),
     FORBID, "nd_spoof", "nd_spoof.claimed")
case("NA for another's link-local inside fe80::/64", v6("fe80::ff:fe00:1", "ff02::1", 58, na("fe80::ff:fe00:3")),
     FORBID, "nd_spoof", "nd_spoof.claimed")
case("DAD probe (NS from ::) for another's address", v6("::", "ff02::1:ff00:3", 58, ns("2001:db8::3")),
     FORBID, "nd_spoof", "nd_spoof.dad")
case("an NS from its own address asking about another's", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", sll(A_MAC))), ALLOW, inside="nd_spoof")
case("NS with a source link-layer option not its MAC", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", sll(T_MAC))), FORBID, "nd_spoof", "nd_spoof.option")
case("NA with a target link-layer option not its MAC", v6("2001:db8::1", "ff02::1", 58,
     na("2001:db8::1", sll(OTHER_MAC, 2))), FORBID, "nd_spoof", "nd_spoof.option")
case("NS: the spoofed option third, after an MTU and a nonce option", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", MTU_OPT + NONCE_OPT + sll(T_MAC))), FORBID, "nd_spoof", "nd_spoof.option")
case("NS: two options, its own MAC first, another's second", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", sll(A_MAC) + sll(T_MAC))), FORBID, "nd_spoof", "nd_spoof.option")
case("RS with a source link-layer option not its MAC", v6("2001:db8::1", "ff02::2", 58, rs(sll(T_MAC))),
     FORBID, "nd_spoof", "nd_spoof.option")
case("RS with its own", v6("2001:db8::1", "ff02::2", 58, rs(sll(A_MAC))), ALLOW, inside=["nd_spoof", "router_advert"])
case("NS in an atomic fragment (RFC 6980)", v6("2001:db8::1", "ff02::1:ff00:3", 44,
     frag6(58, 0, 0) + ns("2001:db8::3")), FORBID, "nd_spoof", "nd_spoof.fragment")
case("NA in a first fragment", v6("2001:db8::1", "ff02::1", 44, frag6(58, 0, 1) + na("2001:db8::1")), FORBID,
     "nd_spoof", "nd_spoof.fragment")

# dhcp_server, dhcp_spoof
case("UDP 67->68 (a DHCP server's answer)", dhcp4("10.0.0.1", dmac=BCAST, sp=67, dp=68), FORBID, "dhcp_server",
     "dhcp_server.sport")
case("UDP 40000->68 (anything to the client port)", u4(sp=40000, dp=68), FORBID, "dhcp_server", "dhcp_server.dport")
case("UDP 67->40000", u4(sp=67, dp=40000), FORBID, "dhcp_server", "dhcp_server.sport")
case("UDP 40000->67 (to a server, not from a client port)", u4(sp=40000, dp=67), ALLOW, inside="dhcp_server")
case("UDP 66->69", u4(sp=66, dp=69), ALLOW, inside="dhcp_server")
case("UDP 67->68 behind IPv4 options (a 4-byte router alert)", u4(sp=67, dp=68, opts=b"\x94\x04\0\0"), FORBID,
     "dhcp_server", "dhcp_server.sport")
case("UDP 67->68 behind 40 bytes of IPv4 options", u4(sp=67, dp=68, opts=b"\x01" * 40), FORBID,
     "dhcp_server", "dhcp_server.sport")
case("DHCP client message, chaddr another MAC", dhcp4(body=bootp(T_MAC)), FORBID, "dhcp_spoof", "dhcp_spoof.chaddr")
case("DHCP client message, htype 6", dhcp4(body=bootp(htype=6)), FORBID, "dhcp_spoof", "dhcp_spoof.htype")
case("DHCP client message, hlen 16", dhcp4(body=bootp(hlen=16)), FORBID, "dhcp_spoof", "dhcp_spoof.htype")
case("DHCP client message cut 1 byte into chaddr's end (33 bytes of BOOTP)", dhcp4(body=bootp()[:33]), FORBID,
     "dhcp_spoof", "dhcp_spoof.missing")
case("DHCP client message cut right after chaddr (34 bytes)", dhcp4(body=bootp()[:34]), ALLOW, inside="dhcp_spoof")
_short = eth(BCAST, 0x0800, ip4("0.0.0.0", "255.255.255.255", 17, udp(68, 67, bootp()[:34]), tot=20 + 8 + 33))
case("DHCP client message whose chaddr ends past the IPv4 total length (in the padding)", _short, FORBID,
     "dhcp_spoof", "dhcp_spoof.missing")
case("DHCP client message behind IPv4 options, chaddr right", dhcp4(opts=b"\x94\x04\0\0"), ALLOW, inside="dhcp_spoof")
case("DHCP client message behind IPv4 options, chaddr another MAC", dhcp4(body=bootp(OTHER_MAC), opts=b"\x01" * 8),
     FORBID, "dhcp_spoof", "dhcp_spoof.chaddr")
case("DHCP client message from its own address to a unicast server", dhcp4("10.0.0.1", "10.0.0.3", R_MAC), ALLOW,
     inside="dhcp_spoof")

# dhcp6_server
case("UDP 547->546 (a DHCPv6 server's answer)", u6(sp=547, dp=546), FORBID, "dhcp6_server", "dhcp6_server.sport")
case("UDP 40000->546", u6(sp=40000, dp=546), FORBID, "dhcp6_server", "dhcp6_server.dport")
case("UDP 547->547 (a relay)", u6(sp=547, dp=547, dst="ff02::1:2", dmac=mcast_mac6(a6("ff02::1:2"))), FORBID,
     "dhcp6_server", "dhcp6_server.sport")
case("UDP 546->547 (a client) to ff02::1:2", u6(sp=546, dp=547, dst="ff02::1:2", dmac=mcast_mac6(a6("ff02::1:2"))),
     ALLOW, inside=["dhcp6_server", "multicast"])
case("UDP 547->546 behind a hop-by-hop and a destination options header",
     u6(sp=547, dp=546, chain=opt6(60) + opt6(17, 2), nh0=0), FORBID, "dhcp6_server", "dhcp6_server.sport")

# router_advert, redirect
case("ICMPv6 router advertisement", v6("fe80::ff:fe00:1", "ff02::1", 58, RA), FORBID, "router_advert",
     "router_advert.icmpv6")
case("RA behind hop-by-hop, routing and destination options headers", v6("fe80::ff:fe00:1", "ff02::1", 0,
     opt6(43) + bytes([60, 0, 0, 0]) + bytes(4) + opt6(58) + RA), FORBID, "router_advert", "router_advert.icmpv6")
case("RA behind AH (length in 4-byte units: 12 bytes)", v6("fe80::ff:fe00:1", "ff02::1", 51, ah(58, 1) + RA),
     FORBID, "router_advert", "router_advert.icmpv6")
case("RA behind a 24-byte AH", v6("fe80::ff:fe00:1", "ff02::1", 51, ah(58, 4) + RA), FORBID, "router_advert",
     "router_advert.icmpv6")
case("RA in a first fragment with its whole header", v6("fe80::ff:fe00:1", "ff02::1", 44, frag6(58) + RA),
     FORBID, "nd_spoof" if False else "router_advert", "router_advert.icmpv6")
case("a later fragment (offset 8) that holds RA bytes: no upper-layer header (reading)",
     v6("fe80::ff:fe00:1", "2001:db8::3", 44, frag6(58, 1, 0) + RA), ALLOW, reading=True)
case("ICMPv4 router advertisement (type 9)", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(9))), FORBID,
     "router_advert", "router_advert.icmpv4")
case("ICMPv4 router advertisement behind IPv4 options", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(9),
     opts=b"\x01\x01\x01\x00")), FORBID, "router_advert", "router_advert.icmpv4")
case("ICMPv4 router solicitation (type 10)", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(10))), ALLOW,
     inside=["router_advert"])
case("ICMPv6 redirect", v6("fe80::ff:fe00:1", "2001:db8::3", 58, REDIRECT6), FORBID, "redirect", "redirect.icmpv6")
case("ICMPv4 redirect", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(5, a4("10.0.0.1") + bytes(28)))),
     FORBID, "redirect", "redirect.icmpv4")
case("ICMPv4 redirect behind IPv4 options", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(5),
     opts=b"\x07\x07\x04" + bytes(5))), FORBID, "redirect", "redirect.icmpv4")
case("ICMPv4 type 4 and ICMPv6 type 138 (next to the redirects)",
     eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(4))), ALLOW, inside="redirect")
case("ICMPv6 type 138", v6("2001:db8::1", "2001:db8::3", 58, icmp(138)), ALLOW, inside="redirect")

# bpdu
LLC_BPDU = b"\x42\x42\x03" + bytes(35)
case("an 802.3 spanning tree BPDU to 01:80:c2:00:00:00", eth(BRIDGE_GROUP, len(LLC_BPDU), LLC_BPDU), FORBID,
     "bpdu", "bpdu.group")
case("the allowed ethertype to 01:80:c2:00:00:00", eth(BRIDGE_GROUP, 0x88B5, bytes(46)), FORBID, "bpdu", "bpdu.group",
     b=A_ALLOW)
case("IPv4 to 01:80:c2:00:00:00 under multicast allow: a group address like any other",
     u4(dmac=BRIDGE_GROUP), ALLOW, b=A_ALLOW, inside="bpdu")
case("IPv4 to 01:80:c2:00:00:00 under multicast deny: multicast", u4(dmac=BRIDGE_GROUP), FORBID, "multicast",
     "multicast.ethernet")
case("ARP to 01:80:c2:00:00:00 under multicast deny: multicast", eth(BRIDGE_GROUP, 0x0806, REQ), FORBID,
     "multicast", "multicast.ethernet")
case("an NS to ff02::1:ff00:3 sent to 01:80:c2:00:00:00 (reading: judged by its IPv6 destination)",
     v6("2001:db8::1", "ff02::1:ff00:3", 58, ns("2001:db8::3"), dmac=BRIDGE_GROUP), ALLOW, reading=True)
case("an 802.3 BPDU to 01:80:c2:00:00:01 (not the bridge group address)",
     eth(BRIDGE_GROUP[:5] + b"\x01", len(LLC_BPDU), LLC_BPDU), FORBID, "ethertype", "ethertype.type", b=A_ALLOW,
     inside="bpdu")

# vlan
case("an 802.1Q tagged UDP datagram", tagged(u4()), FORBID, "vlan", "vlan.tag", inside=[])
case("an 802.1ad tagged one", tagged(u4(), (0x88A8,)), FORBID, "vlan", "vlan.tag")
case("QinQ", tagged(u4(), (0x88A8, 0x8100)), FORBID, "vlan", "vlan.tag")
case("0x9100 (no 802.1Q/802.1ad tag): an ethertype", tagged(u4(), (0x9100,)), FORBID, "ethertype",
     "ethertype.type", inside="vlan")
case("0x8100 allowed: a tagged frame passes, a forged RA inside unchecked",
     tagged(v6("fe80::1", "2001:db8::3", 58, RA)), ALLOW, b=A_VLAN, inside="vlan")
case("0x8100 allowed: QinQ with 0x8100 outside passes", tagged(u4(src="10.9.9.9"), (0x8100, 0x88A8)), ALLOW,
     b=A_VLAN, inside="vlan")
case("0x8100 allowed: an 802.1ad tag is not", tagged(u4(), (0x88A8,)), FORBID, "vlan", "vlan.tag", b=A_VLAN)
case("0x8100 allowed: a tagged frame to a group MAC, multicast deny", tagged(u4(), dmac=b"\x01\x00\x5e\0\0\x01"),
     FORBID, "multicast", "multicast.ethernet", b=A_VLAN)
case("0x8100 allowed: a tagged broadcast frame", tagged(u4(dmac=BCAST, dst="10.0.0.255")), ALLOW, b=A_VLAN)
case("0x8100 allowed: tagged to the bridge group address (reading: judged on its tag, not bpdu)",
     tagged(u4(), dmac=BRIDGE_GROUP), ALLOW, b=bind(A_SPEC + " allow-ethertype=0x8100 multicast=allow", R_SPEC),
     reading=True)

# ethertype
case("ethertype 0x88b6", eth(R_MAC, 0x88B6, bytes(46)), FORBID, "ethertype", "ethertype.type")
case("an 802.3 length field (0x05dc)", eth(R_MAC, 0x05DC, bytes(46)), FORBID, "ethertype", "ethertype.type")
case("the allowed ethertype 0x88b5", eth(R_MAC, 0x88B5, bytes(46)), ALLOW, inside=["ethertype", "csum_offload"])
case("the allowed ethertype, broadcast (the broadcast rule is IPv4's)", eth(BCAST, 0x88B5, bytes(46)), ALLOW,
     inside=["ethertype", "broadcast"])
case("the allowed ethertype to a group MAC, multicast deny", eth(b"\x33\x33\0\0\0\x01", 0x88B5, bytes(46)), FORBID,
     "multicast", "multicast.ethernet")

# csum_offload
U4 = u4()
case("UDP, checksum offsets exactly its checksum field", U4, ALLOW, csum=(34, 6), inside="csum_offload")
for st, off, what in ((34, 4, "the length field"), (33, 6, "start off by one"), (34, 7, "offset off by one"),
                      (14, 12, "in the IPv4 header"), (0, 6, "in the Ethernet header"), (42, 0, "in the payload")):
    case("UDP, checksum offsets %d+%d (%s)" % (st, off, what), U4, FORBID, "csum_offload", "csum_offload.offsets",
         csum=(st, off))
case("TCP, exactly its checksum field", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 6, tcp())), ALLOW,
     csum=(34, 16), inside="csum_offload")
case("UDP behind 8 bytes of IPv4 options, offsets of the option-less header", u4(opts=b"\x01" * 8), FORBID,
     "csum_offload", "csum_offload.offsets", csum=(34, 6))
case("UDP behind 8 bytes of IPv4 options, its checksum field", u4(opts=b"\x01" * 8), ALLOW, csum=(42, 6))
case("ICMP, 3 bytes: the checksum field past the packet", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1,
     b"\x08\0\0")), FORBID, "csum_offload", "csum_offload.offsets", csum=(34, 2))
case("ICMP, 4 bytes: the checksum field just inside", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1,
     b"\x08\0\0\0")), ALLOW, csum=(34, 2), inside="csum_offload")
case("SCTP (132), field at 8", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 132, bytes(12))), ALLOW, csum=(34, 8))
case("UDP-Lite (136), field at 6", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 136, bytes(8))), ALLOW,
     csum=(34, 6))
case("IGMP: no checksum field vmfence accepts", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 2, icmp(0x16))),
     FORBID, "csum_offload", "csum_offload.offsets", b=A_ALLOW, csum=(34, 2))
case("an IPv4 later fragment: no transport checksum", u4(frag=1), FORBID, "csum_offload", "csum_offload.offsets",
     csum=(34, 6))
case("IPv6 UDP, exactly", u6(), ALLOW, csum=(54, 6), inside="csum_offload")
case("IPv6 UDP behind a hop-by-hop header, exactly", u6(chain=opt6(17), nh0=0), ALLOW, csum=(62, 6))
case("IPv6 UDP behind a hop-by-hop header, offsets of the bare header", u6(chain=opt6(17), nh0=0), FORBID,
     "csum_offload", "csum_offload.offsets", csum=(54, 6))
case("ICMPv6 echo, exactly", v6("2001:db8::1", "2001:db8::3", 58, icmp(128)), ALLOW, csum=(54, 2))
case("an IPv6 later fragment", v6("2001:db8::1", "2001:db8::3", 44, frag6(17, 1, 0) + bytes(8)), FORBID,
     "csum_offload", "csum_offload.offsets", csum=(62, 6))
case("ARP: no checksum at all", eth(BCAST, 0x0806, REQ), FORBID, "csum_offload", "csum_offload.offsets",
     csum=(14, 6))
case("the allowed ethertype, checksum in its content", eth(R_MAC, 0x88B5, bytes(46)), ALLOW, csum=(14, 10),
     inside="csum_offload")
case("the allowed ethertype, checksum starting in the Ethernet header", eth(R_MAC, 0x88B5, bytes(46)), FORBID,
     "csum_offload", "csum_offload.opaque", csum=(13, 10))
case("0x8100 allowed: checksum starting after the tag", tagged(U4), ALLOW, b=A_VLAN, csum=(18, 2),
     inside="csum_offload")
case("0x8100 allowed: checksum starting in the tag", tagged(U4), FORBID, "csum_offload", "csum_offload.opaque",
     b=A_VLAN, csum=(16, 2))

# broadcast
case("IPv4 in an Ethernet broadcast frame", u4(dst="10.0.0.255", dmac=BCAST), FORBID, "broadcast",
     "broadcast.ethernet")
case("255.255.255.255 to a unicast MAC", u4(dst="255.255.255.255"), FORBID, "broadcast", "broadcast.ip")
case("255.255.255.255 to a group MAC: multicast", u4(dst="255.255.255.255", dmac=b"\x01\x00\x5e\0\0\x01"), FORBID,
     "multicast", "multicast.ethernet")
case("IPv4 broadcast under multicast allow", u4(dst="10.0.0.255", dmac=BCAST), ALLOW, b=A_ALLOW,
     inside=["broadcast", "multicast"])

# multicast
case("IPv4 to 224.0.0.251", u4(dst="224.0.0.251", dmac=mcast_mac4(a4("224.0.0.251"))), FORBID, "multicast",
     "multicast.ethernet")
case("IPv4 to 239.1.2.3 in a unicast frame", u4(dst="239.1.2.3"), FORBID, "multicast", "multicast.ip4")
case("IPv4 unicast to a group MAC", u4(dmac=b"\x01\x00\x5e\0\0\x01"), FORBID, "multicast", "multicast.ethernet")
case("a DHCP client message to 224.0.0.1 (excused from the broadcast rule only)", dhcp4(dst="224.0.0.1"), FORBID,
     "multicast", "multicast.ip4")
IGMPQ = eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 2, P("!BBH4s", 0x11, 100, 0, Z4)))
case("an IGMP query to a unicast address", IGMPQ, FORBID, "multicast", "multicast.query")
case("an IGMP query under multicast allow", IGMPQ, ALLOW, b=A_ALLOW, inside="multicast")
case("an IGMPv2 report under multicast allow", eth(mcast_mac4(a4("239.1.2.3")), 0x0800, ip4("10.0.0.1", "239.1.2.3", 2,
     P("!BBH4s", 0x16, 0, 0, a4("239.1.2.3")))), ALLOW, b=A_ALLOW)
case("an MLD query to a unicast address", v6("fe80::ff:fe00:1", "fe80::ff:fe00:3", 58, mld(130, "::")), FORBID,
     "multicast", "multicast.query")
case("an MLD query under multicast allow", v6("fe80::ff:fe00:1", "ff02::1", 58, mld(130, "::")), ALLOW, b=A_ALLOW)
for grp, ok in (("ff02::1", True), ("ff02::2", True), ("ff02::1:ff00:3", True), ("ff02::fb", False),
                ("ff12::1:ff00:3", False), ("ff02::1:fe00:3", False), ("ff05::1", False)):
    case("an NA to %s" % grp, v6("2001:db8::1", grp, 58, na("2001:db8::1")), ALLOW if ok else FORBID,
         None if ok else "multicast", None if ok else "multicast.group6", inside="multicast" if ok else ())
case("an RS to ff02::2", v6("2001:db8::1", "ff02::2", 58, rs()), ALLOW, inside="multicast")
case("an RS to ff02::16", v6("2001:db8::1", "ff02::16", 58, rs()), FORBID, "multicast", "multicast.group6")
case("an MLDv2 report to ff02::16", v6("2001:db8::1", "ff02::16", 58, MLD2), ALLOW, inside="multicast")
case("an MLDv2 report to ff02::2", v6("2001:db8::1", "ff02::2", 58, MLD2), FORBID, "multicast", "multicast.group6")
case("an MLDv1 report to the group it reports", v6("2001:db8::1", "ff05::1:3", 58, mld(131, "ff05::1:3")), ALLOW,
     inside="multicast")
case("an MLDv1 report to ff02::16", v6("2001:db8::1", "ff02::16", 58, mld(131, "ff05::1:3")), FORBID, "multicast",
     "multicast.group6")
case("an MLDv1 report cut before its group", v6("2001:db8::1", "ff05::1:3", 58, mld(131, "ff05::1:3")[:20]), FORBID,
     "multicast", "multicast.group6")
case("an MLDv1 done to ff02::2", v6("2001:db8::1", "ff02::2", 58, mld(132, "ff05::1:3")), ALLOW, inside="multicast")
case("an MLDv1 done to its group", v6("2001:db8::1", "ff05::1:3", 58, mld(132, "ff05::1:3")), FORBID, "multicast",
     "multicast.group6")
for grp, ok in (("ff02::1:2", True), ("ff05::1:3", True), ("ff02::1:3", False), ("ff05::1:2", False)):
    case("a DHCPv6 client message to %s" % grp, u6(sp=546, dp=547, dst=grp, dmac=mcast_mac6(a6(grp))),
         ALLOW if ok else FORBID, None if ok else "multicast", None if ok else "multicast.group6",
         inside="multicast" if ok else ())
case("other UDP to ff02::1:2", u6(dst="ff02::1:2", dmac=mcast_mac6(a6("ff02::1:2"))), FORBID, "multicast",
     "multicast.ip6")
case("IPv6 unicast in a group frame", u6(dmac=b"\x33\x33\0\0\0\x01"), FORBID, "multicast", "multicast.unicast6")
case("IPv6 unicast in a broadcast frame", u6(dmac=BCAST), FORBID, "multicast", "multicast.unicast6")
case("IPv6 unicast in a group frame under multicast allow", u6(dmac=BCAST), ALLOW, b=A_ALLOW)
case("ARP to a group MAC", eth(b"\x01\x00\x5e\0\0\x01", 0x0806, REQ), FORBID, "multicast", "multicast.ethernet")

# malformed
case("IPv4: 19 bytes", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 253, b"")[:19]), FORBID, "malformed",
     "malformed.ip4")
case("IPv4: a 20-byte header and nothing else (proto 253)", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 253, b"")),
     ALLOW, inside="malformed")
case("IPv4: header length 4", u4(ihl=4), FORBID, "malformed", "malformed.ip4")
case("IPv4: header length 6 with 4 bytes of options", u4(opts=b"\x01" * 4), ALLOW, inside="malformed")
case("IPv4: header length 15, the options cut", u4(ihl=15, tot=28), FORBID, "malformed", "malformed.ip4")
case("IPv4: total length past the frame", u4(tot=29 + 20), FORBID, "malformed", "malformed.ip4")
case("IPv4: total length below the header", u4(tot=19), FORBID, "malformed", "malformed.ip4")
case("IPv4: version 6", u4(ver=6), FORBID, "malformed", "malformed.ip4")
case("IPv4: total length shorter than the frame (padding)", u4(tot=28), ALLOW, inside="malformed")
case("UDP: 7 bytes of header within the total length", u4(tot=27), FORBID, "malformed", "malformed.udp")
case("ICMP without its type", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, b"")), FORBID, "malformed",
     "malformed.icmp")
case("ICMP with its type and nothing else", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, b"\x08")), ALLOW,
     inside="malformed")
case("IGMP without its type, multicast allow", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 2, b"")), FORBID,
     "malformed", "malformed.igmp", b=A_ALLOW)
case("an IPv4 later fragment of UDP 67->68: no ports to read", u4(sp=67, dp=68, frag=1), ALLOW, reading=True)
case("ARP: 27 bytes", eth(BCAST, 0x0806, REQ[:27]), FORBID, "malformed", "malformed.arp")
case("IPv6: 39 bytes", u6()[:14 + 39], FORBID, "malformed", "malformed.ip6")
case("IPv6: version 4", eth(R_MAC, 0x86DD, b"\x40" + u6()[15:]), FORBID, "malformed", "malformed.ip6")
case("IPv6: payload length past the frame", v6("2001:db8::1", "2001:db8::3", 17, udp(40000, 9), plen=17),
     FORBID, "malformed", "malformed.ip6")
case("IPv6: a hop-by-hop header of 16 bytes in an 8-byte payload", v6("2001:db8::1", "2001:db8::3", 0,
     bytes([59, 1]) + bytes(6)), FORBID, "malformed", "malformed.ext")
case("IPv6: a hop-by-hop header of 8 bytes ending the payload, then 59", v6("2001:db8::1", "2001:db8::3", 0,
     opt6(59)), ALLOW, inside="malformed")
case("IPv6: an AH running past the payload", v6("2001:db8::1", "2001:db8::3", 51, ah(59, 4)[:20]), FORBID,
     "malformed", "malformed.ext")
case("IPv6: the extension header runs past the payload, not the frame", v6("2001:db8::1", "2001:db8::3", 0,
     opt6(59, 2), plen=8), FORBID, "malformed", "malformed.ext")
for proto, body, n, ok in ((17, udp(40000, 9)[:7], 7, False), (17, udp(40000, 9), 8, True),
                           (6, tcp()[:19], 19, False), (6, tcp(), 20, True),
                           (58, icmp(128)[:7], 7, False), (58, icmp(128), 8, True),
                           (253, bytes(7), 7, False), (59, b"", 0, True)):
    case("a first fragment with %d bytes of its upper-layer header (%d)" % (n, proto),
         v6("2001:db8::1", "2001:db8::3", 44, frag6(proto) + body), ALLOW if ok else FORBID,
         None if ok else "malformed", None if ok else "malformed.first-fragment", inside="malformed" if ok else ())
case("an atomic fragment with 4 bytes of ICMPv6", v6("2001:db8::1", "2001:db8::3", 44, frag6(58, 0, 0) + icmp(128)[:4]),
     FORBID, "malformed", "malformed.first-fragment")
case("UDP over IPv6, 7 bytes", v6("2001:db8::1", "2001:db8::3", 17, udp(40000, 9)[:7]), FORBID, "malformed",
     "malformed.udp")
case("ICMPv6 without its type", v6("2001:db8::1", "2001:db8::3", 58, b""), FORBID, "malformed", "malformed.icmpv6")
case("ND: an NS of 23 bytes", v6("2001:db8::1", "ff02::1:ff00:3", 58, ns("2001:db8::3")[:23]), FORBID, "malformed",
     "malformed.nd")
case("ND: an NA of 24 bytes", v6("2001:db8::1", "ff02::1", 58, na("2001:db8::1")), ALLOW, inside="malformed")
case("ND: an RS of 7 bytes", v6("2001:db8::1", "ff02::2", 58, rs()[:7]), FORBID, "malformed", "malformed.nd")
case("ND: an option of length 0", v6("2001:db8::1", "ff02::1:ff00:3", 58, ns("2001:db8::3", b"\x01\x00" + A_MAC)),
     FORBID, "malformed", "malformed.nd-option")
case("ND: an option running past the packet", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", b"\x01\x02" + A_MAC)), FORBID, "malformed", "malformed.nd-option")
case("ND: one byte after the options", v6("2001:db8::1", "ff02::1:ff00:3", 58, ns("2001:db8::3", sll(A_MAC) + b"\x01")),
     FORBID, "malformed", "malformed.nd-option")
case("ND: a 16-byte option with the bound MAC, fitting exactly", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", b"\x01\x02" + A_MAC + bytes(8))), ALLOW, inside="malformed")
case("ND: a spoofed option after a zero-length one is never read (reading)", v6("2001:db8::1", "ff02::1:ff00:3", 58,
     ns("2001:db8::3", b"\x0e\x00" + bytes(6) + sll(T_MAC))), FORBID, "malformed", "malformed.nd-option", reading=True)

# --- towards the VM (judge_to, the receiver R) ---
case("towards: a unicast frame to another MAC", u4(dmac=T_MAC), FORBID, "not_for_port", "not_for_port.mac", to=True)
case("towards: IPv4 to another address, in a frame to its MAC", u4(dst="10.0.0.2"), FORBID, "not_for_port",
     "not_for_port.ip4", to=True)
case("towards: IPv4 to the last address of its /24", u4(dst="10.3.0.255"), ALLOW, to=True, inside="not_for_port")
case("towards: IPv4 to the address after it", u4(dst="10.3.1.0"), FORBID, "not_for_port", "not_for_port.ip4", to=True)
case("towards: IPv4 to another address in a broadcast frame (not checked)", u4(dst="10.0.0.2", dmac=BCAST), ALLOW,
     to=True, inside="not_for_port")
case("towards: IPv4 to another address in a multicast frame (not checked)",
     u4(dst="10.0.0.2", dmac=b"\x01\x00\x5e\0\0\x01"), ALLOW, to=True)
case("towards: IPv4 to 224.0.0.1 in a frame to its MAC (reading)", u4(dst="224.0.0.1"), ALLOW, to=True, reading=True)
case("towards: a prefix receives for all of it, claims or not", u4(dst="10.0.0.1"), ALLOW, b=R_PREFIX, to=True,
     inside="not_for_port")
case("towards: IPv6 to another address", u6(dst="2001:db8::2"), FORBID, "not_for_port", "not_for_port.ip6", to=True)
case("towards: IPv6 to another address, in a group frame", u6(dst="2001:db8::2", dmac=b"\x33\x33\0\0\0\x01"), FORBID,
     "not_for_port", "not_for_port.ip6", to=True)
case("towards: IPv6 to its EUI-64 link-local", u6(dst="fe80::ff:fe00:3"), ALLOW, to=True, inside="not_for_port")
case("towards: IPv6 to another link-local", u6(dst="fe80::ff:fe00:2"), FORBID, "not_for_port", "not_for_port.ip6",
     to=True)
case("towards: IPv6 to the last address of its /64", u6(dst="2001:db8:3::ffff:ffff:ffff:ffff"), ALLOW, to=True)
case("towards: IPv6 to a group", u6(dst="ff02::fb", dmac=mcast_mac6(a6("ff02::fb"))), ALLOW, to=True)
case("towards: IPv6 in a prefix, held by another port exactly", u6(dst="2001:db8::1"), ALLOW, b=R_PREFIX, to=True)
case("towards: an ARP request for another's address", eth(BCAST, 0x0806, arp(1, T_MAC, "10.0.0.2", bytes(6), "10.0.0.9")),
     FORBID, "not_for_port", "not_for_port.arp", to=True)
case("towards: an ARP request for its address", eth(BCAST, 0x0806, REQ), ALLOW, to=True, inside="not_for_port")
case("towards: ARP op 3 for another's address (whatever its operation)",
     eth(BCAST, 0x0806, arp(3, T_MAC, "10.0.0.2", bytes(6), "10.0.0.9")), FORBID, "not_for_port", "not_for_port.arp",
     to=True)
case("towards: ARP op 3 for its address", eth(BCAST, 0x0806, arp(3, T_MAC, "10.0.0.2", bytes(6), "10.0.0.3")), ALLOW,
     to=True)
case("towards: a gratuitous ARP from a bound port or the host", eth(BCAST, 0x0806,
     arp(1, T_MAC, "10.0.0.254", bytes(6), "10.0.0.254")), ALLOW, to=True, inside="not_for_port")
case("towards: a gratuitous ARP from an unbound port", eth(BCAST, 0x0806,
     arp(1, T_MAC, "10.0.0.254", bytes(6), "10.0.0.254")), FORBID, "not_for_port", "not_for_port.arp", to=True,
     garp_ok=False)
case("towards: sender = target = 0.0.0.0 is no gratuitous ARP", eth(BCAST, 0x0806,
     arp(1, T_MAC, "0.0.0.0", bytes(6), "0.0.0.0")), FORBID, "not_for_port", "not_for_port.arp", to=True)
case("towards: an ARP reply to its address, to another MAC (reading: \"reply to its MAC\")",
     eth(R_MAC, 0x0806, arp(2, T_MAC, "10.0.0.2", T_MAC, "10.0.0.3")), FORBID, "not_for_port", "not_for_port.arp-reply",
     to=True, reading=True)
case("towards: ARP not Ethernet/IPv4 (reading)", eth(BCAST, 0x0806, b"\x00\x06" + REQ[2:]), FORBID, "not_for_port",
     "not_for_port.arp-header", to=True, reading=True)
case("towards: another VM's DHCPv4 client message", dhcp4(smac=T_MAC, body=bootp(T_MAC)), FORBID, "dhcp_snoop",
     "dhcp_snoop.dhcp4", to=True)
case("towards: another VM's DHCPv6 client message", u6(src="fe80::ff:fe00:2", sp=546, dp=547, dst="ff02::1:2",
     dmac=mcast_mac6(a6("ff02::1:2"))), FORBID, "dhcp_snoop", "dhcp_snoop.dhcp6", to=True)
case("towards: a DHCPv4 server's answer (67->68)", dhcp4("10.0.0.254", "10.0.0.3", R_MAC, 67, 68), ALLOW, to=True,
     inside="dhcp_snoop")
case("towards: a DHCPv6 server's answer (547->546)", u6(sp=547, dp=546), ALLOW, to=True, inside="dhcp_snoop")
case("towards: UDP to 68 in a later fragment (reading: no ports)", u4(dst="10.0.0.3", sp=68, dp=67, frag=1), ALLOW,
     to=True, reading=True)
case("towards: a truncated IPv4 header (reading: malformed)", u4()[:30], FORBID, "malformed", "malformed.ip4", to=True,
     reading=True)
case("towards: an IPv4 header complete to its last byte, nothing after it", eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 6, b"")), ALLOW, to=True,
     inside="malformed")
case("towards: a tagged frame (undecided: README's towards-VM rules name no tag)", tagged(u4(dst="10.0.0.2")),
     UNDECIDED, to=True, reading=True)

# --- unbound ---
case("a port with no binding on a bridge set to unbound drop", u4(smac=T_MAC), FORBID, "unbound", "unbound.port",
     port=(None, True))
case("a port with no binding, unbound pass", u4(smac=T_MAC), ALLOW, port=(None, False), inside="unbound")
case("a trusted port: not checked", v6("fe80::1", "ff02::1", 58, RA, smac=T_MAC), ALLOW,
     port=(Binding(T_SPEC), True))
case("an enforce port on an unbound-drop bridge: its own rules", u4(smac=T_MAC), FORBID, "mac_spoof",
     port=(A, True))

# --- the precedence paragraph ---
EXCLUSIVE = {
    ("IPv4", "redirect", "router_advert"): "one ICMP type",
    ("IPv4", "dhcp_server", "dhcp_spoof"): "dhcp_spoof is for 68->67, dhcp_server for source 67 or destination 68",
    ("IPv6", "router_advert", "redirect"): "one ICMPv6 type",
    ("IPv6", "redirect", "nd_spoof"): "one ICMPv6 type",
    ("IPv6", "malformed", "dhcp6_server"): "malformed ICMPv6 or ND is ICMPv6, dhcp6_server UDP",
}


def prec(seg, a, b, name, fr, counted=None, **kw):
    case("precedence (%s): %s before %s: %s" % (seg, a, b, name), fr, FORBID, counted or a, prec=(seg, a, b), **kw)


prec("all", "mac_spoof", "vlan", "a tagged frame from another MAC", tagged(u4(smac=T_MAC)))
prec("IPv4", "mac_spoof", "malformed", "a cut IPv4 header from another MAC", u4(smac=T_MAC)[:30])
prec("ARP", "mac_spoof", "malformed", "a cut ARP from another MAC", eth(BCAST, 0x0806, REQ[:20], src=T_MAC))
prec("IPv6", "mac_spoof", "malformed", "a cut IPv6 header from another MAC", u6(smac=T_MAC)[:40])
prec("other ethertypes", "mac_spoof", "bpdu", "a BPDU from another MAC",
     eth(BRIDGE_GROUP, len(LLC_BPDU), LLC_BPDU, src=T_MAC))
case("precedence: a tagged frame is judged on its tag alone (a forged RA inside: vlan only)",
     tagged(v6("fe80::9", "ff02::1", 58, RA)), FORBID, "vlan", "vlan.tag")
prec("IPv4", "malformed", "redirect", "an ICMP redirect whose total length runs past the frame",
     eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(5), tot=60)))
prec("IPv4", "router_advert", "csum_offload", "an ICMPv4 RA with the checksum in its IPv4 header",
     eth(R_MAC, 0x0800, ip4("10.0.0.1", "10.0.0.3", 1, icmp(9))), csum=(14, 10))
prec("IPv4", "csum_offload", "ip4_spoof", "a forged source, checksum offsets wrong", u4(src="10.0.0.2"),
     csum=(34, 4))
prec("IPv4", "ip4_spoof", "dhcp_server", "a forged DHCP answer", u4(src="10.0.0.2", sp=67, dp=68))
prec("IPv4", "dhcp_spoof", "multicast", "a client message under another chaddr to 224.0.0.1",
     dhcp4(dst="224.0.0.1", body=bootp(T_MAC)))
prec("IPv4", "multicast", "broadcast", "an IGMP query in an Ethernet broadcast frame",
     eth(BCAST, 0x0800, ip4("10.0.0.1", "10.0.0.255", 2, P("!BBH4s", 0x11, 100, 0, Z4))))
prec("IPv4", "broadcast", "multicast", "an Ethernet broadcast frame to 224.0.0.251",
     u4(dst="224.0.0.251", dmac=BCAST))
prec("ARP", "malformed", "arp_spoof", "27 bytes of ARP with htype 6",
     eth(BCAST, 0x0806, (b"\x00\x06" + REQ[2:])[:27]))
prec("ARP", "arp_spoof", "csum_offload", "htype 6 with a checksum left open",
     eth(BCAST, 0x0806, b"\x00\x06" + REQ[2:]), csum=(14, 4))
prec("ARP", "csum_offload", "arp_spoof", "a forged sender with a checksum left open",
     eth(BCAST, 0x0806, arp(1, A_MAC, "10.0.0.2", bytes(6), "10.0.0.3")), csum=(14, 4))
prec("ARP", "arp_spoof", "multicast", "a forged sender to a group MAC",
     eth(b"\x01\x00\x5e\0\0\x01", 0x0806, arp(1, A_MAC, "10.0.0.2", bytes(6), "10.0.0.3")))
prec("IPv6", "malformed", "ip6_spoof", "a forged source, the hop-by-hop header past the packet",
     v6("2001:db8::2", "2001:db8::3", 0, bytes([59, 1]) + bytes(6)))
prec("IPv6", "ip6_spoof", "router_advert", "an RA from a forged source", v6("2001:db8::9", "ff02::1", 58, RA))
prec("IPv6", "ip6_spoof", "malformed", "an ICMPv6 message without its type from a forged source (malformed ICMPv6 "
     "is the upper layer's)", v6("2001:db8::2", "2001:db8::3", 58, b""), counted="ip6_spoof")
prec("IPv6", "nd_spoof", "malformed", "an NA for another's address with an option of length 0",
     v6("2001:db8::1", "ff02::1", 58, na("2001:db8::3", b"\x01\x00" + A_MAC)))
prec("IPv6", "nd_spoof", "malformed", "an NS in a first fragment, 16 bytes of it",
     v6("2001:db8::1", "ff02::1:ff00:3", 44, frag6(58) + ns("2001:db8::3")[:16]))
prec("IPv6", "dhcp6_server", "csum_offload", "a DHCPv6 answer, checksum offsets wrong", u6(sp=547, dp=546),
     csum=(54, 4))
prec("IPv6", "csum_offload", "multicast", "UDP to ff02::fb, checksum offsets wrong",
     u6(dst="ff02::fb", dmac=mcast_mac6(a6("ff02::fb"))), csum=(54, 4))
prec("IPv6", "ip6_spoof", "multicast", "a forged source to ff02::fb",
     u6(src="2001:db8::2", dst="ff02::fb", dmac=mcast_mac6(a6("ff02::fb"))))
prec("other ethertypes", "bpdu", "ethertype", "an 802.3 BPDU", eth(BRIDGE_GROUP, len(LLC_BPDU), LLC_BPDU))
prec("other ethertypes", "ethertype", "csum_offload", "0x88b6, checksum in the Ethernet header",
     eth(R_MAC, 0x88B6, bytes(46)), csum=(12, 2))
prec("other ethertypes", "csum_offload", "multicast", "0x88b5 to a group MAC, checksum in the Ethernet header",
     eth(b"\x33\x33\0\0\0\x01", 0x88B5, bytes(46)), csum=(12, 2))
case("precedence: 0x8100 allowed, a tagged frame to a group MAC with its checksum in the tag: csum_offload",
     tagged(u4(), dmac=b"\x33\x33\0\0\0\x01"), FORBID, "csum_offload", b=A_VLAN, csum=(14, 2))


# --- running -------------------------------------------------------------------

def main():
    verbose = "-v" in sys.argv
    args = [x for x in sys.argv[1:] if x != "-v"]
    readme = args[0] if args else os.path.join(os.path.dirname(HERE), "README")
    n_ok = n_fail = 0

    def record(ok, name, detail=""):
        nonlocal n_ok, n_fail
        if ok:
            n_ok += 1
            if verbose:
                print("ok   %s" % name)
        else:
            n_fail += 1
            print("FAIL %s%s" % (name, "\n     " + detail if detail else ""))

    tables, para = readme_tables(readme)
    record(all(tables.values()) and para, "README: the three reason tables and the precedence paragraph found",
           "found %s; precedence paragraph %s" % (tables, "found" if para else "missing"))
    reasons = set(sum(tables.values(), []))
    broken, inside = {}, {}
    pairs_seen = set()
    for c in CASES:
        if c["port"] is not None:
            v = policy.judge_port(c["fr"], c["port"][0], c["port"][1], c["csum"])
        elif c["to"]:
            v = policy.judge_to(c["fr"], c["b"], c["garp_ok"])
        else:
            v = policy.judge_from(c["fr"], c["b"], c["csum"])
        want = (c["want"], frozenset([c["counted"]]) if c["want"] == FORBID else None)
        ok = v.verdict == c["want"]
        if ok and c["want"] == FORBID:
            ok = v.counted == want[1] and (c["tag"] is None or v.tags[:1] == (c["tag"],))
        if ok and c["want"] == ALLOW:
            ok = v.counted == frozenset(["passed"])
        name = ("%s%s" % (c["name"], " [reading]" if c["reading"] else ""))
        record(ok, name, "expected %s%s%s; the judge: %s, tags %s (frame %s)" % (
            c["want"], " counted under %s" % c["counted"] if c["counted"] else "",
            " (%s)" % c["tag"] if c["tag"] else "", policy.show(v), list(v.tags), c["fr"].hex()))
        if not ok:
            continue
        table = "unbound" if c["port"] is not None and c["port"][0] is None else ("to" if c["to"] else "from")
        if c["want"] == FORBID:
            broken.setdefault((table, c["counted"]), []).append(c["name"])
        for r in c["inside"]:
            inside.setdefault((table, r), []).append(c["name"])
        if c["prec"]:
            pairs_seen.add(c["prec"])
    for table, rows in tables.items():
        for r in rows:
            record((table, r) in broken, "README row %s (%s): a frame that breaks it" % (r, table),
                   "no case breaks this row: add one to tests/policy-test.py")
            record((table, r) in inside, "README row %s (%s): a frame just inside it" % (r, table),
                   "no allowed case next to this row's boundary: add one to tests/policy-test.py")
    pairs = precedence_pairs(para, reasons)
    record(len(pairs) >= 20, "README's precedence paragraph: %d pairs of neighbours parsed" % len(pairs), str(pairs))
    for p in pairs:
        if p in EXCLUSIVE:
            record(True, "precedence (%s): %s before %s: no frame breaks both (%s)" % (p + (EXCLUSIVE[p],)))
        else:
            record(p in pairs_seen, "precedence (%s): %s before %s: a frame that breaks both" % p,
                   "no case: add one (prec(...)) to tests/policy-test.py, or to EXCLUSIVE with the reason")
    print("%d passed, %d failed" % (n_ok, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
