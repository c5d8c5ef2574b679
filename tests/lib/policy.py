# SPDX-License-Identifier: GPL-2.0
"""policy.py: vmfence's policy as README states it, for the fuzzers' oracle.

Written from README's "What it protects against": the reason tables
(frames from the VM, towards the VM, from ports of a bridge set to
"unbound drop"), "Owned", the extension-header paragraph and the
precedence paragraph ("A frame that breaks several rules is counted
once, under the first of these that it breaks").  Not from kmod/: where
README and the module disagree, this module follows README until one of
them is deliberately changed.  tests/policy-test.py walks README's tables
row by row against it, without a guest; tests/lib/pktfuzz.py judges every
frame it sends with it.

  judge_from(frame, binding, csum=None)   a frame a VM sends (enforce)
  judge_to(frame, binding, garp_ok=True)  a frame towards a VM (enforce)
  judge_port(frame, binding, unbound_drop, csum=None)
                                          any port: trusted, unbound
                                          (its bridge's setting), enforce

Each returns a Verdict: (verdict, reasons, counted, tags).
  verdict   ALLOW, FORBID or UNDECIDED (README does not settle the case:
            a label says which; such a frame counts as allowed for the
            fuzzer's findings and is left out of its legitimate-traffic
            accounting)
  reasons   README's drop reasons the frame breaks, in README's order of
            precedence, each with what broke it: "arp_spoof(sender MAC)"
            (or the undecided labels)
  counted   what the port's counters count it under: the first reason,
            "passed" if none (a set: an undecided frame may be either)
  tags      "reason.clause" per reason, naming the clause of README's row
            ("nd_spoof.option", "ip6_spoof.claimed"): what the mutation
            controls look for, and what tests/policy-test.py checks

csum: (csum_start, csum_offset) of a frame the VM left CHECKSUM_PARTIAL
(a virtio-net header's offsets; csum_start from the frame's first byte),
None for a frame with no checksum left open (a packet socket's).

The readings where README's words leave room (each also in
tests/policy-test.py, and in README's Testing section):

  - "truncated headers" are the headers a rule must read to decide:
    Ethernet, IPv4 (ihl*4, within tot_len), IPv6 and its extension
    headers, ARP (28 bytes), UDP ports (8 bytes), the ICMP, ICMPv6 and
    IGMP type (1 byte), the ND message body (24 bytes, RS 8) and its
    options (walked to the end of the payload, each of a non-zero length
    that fits: RFC 4861; none is read past a malformed one, so "anywhere
    among the options" is among those before it).  A TCP header is read
    by no rule but the first-fragment one.
  - An IPv6 later fragment (offset > 0) has no upper-layer header: only
    the source and multicast rules apply to it; an atomic fragment is a
    fragment (RFC 6946), so neighbour discovery in it is nd_spoof.  An
    IPv4 later fragment likewise has no transport header (no ports, no
    ICMP or IGMP type) and no transport checksum (csum_offload).
  - Ethernet frames shorter than 14 bytes never leave the sender.
  - A DHCPv4 client message is UDP 68->67 in a first or only fragment.
  - An allowed ethertype, and a tagged frame whose outer TPID is allowed
    (0x8100 or 0x88a8: "allow-ethertype 0x8100 lets the VM send tagged
    frames, whose content is then not checked"), are judged on mac_spoof,
    csum_offload (the content starts after the Ethernet header, or after
    the outer tag) and multicast (their Ethernet destination) only;
    bpdu is for untagged frames (a tagged frame is judged on its tag).
    802.3 frames (a length, not an ethertype) are never allowed.
  - IPv6 multicast is judged by its IPv6 destination (the groups each
    exemption names), whatever group MAC carries it; an IPv6 unicast
    packet in any Ethernet group frame is multicast.
  - Towards a VM, README's table has no malformed row; the rules read
    the same headers, and a frame whose headers they cannot read is
    counted malformed (as from a VM).  An IPv4 packet to a multicast
    address or 255.255.255.255 in a unicast frame is not "not sent to one
    of its addresses".  ARP that is not Ethernet/IPv4 ARP is not_for_port
    (it has no target a VM could own), and so is a reply whose target
    hardware address is not the VM's MAC (README, "What replaces what":
    "not_for_port (ARP target, reply to its MAC)").
  - Undecided: towards a VM, what a tagged frame carries
    (tagged-frame-towards-vm): README's towards-VM rules name no tag.
"""

