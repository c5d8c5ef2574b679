#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration churn under traffic, 4 of 4: the module unloaded and
# loaded again under traffic and churn.  (tests/lib/churn.sh has the
# oracle, the topology and what the four files share.)
#
#   reload    rmmod and insmod under traffic and churn (the churners and
#             the reader survive the family going and coming back),
#             rebinding after each load: nothing never-allowed arrives
#             while the module is loaded and bound, allowed frames do;
#             while it is away, never-allowed frames do arrive (control)
#   end       churn_end (tests/lib/churn.sh), and on the debug kernel
#             kmemleak: no unreferenced object of vmfence's
#
# Time: max(3, VMFENCE_CHURN_SECONDS / 7) reloads within about S seconds
# (2 at least, and no more once the file is late, churn_late); about 60 s
# on Debian's kernel under TCG.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/churn.sh"

ROUNDS4=$(( S / 7 < 3 ? 3 : S / 7 ))

churn_up
check "bind everything (apply the full document)" ctl apply "$D/full.json"
pg_start
tlog "bound, traffic started"
churners reload --ports "$PORTS1" --flip "$FLIPS" --reload
reader reload --flip "$FLIPS" --reload
wait_ready reload
t=$(now)
prot=0 unprot=0 bad_rmmod= bad_apply= prot_ok=0 away=0 r=0
nap 0.5
while [ $r -lt "$ROUNDS4" ] && { [ $r -lt 2 ] || { [ "$(since "$t")" -lt "$S" ] && ! churn_late; }; }; do
	r=$((r + 1))
	a=$(snap)
	nap 1.5
	b=$(snap)
	prot=$((prot + $(d o_forb "$a" "$b")))
	prot_ok=$((prot_ok + $(d o_ok "$a" "$b")))
	ok=0
	for ((i = 0; i < 100; i++)); do
		if rmmod vmfence 2>/dev/null; then ok=1; break; fi
		nap 0.05
	done
	[ $ok = 1 ] || { bad_rmmod+="reload $r: rmmod refused 100 times (refcnt $(cat /sys/module/vmfence/refcnt 2>/dev/null)); "; break; }
	ta=$(now)
	nap 0.5
	insmod "$KO"
	ctl apply "$D/full.json" || bad_apply+="reload $r: the apply after insmod failed; "
	away=$((away + $(now) - ta))
	nap 0.3	# the frames let through before the apply arrive
	c=$(snap)
	unprot=$((unprot + $(d o_forb "$b" "$c")))
done
a=$(snap)
nap 1.5
b=$(snap)
prot=$((prot + $(d o_forb "$a" "$b")))
prot_ok=$((prot_ok + $(d o_ok "$a" "$b")))
stop_all reload
dt=$(secs "$t" "$(now)")
expect_eq "reload: $r times rmmod under traffic and churn" "" "$bad_rmmod"
expect_eq "reload: rebinding after each insmod" "" "$bad_apply"
expect_zero "reload: no never-allowed source delivered while loaded and bound" "$prot"
expect_some "reload: allowed sources delivered while loaded and bound" "$prot_ok"
expect_some "reload control: while unloaded, never-allowed sources arrive" "$unprot" \
	"frames go through unfiltered while the module is out"
churn_report reload
note "reload: $r reloads in ${dt}s; unprotected $(secs 0 "$away")s in all (rmmod to rebound)"

tlog "the end"
churn_end kmemleak
