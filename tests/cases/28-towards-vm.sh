#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# Frames towards an enforce port (not_for_port).  vm1 would sniff: when
# the bridge floods unknown unicast (here: it learns neither vm2's nor
# vm3's MAC), vm2's and vm3's conversations reach every port.  Without
# vmfence vm1 sees them; with vm1 bound, a unicast frame reaches it only
# if sent to its MAC and, for IPv4 and IPv6, to one of its addresses; an
# ARP request or reply only if it targets one of its addresses (a reply:
# and its MAC).  Broadcast and multicast still reach it, and everything
# addressed to it.  vm2 is another VM (enforce), vm3 the router (trusted).
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
IP1=$(vm_ip4 1)
IP2=$(vm_ip4 2)
IP3=$(vm_ip4 3)
A1=$(vm_ip6 1)
A2=$(vm_ip6 2)
A3=$(vm_ip6 3)
BCAST=ff:ff:ff:ff:ff:ff
wait_ll 1
wait_ll 2
wait_ll 3

# Crafted by the router (trusted: not checked on its way in), towards vm1.
R4="udp src_mac=$M3 src_ip=$IP3"
R6="udp src_mac=$M3 src_ip=$A3"
attack "unicast to an unknown MAC (flooded)" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"$R4 dst_mac=02:00:00:00:00:55 dst_ip=10.0.0.55"
attack "non-IP frame to an unknown MAC (flooded)" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"eth src_mac=$M3 dst_mac=02:00:00:00:00:55 ethertype=0x88b5"
attack "to vm1's MAC, vm2's IPv4 address" vif1 not_for_port vm3:eth0 vm1:eth0 "$R4 dst_mac=$M1 dst_ip=$IP2"
attack "to vm1's MAC, an IPv4 address nobody has" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"$R4 dst_mac=$M1 dst_ip=10.0.0.55"
attack "to vm1's MAC, vm2's IPv6 address" vif1 not_for_port vm3:eth0 vm1:eth0 "$R6 dst_mac=$M1 dst_ip=$A2"
attack "to vm1's MAC, vm2's link-local address" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"$R6 dst_mac=$M1 src_ip=$(vm_ll 3) dst_ip=$(vm_ll 2)"
# IPv6 has no broadcast: unicast in a group frame is for its address only.
attack "Ethernet broadcast, vm2's IPv6 address" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"$R6 dst_mac=$BCAST dst_ip=$A2"
attack "Ethernet multicast (33:33:...), vm2's IPv6 address" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"$R6 dst_mac=33:33:00:00:00:02 dst_ip=$A2"
attack "ARP request for vm2's address (broadcast)" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 op=request spa=$IP3 tpa=$IP2"
attack "ARP reply to vm1's MAC about vm2's address" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 dst_mac=$M1 op=reply spa=$IP3 tha=$M1 tpa=$IP2"
attack "ARP reply to vm1's MAC and address, target MAC vm2's" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 dst_mac=$M1 op=reply spa=$IP3 tha=$M2 tpa=$IP1"
attack "ARP reply to vm1's MAC and address, target MAC zero" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 dst_mac=$M1 op=reply spa=$IP3 tha=00:00:00:00:00:00 tpa=$IP1"
attack "ARP request for vm1's address, hardware type 6" vif1 not_for_port vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 op=request spa=$IP3 tpa=$IP1 hrd=6"
# ... and by vm2, an enforce port itself.
attack "vm2's frame to vm1's MAC, another IPv4 address" vif1 not_for_port vm2:eth0 vm1:eth0 \
	"udp src_mac=$M2 src_ip=$IP2 dst_mac=$M1 dst_ip=$IP3"

# vm2 and vm3 talk; with "learning off" the bridge learns neither's MAC,
# so floods their frames to vm1.  They know each other for good, so that
# their neighbour probes add nothing.
learning() {
	local k
	for k in 2 3; do $IP -n host link set "vif$k" type bridge_slave learning "$1"; done
	$IP -n host link set br0 type bridge fdb_flush
}
{
	echo "neigh replace $IP3 lladdr $M3 dev eth0 nud permanent"
	echo "neigh replace $A3 lladdr $M3 dev eth0 nud permanent"
} | $IP -n vm2 -batch -
{
	echo "neigh replace $IP2 lladdr $M2 dev eth0 nud permanent"
	echo "neigh replace $A2 lladdr $M2 dev eth0 nud permanent"
} | $IP -n vm3 -batch -
sniffed() {	# sniffed NAME arrive|drop: vm2 <-> vm3 traffic seen at vm1?
	watch_start vm1:eth0
	n2 ping -c 1 -W 5 "$IP3" >/dev/null
	watch_check "$1: vm2 -> vm3 ICMP echo, at vm1" vm1:eth0 "eth_src=$M2 ip_src=$IP2 ip_dst=$IP3 icmp_type=8" "$2"
	watch_start vm1:eth0
	n3 ping -c 1 -W 5 "$A2" >/dev/null
	watch_check "$1: vm3 -> vm2 ICMPv6 echo, at vm1" vm1:eth0 "eth_src=$M3 ip_src=$A3 ip_dst=$A2 icmp_type=128" "$2"
	watch_start vm1:eth0
	expect_eq "$1: vm2 -> vm3 TCP" "echo: secret-$2" "$(tcp_talk 2 "$IP3" 5001 "secret-$2")"
	watch_check "$1: the TCP conversation, at vm1" vm1:eth0 "ip_src=$IP2 ip_dst=$IP3 proto=6" "$2"
}
tcp_echo_server 3 5001