import collections
import socket

ALLOW, UNDECIDED, FORBID = "allow", "undecided", "forbid"

ETH_IP4, ETH_ARP, ETH_IP6 = 0x0800, 0x0806, 0x86DD
TPID_8021Q, TPID_8021AD = 0x8100, 0x88A8
TPIDS = (TPID_8021Q, TPID_8021AD)
BCAST = b"\xff" * 6
ZERO4 = b"\0" * 4
ZERO16 = b"\0" * 16
LBCAST4 = b"\xff" * 4
BRIDGE_GROUP = b"\x01\x80\xc2\x00\x00\x00"

# IPv6 extension headers README's walk follows (hop-by-hop, routing,
# fragment, AH, destination options); 59 ends the chain.
EXT6 = (0, 43, 44, 51, 60)
# The transport headers whose checksum field csum_offload accepts, and
# where that field is (README: "TCP, UDP, UDP-Lite, SCTP, ICMP or ICMPv6").
CSUM_FIELD = {6: 16, 17: 6, 136: 6, 132: 8, 1: 2, 58: 2}

Verdict = collections.namedtuple("Verdict", "verdict reasons counted tags")


# --- addresses -------------------------------------------------------------

def a4(s):
    return socket.inet_pton(socket.AF_INET, s)


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def macb(s):
    return bytes(int(x, 16) for x in s.split(":"))


def eui64_ll(mac):
    """fe80::/64 with the modified EUI-64 interface identifier of mac."""
    return (b"\xfe\x80" + b"\0" * 6 + bytes([mac[0] ^ 2, mac[1], mac[2], 0xFF, 0xFE])
            + mac[3:6])


def solicited_node(addr):
    return a6("ff02::1:ff00:0")[:13] + addr[13:]


def mcast_mac6(addr):
    return b"\x33\x33" + addr[12:]


def mcast_mac4(addr):
    return bytes([1, 0, 0x5E, addr[1] & 0x7F, addr[2], addr[3]])


ALL_NODES, ALL_ROUTERS, MLD2_ROUTERS = a6("ff02::1"), a6("ff02::2"), a6("ff02::16")
DHCP6_GROUPS = (a6("ff02::1:2"), a6("ff05::1:3"))
SOLICITED_NODE = a6("ff02::1:ff00:0")[:13]


