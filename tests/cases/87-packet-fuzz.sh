#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A packet fuzzer (tests/lib/pktfuzz.py) against both hooks.  vm1 sends
# random and mutated frames (truncated, bogus lengths, deep IPv6
# extension-header chains, IPv4 and IPv6 fragments, first and later,
# VLAN/QinQ stacks, odd ARP, NS/NA/RS with odd, duplicated and zero-length
# options, DAD and ARP probes, DHCP/DHCPv6/RA/redirect variants, IGMP and
# MLD to the groups they may and may not go to, BPDUs, LLDP and other
# link-local frames, random ethertypes, random bytes; IPv4 options in
# front of every transport header; single header fields drawn anew, every
# bit) for a bounded time.
# The bridge learns nothing, so every frame that passes vif1's ingress
# hook is flooded to vm2 (trusted: not checked), but for the link-local
# groups other than the bridge group address, which the bridge keeps;
# vm3 (enforce) gets what also passes NF_BR_FORWARD towards it.  An
# independent model of README's rules (tests/lib/policy.py, checked
# against README's tables by tests/policy-test.py) judges every frame that
# arrived: one the model forbids is a finding (printed in hex with its
# reasons in this file's log).  The oracle: no finding, nothing in the
# kernel log (main.sh), every frame the model allows (and the bridge
# forwards) arrived, counted per category (the kind of frame, mutated or
# not): each category's allowed frames, and some of each kind that is
# mostly allowed (the floor: so that no kind is vacuous); and vif1's
# counters moved as the model says, each frame under the first rule it
# breaks in README's order of precedence.  Frames the kernel's backlog
# dropped (softnet_stat) excuse as many missing frames, up to a bound (a
# thousandth of the frames sent, at least 5); beyond it the phase runs
# again, once, and then fails.
#
#   control   vm1 unbound: the model (vm1's binding-to-be) must report
#             findings at vm2 and at vm3, so the checks can fail; what
#             reaches vm3 is still judged by the towards-VM rules, which
#             must hold.
#   deny      vm1 bound (enforce, allow-ethertype 0x88b5 and 0x8100:
#             tagged frames pass unchecked inside, but for the multicast
#             rule on their Ethernet destination; multicast deny)
#   allow     "multicast allow", 0x8100 no longer allowed (tags: vlan)
#   mismatch  a second control: vm1 still "multicast allow", the model
#             told "deny": findings expected at vm2 and vm3, and vif1's
#             counters unlike the model's (a bound port's checks can fail
#             too)
#
# tests/cases/89-mutations.sh shows, with the testing build, that the
# fuzzer finds each check turned off (test_skip).
#
# Time: VMFENCE_FUZZ_SECONDS of fuzzing (default 45: a third control, 3 s
# mismatch, the rest protected), from the environment or the guest's
# kernel command line (tests/run's VM_APPEND); the seed is VMFENCE_FUZZ_SEED
# (default random), printed: the frame sequence depends on it and the
# phase only.  Fuzzing is cut short if the file would not end within its
# limit (CASE_TIMEOUT: 420 s, 1200 s with --debug-kernel).  About 2 minutes
# in all on Debian's kernel, 4 on the debug kernel.  The long version:
#
#   VMFENCE_CASE_TIMEOUT=2400 VMFENCE_TEST_TIMEOUT=3000 \
#   VM_APPEND="VMFENCE_FUZZ_SECONDS=1800" VMFENCE_TEST_KEEP=1 \
#   VMFENCE_TEST_OUT=$PWD/tests/out-pktfuzz tests/run [--debug-kernel] 87
#
# A finding names its frame ("frame #K ... seed S phase P"):
#   tests/lib/pktfuzz.py gen --seed S --phase P --index K
# rebuilds it and prints the model's verdicts without a guest; pkt.py's
# "raw hex=..." frame spec sends it again.
. "$(dirname "$0")/../lib.sh"

FUZZ=$REPO/tests/lib/pktfuzz.py

SECS=$(setting VMFENCE_FUZZ_SECONDS 45)
SEED=$(setting VMFENCE_FUZZ_SEED "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')")
if ! [[ $SECS =~ ^[0-9]+$ ]] || [ "$SECS" -lt 3 ]; then
	echo "VMFENCE_FUZZ_SECONDS=$SECS: want whole seconds, 3 or more" >&2
	exit 1
