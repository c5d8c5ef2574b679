#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# A VM that forges its source MAC, IPv4 or IPv6 address, or sends truncated
# headers: without a binding every such frame reaches the other VM (so the
# test can fail); bound, none does and the right drop counter moves.
# Secondary addresses and routed prefixes in the binding pass.  The
# receiver vm2 is bound too, with the (sink) addresses the crafted frames
# are sent to, so that what is judged here is vm1's sending.
. "$(dirname "$0")/../lib.sh"

topo_up 2

# spoof NAME REASON FRAME: from vm1, must not reach vm2; REASON moves by 1
# (read right around the frame); a line of the table that vt_run judges.
# Each FRAME is also in the list sent before anything is bound, below.
spoof() {
	vt "$1" vif1 drop vm1:eth0 vm2:eth0 "$3" "$2=1"
}

# legit NAME FRAME: from vm1, must reach vm2; nothing dropped.
legit() {
	local b
	b=$(counters vif1)
	send_expect "$1: received" arrive vm1:eth0 vm2:eth0 "$2"
	expect_counters "$1: passed, nothing dropped" "$b" "$(counters vif1)" passed=+
}

FORGED_MAC4=$(udp4 1 2 src_mac=02:00:00:00:00:99)
FORGED_MAC6=$(udp6 1 2 src_mac=02:00:00:00:00:99)
FORGED_IP4=$(udp4 1 2 src_ip=10.0.0.99)
FORGED_IP4_VM2=$(icmp4 1 2 src_ip=10.0.0.2)
FORGED_IP6=$(udp6 1 2 src_ip=2001:db8::99)
FORGED_IP6_VM2=$(icmp6 1 2 src_ip=2001:db8::2)
SHORT_IP4=$(udp4 1 2 truncate=24)	# 10 bytes of IPv4 header
SHORT_IP6=$(udp6 1 2 truncate=40)	# 26 bytes of IPv6 header
LONG_IP4=$(udp4 1 2 tot_len=1400)	# says more than the frame has
NONIP="eth src_mac=$(vm_mac 1) dst_mac=$(vm_mac 2) ethertype=0x88b5"
FORGED_MAC_NONIP="eth src_mac=02:00:00:00:00:99 dst_mac=$(vm_mac 2) ethertype=0x88b5"
# Just outside the prefixes bound further down (10.1.0.0/24, 2001:db8:1::/64).
PAST_IP4=$(udp4 1 2 src_ip=10.1.1.0)
BEFORE_IP4=$(udp4 1 2 src_ip=10.0.255.255)
PAST_IP6=$(udp6 1 2 src_ip=2001:db8:1:1::)

for f in FORGED_MAC4 FORGED_MAC6 FORGED_IP4 FORGED_IP4_VM2 FORGED_IP6 FORGED_IP6_VM2 SHORT_IP4 SHORT_IP6 LONG_IP4 \
	 NONIP FORGED_MAC_NONIP PAST_IP4 BEFORE_IP4 PAST_IP6; do
	vt "no binding: $f" - arrive vm1:eth0 vm2:eth0 "${!f}"
done
vt_run

bind 1
bind_rx 2

legit "own MAC and IPv4" "$(udp4 1 2)"
legit "own MAC and IPv6" "$(udp6 1 2)"
# Only IPv4, ARP and IPv6 leave a VM (allow-ethertype for
# more: 25-vlan-ethertype.sh).
spoof "own MAC, non-IP ethertype" ethertype "$NONIP"
spoof "forged source MAC, IPv4" mac_spoof "$FORGED_MAC4"
spoof "forged source MAC, IPv6" mac_spoof "$FORGED_MAC6"
spoof "forged source MAC, non-IP" mac_spoof "$FORGED_MAC_NONIP"
spoof "forged IPv4 source" ip4_spoof "$FORGED_IP4"
spoof "forged IPv4 source (vm2's own), ICMP" ip4_spoof "$FORGED_IP4_VM2"
spoof "forged IPv6 source" ip6_spoof "$FORGED_IP6"
spoof "forged IPv6 source (vm2's own), ICMPv6" ip6_spoof "$FORGED_IP6_VM2"
spoof "truncated IPv4 header" malformed "$SHORT_IP4"
spoof "truncated IPv6 header" malformed "$SHORT_IP6"
spoof "IPv4 total length beyond the frame" malformed "$LONG_IP4"
vt_run

