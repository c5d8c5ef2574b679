#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bridge's side doors: frames that never reach NF_BR_PRE_ROUTING.
# vm1 is the attacker, vm2 the victim, vm3 the router (trusted).
#  - Link-local destinations (LLDP 01:80:c2:00:00:0e, 802.1X ...:03): the
#    bridge learns their source MAC and hands them to the host.  With vm2's
#    MAC, vm1 steals vm2's FDB entry (vm2's traffic comes to vm1); with
#    made-up MACs, it fills the FDB.
#  - Spanning tree (STP on): a superior BPDU from vm1 takes the root.
#  - ebtables broute: a "-t broute ... -j DROP" rule runs before the
#    bridge hooks and hands the frame to the host's stack unchecked.
#  - A VLAN device on vm1's port (vif1.5), a port of another bridge, takes
#    vm1's tagged frames before the bridge sees them.
#  - "unbound drop" covers link-local frames too.
# vmfence checks at the port's netdev ingress hook, before all of them.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
LLDP_DST=01:80:c2:00:00:0e
PAE_DST=01:80:c2:00:00:03
LLDP_BODY=hex:0207046666666666660403074242060200780000	# chassis, port, TTL, end

# fdb_port MAC: the bridge port br0 has learnt MAC on ("none").
fdb_port() {
	local p
	p=$(bridge -n host fdb show br br0 | awk -v m="$1" '$1 == m && $2 == "dev" { print $3; exit }')
	echo "${p:-none}"
}
# fdb_learnt DEV: how many MACs br0 has learnt on DEV.
fdb_learnt() {
	bridge -n host fdb show br br0 brport "$1" | grep -vc permanent || true
}
# fdb_wait MAC DEV: MAC's port once it is DEV, or after 3 s.  (Frames
# from different veths may be handled on different CPUs: the FDB follows
# a moment later, in any order.)
fdb_wait() {
	local i p
	for i in $(seq 1 30); do
		p=$(fdb_port "$1")
		[ "$p" = "$2" ] && break
		sleep 0.1
	done
	echo "$p"
}
relearn_vm2() {	# vm2 speaks: the bridge learns its MAC on vif2 again
	pkt send --from vm2:eth0 --frame "$(udp4 2 3)"
	fdb_wait "$M2" vif2 >/dev/null
}
root_id() { $IP netns exec host cat /sys/class/net/br0/bridge/root_id; }

# vm2 and vm3 know each other for good: no ARP of theirs relearns vm2's
# MAC behind a test's back.
$IP -n vm2 neigh replace "$(vm_ip4 3)" lladdr "$M3" dev eth0 nud permanent
$IP -n vm3 neigh replace "$(vm_ip4 2)" lladdr "$M2" dev eth0 nud permanent
n2 ping -c 1 -W 5 "$(vm_ip4 3)" >/dev/null
n1 ping -c 1 -W 5 "$(vm_ip4 3)" >/dev/null
# ... nor do their IPv6 start-up messages (DAD, MLD reports): let them pass.
wait_ll 1
wait_ll 2
wait_ll 3
sleep 2
expect_eq "the bridge has learnt vm2's MAC on vif2" vif2 "$(fdb_port "$M2")"

# theft NAME DST ETHERTYPE: vm1 sends a frame to DST with vm2's MAC.
theft() {
	echo "eth src_mac=$M2 dst_mac=$2 ethertype=$3 payload=$LLDP_BODY"
}
FROM_VM3_TO_VM2="$(udp4 3 2)"

# --- unprotected ---
for t in "LLDP:$LLDP_DST:0x88cc" "802.1X:$PAE_DST:0x888e"; do
	IFS=: read -r name d1 d2 d3 d4 d5 d6 et <<<"$t"
	dst="$d1:$d2:$d3:$d4:$d5:$d6"
	relearn_vm2
	pkt send --from vm1:eth0 --frame "$(theft "$name" "$dst" "$et")"
	expect_eq "unprotected: $name from vm1 with vm2's MAC moves vm2's FDB entry to vif1" \
		vif1 "$(fdb_wait "$M2" vif1)"
	send_expect "unprotected: after the $name theft, vm3's frame for vm2 reaches vm1" arrive \
		vm3:eth0 vm1:eth0 "$FROM_VM3_TO_VM2"
