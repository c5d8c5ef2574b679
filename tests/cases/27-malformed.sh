#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Malformed packets (malformed), both ways: truncated headers, bad IPv4
# header and total lengths, an IPv6 payload length beyond the frame, an
# extension-header chain running past the packet, a first fragment
# without its upper-layer header, transport headers cut short.  Each
# reaches its receiver when nothing protects; from an enforce port, or
# towards one, it is dropped and counted as malformed.  Well-formed
# corner cases (Ethernet padding, later fragments) pass.  The kernel log
# must stay clean (main.sh checks it after every file).
. "$(dirname "$0")/../lib.sh"

topo_up 3
M2=$(vm_mac 2)
M3=$(vm_mac 3)

# From vm1 (enforce) to vm2.
attack "IPv4 header cut after 10 bytes" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 truncate=24)"
attack "IPv4 header length 4 (16 bytes)" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 ihl=4)"
attack "IPv4 header length 15 (60 bytes), total length 28" vif1 malformed vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 ihl=15 nonce=0)"
attack "IPv4 total length 10, shorter than its header" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 tot_len=10)"
attack "IPv4 total length beyond the frame" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 tot_len=1400)"
attack "IPv4 version 6 in an IPv4 frame" vif1 malformed vm1:eth0 vm2:eth0 "$(udp6 1 2 ethertype=0x0800)"
attack "UDP header cut after 4 bytes" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 tot_len=24 truncate=38)"
attack "UDP header cut, IPv4 first fragment" vif1 malformed vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 tot_len=24 truncate=38 frag=0x2000)"
attack "ICMP without its type" vif1 malformed vm1:eth0 vm2:eth0 "$(icmp4 1 2 tot_len=20 truncate=34)"
attack "IPv6 payload length beyond the frame" vif1 malformed vm1:eth0 vm2:eth0 "$(udp6 1 2 plen=1400)"
attack "IPv6 version 4 in an IPv6 frame" vif1 malformed vm1:eth0 vm2:eth0 "$(udp4 1 2 ethertype=0x86dd pad=80)"
attack "IPv6 header cut after 26 bytes" vif1 malformed vm1:eth0 vm2:eth0 "$(udp6 1 2 truncate=40)"
attack "IPv6 extension headers running past the packet" vif1 malformed vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 ext=hbh,dst64 plen=40 truncate=94)"
attack "IPv6 hop-by-hop header cut after 1 byte" vif1 malformed vm1:eth0 vm2:eth0 \
	"ip6 src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) nh=0 nonce=0 payload=hex:11"
attack "IPv6 fragment header cut after 2 bytes" vif1 malformed vm1:eth0 vm2:eth0 \
	"ip6 src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) nh=44 nonce=0 payload=hex:1100"
attack "IPv6 first fragment without its UDP header" vif1 malformed vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 ext=dst frag6=0:8)"
attack "IPv6 first fragment without its TCP header" vif1 malformed vm1:eth0 vm2:eth0 \
	"tcp src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) ext=dst frag6=0:8"
attack "IPv6 first fragment with 8 of its TCP header's 20 bytes (no flags)" vif1 malformed vm1:eth0 vm2:eth0 \
	"tcp src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) ext=dst frag6=0:16"
attack "IPv6 UDP header cut after 4 bytes" vif1 malformed vm1:eth0 vm2:eth0 "$(udp6 1 2 plen=4 truncate=58)"
attack "ICMPv6 without its type" vif1 malformed vm1:eth0 vm2:eth0 "$(icmp6 1 2 plen=0 truncate=54)"
# From vm3 (trusted) to vm2 (enforce): judged at vm2's port.
T="src_mac=$M3 dst_mac=$M2"
attack "towards vm2: IPv4 header cut" vif2 malformed vm3:eth0 vm2:eth0 \
	"udp $T src_ip=$(vm_ip4 3) dst_ip=$(vm_ip4 2) truncate=30"
attack "towards vm2: IPv4 total length beyond the frame" vif2 malformed vm3:eth0 vm2:eth0 \
	"udp $T src_ip=$(vm_ip4 3) dst_ip=$(vm_ip4 2) tot_len=1000"
attack "towards vm2: IPv6 payload length beyond the frame" vif2 malformed vm3:eth0 vm2:eth0 \
	"udp $T src_ip=$(vm_ip6 3) dst_ip=$(vm_ip6 2) plen=1000"
attack "towards vm2: IPv6 extension headers running past the packet" vif2 malformed vm3:eth0 vm2:eth0 \
	"udp $T src_ip=$(vm_ip6 3) dst_ip=$(vm_ip6 2) ext=dst64 plen=16 truncate=70"
attack "towards vm2: ARP cut after 20 bytes" vif2 malformed vm3:eth0 vm2:eth0 \
	"arp $T op=reply spa=$(vm_ip4 3) tpa=$(vm_ip4 2) truncate=34"

# --- without vmfence ---
attacks_succeed

bind 1
bind_rx 2
bind 3 mode trusted

# --- bound ---
attacks_fail

# Well formed: what vmfence reads is bounded by the IP lengths, not the frame.
vt "IPv4 with Ethernet padding" vif1 arrive vm1:eth0 vm2:eth0 "$(udp4 1 2 nonce=0 pad=60)" passed=1
vt "IPv6 with Ethernet padding" vif1 arrive vm1:eth0 vm2:eth0 "$(udp6 1 2 nonce=0 pad=100)" passed=1
vt "IPv4 later fragment (no UDP header in it)" vif1 arrive vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 frag=0x0010 sport=67 dport=68)" passed=1
vt "IPv6 later fragment (no UDP header in it)" vif1 arrive vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 sport=547 dport=546 frag6=8:)" passed=1
vt "IPv6 behind hop-by-hop, destination options and routing headers" vif1 arrive \
	vm1:eth0 vm2:eth0 "$(udp6 1 2 ext=hbh,dst,rt)" passed=1
vt "IPv6 first fragment with its UDP header" vif1 arrive vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 ext=dst frag6=0:16)" passed=1
vt "IPv6 first fragment with its whole TCP header" vif1 arrive vm1:eth0 vm2:eth0 \
	"tcp src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) ext=dst frag6=0:32 payload=0123456789abcdef" passed=1
vt "IPv6, no next header (59)" vif1 arrive vm1:eth0 vm2:eth0 \
	"ip6 src_mac=$(vm_mac 1) dst_mac=$M2 src_ip=$(vm_ip6 1) dst_ip=$(sink_ip6 2) nh=59" passed=1
vt "towards vm2: IPv4 with Ethernet padding" vif2 arrive vm3:eth0 vm2:eth0 \
	"udp $T src_ip=$(vm_ip4 3) dst_ip=$(sink_ip4 2) nonce=0 pad=60"
vt_run
# And the stacks still talk, with packets big enough to be fragmented.
check "vm1 -> vm2 ping, IPv4, 3000 bytes (fragmented)" n1 ping -c 1 -W 5 -s 3000 "$(vm_ip4 2)"
check "vm1 -> vm2 ping, IPv6, 3000 bytes (fragmented)" n1 ping -c 1 -W 5 -s 3000 "$(vm_ip6 2)"
