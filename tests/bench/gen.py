#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""gen.py DIR "N..." "CLOUDSTACK_N...": write, for each N, the
configurations the benchmark loads in the guest, all describing the same
N VM ports:

  vmfence-N.json     one "vmfencectl apply" document (the uplink trusted,
                     the bridge "unbound drop", N ports in enforce mode)
  vmfence-N.sh       the same N bindings as N "vmfencectl port set" calls
  nft-linear-N.nft   an nftables bridge ruleset as operators write it
                     today (after the uncloud ruleset in shared/seeds):
                     per port, one rule per address plus one for ARP
  nft-set-N.nft      the same with concatenated sets
                     (iifname . ether saddr . ip saddr, and ip6, arp)
  cs-N.ipset, cs-N.ebtables, cs-N.arptables, cs-N.iptables
                     (for each CLOUDSTACK_N) CloudStack 4.2's default rules for N user VMs (the
                     vmops plugin's default_network_rules, as in
                     shared/seeds), in the restore formats of ipset,
                     ebtables, arptables and iptables

and, once, "links" (an "ip -batch" file creating the dummy devices
vif1.0 ... vif9999.0) and what adding one more VM (port vif10000.0) to a loaded host
takes in each approach: add-vmfence.sh, add-nft-linear.nft,
add-nft-set.nft, add-cs.sh (the commands CloudStack runs, one process
each, with ${IPTABLES} etc. left for the guest to choose).

