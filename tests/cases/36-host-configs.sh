#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The core attacks on the shapes of host that clouds run, each first sent
# unprotected (they arrive), then protected (dropped, counted), with the
# VMs' own traffic flowing:
#  - taps, as QEMU and libvirt make them: the attacker and a victim are
#    VMs behind taps (tap:host:tN, IFF_VNET_HDR), another victim a veth;
#  - a VLAN-filtering bridge with ports on two VLANs;
#  - br_netfilter loaded, bridge-nf-call-iptables/ip6tables on, and an
#    iptables ruleset on the bridged traffic (CloudStack's hosts);
#  - multicast snooping on, with a querier.
. "$(dirname "$0")/../lib.sh"

cleanup() {
	topo_down
	rmmod br_netfilter 2>/dev/null
	return 0
}

# core_attacks FROM VIF MAC IP4 IP6 LL TO: the table, from the VM at FROM
# (port VIF; its MAC and addresses) to the receivers TO (one or more
# endpoints; the first one's MAC and addresses are vm2's).
core_attacks() {
	local from=$1 vif=$2 m=$3 ip4=$4 ip6=$5 ll=$6 to=$7
	local m2 ip42 ip62
	m2=$(vm_mac 2) ip42=$(sink_ip4 2) ip62=$(sink_ip6 2)
	attacks_clear
	attack "forged source MAC" "$vif" mac_spoof "$from" "$to" \
		"udp src_mac=02:00:00:00:00:66 dst_mac=ff:ff:ff:ff:ff:ff src_ip=$ip4 dst_ip=$ip42"
	attack "forged IPv4 source" "$vif" ip4_spoof "$from" "$to" \
		"udp src_mac=$m dst_mac=$m2 src_ip=10.0.0.99 dst_ip=$ip42"
	attack "forged IPv6 source" "$vif" ip6_spoof "$from" "$to" \
		"udp src_mac=$m dst_mac=$m2 src_ip=2001:db8::99 dst_ip=$ip62"
	attack "ARP reply claiming the router's address" "$vif" arp_spoof "$from" "$to" \
		"arp src_mac=$m dst_mac=$m2 op=reply spa=10.0.0.254 tpa=$(vm_ip4 2) tha=$m2"
	attack "NA for vm2's address" "$vif" nd_spoof "$from" "$to" \
		"na src_mac=$m src_ip=$ll dst_mac=$m2 dst_ip=$(vm_ll 2) target=$(vm_ip6 2) flags=O tll=$m"
	attack "router advertisement" "$vif" router_advert "$from" "$to" \
		"ra src_mac=$m src_ip=$ll prefix=2001:db8:bad::/64"
	attack "DHCP offer" "$vif" dhcp_server "$from" "$to" \
		"dhcp4 msg=offer src_mac=$m src_ip=$ip4 dst_mac=$m2 dst_ip=$ip42 yiaddr=10.0.0.77"
}
legit() {	# legit FROM VIF MAC IP4 IP6 TO: the VM's own frames arrive
	local from=$1 vif=$2 m=$3 ip4=$4 ip6=$5 to=$6
	vt "$7: own UDP over IPv4" "$vif" arrive "$from" "$to" \
		"udp src_mac=$m dst_mac=$(vm_mac 2) src_ip=$ip4 dst_ip=$(sink_ip4 2)" passed=1
	vt "$7: own UDP over IPv6" "$vif" arrive "$from" "$to" \
		"udp src_mac=$m dst_mac=$(vm_mac 2) src_ip=$ip6 dst_ip=$(sink_ip6 2)" passed=1
	vt_run
}

# --- taps ---
topo_up 2
T3M=02:00:00:00:00:33
tap_add t3
tap_add t4
pkt tap-open --tap host:t3
pkt tap-open --tap host:t4
for i in $(seq 1 50); do
	[ "$(bridge -n host link show dev t3 | grep -c forwarding)$(bridge -n host link show dev t4 | grep -c forwarding)" = 11 ] && break
	sleep 0.2
