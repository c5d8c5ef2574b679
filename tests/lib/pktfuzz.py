#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pktfuzz.py: a packet fuzzer for vmfence, judged by README's rules (policy.py).

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
                 [--result FILE] [--show N] [--focus KIND=W,...] [--good G]
                 [--until TAG,... [--until-count N]]
      Fuzz for S seconds (or N frames).  --unbound: the attacker's port
      has no binding (the control run): the attacker's frames are judged
      against BINDING all the same (what it would be allowed to send), so
      findings are expected; what arrives at the enforce receiver is
      judged by the towards-VM rules alone, and findings there are not.
      Prints a report; --result FILE gets "key value" lines (counts;
      found.TAG: findings by policy.py's tag, "to:TAG" against the
      towards-VM rules; floor_*_short: the categories whose allowed
      frames did not all arrive).  For the mutation controls
      (tests/cases/89-mutations.sh): --focus, only these kinds (Gen.KINDS,
      and Gen.FOCUS_KINDS: messages behind AH, first fragments cut short,
      claimed addresses), in these proportions; --until, stop at the Nth
      finding of these tags (or reasons).
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

The model is tests/lib/policy.py (judge_from, judge_to): README's rules,
written from its reason tables and checked row by row against them by
tests/policy-test.py without a guest.  It answers allow, forbid (with the
reasons, in README's order of precedence) or undecided (with a label:
README does not settle the case; such a frame counts as allowed for the
findings, is left out of the legitimate-traffic accounting, and is
counted, with how many arrived and an example), what the frame is counted
under, and tags naming the clause of each reason ("nd_spoof.option"):
findings are also counted by tag, for the mutation controls.  Its
readings where README leaves room are in policy.py's docstring.

What the bridge does with what vmfence lets through (forwarded(), here):
the IEEE 802.1 link-local groups but the bridge group address stay with
the bridge; a tagged frame cut short (short_tag()) is dropped by the
receiving device before any hook.  csum_offload is not fuzzed: the frames
come from a packet socket without a virtio-net header, never
CHECKSUM_PARTIAL (tests/cases/32-csum-offload.sh sends those).

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

from policy import (  # noqa: E402  (the judge: README's rules)
    ALLOW, UNDECIDED, FORBID, ETH_IP4, ETH_ARP, ETH_IP6, TPID_8021Q, TPID_8021AD, BCAST, ZERO4,
    ZERO16, LBCAST4, BRIDGE_GROUP, ALL_NODES, ALL_ROUTERS, MLD2_ROUTERS, DHCP6_GROUPS, Binding,
    Verdict, a4, a6, macb, solicited_node, mcast_mac4, mcast_mac6, judge_from, judge_to, show)

P = struct.pack

SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33


# --- what the bridge does with what vmfence lets through ---------------------

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


# --- frame generation --------------------------------------------------------

