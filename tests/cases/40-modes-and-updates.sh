#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Trusted ports pass anything, unbound ports are untouched; "port set"
# replaces the whole binding (addresses, mode, label), honours seq;
# "port addr add|del" changes one address; "stats reset" zeroes.  The
# receiver vm2 is bound with the (sink) addresses the crafted frames are
# sent to (bind_rx), so that what is judged is the sender's port.
. "$(dirname "$0")/../lib.sh"

topo_up 3
FORGED_MAC=$(udp4 1 2 src_mac=02:00:00:00:00:99)
FORGED_IP4=$(udp4 1 2 src_ip=10.0.0.99)
FORGED_IP6=$(udp6 1 2 src_ip=2001:db8::99)
# To the unbound vm3: vm2's own (enforce) port would drop it as malformed.
SHORT_IP4=$(udp4 1 3 truncate=24)
# Dropped by the enforce bindings further down; sent first while vif1 is
# trusted, where they pass.
OWN_IP6=$(udp6 1 2 nonce=1)
OWN_IP4=$(udp4 1 2)
SECONDARY=$(udp4 1 2 src_ip=10.0.0.21)
ADDED=$(udp4 1 2 src_ip=10.0.0.31)

# --- trusted ---
bind 1 mode trusted
bind_rx 2
expect_eq "vif1 shows mode trusted" trusted "$(jsq 'P[0]["mode"]' -j port show vif1)"
b=$(counters vif1)
t=$(jsq 'd["total"]["dropped"]' -j stats)
send_expect "trusted: forged source MAC passes" arrive vm1:eth0 vm2:eth0 "$FORGED_MAC"
send_expect "trusted: forged IPv4 source passes" arrive vm1:eth0 vm2:eth0 "$FORGED_IP4"
send_expect "trusted: forged IPv6 source passes" arrive vm1:eth0 vm2:eth0 "$FORGED_IP6"
send_expect "trusted: truncated IPv4 header passes" arrive vm1:eth0 vm3:eth0 "$SHORT_IP4"
vt "trusted: own IPv6 packet passes" - arrive vm1:eth0 vm2:eth0 "$OWN_IP6"
vt "trusted: own IPv4 packet passes" - arrive vm1:eth0 vm2:eth0 "$OWN_IP4"
vt "trusted: from 10.0.0.21 passes" - arrive vm1:eth0 vm2:eth0 "$SECONDARY"
vt "trusted: from 10.0.0.31 passes" - arrive vm1:eth0 vm2:eth0 "$ADDED"
vt_run
expect_counters "trusted: nothing dropped" "$b" "$(counters vif1)"
expect_eq "trusted: namespace total of drops unchanged" "$t" "$(jsq 'd["total"]["dropped"]' -j stats)"

# --- unbound, next to bound ports ---
t=$(jsq 'd["total"]["dropped"]' -j stats)
send_expect "unbound vm3: forged source MAC passes" arrive vm3:eth0 vm2:eth0 "$(udp4 3 2 src_mac=02:00:00:00:00:99)"
send_expect "unbound vm3: forged IPv4 source passes" arrive vm3:eth0 vm2:eth0 "$(udp4 3 2 src_ip=10.0.0.99)"
send_expect "unbound vm3: forged IPv6 source passes" arrive vm3:eth0 vm2:eth0 "$(udp6 3 2 src_ip=2001:db8::99)"
expect_eq "unbound vm3: namespace total of drops unchanged" "$t" "$(jsq 'd["total"]["dropped"]' -j stats)"
expect_eq "unbound vm3: not listed by port show" "vif1 vif2" "$(jsq '" ".join(p["ifname"] for p in P)' -j port show)"
expect_refused -m 'not bound' "unbound vm3: stats vif3 refused" stats vif3

# --- trusted -> enforce, by a new "port set" ---
bind 1 label first
b=$(counters vif1)
send_expect "now enforce: forged source MAC dropped" drop vm1:eth0 vm2:eth0 "$FORGED_MAC"
send_expect "now enforce: forged IPv4 source dropped" drop vm1:eth0 vm2:eth0 "$FORGED_IP4"
expect_counters "now enforce: counters moved" "$b" "$(counters vif1)" mac_spoof=1 ip4_spoof=1
# ... and back: enforce -> trusted
bind 1 mode trusted
send_expect "trusted again: forged IPv4 source passes" arrive vm1:eth0 vm2:eth0 "$FORGED_IP4"