class Binding:
    """What a port was bound to: the words "mac=MAC ip=ADDR[/LEN]...
    allow-ethertype=0xNNNN... multicast=allow|deny mode=enforce|trusted"
    ("vmfencectl port set" takes the same with spaces).  The EUI-64
    link-local address of the MAC is always the VM's (README, "Owned")."""

    def __init__(self, spec):
        self.spec = spec
        self.mac = None
        self.net4 = []          # (int network, mask), full-length ones too
        self.net6 = []
        self.exact4 = set()     # the full-length ones (ints)
        self.exact6 = set()
        self.ethertypes = set()
        self.multicast = False
        self.mode = "enforce"
        for w in spec.split():
            k, _, v = w.partition("=")
            if k == "mac":
                self.mac = macb(v)
            elif k == "ip":
                addr, _, plen = v.partition("/")
                six = ":" in addr
                bits = 128 if six else 32
                plen = int(plen) if plen else bits
                n = int.from_bytes(a6(addr) if six else a4(addr), "big")
                mask = ((1 << bits) - 1) ^ ((1 << (bits - plen)) - 1)
                (self.net6 if six else self.net4).append((n & mask, mask))
                if plen == bits:
                    (self.exact6 if six else self.exact4).add(n)
            elif k == "allow-ethertype":
                self.ethertypes.add(int(v, 16))
            elif k == "multicast":
                self.multicast = v == "allow"
            elif k == "mode":
                self.mode = v
            else:
                raise ValueError("binding: unknown word %r" % w)
        if self.mac is None:
            raise ValueError("binding without mac=")
        self.ll6 = eui64_ll(self.mac)
        self.ll6_int = int.from_bytes(self.ll6, "big")
        self.exact6.add(self.ll6_int)
        # What other ports of the bridge hold exactly (held_by()).
        self.held4 = self.held6 = frozenset()

    def held_by(self, others):
        """README, "Owned": an address another port of the same bridge
        holds exactly (a full-length binding, or its EUI-64 link-local
        address; trusted ports' too, README excepts none) is not this
        port's through a prefix."""
        h4, h6 = set(), set()
        for o in others:
            h4 |= o.exact4
            h6 |= o.exact6
        self.held4, self.held6 = frozenset(h4), frozenset(h6)

    @staticmethod
    def _in(n, exact, nets):
        return n in exact or any(n & mask == net for net, mask in nets)

    # "Owned": what the VM may send from, announce, probe for.
    def own4(self, b):
        return self.why_not4(b) is None

    def own6(self, b):
        return self.why_not6(b) is None

    def why_not4(self, b):
        """None if owned, else "claimed" (inside a prefix, but another
        port holds it exactly) or "not bound"."""
        n = int.from_bytes(b, "big")
        if n in self.exact4:
            return None
        if not self._in(n, (), self.net4):
            return "not bound"
        return "claimed" if n in self.held4 else None

    def why_not6(self, b):
        n = int.from_bytes(b, "big")
        if n in self.exact6:
            return None
        if not self._in(n, (), self.net6):
            return "not bound"
        return "claimed" if n in self.held6 else None

    # Towards the VM: "one of its addresses" ("a port bound to a prefix
    # receives for all of it": no claims here).
    def has4(self, b):
        return self._in(int.from_bytes(b, "big"), self.exact4, self.net4)

    def has6(self, b):
        return self._in(int.from_bytes(b, "big"), self.exact6, self.net6)

    def claimed4(self):
        """Addresses inside this binding's prefixes that others hold
        exactly (bytes): the ones the claims rule takes away."""
        return [n.to_bytes(4, "big") for n in sorted(self.held4 - self.exact4)
                if any(n & m == net for net, m in self.net4)]

    def claimed6(self):
        return [n.to_bytes(16, "big") for n in sorted(self.held6 - self.exact6)
                if any(n & m == net for net, m in self.net6)]


# --- judgements --------------------------------------------------------------

class Judgement:
    """The rules a frame breaks, in README's order of precedence; the
    first one is what it is counted under."""
    __slots__ = ("forbid", "tags", "undecided", "unsure_reasons")

    def __init__(self):
        self.forbid = []
        self.tags = []
        self.undecided = []
        self.unsure_reasons = set()

    def no(self, reason, clause, detail=None):
        self.forbid.append("%s(%s)" % (reason, detail or clause))
        self.tags.append("%s.%s" % (reason, clause))

    def unsure(self, label, reason):
        """A case README leaves open; reason: what it would drop under."""
        self.undecided.append(label)
        self.unsure_reasons.add(reason)

    def done(self):
        if self.forbid:
            return Verdict(FORBID, self.forbid, frozenset([self.tags[0].split(".")[0]]),
                           tuple(self.tags))
        if self.undecided:
            return Verdict(UNDECIDED, self.undecided, frozenset({"passed"} | self.unsure_reasons), ())
        return Verdict(ALLOW, [], frozenset({"passed"}), ())


RUNT = Verdict(FORBID, ["runt"], frozenset(), ())