# The kernel's own stack, forging: vm1 takes an address it is not bound to.
# Its ARP request for vm2 says it is 10.0.0.11: arp_spoof ...
$IP -n vm1 addr add 10.0.0.11/24 dev eth0
b=$(counters vif1)
expect_fail "vm1's stack pinging from an unbound address gets no answer" \
	n1 ping -c 1 -W 2 -I 10.0.0.11 "$(vm_ip4 2)"
expect_counters "unbound source address: its ARP request, arp_spoof moved" "$b" "$(counters vif1)" arp_spoof=+
# ... and with vm2's MAC known, the ICMP echo itself: ip4_spoof.
$IP -n vm1 neigh replace "$(vm_ip4 2)" lladdr "$(vm_mac 2)" dev eth0 nud permanent
b=$(counters vif1)
expect_fail "vm1's stack pinging from an unbound address, vm2's MAC known: no answer" \
	n1 ping -c 1 -W 2 -I 10.0.0.11 "$(vm_ip4 2)"
expect_counters "unbound source address: ip4_spoof moved" "$b" "$(counters vif1)" ip4_spoof=+
$IP -n vm1 neigh del "$(vm_ip4 2)" dev eth0

# Secondary addresses and routed prefixes.
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 10.0.0.11 ip 10.1.0.0/24 \
	ip 2001:db8::1 ip 2001:db8::11 ip 2001:db8:1::/64
expect_eq "binding lists the secondary addresses and prefixes" \
	"10.0.0.1 10.0.0.11 10.1.0.0/24 2001:db8:1::/64 2001:db8::1 2001:db8::11" \
	"$(jsq '" ".join(sorted(P[0]["addrs"]))' -j port show vif1)"
legit "secondary IPv4 address" "$(udp4 1 2 src_ip=10.0.0.11)"
legit "first address of the bound IPv4 prefix" "$(udp4 1 2 src_ip=10.1.0.0)"
legit "an address inside the bound IPv4 prefix" "$(udp4 1 2 src_ip=10.1.0.77)"
legit "last address of the bound IPv4 prefix" "$(udp4 1 2 src_ip=10.1.0.255)"
spoof "just past the bound IPv4 prefix" ip4_spoof "$PAST_IP4"
spoof "just before the bound IPv4 prefix" ip4_spoof "$BEFORE_IP4"
vt_run
legit "secondary IPv6 address" "$(udp6 1 2 src_ip=2001:db8::11)"
legit "an address inside the bound IPv6 prefix" "$(udp6 1 2 src_ip=2001:db8:1::abcd)"
legit "last address of the bound IPv6 prefix" "$(udp6 1 2 src_ip=2001:db8:1:0:ffff:ffff:ffff:ffff)"
spoof "just past the bound IPv6 prefix" ip6_spoof "$PAST_IP6"
spoof "an address the binding no longer has" ip6_spoof "$FORGED_IP6"
vt_run

# ... and through the kernels' stacks: vm1 routes the prefixes, vm2 routes
# them back through vm1.
$IP -n vm1 addr add 10.1.0.1/32 dev lo
$IP -n vm1 addr add 2001:db8:1::1/128 dev lo
$IP -n vm2 route add 10.1.0.0/24 via "$(vm_ip4 1)"
$IP -n vm2 -6 route add 2001:db8:1::/64 via "$(vm_ip6 1)"
check "ping from the secondary IPv4 address" n1 ping -c 1 -W 5 -I 10.0.0.11 "$(vm_ip4 2)"
check "ping from the routed IPv4 prefix" n1 ping -c 1 -W 5 -I 10.1.0.1 "$(vm_ip4 2)"
check "ping from the routed IPv6 prefix" n1 ping -c 1 -W 5 -I 2001:db8:1::1 "$(vm_ip6 2)"
