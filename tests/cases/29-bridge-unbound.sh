#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (the unbound-drop table: 88-churn flips unbound drop and BRIDGE_SET under traffic on the debug kernel; Debian's kernel runs it)
# Bridges: "vmfencectl bridge set BR unbound pass|drop" and "[-j] bridge
# show".  On a bridge set to drop, every frame from a port with no
# binding is dropped (unbound), so that a new VM cannot send anything
# between joining the bridge and being bound; trusted and enforce ports
# are judged as before, binding a port lets it through at once.  The
# default is pass.  vm1 is the new VM, vm2 a bound VM, vm3 the uplink
# (trusted).
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M4=$(vm_mac 4)
bind_rx 2
bind 3 mode trusted
wait_ll 1

brshow() { ctl bridge show "$@"; }
total_unbound() { jsq 'd["total"]["drops"]["unbound"]' -j stats; }
br_drops() { jsq 'd[0]["unbound_drops"]' -j bridge show "${1:-br0}"; }

# --- default: pass ---
expect_eq "bridge show: nothing set, nothing listed" "" "$(brshow)"
expect_eq "bridge show -j: []" "[]" "$(ctl -j bridge show)"
rc=0
err=$(ctl bridge show br0 2>&1 >/dev/null) || rc=$?
expect_eq "bridge show br0, never set: exit 1" 1 "$rc"
check "bridge show br0, never set: one line saying the policy is pass ($err)" \
	bash -c '[ "$(printf "%s\n" "$1" | grep -c .)" = 1 ] && [[ $1 == *pass* ]]' _ "$err"
t=$(total_unbound)
# Each frame the drop bridge drops below, first here, where it passes.
UF_UDP6=$(udp6 1 3)
UF_ARP="arp src_mac=$M1 op=request spa=$(vm_ip4 1) tpa=$(vm_ip4 3)"
UF_DAD="ns src_mac=$M1 target=2001:db8::1:1"
UF_DHCP="dhcp4 src_mac=$M1 msg=discover"
vt "default: unbound vm1 sends to vm3" - arrive vm1:eth0 vm3:eth0 "$(udp4 1 3)"
vt "default: unbound vm1 sends a forged frame to vm3" - arrive vm1:eth0 vm3:eth0 "$(udp4 1 3 src_ip=10.0.0.99)"
vt "default: unbound vm1's UDP/IPv6 to vm3" - arrive vm1:eth0 vm3:eth0 "$UF_UDP6"
vt "default: unbound vm1's ARP request for vm3" - arrive vm1:eth0 vm3:eth0 "$UF_ARP"
vt "default: unbound vm1's DAD probe" - arrive vm1:eth0 vm3:eth0 "$UF_DAD"
vt "default: unbound vm1's DHCP DISCOVER" - arrive vm1:eth0 vm3:eth0 "$UF_DHCP"
vt_run
expect_eq "default: no unbound drop" "$t" "$(total_unbound)"

# --- drop ---
check "bridge set br0 unbound drop" ctl bridge set br0 unbound drop
IDX=$($IP -n host -j link show br0 | $PY -c 'import json, sys; print(json.load(sys.stdin)[0]["ifindex"])')
expect_eq "bridge show: text" "br0: unbound drop (dropped 0)" "$(brshow)"
expect_eq "bridge show -j" "[{\"ifname\":\"br0\",\"ifindex\":$IDX,\"unbound\":\"drop\",\"unbound_drops\":0}]" \
	"$(ctl -j bridge show)"
expect_eq "bridge show br0: text" "br0: unbound drop (dropped 0)" "$(brshow br0)"
U="drop: unbound vm1's"
vt "$U UDP/IPv4 to vm3" - drop vm1:eth0 vm3:eth0 "$(udp4 1 3)"
vt "$U UDP/IPv6 to vm3" - drop vm1:eth0 vm3:eth0 "$UF_UDP6"
vt "$U ARP request for vm3" - drop vm1:eth0 vm3:eth0 "$UF_ARP"
vt "$U DAD probe" - drop vm1:eth0 vm3:eth0 "$UF_DAD"
vt "$U DHCP DISCOVER" - drop vm1:eth0 vm3:eth0 "$UF_DHCP"
vt "$U forged UDP/IPv4 to vm3" - drop vm1:eth0 vm3:eth0 "$(udp4 1 3 src_ip=10.0.0.99)"
vt_run
expect_eq "drop: the bridge counted 6 unbound drops" 6 "$(br_drops)"
expect_eq "drop: bridge show says so" "br0: unbound drop (dropped 6)" "$(brshow br0)"
expect_eq "drop: the namespace total counted them" $((t + 6)) "$(total_unbound)"
expect_refused -m 'not bound' "drop: vif1 has no counters of its own (not bound)" stats vif1
c3=$(counters vif3)
send_expect "drop: the trusted uplink passes, forged frames too" arrive vm3:eth0 vm2:eth0 \
	"udp src_mac=$(vm_mac 3) dst_mac=$(vm_mac 2) src_ip=10.0.0.99 dst_ip=$(sink_ip4 2)"
