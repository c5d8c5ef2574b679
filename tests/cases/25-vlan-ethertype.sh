#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# Ethertypes from an enforce port (vlan, ethertype).  By default only
# IPv4, ARP and IPv6 leave a VM: an 802.1Q-tagged frame (whatever it
# carries: here a packet forged with vm2's address, or an ARP poisoning),
# QinQ, priority tags and every other ethertype are dropped.  "port set
# ... allow-ethertype 0xNNNN" lets more through, 0x8100 tagged frames
# (unchecked inside), 0x88a8 QinQ; the source MAC is checked whatever
# is allowed.  The receiver vm2 is bound with the addresses the crafted
# frames are sent to (bind_rx).
. "$(dirname "$0")/../lib.sh"

topo_up 2
M1=$(vm_mac 1)
M2=$(vm_mac 2)
SPOOFED="$(udp4 1 2 src_ip=$(vm_ip4 2))"	# vm2's address, from vm1
ETH="eth src_mac=$M1 dst_mac=$M2"

attack "802.1Q-tagged frame (VLAN 5) carrying a forged IPv4 packet" vif1 vlan vm1:eth0 vm2:eth0 "$SPOOFED vlan=5"
attack "802.1Q-tagged frame carrying a forged IPv6 packet" vif1 vlan vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 src_ip=$(vm_ip6 2)) vlan=5"
attack "802.1Q-tagged ARP reply for vm2's address" vif1 vlan vm1:eth0 vm2:eth0 \
	"arp op=reply src_mac=$M1 dst_mac=$M2 spa=$(vm_ip4 2) tpa=$(vm_ip4 2) vlan=5"
attack "802.1Q-tagged frame carrying its own, legitimate packet" vif1 vlan vm1:eth0 vm2:eth0 "$(udp4 1 2) vlan=5"
attack "priority-tagged frame (VLAN 0, PCP 5)" vif1 vlan vm1:eth0 vm2:eth0 "$(udp4 1 2) vlan=0:5"
attack "QinQ (802.1ad 5, 802.1Q 6) carrying a forged IPv4 packet" vif1 vlan vm1:eth0 vm2:eth0 "$SPOOFED vlan=5,6"
attack "802.1Q-tagged frame from a forged source MAC" vif1 mac_spoof vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 src_mac=02:00:00:00:00:99) vlan=5"
attack "ethertype 0x88b5 (local experimental)" vif1 ethertype vm1:eth0 vm2:eth0 "$ETH ethertype=0x88b5"
attack "ethertype 0x88b5, broadcast" vif1 ethertype vm1:eth0 vm2:eth0 "$ETH dst_mac=ff:ff:ff:ff:ff:ff ethertype=0x88b5"
attack "RARP (0x8035) reply claiming vm2's address" vif1 ethertype vm1:eth0 vm2:eth0 \
	"arp op=4 src_mac=$M1 dst_mac=$M2 spa=$(vm_ip4 2) tpa=$(vm_ip4 2) ethertype=0x8035"
attack "MPLS (0x8847) carrying a forged IPv4 packet" vif1 ethertype vm1:eth0 vm2:eth0 \
	"$SPOOFED ethertype=0x8847"
attack "PPPoE discovery (0x8863)" vif1 ethertype vm1:eth0 vm2:eth0 "$ETH ethertype=0x8863 payload=hex:1109000000000000"
attack "802.3 frame with an LLC header (length 38)" vif1 ethertype vm1:eth0 vm2:eth0 \
	"$ETH ethertype=0x0026 payload=hex:424203000000000000000000000000000000000000000000000000000000000000000000"

# Dropped with allow-ethertype bindings, further down (the other frames
# dropped there are attacks above).
FORGED_88B5="eth src_mac=02:00:00:00:00:99 dst_mac=$M2 ethertype=0x88b5"
PPPOE="$ETH ethertype=0x8863"

# --- without vmfence ---
vt "unprotected: 0x88b5 from a forged MAC" - arrive vm1:eth0 vm2:eth0 "$FORGED_88B5"
vt "unprotected: 0x8863, no payload" - arrive vm1:eth0 vm2:eth0 "$PPPOE"
attacks_succeed

bind 1
bind_rx 2

# --- bound, defaults ---
expect_eq "default binding: no extra ethertypes, multicast deny" "[] deny" \
	"$(jsq '"%s %s" % (P[0]["ethertypes"], P[0]["multicast"])' -j port show vif1)"
attacks_fail
vt "IPv4, own addresses, untagged" vif1 arrive vm1:eth0 vm2:eth0 "$(udp4 1 2)" passed=1
vt_run