# --- port set replaces the whole binding ---
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 10.0.0.21 ip 2001:db8::1 label before seq 7
expect_eq "binding as set" "enforce before 7 10.0.0.1 10.0.0.21 2001:db8::1" \
	"$(jsq '" ".join([P[0]["mode"], P[0].get("label", "-"), str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"
send_expect "10.0.0.21 bound: passes" arrive vm1:eth0 vm2:eth0 "$SECONDARY"
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1
expect_eq "replaced: only 10.0.0.1, no label, seq kept" "enforce - 7 10.0.0.1" \
	"$(jsq '" ".join([P[0]["mode"], P[0].get("label") or "-", str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"
b=$(counters vif1)
send_expect "replaced: 10.0.0.21 no longer passes" drop vm1:eth0 vm2:eth0 "$SECONDARY"
send_expect "replaced: 2001:db8::1 no longer passes" drop vm1:eth0 vm2:eth0 "$OWN_IP6"
expect_counters "replaced: drops counted" "$b" "$(counters vif1)" ip4_spoof=1 ip6_spoof=1
ctl port set vif1 mac 02:00:00:00:00:42 ip 10.0.0.1 ip 2001:db8::1
b=$(counters vif1)
send_expect "new MAC in the binding: the VM's real MAC is now a spoof" drop vm1:eth0 vm2:eth0 "$OWN_IP4"
send_expect "new MAC in the binding: frames from it pass" arrive vm1:eth0 vm2:eth0 "$(udp4 1 2 src_mac=02:00:00:00:00:42)"
expect_counters "new MAC in the binding: counted" "$b" "$(counters vif1)" mac_spoof=1
bind 1

# --- seq ---
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 2001:db8::1 seq 10
expect_eq "seq 10 in force" 10 "$(jsq 'P[0]["seq"]' -j port show vif1)"
expect_refused -m 'not newer than the seq in force' "seq 10 again: refused" port set vif1 mac "$(vm_mac 1)" ip 10.0.0.9 seq 10
expect_refused -m 'not newer than the seq in force' "seq 9: refused" port set vif1 mac "$(vm_mac 1)" ip 10.0.0.9 seq 9
expect_eq "refused seq: binding unchanged" "10 10.0.0.1 2001:db8::1" \
	"$(jsq '" ".join([str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"
check "seq 11: accepted" ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 10.0.0.9 ip 2001:db8::1 seq 11
check "no seq: accepted" ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 10.0.0.8 ip 2001:db8::1
expect_eq "no seq: seq 11 kept, addresses replaced" "11 10.0.0.1 10.0.0.8 2001:db8::1" \
	"$(jsq '" ".join([str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"

# --- port addr add|del ---
bind 1
b=$(counters vif1)
send_expect "before addr add: 10.0.0.31 dropped" drop vm1:eth0 vm2:eth0 "$ADDED"
check "addr add 10.0.0.31" ctl port addr add vif1 10.0.0.31
check "addr add 2001:db8:31::/48" ctl port addr add vif1 2001:db8:31::/48
send_expect "after addr add: 10.0.0.31 passes" arrive vm1:eth0 vm2:eth0 "$ADDED"
send_expect "after addr add: 2001:db8:31:5::1 passes" arrive vm1:eth0 vm2:eth0 "$(udp6 1 2 src_ip=2001:db8:31:5::1)"
send_expect "after addr add: own address still passes" arrive vm1:eth0 vm2:eth0 "$(udp4 1 2)"
expect_refused -m 'already bound to this port' "addr add of a bound address: refused" port addr add vif1 10.0.0.31
check "addr del 10.0.0.31" ctl port addr del vif1 10.0.0.31
expect_refused -m 'not bound to this port' "addr del of an unbound address: refused" port addr del vif1 10.0.0.31
send_expect "after addr del: 10.0.0.31 dropped" drop vm1:eth0 vm2:eth0 "$ADDED"
expect_counters "addr add/del: drops counted" "$b" "$(counters vif1)" ip4_spoof=2
expect_eq "addr add/del: addresses" "10.0.0.1 2001:db8:31::/48 2001:db8::1" \
	"$(jsq '" ".join(sorted(P[0]["addrs"]))' -j port show vif1)"
