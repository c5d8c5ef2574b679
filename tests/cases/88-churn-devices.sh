#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration churn under traffic, 2 of 4: devices deleted, recreated
# and moved to another namespace under traffic and churn.  (tests/lib/
# churn.sh has the oracle, the topology and what the four files share.)
#
#   cycled    two churned ports' devices (vif31/32) deleted and recreated
#             in the background, frames sent from them (churn.py send,
#             which opens a device again whenever it is back), three
#             processes churning vif1-8 and vif31/32 (no REPLACE: it
#             would unbind vif41 behind the next checks' back)
#   vif41     meanwhile, one port step by step: bound, its frames arrive;
#             its device deleted, its binding goes with it; the recreated
#             device of the same name is unbound and, bridge on "unbound
#             drop", lets nothing through (br0's unbound drops show its
#             frames reach the bridge) until it is bound again
#   listing   every binding listed is a device of "host", same name and
#             ifindex
#   nsmove    a device moved to another namespace while an APPLY naming
#             it stages: its binding must go with it (churn.py nsmove)
#   end       churn_end (tests/lib/churn.sh)
#
# Time: vif41's cycles for 0.6 of VMFENCE_CHURN_SECONDS (6 s at least;
# one cycle at least, and no more once the file is late, churn_late),
# namespace moves for up to 20 s; about 55 s on Debian's kernel under TCG.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/churn.sh"

S2=$(( S * 6 / 10 < 6 ? 6 : S * 6 / 10 ))

churn_up
check "bind everything (apply the full document)" ctl apply "$D/full.json"
pg_start
tlog "bound, traffic started"
# Frames from the cycled ports and the step-by-step one: churn.py send,
# which opens a device again whenever it is back.
args=()
for p in $CYCLED; do args+=(--port "peers:p$p:$p:4:mixed:${SINK0//:/-}"); done
args+=(--port "peers:p$LIFE:$LIFE:5:allowed:${SINK0//:/-}")
spawn send2 - send "${args[@]}" --fps 1000 --nice 5 --ready "$D/ready-send2" --out "$D/send2.json"
# No REPLACE documents here (they would unbind vif$LIFE behind the
# step-by-step checks' back), no global reset (br0's counters are read).
NOREPLACE=1 churners devices --ports "$PORTS2" --flip "$FLIPS" --volatile
reader devices --flip "$FLIPS"
wait_ready devices
for ((i = 0; i < 600; i++)); do [ -e "$D/ready-send2" ] && break; nap 0.1; done
tlog "churners and sender running"

# recreate P BRIDGE: port P's veth pair anew, same names.
recreate() {
	$IP -n host link add "vif$1" type veth peer name "p$1" netns peers
	$IP -n host link set "vif$1" master "$2" up
	$IP -n peers link set "p$1" up
}
# The churned ports' devices: deleted and recreated, one after the other,
# until the step-by-step port is done.
rm -f "$D/stop-cycle"
(
	n=0
	while [ ! -e "$D/stop-cycle" ]; do
		for p in $CYCLED; do
			$IP -n host link del "vif$p" 2>/dev/null || true
			nap 0.3
			recreate "$p" br0 2>/dev/null || true
			n=$((n + 1))
			nap 1
		done
	done
	echo "$n" >"$D/cycles"
) &
CYCLE_PID=$!

s1=$(snap)
t=$(now)
n_life=0
bad_gone= bad_unbound= bad_pass= bad_drop= bad_rebound=
while :; do
	n_life=$((n_life + 1))
	# Bound: its frames arrive.
	arrives l_any 10 || bad_rebound+="cycle $n_life: bound vif$LIFE, nothing arrived in 10 s; "
	tlog "vif$LIFE cycle $n_life: bound, frames arrive"
	# The device goes, its binding with it.  (Listed before: a query
	# that lists nothing would prove nothing.)
	if ! bound_list bl || [[ " $bl " != *" vif$LIFE:"* ]]; then
		bad_gone+="cycle $n_life: bound vif$LIFE not listed before its deletion: ${bl:0:300}; "
	fi
	$IP -n host link del "vif$LIFE"
	if ! bound_list bl || [[ " $bl " == *" vif$LIFE:"* ]]; then
		bad_gone+="cycle $n_life: vif$LIFE deleted: ${bl:0:300}; "
	fi
	# A new device of the same name: unbound, and on br0 ("unbound drop")
	# nothing from it passes.
	recreate "$LIFE" br0
	if ! bound_list bl || [[ " $bl " == *" vif$LIFE:"* ]]; then
		bad_unbound+="cycle $n_life: the new vif$LIFE: ${bl:0:300}; "
	fi
	tlog "vif$LIFE cycle $n_life: recreated"
	# Until the sender's frames from the new device reach br0 (and are
	# dropped there as unbound), and 1 s more: nothing arrives.
	a=$(snap)
	ub1=$(bridge_drops br0)
	for ((i = 0; i < 60; i++)); do
		ub2=$(bridge_drops br0)
		[ "$ub2" -gt "$ub1" ] && break
		nap 0.25
	done
	nap 1
	b=$(snap)
	ub2=$(bridge_drops br0)
	[ "$(d l_any "$a" "$b")" = 0 ] || bad_pass+="cycle $n_life: $(d l_any "$a" "$b") frames of the unbound new vif$LIFE arrived; "
	[ "$ub2" -gt "$ub1" ] || bad_drop+="cycle $n_life: br0's unbound drops did not move in 15 s ($ub1 -> $ub2); "
	ctl port set "vif$LIFE" mac "$(mac $LIFE 1)" ip "10.$LIFE.1.0/24" ip "$(printf '2001:db8:%x:1::/64' $LIFE)"
	tlog "vif$LIFE cycle $n_life: bound again"
	[ "$(since "$t")" -lt "$S2" ] && ! churn_late || break