def header_fields(fr):
    """(offset, length) of the header fields of frame fr, as far as its
    headers go: Ethernet and its tags, IPv4 (each option byte too), ARP,
    IPv6 and its extension headers (their options' type and length
    bytes), UDP, TCP, ICMP, ICMPv6 (the ND target, each ND option's type,
    length and link-layer address, the MLD group), IGMP, and BOOTP's
    fixed fields for UDP 67/68."""
    n = len(fr)
    f = [(0, 6), (6, 6), (12, 2)]
    o = 12
    et = (fr[12] << 8) | fr[13] if n >= 14 else 0
    while et in (TPID_8021Q, TPID_8021AD, 0x9100) and o + 6 <= n:
        f += [(o + 2, 2), (o + 4, 2)]
        o += 4
        et = (fr[o] << 8) | fr[o + 1]
    o += 2

    def transport(proto, t, end):
        if proto == 17:
            f.extend([(t, 2), (t + 2, 2), (t + 4, 2), (t + 6, 2)])
            if t + 4 <= n and {(fr[t] << 8) | fr[t + 1], (fr[t + 2] << 8) | fr[t + 3]} & {67, 68}:
                b = t + 8
                f.extend([(b, 1), (b + 1, 1), (b + 2, 1), (b + 3, 1), (b + 4, 4), (b + 8, 2),
                          (b + 10, 2), (b + 12, 4), (b + 16, 4), (b + 20, 4), (b + 24, 4), (b + 28, 6),
                          (b + 34, 10), (b + 236, 4)])
        elif proto == 6:
            f.extend([(t, 2), (t + 2, 2), (t + 4, 4), (t + 8, 4), (t + 12, 1), (t + 13, 1),
                      (t + 14, 2), (t + 16, 2), (t + 18, 2)])
        elif proto in (1, 2, 58):
            f.extend([(t, 1), (t + 1, 1), (t + 2, 2), (t + 4, 4)])
            if proto == 58 and t < n and fr[t] in (130, 131, 132, 133, 134, 135, 136, 137):
                f.append((t + 8, 16))
                q = t + (8 if fr[t] == 133 else 16 if fr[t] == 134 else 24 if fr[t] != 137 else 40)
                while fr[t] in (133, 134, 135, 136, 137) and q + 2 <= min(n, end):
                    f.extend([(q, 1), (q + 1, 1), (q + 2, 6)])
                    if not fr[q + 1]:
                        break
                    q += fr[q + 1] * 8
    if et == ETH_IP4 and o + 20 <= n:
        f += [(o, 1), (o + 1, 1), (o + 2, 2), (o + 4, 2), (o + 6, 2), (o + 8, 1), (o + 9, 1), (o + 10, 2),
              (o + 12, 4), (o + 16, 4)]
        ihl = (fr[o] & 15) * 4
        f += [(i, 1) for i in range(o + 20, min(o + ihl, n))]
        if ihl >= 20 and not ((fr[o + 6] << 8) | fr[o + 7]) & 0x1FFF:
            transport(fr[o + 9], o + ihl, n)
    elif et == ETH_ARP:
        f += [(o, 2), (o + 2, 2), (o + 4, 1), (o + 5, 1), (o + 6, 2), (o + 8, 6), (o + 14, 4),
              (o + 18, 6), (o + 24, 4)]
    elif et == ETH_IP6 and o + 40 <= n:
        f += [(o, 1), (o + 1, 3), (o + 4, 2), (o + 6, 1), (o + 7, 1), (o + 8, 16), (o + 24, 16)]
        nh, q = fr[o + 6], o + 40
        for _ in range(16):
            if nh not in (0, 43, 44, 51, 60) or q + 8 > n:
                break
            f += [(q, 1), (q + 1, 1)]
            if nh == 44:
                f += [(q + 2, 2), (q + 4, 4)]
                if ((fr[q + 2] << 8) | fr[q + 3]) & 0xFFF8:
                    nh = None
                    break
                ln = 8
            elif nh == 51:
                f += [(q + 2, 2), (q + 4, 4), (q + 8, 4)]
                ln = (fr[q + 1] + 2) * 4
            else:
                f += [(q + 2, 1), (q + 3, 1)]   # an option's type and length; routing type, segments left
                ln = (fr[q + 1] + 1) * 8
            nh = fr[q]
            q += ln
        if nh is not None:
            transport(nh, q, o + 40 + ((fr[o + 4] << 8) | fr[o + 5]))
    return [(a, ln) for a, ln in f if a + ln <= n]