def ip4_header(p):
    """(ihl bytes, tot_len) of a well-formed IPv4 header at p[0], else None
    (README, malformed: truncated headers, a bad IPv4 header length)."""
    if len(p) < 20 or p[0] >> 4 != 4:
        return None
    ihl = (p[0] & 15) * 4
    tot = (p[2] << 8) | p[3]
    if ihl < 20 or tot < ihl or tot > len(p):
        return None
    return ihl, tot


def ip4_later_fragment(p):
    return ((p[6] << 8) | p[7]) & 0x1FFF != 0


class Walk:
    """An IPv6 packet's header chain walked to its upper-layer header."""
    __slots__ = ("ok", "end", "off", "proto", "fragmented", "later", "why", "clause", "has_ah")


def ip6_walk(p):
    """README: "IPv6 extension headers (hop-by-hop, routing, destination
    options, fragment, AH) are walked to the upper-layer header"; a chain
    that runs past the packet is malformed."""
    w = Walk()
    w.ok = False
    w.why = w.clause = None
    w.fragmented = w.later = w.has_ah = False
    if len(p) < 40 or p[0] >> 4 != 6:
        w.why, w.clause = "ipv6 header", "ip6"
        return w
    end = 40 + ((p[4] << 8) | p[5])
    if end > len(p):
        w.why, w.clause = "ipv6 payload length beyond the frame", "ip6"
        return w
    w.end = end
    nh = p[6]
    off = 40
    while nh in EXT6:
        if off + 8 > end:       # every extension header is 8 bytes or more
            w.why, w.clause = "extension header %d runs past the packet" % nh, "ext"
            return w
        nxt = p[off]
        if nh == 44:
            w.fragmented = True
            if ((p[off + 2] << 8) | p[off + 3]) & 0xFFF8:
                w.later = True  # no upper-layer header in a later fragment
                w.ok = True
                w.off = off + 8
                w.proto = nxt
                return w
            off += 8
        else:
            if nh == 51:
                w.has_ah = True
                off += (p[off + 1] + 2) * 4     # AH: RFC 4302, in 4-byte units
            else:
                off += (p[off + 1] + 1) * 8
            if off > end:
                w.why, w.clause = "extension header %d runs past the packet" % nh, "ext"
                return w
        nh = nxt
    w.off = off
    w.proto = nh
    w.ok = True
    return w


def first_fragment_problem(w):
    """README (malformed): "an IPv6 first fragment without its whole
    upper-layer header (a TCP header's 20 bytes, 8 of any other)"; 59 (no
    next header) has none to miss.  An atomic fragment is a first
    fragment (RFC 6946)."""
    if not w.fragmented or w.later or w.proto == 59:
        return None
    n, need = w.end - w.off, 20 if w.proto == 6 else 8
    if n < need:
        return "first fragment with %d of the %d bytes of its upper-layer header" % (max(n, 0), need)
    return None


def _csum_exact(csum, thoff, end, proto):
    """csum_offload: the offsets are exactly the checksum field of the
    transport header read (thoff, from the frame's start), inside the
    packet (which ends at end)."""
    field = CSUM_FIELD.get(proto)
    start, offset = csum
    return field is not None and start == thoff and offset == field and thoff + field + 2 <= end


def judge_port(fr, b, unbound_drop=False, csum=None):
    """A frame a port sends: b None for a port with no binding (README:
    "From ports of a bridge set to "unbound drop"": unbound; else not
    touched), a trusted binding is not checked, an enforce one is."""
    if len(fr) < 14:
        return RUNT
    if b is None:
        if unbound_drop:
            j = Judgement()
            j.no("unbound", "port", "a port with no binding")
            return j.done()
        return Verdict(ALLOW, [], frozenset({"passed"}), ())
    if b.mode == "trusted":
        return Verdict(ALLOW, [], frozenset({"passed"}), ())
    return judge_from(fr, b, csum)


