#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two VMs bound in enforce mode talk to each other over IPv4, IPv6 and
# IPv6 link-local, ping and TCP, both ways: nothing of it is dropped.
. "$(dirname "$0")/../lib.sh"

topo_up 2
bind 1 label vm-one
bind 2 label vm-two
expect_eq "both ports bound in enforce mode" "vif1 enforce
vif2 enforce" "$(jsq '[p["ifname"] + " " + p["mode"] for p in d]' -j port show)"

wait_ll 1
wait_ll 2
tcp_echo_server 1 5001
tcp_echo_server 2 5001
c1=$(counters vif1)
c2=$(counters vif2)

for dir in "1 2" "2 1"; do
	set -- $dir
	check "vm$1 -> vm$2 ping, IPv4" n$1 ping -c 2 -i 0.2 -W 5 "$(vm_ip4 $2)"
	check "vm$1 -> vm$2 ping, IPv6" n$1 ping -c 2 -i 0.2 -W 5 "$(vm_ip6 $2)"
	check "vm$1 -> vm$2 ping, IPv6 link-local" n$1 ping -c 2 -i 0.2 -W 5 "$(vm_ll $2)%eth0"
	expect_eq "vm$1 -> vm$2 TCP, IPv4" "echo: hello-$1-v4" "$(tcp_talk $1 "$(vm_ip4 $2)" 5001 "hello-$1-v4")"
	expect_eq "vm$1 -> vm$2 TCP, IPv6" "echo: hello-$1-v6" "$(tcp_talk $1 "$(vm_ip6 $2)" 5001 "hello-$1-v6")"
done

expect_counters "vif1: frames passed, none dropped" "$c1" "$(counters vif1)" passed=+
expect_counters "vif2: frames passed, none dropped" "$c2" "$(counters vif2)" passed=+
