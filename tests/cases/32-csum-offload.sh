#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checksum-offload rewrites (csum_offload).  A VM with a virtio-net NIC
# (here tap1, opened with IFF_VNET_HDR as QEMU and vhost-net open it)
# chooses the checksum start and offset of every frame it marks
# NEEDS_CSUM.  Where the output port cannot complete checksums itself
# (vif2: tx checksum offload off, as a plain tap, a NIC that does not know
# the offset, a veth with "tx off"), the host writes the 16-bit checksum
# at that place after every bridge filter has looked at the frame, and the
# VM steers the value with a payload word: a checked UDP 5000->1234 is
# delivered as 5000->68 (a DHCP answer), 67->1234, or from the router's
# MAC.  vmfence admits a NEEDS_CSUM frame only if its offsets are exactly
# the checksum field of the transport header it parsed; ordinary
# offloaded UDP and TCP from the same tap still flow.
. "$(dirname "$0")/../lib.sh"

topo_up 3
TM=02:00:00:00:00:0a		# the VM behind tap1
TIP=10.0.0.10
TIP6=2001:db8::a
M2=$(vm_mac 2)
M3=$(vm_mac 3)
IP2=$(vm_ip4 2)
IP3=$(vm_ip4 3)

tap_add tap1
pkt tap-open --tap host:tap1
pkt txcsum --dev host:vif2 off
# vm2 answers the tap's VM without asking (the tap side speaks no ARP).
$IP -n vm2 neigh replace "$TIP" lladdr "$TM" dev eth0 nud permanent
$IP -n vm2 neigh replace "$TIP6" lladdr "$TM" dev eth0 nud permanent
for i in $(seq 1 50); do
	$IP -n host -d link show dev tap1 | grep -q 'state forwarding' && break
	sleep 0.2
done
check "tap1 is a forwarding bridge port" bash -c \
	"$IP -n host -d link show dev tap1 | grep -q 'state forwarding'"

# Frames from tap1's VM to vm2: UDP 5000 -> 1234 with no UDP checksum
# (0: none, so that vm2's stack would take the rewritten datagram).
U="udp src_mac=$TM dst_mac=$M2 src_ip=$TIP dst_ip=$IP2 sport=5000 dport=1234 udp_csum=0 payload=hex:00112233445566778899aabbccddeeff0000"
U6="udp src_mac=$TM dst_mac=$M2 src_ip=$TIP6 dst_ip=$(vm_ip6 2) sport=5000 dport=1234 payload=hex:00112233445566778899aabbccddeeff0000"

# rewrite NAME START OFFSET VALUE MATCH FRAME: tap1 sends FRAME with
# checksum offsets START/OFFSET steered to VALUE; MATCH is what vm2 gets.
REW_NAME=() REW_ARGS=() REW_MATCH=() REW_FRAME=()
rewrite() {
	REW_NAME+=("$1") REW_ARGS+=("--csum-start $2 --csum-offset $3 --steer $4")
	REW_MATCH+=("$5") REW_FRAME+=("$6")
}
rewrite "UDP 5000->1234 delivered as 5000->68 (a DHCP answer)" 34 2 0x0044 \
	"ip_src=$TIP sport=5000 dport=68" "$U"
rewrite "UDP 5000->1234 delivered as 67->1234 (from the DHCP server port)" 34 0 0x0043 \
	"ip_src=$TIP sport=67 dport=1234" "$U"
rewrite "UDP 5000->1234 delivered from the router's MAC (start in the Ethernet header)" 0 10 0x0003 \
	"eth_src=$M3 ip_src=$TIP sport=5000" "$U"
rewrite "UDP over IPv6 5000->1234 delivered as 5000->546 (a DHCPv6 answer)" 54 2 0x0222 \
	"ip_src=$TIP6 sport=5000 dport=546" "$U6"

# rewrites_send arrive|drop [vmfence]: each rewrite, judged at vm2 (and,
# bound, by tap1's counters: csum_offload once each).
rewrites_send() {
	local exp=$1 i b
	for i in "${!REW_NAME[@]}"; do
		b=$(counters tap1)
		watch_start vm2:eth0
		# shellcheck disable=SC2086
		pkt vnet-send --tap host:tap1 --frame "${REW_FRAME[$i]}" ${REW_ARGS[$i]}
		if [ "$exp" = arrive ]; then
			watch_check "unprotected: ${REW_NAME[$i]}" vm2:eth0 "${REW_MATCH[$i]}" arrive
		else
			watch_check "${REW_NAME[$i]}: nothing rewritten reaches vm2" vm2:eth0 \
				"ip_src=${REW_MATCH[$i]#*ip_src=}" drop
			expect_counters "${REW_NAME[$i]}: tap1 csum_offload +1" "$b" "$(counters tap1)" csum_offload=1
		fi
	done
}