fi
note "fuzzing ${SECS}s, seed $SEED (VMFENCE_FUZZ_SEED=$SEED reproduces the frames)"

M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
# What vm1 may send (its binding, in pktfuzz.py's words: "port set" takes
# the same with spaces) and what vm3 may receive: prefixes of many
# lengths, the generator picks addresses inside them and just outside
# (one network bit flipped).  Three of vm1's prefixes cover addresses
# that vm3 (10.0.0.103, 2001:db8::ff:3, its EUI-64 link-local) or vm2
# (its EUI-64 link-local: a trusted port's binding) hold exactly, which
# are then not vm1's (README, "Owned": the claims rule).  pktfuzz.py's
# "gen" and "judge" default to these.
ATTACKER="mac=$M1 ip=$(vm_ip4 1) ip=10.1.0.0/24 ip=10.2.0.0/16 ip=10.4.5.128/25 ip=10.6.0.0/31"
ATTACKER+=" ip=10.0.0.96/27 ip=$(vm_ip6 1) ip=2001:db8:1::/64 ip=2001:db8:5::/48"
ATTACKER+=" ip=2001:db8:6:0:8000::/65 ip=2001:db8:7::/127 ip=2001:db8:8::a:0/112"
ATTACKER+=" ip=2001:db8::ff:0/112 ip=fe80::1:1 ip=fe80::/64 allow-ethertype=0x88b5"
VLAN=" allow-ethertype=0x8100"
TRUSTED="mac=$M2 mode=trusted"
RECEIVER="mac=$M3 ip=$(vm_ip4 3) ip=$(sink_ip4 3) ip=10.3.0.0/24 ip=10.5.0.0/20"
RECEIVER+=" ip=$(vm_ip6 3) ip=$(sink_ip6 3) ip=2001:db8:3::/64 ip=2001:db8:9::/100 ip=2001:db8:8000::/33"

# pktfuzz.py serves every run: Python starts once, while the topology is
# set up.  Commands on fd FZ_IN, an answer line each on
# FZ_OUT; its reports (stderr) go to this file's log.
mkfifo "$TESTTMP/fz.in" "$TESTTMP/fz.out"
$PY -S "$FUZZ" serve <"$TESTTMP/fz.in" >"$TESTTMP/fz.out" &
FZ_PID=$!
exec {FZ_IN}>"$TESTTMP/fz.in" {FZ_OUT}<"$TESTTMP/fz.out"
# The kernel's backlog (per CPU, frames received and not yet processed):
# large, so that a burst of the fuzzer's frames is not dropped there.
BACKLOG=$(cat /proc/sys/net/core/netdev_max_backlog)
echo 20000 >/proc/sys/net/core/netdev_max_backlog
cleanup() {
	exec {FZ_IN}>&- {FZ_OUT}<&-
	echo "$BACKLOG" >/proc/sys/net/core/netdev_max_backlog
}

T0=$EPOCHREALTIME
topo_up 3
# Silent stacks: the observers only watch (raw sockets), and nothing but
# the fuzzer's frames crosses the bridge.  No learning: the bridge floods
# every unicast frame, so vm2 sees all that vmfence lets in.
for k in 1 2 3; do
	# shellcheck disable=SC2016	# for the inner shell
	n "vm$k" sh -c 'for f in all default eth0; do echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6; done'
	$IP -n "vm$k" addr flush dev eth0
	$IP -n host link set "vif$k" type bridge_slave learning off
