#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netlink interface under a fuzzer: tests/tools/vmfence-nlfuzz, a
# second client of uapi/linux/vmfence.h (libnl-genl-3, nothing of ctl/),
# sends every command of the uapi, built from its grammar with defects
# (attributes missing, twice, of the wrong length or type, flat where a
# nest belongs and nested where a value does, unknown, oversized strings,
# bogus commands and flags, huge APPLY documents) and then mutated byte
# by byte, and checks each answer against a model that predicts it: the
# verdict, the errno, the extended-ACK text and offset, the configuration
# afterwards.  A request the model cannot judge (a device whose state is
# another writer's, or one that comes and goes) must change only what it
# names.  Phases, in one namespace with ~2000 devices:
#
#   1. solo       one fuzzer, everything modelled, APPLY --replace and
#                 multi-megabyte APPLYs included
#   2. clear      APPLY --replace of nothing: every binding goes
#   3. bind       APPLYs of all the bulk devices: good, bad last entry,
#                 stale middle entry, the good one again, > 65536 entries
#   4. abandon    dumps of ~2000 ports abandoned after the first recvmsg()
#   5. together   three writers on their own devices (one of them blind to
#                 mutations, one giving two devices far apart in the dump
#                 the same label in one APPLY, again and again), one
#                 process doing only dumps (each consistent, or flagged
#                 NLM_F_DUMP_INTR and retried; never the pair half-applied,
#                 never a name twice), one abandoning dumps, one fuzzing
#                 devices that a loop deletes, re-creates and renames
#
# Each fuzzer ends with full dumps that must parse and match its model.
# Every category of finding is one check here; a FAIL shows the fuzzer's
# lines, with the request in hex ("vmfence-nlfuzz send HEX" in the host
# namespace replays it and prints what the model and the kernel say).
#
# Refusals without an extended-ACK text are findings, except those the
# genetlink core makes before vmfence's code runs, which it returns bare
# (genl_family_rcv_msg() in net/netlink/genetlink.c): a message too short
# for a genlmsghdr (EINVAL), a command the family does not have
# (EOPNOTSUPP), a dump of a command that has none (EOPNOTSUPP); and the
# af_netlink core's EBUSY for a second dump on a socket with one running.
# The fuzzer predicts these and counts them ("core_noextack", "EBUSY").
# Messages the core cannot delimit (a length beyond what was sent, or
# below a header) get no answer at all, and one without NLM_F_REQUEST is
# acknowledged without being handled: predicted too.
#
# Settings, from the environment or the guest's kernel command line:
#   VMFENCE_FUZZ_SECONDS=60       seconds of fuzzing (phases 1, 4, 5)
#   VMFENCE_FUZZ_BULK=2000        bulk devices at most
#   VMFENCE_FUZZ_SETUP_SECONDS=45 ... and the time to make them in
#   VMFENCE_FUZZ_SEED=N           base seed (default random; noted, and
#                                 each fuzzer's seed is in its summary)
# Time: about 2 minutes on Debian's kernel; on the KASAN+lockdep debug
# kernel (4 times slower, 15 devices a second) the fuzzing and the setup
# stay bounded, within main.sh's 420 s per file.  The long version:
#
#   VMFENCE_CASE_TIMEOUT=4500 VMFENCE_TEST_TIMEOUT=5400 \
#   VM_APPEND="VMFENCE_FUZZ_SECONDS=3600 VMFENCE_FUZZ_BULK=10000 VMFENCE_FUZZ_SETUP_SECONDS=900" \
#   VMFENCE_TEST_OUT=$PWD/tests/out-nlfuzz VMFENCE_TEST_KEEP=1 \
#   tests/run [--debug-kernel] 86
. "$(dirname "$0")/../lib.sh"

FUZZ=$VMFENCE_OUT/bin/vmfence-nlfuzz
[ -x "$FUZZ" ] || FUZZ=$REPO/tests/tools/vmfence-nlfuzz