# --- unprotected: the host rewrites what the VM steered ---
rewrites_send arrive
# A port that completes checksums in hardware (vif3: offload on) gets the
# original bytes: the door is the software fallback.
watch_start vm3:eth0
pkt vnet-send --tap host:tap1 --frame "$U dst_mac=$M3 dst_ip=$IP3" --csum-start 34 --csum-offset 2 --steer 0x0044
watch_check "unprotected: with tx offload on the output port (vif3), the ports are the VM's own" \
	vm3:eth0 "ip_src=$TIP sport=5000 dport=1234" arrive

# --- protected ---
ctl port set tap1 mac "$TM" ip "$TIP" ip "$TIP6"
bind 2
bind 3 mode trusted
# What the first rewrite fakes, sent plainly, is what vmfence stops.
b=$(counters tap1)
watch_start vm2:eth0
pkt vnet-send --tap host:tap1 --frame "$U dport=68"
watch_check "plain UDP 5000->68 from tap1 (what the first rewrite fakes): not received" \
	vm2:eth0 "ip_src=$TIP dport=68" drop
expect_counters "plain UDP 5000->68 from tap1: dhcp_server +1" "$b" "$(counters tap1)" dhcp_server=1
rewrites_send drop
b=$(counters tap1)
watch_start vm3:eth0
pkt vnet-send --tap host:tap1 --frame "$U dst_mac=$M3 dst_ip=$IP3" --csum-start 34 --csum-offset 2 --steer 0x0044
watch_check "bound: towards the offloading port too, nothing with those offsets" vm3:eth0 \
	"ip_src=$TIP sport=5000" drop
expect_counters "bound: towards vif3: tap1 csum_offload +1" "$b" "$(counters tap1)" csum_offload=1
b=$(counters tap1)
for off in "34 4" "33 8" "42 0" "14 12"; do
	set -- $off
	pkt vnet-send --tap host:tap1 --frame "$U" --csum-start "$1" --csum-offset "$2"
done
expect_counters "bound: other offsets (length field, off by one, in the payload, in the IP header): csum_offload +4" \
	"$b" "$(counters tap1)" csum_offload=4

# --- what keeps working: ordinary offloaded UDP and TCP from tap1 ---
n vm2 $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5001))
s.settimeout(20)
print(s.recvfrom(100)[0].hex(), flush=True)
' >"$TESTTMP/udp.out" 2>&1 &
UDP_PID=$!
for i in $(seq 1 50); do
	$IP netns exec vm2 ss -Hlun 'sport = :5001' | grep -q . && break
	sleep 0.1
done
tcp_echo_server 2 7777
b=$(counters tap1)
pkt vnet-send --tap host:tap1 --frame "udp src_mac=$TM dst_mac=$M2 src_ip=$TIP dst_ip=$IP2 sport=5000 dport=5001 payload=hex:0123456789abcdef nonce=0" \
	--csum-start 34 --csum-offset 6 --pseudo
wait "$UDP_PID" || true
expect_eq "offloaded UDP from tap1: vm2's socket got the datagram (checksum completed by the host)" \
	0123456789abcdef "$(cat "$TESTTMP/udp.out")"
pkt vnet-send --tap host:tap1 --name "offloaded TCP SYN from tap1: vm2 answers SYN-ACK" \
	--frame "tcp src_mac=$TM dst_mac=$M2 src_ip=$TIP dst_ip=$IP2 sport=40001 dport=7777 flags=S" \
	--csum-start 34 --csum-offset 16 --pseudo --expect-reply "ip_src=$IP2 proto=6 sport=7777 dport=40001"
pkt vnet-send --tap host:tap1 --name "offloaded TCP SYN over IPv6 from tap1: vm2 answers" \
	--frame "tcp src_mac=$TM dst_mac=$M2 src_ip=$TIP6 dst_ip=$(vm_ip6 2) sport=40002 dport=7777 flags=S" \
	--csum-start 54 --csum-offset 16 --pseudo --expect-reply "ip_src=$(vm_ip6 2) proto=6 sport=7777 dport=40002" \
	--timeout 8
expect_counters "offloaded UDP and TCP: tap1 passed, nothing dropped" "$b" "$(counters tap1)" passed=+
