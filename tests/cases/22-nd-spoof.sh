#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# IPv6 neighbour discovery from an enforce port (nd_spoof).  vm1 is the
# attacker, vm2 the victim, vm3 another VM.  The attacks are Neighbor
# Advertisements that poison vm2's neighbour cache: for vm3's address,
# with the target link-layer option first, moved behind another option,
# or left out; and for vm1's own address but with vm3's MAC in the option
# (first, or moved).  Without a binding each one rewrites vm2's entry (as
# "ip -6 neigh" shows); bound, each is dropped at vm1's port under
# nd_spoof and vm2's entries keep the right MACs.  Then the other ND rules
# (NS and RS link-layer options, ND in a fragment, malformed options) and
# what must keep working: DAD (and its detecting a duplicate), neighbour
# resolution, NAs for the VM's own addresses.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
A1=$(vm_ip6 1)
A2=$(vm_ip6 2)
A3=$(vm_ip6 3)
LL1=$(vm_ll 1)
wait_ll 1

# NAs from vm1's link-local address to vm2, unsolicited, override.
NA="na src_mac=$M1 dst_mac=$M2 src_ip=$LL1 dst_ip=$A2 flags=O"
NA_VM3="$NA target=$A3 tll=$M1"
NA_VM3_MOVED="$NA target=$A3 opts=nonce,raw:200:1,tll:$M1"
NA_VM3_NO_TLL="$NA target=$A3 tll=none"
NA_OWN_MAC3="$NA target=$A1 tll=$M3"
NA_OWN_MAC3_MOVED="$NA target=$A1 opts=nonce,tll:$M3"

# entries: vm2's neighbour entries for vm1 and vm3, right, and older
# than the locktime.
entries() {
	$IP -n vm2 neigh replace "$A1" lladdr "$M1" dev eth0 nud reachable
	$IP -n vm2 neigh replace "$A3" lladdr "$M3" dev eth0 nud reachable
	sleep 1.2
}

# The other ND rules: frames that reach their receiver without vmfence and
# must not with it.
S="src_mac=$M1 src_ip=$LL1"
attack "NA for vm3's address, no link-layer option" vif1 nd_spoof vm1:eth0 vm2:eth0 "$NA_VM3_NO_TLL"
attack "NA for vm2's link-local address" vif1 nd_spoof vm1:eth0 vm2:eth0 "$NA target=$(vm_ll 2)"
attack "NA for vm3's address to all nodes" vif1 nd_spoof vm1:eth0 vm2:eth0,vm3:eth0 "na $S target=$A3 flags=O"
attack "NA for its own address, two target options, the second vm3's MAC" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"$NA target=$A1 opts=tll:$M1,tll:$M3"
attack "NA for its own address, a source option with vm3's MAC" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"$NA target=$A1 opts=tll:$M1,sll:$M3"
attack "NS for vm2, source option with vm3's MAC" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"ns $S target=$A2 sll=$M3"
attack "NS for vm2, source option with vm3's MAC behind a nonce" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"ns $S target=$A2 opts=nonce,sll:$M3"
attack "RS, source option with vm3's MAC" vif1 nd_spoof vm1:eth0 vm3:eth0 "rs $S sll=$M3"
attack "NA for its own address in a fragment" vif1 nd_spoof vm1:eth0 vm2:eth0 "$NA target=$A1 ext=frag"
attack "NS for vm2 in a first fragment" vif1 nd_spoof vm1:eth0 vm2:eth0 "ns $S target=$A2 ext=frag:0:1"
attack "NS for vm2 behind a hop-by-hop header, in a fragment" vif1 nd_spoof vm1:eth0 vm2:eth0 \
	"ns $S target=$A2 ext=hbh,frag"
attack "NA from :: (no NA may come from the unspecified address)" vif1 ip6_spoof vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=:: dst_mac=$M2 dst_ip=$A2 target=$A1 tll=none"
attack "NA from vm3's address, for vm3's address" vif1 ip6_spoof vm1:eth0 vm2:eth0 \
	"na src_mac=$M1 src_ip=$A3 dst_mac=$M2 dst_ip=$A2 target=$A3 tll=$M1"
attack "NA, an option of length 0" vif1 malformed vm1:eth0 vm2:eth0 "$NA target=$A1 opts=tll:$M1,raw:200:0"
attack "NA, an option running past the packet" vif1 malformed vm1:eth0 vm2:eth0 "$NA target=$A1 opts=raw:2:2:8"
attack "NA cut inside its target address" vif1 malformed vm1:eth0 vm2:eth0 "$NA target=$A1 tll=none plen=16 truncate=70"
attack "NS cut inside its target address" vif1 malformed vm1:eth0 vm2:eth0 "ns $S target=$A2 opts= plen=20 truncate=74"