done
relearn_vm2
before=$(fdb_learnt vif1)
pkt send --from vm1:eth0 --frame "eth src_mac=$M1 dst_mac=$LLDP_DST ethertype=0x88cc payload=$LLDP_BODY" \
	--count 2000 --vary-src-mac
grown=$(( $(fdb_learnt vif1) - before ))
check "unprotected: 2000 LLDP frames with made-up MACs: the FDB grows by at least 1900 on vif1 ($grown)" \
	test "$grown" -ge 1900

# A VLAN device on vif1, port of another bridge br5 with vm9 on it.
$IP netns add vm9
$IP -n host link add vif9 type veth peer name eth0 address 02:00:00:00:00:09 netns vm9
{
	echo "link add br5 type bridge mcast_snooping 0 forward_delay 0"
	echo "link add link vif1 name vif1.5 type vlan id 5"
	echo "link set vif1.5 master br5 up"
	echo "link set vif9 master br5 up"
	echo "link set br5 up"
} | $IP -n host -batch -
{
	echo "link set lo up"
	echo "addr add 10.5.0.9/24 dev eth0"
	echo "link set eth0 up"
} | $IP -n vm9 -batch -
TAGGED="udp vlan=5 src_mac=$M1 dst_mac=02:00:00:00:00:09 src_ip=10.5.0.99 dst_ip=10.5.0.9"
# vif1.5 takes the tag off: watch for the datagram, not the bytes sent.
watch_start vm9:eth0
pkt send --from vm1:eth0 --frame "$TAGGED"
watch_check "unprotected: vm1's tagged frame (VLAN 5, forged source) reaches vm9 through vif1.5" \
	vm9:eth0 "ip_src=10.5.0.99 dport=9" arrive

# ebtables broute: frames from vif1 are routed to the host's stack.
$IP -n host addr add 10.0.0.254/24 dev br0
# To vif1's own MAC: broute hands it to the host's stack on vif1.
BROUTED="udp src_mac=$M1 dst_mac=$(vif_mac 1) src_ip=10.0.0.99 dst_ip=10.0.0.254 sport=40000 dport=5555"
# host_udp_start: a UDP listener on the host's 10.0.0.254:5555, ready
# when it returns; it takes datagrams until one from vm1's own address,
# the marker, and 1 s more, then prints their sources, sorted, on one
# line ("no marker: ..." if the marker never came in 60 s).
# host_udp_end: sends the marker and waits for the listener, whose line
# is then in $TESTTMP/host-udp.
# (Judged by what arrived up to a datagram that must arrive, not by a
# listener's silence, which a slow kernel can end before the frame.)
host_udp_start() {
	rm -f "$TESTTMP/host-udp.ready"
	n host $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.254", 5555))
open(sys.argv[1], "w").close()
s.settimeout(60)
got = []
try:
    while True:
        got.append(s.recvfrom(100)[1][0])
        if got[-1] == sys.argv[2]:
            s.settimeout(1)    # and whatever a slower CPU queue held
except socket.timeout:
    pass
print(" ".join(sorted(got)) if sys.argv[2] in got else "no marker: " + " ".join(got), flush=True)
' "$TESTTMP/host-udp.ready" "$(vm_ip4 1)" >"$TESTTMP/host-udp" 2>&1 &
	HOST_UDP=$!
	for _ in $(seq 1 600); do
		[ -e "$TESTTMP/host-udp.ready" ] && break
		sleep 0.1
	done
}
host_udp_end() {		# not in $(...): the listener is this shell's child
	pkt send --from vm1:eth0 --frame "$BROUTED src_ip=$(vm_ip4 1)"
	wait "$HOST_UDP" || true
}
nh ebtables-legacy -t broute -A BROUTING -i vif1 -p IPv4 -j DROP
host_udp_start
pkt send --from vm1:eth0 --frame "$BROUTED"
host_udp_end
expect_eq "unprotected: with a broute rule, vm1's forged datagram reaches the host's stack (then the marker)" \
	"$(vm_ip4 1) 10.0.0.99" "$(cat "$TESTTMP/host-udp")"