class Gen:
    """Random and mutated frames from the attacker A towards the receiver
    R (and anyone), by kind; next() -> (frame, category)."""

    KINDS = [
        ("udp4", 7), ("tcp4", 2), ("icmp4", 4), ("igmp4", 3), ("arp", 9), ("dhcp4", 6),
        ("frag4", 5), ("udp6", 7), ("tcp6", 2), ("icmp6", 4), ("nd", 12),
        ("mld", 5), ("dhcp6", 5), ("ra", 5), ("redirect6", 3), ("ext6", 8),
        ("frag6", 9), ("vlan", 4), ("ethertype", 4), ("linklocal", 5), ("random", 4),
    ]

    # Kinds for the mutation controls (tests/cases/89-mutations.sh), not
    # in the mix unless asked for (--focus).
    FOCUS_KINDS = ("ah6", "firstfrag6", "claims")

    def __init__(self, seed, A, R, others, weights=None, good=0.7):
        self.r = random.Random(seed)
        self.n = 0
        self.kinds = []
        for k, wgt in (weights.items() if weights else self.KINDS):
            if not hasattr(self, "k_" + k):
                raise ValueError("no kind %r" % k)
            self.kinds += [k] * wgt
        self.good0 = good
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
        self.good = good

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

    # Fields no rule reads are drawn too (TOS, TTL, identification, the
    # reserved and DF bits, checksums, UDP length, TCP offset, flags and
    # window, flow labels): a check that read one would show.
    def bits(self, n, usual, p=0.25):
        """usual, or (with probability p) n random bits."""
        return self.r.getrandbits(n) if self.r.random() < p else usual

    def ip4(self, src, dst, proto, l4, frag=None, opts=None):
        r = self.r
        if frag is None:
            frag = r.choice((0x4000, 0x4000, 0)) | (0x8000 if r.random() < 0.05 else 0)
        if opts is None:
            opts = self.ip4opts()
        if opts and len(opts) % 4:
            opts += b"\0" * (4 - len(opts) % 4)
        return P("!BBHHHBBH4s4s", 0x40 | (5 + len(opts) // 4), self.bits(8, 0), 20 + len(opts) + len(l4),
                 r.getrandbits(16), frag, self.bits(8, 64), proto, self.bits(16, 0, 0.5), src, dst) + opts + l4

    def ip6(self, src, dst, nh, body, hlim=64):
        return P("!IHBB16s16s", 0x60000000 | (self.bits(8, 0) << 20) | self.r.getrandbits(20), len(body),
                 nh, hlim, src, dst) + body

    def udp(self, sport, dport, data):
        r = self.r
        ln = 8 + len(data)
        if r.random() < 0.15:
            ln = r.choice((0, 8, ln - 1, ln + 1, 0xFFFF, r.getrandbits(16))) & 0xFFFF
        return P("!HHHH", sport, dport, max(ln, 0), self.bits(16, 0, 0.5)) + data

    def tcp(self, sport, dport):
        r = self.r
        return P("!HHIIBBHHH", sport, dport, r.getrandbits(32), self.bits(32, 0), self.bits(8, 0x50, 0.1),
                 r.choice((2, 16, 18, 4, 17, 24, r.getrandbits(8))), self.bits(16, 65535),
                 self.bits(16, 0, 0.5), self.bits(16, 0, 0.1)) + self.data(0, 16)

    def icmp(self, t, code, body):
        return P("!BBH", t, code, self.bits(16, 0, 0.5)) + body

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
            icv = r.choice((0, 4, 12, 8, 20))
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
        """IPv4 options, in front of every transport header the rules
        read (ports, ICMP and IGMP types, DHCP's chaddr): router alert,
        NOPs, end of list then junk, record route, timestamp, security,
        an option longer than the header, random bytes; up to 40 bytes."""
        r = self.r
        if r.random() >= 0.3:
            return b""
        x = r.random()
        if x < 0.2:
            o = b"\x94\x04\x00\x00"
        elif x < 0.35:
            o = b"\x01" * r.randrange(1, 41)
        elif x < 0.45:
            o = b"\x00" + self.rnd(r.randrange(0, 40))
        elif x < 0.55:
            n = r.randrange(1, 10)
            o = bytes([7, 3 + 4 * n, 4]) + self.rnd(4 * n)                     # record route
        elif x < 0.65:
            n = r.randrange(1, 10)
            o = bytes([68, 4 + 4 * n, 5, 0]) + self.rnd(4 * n)                 # timestamp
        elif x < 0.72:
            o = bytes([130, 11]) + self.rnd(9)                                 # security
        elif x < 0.8:
            o = bytes([r.choice((7, 68, 131, 137)), r.choice((40, 41, 255, 0, 1))]) + self.rnd(2)
        else:
            o = self.rnd(4 * r.randrange(1, 11))
        return o[:40]

    def k_udp4(self):
        s, d = self.src4(), self.dst4()
        l4 = self.udp(self.sport((67, 68, 53, 547)), self.sport((67, 68, 9, 123, 546)), self.data())
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 17, l4))

    def k_tcp4(self):
        s, d = self.src4(), self.dst4()
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 6, self.tcp(self.sport((22, 80, 67, 68)),
                                                                          self.sport((80, 67, 68)))))

    def k_icmp4(self):
        r = self.r
        s, d = self.src4(), self.dst4()
        # 9: a router advertisement (RFC 1256), 10 the solicitation.
        t = r.choice((8, 8, 8, 0, 5, 5, 9, 9, 10, 3, 11, 13, r.getrandbits(8)))
        if t == 5:
            inner = self.ip4(d, a4("10.0.0.2"), 1, b"\0" * 8, opts=b"")
            body = a4(r.choice(("10.0.0.1", "10.0.0.254"))) + inner[:28]
        else:
            body = self.data()
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, 1, self.icmp(t, r.choice((0, 0, 1, r.getrandbits(8))),
                                                                            body)))

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
        return self.eth(dmac, ETH_IP4, self.ip4(src, d, 17, l4))

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
        opts = b"\x94\x04\x00\x00" if r.random() < 0.6 else None   # router alert, or any
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
        return self.eth(self.dmac4(d), ETH_IP4, self.ip4(s, d, proto, part, frag=frag))

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
        # What the tag carries: mostly what the VM may send, sometimes
        # what it may not (with 0x8100 allowed, unchecked: it passes).
        inner = self.make(r.choice(("udp4", "udp6", "arp", "nd", "icmp4", "dhcp4", "udp4", "udp6",
                                    "ra", "dhcp6", "ethertype", "linklocal")))
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

    # -- kinds for the mutation controls (FOCUS_KINDS) --
    def k_ah6(self):
        """Upper-layer messages behind AH, whose length is in 4-byte
        units (RFC 4302) where every other extension header's is in 8:
        RAs, redirects, DHCPv6 answers, NAs for another's address, mostly
        to the receiver's unicast address (no multicast rule to stop
        them first)."""
        r = self.r
        s = self.in6(self.A) if r.random() < 0.9 else self.src6()
        d = self.in6(self.R) if r.random() < 0.8 else self.dst6()
        x = r.random()
        if x < 0.4:
            nh, up = 58, self.rs_ra_redirect(134)
        elif x < 0.6:
            nh, up = 58, self.rs_ra_redirect(137)
        elif x < 0.8:
            nh, up = 17, self.udp(547, 546, self.data())
        else:
            nh, up = 58, self.icmp(136, 0, b"\x20\0\0\0" + self.in6(self.R) + self.nd_opts())
        chain = [self.ext_item("hbh")] if r.random() < 0.3 else []
        chain += [self.ext_item("ah")]
        if r.random() < 0.3:
            chain += [self.ext_item(r.choice(("dst", "ah")))]
        return self.v6frame(s, d, nh, up, chain, hlim=255)

    def k_firstfrag6(self):
        """First fragments (and atomic ones) whose upper-layer header is
        cut short of RFC 7112's whole header (TCP's 20 bytes, 8 of any
        other), mostly, or just whole: ICMPv6 echo, TCP, UDP, others."""
        r = self.r
        s = self.in6(self.A) if r.random() < 0.9 else self.src6()
        d = self.in6(self.R) if r.random() < 0.8 else self.dst6()
        x = r.random()
        if x < 0.35:
            nh, up = 58, self.icmp(r.choice((128, 129, 1, 2, 3, 4)), 0, self.data(4, 16))
        elif x < 0.6:
            nh, up = 6, self.tcp(self.sport((22,)), 80)
        elif x < 0.8:
            nh, up = r.choice((253, 132, 136, 50, 103)), self.data(8, 24)
        else:
            nh, up = 17, self.udp(self.sport((546,)), 9, self.data())
        need = 20 if nh == 6 else 8
        cut = r.randrange(1, need) if r.random() < 0.8 else r.randrange(need, len(up) + 1)
        pre = self.rand_chain(1, frag=False) if r.random() < 0.3 else []
        fh = P("!BBHI", nh, 0, r.choice((1, 1, 0)), r.getrandbits(32))
        pre_b, first = self.ext_chain(pre, 44)
        return self.eth(self.dmac6(d), ETH_IP6, self.ip6(s, d, first, pre_b + fh + up[:cut], 64))

    def k_claims(self):
        """Sources, ARP senders, probe, NA and DAD targets that are
        inside the attacker's prefixes but held exactly by another port
        (README, "Owned"), to the receiver."""
        r = self.r
        c4, c6 = r.choice(self.claimed4), r.choice(self.claimed6)
        x = r.random()
        if x < 0.25:
            d = self.in4(self.R)
            return self.eth(self.dmac4(d), ETH_IP4, self.ip4(c4, d, 17, self.udp(self.sport((53,)), 9, self.data())))
        if x < 0.5:
            d = self.in6(self.R)
            return self.v6frame(c6, d, 17, self.udp(self.sport((53,)), 9, self.data()))
        if x < 0.7:
            op = r.choice((1, 2))
            spa, tpa = (ZERO4, c4) if op == 1 and r.random() < 0.4 else (c4, r.choice((c4, self.in4(self.R))))
            tha = self.r_mac if op == 2 else bytes(6)
            body = b"\x00\x01\x08\x00\x06\x04" + P("!H", op) + self.a_mac + spa + tha + tpa
            return self.eth(BCAST if op == 1 else self.r_mac, ETH_ARP, body)
        if x < 0.9:
            s = self.in6(self.A)
            up = self.icmp(136, 0, b"\x20\0\0\0" + c6 + b"\x02\x01" + self.a_mac)
            return self.v6frame(s, r.choice((ALL_NODES, solicited_node(c6))), 58, up, hlim=255)
        up = self.icmp(135, 0, b"\0" * 4 + c6)
        return self.v6frame(ZERO16, solicited_node(c6), 58, up, hlim=255)

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
            elif x < 0.88:
                fr[12:14] = P("!H", r.choice((ETH_IP4, ETH_IP6, ETH_ARP, TPID_8021Q, 0x88B5)))
            elif x < 0.95:
                fr = bytearray(self.mutate_field(bytes(fr)))
            else:
                fr[6:12] = r.choice(self.m_other + [self.r_mac])
        return bytes(fr)

    def mutate_field(self, fr):
        """One header field of fr (header_fields()) drawn anew: every bit
        at random, or 0, all ones, one more or less, one bit flipped."""
        r = self.r
        fields = header_fields(fr)
        if not fields:
            return fr
        off, n = r.choice(fields)
        fr = bytearray(fr)
        v = int.from_bytes(fr[off:off + n], "big")
        top = (1 << (8 * n)) - 1
        x = r.random()
        if x < 0.5:
            v = r.getrandbits(8 * n)
        elif x < 0.6:
            v = 0
        elif x < 0.7:
            v = top
        elif x < 0.85:
            v = (v + r.choice((1, -1))) & top
        else:
            v ^= 1 << r.randrange(8 * n)
        fr[off:off + n] = v.to_bytes(n, "big")
        return bytes(fr)

    def make(self, kind):
        return getattr(self, "k_" + kind)()

    def next(self):
        r = self.r
        self.good = 1.0 if r.random() < 0.15 else self.good0
        kind = r.choice(self.kinds)
        fr = self.make(kind)
        cat = kind
        x = r.random()
        if x < 0.15:
            fr = self.mutate(fr)
            cat += "+mut"
        elif x < 0.3:
            for _ in range(r.choice((1, 1, 1, 2))):
                fr = self.mutate_field(fr)
            cat += "+fld"
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
    weights = None
    if a.focus:
        weights = {}
        for w in a.focus.split(","):
            k, _, n = w.partition("=")
            weights[k] = int(n or 1)
    return Gen("%s:%s" % (seed, phase), A, R, others, weights, a.good)