def judge_from(fr, b, csum=None):
    """May the VM bound to b (enforce) send the frame fr?"""
    if len(fr) < 14:
        return RUNT
    j = Judgement()
    dst = fr[0:6]
    et = (fr[12] << 8) | fr[13]
    if fr[6:12] != b.mac:
        j.no("mac_spoof", "source", "Ethernet source not the bound MAC")
    if et in TPIDS:
        # "then vlan (a tagged frame is judged on its tag alone)".
        if et not in b.ethertypes:
            j.no("vlan", "tag", "802.1Q/802.1ad tag 0x%04x" % et)
        else:
            _opaque(fr, dst, 18, b, j, csum)
        return j.done()
    p = fr[14:]
    if et == ETH_IP4:
        _from_ip4(p, dst, b, j, csum)
    elif et == ETH_ARP:
        _from_arp(p, dst, b, j, csum)
    elif et == ETH_IP6:
        _from_ip6(p, dst, b, j, csum)
    else:
        _from_other(fr, et, dst, b, j, csum)
    return j.done()


def _group_mac_denied(dst, b):
    """README, multicast: "any frame to an Ethernet group address other
    than broadcast", unless "multicast allow"."""
    return not b.multicast and dst[0] & 1 and dst != BCAST


def _opaque(fr, dst, content, b, j, csum):
    """A frame whose content is not checked (an allowed ethertype, a
    tagged frame with its TPID allowed): csum_offload "unless the
    checksum starts in that content", then multicast."""
    if csum is not None and csum[0] < content:
        j.no("csum_offload", "opaque", "checksum starting at %d, before the unchecked content at %d"
             % (csum[0], content))
    if _group_mac_denied(dst, b):
        j.no("multicast", "ethernet", "to an Ethernet group address")


def _from_other(fr, et, dst, b, j, csum):
    # Order: bpdu, ethertype, csum_offload, multicast.  A length field
    # (below 0x0600, 802.3) is no ethertype a port could allow.
    if dst == BRIDGE_GROUP:
        j.no("bpdu", "group", "to the bridge group address")
    allowed = et >= 0x0600 and et in b.ethertypes
    if not allowed:
        j.no("ethertype", "type", "ethertype 0x%04x" % et)
    _opaque(fr, dst, 14, b, j, csum)


def _from_ip4(p, dst, b, j, csum):
    # Order: malformed (headers, UDP ports, ICMP or IGMP type), redirect
    # or router_advert (ICMP), csum_offload, ip4_spoof, dhcp_server,
    # dhcp_spoof, multicast (a query), then broadcast (an Ethernet
    # broadcast frame, whatever its IPv4 destination) or multicast.
    h = ip4_header(p)
    if h is None:
        j.no("malformed", "ip4", "ipv4 header")
        return
    ihl, tot = h
    proto = p[9]
    sport = dport = None
    query = False
    later = ip4_later_fragment(p)
    if not later:
        if proto == 17:
            if ihl + 8 > tot:
                j.no("malformed", "udp", "udp header cut")
                return
            sport = (p[ihl] << 8) | p[ihl + 1]
            dport = (p[ihl + 2] << 8) | p[ihl + 3]
        elif proto == 1:
            if ihl >= tot:
                j.no("malformed", "icmp", "icmp without its type")
                return
            if p[ihl] == 5:
                j.no("redirect", "icmpv4", "ICMPv4 redirect")
            elif p[ihl] == 9:
                j.no("router_advert", "icmpv4", "ICMPv4 router advertisement")
        elif proto == 2:
            if ihl >= tot:
                j.no("malformed", "igmp", "igmp without its type")
                return
            query = p[ihl] == 0x11
    if csum is not None and (later or not _csum_exact(csum, 14 + ihl, 14 + tot, proto)):
        j.no("csum_offload", "offsets", "checksum at %d+%d, not the %s checksum field"
             % (csum[0], csum[1], "transport header's" if not later else "(later fragment) transport"))
    dhcp_client = sport == 68 and dport == 67
    src = p[12:16]
    if not (src == ZERO4 and dhcp_client):
        why = b.why_not4(src)
        if why == "claimed":
            j.no("ip4_spoof", "claimed", "source in a bound prefix, held exactly by another port")
        elif why:
            j.no("ip4_spoof", "zero" if src == ZERO4 else "source", "source not owned")
    if sport == 67:
        j.no("dhcp_server", "sport", "UDP source port 67")
    elif dport == 68:
        j.no("dhcp_server", "dport", "UDP to the client port 68")
    if dhcp_client:
        clause, why = _chaddr_problem(p, ihl, tot, b)
        if why:
            j.no("dhcp_spoof", clause, why)
    if b.multicast:
        return
    if query:
        # "whatever its destination", and before broadcast.
        j.no("multicast", "query", "IGMP query")
    ipdst = p[16:20]
    ipmcast = 224 <= ipdst[0] <= 239
    if dst == BCAST or (not dst[0] & 1 and ipdst == LBCAST4):
        if not dhcp_client:
            j.no("broadcast", "ethernet" if dst == BCAST else "ip", "IPv4 broadcast")
    elif dst[0] & 1:
        j.no("multicast", "ethernet", "IPv4 to an Ethernet group address")
    if ipmcast:
        j.no("multicast", "ip4", "IPv4 multicast destination")


