#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration churn under traffic, 3 of 4: network namespaces with a
# bridge, bindings, churn and traffic destroyed, repeatedly, while churn
# goes on in "host" (and the reader walks every namespace's tables in
# debugfs).  (tests/lib/churn.sh has the oracle, the topology and what
# the four files share.)
#
#   netns     namespace dieN: a bridge brD with vif51/52 (frames from their
#             peers, churn.py send) and a trusted port to the sink, bound
#             and set to "unbound drop" before its ports join the bridge,
#             churned from inside for 1.5 s, then deleted with its
#             bindings: its devices go, its ports leave debugfs, and no
#             never-allowed source through it ever arrives; meanwhile
#             nothing never-allowed of vif1-8 (churned in "host") either
#   end       churn_end (tests/lib/churn.sh)
#
# Time: max(3, VMFENCE_CHURN_SECONDS / 5) namespaces within about S
# seconds (2 at least, and no more once the file is late, churn_late);
# about 55 s on Debian's kernel under TCG.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/churn.sh"

ROUNDS3=$(( S / 5 < 3 ? 3 : S / 5 ))

churn_up
check "bind everything (apply the full document)" ctl apply "$D/full.json"
pg_start
tlog "bound, traffic started"
churners netns --ports "$PORTS1" --flip "$FLIPS"
reader netns --flip "$FLIPS"
args=()
for p in $DYING; do args+=(--port "peers:p$p:$p:6:mixed:${SINKD//:/-}"); done
spawn send3 - send "${args[@]}" --fps 1000 --nice 5 --out "$D/send3.json"
wait_ready netns
s1=$(snap)
t=$(now)
bad_left= bad_slow= bad_churn= nports_seen=0 die_changes=0 r=0
while [ $r -lt "$ROUNDS3" ] && { [ $r -lt 2 ] || { [ "$(since "$t")" -lt "$S" ] && ! churn_late; }; }; do
	r=$((r + 1))
	ns=die$r
	$IP netns add $ns
	# The ports are bound, and the bridge set to "unbound drop", before
	# they join the bridge: no moment without protection.
	{
		echo "link set lo up"
		echo "link add brD type bridge mcast_snooping 0"
		echo "link add vifSD type veth peer name sd address $SINKD netns sink"
		for p in $DYING; do
			echo "link add vif$p type veth peer name p$p netns peers"
		done
	} >"$D/die.batch"
	$IP -n $ns -batch "$D/die.batch"
	$IP netns exec $ns "$CTL" apply "$D/dying.json"
	{
		for p in $DYING; do echo "link set vif$p master brD up"; done
		echo "link set vifSD master brD up"
		echo "link set brD up"
	} >"$D/die.batch"
	$IP -n $ns -batch "$D/die.batch"
	{ for p in $DYING; do echo "link set p$p up"; done; } >"$D/diepeers.batch"
	$IP -n peers -batch "$D/diepeers.batch"
	$IP -n sink link set sd up
	bridge -n $ns fdb add $SINKD dev vifSD master static
	inum=$(stat -L -c %i "/run/netns/$ns")
	# Churn inside (bounded: a process in the namespace keeps it alive),
	# traffic through it.
	spawn "die$r" $ns churn --seconds 1.5 --ports "$PORTSD" --trusted vifSD --trusted-mac $SINKD \
		--drop-bridges brD --seed $((RANDOM + r)) --out "$D/die$r.json" \
		--mix "set=3,add=2,rm=2,apply=1,replace=0.5,del=1"
	cs wait "die$r" --timeout 120 >/dev/null
	u=$(cs run get "$D/die$r.json" '"%d %d %s" % (d["unexpected"], d["changes"], "; ".join(d["unexpected_samples"][:3]))' --default "1 0 no summary")
	set -- $u
	[ "$1" = 0 ] || bad_churn+="die$r: $u; "
	die_changes=$((die_changes + $2))
	n=$(grep -c "^netns $inum " /sys/kernel/debug/vmfence/ports || true)
	nports_seen=$((nports_seen + n))
	tlog "die$r: made, churned; deleting it"
	# Destroyed with its bindings, frames still coming.
	$IP netns del $ns
	gone=0
	for ((i = 0; i < 150; i++)); do
		links=" $(cs run query peers links) $(cs run query sink links) "
		if [[ $links != *" p${DYING%% *}:"* && $links != *" sd:"* ]]; then
			gone=1
			break
		fi
		nap 0.1
	done
	[ $gone = 1 ] || bad_slow+="die$r: its devices still there after 15 s; "
	tlog "die$r: gone"
	n=$(grep -c "^netns $inum " /sys/kernel/debug/vmfence/ports || true)
	[ "$n" = 0 ] || bad_left+="die$r (netns $inum): $n ports left in debugfs; "
done
s2=$(snap)
dt=$(secs "$t" "$(now)")
stop_all netns
cs kill send3 TERM
cs wait send3 --timeout 60 >/dev/null
check "netns: the doomed namespaces' bindings were in debugfs ($nports_seen in $r namespaces)" test "$nports_seen" -gt 0
expect_eq "netns: $r namespaces destroyed with bindings: their devices went" "" "$bad_slow"
expect_eq "netns: ... and no port of theirs is left in debugfs" "" "$bad_left"
expect_eq "netns: churn inside them met no unexpected error" "" "$bad_churn"
expect_zero "netns: no never-allowed source through the doomed namespaces delivered" "$(d d_forb "$s1" "$s2")"
expect_some "netns: allowed sources through the doomed namespaces delivered" "$(d d_ok "$s1" "$s2")"
expect_zero "netns: no never-allowed source of vif1-8 delivered" "$(d o_forb "$s1" "$s2")"
churn_report netns
note "netns: $r namespaces in ${dt}s, $die_changes changes inside them; sender: $(cs run get "$D/send3.json" 'd["fps"]') frames/s"

tlog "the end"
churn_end
