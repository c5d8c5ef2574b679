#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# ARP from an enforce port (arp_spoof).  vm1 is the attacker, vm2 the
# victim, vm3 the gateway (a trusted port once bound).  The attacks poison
# vm2's neighbour entry for the gateway: a forged ARP reply, a gratuitous
# ARP for the gateway's address (crafted, and from busybox arping), a
# forged request that names the gateway as its sender.  Without a binding
# each one rewrites vm2's entry (checked with "ip neigh" after the 1 s
# locktime, so that a refusal is not the kernel's own); bound, each is
# dropped at vm1's port, counted under arp_spoof, and vm2's entry keeps
# the gateway's MAC.  Then the rest of the ARP rules, and what must keep
# working: ARP probes, gratuitous ARP for one's own address, resolution.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
IP1=$(vm_ip4 1)
IP2=$(vm_ip4 2)
GW=$(vm_ip4 3)
BCAST=ff:ff:ff:ff:ff:ff

# Forged: "the gateway is at vm1's MAC".
FORGED_REPLY="arp op=reply src_mac=$M1 dst_mac=$M2 sha=$M1 spa=$GW tha=$M2 tpa=$IP2"
GARP_GW="arp op=request src_mac=$M1 dst_mac=$BCAST sha=$M1 spa=$GW tpa=$GW"
FORGED_REQUEST="arp op=request src_mac=$M1 dst_mac=$BCAST sha=$M1 spa=$GW tpa=$IP2"

# gw_entry: vm2's neighbour entry for the gateway, fresh from the gateway
# itself, then older than the locktime (1 s), so that an ARP packet may
# override it.
gw_entry() {
	$IP -n vm2 neigh replace "$GW" lladdr "$M3" dev eth0 nud reachable
	sleep 1.2
}

# The other ARP rules: frames that must reach their receiver without
# vmfence and be dropped with it.
A="arp src_mac=$M1"
attack "gratuitous ARP for vm2's address" vif1 arp_spoof vm1:eth0 vm3:eth0 \
	"$A dst_mac=$BCAST op=request spa=$IP2 tpa=$IP2"
attack "ARP reply, own address, sender MAC not the frame's" vif1 arp_spoof vm1:eth0 vm2:eth0 \
	"$A dst_mac=$M2 op=reply sha=02:00:00:00:00:99 spa=$IP1 tpa=$IP2"
attack "ARP reply, own address and MAC, frame from another MAC" vif1 mac_spoof vm1:eth0 vm2:eth0 \
	"arp src_mac=02:00:00:00:00:99 dst_mac=$M2 op=reply sha=$M1 spa=$IP1 tpa=$IP2"
attack "ARP reply from 0.0.0.0" vif1 arp_spoof vm1:eth0 vm2:eth0 \
	"$A dst_mac=$M2 op=reply spa=0.0.0.0 tpa=$IP2"
attack "ARP probe (0.0.0.0), sender MAC not its own" vif1 arp_spoof vm1:eth0 vm3:eth0 \
	"$A op=request sha=02:00:00:00:00:99 spa=0.0.0.0 tpa=10.0.0.77"
attack "ARP from an address not bound (10.0.0.77)" vif1 arp_spoof vm1:eth0 vm3:eth0 \
	"$A op=request spa=10.0.0.77 tpa=$GW"
for bad in "hrd=6:hardware type 6 (IEEE 802)" "pro=0x86dd:protocol 0x86dd" \
	   "hln=8:hardware length 8" "pln=16:protocol length 16" \
	   "op=3:opcode 3 (RARP request)" "op=8:opcode 8 (InARP request)"; do
	attack "ARP with ${bad#*:}" vif1 arp_spoof vm1:eth0 vm3:eth0 \
		"$A dst_mac=$BCAST op=request spa=$IP1 tpa=$GW ${bad%%:*}"
done
attack "ARP cut after 27 bytes" vif1 malformed vm1:eth0 vm3:eth0 \
	"$A op=request spa=$IP1 tpa=$GW truncate=41"
# Dropped further down, with 10.0.0.64/28 bound: the address just past it.
PAST_PREFIX="$A op=request spa=10.0.0.80 tpa=$GW"

# --- without vmfence: each attack poisons vm2's cache ---
check "vm2 resolves the gateway" n2 ping -c 1 -W 5 "$GW"
# The gateway knows vm2 for good: it will not probe vm2 (which would put
# vm2's entry right again, in the middle of a test).
$IP -n vm3 neigh replace "$IP2" lladdr "$M2" dev eth0 nud permanent
expect_eq "vm2's entry for the gateway: the gateway's MAC" "$M3" "$(neigh_mac vm2 "$GW")"
for a in FORGED_REPLY GARP_GW FORGED_REQUEST; do
	gw_entry
	send_expect "no binding: $a reaches vm2" arrive vm1:eth0 vm2:eth0 "${!a}"
	expect_eq "no binding: $a poisons vm2's entry for the gateway" "$M1" "$(neigh_mac vm2 "$GW")"
done
gw_entry
$IP netns exec vm1 sh -c 'echo 1 > /proc/sys/net/ipv4/ip_nonlocal_bind'
n1 busybox arping -U -c 1 -w 1 -s "$GW" -I eth0 "$GW" >/dev/null 2>&1 || true
expect_eq "no binding: busybox arping -U -s GATEWAY poisons vm2's entry" "$M1" "$(neigh_mac vm2 "$GW")"
vt "unprotected: ARP request from 10.0.0.80 (just past 10.0.0.64/28)" - arrive vm1:eth0 vm3:eth0 "$PAST_PREFIX"
attacks_succeed
for k in 1 2; do $IP -n "vm$k" neigh flush dev eth0; done

