#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# DHCP starvation and multicast roles.  vm1 is the attacker, vm2 another
# VM, vm3 the network's DHCP server (busybox udhcpd, trusted).
#  - DISCOVERs under made-up hardware addresses (chaddr) exhaust the
#    server's pool: a DHCP client message must carry the bound MAC
#    (dhcp_spoof); a real client's lease and renewal keep working.
#  - A VM sending MLD or IGMP queries becomes the querier of a snooping
#    bridge, its port a multicast router port that every group floods to:
#    queries need "multicast allow".
#  - ICMPv4 router advertisements (router discovery): router_advert.
#  - Under "multicast deny", the ND, MLD and DHCPv6 exemptions hold only
#    for the groups each needs; ARP and allowed ethertypes to a group MAC
#    are multicast.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
LL1=$(vm_ll 1)
LL2=$(vm_ll 2)
for k in 1 2 3; do wait_ll "$k"; done

# --- DHCP starvation ---
cat >"$TESTTMP/udhcpd.conf" <<EOF
start 10.0.0.100
end 10.0.0.102
interface eth0
lease_file $TESTTMP/udhcpd.leases
offer_time 300
static_lease $M1 $(vm_ip4 1)
option subnet 255.255.255.0
option router $(vm_ip4 3)
EOF
touch "$TESTTMP/udhcpd.leases"
n3 busybox udhcpd -f "$TESTTMP/udhcpd.conf" >"$TESTTMP/udhcpd.log" 2>&1 &
UDHCPD=$!
sleep 0.5
restart_udhcpd() {	# a fresh pool
	kill "$UDHCPD" 2>/dev/null || true
	wait "$UDHCPD" 2>/dev/null || true
	: >"$TESTTMP/udhcpd.leases"
	n3 busybox udhcpd -f "$TESTTMP/udhcpd.conf" >"$TESTTMP/udhcpd.log" 2>&1 &
	UDHCPD=$!
	sleep 0.5
}
# vm2_lease: what vm2's DHCP client (broadcast replies asked: -B) gets.
vm2_lease() {
	n2 busybox udhcpc -B -i eth0 -n -q -t 3 -T 1 -s /bin/true 2>&1 |
		grep -o 'lease of [0-9.]* obtained' || echo "no lease"
}
starve() {	# 3 DISCOVERs under made-up chaddrs, one per pool address
	local i
	for i in 1 2 3; do
		pkt send --from vm1:eth0 --frame "dhcp4 msg=discover src_mac=$M1 chaddr=02:00:00:00:aa:0$i"
	done
	sleep 0.5
}

attack "DHCP DISCOVER with a made-up chaddr" vif1 dhcp_spoof vm1:eth0 vm3:eth0 \
	"dhcp4 msg=discover src_mac=$M1 chaddr=02:00:00:00:aa:99"
attack "DHCP REQUEST from its own address, made-up chaddr" vif1 dhcp_spoof vm1:eth0 vm3:eth0 \
	"dhcp4 msg=request src_mac=$M1 src_ip=$(vm_ip4 1) chaddr=02:00:00:00:aa:98"
attack "a DHCP client message cut before chaddr" vif1 dhcp_spoof vm1:eth0 vm3:eth0 \
	"udp src_mac=$M1 dst_mac=ff:ff:ff:ff:ff:ff src_ip=0.0.0.0 dst_ip=255.255.255.255 sport=68 dport=67 payload=hex:0101060000000001 nonce=0"
attacks_succeed
starve
expect_eq "unprotected: after vm1's DISCOVERs under made-up chaddrs, vm2 gets no lease" \
	"no lease" "$(vm2_lease)"
restart_udhcpd

bind 1
bind 2 ip 10.0.0.96/28
bind 3 mode trusted
attacks_fail
b=$(counters vif1)
starve
expect_counters "vm1's DISCOVERs under made-up chaddrs: vif1 dhcp_spoof +3" "$b" "$(counters vif1)" dhcp_spoof=3
b=$(counters vif2)
lease=$(vm2_lease)
check "vm2 gets a lease from the pool ($lease)" grep -q "lease of 10.0.0.10[0-2] obtained" <<<"$lease"
expect_counters "vm2's DHCP exchange: nothing dropped" "$b" "$(counters vif2)" passed=+
b=$(counters vif1)
out=$(n1 busybox udhcpc -i eth0 -n -q -t 3 -T 1 -s /bin/true 2>&1 || true)
check "vm1's own DHCP client gets its lease ($(grep -o 'lease of [0-9.]* obtained' <<<"$out"))" \
	grep -q "lease of $(vm_ip4 1) obtained" <<<"$out"
