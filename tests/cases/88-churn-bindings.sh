#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration churn under traffic, 1 of 4: bindings replaced again and
# again by several processes while frames flow from many ports, and no
# forbidden frame delivered at any moment.  (tests/lib/churn.sh has the
# oracle, the topology and what the four files share.)
#
#   control   the traffic, nothing bound, bridge "pass": never-allowed
#             sources arrive (the oracle can fail); then everything bound,
#             no churn: none does, allowed ones do
#   churn     pktgen into 12 ports (5 kinds of source each for the 8 of
#             the oracle); 3 churning processes: PORT_SET with varying
#             address sets and seq, PORT_ADDR_ADD/DEL, APPLY documents
#             with and without REPLACE, PORT_DEL then PORT_SET,
#             STATS_RESET, BRIDGE_SET, mode flips; a process dumping
#             PORT_GET, STATS_GET, BRIDGE_GET and reading debugfs and
#             sysfs; drop events listened to.  Nothing never-allowed
#             arrives, allowed frames do, the flips' controls let theirs
#             through, and the totals count drops as mac_spoof, ip4_spoof
#             and ip6_spoof
#   model     one process alone, each result checked against a model of
#             the semantics; then "port show" against the model's table
#             (ports_diff)
#   end       churn_end (tests/lib/churn.sh): "port show" is exactly the
#             document applied last, counters after a reset, what passed
#             is what arrived
#
# Time: VMFENCE_CHURN_SECONDS (S, default 20) of churn, S/5 (3 at least)
# of the model; about 55 s on Debian's kernel under TCG.  The long
# version, e.g. 10 minutes of churn:
#   VM_APPEND=VMFENCE_CHURN_SECONDS=600 VMFENCE_CASE_TIMEOUT=3600 \
#       VMFENCE_TEST_TIMEOUT=4000 tests/run 88-churn-bindings
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/churn.sh"

churn_up

# ============================ control: nothing bound ==================================
pg_start
nap 1
a=$(snap)
nap 2
b=$(snap)
expect_some "control: ports unbound, bridge \"pass\": never-allowed sources arrive" "$(d o_forb "$a" "$b")" \
	"the receivers must see forbidden frames when nothing filters, or the oracle cannot fail"
expect_some "control: allowed sources arrive" "$(d o_ok "$a" "$b")"
note "control: $(d o_forb "$a" "$b") never-allowed and $(d o_ok "$a" "$b") allowed frames in 2 s, e.g. $(samples | head -n 1)"
check "bind everything (apply the full document)" ctl apply "$D/full.json"
nap 0.5
# Never-allowed frames from now on are failures: their samples start anew.
kill -USR2 "$SINK_PID"
a=$(snap)
nap 1
b=$(snap)
expect_zero "bound, no churn: no never-allowed source delivered" "$(d o_forb "$a" "$b")"
expect_some "bound, no churn: allowed sources delivered" "$(d o_ok "$a" "$b")"

tlog "control done"
# ============================ binding churn ===========================================
$IP netns exec host "$CTL" -j monitor >/dev/null 2>&1 &
MON_PID=$!
churners bindings --ports "$PORTS1" --flip "$FLIPS"
reader bindings --flip "$FLIPS"
wait_ready bindings
s1=$(snap)
n0=$(pg_sent)
t=$(now)
nap "$S"
t1=$(now)
s2=$(snap)
n1=$(pg_sent)
stop_all bindings
kill "$MON_PID" 2>/dev/null || true
wait "$MON_PID" 2>/dev/null || true
expect_zero "churn: no never-allowed source delivered during ${S}s of churn" "$(d o_forb "$s1" "$s2")"
expect_some "churn: allowed sources delivered" "$(d o_ok "$s1" "$s2")"
expect_some "churn control: trusted flips let vif11/12's never-allowed frames through" "$(d f_forb "$s1" "$s2")" \
	"the flips to trusted must show at the receivers"
expect_some "churn control: br1 flipped to pass lets unbound vif$UNB through" "$(d u_any "$s1" "$s2")"
churn_report bindings
delivered=$(( $(d o_ok "$s1" "$s2") + $(d f_ok "$s1" "$s2") + $(d f_forb "$s1" "$s2") + $(d u_any "$s1" "$s2") ))
note "churn: pktgen $(rate $((n1 - n0)) $((t1 - t))) frames/s into 12 ports, $(rate "$delivered" $((t1 - t))) frames/s delivered"
note "churn: counters since the last reset: $(jsq '" ".join("%s=%d" % (k, v) for k, v in sorted(d["total"]["drops"].items()) if v) + " passed=%d" % d["total"]["passed"]' -j stats)"
# The reasons among these that counted nothing ("" if all did).
expect_eq "churn: drops counted under mac_spoof, ip4_spoof, ip6_spoof (the namespace's totals)" "" \
	"$(jsq '" ".join("%s=%d" % (r, d["total"]["drops"].get(r, 0)) for r in ("mac_spoof", "ip4_spoof", "ip6_spoof") if not d["total"]["drops"].get(r))' -j stats 2>&1)"

# One process alone, each result predicted by a model; then "port show"
# against the model (traffic still flowing).
a=$(snap)
spawn model host model --seconds "$(( S / 5 < 3 ? 3 : S / 5 ))" --ports "$PORTS1" --drop-bridges br0 \
	--seed $RANDOM --expect-out "$D/model-expect.json" --out "$D/model.json"
cs wait model --timeout 300 >/dev/null
b=$(snap)
r=$(cs run get "$D/model.json" '"%d %s %d %d %s" % (d["ops"], d["ops_per_s"], d["checks"], len(d["mismatches"]), " | ".join(d["mismatches"][:4]))' --default "0 0 0 1 no summary")
set -- $r
expect_eq "model: $1 operations, each result as the model predicts, the table as the model at $3 checkpoints" 0 "$4"
[ "$4" = 0 ] || record FAIL "model: the mismatches" "${*:5} $(tail -n 5 "$D/model.log")"
note "model: $1 operations from one process at $2/s"
# The model's table holds vif1-8 only (with their seq); the others are
# the full document's.
expect_ports "model: port show is what the last writes leave" "$D/model-expect.json" \
	only="$(map vif "$ORACLE" | sed 's/=[0-9]*//g')"
expect_zero "model: no never-allowed source delivered meanwhile" "$(d o_forb "$a" "$b")"

tlog "the end"
churn_end
