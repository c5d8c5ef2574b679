#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# Broadcast and multicast from an enforce port (broadcast, multicast).
# IPv4 broadcast (by Ethernet or IP address) and multicast from a VM are
# dropped, a flood of them counted one by one, except DHCP client
# messages; IPv6 multicast other than neighbour discovery, MLD and DHCPv6
# client messages is dropped.  "port set ... multicast allow" lets them
# through (the address checks still apply).  vm2 (enforce, bound with the
# crafted frames' addresses) and vm3 (trusted) watch.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
IP1=$(vm_ip4 1)
LL1=$(vm_ll 1)
BCAST=ff:ff:ff:ff:ff:ff
U4="udp src_mac=$M1 src_ip=$IP1 sport=40000 dport=9"
U6="udp src_mac=$M1 src_ip=$LL1 sport=40000 dport=9"
wait_ll 1
for k in 2 3; do nsysctl "vm$k" net.ipv4.icmp_echo_ignore_broadcasts 0; done

FLOOD="$U4 dst_mac=$BCAST dst_ip=255.255.255.255 nonce=0 payload=flood"
attack "UDP to 255.255.255.255" vif1 broadcast vm1:eth0 vm2:eth0,vm3:eth0 "$U4 dst_ip=255.255.255.255"
attack "UDP to the subnet broadcast 10.0.0.255, broadcast MAC" vif1 broadcast vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_mac=$BCAST dst_ip=10.0.0.255"
attack "UDP to 255.255.255.255, unicast MAC" vif1 broadcast vm1:eth0 vm2:eth0 "$U4 dst_mac=$M2 dst_ip=255.255.255.255"
attack "UDP to a unicast address, broadcast MAC" vif1 broadcast vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_mac=$BCAST dst_ip=$(sink_ip4 2)"
attack "ICMP echo to 255.255.255.255 (smurf)" vif1 broadcast vm1:eth0 vm3:eth0 \
	"icmp src_mac=$M1 src_ip=$IP1 dst_ip=255.255.255.255"
attack "UDP to 224.0.0.251 (mDNS)" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 "$U4 dst_ip=224.0.0.251 dport=5353"
attack "UDP to 239.1.2.3" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 "$U4 dst_ip=239.1.2.3"
attack "UDP to 239.1.2.3, unicast MAC" vif1 multicast vm1:eth0 vm2:eth0 "$U4 dst_mac=$M2 dst_ip=239.1.2.3"
attack "UDP to a unicast address, multicast MAC" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_mac=01:00:5e:01:02:03 dst_ip=$(sink_ip4 2)"
attack "IGMPv2 report for 239.1.2.3" vif1 multicast vm1:eth0 vm3:eth0 \
	"ip4 src_mac=$M1 src_ip=$IP1 dst_ip=239.1.2.3 proto=2 ttl=1 nonce=0 payload=hex:1600f8faef010203"
attack "IPv6 UDP to ff02::fb (mDNS)" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 "$U6 dst_ip=ff02::fb dport=5353"
attack "IPv6 UDP to ff05::1:3, not from the DHCPv6 client port" vif1 multicast vm1:eth0 vm3:eth0 \
	"$U6 dst_ip=ff05::1:3 sport=5555 dport=547"
attack "ICMPv6 echo to all nodes (ff02::1)" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 \
	"icmp6 src_mac=$M1 src_ip=$LL1 dst_ip=ff02::1"
attack "IPv6 UDP from its global address to ff0e::1234" vif1 multicast vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U6 src_ip=$(vm_ip6 1) dst_ip=ff0e::1234"
# IPv6 has no broadcast: a unicast packet in a group frame floods it all
# the same.
attack "IPv6 UDP to vm2's address in an Ethernet broadcast frame" vif1 multicast vm1:eth0 vm3:eth0 \
	"$U6 dst_mac=$BCAST dst_ip=$(sink_ip6 2)"
attack "IPv6 UDP to vm2's address in an Ethernet multicast frame" vif1 multicast vm1:eth0 vm3:eth0 \
	"$U6 dst_mac=33:33:00:00:00:01 dst_ip=$(sink_ip6 2)"
# The DHCP client's exception is to broadcast, not to multicast: a VM
# could otherwise multicast anything from port 68 to port 67.
attack "DHCP client message (68 -> 67) to 239.1.2.3" vif1 multicast vm1:eth0 vm3:eth0 \
	"dhcp4 msg=request src_mac=$M1 src_ip=$IP1 dst_mac=01:00:5e:01:02:03 dst_ip=239.1.2.3"
attack "DHCP DISCOVER in an Ethernet multicast frame" vif1 multicast vm1:eth0 vm3:eth0 \
	"dhcp4 src_mac=$M1 msg=discover dst_mac=01:00:5e:00:00:01"

# --- without vmfence ---
attacks_succeed
send_expect "unprotected: a flood of 100 broadcasts: received" arrive vm1:eth0 vm2:eth0,vm3:eth0 "$FLOOD" --count 100
check "unprotected: vm1's stack, ping -b 10.0.0.255, gets answers" n1 ping -b -c 1 -W 5 10.0.0.255

bind 1
bind_rx 2
bind 3 mode trusted