# The kinds whose allowed frames must arrive (a floor per category: at
# least one, and all of them but what the kernel's backlog lost) when a
# run sent at least FLOOR_MIN of them: at the trusted port, at the
# enforce receiver.  Under multicast allow IGMP and the IPv4/ARP/IPv6
# frames to the bridge group address (linklocal) pass too; with 0x8100
# allowed, tagged frames.
# (The kinds of which at least a sixth is allowed under multicast deny:
# FLOOR_MIN frames make at least 10 allowed ones likely.)
FLOOR_TRUSTED = ("udp4", "tcp4", "icmp4", "igmp4", "arp", "dhcp4", "frag4", "udp6", "tcp6", "icmp6", "nd",
                 "mld", "dhcp6", "ext6", "frag6")
FLOOR_ENFORCE = ("udp4", "tcp4", "icmp4", "arp", "frag4", "udp6", "tcp6", "icmp6", "nd", "mld", "ext6",
                 "frag6")
FLOOR_MIN = 60


def floor_kinds(A, unbound):
    t, e = list(FLOOR_TRUSTED), list(FLOOR_ENFORCE)
    if TPID_8021Q in A.ethertypes or unbound:
        t += ["vlan"]
    return t, e


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
            vt = Verdict(FORBID, ["not_for_port(destination MAC)"], frozenset(["not_for_port"]),
                         ("not_for_port.mac",))
        return vf, vt

    # Findings by clause (policy's tags: "nd_spoof.option"), distinct
    # frames: what the mutation controls look for.
    found = {}
    until = set(a.until.split(",")) if a.until else set()
    until_n = [0]

    def finding(obs, e, data, reasons, tags):
        findings.append((obs, e, data, reasons))
        for t in tags:
            fs = found.setdefault(t, set())
            if e.index not in fs:
                fs.add(e.index)
                if t in until or t.split(".")[0] in until:
                    until_n[0] += 1

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
                        finding(obs, e, data, e.vf[1], e.vf[3])
                else:
                    e.at_e += 1
                    row[5] += 1
                    reasons, tags = [], []
                    if e.vf[0] == FORBID:
                        # Unbound (control): expected, not a finding.
                        forbidden_from_at_e[0] += 1
                        if bound:
                            reasons += ["from the attacker: " + x for x in e.vf[1]]
                            tags += e.vf[3]
                    if e.vt[0] == FORBID:
                        reasons += ["towards the receiver: " + x for x in e.vt[1]]
                        tags += ["to:" + t for t in e.vt[3]]
                    if reasons:
                        finding(obs, e, data, reasons, tags)

    t0 = time.monotonic()
    deadline = t0 + a.seconds
    index = 0
    while True:
        if a.frames and index >= a.frames:
            break
        if not a.frames and time.monotonic() >= deadline:
            break
        if until and until_n[0] >= a.until_count:
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
    legit = {}              # category -> [allowed at trusted, seen there, allowed at enforce, seen]
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
        lg = legit.setdefault(e.cat, [0, 0, 0, 0])
        if (e.vf[0] == ALLOW or not bound) and valid_src and not short_tag(fr) and forwarded(fr):
            legit_t_sent += 1
            lg[0] += 1
            if e.at_t:
                legit_t_seen += 1
                lg[1] += 1
            elif len(missing_t) < 8:
                missing_t.append((e, fr))
        # At the enforce receiver: what also passes towards it.
        dst = fr[0:6]
        if ((e.vf[0] == ALLOW or not bound) and e.vt[0] == ALLOW and valid_src
                and not short_tag(fr) and forwarded(fr) and (dst[0] & 1 or dst == R.mac)):
            legit_e_sent += 1
            lg[2] += 1
            if e.at_e:
                legit_e_seen += 1
                lg[3] += 1
            elif len(missing_e) < 8:
                missing_e.append((e, fr))
    # The floor per category: every allowed frame of each category
    # arrived, but for as many as the kernel's backlog dropped (frames of
    # any kind, so a bound for each category's losses); and of the kinds
    # that are mostly allowed, some allowed frames were sent and arrived
    # once FLOOR_MIN of the kind were sent.
    tol = max(softnet, 0)
    fk_t, fk_e = floor_kinds(A, a.unbound)
    short_t, short_e = [], []
    for c in sorted(set(legit) | set(cats)):
        ts, tn, es, en = legit.get(c, (0, 0, 0, 0))
        n = cats[c][0] if c in cats else 0
        if tn < ts - tol or (c in fk_t and n >= FLOOR_MIN and tn == 0):
            short_t.append("%s:%d/%d" % (c, tn, ts))
        if en < es - tol or (c in fk_e and n >= FLOOR_MIN and en == 0):
            short_e.append("%s:%d/%d" % (c, en, es))
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
    say("  %-16s %7s %7s %7s %7s %9s %9s %13s %13s" % ("category", "sent", "allow", "forbid", "undec", "@trusted",
                                                     "@enforce", "allowed@t", "allowed@e"))
    for c in sorted(cats):
        row = cats[c]
        lg = legit.get(c, (0, 0, 0, 0))
        say("  %-16s %7d %7d %7d %7d %9d %9d %13s %13s" % ((c,) + tuple(row) + ("%d/%d" % (lg[1], lg[0]),
                                                                               "%d/%d" % (lg[3], lg[2]))))
    say("  floor per category (allowed frames that did not arrive, beyond the %d the backlog dropped; or "
        "none of a kind mostly allowed): at the trusted port %s; at the enforce receiver %s"
        % (tol, ", ".join(short_t) or "none", ", ".join(short_e) or "none"))
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
    if found:
        say("  findings by clause (distinct frames; \"to:\" against the towards-VM rules): %s"
            % ", ".join("%s %d" % (t, len(v)) for t, v in sorted(found.items())))
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
            "missing_trusted": legit_t_sent - legit_t_seen, "missing_enforce": legit_e_sent - legit_e_seen,
            "floor_trusted_short": ",".join(short_t) or "-", "floor_enforce_short": ",".join(short_e) or "-",
        }
        for t, v in found.items():
            res["found.%s" % t] = len(v)
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
        sp.add_argument("--focus", help="KIND=WEIGHT,...: only these kinds of frames (Gen.KINDS and "
                        "Gen.FOCUS_KINDS), in these proportions")
        sp.add_argument("--good", type=float, default=0.7,
                        help="how often an address or MAC is picked among the attacker's own (0.7)")

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
    r.add_argument("--until", help="TAG,...: stop once --until-count frames were findings of these clauses "
                   "(policy's tags, \"nd_spoof.option\", or a reason, \"dhcp_server\"; \"to:...\" towards "
                   "the receiver)")
    r.add_argument("--until-count", type=int, default=3)
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