# A renewal: REQUEST from the leased address, unicast to the server.
watch_start vm1:eth0
vt "vm1's renewal (REQUEST from its address, unicast to the server)" vif1 arrive vm1:eth0 vm3:eth0 \
	"dhcp4 msg=request src_mac=$M1 dst_mac=$M3 src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 3) ciaddr=$(vm_ip4 1)" passed=1
vt_run
watch_check "... the server acknowledges it" vm1:eth0 "dhcp_type=ack"
expect_counters "vm1's lease and renewal: nothing dropped" "$b" "$(counters vif1)" passed=+
kill "$UDHCPD" 2>/dev/null || true
ctl port del vif1
ctl port del vif2
ctl port del vif3
attacks_clear

# --- multicast roles: queriers ---
nh ip link set br0 type bridge mcast_snooping 1
router_ports() { nh bridge -d mdb show dev br0 | grep -o 'router ports.*' | tr '\n' ' ' || true; }
MLD_QUERY="icmp6 type=130 src_mac=$M1 src_ip=$LL1 dst_ip=ff02::1 hlim=1 ext=hbh-ra id=10000 seq=0 nonce=0 payload=hex:00000000000000000000000000000000"
IGMP_QUERY="ip4 src_mac=$M1 src_ip=$(vm_ip4 1) dst_ip=224.0.0.1 proto=2 ttl=1 payload=hex:1164ee9b00000000"
pkt send --from vm1:eth0 --frame "$MLD_QUERY"
pkt send --from vm1:eth0 --frame "$IGMP_QUERY"
sleep 0.5
check "unprotected: vm1's MLD and IGMP queries make vif1 a multicast router port ($(router_ports))" \
	grep -q vif1 <<<"$(router_ports)"
# The port forgets it when it leaves and joins the bridge again.
nh ip link set vif1 nomaster
nh ip link set vif1 master br0
expect_eq "vif1 is no router port any more" "" "$(router_ports | grep -o vif1 || true)"
bind 1
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "$MLD_QUERY"
pkt send --from vm1:eth0 --frame "$IGMP_QUERY"
pkt send --from vm1:eth0 --frame "$IGMP_QUERY dst_mac=$M2 dst_ip=$(vm_ip4 2)"
sleep 0.5
expect_eq "bound: vm1's queries do not make vif1 a router port" "" "$(router_ports | grep -o vif1 || true)"
expect_counters "bound: vm1's MLD and IGMP queries (one to a unicast address): vif1 multicast +3" \
	"$b" "$(counters vif1)" multicast=3
bind 1 multicast allow
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "$MLD_QUERY"
expect_counters "with multicast allow, vm1 may query" "$b" "$(counters vif1)" passed=1
nh ip link set br0 type bridge mcast_snooping 0
ctl port del vif1

# --- ICMPv4 router advertisement, and the groups under multicast deny ---
# The MLDv1 report for ff05::1234 (max delay 0, reserved, group).
MLD1_REPORT="icmp6 type=131 src_mac=$M1 src_ip=$LL1 hlim=1 ext=hbh-ra id=0 seq=0 nonce=0 payload=hex:ff050000000000000000000000001234"
attack "ICMPv4 router advertisement (type 9)" vif1 router_advert vm1:eth0 vm2:eth0 \
	"icmp type=9 src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 2)"
attack "ICMPv4 router advertisement to all hosts" vif1 router_advert vm1:eth0 vm2:eth0 \
	"icmp type=9 src_mac=$M1 src_ip=$(vm_ip4 1) dst_ip=224.0.0.1"
attack "Neighbor Solicitation to ff02::1234" vif1 multicast vm1:eth0 vm2:eth0 \
	"ns src_mac=$M1 src_ip=$LL1 target=$LL2 dst_ip=ff02::1234"
attack "Neighbor Advertisement to a global group" vif1 multicast vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=$LL1 target=$LL1 dst_ip=ff0e::1 tll=$M1"
attack "MLDv2 report to ff0e::1" vif1 multicast vm1:eth0 vm2:eth0 \
	"mld2 src_mac=$M1 src_ip=$LL1 dst_ip=ff0e::1 groups=ff05::1234"
