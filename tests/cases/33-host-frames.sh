#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (frames from the host: the LOCAL_OUT hook runs the towards-VM checks of 28 and 87; Debian's kernel runs it)
# Frames the host itself sends into the bridge (its address on br0: a
# gateway, a DHCP or metadata server) leave through NF_BR_LOCAL_OUT, not
# NF_BR_FORWARD; the towards-VM checks apply to them all the same.  With
# vm2's MAC unknown to the bridge (vif2 does not learn: an FDB entry aged
# out, or stolen), the host's frames for vm2 are flooded, and vm1 would
# read them.  Both directions: what a VM sends to the host is checked as
# anything it sends.  And the host still pings its VMs and serves them
# DHCP.
. "$(dirname "$0")/../lib.sh"

topo_up 2
M1=$(vm_mac 1)
M2=$(vm_mac 2)
HOST_IP=10.0.0.254
$IP -n host addr add "$HOST_IP/24" dev br0
nh bridge link set dev vif2 learning off
nh bridge fdb del "$M2" dev vif2 master 2>/dev/null || true
$IP -n host neigh replace "$(vm_ip4 2)" lladdr "$M2" dev br0 nud permanent
$IP -n vm2 neigh replace "$HOST_IP" lladdr 02:00:00:00:ff:ff dev eth0 nud permanent

# host_listen PORT: a UDP socket of the host on HOST_IP:PORT, printing the
# source address of what it gets within 3 s ("nothing" if nothing).
host_listen() {
	n host $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.254", int(sys.argv[1])))
s.settimeout(3)
try:
    print(s.recvfrom(100)[1][0], flush=True)
except socket.timeout:
    print("nothing", flush=True)
' "$1" >"$TESTTMP/host-udp" 2>&1 &
	HOST_UDP=$!
	for i in $(seq 1 50); do
		$IP netns exec host ss -Hlun "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
}
FORGED_TO_HOST="udp src_mac=$M1 dst_mac=02:00:00:00:ff:ff src_ip=10.0.0.99 dst_ip=$HOST_IP sport=40000 dport=5555"

# --- unprotected ---
watch_start vm1:eth0
check "unprotected: the host pings vm2" nh ping -c 1 -W 5 "$(vm_ip4 2)"
watch_check "unprotected: vm1 reads the host's ping to vm2 (flooded)" vm1:eth0 \
	"ip_src=$HOST_IP ip_dst=$(vm_ip4 2) icmp_type=8" arrive
host_listen 5555
pkt send --from vm1:eth0 --frame "$FORGED_TO_HOST"
wait "$HOST_UDP" || true
expect_eq "unprotected: vm1's forged datagram reaches the host" 10.0.0.99 "$(cat "$TESTTMP/host-udp")"

# --- protected ---
bind 1
bind 2
b=$(counters vif1)
watch_start vm1:eth0
check "the host pings vm2" nh ping -c 1 -W 5 "$(vm_ip4 2)"
watch_check "vm1 does not read the host's ping to vm2" vm1:eth0 \
	"ip_src=$HOST_IP ip_dst=$(vm_ip4 2)" drop
expect_counters "the host's ping to vm2, flooded: vif1 not_for_port +1" "$b" "$(counters vif1)" not_for_port=1
host_listen 5555
b=$(counters vif1)
pkt send --from vm1:eth0 --frame "$FORGED_TO_HOST"
wait "$HOST_UDP" || true
expect_eq "vm1's forged datagram does not reach the host" nothing "$(cat "$TESTTMP/host-udp")"
expect_counters "forged datagram to the host: vif1 ip4_spoof +1" "$b" "$(counters vif1)" ip4_spoof=1
host_listen 5556
pkt send --from vm1:eth0 --frame "udp src_mac=$M1 dst_mac=02:00:00:00:ff:ff src_ip=$(vm_ip4 1) dst_ip=$HOST_IP sport=40000 dport=5556"
wait "$HOST_UDP" || true
expect_eq "vm1's own datagram reaches the host" "$(vm_ip4 1)" "$(cat "$TESTTMP/host-udp")"

# --- the host and its VMs ---
check "the host pings vm1" nh ping -c 1 -W 5 "$(vm_ip4 1)"
check "vm1 pings the host" n1 ping -c 1 -W 5 "$HOST_IP"
# The host's own gratuitous ARP (a gateway address moving to it) reaches
# the VMs.
watch_start vm2:eth0
nh busybox arping -U -c 1 -w 1 -s "$HOST_IP" -I br0 "$HOST_IP" >/dev/null 2>&1 || true
watch_check "the host's gratuitous ARP reaches vm2" vm2:eth0 "arp_spa=$HOST_IP arp_tpa=$HOST_IP"
# A DHCP server on the host (busybox udhcpd on br0) gives vm1 its lease.
cat >"$TESTTMP/udhcpd.conf" <<EOF
start 10.0.0.1
end 10.0.0.20
interface br0
lease_file $TESTTMP/udhcpd.leases
static_lease $M1 $(vm_ip4 1)
option subnet 255.255.255.0
option router $HOST_IP
EOF
touch "$TESTTMP/udhcpd.leases"
nh busybox udhcpd -f "$TESTTMP/udhcpd.conf" >"$TESTTMP/udhcpd.log" 2>&1 &
sleep 0.5
b=$(counters vif1)
out=$(n1 busybox udhcpc -i eth0 -n -q -t 4 -T 1 -s /bin/true 2>&1 || true)
check "the host's DHCP server leases vm1 its address ($(grep -o 'lease of [0-9.]* obtained' <<<"$out"))" \
	grep -q "lease of $(vm_ip4 1) obtained" <<<"$out"
expect_counters "vm1's DHCP exchange with the host: nothing dropped" "$b" "$(counters vif1)" passed=+