TOTAL=$(setting VMFENCE_FUZZ_SECONDS 60)
BULK=$(setting VMFENCE_FUZZ_BULK 2000)
SETUP=$(setting VMFENCE_FUZZ_SETUP_SECONDS 45)
SEED=$(setting VMFENCE_FUZZ_SEED "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')")
if ! [[ $TOTAL =~ ^[0-9]+$ && $BULK =~ ^[0-9]+$ && $SETUP =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] ||
   [ "$TOTAL" -lt 10 ]; then
	echo "VMFENCE_FUZZ_SECONDS=$TOTAL (10 or more), VMFENCE_FUZZ_BULK=$BULK, VMFENCE_FUZZ_SETUP_SECONDS=$SETUP, VMFENCE_FUZZ_SEED=$SEED: whole numbers" >&2
	exit 1
fi
T_SOLO=$((TOTAL * 36 / 100))
T_ABANDON=$((TOTAL * 6 / 100 > 2 ? TOTAL * 6 / 100 : 2))
T_TOGETHER=$((TOTAL - T_SOLO - T_ABANDON > 5 ? TOTAL - T_SOLO - T_ABANDON : 5))
L=$TESTTMP/logs
mkdir -p "$L"

now() { echo "$EPOCHREALTIME"; }
# secs FROM TO: seconds between two $EPOCHREALTIME values, one decimal.
secs() {
	local d=$(( (${2/./} - ${1/./}) / 100000 ))
	printf '%d.%d' $((d / 10)) $((d % 10))
}
refcnt() {
	local r=none
	[ -r /sys/module/vmfence/refcnt ] && r=$(</sys/module/vmfence/refcnt)
	echo "$r"
}

check "vmfence-nlfuzz is built" test -x "$FUZZ"
note "seed $SEED, ${TOTAL}s of fuzzing ($T_SOLO solo, $T_ABANDON abandon, $T_TOGETHER together), up to $BULK bulk devices"

# --- the namespace -------------------------------------------------------------
# Devices by "ip -batch", the bulk in chunks of 250 until VMFENCE_FUZZ_BULK
# are there or VMFENCE_FUZZ_SETUP_SECONDS have passed (a debug kernel
# makes ~15 a second): the dumps are of however many that is.  The epoch
# pair first and last, so that a dump has them in different parts.
topo_up 1
t=$(now)
SETUP_END=$(( ${EPOCHREALTIME%.*} + SETUP ))
echo "link add ep0 type dummy" | $IP -n host -batch -
NBULK=0
while [ "$NBULK" -lt "$BULK" ] && [ "${EPOCHREALTIME%.*}" -lt "$SETUP_END" ]; do
	for ((i = NBULK + 1; i <= NBULK + 250 && i <= BULK; i++)); do
		echo "link add blk$i type dummy"
	done >"$TESTTMP/links"
	$IP -n host -batch "$TESTTMP/links"
	NBULK=$((i - 1))
done
{
	for k in 0 1 2 3; do
		echo "link add f${k}br type bridge"
		for j in $(seq 0 11); do
			echo "link add f${k}x$j type dummy"
			[ "$j" -lt 4 ] && echo "link set f${k}x$j master f${k}br"
		done
		echo "link add f${k}va type veth peer name f${k}vb"
	done
	for j in $(seq 0 7); do echo "link add c$j type dummy"; done
	echo "link add ep1 type dummy"
} >"$TESTTMP/links"
$IP -n host -batch "$TESTTMP/links"
note "created $((NBULK + 2 + 4 * 15 + 8)) devices ($NBULK of them bulk) in $(secs "$t" "$(now)") s"
[ "$NBULK" -gt 0 ] || { echo "no bulk device made it" >&2; exit 1; }

REFCNT0=$(refcnt)

# run TAG SECONDS ARGS...: one fuzzer in "host", its output in
# $L/TAG.{out,err}; killed if it overruns its time by far (exit 124).
run() {
	local tag=$1 limit=$(($2 * 3 + 120))
	shift 2
	local rc=0
	nh timeout -k 5 "$limit" "$FUZZ" "$@" --tag "$tag" >"$L/$tag.out" 2>"$L/$tag.err" || rc=$?
	echo "$rc" >"$L/$tag.rc"
}

# --- 1. solo ---------------------------------------------------------------------
t=$(now)
run solo "$T_SOLO" fuzz --seconds "$T_SOLO" --seed "$SEED" --devices f0 --bridge f0br
note "solo: $(secs "$t" "$(now)") s"

# --- 2. clear, 3. bind, 4. abandon -------------------------------------------
run clear 0 clear --seed $((SEED + 1))
t=$(now)
run bind 0 bind --devices blk --seed $((SEED + 2))
bound=
while IFS= read -r line; do
	[[ $line == "nlfuzz: bind: "* ]] && bound+="${line#nlfuzz: bind: }; "
done <"$L/bind.out"
note "bind: $(secs "$t" "$(now)") s: ${bound%; }"
run abandon1 "$T_ABANDON" abandon --seconds "$T_ABANDON" --seed $((SEED + 3))

# --- 5. together -------------------------------------------------------------------
churn() {
	local end=$1 j=0
	while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
		j=$(((j + 1) % 8))
		{
			echo "link del c$j"
			echo "link add c$j type dummy"
			echo "link set c$(((j + 3) % 8)) name cr$j"
			echo "link set cr$j name c$(((j + 3) % 8))"
		} | $IP -n host -force -batch - 2>/dev/null || true
		sleep 0.05
	done
}
t=$(now)
END=$(( ${EPOCHREALTIME%.*} + T_TOGETHER ))
churn "$END" &
CHURN=$!
COMMON=(--seconds "$T_TOGETHER" --shared --volatile c)
run w1 "$T_TOGETHER" fuzz "${COMMON[@]}" --seed $((SEED + 11)) --devices f1 --bridge f1br --epoch ep0,ep1 &
run w2 "$T_TOGETHER" fuzz "${COMMON[@]}" --seed $((SEED + 12)) --devices f2 --bridge f2br &
run w3 "$T_TOGETHER" fuzz "${COMMON[@]}" --seed $((SEED + 13)) --devices f3 --bridge f3br --blind &
run churn "$T_TOGETHER" fuzz "${COMMON[@]}" --seed $((SEED + 14)) --devices c &
run dumper "$T_TOGETHER" dump --seconds "$T_TOGETHER" --seed $((SEED + 15)) --epoch ep0,ep1 &
run abandon2 "$T_TOGETHER" abandon --seconds "$T_TOGETHER" --seed $((SEED + 16)) &
for j in $(jobs -p); do
	[ "$j" = "${PKT_PID:-}" ] || [ "$j" = "$CHURN" ] || wait "$j" || true
done
wait "$CHURN" || true
note "together: $(secs "$t" "$(now)") s"

# --- results ---------------------------------------------------------------------
# Bash builtins only from here on: under TCG, every exec reads its binary
# and libraries over 9p and costs a good part of a second.
T_RES=$(now)
TAGS="solo clear bind abandon1 w1 w2 w3 churn dumper abandon2"
declare -A SUM=() FOUND=()
for tag in $TAGS; do
	rc=none
	[ -s "$L/$tag.rc" ] && rc=$(<"$L/$tag.rc")
	out=$(<"$L/$tag.out") err=$(<"$L/$tag.err")
	expect_eq "$tag: vmfence-nlfuzz ran to its end (0: nothing found, 1: findings)" \
		"ran" "$([[ $rc = [01] ]] && echo ran || echo "exit $rc: ${err:0:600}")"
	echo "--- $tag (exit $rc)"
	printf '%s\n' "$out"
	n=0
	while IFS= read -r line; do
		[ $((n += 1)) -le 60 ] && printf '%s\n' "$line"
		if [[ $line =~ ^FINDING\ ([a-z-]+): ]]; then
			FOUND[${BASH_REMATCH[1]}]+="$line"$'\n'
		fi
	done <<<"$err"
	# The summary line: add up its counters.
	while IFS= read -r line; do
		[[ $line == "nlfuzz: tag="*" mode="* ]] || continue
		for w in $line; do
			[[ $w =~ ^([a-z_]+)=([0-9]+)$ ]] || continue
			SUM[${BASH_REMATCH[1]}]=$(( ${SUM[${BASH_REMATCH[1]}]:-0} + BASH_REMATCH[2] ))
		done
	done <<<"$out"
done
sum() { echo "${SUM[$1]:-0}"; }

# One check per category of finding, over every fuzzer.
for cat in verdict errno extack extack-text extack-offset state untouched \
	   reply dump-consistency protocol final; do
	if [ -z "${FOUND[$cat]:-}" ]; then
		record ok "no findings: $cat"
	else
		mapfile -t lines <<<"${FOUND[$cat]%$'\n'}"
		record FAIL "no findings: $cat" "$(printf '%s\n' "${lines[@]:0:40}")
(seed $SEED; every fuzzer's output is in this file's log)"
	fi
done

SENT=$(sum sent) ACC=$(sum accepted) REF=$(sum refused) NOREP=$(sum noreply)
note "messages: $SENT sent, $ACC accepted, $REF refused ($(sum core_noextack) by the genl core without text), $NOREP unanswered; $(sum predicted) predicted, $(sum blind) blind, $(sum skipped) not sent (would touch another's devices)"
note "dumps: $(sum dumps) in all, $(sum dumps_ok) consistent, $(sum dumps_intr) flagged NLM_F_DUMP_INTR ($(sum dump_retries) retried), $(sum abandoned) abandoned, $(sum ebusy) EBUSY; $(sum huge) huge APPLYs"
expect_eq "requests were both accepted and refused" "yes" \
	"$([ "$ACC" -gt 100 ] && [ "$REF" -gt 100 ] && echo yes || echo "accepted $ACC, refused $REF")"
expect_eq "dumps raced by writers were flagged NLM_F_DUMP_INTR (and retried)" "yes" \
	"$([ "$(sum dumps_intr)" -gt 0 ] && echo yes || echo "none of $(sum dumps)")"
expect_eq "dumps came back consistent too" "yes" \
	"$([ "$(sum dumps_ok)" -gt 10 ] && echo yes || echo "$(sum dumps_ok) of $(sum dumps)")"
expect_eq "dumps of ~$NBULK ports were abandoned midway" "yes" \
	"$([ "$(sum abandoned)" -gt 10 ] && echo yes || echo "$(sum abandoned)")"
note "results read in $(secs "$T_RES" "$(now)") s"

# --- the kernel afterwards ---------------------------------------------------------
# Abandoned dumps hold a module reference until their socket is gone.
for i in $(seq 1 50); do
	[ "$(refcnt)" = "$REFCNT0" ] && break
	sleep 0.2
done
expect_eq "module references back to where they were (no dump left behind)" \
	"$REFCNT0" "$(refcnt)"
check "the module still binds a port" ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 label after-fuzz
expect_eq "... and lists it back" "after-fuzz 10.0.0.1" \
	"$(jsq '" ".join([P[0]["label"]] + P[0]["addrs"])' -j port show vif1)"
check "... and unbinds it" ctl port del vif1