attack "MLDv1 report for ff05::1234 sent to ff05::5678" vif1 multicast vm1:eth0 vm2:eth0 \
	"$MLD1_REPORT dst_ip=ff05::5678"
attack "MLDv1 done to all nodes" vif1 multicast vm1:eth0 vm2:eth0 \
	"icmp6 type=132 src_mac=$M1 src_ip=$LL1 dst_ip=ff02::1 hlim=1 ext=hbh-ra id=0 seq=0 nonce=0 payload=hex:ff050000000000000000000000001234"
attack "DHCPv6 SOLICIT to ff0e::1:2" vif1 multicast vm1:eth0 vm2:eth0 \
	"dhcp6 msg=solicit src_mac=$M1 src_ip=$LL1 dst_ip=ff0e::1:2"
attack "ARP request to an Ethernet group address" vif1 multicast vm1:eth0 vm2:eth0 \
	"arp src_mac=$M1 dst_mac=01:00:5e:00:00:01 op=request spa=$(vm_ip4 1) tpa=$(vm_ip4 2)"
attack "allowed ethertype 0x88b5 to an Ethernet group address" vif1 multicast vm1:eth0 vm2:eth0 \
	"eth src_mac=$M1 dst_mac=01:00:5e:00:00:01 ethertype=0x88b5 payload=hex:0011223344556677"
attacks_succeed
bind 1 allow-ethertype 0x88b5
bind_rx 2
attacks_fail
vt "NS to the solicited-node group" vif1 arrive vm1:eth0 vm2:eth0 \
	"ns src_mac=$M1 src_ip=$LL1 target=$LL2" passed=1
vt "NA to all nodes" vif1 arrive vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=$LL1 target=$LL1 flags=O tll=$M1" passed=1
vt "RS to all routers" vif1 arrive vm1:eth0 vm3:eth0 "rs src_mac=$M1 src_ip=$LL1" passed=1
vt "MLDv2 report to ff02::16" vif1 arrive vm1:eth0 vm3:eth0 \
	"mld2 src_mac=$M1 src_ip=$LL1 groups=ff05::1234" passed=1
vt "MLDv1 report for ff05::1234 to ff05::1234" vif1 arrive vm1:eth0 vm3:eth0 \
	"$MLD1_REPORT dst_ip=ff05::1234" passed=1
vt "MLDv1 done to all routers" vif1 arrive vm1:eth0 vm3:eth0 \
	"icmp6 type=132 src_mac=$M1 src_ip=$LL1 dst_ip=ff02::2 hlim=1 ext=hbh-ra id=0 seq=0 nonce=0 payload=hex:ff050000000000000000000000001234" passed=1
vt "DHCPv6 SOLICIT to ff02::1:2" vif1 arrive vm1:eth0 vm3:eth0 \
	"dhcp6 msg=solicit src_mac=$M1 src_ip=$LL1" passed=1
vt "DHCPv6 SOLICIT to ff05::1:3" vif1 arrive vm1:eth0 vm3:eth0 \
	"dhcp6 msg=solicit src_mac=$M1 src_ip=$LL1 dst_ip=ff05::1:3" passed=1
vt "ARP request, broadcast" vif1 arrive vm1:eth0 vm2:eth0 \
	"arp src_mac=$M1 op=request spa=$(vm_ip4 1) tpa=$(vm_ip4 2)" passed=1
vt "allowed ethertype 0x88b5, broadcast" vif1 arrive vm1:eth0 vm2:eth0 \
	"eth src_mac=$M1 dst_mac=ff:ff:ff:ff:ff:ff ethertype=0x88b5 payload=hex:0011223344556677" passed=1
vt_run
# The kernels' own: neighbour discovery, MLD reports, joining a group.
check "vm1 -> vm2 ping, IPv6" n1 ping -c 1 -W 5 "$(vm_ip6 2)"
b=$(counters vif1)
watch_start vm3:eth0
$IP -n vm1 -6 addr add ff05::4321/128 dev eth0 autojoin nodad
watch_check "vm1's stack: its MLD report reaches vm3" vm3:eth0 "eth_src=$M1 icmp_type=143"
expect_counters "vm1's stack joining a group: nothing dropped" "$b" "$(counters vif1)" passed=+
