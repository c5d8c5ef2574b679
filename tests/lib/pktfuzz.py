#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pktfuzz.py: a packet fuzzer for vmfence, with its own model of the policy.

It sends random and mutated Ethernet frames from a VM's interface (the
attacker, an enforce port, or an unbound one for the control run), watches
what arrives at a trusted port's peer (everything that passed the
attacker's port's ingress hook and that the bridge forwards: it floods
it there, learning is off; link-local groups other than the bridge group
address it keeps, see forwarded()) and at another enforce VM's peer (what
also passed NF_BR_FORWARD towards it), and judges every frame that
arrived with an independent model of the policy of README ("What it
protects against"), re-derived from its text, not from kmod/.  A frame
that arrived although the model forbids it is a finding, printed in hex
with the model's reasons.  The model also says what each frame is counted
under on the attacker's port (README's order of precedence), which the
test compares with the port's counters (the --result file's count_*).

  pktfuzz.py run --from NS:IF --trusted NS:IF --enforce NS:IF
                 --attacker BINDING --receiver BINDING [--neighbour BINDING]...
                 [--unbound] [--seconds S] [--frames N] [--seed SEED] [--phase NAME]
                 [--result FILE] [--show N]
      Fuzz for S seconds (or N frames).  --unbound: the attacker's port
      has no binding (the control run): the attacker's frames are judged
      against BINDING all the same (what it would be allowed to send), so
      findings are expected; what arrives at the enforce receiver is
      judged by the towards-VM rules alone, and findings there are not.
      Prints a report; --result FILE gets "key value" lines (counts).
  pktfuzz.py serve
      Commands (run, gen, judge) one a line on stdin, each answered by a
      line "ok" or "error ..." on stdout once done, reports on stderr:
      one start of Python (seconds under TCG) for several runs.
  pktfuzz.py gen --seed SEED --phase NAME --index K[,K...] [--attacker ..]
                 [--unbound]
      The frames number K of a run (the sequence depends only on seed and
      phase, not on timing), in hex, with the model's verdicts: to
      reproduce a finding without the guest.
  pktfuzz.py judge --hex FRAME --attacker BINDING --receiver BINDING
                   [--neighbour BINDING]... [--unbound]
      The model's verdicts on one frame.

BINDING: words "mac=MAC ip=ADDR[/LEN]... allow-ethertype=0xNNNN...
multicast=allow|deny mode=enforce|trusted", what "vmfencectl port set"
was given (the model adds the EUI-64 link-local address of the MAC, as
README says).  --neighbour: another port of the same bridge (the
receiver is one): what it holds exactly is not the attacker's through a
prefix (README, "Owned").