# --- allow-ethertype ---
bind 1 allow-ethertype 0x88b5
expect_eq "port show: allow-ethertype 0x88b5" 0x88b5 "$(jsq '" ".join(P[0]["ethertypes"])' -j port show vif1)"
check "port show text: allow-ethertype 0x88b5" bash -c '"$@" port show vif1 | grep -q "allow-ethertype 0x88b5"' _ \
	$IP netns exec host "$CTL"
vt "allowed 0x88b5 passes" vif1 arrive vm1:eth0 vm2:eth0 "$ETH ethertype=0x88b5" passed=1
vt "allowed 0x88b5, from a forged MAC" vif1 drop vm1:eth0 vm2:eth0 "$FORGED_88B5" mac_spoof=1
vt "0x8863 not allowed" vif1 drop vm1:eth0 vm2:eth0 "$PPPOE" ethertype=1
vt "tagged frame still dropped" vif1 drop vm1:eth0 vm2:eth0 "$(udp4 1 2) vlan=5" vlan=1
vt_run
bind 1 allow-ethertype 0x88b5 allow-ethertype 0x8863
expect_eq "port show: two ethertypes" "0x88b5 0x8863" "$(jsq '" ".join(P[0]["ethertypes"])' -j port show vif1)"
vt "second allowed ethertype 0x8863 passes" vif1 arrive vm1:eth0 vm2:eth0 "$ETH ethertype=0x8863" passed=1
vt "first still passes" vif1 arrive vm1:eth0 vm2:eth0 "$ETH ethertype=0x88b5" passed=1
vt_run
bind 1 allow-ethertype 0x8100
vt "allow-ethertype 0x8100: tagged frame with a forged packet passes, unchecked" vif1 arrive \
	vm1:eth0 vm2:eth0 "$SPOOFED vlan=5" passed=1
vt "allow-ethertype 0x8100: priority-tagged frame passes" vif1 arrive \
	vm1:eth0 vm2:eth0 "$(udp4 1 2) vlan=0:5" passed=1
vt "allow-ethertype 0x8100: tagged frame from a forged MAC" vif1 drop \
	vm1:eth0 vm2:eth0 "$(udp4 1 2 src_mac=02:00:00:00:00:99) vlan=5" mac_spoof=1
vt "allow-ethertype 0x8100: QinQ (0x88a8 outside) still dropped" vif1 drop \
	vm1:eth0 vm2:eth0 "$SPOOFED vlan=5,6" vlan=1
vt "allow-ethertype 0x8100: 0x88b5 no longer allowed" vif1 drop \
	vm1:eth0 vm2:eth0 "$ETH ethertype=0x88b5" ethertype=1
vt_run
bind 1 allow-ethertype 0x88a8
vt "allow-ethertype 0x88a8: QinQ passes" vif1 arrive vm1:eth0 vm2:eth0 "$SPOOFED vlan=5,6" passed=1
vt "allow-ethertype 0x88a8: plain 802.1Q still dropped" vif1 drop \
	vm1:eth0 vm2:eth0 "$SPOOFED vlan=5" vlan=1
vt_run
bind 1
vt "binding without allow-ethertype again: 0x88b5 dropped" vif1 drop \
	vm1:eth0 vm2:eth0 "$ETH ethertype=0x88b5" ethertype=1
vt_run

# --- refused ---
M=$(vm_mac 1)
expect_refused "allow-ethertype below 0x0600 (an 802.3 length)" port set vif1 mac "$M" allow-ethertype 0x05ff
expect_refused "allow-ethertype given twice" port set vif1 mac "$M" allow-ethertype 0x88b5 allow-ethertype 0x88b5
expect_refused "allow-ethertype not hexadecimal" port set vif1 mac "$M" allow-ethertype ipx
expect_refused "allow-ethertype of five digits" port set vif1 mac "$M" allow-ethertype 0x188b5
expect_refused "allow-ethertype without a value" port set vif1 mac "$M" allow-ethertype
many=()
for i in $(seq 1 17); do many+=(allow-ethertype "$(printf '0x88%02x' "$i")"); done
expect_refused "17 ethertypes (VMFENCE_ETHERTYPES_MAX is 16)" port set vif1 mac "$M" "${many[@]}"
check "16 ethertypes are accepted" ctl port set vif1 mac "$M" ip "$(vm_ip4 1)" "${many[@]:0:32}"
expect_eq "... and listed" 16 "$(jsq 'len(P[0]["ethertypes"])' -j port show vif1)"