def _chaddr_problem(p, ihl, tot, b):
    """dhcp_spoof: a client message's hardware address (BOOTP: op, htype,
    hlen, hops, xid, secs, flags, four addresses, then chaddr at 28) must
    be the bound MAC (htype 1, hlen 6), in the packet (within its IPv4
    total length)."""
    o = ihl + 8
    if o + 34 > tot:
        return "missing", "chaddr not in the packet"
    if p[o + 1] != 1 or p[o + 2] != 6:
        return "htype", "htype %d hlen %d" % (p[o + 1], p[o + 2])
    if p[o + 28:o + 34] != b.mac:
        return "chaddr", "chaddr not the bound MAC"
    return None, None


def _from_arp(p, dst, b, j, csum):
    # Order: malformed (truncated), arp_spoof (header), csum_offload,
    # arp_spoof (sender), multicast.
    if len(p) < 28:
        j.no("malformed", "arp", "arp cut")
        return
    if p[0:6] != b"\x00\x01\x08\x00\x06\x04":
        j.no("arp_spoof", "header", "not Ethernet/IPv4 ARP")
    op = (p[6] << 8) | p[7]
    if op not in (1, 2):
        j.no("arp_spoof", "op", "op %d" % op)
    if csum is not None:
        j.no("csum_offload", "offsets", "ARP has no checksum")
    if p[8:14] != b.mac:
        j.no("arp_spoof", "sender-mac", "sender MAC")
    spa, tpa = p[14:18], p[24:28]
    why = b.why_not4(spa)
    if why:
        if spa != ZERO4 or op != 1:
            j.no("arp_spoof", "claimed" if why == "claimed" else "sender-ip", "sender IP %s" % why)
        else:
            # A probe (RFC 5227) for another's address would make a
            # neighbour doing conflict detection give it up.
            why_t = b.why_not4(tpa)
            if why_t:
                j.no("arp_spoof", "claimed" if why_t == "claimed" else "probe",
                     "ARP probe for an address not the VM's (%s)" % why_t)
    if _group_mac_denied(dst, b):
        j.no("multicast", "ethernet", "ARP to an Ethernet group address")