nh ebtables-legacy -t broute -F

# --- protected ---
bind 1
bind 2
bind 3 mode trusted
relearn_vm2
for t in "LLDP:$LLDP_DST:0x88cc" "802.1X:$PAE_DST:0x888e"; do
	IFS=: read -r name d1 d2 d3 d4 d5 d6 et <<<"$t"
	dst="$d1:$d2:$d3:$d4:$d5:$d6"
	b=$(counters vif1)
	pkt send --from vm1:eth0 --frame "$(theft "$name" "$dst" "$et")"
	expect_counters "$name from vm1 with vm2's MAC: vif1 mac_spoof +1" "$b" "$(counters vif1)" mac_spoof=1
	sleep 0.5
	expect_eq "$name from vm1 with vm2's MAC: vm2's FDB entry stays on vif2" vif2 "$(fdb_port "$M2")"
	send_expect "after the $name attempt, vm3's frame for vm2 does not reach vm1" drop \
		vm3:eth0 vm1:eth0 "$FROM_VM3_TO_VM2"
done
nh bridge fdb flush dev vif1 dynamic 2>/dev/null || true
n1 ping -c 1 -W 5 "$(vm_ip4 3)" >/dev/null
before=$(fdb_learnt vif1)
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "eth src_mac=$M1 dst_mac=$LLDP_DST ethertype=0x88cc payload=$LLDP_BODY" \
	--count 2000 --vary-src-mac
a=$(counters vif1)
expect_eq "2000 LLDP frames with made-up MACs: the FDB does not grow on vif1" \
	0 "$(( $(fdb_learnt vif1) - before ))"
expect_counters "2000 LLDP frames with made-up MACs: vif1 mac_spoof moved, nothing else" "$b" "$a" mac_spoof=+
d=$(( $(sed 's/.*mac_spoof=\([0-9]*\).*/\1/' <<<"$a") - $(sed 's/.*mac_spoof=\([0-9]*\).*/\1/' <<<"$b") ))
check "... by at least 1900 ($d)" test "$d" -ge 1900
b=$(counters vif1)
watch_start vm9:eth0
pkt send --from vm1:eth0 --frame "$TAGGED"
watch_check "vm1's tagged frame (VLAN 5) does not reach vm9 through vif1.5" \
	vm9:eth0 "ip_src=10.5.0.99" drop
expect_counters "tagged frame into vif1.5: vif1 vlan +1" "$b" "$(counters vif1)" vlan=1
nh ebtables-legacy -t broute -A BROUTING -i vif1 -p IPv4 -j DROP
host_udp_start
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "$BROUTED src_ip=10.0.0.97"
a=$(counters vif1)
host_udp_end
expect_eq "with the broute rule, vm1's forged datagram does not reach the host's stack (the marker does)" \
	"$(vm_ip4 1)" "$(cat "$TESTTMP/host-udp")"
expect_counters "broute: vif1 ip4_spoof +1" "$b" "$a" ip4_spoof=1
nh ebtables-legacy -t broute -F