# --- without vmfence ---
attacks_succeed
learning off
sniffed "no binding" arrive
learning on

bind 1 ip 10.1.0.0/24
bind 2
bind 3 mode trusted

# --- bound ---
attacks_fail
learning off
b=$(counters vif1)
sniffed "vm1 bound" drop
expect_counters "vm1 bound: what vm1 did not see counted as not_for_port" "$b" "$(counters vif1)" not_for_port=+
learning on
b=$(counters vif2)
check "vm2 and vm3 still talk: vm2 -> vm3 ping" n2 ping -c 1 -W 5 "$IP3"
check "vm2 and vm3 still talk: vm3 -> vm2 ping (IPv6)" n3 ping -c 1 -W 5 "$A2"
expect_counters "vm2: its own traffic is not dropped towards it" "$b" "$(counters vif2)" passed=+

# What reaches vm1.
vt "to vm1's MAC and IPv4 address" vif1 arrive vm3:eth0 vm1:eth0 "$R4 dst_mac=$M1 dst_ip=$IP1 dport=9"
vt "to vm1's MAC, an address in its bound prefix" vif1 arrive vm3:eth0 vm1:eth0 \
	"$R4 dst_mac=$M1 dst_ip=10.1.0.77"
vt "to vm1's MAC and IPv6 address" vif1 arrive vm3:eth0 vm1:eth0 "$R6 dst_mac=$M1 dst_ip=$A1"
vt "to vm1's MAC and link-local address" vif1 arrive vm3:eth0 vm1:eth0 \
	"$R6 dst_mac=$M1 src_ip=$(vm_ll 3) dst_ip=$(vm_ll 1)"
vt "non-IP frame to vm1's MAC" vif1 arrive vm3:eth0 vm1:eth0 \
	"eth src_mac=$M3 dst_mac=$M1 ethertype=0x88b5"
vt "IPv4 broadcast" vif1 arrive vm3:eth0 vm1:eth0,vm2:eth0 "$R4 dst_ip=255.255.255.255"
vt "IPv4 multicast" vif1 arrive vm3:eth0 vm1:eth0,vm2:eth0 "$R4 dst_ip=239.1.2.3"
vt "IPv6 multicast (all nodes)" vif1 arrive vm3:eth0 vm1:eth0,vm2:eth0 "$R6 dst_ip=ff02::1"
vt "Ethernet broadcast, vm1's own IPv6 address" vif1 arrive vm3:eth0 vm1:eth0 "$R6 dst_mac=$BCAST dst_ip=$A1"
vt "ARP request for vm1's address (broadcast)" vif1 arrive vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 op=request spa=$IP3 tpa=$IP1"
vt "ARP request for vm1's address (unicast)" vif1 arrive vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 dst_mac=$M1 op=request spa=$IP3 tpa=$IP1"
vt "ARP reply to vm1" vif1 arrive vm3:eth0 vm1:eth0 \
	"arp src_mac=$M3 dst_mac=$M1 op=reply spa=$IP3 tha=$M1 tpa=$IP1"
# The router's announcements (VRRP/keepalived taking over the gateway
# address) reach every VM, or they keep the old gateway's MAC.
vt "gratuitous ARP request of the router (broadcast)" vif1 arrive vm3:eth0 vm1:eth0,vm2:eth0 \
	"arp src_mac=$M3 op=request spa=$IP3 tpa=$IP3"
vt "gratuitous ARP reply of the router (broadcast)" vif1 arrive vm3:eth0 vm1:eth0,vm2:eth0 \
	"arp src_mac=$M3 dst_mac=$BCAST op=reply spa=$IP3 tha=$BCAST tpa=$IP3"
vt_run
# The router's and vm2's stacks reach vm1, both ways, from empty caches.
for k in 1 2 3; do $IP -n "vm$k" neigh flush dev eth0; done
check "router -> vm1 ping (ARP request for vm1 reaches it)" n3 ping -c 1 -W 5 "$IP1"
check "vm2 -> vm1 ping" n2 ping -c 1 -W 5 "$IP1"
check "vm1 -> vm2 ping, IPv6" n1 ping -c 1 -W 5 "$A2"
check "vm1 -> router ping, IPv6 link-local" n1 ping -c 1 -W 5 "$(vm_ll 3)%eth0"