def _from_ip6(p, dst, b, j, csum):
    # Order: malformed (headers, UDP ports), ip6_spoof, then what the
    # upper layer says (router_advert, redirect, nd_spoof, malformed
    # ICMPv6 or ND, dhcp6_server, csum_offload), then multicast.
    w = ip6_walk(p)
    if not w.ok:
        j.no("malformed", w.clause, w.why)
        return
    why = first_fragment_problem(w)
    if why:
        j.no("malformed", "first-fragment", why)
        return
    t = None                    # the ICMPv6 type
    sport = dport = None
    if not w.later:
        off, end = w.off, w.end
        if w.proto == 17:
            if off + 8 > end:
                j.no("malformed", "udp", "udp header cut")
                return
            sport = (p[off] << 8) | p[off + 1]
            dport = (p[off + 2] << 8) | p[off + 3]
        elif w.proto == 58 and off < end:
            t = p[off]
    src = p[8:24]
    # :: "for duplicate address detection (NS, MLD reports)".
    if not (src == ZERO16 and t in (135, 131, 143)):
        why = b.why_not6(src)
        if why == "claimed":
            j.no("ip6_spoof", "claimed", "source in a bound prefix, held exactly by another port")
        elif why:
            j.no("ip6_spoof", "unspecified" if src == ZERO16 else "source", "source not owned")
    upper = False
    if not w.later:
        n = len(j.forbid)
        if w.proto == 58 and t is None:
            j.no("malformed", "icmpv6", "icmpv6 without its type")
        elif t == 134:
            j.no("router_advert", "icmpv6", "ICMPv6 router advertisement")
        elif t == 137:
            j.no("redirect", "icmpv6", "ICMPv6 redirect")
        elif t in (133, 135, 136):
            _nd(p, w, t, src, b, j)
        if sport == 547:
            j.no("dhcp6_server", "sport", "UDP source port 547")
        elif dport == 546:
            j.no("dhcp6_server", "dport", "UDP to the client port 546")
        upper = len(j.forbid) > n
    if csum is not None and not upper and (w.later or not _csum_exact(csum, 14 + w.off, 14 + w.end, w.proto)):
        # (after what the upper layer says: an upper-layer reason wins)
        j.no("csum_offload", "offsets", "checksum at %d+%d, not the transport header's checksum field"
             % (csum[0], csum[1]))
    if b.multicast:
        return
    d = p[24:40]
    if t == 130:
        j.no("multicast", "query", "MLD query")     # whatever its destination
    elif d[0] == 0xFF:
        _group6(p, w, t, sport == 546 and dport == 547, d, j)
    elif dst[0] & 1:
        # IPv6 has no broadcast: unicast in a group frame is multicast.
        j.no("multicast", "unicast6", "IPv6 unicast in an Ethernet group frame")


def _group6(p, w, t, dhcp_client, d, j):
    """Under multicast deny, the IPv6 groups a message may go to: ND (RS,
    NS, NA) to ff02::1, ff02::2 or a solicited-node group, MLDv2 reports
    to ff02::16, MLDv1 reports to the group they report, MLDv1 done to
    ff02::2, DHCPv6 client messages to ff02::1:2 or ff05::1:3."""
    if t in (133, 135, 136):
        if d in (ALL_NODES, ALL_ROUTERS) or d[:13] == SOLICITED_NODE:
            return
        j.no("multicast", "group6", "neighbour discovery to another group")
    elif t == 143:
        if d != MLD2_ROUTERS:
            j.no("multicast", "group6", "MLDv2 report not to ff02::16")
    elif t == 131:
        group = p[w.off + 8:w.off + 24] if w.off + 24 <= w.end else None
        if d != group:
            j.no("multicast", "group6", "MLDv1 report not to the group it reports")
    elif t == 132:
        if d != ALL_ROUTERS:
            j.no("multicast", "group6", "MLDv1 done not to ff02::2")
    elif dhcp_client:
        if d not in DHCP6_GROUPS:
            j.no("multicast", "group6", "DHCPv6 client message to another group")
    else:
        j.no("multicast", "ip6", "IPv6 multicast")