done
arrives l_any 10 || bad_rebound+="at the end: bound vif$LIFE, nothing arrived in 10 s; "
touch "$D/stop-cycle"
wait "$CYCLE_PID" 2>/dev/null || true
s2=$(snap)
dt=$(secs "$t" "$(now)")
stop_all devices
cs kill send2 TERM
cs wait send2 --timeout 60 >/dev/null
expect_eq "vif$LIFE: $n_life times deleted: its binding went with it" "" "$bad_gone"
expect_eq "vif$LIFE: the recreated device of the same name is unbound" "" "$bad_unbound"
expect_eq "vif$LIFE: nothing from the unbound new device passes (br0 unbound drop)" "" "$bad_pass"
expect_eq "vif$LIFE: ... though its frames reach br0 (dropped as unbound)" "" "$bad_drop"
expect_eq "vif$LIFE: bound again, its frames arrive" "" "$bad_rebound"
expect_zero "cycled: no never-allowed source of vif31/32 (devices cycled, churned) delivered" "$(d r_forb "$s1" "$s2")"
expect_zero "cycled: no never-allowed source of vif1-8 delivered" "$(d o_forb "$s1" "$s2")"
expect_zero "vif$LIFE: no never-allowed source delivered" "$(d l_forb "$s1" "$s2")"
expect_some "cycled: allowed sources of the cycled ports delivered" "$(d r_ok "$s1" "$s2")"
churn_report devices
note "cycled: in ${dt}s, $(cat "$D/cycles" 2>/dev/null) devices deleted and recreated in the background, vif$LIFE $n_life times; sender: $(cs run get "$D/send2.json" '"%s frames/s, %d device (re)opens" % (d["fps"], sum(p["opens"] for p in d["ports"].values()))')"
# No binding outlives its device: every port listed is a device of "host"
# of that name and ifindex.
links=" $(cs run query host links) "
bad=
if bound_list bl; then
	[[ " $bl " == *" vif$LIFE:"* ]] || bad+="vif$LIFE, bound again, not listed: $bl; "
	for w in $bl; do
		[[ $links == *" $w "* ]] || bad+="$w "
	done
else
	bad=$bl
fi
expect_eq "listing: every binding listed is an existing device's, same name and ifindex" "" "$bad"

# A device moved to another namespace while an APPLY that names it is
# staging (32 other entries of 256 addresses make staging take a while):
# its binding must go with it, as when it is deleted.  (A binding left
# behind points at a device this namespace does not have; once that
# device is freed, "port show" reads freed memory.  churn.py nsmove moves
# the device back after each round, which makes such an entry harmless
# again, and unbinds it.)
$IP netns add other
{ echo "link add mv0 type dummy"; for i in $(seq 1 32); do echo "link add mvd$i type dummy"; done; } >"$D/mv.batch"
$IP -n host -batch "$D/mv.batch"
spawn nsmove host nsmove --dev mv0 --other other --count 32 --addrs 256 --rounds 40 --seconds 20 \
	--first --seed $RANDOM --out "$D/nsmove.json"
cs wait nsmove --timeout 300 >/dev/null
r=$(cs run get "$D/nsmove.json" '"%d %d %s %d %s" % (d["stale"], d["rounds"], d["apply_ms"], d["move_errors"], " | ".join(d["details"]))' --default "? 0 0 1 no summary: $(tail -n 3 "$D/nsmove.log")")
set -- $r
expect_eq "nsmove: devices moved to another namespace ($2 times, each during an APPLY naming it, ${3} ms)" 0 "$4"
expect_eq "nsmove: ... no binding left behind in the namespace they left" 0 "$1"
[ "$1$4" = 00 ] || record FAIL "nsmove: what the namespace moves left behind" "${*:5}"
# (The dummies, unbound again, go with "host" at the end: deleting
# devices is slow on a debug kernel.)
$IP netns del other

tlog "the end"
churn_end
