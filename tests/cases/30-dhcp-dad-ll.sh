#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# What a VM legitimately sends before it has an address: a DHCP DISCOVER
# from 0.0.0.0, a DAD Neighbor Solicitation and MLD report from ::, and
# anything from the EUI-64 link-local address of its bound MAC.  All pass;
# the unspecified source on anything else, and other link-local addresses,
# do not.  First without a binding, to show every frame would get through.
# The DHCP client messages go to vm3, the DHCP server's side, on a trusted
# port: they are not delivered to other VMs (dhcp_snoop).
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
BCAST=ff:ff:ff:ff:ff:ff

DHCP_DISCOVER="dhcp4 src_mac=$M1 msg=discover"
DHCP_REQUEST="dhcp4 src_mac=$M1 msg=request requested=10.0.0.1"
ZERO_UDP_NOT_DHCP="udp src_mac=$M1 dst_mac=$BCAST src_ip=0.0.0.0 dst_ip=255.255.255.255 sport=1234 dport=67"
ZERO_UDP_68_TO_68="udp src_mac=$M1 dst_mac=$BCAST src_ip=0.0.0.0 dst_ip=255.255.255.255 sport=68 dport=68"
ZERO_ICMP="icmp src_mac=$M1 dst_mac=$M2 src_ip=0.0.0.0 dst_ip=$(vm_ip4 2)"
ZERO_TCP_68_67="tcp src_mac=$M1 dst_mac=$M2 src_ip=0.0.0.0 dst_ip=$(vm_ip4 2) sport=68 dport=67"
DAD_NS="ns src_mac=$M1 src_ip=:: target=2001:db8::77"
MLD_REPORT="mld2 src_mac=$M1 src_ip=:: groups=ff02::1:ff00:77"
ZERO6_UDP="udp src_mac=$M1 dst_mac=$M2 src_ip=:: dst_ip=$(vm_ip6 2)"
ZERO6_ECHO="icmp6 src_mac=$M1 dst_mac=$M2 src_ip=:: dst_ip=$(vm_ip6 2)"
ZERO6_NA="na src_mac=$M1 src_ip=:: target=2001:db8::77 tll=none"
ZERO6_RS="rs src_mac=$M1 src_ip=:: sll=none"
LL_OWN="udp src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ll 1) dst_ip=$(vm_ll 2)"
LL_OWN_NS="ns src_mac=$M1 src_ip=$(vm_ll 1) target=$(vm_ll 2)"
LL_OTHER="udp src_mac=$M1 dst_mac=$M2 src_ip=fe80::ff:fe00:99 dst_ip=$(vm_ll 2)"
LL_OF_VM2="udp src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ll 2) dst_ip=$(vm_ll 2)"
LL_NOT_EUI64="udp src_mac=$M1 dst_mac=$M2 src_ip=fe80::1 dst_ip=$(vm_ll 2)"

ALL="DHCP_DISCOVER DHCP_REQUEST ZERO_UDP_NOT_DHCP ZERO_UDP_68_TO_68 ZERO_ICMP ZERO_TCP_68_67
     DAD_NS MLD_REPORT ZERO6_UDP ZERO6_ECHO ZERO6_NA ZERO6_RS
     LL_OWN LL_OWN_NS LL_OTHER LL_OF_VM2 LL_NOT_EUI64"
for f in $ALL; do
	send_expect "no binding: $f reaches vm2" arrive vm1:eth0 vm2:eth0 "${!f}"
done

# vm1's binding includes the addresses it runs DAD for (a DAD probe may
# only ask about the VM's own addresses).
bind 1 ip 2001:db8::77 ip 2001:db8::1:1
bind 2
bind 3 mode trusted

# verdict NAME FRAME-VARIABLE pass|REASON [RECEIVER]: from vm1, to vm2
# (or RECEIVER, ns:ifname).
verdict() {
	local b to=${4:-vm2:eth0}
	b=$(counters vif1)
	if [ "$3" = pass ]; then
		send_expect "$1 ($2): received" arrive vm1:eth0 "$to" "${!2}"
		expect_counters "$1 ($2): passed, nothing dropped" "$b" "$(counters vif1)" passed=+
	else
		send_expect "$1 ($2): not received" drop vm1:eth0 "$to" "${!2}"
		expect_counters "$1 ($2): $3 +1" "$b" "$(counters vif1)" "$3=1"
	fi
}

verdict "DHCP client DISCOVER from 0.0.0.0" DHCP_DISCOVER pass vm3:eth0
verdict "DHCP client REQUEST from 0.0.0.0" DHCP_REQUEST pass vm3:eth0
verdict "0.0.0.0, UDP not to the DHCP server port" ZERO_UDP_NOT_DHCP ip4_spoof
verdict "0.0.0.0, UDP 68 -> 68" ZERO_UDP_68_TO_68 ip4_spoof
verdict "0.0.0.0, ICMP echo" ZERO_ICMP ip4_spoof
verdict "0.0.0.0, TCP 68 -> 67" ZERO_TCP_68_67 ip4_spoof
verdict "DAD Neighbor Solicitation from ::" DAD_NS pass
verdict "MLDv2 report from :: (hop-by-hop router alert)" MLD_REPORT pass
verdict ":: source, UDP" ZERO6_UDP ip6_spoof
verdict ":: source, ICMPv6 echo" ZERO6_ECHO ip6_spoof
verdict ":: source, Neighbor Advertisement" ZERO6_NA ip6_spoof
verdict ":: source, Router Solicitation" ZERO6_RS ip6_spoof
verdict "own EUI-64 link-local source" LL_OWN pass
verdict "own EUI-64 link-local source, Neighbor Solicitation" LL_OWN_NS pass
verdict "another link-local source" LL_OTHER ip6_spoof
verdict "vm2's link-local source" LL_OF_VM2 ip6_spoof
verdict "non-EUI-64 link-local source" LL_NOT_EUI64 ip6_spoof

# The kernels' own stacks.  vm1 adds an address without "nodad" (bound
# above): its DAD Neighbor Solicitation from :: must reach vm2.
watch_start vm2:eth0
$IP -n vm1 addr add 2001:db8::1:1/64 dev eth0
watch_check "vm1's own DAD probe from :: reaches vm2" vm2:eth0 \
	"ip_src=:: icmp_type=135 nd_target=2001:db8::1:1"
# ... a DHCP client with no address: busybox udhcpc on a fresh interface.
$IP -n vm1 addr flush dev eth0 scope global
watch_start vm3:eth0
n1 busybox udhcpc -i eth0 -n -q -t 1 -T 1 -s /bin/true >/dev/null 2>&1 || true
watch_check "vm1's own DHCP DISCOVER from 0.0.0.0 reaches vm3 (trusted)" vm3:eth0 \
	"ip_src=0.0.0.0 sport=68 dport=67 dhcp_type=discover"
# ... and link-local traffic (the link-local address is left to the kernel).
wait_ll 1
wait_ll 2
check "vm1 -> vm2 ping, link-local" n1 ping -c 1 -W 5 "$(vm_ll 2)%eth0"
check "vm2 -> vm1 ping, link-local" n2 ping -c 1 -W 5 "$(vm_ll 1)%eth0"