expect_counters "drop: trusted vif3 counted nothing dropped" "$c3" "$(counters vif3)"
vt "drop: bound vm2 sends as before" vif2 arrive vm2:eth0 vm3:eth0 "$(udp4 2 3)" passed=1
vt "drop: bound vm2's forged frame: ip4_spoof, not unbound" vif2 drop vm2:eth0 vm3:eth0 \
	"$(udp4 2 3 src_ip=10.0.0.99)" ip4_spoof=1
vt_run

# A new VM joins the bridge: nothing it sends gets out before it is bound.
d=$(br_drops)
$IP netns add vm4
nsysctl vm4 net.ipv6.conf.default.router_solicitations 0
$IP -n host link add vif4 address "$(vif_mac 4)" type veth peer name eth0 address "$M4" netns vm4
watch_start vm3:eth0
$IP -n host link set vif4 master br0 up
$IP -n vm4 addr add 10.0.0.4/24 dev eth0
$IP -n vm4 link set eth0 up
expect_fail_with "new vm4: its stack cannot reach vm3" ' 0 received' n vm4 ping -c 1 -W 2 "$(vm_ip4 3)"
watch_check "new vm4: nothing from it reached vm3 (DAD, MLD, ARP)" vm3:eth0 "eth_src=$M4" drop
check "new vm4: the bridge counted its frames" bash -c '[ "$1" -gt "$2" ]' _ "$(br_drops)" "$d"
ctl port set vif4 mac "$M4" ip 10.0.0.4
# The failed ping above left vm4's ARP entry for vm3 resolving (or
# failed): a ping queued behind it dies with it, whatever vmfence does.
$IP -n vm4 neigh flush dev eth0
check "new vm4 bound: it reaches vm3 at once" n vm4 ping -c 1 -W 5 "$(vm_ip4 3)"

# Binding lets a port through at once; unbinding stops it again.
bind 1
vt "vm1 bound on the drop bridge: passes" vif1 arrive vm1:eth0 vm3:eth0 "$(udp4 1 3)" passed=1
vt_run
check "vm1 bound: its stack reaches vm3" n1 ping -c 1 -W 5 "$(vm_ip4 3)"
d=$(br_drops)
ctl port del vif1
send_expect "vm1 unbound again: dropped" drop vm1:eth0 vm3:eth0 "$(udp4 1 3)"
expect_eq "vm1 unbound again: one more unbound drop" $((d + 1)) "$(br_drops)"
bind 1 mode trusted
send_expect "vm1 trusted on the drop bridge: passes" arrive vm1:eth0 vm3:eth0 "$(udp4 1 3 src_ip=10.0.0.99)"
ctl port del vif1

# --- a second bridge, and back to pass ---
# From here on vm1 sends only crafted frames: its stack is silenced (no
# ARP, no IPv6: a late neighbour probe or MLD report would count too), so
# that br1's count is exact.  What silencing sends still lands on br0.
$IP -n vm1 link set eth0 arp off
nsysctl vm1 net.ipv6.conf.eth0.disable_ipv6 1
sleep 1
$IP -n host link add br1 type bridge mcast_snooping 0 forward_delay 0
$IP -n host link set br1 up
$IP -n host link set vif3 nomaster
$IP -n host link set vif1 nomaster
$IP -n host link set vif1 master br1
$IP -n host link set vif3 master br1
sleep 0.2
send_expect "vm1 moved to br1 (pass): passes" arrive vm1:eth0 vm3:eth0 "$(udp4 1 3)"
check "bridge set br1 unbound drop" ctl bridge set br1 unbound drop
send_expect "br1 set to drop: dropped" drop vm1:eth0 vm3:eth0 "$(udp4 1 3)"
expect_eq "br1 counted one" 1 "$(br_drops br1)"
# The counts themselves are checked above; VMs' own traffic may add to them.
expect_eq "bridge show: both bridges" "br0: unbound drop (dropped $(br_drops br0))
br1: unbound drop (dropped $(br_drops br1))" "$(brshow)"
check "bridge set br0 unbound pass" ctl bridge set br0 unbound pass
expect_eq "bridge show br0: pass, its count kept" "br0: unbound pass (dropped $(br_drops br0))" "$(brshow br0)"
$IP -n host link set vif1 nomaster
$IP -n host link set vif1 master br0
$IP -n host link set vif3 nomaster
$IP -n host link set vif3 master br0
sleep 0.2
send_expect "vm1 back on br0 (now pass): passes" arrive vm1:eth0 vm3:eth0 "$(udp4 1 3)"
check "stats reset" ctl stats reset
expect_eq "stats reset: the bridges' counts are 0" "0 0" "$(br_drops br0) $(br_drops br1)"
$IP -n host link del br1
expect_eq "br1 deleted: its setting gone" "br0" "$(jsq '" ".join(b["ifname"] for b in d)' -j bridge show)"

# --- refused ---
expect_refused "bridge set of a port, not a bridge" bridge set vif2 unbound drop
expect_refused "bridge set of an unknown device" bridge set nosuchbr unbound drop
expect_refused "bridge set unbound maybe" bridge set br0 unbound maybe
expect_refused "bridge set without unbound" bridge set br0
expect_refused "bridge set unbound without a value" bridge set br0 unbound
expect_refused "bridge set, unknown keyword" bridge set br0 colour blue
expect_refused "bridge show of a port" bridge show vif2
expect_refused "bridge show of an unknown device" bridge show nosuchbr
expect_refused "bridge, unknown command" bridge frob br0