done
$IP -n host link set br0 type bridge fdb_flush
# shellcheck disable=SC2086	# words
ctl port set vif2 ${TRUSTED//=/ }
# shellcheck disable=SC2086	# words
ctl port set vif3 ${RECEIVER//=/ }
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
SETUP=$(secs_since "$T0")
note "setup: ${SETUP}s"

# main.sh kills a file after CASE_TIMEOUT seconds (420 by default, in
# tests/run's config): on a slow guest (a debug kernel, a loaded host)
# fuzz less rather than be killed.  What is left to do besides fuzzing
# (settling, the checks, the teardown) costs about twice the setup.
BUDGET=${CASE_TIMEOUT:-$(sed -n 's/^CASE_TIMEOUT=\([0-9][0-9]*\)$/\1/p' "$VMFENCE_OUT/config" 2>/dev/null)}
BUDGET=${BUDGET:-420}
MAX_SECS=$((BUDGET - SECONDS - 2 * ${SETUP%.*} - 30))
if [ "$SECS" -gt "$MAX_SECS" ]; then
	SECS=$((MAX_SECS > 9 ? MAX_SECS : 9))
	note "fuzzing ${SECS}s only, to end within the file's limit of ${BUDGET}s (VMFENCE_CASE_TIMEOUT)"
fi

# res PHASE KEY: a count from pktfuzz.py's --result file (read once:
# no process per look-up, which costs under TCG).
declare -A RES=()
res_load() {
	local k v
	while read -r k v; do RES[$1:$k]=$v; done <"$TESTTMP/$1.res"
}
res() { printf '%s' "${RES[$1:$2]:-}"; }
counter() { [[ " $1 " =~ \ $2=([0-9]+)\  ]] && echo "${BASH_REMATCH[1]}" || echo 0; }

# model_counters PHASE BEFORE AFTER [LOST]: where vif1's counters moved
# other than the model says for the frames sent (every frame counted
# once, under the first rule it breaks in README's order of precedence,
# or passed; a range where README leaves the reason or the verdict open;
# each counter, and the total, up to LOST less: frames the backlog
# dropped before vif1's hook): empty if nowhere.
model_counters() {
	local p=$1 lost=${4:-0} w k d lo hi out='' total
	local -A b=() a=() seen=()
	for w in $2; do b[${w%%=*}]=${w#*=}; done
	for w in $3; do a[${w%%=*}]=${w#*=}; done
	for k in "${!a[@]}"; do
		[ "$k" = dropped ] && continue
		seen[$k]=1
		d=$(( ${a[$k]} - ${b[$k]:-0} ))
		lo=$(res "$p" "count_${k}_lo")
		hi=$(res "$p" "count_${k}_hi")
		if [ "$d" -lt "$(( ${lo:-0} - lost ))" ] || [ "$d" -gt "${hi:-0}" ]; then
			out+="$k moved by $d, the model says ${lo:-0}..${hi:-0}$([ "$lost" = 0 ] || echo " (less up to $lost lost)"); "
		fi
	done
	# A reason the model expects that vmfencectl does not show.
	for k in "${!RES[@]}"; do
		[[ $k =~ ^$p:count_(.*)_lo$ ]] || continue
		k=${BASH_REMATCH[1]}
		[ -n "${seen[$k]:-}" ] || [ "$(res "$p" "count_${k}_lo")" = 0 ] ||
			out+="no counter $k, the model says $(res "$p" "count_${k}_lo")..$(res "$p" "count_${k}_hi"); "
	done
	total=$(res "$p" count_total)
	d=$(( $(counter "$3" passed) + $(counter "$3" dropped) - $(counter "$2" passed) - $(counter "$2" dropped) ))
	if [ "$d" -gt "$total" ] || [ "$d" -lt "$((total - lost))" ]; then
		out+="passed+dropped moved by $d for $total frames sent$([ "$lost" = 0 ] || echo " (up to $lost lost)"); "
	fi
	printf '%s' "$out"
}

# fuzz PHASE SECONDS [pktfuzz.py options]: one run; its report goes to
# this file's log.
fuzz() {
	local phase=$1 secs=$2 answer='' t=$EPOCHREALTIME
	shift 2
	if ! kill -0 "$FZ_PID" 2>/dev/null; then
		record FAIL "$phase: pktfuzz.py ran" "expected: pktfuzz.py serving; saw: it exited (see the log)"
		return 1
	fi
	printf '%q ' run --from vm1:eth0 --trusted vm2:eth0 --enforce vm3:eth0 \
		--attacker "${MODEL_ATTACKER:-$ATTACKER}" --receiver "$RECEIVER" --neighbour "$TRUSTED" --other-mac "$M2" \
		--local-mac 02:00:00:00:ff:ff --local-mac "$(vif_mac 1)" \
		--local-mac "$(vif_mac 2)" --local-mac "$(vif_mac 3)" \
		--seed "$SEED" --phase "$phase" --seconds "$secs" \
		--result "$TESTTMP/$phase.res" "$@" >&"$FZ_IN"
	printf '\n' >&"$FZ_IN"
	read -r -t $((secs + 300)) answer <&"$FZ_OUT" || true
	if [ "$answer" != ok ] || [ ! -s "$TESTTMP/$phase.res" ]; then
		record FAIL "$phase: pktfuzz.py ran" "expected: its answer \"ok\" and a result file; saw: \"$answer\" (see the log)"
		return 1
	fi
	res_load "$phase"
	note "$phase: $(res "$phase" sent) frames in $(res "$phase" seconds)s ($(secs_since "$t")s with settling and accounting; $(res "$phase" allow) allowed, $(res "$phase" forbid) forbidden, $(res "$phase" undecided) undecided by the model, $(res "$phase" undecided_towards) towards vm3); delivered: vm2 $(res "$phase" at_trusted), vm3 $(res "$phase" at_enforce); findings: vm2 $(res "$phase" findings_trusted), vm3 $(res "$phase" findings_enforce); legitimate arrived: vm2 $(res "$phase" legit_trusted_seen)/$(res "$phase" legit_trusted_sent), vm3 $(res "$phase" legit_enforce_seen)/$(res "$phase" legit_enforce_sent)"
}

# lost PHASE: the frames the kernel's backlog dropped during the phase
# (softnet_stat; frames of any kind, on any device), if within the bound
# tolerated; "over" beyond it.
lost() {
	local d sent
	d=$(res "$1" softnet_drops) sent=$(res "$1" sent)
	if [ "${d:-0}" -gt "$(( sent / 1000 > 5 ? sent / 1000 : 5 ))" ]; then
		echo over
	else
		echo "${d:-0}"
	fi
}

# phase PHASE SECONDS [pktfuzz.py options]: fuzz, and once more if the
# backlog dropped more frames than tolerated; vif1's counters before and
# after the last run in B1, A1.
phase() {
	local p=$1 secs=$2
	shift 2
	B1=$(counters vif1)
	fuzz "$p" "$secs" "$@" || return 1
	A1=$(counters vif1)
	if [ "$(lost "$p")" = over ]; then
		note "$p: the kernel's backlog dropped $(res "$p" softnet_drops) frames (softnet_stat), more than tolerated: the phase once more"
		B1=$(counters vif1)
		fuzz "$p" "$secs" "$@" || return 1
		A1=$(counters vif1)
	fi
}

# checks_common PHASE: what holds bound or not.
checks_common() {
	local p=$1 l
	l=$(lost "$p")
	expect_eq "$p: the observers dropped nothing (packet socket drops at vm2, vm3)" "0 0" \
		"$(res "$p" drops_trusted) $(res "$p" drops_enforce)"
	expect_eq "$p: nothing the towards-VM rules forbid reached vm3" 0 "$(res "$p" findings_enforce_to)"
	expect_eq "$p: nothing arrived that the fuzzer did not send (the stacks are silent)" 0 "$(res "$p" foreign)"
	# Frames the kernel's own backlog dropped (softnet_stat) are lost on
	# the way whatever vmfence does: as many may be missing, no more.
	expect_eq "$p: the kernel's backlog dropped at most a thousandth of the frames (softnet_stat)" \
		"within the bound" "$([ "$l" = over ] && echo "$(res "$p" softnet_drops) of $(res "$p" sent)" || echo "within the bound")"
	[ "$l" = over ] && return 0
	[ "$l" = 0 ] || note "$p: $l frames lost in the kernel's backlog (softnet_stat): as many allowed frames may be missing"
	check "$p: legitimate frames reached vm2" \
		test "$(res "$p" legit_trusted_seen)" -gt 0
	check "$p: legitimate frames reached vm3" \
		test "$(res "$p" legit_enforce_seen)" -gt 0
	local k obs
	for k in trusted:vm2 enforce:vm3; do
		obs=${k#*:} k=${k%:*}
		if [ "$(res "$p" "missing_$k")" -le "$l" ]; then
			record ok "$p: every frame the model allows reached $obs (but for the $l the backlog lost)"
		else
			record FAIL "$p: every frame the model allows reached $obs (but for the $l the backlog lost)" \
				"expected: $(res "$p" "legit_${k}_sent") frames (at least $(( $(res "$p" "legit_${k}_sent") - l ))); saw: $(res "$p" "legit_${k}_seen") (see the log: \"allowed by the model, not seen\")"
		fi
		expect_eq "$p: each category's allowed frames reached $obs, and some of each kind mostly allowed (the floor; category:seen/allowed)" \
			"-" "$(res "$p" "floor_${k}_short")"
	done
}

T_CONTROL=$((SECS / 3))
T_MISMATCH=$((SECS >= 30 ? 3 : 1))
T_DENY=$(((SECS - T_CONTROL - T_MISMATCH) * 3 / 5))
T_ALLOW=$((SECS - T_CONTROL - T_MISMATCH - T_DENY))

# --- control: vm1 unbound ---
if phase control "$T_CONTROL" --unbound --show 3; then
	check "control (vm1 unbound): forbidden frames delivered at vm2 are reported" \
		test "$(res control findings_trusted)" -gt 0
	check "control (vm1 unbound): forbidden frames delivered at vm3 are seen" \
		test "$(res control forbidden_from_at_enforce)" -gt 0
	checks_common control
fi

# --- protected ---
for p in deny allow; do
	if [ $p = allow ]; then
		ATTACKER+=" multicast=allow"
		secs=$T_ALLOW
		# shellcheck disable=SC2086	# words
		ctl port set vif1 ${ATTACKER//=/ }
		phase $p "$secs" || continue
	else
		secs=$T_DENY
		# shellcheck disable=SC2086	# words
		ctl port set vif1 ${ATTACKER//=/ } ${VLAN//=/ }
		MODEL_ATTACKER=$ATTACKER$VLAN phase $p "$secs" || continue
	fi
	expect_eq "$p: no forbidden frame delivered at vm2 (trusted)" 0 "$(res $p findings_trusted)"
	expect_eq "$p: no forbidden frame delivered at vm3 (enforce)" 0 "$(res $p findings_enforce)"
	checks_common $p
	if [[ $B1 != passed=* || $A1 != passed=* ]]; then
		record FAIL "$p: vif1 counters" "unreadable: before: $B1; after: $A1"
		continue
	fi
	passed=$(( $(counter "$A1" passed) - $(counter "$B1" passed) ))
	dropped=$(( $(counter "$A1" dropped) - $(counter "$B1" dropped) ))
	note "$p: vif1 passed $passed, dropped $dropped; $(secs_since "$T0")s since setup began"
	l=$(lost $p)
	[ "$l" = over ] && continue
	# Frames to the link-local groups (LLDP, 802.1X, ...) pass vmfence
	# and stay with the bridge.
	kept=$((passed - $(res $p at_trusted)))
	lo=$(res $p kept_passed_lo) hi=$(res $p kept_passed_hi)
	got="$kept (passed $passed, seen at vm2 $(res $p at_trusted))"
	if [ "$kept" -ge "$((lo - l))" ] && [ "$kept" -le "$((hi + l))" ]; then got="$lo..$hi"; fi
	expect_eq "$p: vmfence passed (vif1 counters) the frames seen at vm2, and the link-local ones the bridge keeps" \
		"$lo..$hi" "$got"
	expect_eq "$p: vif1's counters moved as the model says, reason by reason" "" \
		"$(model_counters $p "$B1" "$A1" "$l")"
done

# --- control: a bound port, the model stricter than the binding ---
# The kernel has "multicast allow", the model believes "deny": its
# multicast frames are findings at vm2 and vm3, so the checks of a bound
# port can fail too.
if MODEL_ATTACKER=${ATTACKER% multicast=allow} phase mismatch "$T_MISMATCH" --show 3; then
	b1=$B1 a1=$A1
	check "control (vm1 bound with multicast allow, model: deny): findings at vm2" \
		test "$(res mismatch findings_trusted)" -gt 0
	check "control (vm1 bound with multicast allow, model: deny): findings at vm3" \
		test "$(res mismatch findings_enforce_from)" -gt 0
	# The counters too: multicast the model expects, passed instead.
	if [[ $b1 != passed=* || $a1 != passed=* ]]; then
		record FAIL "mismatch: vif1 counters" "unreadable: before: $b1; after: $a1"
	else
		mism=$(model_counters mismatch "$b1" "$a1")
		note "mismatch: vif1's counters against the model: ${mism:-no difference}"
		check "control (vm1 bound with multicast allow, model: deny): vif1's counters differ from the model's" \
			test -n "$mism"
	fi
	expect_eq "mismatch: nothing the towards-VM rules forbid reached vm3" 0 "$(res mismatch findings_enforce_to)"
fi
note "done $(secs_since "$T0")s after setup began"