# --- what keeps working ---
# The router's own LLDP and 802.1X (trusted: a switch, an authenticator).
b=$(counters vif3)
pkt send --from vm3:eth0 --frame "eth src_mac=02:00:00:00:03:99 dst_mac=$LLDP_DST ethertype=0x88cc payload=$LLDP_BODY"
pkt send --from vm3:eth0 --frame "eth src_mac=$M3 dst_mac=$PAE_DST ethertype=0x888e payload=hex:0100000401000004"
expect_counters "trusted vif3: LLDP and 802.1X pass" "$b" "$(counters vif3)" passed=2
expect_eq "trusted vif3: the bridge learnt its LLDP source" vif3 "$(fdb_port 02:00:00:00:03:99)"
# A VM allowed LLDP (a virtual appliance): its own, to the LLDP group.
bind 1 allow-ethertype 0x88cc multicast allow
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "eth src_mac=$M1 dst_mac=$LLDP_DST ethertype=0x88cc payload=$LLDP_BODY"
expect_counters "vm1 with allow-ethertype 0x88cc and multicast allow: its own LLDP passes" \
	"$b" "$(counters vif1)" passed=1
bind 1
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "eth src_mac=$M1 dst_mac=$LLDP_DST ethertype=0x88cc payload=$LLDP_BODY"
expect_counters "vm1 without: its own LLDP is dropped (ethertype)" "$b" "$(counters vif1)" ethertype=1
check "vm1 -> vm2 ping" n1 ping -c 1 -W 5 "$(vm_ip4 2)"
check "vm2 -> vm1 ping, IPv6" n2 ping -c 1 -W 5 "$(vm_ip6 1)"

# --- unbound drop: link-local frames from an unbound port too ---
ctl port del vif1
ctl bridge set br0 unbound drop
relearn_vm2
# The count is exact, so vm1's own stack stays quiet meanwhile (no ARP,
# no IPv6: its neighbour probes and reports would be unbound drops too;
# the debug kernel's slower clock put two in this window once).
$IP -n vm1 link set eth0 arp off
nsysctl vm1 net.ipv6.conf.eth0.disable_ipv6 1
db=$(jsq 'd[0]["unbound_drops"]' -j bridge show br0)
pkt send --from vm1:eth0 --frame "$(theft LLDP "$LLDP_DST" 0x88cc)"
expect_eq "unbound drop: LLDP with vm2's MAC from unbound vif1 is counted as unbound" \
	$((db + 1)) "$(jsq 'd[0]["unbound_drops"]' -j bridge show br0)"
expect_eq "unbound drop: vm2's FDB entry stays on vif2" vif2 "$(fdb_port "$M2")"

# --- spanning tree, last: with STP on, the ports go through listening and
# learning (2 x 2 s), and turning it off does not hurry them ---
ctl port del vif2
ctl port del vif3
ctl bridge set br0 unbound pass
OWN_ROOT=$(root_id)
nh ip link set br0 type bridge stp_state 1
# A configuration BPDU claiming priority 0: LLC 42 42 03, protocol 0,
# version 0, type 0, flags 0, root 0000.020000000001, cost 0, bridge
# 0000.020000000001, port 0x8001, ages 0/20/2/15 s (in 1/256 s).
BPDU="eth src_mac=$M1 dst_mac=01:80:c2:00:00:00 ethertype=0x0026 payload=hex:4242030000000000000002000000000100000000000002000000000180010000140002000f00"
pkt send --from vm1:eth0 --frame "$BPDU"
expect_eq "unprotected: with STP on, vm1's superior BPDU takes the root" \
	"0000.020000000001" "$(root_id)"
nh ip link set br0 type bridge stp_state 0
# The port forgets what it was told when it leaves and joins again.
nh ip link set vif1 nomaster
nh ip link set vif1 master br0
expect_eq "the bridge is its own root again" "$OWN_ROOT" "$(root_id)"

bind 1
nh ip link set br0 type bridge stp_state 1
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "$BPDU"
expect_eq "with STP on, vm1's BPDU does not take the root" "$OWN_ROOT" "$(root_id)"
expect_counters "BPDU: vif1 bpdu +1" "$b" "$(counters vif1)" bpdu=1
nh ip link set br0 type bridge stp_state 0

