#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test bed itself, with no binding: the topology comes up, the kernel
# stacks talk, and pkt.py sees its frames cross the bridge (so that later
# "not received" results mean something).
. "$(dirname "$0")/../lib.sh"

topo_up 2

check "vm1 -> vm2 ping (IPv4)" n1 ping -c 1 -W 5 "$(vm_ip4 2)"
check "vm2 -> vm1 ping (IPv6)" n2 ping -c 1 -W 5 "$(vm_ip6 1)"
send_expect "pkt.py: UDP/IPv4 frame crosses the bridge" arrive vm1:eth0 vm2:eth0 "$(udp4 1 2)"
send_expect "pkt.py: UDP/IPv6 frame crosses the bridge" arrive vm2:eth0 vm1:eth0 "$(udp6 2 1)"
# ... and that it reports a frame that does not get through.
$IP -n host link set vif2 down
send_expect "pkt.py: sees no frame through a port that is down" drop vm1:eth0 vm2:eth0 "$(udp4 1 2)"
$IP -n host link set vif2 up
