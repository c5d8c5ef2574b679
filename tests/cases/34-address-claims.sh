#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Address claims.  vm1 is the attacker, vm2 and vm3 its neighbours, vm4
# the router (trusted).
#  - A duplicate address detection probe (NS from ::) for vm2's new
#    address makes vm2's DAD fail: dropped unless the target is vm1's own.
#  - An ARP probe (sender 0.0.0.0) for vm2's address makes a neighbour
#    doing RFC 5227 conflict detection give it up: the same.
#  - A port bound to a prefix (fe80::/64, as README advises for guests
#    with random link-local addresses; a delegated /64; a routed IPv4
#    prefix) must not claim an address another port holds exactly or
#    derives from its MAC: the more specific binding wins.
#  - Gratuitous ARP the other way: the router's announcement (VRRP,
#    keepalived taking over the gateway) reaches every VM; one from a
#    port nobody bound, or from a VM for another's address, does not.
. "$(dirname "$0")/../lib.sh"

topo_up 4
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
M4=$(vm_mac 4)
LL1=$(vm_ll 1)
LL3=$(vm_ll 3)
GW=$(vm_ip4 4)
for k in 1 2 3 4; do wait_ll "$k"; done

NEW2=2001:db8::2:2		# the address vm2 configures (with DAD)
dad_probe() {			# vm1's forged DAD probe for NEW2
	echo "ns src_mac=$M1 src_ip=:: target=$NEW2"
}
# vm2_dad: vm2 adds NEW2 (DAD: 3 probes, 1 s apart) while vm1 sends a
# forged probe for it every 0.3 s; prints wait_dad's status (0: the
# address is vm2's, 1: DAD failed).
vm2_dad() {
	local rc=0
	nsysctl vm2 net.ipv6.conf.eth0.dad_transmits 3
	$IP -n vm2 addr add "$NEW2/64" dev eth0
	pkt send --from vm1:eth0 --frame "$(dad_probe)" --count 8 --interval 0.3
	wait_dad vm2 "$NEW2" || rc=$?
	$IP -n vm2 addr del "$NEW2/64" dev eth0
	echo "$rc"
}

attack "DAD probe (NS from ::) for vm2's address" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"ns src_mac=$M1 src_ip=:: target=$(vm_ip6 2)"
attack "ARP probe (from 0.0.0.0) for vm2's address" vif1 arp_spoof vm1:eth0 vm2:eth0 \
	"arp src_mac=$M1 op=request spa=0.0.0.0 tpa=$(vm_ip4 2)"
attack "ARP probe for vm2's address, unicast to vm2" vif1 arp_spoof vm1:eth0 vm2:eth0 \
	"arp src_mac=$M1 dst_mac=$M2 op=request spa=0.0.0.0 tpa=$(vm_ip4 2)"
# Through a prefix (vm1 is bound to fe80::/64, 2001:db8::/64 and
# 10.0.0.0/24 below): vm3's EUI-64 link-local, vm2's and vm3's exact
# addresses.
attack "NA for vm3's link-local address, vm1 bound to fe80::/64" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=fe80::1:1 dst_mac=$M2 dst_ip=$(vm_ll 2) target=$LL3 flags=O tll=$M1"
attack "from vm3's link-local address, vm1 bound to fe80::/64" vif1 ip6_spoof vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=$LL3 dst_ip=$(vm_ll 2)"
attack "NA for vm3's address, vm1 bound to 2001:db8::/64" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=fe80::1:1 dst_mac=$M2 dst_ip=$(vm_ll 2) target=$(vm_ip6 3) flags=O tll=$M1"
attack "from vm3's address, vm1 bound to 2001:db8::/64" vif1 ip6_spoof vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip6 3) dst_ip=$(vm_ip6 2)"
attack "from vm3's IPv4 address, vm1 bound to 10.0.0.0/24" vif1 ip4_spoof vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip4 3) dst_ip=$(vm_ip4 2)"
attack "ARP reply for vm3's address, vm1 bound to 10.0.0.0/24" vif1 arp_spoof vm1:eth0 vm2:eth0 \
	"arp src_mac=$M1 dst_mac=$M2 op=reply spa=$(vm_ip4 3) tpa=$(vm_ip4 2) tha=$M2"

# --- unprotected ---
attacks_succeed
expect_eq "unprotected: vm1's DAD probes for vm2's new address make vm2's DAD fail" 1 "$(vm2_dad)"
# vm1's NA for vm3's link-local address poisons vm2's neighbour entry.
n2 ping -c 1 -W 5 "$LL3%eth0" >/dev/null
sleep 1.2	# past locktime: Linux ignores an override sooner
pkt send --from vm1:eth0 --frame "na src_mac=$M1 src_ip=fe80::1:1 dst_mac=$M2 dst_ip=$(vm_ll 2) target=$LL3 flags=O tll=$M1"
expect_eq "unprotected: vm2's neighbour entry for vm3's link-local address points to vm1" \
	"$M1" "$(neigh_mac vm2 "$LL3")"
$IP -n vm2 -6 neigh flush dev eth0