# --- without vmfence: the poisoning works ---
check "vm2 resolves vm1" n2 ping -c 1 -W 5 "$A1"
check "vm2 resolves vm3" n2 ping -c 1 -W 5 "$A3"
# vm1 and vm3 know vm2 for good: they will not probe vm2 (which would put
# vm2's entries right again, in the middle of a test).
for k in 1 3; do $IP -n "vm$k" -6 neigh replace "$A2" lladdr "$M2" dev eth0 nud permanent; done
entries
send_expect "no binding: NA_VM3 reaches vm2" arrive vm1:eth0 vm2:eth0 "$NA_VM3"
expect_eq "no binding: NA for vm3's address poisons vm2's entry for vm3" "$M1" "$(neigh_mac vm2 "$A3")"
entries
send_expect "no binding: NA_VM3_MOVED reaches vm2" arrive vm1:eth0 vm2:eth0 "$NA_VM3_MOVED"
expect_eq "no binding: NA for vm3's address, option moved, poisons vm2's entry for vm3" "$M1" "$(neigh_mac vm2 "$A3")"
entries
send_expect "no binding: NA_OWN_MAC3 reaches vm2" arrive vm1:eth0 vm2:eth0 "$NA_OWN_MAC3"
expect_eq "no binding: NA for vm1's address with vm3's MAC rewrites vm2's entry for vm1" "$M3" "$(neigh_mac vm2 "$A1")"
entries
send_expect "no binding: NA_OWN_MAC3_MOVED reaches vm2" arrive vm1:eth0 vm2:eth0 "$NA_OWN_MAC3_MOVED"
expect_eq "no binding: the same, option moved behind a nonce" "$M3" "$(neigh_mac vm2 "$A1")"
attacks_succeed
$IP -n vm2 -6 neigh flush dev eth0

bind 1
bind 2
bind 3

# --- bound ---
entries
vt "NA for vm3's address" vif1 drop vm1:eth0 vm2:eth0 "$NA_VM3" nd_spoof=1
vt "NA for vm3's address, target option behind a nonce and an unknown option" vif1 drop \
	vm1:eth0 vm2:eth0 "$NA_VM3_MOVED" nd_spoof=1
vt "NA for its own address, target option with vm3's MAC" vif1 drop \
	vm1:eth0 vm2:eth0 "$NA_OWN_MAC3" nd_spoof=1
vt "NA for its own address, target option with vm3's MAC behind a nonce" vif1 drop \
	vm1:eth0 vm2:eth0 "$NA_OWN_MAC3_MOVED" nd_spoof=1
vt_run
expect_eq "after the attacks: vm2's entry for vm3 is still vm3's MAC" "$M3" "$(neigh_mac vm2 "$A3")"
expect_eq "after the attacks: vm2's entry for vm1 is still vm1's MAC" "$M1" "$(neigh_mac vm2 "$A1")"
attacks_fail

# --- what keeps working ---
vt "NA for its own address, own MAC" vif1 arrive vm1:eth0 vm2:eth0 \
	"$NA target=$A1 tll=$M1" passed=1
vt "NA for its own address, own MAC behind a nonce" vif1 arrive vm1:eth0 vm2:eth0 \
	"$NA target=$A1 opts=nonce,tll:$M1" passed=1
vt "NA for its own link-local address, to all nodes" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"na $S target=$LL1 flags=O" passed=1
vt "NS for vm2, own MAC in the source option" vif1 arrive vm1:eth0 vm2:eth0 \
	"ns $S target=$A2" passed=1
vt "DAD NS from :: for its own address" vif1 arrive vm1:eth0 vm2:eth0,vm3:eth0 \
	"ns src_mac=$M1 target=$A1" passed=1
vt "RS from its link-local address, own MAC" vif1 arrive vm1:eth0 vm3:eth0 \
	"rs $S" passed=1
vt_run
ctl port addr add vif1 2001:db8:1::/64
vt "NA for an address inside a bound prefix" vif1 arrive vm1:eth0 vm2:eth0 \
	"$NA target=2001:db8:1::77 tll=$M1" passed=1
vt_run

# The kernels' own: DAD of a new address completes, and detects a
# duplicate; neighbour resolution both ways from empty caches.
b=$(counters vif1)
watch_start vm2:eth0
ctl port addr add vif1 2001:db8::1:1
$IP -n vm1 addr add 2001:db8::1:1/64 dev eth0
watch_check "vm1's DAD probe for 2001:db8::1:1 reaches vm2" vm2:eth0 \
	"ip_src=:: icmp_type=135 nd_target=2001:db8::1:1"
check "vm1's new address passes DAD" wait_dad vm1 2001:db8::1:1
check "vm2 -> vm1's new address ping" n2 ping -c 1 -W 5 2001:db8::1:1
expect_counters "DAD and ping: vif1 passed, nothing dropped" "$b" "$(counters vif1)" passed=+
# Two VMs bound to one address (an orchestrator's mistake): DAD tells.
ctl port addr add vif2 "$A3"
$IP -n vm2 addr add "$A3/64" dev eth0
rc=0
wait_dad vm2 "$A3" || rc=$?
expect_eq "vm2 taking vm3's address: DAD fails (vm3's NA reached vm2)" "1 (dadfailed)" "$rc$([ $rc = 1 ] && echo ' (dadfailed)')"
$IP -n vm2 addr del "$A3/64" dev eth0
ctl port addr del vif2 "$A3"
for k in 1 3; do $IP -n "vm$k" -6 neigh del "$A2" dev eth0; done
for k in 1 2 3; do $IP -n "vm$k" -6 neigh flush dev eth0; done
b=$(counters vif1)
check "vm1 -> vm2 ping, empty neighbour caches" n1 ping -c 1 -W 5 "$A2"
check "vm2 -> vm1 ping" n2 ping -c 1 -W 5 "$A1"
check "vm3 -> vm1 ping, link-local" n3 ping -c 1 -W 5 "$LL1%eth0"
expect_counters "neighbour resolution: vif1 passed, nothing dropped" "$b" "$(counters vif1)" passed=+
expect_eq "vm2 learnt vm1's MAC" "$M1" "$(neigh_mac vm2 "$A1")"
expect_eq "vm1 learnt vm2's MAC" "$M2" "$(neigh_mac vm1 "$A2")"