bind 1
bind 2
bind 3 mode trusted

# --- bound: the same attacks ---
gw_entry
vt "forged ARP reply: the gateway is at vm1's MAC" vif1 drop vm1:eth0 vm2:eth0 "$FORGED_REPLY" arp_spoof=1
vt "gratuitous ARP for the gateway's address" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 "$GARP_GW" arp_spoof=1
vt "forged ARP request from the gateway's address" vif1 drop vm1:eth0 vm2:eth0 "$FORGED_REQUEST" arp_spoof=1
vt_run
b=$(counters vif1)
watch_start vm2:eth0
n1 busybox arping -U -c 1 -w 1 -s "$GW" -I eth0 "$GW" >/dev/null 2>&1 || true
watch_check "busybox arping -U -s GATEWAY: nothing reaches vm2" vm2:eth0 "arp_spa=$GW" drop
expect_counters "busybox arping -U -s GATEWAY: vif1 arp_spoof" "$b" "$(counters vif1)" arp_spoof=+
expect_eq "after the attacks: vm2's entry for the gateway is still the gateway's MAC" "$M3" "$(neigh_mac vm2 "$GW")"
check "after the attacks: vm2 reaches the gateway" n2 ping -c 1 -W 5 "$GW"
attacks_fail

# --- what keeps working ---
vt "ARP probe from 0.0.0.0 (RFC 5227) for its own address" vif1 arrive vm1:eth0 vm3:eth0 \
	"$A op=request spa=0.0.0.0 tpa=$IP1" passed=1
vt "gratuitous ARP request for its own address" vif1 arrive vm1:eth0 vm3:eth0 \
	"$A dst_mac=$BCAST op=request spa=$IP1 tpa=$IP1" passed=1
vt "gratuitous ARP reply for its own address" vif1 arrive vm1:eth0 vm3:eth0 \
	"$A dst_mac=$BCAST op=reply spa=$IP1 tha=$BCAST tpa=$IP1" passed=1
vt "ARP request from its own address, for vm2" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$A op=request spa=$IP1 tpa=$IP2" passed=1
vt "ARP reply from its own address, to vm2" vif1 arrive vm1:eth0 vm2:eth0 \
	"$A dst_mac=$M2 op=reply spa=$IP1 tpa=$IP2" passed=1
vt_run
ctl port addr add vif1 10.0.0.64/28
vt "ARP request from an address inside a bound prefix (10.0.0.64/28)" vif1 arrive vm1:eth0 vm3:eth0 \
	"$A op=request spa=10.0.0.77 tpa=$GW" passed=1
vt "ARP request from just past the bound prefix" vif1 drop vm1:eth0 vm3:eth0 "$PAST_PREFIX" arp_spoof=1
vt_run
ctl port addr del vif1 10.0.0.64/28
# ... and the tools: busybox arping's duplicate address probe, for an
# address just bound to vm1 (as a DHCP client probes its lease), and its
# unsolicited announcement, for vm1's own address.
ctl port addr add vif1 10.0.0.77
b=$(counters vif1)
watch_start vm3:eth0
check "busybox arping -D (duplicate address detection) finds no duplicate" \
	n1 busybox arping -D -c 1 -w 2 -I eth0 10.0.0.77
watch_check "busybox arping -D: its probe from 0.0.0.0 reaches the gateway" vm3:eth0 \
	"arp_op=1 arp_spa=0.0.0.0 arp_tpa=10.0.0.77"
watch_start vm3:eth0
n1 busybox arping -U -c 1 -w 1 -I eth0 "$IP1" >/dev/null 2>&1 || true
watch_check "busybox arping -U (own address) reaches the gateway" vm3:eth0 \
	"arp_spa=$IP1 arp_tpa=$IP1 arp_sha=$M1"
expect_counters "busybox arping -D and -U: vif1 passed, nothing dropped" "$b" "$(counters vif1)" passed=+
ctl port addr del vif1 10.0.0.77
# ... and resolution by the kernels, both ways, from empty caches.
$IP -n vm3 neigh del "$IP2" dev eth0
for k in 1 2 3; do $IP -n "vm$k" neigh flush dev eth0; done
b=$(counters vif1)
check "vm1 -> vm2 ping, empty ARP caches" n1 ping -c 1 -W 5 "$IP2"
check "vm2 -> vm1 ping" n2 ping -c 1 -W 5 "$IP1"
check "vm1 -> gateway ping" n1 ping -c 1 -W 5 "$GW"
check "gateway -> vm1 ping" n3 ping -c 1 -W 5 "$IP1"
expect_counters "ARP resolution and pings: vif1 passed, nothing dropped" "$b" "$(counters vif1)" passed=+
expect_eq "vm1 learnt vm2's MAC" "$M2" "$(neigh_mac vm1 "$IP2")"
expect_eq "vm2 learnt vm1's MAC" "$M1" "$(neigh_mac vm2 "$IP1")"
expect_eq "vm1 learnt the gateway's MAC" "$M3" "$(neigh_mac vm1 "$GW")"