The model (judge_from, judge_to below) answers allow, forbid (with the
reasons: README's drop reasons, in its order of precedence) or undecided
(with a label: README does not settle the case; such a frame counts as
allowed for the findings, is left out of the legitimate-traffic
accounting, and is counted, with how many arrived and an example), and
what the frame is counted under (class Judgement).  Its readings of
README:

  - "truncated headers": the headers the policy must read to decide are
    cut: Ethernet, IPv4 (ihl*4, within tot_len), IPv6 and its extension
    headers, ARP (28 bytes), UDP ports (8 bytes), the ICMP/ICMPv6 type
    (1 byte), the IGMP type under multicast deny (1 byte: queries;
    under allow nothing needs it, undecided: igmp-without-its-type-
    under-multicast-allow), the ND message body (24 bytes, RS 8) and its
    options (walked to the end of the payload, each of a non-zero length
    that fits: RFC 4861).  Towards a VM, too: its rules read the same
    headers.
  - An IPv6 first fragment holds its whole upper-layer header (RFC
    7112): "a TCP header's 20 bytes, 8 of any other" (none for 59).
  - A later fragment (offset > 0) has no upper-layer header: only the
    source and multicast rules apply to it.  An atomic fragment is a
    fragment (RFC 6946), so neighbour discovery in it is nd_spoof.
  - Owned: exactly bound, in a bound prefix, or the EUI-64 link-local;
    through a prefix, not what another port of the bridge (trusted ones
    included) holds exactly.  It decides sources, ARP senders and
    probe targets, NA and DAD targets.  Towards a VM, "one of its
    addresses" is its binding's (exactly, prefix, link-local): the
    bindings of 87-packet-fuzz.sh give the receiver no prefix holding
    another's address, so whether the claims rule applies there too is
    not asked.
  - DHCPv4 client message (68->67): htype 1, hlen 6 and chaddr the bound
    MAC, within the IPv4 packet (its total length), else dhcp_spoof.
  - Group frames: from a VM, any Ethernet group destination other than
    broadcast is multicast for IPv4, ARP and other ethertypes; an IPv6
    multicast packet is judged by its IPv6 destination alone (the groups
    neighbour discovery, MLD and DHCPv6 may go to), a unicast one in any
    group frame is multicast (IPv6 has no broadcast); a DHCPv4 client
    message is excused from the broadcast rule only; IGMP and MLD
    queries are multicast wherever they go.  An MLDv1 report to
    ff02::16 ("MLD reports to ff02::16 or (MLDv1) to the group they
    report") is undecided: mldv1-report-to-ff02::16.  Towards a VM, a
    unicast IPv6 packet in a group frame must be for the VM.
    Undecided: towards a VM, an IPv4 packet to another's address in an
    Ethernet group frame (ip-unicast-to-another-in-ethernet-group-frame:
    README leaves it, a subnet broadcast looks the same), and a tagged
    frame (tagged-frame-towards-vm).
  - bpdu: other ethertypes (802.3 length fields included) to
    01:80:c2:00:00:00, before the ethertype rule.  An IPv4, ARP or IPv6
    frame there that breaks no rule of its own is undecided
    (ip-arp-ipv6-to-the-bridge-group-address: the table says "a frame",
    the order of precedence names bpdu for other ethertypes only).
  - Towards a VM, a gratuitous ARP (sender = target, not 0.0.0.0: that
    is a probe) from a bound port passes whatever its target; from an
    unbound one it does not.  ARP other than a request or a reply, not
    about the VM's address: undecided (arp-neither-request-nor-reply-
    towards-vm: README names requests and replies only).
  - Order of precedence: where README leaves it open a frame may be
    counted under either reason: an ICMPv6 header without its type and
    ip6_spoof ("malformed (headers, UDP ports)" or what the upper layer
    says?), broadcast and multicast ("broadcast or multicast").
  - csum_offload: never; the frames come from a packet socket without a
    virtio-net header, never CHECKSUM_PARTIAL.
  - The bindings never allow 0x8100 or 0x88a8 (their content would be
    unchecked: not modelled); Binding() refuses them.

Frame sequence: random.Random("SEED:PHASE"), nothing else (no clock, no
os.urandom), so "gen" of the same pktfuzz.py rebuilds any frame of a run.
A run is bounded by wall-clock time; under TCG it sends one to three
thousand frames a second on Debian's kernel, about a hundred on the
debug kernel (KASAN, lockdep), depending on the host's load: frames are
built and judged in pure Python with struct, no scapy.  "gen" and
"judge" default to tests/cases/87-packet-fuzz.sh's bindings.

The long version: tests/cases/87-packet-fuzz.sh takes VMFENCE_FUZZ_SECONDS
and VMFENCE_FUZZ_SEED from its environment or from the guest's kernel
command line, which tests/run extends with VM_APPEND:

  VMFENCE_CASE_TIMEOUT=2400 VMFENCE_TEST_TIMEOUT=3000 \\
  VM_APPEND="VMFENCE_FUZZ_SECONDS=1800" \\
  VMFENCE_TEST_OUT=$PWD/tests/out-pktfuzz tests/run [--debug-kernel] 87
"""

import argparse
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pkt  # noqa: E402  (open_socket, recv_frame, PACKET_OUTGOING)

P = struct.pack
ALLOW, UNDECIDED, FORBID = "allow", "undecided", "forbid"

ETH_IP4, ETH_ARP, ETH_IP6 = 0x0800, 0x0806, 0x86DD
TPID_8021Q, TPID_8021AD = 0x8100, 0x88A8
BCAST = b"\xff" * 6
ZERO4 = b"\0" * 4
ZERO16 = b"\0" * 16
LBCAST4 = b"\xff" * 4

SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33


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


class Binding:
    """What a port was bound to, as the policy sees it: MAC, IPv4 and
    IPv6 addresses and prefixes (the EUI-64 link-local address of the MAC
    always), extra ethertypes, multicast allow|deny, mode."""

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
        if self.ethertypes & {TPID_8021Q, TPID_8021AD}:
            # The content of an allowed tagged frame is not checked, and
            # towards a VM the kernel looks behind the tag: not modelled.
            raise ValueError("the model does not cover allow-ethertype 0x8100/0x88a8")
        self.ll6 = eui64_ll(self.mac)
        self.ll6_int = int.from_bytes(self.ll6, "big")
        self.exact6.add(self.ll6_int)
        # What other ports of the bridge hold exactly (held_by()).
        self.held4 = self.held6 = frozenset()

    def held_by(self, others):
        """README, "Owned": an address another port of the same bridge
        holds exactly (a full-length binding, or its EUI-64 link-local
        address; trusted ports' bindings too, README does not except
        them) is not this port's through a prefix."""
        h4, h6 = set(), set()
        for o in others:
            h4 |= o.exact4
            h6 |= o.exact6
        self.held4, self.held6 = frozenset(h4), frozenset(h6)

    def _own(self, n, exact, nets, held):
        if n in exact:
            return True
        if n in held:
            return False        # the more specific binding wins
        for net, mask in nets:
            if n & mask == net:
                return True
        return False

    def own4(self, b):
        return self._own(int.from_bytes(b, "big"), self.exact4, self.net4, self.held4)

    def own6(self, b):
        return self._own(int.from_bytes(b, "big"), self.exact6, self.net6, self.held6)

    def claimed4(self):
        """Addresses inside this binding's prefixes that others hold
        exactly (bytes): the ones the claims rule takes away."""
        return [n.to_bytes(4, "big") for n in sorted(self.held4 - self.exact4)
                if any(n & m == net for net, m in self.net4)]

    def claimed6(self):
        return [n.to_bytes(16, "big") for n in sorted(self.held6 - self.exact6)
                if any(n & m == net for net, m in self.net6)]


# --- the model ---------------------------------------------------------------

BRIDGE_GROUP = b"\x01\x80\xc2\x00\x00\x00"
ALL_NODES, ALL_ROUTERS, MLD2_ROUTERS = a6("ff02::1"), a6("ff02::2"), a6("ff02::16")
DHCP6_GROUPS = (a6("ff02::1:2"), a6("ff05::1:3"))
SOLICITED_NODE = a6("ff02::1:ff00:0")[:13]


def link_local_group(mac):
    """01:80:c2:00:00:00 to 0f, the IEEE 802.1 link-local groups."""
    return mac[:5] == BRIDGE_GROUP[:5] and mac[5] < 16


def forwarded(fr):
    """Does the bridge forward what vmfence lets through?  It keeps the
    link-local groups but the bridge group address (forwarded while STP
    is off, as on br0): pause frames it drops, the rest (LLDP, 802.1X,
    ...) it hands to the host.  They are checked all the same (the
    ingress hook comes first) and counted on the port, but arrive
    nowhere."""
    return not link_local_group(fr[0:6]) or fr[5] == 0


class Judgement:
    """The rules a frame breaks, in README's order of precedence ("A
    frame that breaks several rules is counted once, under the first of
    these that it breaks"), and what it is counted under: the first
    one's reason, "passed" if none; more than one where README leaves
    the order or the verdict open."""
    __slots__ = ("forbid", "undecided", "early", "late", "either")

    def __init__(self):
        self.forbid = []        # reasons, README's drop reason first: "arp_spoof(sender MAC)"
        self.undecided = []     # labels
        self.early = set()      # what undecided rules would drop it under: before
        self.late = set()       # or after the rules judged after them
        self.either = {}        # reason -> another README may put first

    def no(self, reason):
        self.forbid.append(reason)

    def unsure(self, label, reason, early=False):
        """A rule README leaves open; reason: what it drops under."""
        self.undecided.append(label)
        (self.early if early else self.late).add(reason)

    def done(self):
        if self.forbid:
            first = self.forbid[0].split("(")[0]
            counted = {first}
            if first != "mac_spoof":            # first whatever the rest
                counted |= self.early
                if first in self.either:
                    counted.add(self.either[first])
            return FORBID, self.forbid, frozenset(counted)
        if self.undecided:
            return UNDECIDED, self.undecided, frozenset({"passed"} | self.early | self.late)
        return ALLOW, [], frozenset({"passed"})


def ip4_header(p):
    """(ihl bytes, tot_len) of a well-formed IPv4 header at p[0], else None
    (README: truncated headers, a bad IPv4 header length)."""
    if len(p) < 20 or p[0] >> 4 != 4:
        return None
    ihl = (p[0] & 15) * 4
    tot = (p[2] << 8) | p[3]
    if ihl < 20 or tot < ihl or tot > len(p):
        return None
    return ihl, tot


class Walk:
    """An IPv6 packet's header chain walked to its upper-layer header
    (README: hop-by-hop 0, routing 43, fragment 44, AH 51, destination
    options 60; 59 ends it; anything else is the upper layer)."""
    __slots__ = ("ok", "end", "off", "proto", "fragmented", "later", "why")


def ip6_walk(p):
    w = Walk()
    w.ok = False
    w.why = None
    w.fragmented = w.later = False
    if len(p) < 40 or p[0] >> 4 != 6:
        w.why = "malformed(ipv6 header)"
        return w
    end = 40 + ((p[4] << 8) | p[5])
    if end > len(p):
        w.why = "malformed(ipv6 payload length beyond the frame)"
        return w
    w.end = end
    nh = p[6]
    off = 40
    while nh in (0, 43, 44, 51, 60):
        if off + 8 > end:       # every extension header is 8 bytes or more
            w.why = "malformed(extension header %d runs past the packet)" % nh
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
            off += (p[off + 1] + 2) * 4 if nh == 51 else (p[off + 1] + 1) * 8
            if off > end:
                w.why = "malformed(extension header %d runs past the packet)" % nh
                return w
        nh = nxt
    w.off = off
    w.proto = nh
    w.ok = True
    return w


def first_fragment_rule(w, j):
    """README (malformed): an IPv6 first fragment without its whole
    upper-layer header, "a TCP header's 20 bytes, 8 of any other" (RFC
    7112); 59 (no next header) has none to miss.  An atomic fragment is
    a first fragment (RFC 6946)."""
    if not w.fragmented or w.later or w.proto == 59:
        return
    n, need = w.end - w.off, 20 if w.proto == 6 else 8
    if n < need:
        j.no("malformed(first fragment with %d of the %d bytes of its upper-layer header)" % (max(n, 0), need))


def judge_from(fr, b):
    """May the VM bound to b send the frame fr (from its port, enforce)?
    (verdict, reasons, counted): Judgement.done()."""
    if len(fr) < 14:
        return FORBID, ["runt"], frozenset()    # never leaves the sender
    j = Judgement()
    dst = fr[0:6]
    et = (fr[12] << 8) | fr[13]
    if fr[6:12] != b.mac:
        j.no("mac_spoof")
    if et in (TPID_8021Q, TPID_8021AD):
        # "a tagged frame is judged on its tag alone"
        if et not in b.ethertypes:
            j.no("vlan")
        return j.done()
    p = fr[14:]
    if et == ETH_IP4:
        _from_ip4(p, dst, b, j)
    elif et == ETH_ARP:
        _from_arp(p, dst, b, j)
    elif et == ETH_IP6:
        _from_ip6(p, dst, b, j)
    else:
        _from_other(et, dst, b, j)
        return j.done()
    if dst == BRIDGE_GROUP and not j.forbid:
        # bpdu is "a frame to the bridge group address", but the order
        # of precedence names it for other ethertypes only: a frame that
        # breaks an IPv4, ARP or IPv6 rule is counted under that rule,
        # and whether one that breaks none is a bpdu README leaves open.
        j.unsure("ip-arp-ipv6-to-the-bridge-group-address", "bpdu")
    return j.done()


def _from_ip4(p, dst, b, j):
    # Order: malformed, redirect or router_advert, (csum_offload,)
    # ip4_spoof, dhcp_server, dhcp_spoof, multicast (a query), broadcast
    # or multicast.
    h = ip4_header(p)
    if h is None:
        j.no("malformed(ipv4 header)")
        return
    ihl, tot = h
    proto = p[9]
    sport = dport = None
    query = False
    if ((p[6] << 8) | p[7]) & 0x1FFF == 0:      # first or only fragment
        if proto == 17:
            if ihl + 8 > tot:
                j.no("malformed(udp header)")
            else:
                sport = (p[ihl] << 8) | p[ihl + 1]
                dport = (p[ihl + 2] << 8) | p[ihl + 3]
        elif proto == 1:
            if ihl >= tot:
                j.no("malformed(icmp without its type)")
            elif p[ihl] == 5:
                j.no("redirect")
            elif p[ihl] == 9:
                j.no("router_advert(ICMPv4 router advertisement)")
        elif proto == 2:
            if ihl < tot:
                query = p[ihl] == 0x11
            elif b.multicast:
                # "truncated headers": the policy needs no IGMP type
                # here (queries are dropped under deny only).
                j.unsure("igmp-without-its-type-under-multicast-allow", "malformed", early=True)
            else:
                j.no("malformed(igmp without its type)")
    dhcp_client = sport == 68 and dport == 67
    src = p[12:16]
    if not b.own4(src) and not (src == ZERO4 and dhcp_client):
        j.no("ip4_spoof")
    if sport == 67 or dport == 68:
        j.no("dhcp_server")
    if dhcp_client:
        why = _chaddr_problem(p, ihl, tot, b)
        if why:
            j.no("dhcp_spoof(%s)" % why)
    if b.multicast:
        return
    if query:
        # "whatever its destination", and before broadcast.
        j.no("multicast(IGMP query)")
    ipdst = p[16:20]
    l2bcast = dst == BCAST
    l2mcast = dst[0] & 1 and not l2bcast
    ipmcast = 224 <= ipdst[0] <= 239
    # "broadcast ... other than DHCP client messages": a DHCP client may
    # broadcast, not multicast; any group MAC other than broadcast, or a
    # group address, is multicast.
    if l2bcast or (not l2mcast and ipdst == LBCAST4):
        if not dhcp_client:
            j.no("broadcast")
            if ipmcast:
                # "broadcast or multicast": which, when both?
                j.either["broadcast"] = "multicast"
    elif l2mcast:
        j.no("multicast")
    if ipmcast:
        j.no("multicast")


def _chaddr_problem(p, ihl, tot, b):
    """dhcp_spoof: a client message's hardware address (BOOTP: op, htype,
    hlen, hops, xid, secs, flags, four addresses, then chaddr at 28)
    must be the bound MAC, in the packet (within its IPv4 total length)."""
    o = ihl + 8
    if o + 34 > tot:
        return "chaddr not in the packet"
    if p[o + 1] != 1 or p[o + 2] != 6:
        return "htype %d hlen %d" % (p[o + 1], p[o + 2])
    if p[o + 28:o + 34] != b.mac:
        return "chaddr not the bound MAC"
    return None


def _from_arp(p, dst, b, j):
    # Order: malformed (truncated), arp_spoof (header), (csum_offload,)
    # arp_spoof (sender), multicast.
    if len(p) < 28:
        j.no("malformed(arp)")
        return
    if p[0:6] != b"\x00\x01\x08\x00\x06\x04":
        j.no("arp_spoof(not Ethernet/IPv4 ARP)")
    op = (p[6] << 8) | p[7]
    if op not in (1, 2):
        j.no("arp_spoof(op %d)" % op)
    if p[8:14] != b.mac:
        j.no("arp_spoof(sender MAC)")
    spa, tpa = p[14:18], p[24:28]
    if not b.own4(spa):
        if spa != ZERO4 or op != 1:
            j.no("arp_spoof(sender IP)")
        elif not b.own4(tpa):
            # A probe for another's address would make it give it up.
            j.no("arp_spoof(ARP probe for an address not the VM's)")
    if not b.multicast and dst[0] & 1 and dst != BCAST:
        j.no("multicast(ARP to a group address)")


def _from_ip6(p, dst, b, j):
    # Order: malformed (headers, UDP ports), ip6_spoof, what the upper
    # layer says (router_advert, redirect, nd_spoof, malformed ND,
    # dhcp6_server, csum_offload), multicast.
    w = ip6_walk(p)
    if not w.ok:
        j.no(w.why)
        return
    first_fragment_rule(w, j)
    t = None                    # the ICMPv6 type
    sport = dport = None
    if not w.later:
        off, end = w.off, w.end
        if w.proto == 17:
            if off + 8 > end:
                if not w.fragmented:    # else the first fragment rule said it
                    j.no("malformed(udp header)")
            else:
                sport = (p[off] << 8) | p[off + 1]
                dport = (p[off + 2] << 8) | p[off + 3]
        elif w.proto == 58 and off < end:
            t = p[off]
    src = p[8:24]
    # :: "for duplicate address detection (NS, MLD reports)".
    if not b.own6(src) and not (src == ZERO16 and t in (135, 131, 143)):
        j.no("ip6_spoof")
    if not w.later:
        if w.proto == 58 and t is None and not w.fragmented:
            # An ICMPv6 header without its type: "malformed (headers)",
            # before ip6_spoof, or part of "what the upper layer says",
            # after it?  README does not say.
            j.no("malformed(icmpv6 without its type)")
            j.either["ip6_spoof"] = "malformed"
        elif t == 134:
            j.no("router_advert")
        elif t == 137:
            j.no("redirect")
        elif t in (133, 135, 136):
            _nd(p, w, t, src, b, j)
        if sport == 547 or dport == 546:
            j.no("dhcp6_server")
    if b.multicast:
        return
    d = p[24:40]
    if t == 130:
        j.no("multicast(MLD query)")        # whatever its destination
    elif d[0] == 0xFF:
        _group6(p, w, t, sport == 546 and dport == 547, d, j)
    elif dst[0] & 1:
        # IPv6 has no broadcast: unicast in a group frame is multicast.
        j.no("multicast(IPv6 unicast in an Ethernet group frame)")


def _group6(p, w, t, dhcp_client, d, j):
    """Under multicast deny, the IPv6 groups a message may go to."""
    if t in (133, 135, 136):
        if d in (ALL_NODES, ALL_ROUTERS) or d[:13] == SOLICITED_NODE:
            return
        j.no("multicast(neighbour discovery to another group)")
    elif t == 143:
        if d != MLD2_ROUTERS:
            j.no("multicast(MLDv2 report not to ff02::16)")
    elif t == 131:
        group = p[w.off + 8:w.off + 24] if w.off + 24 <= w.end else None
        if d == group:
            return
        if d == MLD2_ROUTERS:
            # "MLD reports to ff02::16 or (MLDv1) to the group they
            # report": MLDv1 to ff02::16 too, or only to its group?
            j.unsure("mldv1-report-to-ff02::16", "multicast")
        else:
            j.no("multicast(MLDv1 report not to its group)")
    elif t == 132:
        if d != ALL_ROUTERS:
            j.no("multicast(MLDv1 done not to ff02::2)")
    elif dhcp_client:
        if d not in DHCP6_GROUPS:
            j.no("multicast(DHCPv6 client message to another group)")
    else:
        j.no("multicast")


def _nd(p, w, t, src, b, j):
    # nd_spoof before malformed ND (README's order); options are walked
    # in order, and none is found past a malformed one.
    if w.fragmented:
        j.no("nd_spoof(neighbour discovery in a fragment)")
    off = w.off + (8 if t == 133 else 24)
    end = w.end
    if off > end:
        j.no("malformed(nd message cut)")
        return
    target = p[w.off + 8:w.off + 24]
    if t == 136 and not b.own6(target):
        j.no("nd_spoof(NA target not the VM's)")
    if t == 135 and src == ZERO16 and not b.own6(target):
        j.no("nd_spoof(DAD probe for an address not the VM's)")
    while off < end:
        if off + 2 > end:
            j.no("malformed(nd option cut)")
            return
        ln = p[off + 1] * 8
        if ln == 0:
            j.no("malformed(nd option of length 0)")
            return
        if off + ln > end:
            j.no("malformed(nd option runs past the packet)")
            return
        if p[off] in (1, 2) and p[off + 2:off + 8] != b.mac:
            j.no("nd_spoof(link-layer option %d not the VM's MAC)" % p[off])
        off += ln


def _from_other(et, dst, b, j):
    # Order: bpdu, ethertype, (csum_offload,) multicast.  A length
    # field (below 0x0600, 802.3) is no ethertype a port could allow.
    if dst == BRIDGE_GROUP:
        j.no("bpdu")
    if et < 0x0600 or et not in b.ethertypes:
        j.no("ethertype")
    if not b.multicast and dst[0] & 1 and dst != BCAST:
        j.no("multicast(to a group address)")


def judge_to(fr, b, garp_ok=True):
    """May the frame fr leave the bridge towards the VM bound to b
    (enforce)?  garp_ok: it came from a bound port (enforce or trusted)
    or the host, whose gratuitous ARP reaches every VM.  (verdict,
    reasons, counted); the counters are vif3's, not checked."""
    if len(fr) < 14:
        return FORBID, ["runt"], frozenset()
    dst = fr[0:6]
    unicast = not dst[0] & 1
    if unicast and dst != b.mac:
        return FORBID, ["not_for_port(destination MAC)"], frozenset(["not_for_port"])
    et = (fr[12] << 8) | fr[13]
    p = fr[14:]
    j = Judgement()
    if et in (TPID_8021Q, TPID_8021AD):
        # README's towards-VM rules name no tag (from a VM a tag is
        # dropped unless allowed, and then its content is not checked).
        j.unsure("tagged-frame-towards-vm", "not_for_port")
    elif et == ETH_IP4:
        h = ip4_header(p)
        if h is None:
            j.no("malformed(ipv4 header)")
            return j.done()
        ihl, tot = h
        if (p[9] == 17 and ((p[6] << 8) | p[7]) & 0x1FFF == 0 and ihl + 8 <= tot
                and (p[ihl + 2] << 8) | p[ihl + 3] == 67):
            j.no("dhcp_snoop")
        ipdst = p[16:20]
        if not 224 <= ipdst[0] <= 239 and ipdst != LBCAST4 and not b.own4(ipdst):
            if unicast:
                j.no("not_for_port(IPv4 destination)")
            else:
                # "a unicast IPv4/IPv6 packet not sent to one of its
                # addresses": unicast at which layer?
                j.unsure("ip-unicast-to-another-in-ethernet-group-frame", "not_for_port")
    elif et == ETH_IP6:
        w = ip6_walk(p)
        if not w.ok:
            j.no(w.why)
            return j.done()
        first_fragment_rule(w, j)
        if (not w.later and w.proto == 17 and w.off + 8 <= w.end
                and (p[w.off + 2] << 8) | p[w.off + 3] == 547):
            j.no("dhcp_snoop")
        if p[24] != 0xFF and not b.own6(p[24:40]):
            # In a group frame too: IPv6 has no broadcast.
            j.no("not_for_port(IPv6 destination)")
    elif et == ETH_ARP:
        if len(p) < 28:
            j.no("malformed(arp)")
            return j.done()
        op = (p[6] << 8) | p[7]
        spa, tpa = p[14:18], p[24:28]
        if p[0:6] != b"\x00\x01\x08\x00\x06\x04":
            j.no("not_for_port(ARP, not Ethernet/IPv4)")
        elif garp_ok and spa == tpa and spa != ZERO4:
            # A gratuitous ARP (RFC 5227 announcement; sender 0.0.0.0
            # would be a probe) from a trusted port, an enforce port or
            # the host: a takeover is heard at once.
            pass
        elif not b.own4(tpa):
            if op in (1, 2):
                j.no("not_for_port(ARP not about its address)")
            else:
                # README names "an ARP request or reply": other
                # operations are in neither rule.
                j.unsure("arp-neither-request-nor-reply-towards-vm", "not_for_port")
        elif op == 2 and p[18:24] != b.mac:
            j.no("not_for_port(ARP reply to another MAC)")
    return j.done()


# --- frame generation --------------------------------------------------------

class Gen:
    """Random and mutated frames from the attacker A towards the receiver
    R (and anyone), by kind; next() -> (frame, category)."""

    KINDS = [
        ("udp4", 7), ("tcp4", 2), ("icmp4", 4), ("igmp4", 3), ("arp", 9), ("dhcp4", 6),
        ("frag4", 5), ("udp6", 7), ("tcp6", 2), ("icmp6", 4), ("nd", 12),
        ("mld", 5), ("dhcp6", 5), ("ra", 5), ("redirect6", 3), ("ext6", 8),
        ("frag6", 9), ("vlan", 4), ("ethertype", 4), ("linklocal", 5), ("random", 4),
    ]

    def __init__(self, seed, A, R, others):
        self.r = random.Random(seed)
        self.n = 0
        self.kinds = []
        for k, wgt in self.KINDS:
            self.kinds += [k] * wgt
        # The generator picks addresses inside and just outside the
        # bindings' addresses and prefixes (it does not judge: the model
        # does).
        self.A, self.R = A, R
        self.a_mac, self.r_mac = A.mac, R.mac
        self.m_other = others["macs"]           # other VMs' MACs (the trusted one first)
        self.local = others["local"]            # the bridge's own MACs: never a destination
        self.src4_bad = [a4(x) for x in ("10.0.0.2", "10.0.0.3", "10.0.0.0", "0.0.0.0",
                                          "255.255.255.255", "224.0.0.1", "127.0.0.1")]
        self.src6_bad = [a6(x) for x in ("2001:db8::2", "2001:db8::3", "::", "::1", "ff02::1",
                                          "fe80::ff:fe00:2", "fe80::1:2", "fe80::ff:fe00:3",
                                          "fe80::200:ff:fe00:1", "fe80::ff:fe00:1:0")]
        self.dst4_other = [a4(x) for x in ("10.0.0.2", "10.0.0.1", "10.0.0.254", "8.8.8.8",
                                            "10.0.0.255", "0.0.0.0")]
        self.dst4_group = [a4(x) for x in ("255.255.255.255", "224.0.0.1", "224.0.0.251",
                                            "239.1.2.3", "224.0.0.22")]
        self.dst6_other = [a6(x) for x in ("2001:db8::2", "2001:db8::1", "fe80::ff:fe00:2",
                                            "2001:db8:4::1", "::", "2001:db8::ff:2")]
        self.dst6_group = [a6(x) for x in ("ff02::1", "ff02::2", "ff02::1:2", "ff02::16",
                                            "ff05::1:3", "ff02::fb", "ff0e::1")]
        # Groups next to those neighbour discovery, MLD and DHCPv6 may go
        # to under multicast deny: near misses of solicited-node (another
        # prefix, scope or flags), the other DHCPv6 and router groups.
        self.odd6 = [a6(x) for x in ("ff02::16", "ff02::fb", "ff02::1:fe00:1", "ff12::1:ff00:1",
                                     "ff02::2:ff00:1", "ff02::1:2", "ff05::1:2", "ff02::1:3",
                                     "ff05::2", "ff01::1")]
        # Addresses another port holds exactly inside the attacker's
        # prefixes (the receiver's, the trusted port's link-local): not
        # the attacker's (README, "Owned").
        self.claimed4 = A.claimed4() or [self.rnd(4)]
        self.claimed6 = A.claimed6() or [b"\x20\x01" + self.rnd(14)]
        self.good = 0.7

    # -- picks: mostly good (what the attacker may send), sometimes not --
    def rnd(self, n):
        return self.r.getrandbits(8 * n).to_bytes(n, "big") if n > 0 else b""

    def _inside(self, nets, bits):
        r = self.r
        net, mask = r.choice(nets)
        host = ~mask & ((1 << bits) - 1)
        x = r.random()
        if x < 0.15:
            host = 0                            # the first address
        elif x > 0.85:
            pass                                # the last
        else:
            host &= r.getrandbits(bits)
        return (net | host).to_bytes(bits // 8, "big")

    def _outside(self, nets, bits):
        """Just outside one of nets: one network bit flipped (the last
        one, at the boundary, half the time)."""
        r = self.r
        net, mask = r.choice(nets)
        plen = bin(mask).count("1")
        if not plen:
            return self.rnd(bits // 8)
        bit = bits - plen if r.random() < 0.5 else r.randrange(bits - plen, bits)
        host = ~mask & ((1 << bits) - 1) & r.getrandbits(bits)
        return ((net | host) ^ (1 << bit)).to_bytes(bits // 8, "big")

    def in4(self, B):
        return self._inside(B.net4, 32)

    def out4(self, B):
        return self._outside(B.net4, 32)

    def in6(self, B):
        if not B.net6 or self.r.random() < 0.25:
            return B.ll6
        return self._inside(B.net6, 128)

    def out6(self, B):
        if self.r.random() < 0.1:
            return B.ll6[:15] + bytes([B.ll6[15] ^ 1])
        return self._outside(B.net6, 128)

    def smac(self):
        r = self.r
        if r.random() < self.good + 0.2:
            return self.a_mac
        return r.choice(self.m_other + [self.r_mac, b"\x02" + self.rnd(5), b"\x01\x00\x5e\x00\x00\x01",
                                        b"\0" * 6, self.a_mac[:5] + b"\x99"])

    def src4(self):
        r = self.r
        if r.random() < self.good:
            return self.in4(self.A)
        x = r.random()
        if x < 0.4:
            return self.out4(self.A)
        if x < 0.55:
            return r.choice(self.claimed4)
        return r.choice(self.src4_bad) if x < 0.85 else self.rnd(4)

    def src6(self):
        r = self.r
        if r.random() < self.good:
            return self.in6(self.A)
        x = r.random()
        if x < 0.4:
            return self.out6(self.A)
        if x < 0.55:
            return r.choice(self.claimed6)
        return r.choice(self.src6_bad) if x < 0.85 else b"\x20\x01" + self.rnd(14)

    def dst4(self):
        r = self.r
        x = r.random()
        if x < 0.45:
            return self.in4(self.R)
        if x < 0.7:
            return r.choice(self.dst4_group)
        if x < 0.85:
            return self.out4(self.R)
        return r.choice(self.dst4_other) if x < 0.95 else self.rnd(4)

    def dst6(self):
        r = self.r
        x = r.random()
        if x < 0.45:
            return self.in6(self.R)
        if x < 0.7:
            return r.choice(self.dst6_group)
        if x < 0.85:
            return self.out6(self.R)
        return r.choice(self.dst6_other) if x < 0.95 else b"\x20\x01" + self.rnd(14)

    def dmac4(self, d):
        """A destination MAC for IPv4 destination d: mostly the right one."""
        r = self.r
        if r.random() < 0.9:
            if d == LBCAST4:
                return BCAST
            if 224 <= d[0] <= 239:
                return mcast_mac4(d)
            if self.R.own4(d):
                return self.r_mac if r.random() < 0.9 else self.m_other[0]
            return r.choice(self.m_other + [self.r_mac, b"\x02\x00\x00\x00\x00\x55"])
        return self.any_dmac()

    def dmac6(self, d):
        r = self.r
        if r.random() < 0.95:
            if d[0] == 0xFF:
                return mcast_mac6(d)
            if self.R.own6(d):
                return self.r_mac if r.random() < 0.9 else self.m_other[0]
            return r.choice(self.m_other + [self.r_mac, b"\x02\x00\x00\x00\x00\x55"])
        return self.any_dmac()

    def any_dmac(self):
        r = self.r
        return r.choice([BCAST, self.r_mac, self.a_mac, b"\x33\x33\x00\x00\x00\x01",
                         b"\x01\x00\x5e\x00\x00\xfb", b"\x02" + self.rnd(5), self.m_other[0],
                         BRIDGE_GROUP, self.ll_group()])

    def ll_group(self):
        """One of the IEEE link-local groups, mostly LLDP's, 802.1X's
        and the bridge group address."""
        r = self.r
        return BRIDGE_GROUP[:5] + bytes([r.choice((0, 0, 0x0E, 0x0E, 3, 1, 2, r.randrange(16)))])

    def group_dmac(self):
        """A group MAC other than broadcast, for frames that have none of
        their own (ARP, other ethertypes)."""
        r = self.r
        return r.choice((b"\x33\x33\x00\x00\x00\x01", b"\x01\x00\x5e\x00\x00\x01",
                         b"\x03" + self.rnd(5), BRIDGE_GROUP, self.ll_group()))

    def sport(self, special):
        r = self.r
        if r.random() < 0.75:
            return r.randrange(1024, 65536)
        return r.choice(special)

    def data(self, lo=0, hi=48):
        # A serial number keeps frames apart; the rest is random.
        self.n += 1
        return P("!I", self.n & 0xFFFFFFFF) + self.rnd(self.r.randrange(lo, hi + 1))

    # -- layers --
    def eth(self, dst, et, payload, src=None):
        return dst + (src if src is not None else self.smac()) + P("!H", et) + payload

    def ip4(self, src, dst, proto, l4, frag=None, opts=b""):
        r = self.r
        if frag is None:
            frag = 0x4000 if r.random() < 0.7 else 0
        if opts and len(opts) % 4:
            opts += b"\0" * (4 - len(opts) % 4)
        return P("!BBHHHBBH4s4s", 0x40 | (5 + len(opts) // 4), 0, 20 + len(opts) + len(l4),
                 r.getrandbits(16), frag, 64, proto, 0, src, dst) + opts + l4

    def ip6(self, src, dst, nh, body, hlim=64):
        return P("!IHBB16s16s", 0x60000000 | self.r.getrandbits(20), len(body), nh, hlim,
                 src, dst) + body

    def udp(self, sport, dport, data):
        return P("!HHHH", sport, dport, 8 + len(data), 0) + data

    def tcp(self, sport, dport):
        r = self.r
        return P("!HHIIBBHHH", sport, dport, r.getrandbits(32), 0, 0x50,
                 r.choice((2, 16, 18, 4, 17, 24)), 65535, 0, 0) + self.data(0, 16)

    def icmp(self, t, code, body):
        return P("!BBH", t, code, 0) + body

    # IPv6 extension headers: items (kind, ...) serialised in order, the
    # last one's next header being nh.
    def ext_item(self, kind):
        r = self.r
        if kind in ("hbh", "dst"):
            size = r.choice((8, 8, 8, 16, 24, 64))
            if r.random() < 0.3 and kind == "hbh":
                opts = b"\x05\x02\x00\x00"              # router alert
            elif r.random() < 0.2:
                opts = bytes([r.choice((0x1e, 0x3e, 0x63, 0xc2, 4))]) + bytes([2]) + self.rnd(2)
            else:
                opts = b""
            pad = size - 2 - len(opts)
            if pad == 1:
                opts += b"\0"
            elif pad > 1:
                opts += bytes([1, pad - 2]) + b"\0" * (pad - 2)
            return (0 if kind == "hbh" else 60, opts)
        if kind == "rt":
            k = r.choice((0, 0, 1, 2))
            return (43, bytes([r.choice((0, 2, 4, 3)), r.choice((0, 0, k))]) + b"\0" * 4 + self.rnd(16 * k))
        if kind == "ah":
            icv = r.choice((0, 4, 12))
            return (51, b"\0\0" + self.rnd(8 + icv - 4) + b"\0" * 4)
        if kind == "frag":
            return (44, None, 0, r.random() < 0.5)
        raise ValueError(kind)

    def ext_chain(self, items, nh):
        """bytes of the headers, first next-header value."""
        out = b""
        for it in reversed(items):
            t = it[0]
            if t == 44:
                _, _, off, more = it
                out = P("!BBHI", nh, 0, (off << 3) | more, self.r.getrandbits(32)) + out
            elif t == 51:
                body = it[1]
                ln = (2 + len(body)) // 4 - 2
                out = bytes([nh, ln]) + body + out
            else:
                body = it[1]
                out = bytes([nh, (2 + len(body)) // 8 - 1]) + body + out
            nh = t
        return out, nh

    def rand_chain(self, maxn=3, frag=True):
        r = self.r
        kinds = ["hbh", "dst", "rt", "ah"] + (["frag"] if frag else [])
        return [self.ext_item(r.choice(kinds)) for _ in range(r.randrange(0, maxn + 1))]

    def v6packet(self, src, dst, nh, upper, chain=None, hlim=64):
        body, first = self.ext_chain(chain or [], nh)
        return self.ip6(src, dst, first, body + upper, hlim)

    def v6frame(self, src, dst, nh, upper, chain=None, hlim=64, dmac=None):
        return self.eth(dmac or self.dmac6(dst), ETH_IP6, self.v6packet(src, dst, nh, upper, chain, hlim))

    # -- kinds --
    def ip4opts(self):
        # Options move the transport header (router alert, NOPs, junk).
        r = self.r
        if r.random() >= 0.15:
            return b""
        return r.choice((b"\x94\x04\x00\x00", b"\x01" * 8, b"\x00", self.rnd(4 * r.randrange(1, 11))))

    def k_udp4(self):
        s, d = self.src4(), self.dst4()
        l4 = self.udp(self.sport((67, 68, 53, 547)), self.sport((67, 68, 9, 123, 546)), self.data())
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 17, l4, opts=self.ip4opts()))

    def k_tcp4(self):
        s, d = self.src4(), self.dst4()
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 6, self.tcp(self.sport((22, 80)), self.sport((80, 67)))))

    def k_icmp4(self):
        r = self.r
        s, d = self.src4(), self.dst4()
        # 9: a router advertisement (RFC 1256), 10 the solicitation.
        t = r.choice((8, 8, 8, 0, 5, 5, 9, 9, 10, 3, 11, 13, r.getrandbits(8)))
        if t == 5:
            inner = self.ip4(d, a4("10.0.0.2"), 1, b"\0" * 8)
            body = a4(r.choice(("10.0.0.1", "10.0.0.254"))) + inner[:28]
        else:
            body = self.data()
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 1, self.icmp(t, r.choice((0, 0, 1)), body),
                                                         opts=self.ip4opts()))

    def k_arp(self):
        r = self.r
        g = self.good
        op = 1 if r.random() < 0.5 else 2
        if r.random() > g + 0.15:
            op = r.choice((0, 3, 4, 8, 0x101, r.getrandbits(16)))
        hdr = b"\x00\x01\x08\x00\x06\x04"
        if r.random() > g + 0.15:
            hdr = r.choice((b"\x00\x06\x08\x00\x06\x04", b"\x00\x01\x86\xdd\x06\x04",
                            b"\x00\x01\x08\x00\x08\x04", b"\x00\x01\x08\x00\x06\x10",
                            b"\x00\x00\x00\x00\x00\x00", self.rnd(6)))
        sha = self.a_mac if r.random() < g + 0.1 else r.choice(self.m_other + [self.r_mac, self.rnd(6)])
        x = r.random()
        if x < g - 0.1:
            spa = self.in4(self.A)
        elif x < g + 0.1:
            spa = ZERO4
        else:
            spa = self.src4()
        if spa == ZERO4 and r.random() < 0.8:
            # A probe (RFC 5227): for the VM's own address, one another
            # port holds inside its prefix, another's, one outside.
            tpa = r.choice((self.in4(self.A), self.in4(self.A), r.choice(self.claimed4),
                            self.in4(self.R), self.out4(self.A)))
        else:
            # spa: an announcement (gratuitous ARP), which reaches the
            # receiver from a bound port whatever its target.
            tpa = r.choice((self.in4(self.R), self.in4(self.R), self.out4(self.R), r.choice(self.dst4_other),
                            spa, spa, self.in4(self.A)))
        tha = r.choice((b"\0" * 6, self.r_mac, BCAST, self.a_mac, self.rnd(6)))
        if r.random() < 0.12:
            dmac = self.group_dmac()
        elif op == 1 and r.random() < 0.7:
            dmac = BCAST
        else:
            dmac = r.choice((self.r_mac, self.r_mac, self.m_other[0], BCAST))
        body = hdr + P("!H", op) + sha + spa + tha + tpa
        if r.random() < 0.4:
            body += b"\0" * 18                         # padded to 60 bytes
        elif r.random() < 0.1:
            body += self.rnd(r.randrange(1, 30))
        return self.eth(dmac, ETH_ARP, body)

    def k_dhcp4(self):
        r = self.r
        x = r.random()
        if x < 0.55:
            sp, dp = 68, 67
        elif x < 0.8:
            sp, dp = 67, 68
        else:
            sp, dp = r.choice(((67, 67), (68, 68), (40000, 68), (67, 40000), (68, 40000), (40000, 67)))
        src = ZERO4 if r.random() < 0.5 else self.src4()
        d = r.choice((LBCAST4, LBCAST4, LBCAST4, a4("10.0.0.2"), a4("10.0.0.3"), a4("224.0.0.1")))
        dmac = BCAST if (d == LBCAST4 or r.random() < 0.3) and r.random() < 0.95 else self.dmac4(d)
        # The client's hardware address (dhcp_spoof): mostly its own.
        htype, hlen = (1, 6) if r.random() < 0.85 else r.choice(((6, 6), (1, 16), (1, 0), (0, 6), (1, 5)))
        chaddr = self.a_mac if r.random() < 0.75 else r.choice((self.m_other[0], self.r_mac, self.rnd(6),
                                                                  self.a_mac[:5] + b"\x99"))
        bootp = P("!BBBBIHH4s4s4s4s16s", 1 if sp == 68 else 2, htype, hlen, 0, r.getrandbits(32), 0, 0x8000,
                  ZERO4, ZERO4, ZERO4, ZERO4, chaddr + b"\0" * 10) + b"\0" * 192
        opts = b"\x63\x82\x53\x63" + bytes([53, 1, r.choice((1, 2, 3, 5, 6, 8))]) + b"\xff"
        if r.random() < 0.3:
            # Cut, often around chaddr (bytes 28 to 33).
            bootp = bootp[:r.choice((r.randrange(0, 60), 33, 34, 30))]
            opts = b""
        l4 = self.udp(sp, dp, bootp + opts + self.data(0, 0))
        return self.eth(dmac, ETH_IP4, self.ip4(src, d, 17, l4, opts=self.ip4opts()))

    def k_igmp4(self):
        """IGMP: queries (0x11; multicast under deny whatever their
        destination), v1/v2/v3 reports and leaves, some cut."""
        r = self.r
        t = r.choice((0x11, 0x11, 0x11, 0x16, 0x22, 0x17, 0x12, r.getrandbits(8)))
        s = self.src4()
        grp = r.choice((a4("239.1.2.3"), a4("224.0.0.251"), ZERO4))
        if t == 0x11:
            d = r.choice((a4("224.0.0.1"), a4("224.0.0.1"), grp if grp != ZERO4 else LBCAST4,
                          self.in4(self.R), self.in4(self.R), LBCAST4))
            body = P("!BBH4s", t, 100, 0, grp)
            if r.random() < 0.5:
                body += b"\x02\x7d\0\0"                 # IGMPv3: S/QRV, QQIC, no sources
        elif t == 0x22:
            d = r.choice((a4("224.0.0.22"), a4("224.0.0.22"), self.dst4()))
            body = P("!BBHHH", t, 0, 0, 0, 1) + P("!BBH4s", 4, 0, 0, a4("239.1.2.3"))
        else:
            d = r.choice((grp, a4("224.0.0.2"), self.dst4())) if grp != ZERO4 else self.dst4()
            body = P("!BBH4s", t, 0, 0, grp)
        if r.random() < 0.1:
            body = body[:r.randrange(0, len(body))]
        opts = b"\x94\x04\x00\x00" if r.random() < 0.7 else b""   # router alert
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 2, body, opts=opts))

    def k_frag4(self):
        r = self.r
        s, d = self.src4(), self.dst4()
        proto = r.choice((17, 17, 1, 6))
        if proto == 17:
            l4 = self.udp(self.sport((67, 68, 547)), self.sport((67, 68, 546)), self.data(8, 40))
        elif proto == 1:
            l4 = self.icmp(r.choice((8, 5, 0)), 0, self.data(8, 40))
        else:
            l4 = self.tcp(80, 80)
        x = r.random()
        if x < 0.4:                     # first fragment, maybe cut in the header
            cut = r.choice((0, 1, 4, 7, 8, 16, len(l4)))
            frag, part = 0x2000, l4[:cut]
        elif x < 0.85:                  # a later fragment
            off = r.choice((1, 1, 2, 3, 185))
            frag = off | (0x2000 if r.random() < 0.5 else 0)
            part = l4[8 * off:] if 8 * off < len(l4) else self.data()
            if r.random() < 0.4:        # overlapping, ports in it
                part = l4
        else:                           # offset 0, MF clear: not a fragment; DF+MF
            frag = r.choice((0, 0x4000 | 0x2000, 0x8000))
            part = l4
        opts = b"\x01\x01\x01\x01" if r.random() < 0.1 else b""
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, proto, part, frag=frag, opts=opts))

    def k_udp6(self):
        s, d = self.src6(), self.dst6()
        l4 = self.udp(self.sport((546, 547, 53, 68)), self.sport((546, 547, 9, 67)), self.data())
        chain = self.rand_chain(2, frag=False) if self.r.random() < 0.3 else None
        return self.v6frame(s, d, 17, l4, chain)

    def k_tcp6(self):
        s, d = self.src6(), self.dst6()
        return self.v6frame(s, d, 6, self.tcp(self.sport((22,)), self.sport((80,))))

    def k_icmp6(self):
        r = self.r
        s, d = self.src6(), self.dst6()
        t = r.choice((128, 128, 129, 1, 2, 3, 4, 139, 140, 141, 142, 144, 151, 200, r.getrandbits(8)))
        return self.v6frame(s, d, 58, self.icmp(t, r.choice((0, 0, 1)), self.data()))

    def nd_opts(self):
        r = self.r
        out = b""
        for _ in range(r.choice((0, 1, 1, 1, 2, 2, 3, 4))):
            x = r.random()
            if x < 0.3:
                mac = self.a_mac if r.random() < self.good + 0.1 else r.choice(self.m_other + [self.rnd(6)])
                t = r.choice((1, 1, 2))
                if r.random() < 0.1:
                    out += bytes([t, 2]) + mac + self.rnd(8)     # longer than needed
                else:
                    out += bytes([t, 1]) + mac
            elif x < 0.45:
                out += b"\x0e\x01" + self.rnd(6)                 # nonce
            elif x < 0.55:
                out += b"\x05\x01\0\0" + P("!I", 1500)           # MTU
            elif x < 0.65:
                t = r.randrange(0, 256)
                n = r.choice((1, 1, 2))
                out += bytes([t, n]) + self.rnd(8 * n - 2)
            elif x < 0.72:
                out += bytes([r.choice((1, 2, 14, 3)), 0]) + self.rnd(6)   # length 0
            elif x < 0.79:
                out += bytes([r.choice((1, 2, 5)), r.choice((2, 3, 200))]) + self.rnd(6)   # past the end
            elif x < 0.85:
                out += self.rnd(r.randrange(1, 8))               # trailing bytes
            elif x < 0.92:
                out += b"\x03\x04" + bytes([64, 0xC0]) + self.rnd(28)   # prefix information
            else:
                out += b"\x01\x01" + self.a_mac + b"\x01\x01" + self.m_other[0]   # duplicated SLLA, second spoofed
        return out

    def nd_target(self):
        r = self.r
        if r.random() < self.good:
            return self.in6(self.A)
        return r.choice((self.in6(self.R), self.out6(self.A), r.choice(self.dst6_other), r.choice(self.src6_bad),
                         r.choice(self.claimed6)))

    def nd_group(self, tgt):
        """Where neighbour discovery goes: mostly the groups it may go to
        under multicast deny (ff02::1, ff02::2, a solicited-node group,
        not necessarily the target's), sometimes not."""
        r = self.r
        x = r.random()
        if x < 0.7:
            return r.choice((solicited_node(tgt), ALL_NODES, ALL_ROUTERS, solicited_node(self.rnd(16))))
        if x < 0.85:
            return r.choice(self.odd6)
        return r.choice((tgt, self.dst6()))

    def k_nd(self):
        r = self.r
        x = r.random()
        chain = None
        if r.random() < 0.15:
            chain = [self.ext_item(r.choice(("hbh", "dst", "frag", "frag")))]
        if x < 0.4:                                 # NS; from :: a DAD probe
            s = ZERO16 if r.random() < 0.3 else self.src6()
            tgt = self.nd_target() if r.random() < 0.5 else r.choice((self.in6(self.R), self.in6(self.A)))
            d = self.nd_group(tgt) if r.random() < 0.8 else tgt
            up = self.icmp(135, 0, b"\0" * 4 + tgt + self.nd_opts())
        elif x < 0.8:                               # NA
            s = self.src6()
            tgt = self.nd_target()
            d = self.nd_group(tgt) if r.random() < 0.7 else r.choice((self.in6(self.R), self.dst6()))
            up = self.icmp(136, 0, bytes([r.choice((0x20, 0x60, 0xa0, 0))]) + b"\0" * 3 + tgt + self.nd_opts())
        else:                                       # RS
            s = ZERO16 if r.random() < 0.15 else self.src6()
            d = ALL_ROUTERS if r.random() < 0.6 else self.nd_group(self.in6(self.A))
            up = self.icmp(133, 0, b"\0" * 4 + self.nd_opts())
        if r.random() < 0.08:
            up = up[:r.randrange(1, len(up))]       # cut in the body
        return self.v6frame(s, d, 58, up, chain, hlim=255)

    def k_mld(self):
        """MLD: each message mostly to where it may go under multicast
        deny (v2 reports to ff02::16, v1 reports to their group, done to
        ff02::2), otherwise to another group; queries anywhere."""
        r = self.r
        t = r.choice((143, 143, 131, 131, 132, 130))
        s = ZERO16 if r.random() < 0.3 else self.src6()
        grp = r.choice((a6("ff02::1:ff00:1"), a6("ff02::1:ff00:1"), a6("ff05::1:3"), a6("ff0e::123"),
                        MLD2_ROUTERS, a6("ff02::fb")))
        if t == 143:
            body = P("!HH", 0, 1) + bytes([r.choice((1, 2, 3, 4))]) + b"\0\0\0" + grp
            usual = MLD2_ROUTERS
        else:
            body = b"\0" * 4 + grp                  # max delay, reserved, group
            usual = {131: grp, 132: ALL_ROUTERS}.get(t) or r.choice((ALL_NODES, self.in6(self.R)))
        if r.random() < 0.55:
            d = usual
        else:
            d = r.choice((MLD2_ROUTERS, ALL_ROUTERS, ALL_NODES, grp, a6("ff02::1:ff00:2"), self.dst6()))
        if r.random() < 0.08:
            body = body[:r.randrange(0, len(body))]   # the group cut
        chain = [self.ext_item("hbh")] if r.random() < 0.7 else None
        return self.v6frame(s, d, 58, self.icmp(t, 0, body), chain, hlim=1)

    def k_dhcp6(self):
        r = self.r
        x = r.random()
        if x < 0.5:
            sp, dp, msg = 546, 547, r.choice((1, 3, 5, 11))
        elif x < 0.75:
            sp, dp, msg = 547, 546, r.choice((2, 7, 10))
        elif x < 0.85:
            sp, dp, msg = 547, 547, r.choice((12, 13))
        else:
            sp, dp, msg = r.choice(((40000, 546), (546, 546), (546, 40000), (547, 40000))) + (7,)
        s = self.src6() if r.random() < 0.9 else ZERO16
        x = r.random()
        if x < 0.45:
            d = DHCP6_GROUPS[0]
        elif x < 0.6:
            d = DHCP6_GROUPS[1]
        elif x < 0.75:
            d = r.choice(self.odd6 + [ALL_NODES, ALL_ROUTERS])
        else:
            d = self.dst6()
        body = P("!I", (msg << 24) | r.getrandbits(24)) + P("!HHHH", 1, 10, 3, 1) + self.a_mac + self.data(0, 8)
        chain = self.rand_chain(1, frag=False) if r.random() < 0.2 else None
        return self.v6frame(s, d, 17, self.udp(sp, dp, body), chain)

    def rs_ra_redirect(self, t):
        r = self.r
        if t == 134:
            body = P("!BBHII", 64, r.choice((0, 0x80, 0x40)), 1800, 0, 0)
            body += b"\x01\x01" + self.a_mac
            body += b"\x03\x04\x40\xc0" + P("!III", 86400, 14400, 0) + a6("2001:db8:99::")
        else:
            body = b"\0" * 4 + a6("fe80::1:1") + r.choice((r.choice(self.dst6_other), self.in6(self.R)))
            if r.random() < 0.5:
                body += b"\x02\x01" + self.a_mac
        return self.icmp(t, 0, body)

    def evasive(self, nh, upper):
        """An upper-layer message behind extension headers and/or cut into
        fragments (the RA guard evasions): (first next header, bytes
        after the fixed header)."""
        r = self.r
        x = r.random()
        if x < 0.3:                                  # behind a chain, no fragment
            body, first = self.ext_chain(self.rand_chain(4, frag=False), nh)
            return first, body + upper
        # Fragmented: unfragmentable part, fragment header, fragmentable
        # part (more extension headers, then the message).
        pre = self.rand_chain(1, frag=False) if r.random() < 0.3 else []
        post = self.rand_chain(3, frag=False) if r.random() < 0.6 else []
        frag_body, fnh = self.ext_chain(post, nh)
        frag_body += upper
        y = r.random()
        if y < 0.45:                                  # first fragment, cut at a multiple of 8
            cut = r.choice([8 * i for i in range(0, len(frag_body) // 8 + 1)] + [len(frag_body)])
            fh = P("!BBHI", fnh, 0, 1 if cut < len(frag_body) or r.random() < 0.5 else 0, r.getrandbits(32))
            rest = fh + frag_body[:cut]
        elif y < 0.75:                                # a later fragment
            off = r.choice((1, 1, 2, 8))
            fh = P("!BBHI", fnh, 0, (off << 3) | r.choice((0, 1)), r.getrandbits(32))
            rest = fh + (frag_body[8 * off:] or self.data(8, 8))
            if r.random() < 0.3:
                rest = fh + frag_body         # overlapping: the message again, at offset off
        elif y < 0.9:                                 # atomic fragment (offset 0, M clear)
            rest = P("!BBHI", fnh, 0, 0, r.getrandbits(32)) + frag_body
        else:                                         # nested fragment headers
            off2 = r.choice((0, 1))
            inner = P("!BBHI", fnh, 0, (off2 << 3) | 1, r.getrandbits(32)) + frag_body
            rest = P("!BBHI", 44, 0, r.choice((0, 1, 8)), r.getrandbits(32)) + inner
        pre_b, first = self.ext_chain(pre, 44)
        return first, pre_b + rest

    def k_ra(self):
        return self._k_infra(134)

    def k_redirect6(self):
        return self._k_infra(137)

    def _k_infra(self, t):
        r = self.r
        s = self.src6()
        d = a6("ff02::1") if r.random() < 0.5 else self.dst6()
        up = self.rs_ra_redirect(t)
        first, rest = self.evasive(58, up) if r.random() < 0.8 else (58, up)
        return self.eth(self.dmac6(d), ETH_IP6, self.ip6(s, d, first, rest, 255))

    def k_ext6(self):
        r = self.r
        s, d = self.src6(), self.dst6()
        x = r.random()
        if x < 0.3:
            nh, up = 17, self.udp(self.sport((546, 547)), self.sport((546, 547, 9)), self.data())
        elif x < 0.55:
            nh, up = 58, self.icmp(r.choice((128, 134, 137, 135, 136, 143)), 0, b"\0" * 4 + self.src6() + self.nd_opts())
        elif x < 0.65:
            nh, up = 59, self.data(0, 16)
        elif x < 0.8:
            # Not walked (README lists 0, 43, 44, 51, 60): the upper layer.
            nh, up = r.choice((50, 135, 139, 140, 253, 254)), bytes([58, 0]) + self.data(2, 16)
        else:
            nh, up = r.randrange(256), self.data()
        chain = self.rand_chain(5, frag=r.random() < 0.3)
        if r.random() < 0.2:
            chain = [self.ext_item("hbh")] * r.randrange(5, 40)      # a deep chain
        return self.v6frame(s, d, nh, up, chain)

    def k_frag6(self):
        r = self.r
        s, d = self.src6(), self.dst6()
        x = r.random()
        if x < 0.45:
            nh, up = 17, self.udp(self.sport((546, 547)), self.sport((546, 547, 9)), self.data(8, 40))
        elif x < 0.7:
            nh, up = 58, self.icmp(r.choice((128, 135, 136, 133, 134, 137, 143)), 0,
                                   b"\0" * 4 + r.choice((self.in6(self.A), self.in6(self.R))) + self.nd_opts())
        elif x < 0.85:
            nh, up = 6, self.tcp(self.sport((22,)), 80)
        else:
            nh, up = r.choice((59, 50, 253)), self.data(0, 24)
        first, rest = self.evasive(nh, up)
        return self.eth(self.dmac6(d), ETH_IP6, self.ip6(s, d, first, rest, r.choice((64, 255))))

    def k_vlan(self):
        r = self.r
        inner = self.make(r.choice(("udp4", "udp6", "arp", "nd", "icmp4", "dhcp4")))
        tags = b""
        for i in range(r.choice((1, 1, 2, 3))):
            tpid = r.choice((TPID_8021Q, TPID_8021Q, TPID_8021AD, 0x9100))
            tci = r.choice((0, 5, 1, 4095, r.getrandbits(16))) | (r.choice((0, 5)) << 13)
            tags += P("!HH", tpid, tci)
        if r.random() < 0.1:
            return inner[:12] + tags[:r.choice((2, 4))]         # a tag cut short
        return inner[:12] + tags + inner[12:]

    def k_ethertype(self):
        r = self.r
        et = r.choice((0x88B5, 0x88B5, 0x88B5, 0x88B6, 0x8035, 0x8847, 0x8863, 0x88CC, 0x9000,
                       0x0026, 0x05DC, 0x0600, 0xFFFF, 0x0000, 0x0801, 0x86DC, 0x22F0,
                       r.getrandbits(16)))
        return self.eth(r.choice((BCAST, self.r_mac, self.m_other[0], b"\x33\x33\x00\x00\x00\x01",
                                  b"\x02\x00\x00\x00\x00\x55", self.group_dmac())), et, self.data(0, 60))

    def bpdu(self):
        """An 802.2 LLC frame's payload (DSAP, SSAP 0x42, UI) with a
        spanning tree BPDU: configuration, topology change or RST."""
        r = self.r
        x = r.random()
        if x < 0.5:
            b = P("!HBBB8sI8sHHHHH", 0, 0, 0, r.choice((0, 1, 0x80)), b"\0\0" + self.a_mac,
                  0, b"\0\0" + self.a_mac, 0x8001, 0, 20 << 8, 2 << 8, 15 << 8)
        elif x < 0.7:
            b = b"\0\0\0\x80"
        else:
            b = P("!HBBB8sI8sHHHHHB", 0, 2, 2, 0x7C, b"\0\0" + self.a_mac,
                  0, b"\0\0" + self.a_mac, 0x8001, 0, 20 << 8, 2 << 8, 15 << 8, 0)
        return b"\x42\x42\x03" + b

    def k_linklocal(self):
        """Frames to the IEEE 802.1 link-local groups 01:80:c2:00:00:0X,
        which vmfence now checks (its ingress hook comes before the
        bridge): BPDUs (802.3 length, LLC), LLDP, 802.1X, pause, slow
        protocols, the allowed ethertype, and IPv4, ARP and IPv6 frames
        sent there.  The bridge forwards only those to the bridge group
        address (STP off); the rest arrive nowhere (forwarded())."""
        r = self.r
        x = r.random()
        if x < 0.3:
            body = self.bpdu()
            dst = BRIDGE_GROUP if r.random() < 0.8 else self.ll_group()
            return self.eth(dst, len(body), body)
        if x < 0.45:
            tlv = (P("!HB", (1 << 9) | 7, 4) + self.a_mac + P("!HB", (2 << 9) | 5, 5) + b"vif1"
                   + P("!HH", (3 << 9) | 2, 120) + b"\0\0")
            return self.eth(r.choice((self.ll_group()[:5] + b"\x0e", self.ll_group())), 0x88CC, tlv)
        if x < 0.55:
            return self.eth(r.choice((BRIDGE_GROUP[:5] + b"\x03", self.ll_group())), 0x888E,
                            b"\x01\x01\0\0" + self.data(0, 16))              # EAPOL-Start
        if x < 0.6:
            return self.eth(BRIDGE_GROUP[:5] + b"\x01", 0x8808, P("!HH", 1, 0xFFFF) + bytes(42))   # pause
        if x < 0.65:
            return self.eth(BRIDGE_GROUP[:5] + b"\x02", 0x8809, b"\x01\x01" + self.data(0, 40))  # LACP
        if x < 0.75:
            return self.eth(self.ll_group(), 0x88B5, self.data(0, 40))
        fr = self.make(r.choice(("udp4", "arp", "nd", "mld", "dhcp4", "udp6", "igmp4")))
        return self.ll_group() + fr[6:]

    def k_random(self):
        r = self.r
        et = r.choice((ETH_IP4, ETH_IP6, ETH_ARP, ETH_IP4, ETH_IP6))
        body = self.rnd(r.randrange(0, 120))
        x = r.random()
        if x < 0.3 and et == ETH_IP4:
            body = b"\x45" + body
        elif x < 0.3 and et == ETH_IP6:
            body = b"\x60\0\0\0" + P("!H", max(0, len(body) - 36)) + body[6:]
        return self.eth(self.any_dmac(), et, body)

    # -- mutations --
    def mutate(self, fr):
        r = self.r
        fr = bytearray(fr)
        for _ in range(r.choice((1, 1, 2, 3))):
            x = r.random()
            n = len(fr)
            if x < 0.25 and n > 15:
                fr = fr[:r.randrange(14, n)]
            elif x < 0.45:
                i = 14 + min(int(r.expovariate(1 / 30.0)), max(0, n - 15)) if n > 14 else 12
                if i < n:
                    fr[i] = r.getrandbits(8)
            elif x < 0.55:
                i = r.randrange(0, n)
                fr[i] ^= 1 << r.randrange(8)
            elif x < 0.7:
                fr += bytes(r.randrange(1, 40)) if r.random() < 0.5 else self.rnd(r.randrange(1, 40))
            elif x < 0.85 and n >= 34:
                et = (fr[12] << 8) | fr[13]
                v = r.choice((0, 1, 19, 20, 39, 40, n - 14, n - 13, n - 15, n - 54, n - 53, 65535,
                              r.getrandbits(16)))
                v = max(0, min(65535, v))
                if et == ETH_IP4:
                    if r.random() < 0.7:
                        fr[16:18] = P("!H", v)                       # total length
                    else:
                        fr[14] = 0x40 | r.randrange(16)              # header length
                elif et == ETH_IP6 and n >= 54:
                    fr[18:20] = P("!H", max(0, min(65535, v - 40 if v >= 40 else v)))
                else:
                    fr[12:14] = P("!H", r.choice((ETH_IP4, ETH_IP6, ETH_ARP)))
            elif x < 0.92:
                fr[12:14] = P("!H", r.choice((ETH_IP4, ETH_IP6, ETH_ARP, TPID_8021Q, 0x88B5)))
            else:
                fr[6:12] = r.choice(self.m_other + [self.r_mac])
        return bytes(fr)

    def make(self, kind):
        return getattr(self, "k_" + kind)()

    def next(self):
        r = self.r
        self.good = 1.0 if r.random() < 0.15 else 0.7
        kind = r.choice(self.kinds)
        fr = self.make(kind)
        cat = kind
        if r.random() < 0.3:
            fr = self.mutate(fr)
            cat += "+mut"
        # Never to the bridge's own MACs (delivered locally, not
        # forwarded: nothing to observe, and the host's stack would
        # answer).  The IEEE link-local groups are fine: checked and
        # counted, arriving or not (forwarded()).
        if len(fr) < 14:
            fr = fr + bytes(14 - len(fr))
        if fr[0:6] in self.local:
            fr = self.m_other[0] + fr[6:]
        return fr[:1514], cat


# --- running -----------------------------------------------------------------

class Entry:
    __slots__ = ("cat", "index", "sent", "vf", "vt", "at_t", "at_e")

    def __init__(self, cat, index, vf, vt):
        self.cat, self.index, self.vf, self.vt = cat, index, vf, vt
        self.sent = 0
        self.at_t = 0       # arrivals at the trusted observer
        self.at_e = 0       # at the enforce observer


def bindings_from(a):
    """The attacker's and the receiver's bindings; the attacker's knows
    what the other ports of the bridge hold (the receiver, --neighbour)."""
    A, R = Binding(a.attacker), Binding(a.receiver)
    A.held_by([R] + [Binding(x) for x in a.neighbour])
    return A, R


def make_gen(a, A, R, seed, phase):
    others = {"macs": [macb(x) for x in a.other_mac], "local": {macb(x) for x in a.local_mac}}
    return Gen("%s:%s" % (seed, phase), A, R, others)


def open_rx(ep):
    s = pkt.open_socket(ep)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    return s


def packet_drops(s):
    try:
        _pkts, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
        return drops
    except OSError:
        return -1


def softnet_drops():
    """Frames the kernel dropped for a full backlog, all CPUs
    (/proc/net/softnet_stat, second column)."""
    try:
        with open("/proc/net/softnet_stat") as fh:
            return sum(int(line.split()[1], 16) for line in fh if line.strip())
    except (OSError, IndexError, ValueError):
        return 0


def cmd_run(a):
    A, R = bindings_from(a)
    seed = a.seed if a.seed is not None else str(random.SystemRandom().getrandbits(32))
    gen = make_gen(a, A, R, seed, a.phase)
    rx_t, rx_e = open_rx(a.trusted), open_rx(a.enforce)
    tx = pkt.open_socket(a.from_)
    # Frames already queued are not ours.
    for s in (rx_t, rx_e):
        while pkt.recv_frame(s):
            pass
    packet_drops(rx_t), packet_drops(rx_e)      # (reading resets them)
    softnet0 = softnet_drops()

    sent = {}               # frame -> Entry
    alias = {}              # trimmed frame -> Entry
    cats = {}
    verdict_count = {ALLOW: 0, FORBID: 0, UNDECIDED: 0}
    undecided_labels = {}
    findings = []           # (observer, entry, frame, reasons)
    foreign = []
    n_sent = n_send_err = 0
    bound = not a.unbound
    forbidden_from_at_e = [0]

    def cat_row(c):
        row = cats.get(c)
        if row is None:
            row = cats[c] = [0, 0, 0, 0, 0, 0]   # sent allow forbid undecided at_t at_e
        return row

    def judge(fr):
        vf = judge_from(fr, A)
        dst = fr[0:6]
        if dst[0] & 1 or dst == R.mac:
            vt = judge_to(fr, R, bound)
        else:
            vt = (FORBID, ["not_for_port(destination MAC)"], frozenset(["not_for_port"]))
        return vf, vt

    def drain():
        for s, obs in ((rx_t, "trusted"), (rx_e, "enforce")):
            while True:
                got = pkt.recv_frame(s)
                if got is None:
                    break
                data, pkttype = got
                if pkttype == pkt.PACKET_OUTGOING:
                    continue
                e = sent.get(data) or alias.get(data) or sent.get(data.rstrip(b"\0"))
                if e is None:
                    if len(foreign) < 1000:
                        foreign.append((obs, data))
                    continue
                row = cat_row(e.cat)
                if obs == "trusted":
                    e.at_t += 1
                    row[4] += 1
                    if e.vf[0] == FORBID:
                        findings.append((obs, e, data, e.vf[1]))
                else:
                    e.at_e += 1
                    row[5] += 1
                    reasons = []
                    if e.vf[0] == FORBID:
                        # Unbound (control): expected, not a finding.
                        forbidden_from_at_e[0] += 1
                        if bound:
                            reasons += ["from the attacker: " + x for x in e.vf[1]]
                    if e.vt[0] == FORBID:
                        reasons += ["towards the receiver: " + x for x in e.vt[1]]
                    if reasons:
                        findings.append((obs, e, data, reasons))

    t0 = time.monotonic()
    deadline = t0 + a.seconds
    index = 0
    while True:
        if a.frames and index >= a.frames:
            break
        if not a.frames and time.monotonic() >= deadline:
            break
        fr, cat = gen.next()
        index += 1
        e = sent.get(fr)
        if e is None:
            vf, vt = judge(fr)
            e = sent[fr] = Entry(cat, index, vf, vt)
            # Whatever trims an IP packet to its length on the way (e.g.
            # br_netfilter, if loaded): the same frame.
            t = trimmed(fr)
            if t is not None:
                alias.setdefault(t, e)
        e.sent += 1
        row = cat_row(e.cat)
        row[0] += 1
        v = e.vf[0]
        row[{ALLOW: 1, FORBID: 2, UNDECIDED: 3}[v]] += 1
        verdict_count[v] += 1
        try:
            tx.send(fr)
            n_sent += 1
        except OSError:
            n_send_err += 1
            e.sent -= 1
        if index % 16 == 0:
            drain()
    t_send = time.monotonic() - t0
    # Let the last frames arrive: until nothing came for settle seconds.
    quiet = time.monotonic()
    t_end = quiet + a.settle * 10
    while time.monotonic() < t_end:
        r, _, _ = select.select([rx_t, rx_e], [], [], 0.05)
        if r:
            drain()
            quiet = time.monotonic()
        elif time.monotonic() - quiet > a.settle:
            break
    drain()
    drops_t, drops_e = packet_drops(rx_t), packet_drops(rx_e)
    softnet = softnet_drops() - softnet0
    for s in (rx_t, rx_e, tx):
        s.close()

    # --- accounting ---
    at_t = at_e = 0
    legit_t_sent = legit_t_seen = legit_e_sent = legit_e_seen = 0
    missing_t, missing_e = [], []
    undecided_seen = 0
    # What the attacker's port counters should move by, bound: counter ->
    # [at least, at most] (a range where README leaves the reason or the
    # verdict open); and how many frames it passed that the bridge keeps.
    count = {}
    count_total = 0
    kept = [0, 0]
    for fr, e in sent.items():
        # Undecided: how many sent (distinct frames), how many arrived.
        if e.vf[0] == UNDECIDED:
            for lab in e.vf[1]:
                u = undecided_labels.setdefault(lab, [0, 0, fr])
                u[0] += 1
                u[1] += e.at_t > 0
        if e.vt[0] == UNDECIDED and (e.vf[0] != FORBID or not bound):
            for lab in e.vt[1]:
                u = undecided_labels.setdefault("towards: " + lab, [0, 0, fr])
                u[0] += 1
                u[1] += e.at_e > 0
        at_t += e.at_t
        at_e += e.at_e
        if e.sent == 0:
            continue
        if (e.vf[0] == UNDECIDED and (e.at_t or e.at_e)) or (e.vt[0] == UNDECIDED and e.at_e):
            undecided_seen += 1
        # Every frame that reaches vmfence is counted once (a tag cut
        # short never does: the device drops it before the hook).
        if e.vf[2] and not short_tag(fr):
            count_total += e.sent
            for k in e.vf[2]:
                c = count.setdefault(k, [0, 0])
                c[1] += e.sent
                if len(e.vf[2]) == 1:
                    c[0] += e.sent
            if not forwarded(fr) and "passed" in e.vf[2]:
                kept[1] += e.sent
                if len(e.vf[2]) == 1:
                    kept[0] += e.sent
        valid_src = not fr[6] & 1 and fr[6:12] != b"\0" * 6
        # At the trusted port: all that passes the attacker's port (and
        # that the bridge forwards).
        if (e.vf[0] == ALLOW or not bound) and valid_src and not short_tag(fr) and forwarded(fr):
            legit_t_sent += 1
            if e.at_t:
                legit_t_seen += 1
            elif len(missing_t) < 8:
                missing_t.append((e, fr))
        # At the enforce receiver: what also passes towards it.
        dst = fr[0:6]
        if ((e.vf[0] == ALLOW or not bound) and e.vt[0] == ALLOW and valid_src
                and not short_tag(fr) and forwarded(fr) and (dst[0] & 1 or dst == R.mac)):
            legit_e_sent += 1
            if e.at_e:
                legit_e_seen += 1
            elif len(missing_e) < 8:
                missing_e.append((e, fr))
    f_t = [f for f in findings if f[0] == "trusted"]
    f_e = [f for f in findings if f[0] == "enforce"]
    f_e_from = [f for f in f_e if any(x.startswith("from") for x in f[3])]
    f_e_to = [f for f in f_e if any(x.startswith("towards") for x in f[3])]

    # --- report ---
    def say(line):
        print(line, file=a.report_to)
    say("pktfuzz: phase %s, seed %s, attacker %s: %.1f s, %d frames sent (%.0f/s), %d distinct, %d send errors"
        % (a.phase, seed, "UNBOUND (control)" if a.unbound else "bound (enforce)", t_send, n_sent,
           n_sent / max(t_send, 0.001), len(sent), n_send_err))
    say("  attacker binding: %s" % A.spec)
    say("  receiver binding: %s" % R.spec)
    say("  model on the frames sent (from the attacker): allow %d, forbid %d, undecided %d"
        % (verdict_count[ALLOW], verdict_count[FORBID], verdict_count[UNDECIDED]))
    for lab, (n, arrived, example) in sorted(undecided_labels.items(), key=lambda kv: -kv[1][0]):
        say("    undecided: %-50s %5d distinct frames, %5d arrived; e.g. %s" % (lab, n, arrived, example.hex()))
    say("  %-16s %7s %7s %7s %7s %9s %9s" % ("category", "sent", "allow", "forbid", "undec", "@trusted", "@enforce"))
    for c in sorted(cats):
        row = cats[c]
        say("  %-16s %7d %7d %7d %7d %9d %9d" % ((c,) + tuple(row)))
    say("  delivered: at the trusted port %d, at the enforce receiver %d; foreign frames %d; "
        "observer socket drops %d/%d; backlog drops %d" % (at_t, at_e, len(foreign), drops_t, drops_e,
                                                          softnet))
    say("  legitimate (model: allow; valid source MAC): at the trusted port %d of %d arrived, "
        "at the enforce receiver %d of %d" % (legit_t_seen, legit_t_sent, legit_e_seen, legit_e_sent))
    say("  the attacker's port counters, if bound, by the model (README's order of precedence; "
        "a range where it leaves the reason or the verdict open): %d frames; %s; of those passed, "
        "%s kept by the bridge (link-local groups)"
        % (count_total, ", ".join("%s %s" % (k, "%d" % lo if lo == hi else "%d..%d" % (lo, hi))
                                  for k, (lo, hi) in sorted(count.items())),
           "%d" % kept[0] if kept[0] == kept[1] else "%d..%d" % tuple(kept)))
    for where, lst in (("trusted port", missing_t), ("enforce receiver", missing_e)):
        for e, fr in lst:
            say("    allowed by the model, not seen at the %s: #%d %s %s" % (where, e.index, e.cat, fr.hex()))
    say("  FINDINGS (forbidden by the model, delivered): at the trusted port %d, at the enforce "
        "receiver %d (%d against the attacker's rules, %d against the towards-VM rules)%s"
        % (len(f_t), len(f_e), len(f_e_from), len(f_e_to),
           "; unbound: %d frames the attacker's rules forbid reached the enforce receiver "
           "(expected)" % forbidden_from_at_e[0] if a.unbound else ""))
    by_reason = {}
    for f in findings:
        for x in f[3]:
            k = x.split("(")[0]
            by_reason[k] = by_reason.get(k, 0) + 1
    for k, n in sorted(by_reason.items(), key=lambda kv: -kv[1]):
        say("    %-40s %d" % (k, n))
    shown = findings[:a.show] if a.show >= 0 else findings
    if a.unbound:
        # Expected against the attacker's rules; those against the
        # towards-VM rules are real ones: show them all.
        shown = findings[:a.show] + [f for f in f_e_to[:50] if f not in findings[:a.show]]
    for obs, e, fr, reasons in shown:
        say("  finding at the %s port: frame #%d (%s, seed %s phase %s): %s" % (
            obs, e.index, e.cat, seed, a.phase, "; ".join(reasons)))
        say("    %s" % fr.hex())
    for obs, data in foreign[:5]:
        say("  foreign frame at the %s port: %s" % (obs, data.hex()))

    if a.result:
        res = {
            "seed": seed, "phase": a.phase, "seconds": "%.1f" % t_send, "sent": n_sent,
            "distinct": len(sent), "send_errors": n_send_err,
            "allow": verdict_count[ALLOW], "forbid": verdict_count[FORBID],
            "undecided": verdict_count[UNDECIDED], "undecided_seen": undecided_seen,
            "undecided_towards": sum(u[0] for lab, u in undecided_labels.items()
                                     if lab.startswith("towards")),
            "at_trusted": at_t, "at_enforce": at_e, "foreign": len(foreign),
            "drops_trusted": drops_t, "drops_enforce": drops_e, "softnet_drops": softnet,
            "legit_trusted_sent": legit_t_sent, "legit_trusted_seen": legit_t_seen,
            "legit_enforce_sent": legit_e_sent, "legit_enforce_seen": legit_e_seen,
            "findings_trusted": len(f_t), "findings_enforce": len(f_e),
            "findings_enforce_from": len(f_e_from), "findings_enforce_to": len(f_e_to),
            "forbidden_from_at_enforce": forbidden_from_at_e[0],
            "categories": len(cats),
            "count_total": count_total, "kept_passed_lo": kept[0], "kept_passed_hi": kept[1],
        }
        for k, (lo, hi) in count.items():
            res["count_%s_lo" % k], res["count_%s_hi" % k] = lo, hi
        with open(a.result, "w") as fh:
            for k, v in res.items():
                fh.write("%s %s\n" % (k, v))
    return 0


def trimmed(fr):
    """The frame cut to its IPv4 or IPv6 packet's length, if longer."""
    et = (fr[12] << 8) | fr[13]
    if et == ETH_IP4 and len(fr) >= 34:
        n = 14 + ((fr[16] << 8) | fr[17])
    elif et == ETH_IP6 and len(fr) >= 54:
        n = 54 + ((fr[18] << 8) | fr[19])
    else:
        return None
    return fr[:n] if 14 < n < len(fr) else None


def short_tag(fr):
    """A tagged frame the receiving device drops before the bridge sees
    it: the tag (and the ethertype after it) cut."""
    return (fr[12] << 8 | fr[13]) in (TPID_8021Q, TPID_8021AD) and len(fr) < 20


def cmd_gen(a):
    A, R = bindings_from(a)
    gen = make_gen(a, A, R, a.seed, a.phase)
    want = sorted(int(x) for x in a.index.split(","))
    i = 0
    while want:
        fr, cat = gen.next()
        i += 1
        if i == want[0]:
            want.pop(0)
            print("#%d %s %s" % (i, cat, fr.hex()), file=a.report_to)
            print("  from: %s" % show(judge_from(fr, A)), file=a.report_to)
            print("  to:   %s" % show(judge_to(fr, R, not a.unbound)), file=a.report_to)
    return 0


def show(v):
    return "%s %s, counted under %s" % (v[0], v[1], " or ".join(sorted(v[2])) or "nothing")


def cmd_judge(a):
    A, R = bindings_from(a)
    fr = bytes.fromhex(a.hex)
    print("from the attacker:     %s" % show(judge_from(fr, A)), file=a.report_to)
    print("towards the receiver:  %s" % show(judge_to(fr, R, not a.unbound)), file=a.report_to)
    return 0


# tests/cases/87-packet-fuzz.sh's bindings (prefixes of many lengths;
# three of the attacker's cover addresses the receiver or the trusted
# port holds exactly).
DEF_ATTACKER = ("mac=02:00:00:00:00:01 ip=10.0.0.1 ip=10.1.0.0/24 ip=10.2.0.0/16 "
                "ip=10.4.5.128/25 ip=10.6.0.0/31 ip=10.0.0.96/27 ip=2001:db8::1 ip=2001:db8:1::/64 "
                "ip=2001:db8:5::/48 ip=2001:db8:6:0:8000::/65 ip=2001:db8:7::/127 "
                "ip=2001:db8:8::a:0/112 ip=2001:db8::ff:0/112 ip=fe80::1:1 ip=fe80::/64 "
                "allow-ethertype=0x88b5")
DEF_RECEIVER = ("mac=02:00:00:00:00:03 ip=10.0.0.3 ip=10.0.0.103 ip=10.3.0.0/24 "
                "ip=10.5.0.0/20 ip=2001:db8::3 ip=2001:db8::ff:3 ip=2001:db8:3::/64 "
                "ip=2001:db8:9::/100 ip=2001:db8:8000::/33")


def main():
    p = argparse.ArgumentParser(prog="pktfuzz.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--unbound", action="store_true")
        sp.add_argument("--attacker", default=DEF_ATTACKER)
        sp.add_argument("--receiver", default=DEF_RECEIVER)
        sp.add_argument("--other-mac", action="append", default=None,
                        help="another VM's MAC (the trusted one first); repeatable")
        sp.add_argument("--local-mac", action="append", default=None,
                        help="a MAC of the bridge itself (br0, the vifs); repeatable")
        sp.add_argument("--neighbour", action="append", default=None,
                        help="the BINDING of another port of the bridge (besides the receiver): "
                        "what it holds exactly is not the attacker's through a prefix; repeatable")

    r = sub.add_parser("run")
    common(r)
    r.add_argument("--from", dest="from_", required=True)
    r.add_argument("--trusted", required=True)
    r.add_argument("--enforce", required=True)
    r.add_argument("--seconds", type=float, default=45.0)
    r.add_argument("--frames", type=int, default=0)
    r.add_argument("--seed")
    r.add_argument("--phase", default="fuzz")
    r.add_argument("--settle", type=float, default=0.5)
    r.add_argument("--result")
    r.add_argument("--show", type=int, default=20)
    r.set_defaults(fn=cmd_run)
    g = sub.add_parser("gen")
    common(g)
    g.add_argument("--seed", required=True)
    g.add_argument("--phase", default="fuzz")
    g.add_argument("--index", required=True)
    g.set_defaults(fn=cmd_gen)
    j = sub.add_parser("judge")
    common(j)
    j.add_argument("--hex", required=True)
    j.set_defaults(fn=cmd_judge)
    sv = sub.add_parser("serve")
    sv.set_defaults(fn=None)

    def parse(words):
        a = p.parse_args(words)
        if a.cmd != "serve":
            if a.other_mac is None:
                a.other_mac = ["02:00:00:00:00:02"]
            if a.local_mac is None:
                a.local_mac = ["02:00:00:00:ff:ff"] + ["02:00:00:00:01:%02x" % k for k in (1, 2, 3)]
            if a.neighbour is None:
                a.neighbour = ["mac=02:00:00:00:00:02 mode=trusted"]
        a.report_to = sys.stdout
        return a

    a = parse(sys.argv[1:])
    if a.cmd != "serve":
        return a.fn(a)
    # serve: one command a line (shell words) on stdin; its report on
    # stderr; then one line on stdout, "ok" or "error MESSAGE".  Python
    # starts once (seconds under TCG), and may start while the test
    # sets up.
    import shlex
    import traceback
    for line in sys.stdin:
        words = shlex.split(line)
        if not words:
            continue
        try:
            a = parse(words)
            if a.cmd == "serve":
                raise ValueError("serve cannot be nested")
            a.report_to = sys.stderr
            rc = a.fn(a)
            print("ok" if not rc else "error exit status %s" % rc, flush=True)
        except SystemExit as e:
            print("error bad command (%s): %s" % (e, line.strip()), flush=True)
        except Exception as e:     # noqa: report, never die
            traceback.print_exc()
            print("error %s: %s" % (type(e).__name__, e), flush=True)
        sys.stderr.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