# --- bound ---
attacks_fail
expect_verdict -n 100 "a flood of 100 broadcasts" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 "$FLOOD" broadcast=100
b=$(counters vif1)
expect_fail "vm1's stack: ping -b 10.0.0.255 gets no answer" n1 ping -b -c 2 -i 0.3 -W 1 10.0.0.255
expect_counters "vm1's stack: ping -b counted as broadcast" "$b" "$(counters vif1)" broadcast=2

# What passes: DHCP client messages, ND, MLD, DHCPv6 client messages.
D="dhcp4 src_mac=$M1"
vt "DHCP DISCOVER to 255.255.255.255" vif1 arrive vm1:eth0 vm3:eth0 "$D msg=discover" passed=1
vt "DHCP REQUEST to 255.255.255.255" vif1 arrive vm1:eth0 vm3:eth0 "$D msg=request" passed=1
vt "DHCP INFORM from its address to 255.255.255.255" vif1 arrive vm1:eth0 vm3:eth0 \
	"$D msg=inform src_ip=$IP1 ciaddr=$IP1" passed=1
vt "NS to a solicited-node group" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"ns src_mac=$M1 src_ip=$LL1 target=$(vm_ip6 2)" passed=1
vt "MLDv2 report to ff02::16" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"mld2 src_mac=$M1 src_ip=$LL1 groups=ff05::1234" passed=1
vt "MLDv1 report (131) to its group" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"icmp6 src_mac=$M1 src_ip=$LL1 dst_ip=ff05::1234 type=131 hlim=1 ext=hbh-ra id=0 seq=0 nonce=0 payload=hex:ff050000000000000000000000001234" passed=1
vt "MLDv1 done (132) to ff02::2" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"icmp6 src_mac=$M1 src_ip=$LL1 dst_ip=ff02::2 type=132 hlim=1 ext=hbh-ra id=0 seq=0 nonce=0 payload=hex:ff050000000000000000000000001234" passed=1
vt "DHCPv6 SOLICIT to ff02::1:2" vif1 arrive vm1:eth0 vm3:eth0 \
	"dhcp6 msg=solicit src_mac=$M1 src_ip=$LL1" passed=1
vt "DHCPv6 INFORMATION-REQUEST to ff05::1:3" vif1 arrive vm1:eth0 vm3:eth0 \
	"dhcp6 msg=information-request src_mac=$M1 src_ip=$LL1 dst_ip=ff05::1:3" passed=1
vt_run

# --- multicast allow ---
bind 1 multicast allow
expect_eq "port show: multicast allow" allow "$(jsq 'P[0]["multicast"]' -j port show vif1)"
check "port show text: multicast allow" bash -c '"$@" port show vif1 | grep -q "multicast allow"' _ \
	$IP netns exec host "$CTL"
expect_verdict -n 100 "multicast allow: a flood of 100 broadcasts passes" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$FLOOD" passed=100
vt "multicast allow: UDP to 10.0.0.255" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_mac=$BCAST dst_ip=10.0.0.255" passed=1
vt "multicast allow: mDNS (IPv4)" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_ip=224.0.0.251 dport=5353" passed=1
vt "multicast allow: mDNS (IPv6)" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U6 dst_ip=ff02::fb dport=5353" passed=1
vt "multicast allow: IPv6 UDP to all nodes" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U6 dst_ip=ff02::1" passed=1
vt "multicast allow: broadcast from a forged source" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_ip=255.255.255.255 src_ip=10.0.0.99" ip4_spoof=1
vt "multicast allow: multicast from a forged MAC" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_ip=239.1.2.3 src_mac=02:00:00:00:00:99" mac_spoof=1
vt "multicast allow: rogue DHCP OFFER, broadcast" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 \
	"dhcp4 msg=offer src_mac=$M1 src_ip=$IP1 dst_mac=$BCAST yiaddr=10.0.0.201" dhcp_server=1
vt_run
b=$(counters vif1)
check "multicast allow: vm1's stack, ping -b 10.0.0.255, vm2 answers" n1 ping -b -c 1 -W 5 10.0.0.255
expect_counters "multicast allow: ping -b passed" "$b" "$(counters vif1)" passed=+
bind 1 multicast deny
expect_eq "port show: multicast deny" deny "$(jsq 'P[0]["multicast"]' -j port show vif1)"
vt "multicast deny again: mDNS dropped" vif1 drop vm1:eth0 vm2:eth0,vm3:eth0 \
	"$U4 dst_ip=224.0.0.251 dport=5353" multicast=1
vt_run
expect_refused "multicast maybe: refused" port set vif1 mac "$M1" multicast maybe

# Last (their reports are repeated for a while): vm1's stack joins groups.
bind 1
b=$(counters vif1)
watch_start vm3:eth0
$IP -n vm1 addr add 239.1.2.3/32 dev eth0 autojoin
watch_check "vm1's stack: its IGMP report does not reach vm3" vm3:eth0 "eth_src=$M1 proto=2" drop
watch_start vm3:eth0
$IP -n vm1 -6 addr add ff05::1234/128 dev eth0 autojoin nodad
watch_check "vm1's stack: its MLD report reaches vm3" vm3:eth0 "eth_src=$M1 icmp_type=143"
expect_counters "vm1's stack: IGMP reports dropped as multicast, MLD reports passed" \
	"$b" "$(counters vif1)" multicast=+ passed=+