def _nd(p, w, t, src, b, j):
    """nd_spoof, and malformed ND after it (README's order); the options
    are walked in order, and none is read past a malformed one."""
    if w.fragmented:
        j.no("nd_spoof", "fragment", "neighbour discovery in a fragment")
    off = w.off + (8 if t == 133 else 24)
    end = w.end
    if off > end:
        j.no("malformed", "nd", "nd message cut")
        return
    target = p[w.off + 8:w.off + 24]
    if t == 136:
        why = b.why_not6(target)
        if why:
            j.no("nd_spoof", "claimed" if why == "claimed" else "target", "NA target %s" % why)
    if t == 135 and src == ZERO16:
        why = b.why_not6(target)
        if why:
            j.no("nd_spoof", "claimed" if why == "claimed" else "dad",
                 "DAD probe for an address not the VM's (%s)" % why)
    while off < end:
        if off + 2 > end:
            j.no("malformed", "nd-option", "nd option cut")
            return
        ln = p[off + 1] * 8
        if ln == 0:
            j.no("malformed", "nd-option", "nd option of length 0")
            return
        if off + ln > end:
            j.no("malformed", "nd-option", "nd option runs past the packet")
            return
        if p[off] in (1, 2) and p[off + 2:off + 8] != b.mac:
            j.no("nd_spoof", "option", "link-layer option %d not the VM's MAC" % p[off])
        off += ln


def judge_to(fr, b, garp_ok=True):
    """May the frame fr leave the bridge towards the VM bound to b
    (enforce)?  garp_ok: it came from a bound port (enforce or trusted)
    or the host, whose gratuitous ARP reaches every VM.  README gives no
    order of precedence here (the counters are the receiver's)."""
    if len(fr) < 14:
        return RUNT
    dst = fr[0:6]
    unicast = not dst[0] & 1
    j = Judgement()
    if unicast and dst != b.mac:
        j.no("not_for_port", "mac", "a unicast frame not sent to the VM's MAC")
        return j.done()
    et = (fr[12] << 8) | fr[13]
    p = fr[14:]
    if et in TPIDS:
        j.unsure("tagged-frame-towards-vm", "not_for_port")
    elif et == ETH_IP4:
        h = ip4_header(p)
        if h is None:
            j.no("malformed", "ip4", "ipv4 header")
            return j.done()
        ihl, tot = h
        if (p[9] == 17 and not ip4_later_fragment(p) and ihl + 8 <= tot
                and (p[ihl + 2] << 8) | p[ihl + 3] == 67):
            j.no("dhcp_snoop", "dhcp4", "another VM's DHCPv4 client message")
        ipdst = p[16:20]
        if unicast and not 224 <= ipdst[0] <= 239 and ipdst != LBCAST4 and not b.has4(ipdst):
            j.no("not_for_port", "ip4", "IPv4 packet not sent to one of its addresses")
    elif et == ETH_IP6:
        w = ip6_walk(p)
        if not w.ok:
            j.no("malformed", w.clause, w.why)
            return j.done()
        why = first_fragment_problem(w)
        if why:
            j.no("malformed", "first-fragment", why)
            return j.done()
        if (not w.later and w.proto == 17 and w.off + 8 <= w.end
                and (p[w.off + 2] << 8) | p[w.off + 3] == 547):
            j.no("dhcp_snoop", "dhcp6", "another VM's DHCPv6 client message")
        if p[24] != 0xFF and not b.has6(p[24:40]):
            # In a group frame too: IPv6 has no broadcast.
            j.no("not_for_port", "ip6", "unicast IPv6 packet not sent to one of its addresses")
    elif et == ETH_ARP:
        if len(p) < 28:
            j.no("malformed", "arp", "arp cut")
            return j.done()
        op = (p[6] << 8) | p[7]
        spa, tpa = p[14:18], p[24:28]
        if p[0:6] != b"\x00\x01\x08\x00\x06\x04":
            j.no("not_for_port", "arp-header", "ARP, not Ethernet/IPv4")
        elif garp_ok and spa == tpa and spa != ZERO4:
            # A gratuitous ARP (RFC 5227 announcement; sender 0.0.0.0
            # would be a probe) from a trusted port, an enforce port or
            # the host: a takeover is heard at once.
            pass
        elif not b.has4(tpa):
            j.no("not_for_port", "arp", "ARP (op %d) whose target is not one of its addresses" % op)
        elif op == 2 and p[18:24] != b.mac:
            j.no("not_for_port", "arp-reply", "ARP reply to another MAC")
    return j.done()


def show(v):
    return "%s %s, counted under %s" % (v[0], v[1], " or ".join(sorted(v[2])) or "nothing")