Port K (1 <= K < N) is vifK.0, a dummy device; the measured port, bound
last in every file, is vif0.0 (a veth on the bridge).  Each port has a
MAC and two addresses, one IPv4 and one IPv6 (CloudStack 4.2's rules are
IPv4 only: there, the IPv4 address).  Uses the standard library only.
"""

import json
import os
import sys

BRIDGE = "br0"
UPLINK = "up0"
UPLINK_MAC = "02:ee:00:00:00:02"
MEASURED = 0
NEW_VM = 10000


def ifname(k):
    return "vif%d.0" % k


def mac(k):
    if k == MEASURED:
        return "02:00:00:00:00:01"
    return "02:10:00:00:%02x:%02x" % (k >> 8 & 255, k & 255)


def ip4(k):
    if k == MEASURED:
        return "10.255.0.1"
    return "10.0.%d.%d" % (k >> 8 & 255, k & 255)


def ip6(k):
    if k == MEASURED:
        return "2001:db8:ff::1"
    return "2001:db8::%x" % k


def vm(k):
    return "i-2-%d-VM" % k


def ports(n):
    """The N ports in binding order: the measured one last."""
    return list(range(1, n)) + [MEASURED]


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


# ---- vmfence ----------------------------------------------------------------

def vmfence_doc(n):
    ents = [{"ifname": UPLINK, "mac": UPLINK_MAC, "mode": "trusted",
             "label": "uplink"}]
    for k in ports(n):
        ents.append({"ifname": ifname(k), "mac": mac(k), "mode": "enforce",
                     "label": vm(k), "addrs": [ip4(k), ip6(k)]})
    doc = {"version": 1,
           "bridges": [{"ifname": BRIDGE, "unbound": "drop"}],
           "ports": ents}
    # One port a line: readable, and what an orchestrator would write.
    lines = ['{"version": 1,',
             ' "bridges": %s,' % json.dumps(doc["bridges"]),
             ' "ports": [']
    lines += ["  %s%s" % (json.dumps(e), "," if i < len(ents) - 1 else "")
              for i, e in enumerate(ents)]
    lines += [" ]}"]
    return "\n".join(lines) + "\n"


def portset_line(k):
    return ('"$CTL" port set %s mac %s ip %s ip %s label %s || return 1\n'
            % (ifname(k), mac(k), ip4(k), ip6(k), vm(k)))


def vmfence_calls(n):
    out = ['# %d vmfencectl calls, one process each (sourced)\n' % (n + 2),
           '"$CTL" bridge set %s unbound drop || return 1\n' % BRIDGE,
           '"$CTL" port set %s mac %s mode trusted label uplink || return 1\n'
           % (UPLINK, UPLINK_MAC)]
    out += [portset_line(k) for k in ports(n)]
    return "".join(out)


# ---- nftables (bridge family) -------------------------------------------------

NFT_HEAD = """flush ruleset
table bridge filter {
	chain prerouting {
		type filter hook prerouting priority 0; policy accept;
		ibrname "%(br)s" jump %(br)s
	}
	chain %(br)s {
		iifname "%(up)s" accept
		icmpv6 type nd-router-advert drop
		ip6 version 6 udp sport 547 drop
		ip version 4 udp sport 67 drop
""" % {"br": BRIDGE, "up": UPLINK}


def nft_linear_rules(k):
    return ('\t\tiifname "%s" ether saddr %s ip saddr %s accept\n'
            '\t\tiifname "%s" ether saddr %s ip6 saddr %s accept\n'
            '\t\tiifname "%s" ether saddr %s arp saddr ip %s accept\n'
            % (ifname(k), mac(k), ip4(k), ifname(k), mac(k), ip6(k),
               ifname(k), mac(k), ip4(k)))


def nft_linear(n):
    out = [NFT_HEAD,
           "\t\tjump %s_vmlist\n\t\tdrop\n\t}\n" % BRIDGE,
           "\tchain %s_vmlist {\n" % BRIDGE]
    out += [nft_linear_rules(k) for k in ports(n)]
    out.append("\t}\n}\n")
    return "".join(out)


def nft_set_elems(k):
    return ('"%s" . %s . %s' % (ifname(k), mac(k), ip4(k)),
            '"%s" . %s . %s' % (ifname(k), mac(k), ip6(k)))


def nft_set(n):
    e4, e6 = [], []
    for k in ports(n):
        a, b = nft_set_elems(k)
        e4.append(a)
        e6.append(b)
    out = [NFT_HEAD,
           "\t\tiifname . ether saddr . ip saddr @vm4 accept\n",
           "\t\tiifname . ether saddr . ip6 saddr @vm6 accept\n",
           "\t\tiifname . ether saddr . arp saddr ip @vm4 accept\n",
           "\t\tdrop\n\t}\n"]
    for name, typ, el in (("vm4", "ipv4_addr", e4), ("vm6", "ipv6_addr", e6)):
        out.append("\tset %s {\n\t\ttype ifname . ether_addr . %s\n"
                   "\t\telements = {\n" % (name, typ))
        out.append(",\n".join("\t\t\t" + e for e in el))
        out.append("\n\t\t}\n\t}\n")
    out.append("}\n")
    return "".join(out)


def nft_add_linear(k):
    r = nft_linear_rules(k).replace("\t\t", "add rule bridge filter %s_vmlist "
                                    % BRIDGE)
    return r


def nft_add_set(k):
    a, b = nft_set_elems(k)
    return ("add element bridge filter vm4 { %s }\n"
            "add element bridge filter vm6 { %s }\n" % (a, b))


# ---- CloudStack 4.2 default rules (vmops default_network_rules) ---------------
#
# Per user VM: an ipset of its addresses; iptables chains i-2-K-def (the
# anti-spoofing), i-2-K-VM (ingress: default deny) and i-2-K-VM-eg
# (egress: default allow), reached from BRIDGE-FIREWALL by physdev rules
# (the --physdev-in rule inserted at position 2, the --physdev-out rule
# appended); an ebtables chain (source MAC, rogue DHCP) reached by -i and
# -o rules appended to FORWARD; an arptables chain reached the same way.

EB_DEFAULT = """-A DEFAULT_EBTABLES -p IPv4 --ip-dst 255.255.255.255 --ip-proto udp --ip-dport 67 -j ACCEPT
-A DEFAULT_EBTABLES -p IPv4 --ip-dst 255.255.255.255 --ip-proto udp --ip-dport 68 -j ACCEPT
-A DEFAULT_EBTABLES -p ARP --arp-op Request -j ACCEPT
-A DEFAULT_EBTABLES -p ARP --arp-op Reply -j ACCEPT
-A DEFAULT_EBTABLES -p IPv4 -d Broadcast -j DROP
-A DEFAULT_EBTABLES -p IPv4 -d Multicast -j DROP
-A DEFAULT_EBTABLES -p IPv4 --ip-dst 255.255.255.255 -j DROP
-A DEFAULT_EBTABLES -p IPv4 --ip-dst 224.0.0.0/4 -j DROP
-A DEFAULT_EBTABLES -p IPv4 -j RETURN
-A DEFAULT_EBTABLES -p IPv6 -j DROP
-A DEFAULT_EBTABLES -p 802_1Q -j DROP
-A DEFAULT_EBTABLES -j DROP
"""


def cs_ipset(n):
    out = []
    for k in ports(n):
        out.append("create %s hash:ip family inet hashsize 1024 maxelem 65536\n"
                   % vm(k))
        out.append("add %s %s\n" % (vm(k), ip4(k)))
    return "".join(out)


def cs_eb_vm(k):
    v, c, m = ifname(k), vm(k), mac(k)
    return ("-A %s -s ! %s -i %s -j DROP\n"
            "-A %s -p IPv4 -i %s --ip-proto udp --ip-dport 68 -j DROP\n"
            "-A %s -p IPv4 -o %s --ip-proto udp --ip-dport 67 -j DROP\n"
            % (c, m, v, c, v, c, v))


def cs_ebtables(n):
    out = ["*filter\n", ":INPUT ACCEPT\n", ":FORWARD ACCEPT\n",
           ":OUTPUT ACCEPT\n", ":DEFAULT_EBTABLES ACCEPT\n"]
    out += [":%s ACCEPT\n" % vm(k) for k in ports(n)]
    out.append("-A FORWARD -j DEFAULT_EBTABLES\n")
    for k in ports(n):
        out.append("-A FORWARD -i %s -j %s\n" % (ifname(k), vm(k)))
        out.append("-A FORWARD -o %s -j %s\n" % (ifname(k), vm(k)))
    out.append(EB_DEFAULT)
    out += [cs_eb_vm(k) for k in ports(n)]
    return "".join(out)


def cs_arp_vm(k):
    v, c, m, a = ifname(k), vm(k), mac(k), ip4(k)
    return ("-A %s -i %s -s %s --source-mac %s --opcode 2 -j ACCEPT\n"
            "-A %s -i %s -s %s --source-mac %s --opcode 1 -j RETURN\n"
            "-A %s -o %s -d %s --opcode 1 -j ACCEPT\n"
            "-A %s -o %s -d %s --destination-mac %s --opcode 2 -j ACCEPT\n"
            "-A %s -j DROP\n"
            % (c, v, a, m, c, v, a, m, c, v, a, c, v, a, m, c))


def cs_arptables(n):
    out = ["*filter\n", ":INPUT ACCEPT\n", ":OUTPUT ACCEPT\n",
           ":FORWARD ACCEPT\n"]
    out += [":%s -\n" % vm(k) for k in ports(n)]
    for k in ports(n):
        out.append("-A FORWARD -i %s -j %s\n" % (ifname(k), vm(k)))
        out.append("-A FORWARD -o %s -j %s\n" % (ifname(k), vm(k)))
    out += [cs_arp_vm(k) for k in ports(n)]
    out.append("COMMIT\n")
    return "".join(out)


PHYS = "-m physdev --physdev-is-bridged"


def cs_ipt_vm(k):
    v, c = ifname(k), vm(k)
    d, eg = "i-2-%d-def" % k, c + "-eg"
    return ("-A {d} {p} --physdev-in {v} -m set --match-set {c} src -p udp -m udp --dport 53 -j RETURN\n"
            "-A {d} {p} --physdev-in {v} -m set ! --match-set {c} src -j DROP\n"
            "-A {d} {p} --physdev-out {v} -m set ! --match-set {c} dst -j DROP\n"
            "-A {d} {p} --physdev-in {v} -m set --match-set {c} src -j {eg}\n"
            "-A {d} {p} --physdev-out {v} -j {c}\n"
            "-A {c} -j DROP\n"
            "-A {eg} -j RETURN\n").format(d=d, p=PHYS, v=v, c=c, eg=eg)


def cs_iptables(n):
    ps = ports(n)
    out = ["*filter\n", ":INPUT ACCEPT [0:0]\n", ":FORWARD ACCEPT [0:0]\n",
           ":OUTPUT ACCEPT [0:0]\n", ":BRIDGE-FIREWALL - [0:0]\n",
           ":BRIDGE-DEFAULT-FIREWALL - [0:0]\n"]
    for k in ps:
        out.append(":i-2-%d-def - [0:0]\n:%s - [0:0]\n:%s-eg - [0:0]\n"
                   % (k, vm(k), vm(k)))
    out.append("-A FORWARD %s -j BRIDGE-FIREWALL\n" % PHYS)
    out.append("-A FORWARD %s --physdev-out %s -j ACCEPT\n" % (PHYS, UPLINK))
    out.append("-A FORWARD -j DROP\n")
    out.append("-A BRIDGE-FIREWALL -j BRIDGE-DEFAULT-FIREWALL\n")
    # "-I BRIDGE-FIREWALL 2 ... --physdev-in": the newest VM first.
    for k in reversed(ps):
        out.append("-A BRIDGE-FIREWALL %s --physdev-in %s -j i-2-%d-def\n"
                   % (PHYS, ifname(k), k))
    for k in ps:
        out.append("-A BRIDGE-FIREWALL %s --physdev-out %s -j i-2-%d-def\n"
                   % (PHYS, ifname(k), k))
    out += [cs_ipt_vm(k) for k in ps]
    out.append("COMMIT\n")
    return "".join(out)


def cs_add(k):
    """default_network_rules for one new VM: one process per command."""
    v, c, m, a = ifname(k), vm(k), mac(k), ip4(k)
    d, eg = "i-2-%d-def" % k, c + "-eg"
    cmds = [
        "$IPTABLES -N %s" % c,
        "$IPTABLES -N %s" % eg,
        "$IPTABLES -N %s" % d,
        "ipset -N %s iphash" % c,
        "ipset -A %s %s" % (c, a),
        "$IPTABLES -A BRIDGE-FIREWALL %s --physdev-out %s -j %s" % (PHYS, v, d),
        "$IPTABLES -I BRIDGE-FIREWALL 2 %s --physdev-in %s -j %s" % (PHYS, v, d),
        "$IPTABLES -A %s %s --physdev-in %s -m set --match-set %s src -p udp --dport 53 -j RETURN" % (d, PHYS, v, c),
        "$IPTABLES -A %s %s --physdev-in %s -m set ! --match-set %s src -j DROP" % (d, PHYS, v, c),
        "$IPTABLES -A %s %s --physdev-out %s -m set ! --match-set %s dst -j DROP" % (d, PHYS, v, c),
        "$IPTABLES -A %s %s --physdev-in %s -m set --match-set %s src -j %s" % (d, PHYS, v, c, eg),
        "$IPTABLES -A %s %s --physdev-out %s -j %s" % (d, PHYS, v, c),
        "$IPTABLES -A %s -j DROP" % c,
        "$IPTABLES -A %s -j RETURN" % eg,
        "$ARPTABLES -N %s" % c,
        "$ARPTABLES -A FORWARD -i %s -j %s" % (v, c),
        "$ARPTABLES -A FORWARD -o %s -j %s" % (v, c),
        "$ARPTABLES -A %s -i %s --source-ip %s --source-mac %s --opcode 2 -j ACCEPT" % (c, v, a, m),
        "$ARPTABLES -A %s -i %s --source-ip %s --source-mac %s --opcode 1 -j RETURN" % (c, v, a, m),
        "$ARPTABLES -A %s -o %s --destination-ip %s --opcode 1 -j ACCEPT" % (c, v, a),
        "$ARPTABLES -A %s -o %s --destination-ip %s --destination-mac %s --opcode 2 -j ACCEPT" % (c, v, a, m),
        "$ARPTABLES -A %s -j DROP" % c,
        "$EBTABLES -N %s" % c,
        "$EBTABLES -A FORWARD -i %s -j %s" % (v, c),
        "$EBTABLES -A FORWARD -o %s -j %s" % (v, c),
        "$EBTABLES -A %s -i %s -s ! %s -j DROP" % (c, v, m),
        "$EBTABLES -A %s -p IPv4 -i %s --ip-proto udp --ip-dport 68 -j DROP" % (c, v),
        "$EBTABLES -A %s -p IPv4 -o %s --ip-proto udp --ip-dport 67 -j DROP" % (c, v),
    ]
    return ("# CloudStack 4.2 default_network_rules for %s: %d commands "
            "(sourced)\n" % (c, len(cmds))
            + "".join(c + " || return 1\n" for c in cmds))


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: gen.py DIR "N..." "CLOUDSTACK_N..."')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    p = os.path.join(out, "%s-%d.%s")
    for n in map(int, sys.argv[2].split()):
        write(p % ("vmfence", n, "json"), vmfence_doc(n))
        write(p % ("vmfence", n, "sh"), vmfence_calls(n))
        write(p % ("nft-linear", n, "nft"), nft_linear(n))
        write(p % ("nft-set", n, "nft"), nft_set(n))
    for n in map(int, sys.argv[3].split()):
        write(p % ("cs", n, "ipset"), cs_ipset(n))
        write(p % ("cs", n, "ebtables"), cs_ebtables(n))
        write(p % ("cs", n, "arptables"), cs_arptables(n))
        write(p % ("cs", n, "iptables"), cs_iptables(n))
    k = NEW_VM
    write(os.path.join(out, "links"), "".join(
        "link add %s type dummy\n" % ifname(i) for i in range(1, NEW_VM)))
    write(os.path.join(out, "add-vmfence.sh"), portset_line(k))
    write(os.path.join(out, "add-nft-linear.nft"), nft_add_linear(k))
    write(os.path.join(out, "add-nft-set.nft"), nft_add_set(k))
    write(os.path.join(out, "add-cs.sh"), cs_add(k))


if __name__ == "__main__":
    main()