done
core_attacks tap:host:t3 t3 "$T3M" 10.0.0.33 2001:db8::33 fe80::33 vm2:eth0
attacks_succeed
ctl port set t3 mac "$T3M" ip 10.0.0.33 ip 2001:db8::33 ip fe80::33
bind_rx 2
attacks_fail
legit tap:host:t3 t3 "$T3M" 10.0.0.33 2001:db8::33 vm2:eth0 "taps"
# Towards a VM behind a tap: another's unicast is not delivered.
ctl port set t4 mac 02:00:00:00:00:44 ip 10.0.0.44
vt "taps: vm2's frame to t4's VM, another address" t4 drop vm2:eth0 tap:host:t4 \
	"udp src_mac=$(vm_mac 2) dst_mac=02:00:00:00:00:44 src_ip=$(vm_ip4 2) dst_ip=10.0.0.45" not_for_port=1
vt "taps: vm2's frame to t4's VM and address" t4 arrive vm2:eth0 tap:host:t4 \
	"udp src_mac=$(vm_mac 2) dst_mac=02:00:00:00:00:44 src_ip=$(vm_ip4 2) dst_ip=10.0.0.44"
vt_run
topo_down

# --- a VLAN-filtering bridge: vif1, vif2 on VLAN 10, vif3 on VLAN 20 ---
topo_up 3
nh ip link set br0 type bridge vlan_filtering 1
for k in 1 2; do
	nh bridge vlan del dev "vif$k" vid 1
	nh bridge vlan add dev "vif$k" vid 10 pvid untagged
done
nh bridge vlan del dev vif3 vid 1
nh bridge vlan add dev vif3 vid 20 pvid untagged
wait_ll 1
core_attacks vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" "$(vm_ll 1)" vm2:eth0
attacks_succeed
bind 1
bind_rx 2
bind 3
attacks_fail
legit vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" vm2:eth0 "VLAN filtering"
check "VLAN filtering: vm1 -> vm2 ping (VLAN 10)" n1 ping -c 1 -W 5 "$(vm_ip4 2)"
vt "VLAN filtering: vm1 tags a frame for VLAN 20" vif1 drop vm1:eth0 vm3:eth0 \
	"udp vlan=20 src_mac=$(vm_mac 1) dst_mac=$(vm_mac 3) src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 3)" vlan=1
vt_run
topo_down

# --- br_netfilter and an iptables ruleset over the bridge ---
modprobe br_netfilter
topo_up 3
nsysctl host net.bridge.bridge-nf-call-iptables 1
nsysctl host net.bridge.bridge-nf-call-ip6tables 1
nh iptables -P FORWARD DROP
nh iptables -A FORWARD -m physdev --physdev-is-bridged -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
nh iptables -A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
nh ip6tables -A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
wait_ll 1
core_attacks vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" "$(vm_ll 1)" vm2:eth0
attacks_succeed
bind 1
bind_rx 2
bind 3 mode trusted
attacks_fail
legit vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" vm2:eth0 "br_netfilter"
check "br_netfilter: vm1 -> vm2 ping" n1 ping -c 1 -W 5 "$(vm_ip4 2)"
check "br_netfilter: the iptables FORWARD rules saw the bridged traffic" \
	bash -c "$IP netns exec host iptables -L FORWARD -v -x -n | awk '\$2 ~ /^[0-9]+\$/ && \$2 > 0' | grep -q ."
topo_down
rmmod br_netfilter 2>/dev/null || true

# --- multicast snooping on, a querier on the bridge ---
topo_up 3
nh ip link set br0 type bridge mcast_snooping 1 mcast_querier 1
wait_ll 1
wait_ll 2
core_attacks vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" "$(vm_ll 1)" vm2:eth0
attacks_succeed
bind 1
bind_rx 2
bind 3
attacks_fail
legit vm1:eth0 vif1 "$(vm_mac 1)" "$(vm_ip4 1)" "$(vm_ip6 1)" vm2:eth0 "snooping"
b=$(counters vif2)
watch_start vm3:eth0
$IP -n vm2 -6 addr add ff05::4242/128 dev eth0 autojoin nodad
watch_check "snooping: vm2's stack joins ff05::4242, its MLD report leaves" vm3:eth0 "eth_src=$(vm_mac 2) icmp_type=143"
check "snooping: the bridge learnt vm2's group" bash -c \
	"for i in \$(seq 1 30); do bridge -n host mdb show dev br0 | grep -q 'ff05::4242' && exit 0; sleep 0.2; done; exit 1"
check "snooping: vm1 -> vm2 ping, IPv6" n1 ping -c 1 -W 5 "$(vm_ip6 2)"