# --- protected ---
ctl port set vif1 mac "$M1" ip "$(vm_ip4 1)" ip "$(vm_ip6 1)" ip fe80::/64 ip 2001:db8::/64 ip 10.0.0.0/24
bind 2 ip "$NEW2"
bind 3
bind 4 mode trusted
attacks_fail
b=$(counters vif1)
expect_eq "vm1's DAD probes for vm2's new address: vm2's DAD succeeds" 0 "$(vm2_dad)"
expect_counters "vm1's DAD probes: vif1 nd_spoof" "$b" "$(counters vif1)" nd_spoof=+
n2 ping -c 1 -W 5 "$LL3%eth0" >/dev/null
sleep 1.2
pkt send --from vm1:eth0 --frame "na src_mac=$M1 src_ip=fe80::1:1 dst_mac=$M2 dst_ip=$(vm_ll 2) target=$LL3 flags=O tll=$M1"
expect_eq "vm2's neighbour entry for vm3's link-local address is still vm3's" \
	"$M3" "$(neigh_mac vm2 "$LL3")"

# --- what keeps working ---
# vm1's own DAD and probes; the rest of its prefixes.
vt "DAD probe for an address of vm1's bound prefix" vif1 arrive vm1:eth0 vm2:eth0 \
	"ns src_mac=$M1 src_ip=:: target=2001:db8::1:99" passed=1
vt "ARP probe for vm1's own address (to the router)" vif1 arrive vm1:eth0 vm4:eth0 \
	"arp src_mac=$M1 op=request spa=0.0.0.0 tpa=$(vm_ip4 1)" passed=1
vt "ARP probe for an address of vm1's bound prefix nobody holds" vif1 arrive vm1:eth0 vm4:eth0 \
	"arp src_mac=$M1 op=request spa=0.0.0.0 tpa=10.0.0.77" passed=1
vt "from a random link-local address of vm1's fe80::/64" vif1 arrive vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=fe80::1:1 dst_ip=$(vm_ll 2)" passed=1
vt "NA for a random link-local address of vm1's fe80::/64" vif1 arrive vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=fe80::1:1 dst_mac=$M2 dst_ip=$(vm_ll 2) target=fe80::1:1 flags=O tll=$M1" passed=1
vt "from an address of 2001:db8::/64 nobody holds" vif1 arrive vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=2001:db8::1:99 dst_ip=$(vm_ip6 2)" passed=1
vt "from an address of 10.0.0.0/24 nobody holds" vif1 arrive vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=10.0.0.77 dst_ip=$(vm_ip4 2)" passed=1
vt_run
# Two ports bound to one address exactly (a VRRP pair) both own it.
ctl port addr add vif3 10.0.0.200
ctl port addr add vif2 10.0.0.200
vt "from an address vm2 and vm3 both hold exactly, by vm2" vif2 arrive vm2:eth0 vm3:eth0 \
	"udp src_mac=$M2 dst_mac=$M3 src_ip=10.0.0.200 dst_ip=$(vm_ip4 3)" passed=+
vt "... but not by vm1 through 10.0.0.0/24" vif1 drop vm1:eth0 vm3:eth0 \
	"udp src_mac=$M1 dst_mac=$M3 src_ip=10.0.0.200 dst_ip=$(vm_ip4 3)" ip4_spoof=1
vt_run
# vm3's exact binding gone: the address is vm1's prefix's again.
ctl port addr del vif3 10.0.0.200
ctl port addr del vif2 10.0.0.200
vt "once nobody holds it exactly, vm1's prefix covers it again" vif1 arrive vm1:eth0 vm3:eth0 \
	"udp src_mac=$M1 dst_mac=$M3 src_ip=10.0.0.200 dst_ip=$(vm_ip4 3)" passed=1
vt_run
# vm3 unbound: its link-local address is nobody's exactly any more.
ctl port del vif3
vt "vm3 unbound: its link-local address is inside vm1's fe80::/64 again" vif1 arrive vm1:eth0 vm2:eth0 \
	"udp src_mac=$M1 dst_mac=$M2 src_ip=$LL3 dst_ip=$(vm_ll 2)" passed=1
vt_run
bind 3
# The kernels' own DAD, for an address vm1 is bound to.
$IP -n vm1 addr add 2001:db8::1:1/64 dev eth0
check "vm1's own new address passes DAD" wait_dad vm1 2001:db8::1:1
check "vm2 -> vm1's new address ping" n2 ping -c 1 -W 5 2001:db8::1:1
check "vm1 -> vm3 ping, link-local" n1 ping -c 1 -W 5 "$LL3%eth0"

# --- gratuitous ARP towards VMs ---
NEWGW_MAC=02:00:00:00:04:99
GARP="arp src_mac=$M4 op=request sha=$NEWGW_MAC spa=$GW tpa=$GW"
n2 ping -c 1 -W 5 "$GW" >/dev/null
sleep 1.2
vt "the router's gratuitous ARP (the gateway address moving to another MAC)" - arrive \
	vm4:eth0 vm1:eth0,vm2:eth0,vm3:eth0 "$GARP"
vt_run
expect_eq "vm2's entry for the gateway follows the announcement" "$NEWGW_MAC" "$(neigh_mac vm2 "$GW")"
vt "vm1's gratuitous ARP for its own address" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"arp src_mac=$M1 op=request spa=$(vm_ip4 1) tpa=$(vm_ip4 1)" passed=1
vt "vm1's gratuitous ARP for the gateway's address" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 \
	"arp src_mac=$M1 op=request spa=$GW tpa=$GW" arp_spoof=1
vt_run
ctl port del vif4
b2=$(counters vif2)
vt "a gratuitous ARP from a port nobody bound" - drop vm4:eth0 vm2:eth0 \
	"arp src_mac=$M4 op=request spa=$GW tpa=$GW"
vt_run
expect_counters "... counted at vm2's port: not_for_port +1" "$b2" "$(counters vif2)" not_for_port=1