expect_refused -m 'device is not bound' "addr add on an unbound device: refused" port addr add vif3 10.0.0.3

# --- stats reset ---
check "stats reset vif1" ctl stats reset vif1
c=$(counters vif1)
expect_eq "stats reset vif1: its drop counters are 0 (none listed here)" "" \
	"$(tr ' ' '\n' <<<"${c#passed=* }" | grep -v '=0$' || true)"
expect_eq "stats reset vif1: every reason listed" \
	"dropped arp_spoof bpdu broadcast csum_offload dhcp6_server dhcp_server dhcp_snoop dhcp_spoof ethertype ip4_spoof ip6_spoof mac_spoof malformed multicast nd_spoof not_for_port redirect router_advert unbound vlan" \
	"$(tr ' ' '\n' <<<"${c#passed=* }" | cut -d= -f1 | tr '\n' ' ' | sed 's/ $//')"
send_expect "after reset: forged IPv4 dropped" drop vm1:eth0 vm2:eth0 "$FORGED_IP4"
expect_eq "after reset: counting again" 1 "$(jsq 'P[0]["drops"]["ip4_spoof"]' -j stats vif1)"
check "stats reset (all)" ctl stats reset
expect_eq "stats reset: namespace totals are 0" 0 "$(jsq 'd["total"]["dropped"]' -j stats)"

# --- -n NETNS: vmfencectl acts in another namespace, as "ip -n" does ---
# ctlns has a device named like one of host's (vif1) and one of its own
# (d9): the names given with -n are looked up there, the bindings made and
# shown are its own, and host's are not touched.
$IP netns add ctlns
$IP -n ctlns link add vif1 type dummy
$IP -n ctlns link add d9 type dummy
port_snapshot "$TESTTMP/host.ports"
check "-n ctlns: port set vif1 (ctlns's vif1)" ctl -n ctlns port set vif1 mac 02:00:00:00:00:77 ip 10.7.7.7 label in-ctlns
check "-n ctlns: port set d9 (a device only ctlns has)" ctl -n ctlns port set d9 mac 02:00:00:00:00:78
expect_eq "-n ctlns: port show lists ctlns's bindings" "d9 vif1" \
	"$(jsq '" ".join(sorted(p["ifname"] for p in P))' -n ctlns -j port show)"
expect_eq "-n ctlns: its vif1 is bound as set there" "02:00:00:00:00:77 in-ctlns 10.7.7.7" \
	"$(jsq '" ".join([P[0]["mac"], P[0]["label"]] + P[0]["addrs"])' -n ctlns -j port show vif1)"
expect_eq "--netns=/run/netns/ctlns (a path): the same bindings" "d9 vif1" \
	"$(jsq '" ".join(sorted(p["ifname"] for p in P))' --netns=/run/netns/ctlns -j port show)"
expect_eq "-n ctlns: stats lists ctlns's ports" "d9 vif1" \
	"$(jsq '" ".join(sorted(p["ifname"] for p in P))' -j -n ctlns stats)"
expect_eq "port show without -n (in host) lists host's bindings only" "vif1 vif2" \
	"$(jsq '" ".join(sorted(p["ifname"] for p in P))' -j port show)"
expect_ports "host's bindings untouched by -n ctlns" "$TESTTMP/host.ports"
expect_refused -m 'no such device' "-n ctlns: vif3, a device of host only, is not found there" \
	-n ctlns port set vif3 mac "$(vm_mac 3)"
check "-n ctlns: port del d9" ctl -n ctlns port del d9
expect_eq "-n ctlns: d9's binding gone, vif1's kept" "vif1" \
	"$(jsq '" ".join(sorted(p["ifname"] for p in P))' -n ctlns -j port show)"
