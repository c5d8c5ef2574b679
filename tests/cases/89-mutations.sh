#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutation controls for the packet fuzzer (tests/lib/pktfuzz.py, judged by
# tests/lib/policy.py): with the testing build of the module
# (vmfence-testing.ko), whose test_skip turns single checks off
# (kmod/testing.h, VMFENCE_SKIP_*), the fuzzer must report findings of the
# clause each one turns off, within a few seconds, or the control fails:
# a check the fuzzer cannot tell from its absence is not tested by it.
#
#   nd-options    the ND option walk              nd_spoof (option)
#   na-target     NA and DAD targets owned        nd_spoof (target, DAD)
#   ah-len        AH's length in 4-byte units     an RA, redirect or DHCPv6
#                                                 answer behind AH
#   first-frag    a first fragment's whole upper- malformed (first fragment)
#                 layer header
#   to-vm-addr    the towards-VM address check    not_for_port (IPv4, IPv6
#                                                 destination) at vm3
#   dhcp-snoop    others' DHCP requests           dhcp_snoop at vm3
#   ra            ICMPv6 router advertisements    router_advert (ICMPv6)
#   dhcp-server   DHCPv4 server messages          dhcp_server
#   arp-sender    the ARP sender address owned    arp_spoof (sender IP,
#                                                 probe)
#   mcast-groups  the ND/MLD/DHCPv6 group limits  multicast (IPv6 groups)
#   chaddr        the DHCP client's chaddr        dhcp_spoof
#   claims        the more specific binding       *_spoof (claimed)
#
# Each control fuzzes the frames it needs (pktfuzz.py --focus: the kinds
# of frames that can break that check, e.g. RAs and redirects behind AH
# of every length for ah-len) and stops at the third finding
# (--until); VMFENCE_MUTATION_SECONDS (default 5) bounds each.  First, the
# same frames with test_skip 0, a few seconds in all: no finding (so the
# controls' findings are the skipped checks', and the testing build with
# nothing skipped is the module).  vm1 is bound as in 87-packet-fuzz.sh's
# deny phase, vm2 trusted, vm3 enforce; learning off, so vm2 gets all that
# vif1's hook passes and vm3 what also passes towards it.
#
# On Debian's kernel only: the debug kernel adds nothing here (the
# controls measure the fuzzer, not the kernel; the skipped paths exist only
# in the testing build, and 87 fuzzes the module users get on both
# kernels), and would take ten times as long.  The ordinary module is
# loaded again at the end.  About 40 s.
. "$(dirname "$0")/../lib.sh"

if on_debug_kernel; then
	check "the testing build is there" test -f "$KO_TESTING"
	note "mutation controls: on Debian's kernel only (the debug kernel adds nothing to what they measure: the fuzzer)"
	exit 0
fi

FUZZ=$REPO/tests/lib/pktfuzz.py
SECS=$(setting VMFENCE_MUTATION_SECONDS 5)
SEED=$(setting VMFENCE_FUZZ_SEED "$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')")
SKIP=/sys/module/vmfence/parameters/test_skip
note "up to ${SECS}s per control, seed $SEED (VMFENCE_FUZZ_SEED=$SEED reproduces the frames)"

# name bit focus until: the controls (kmod/testing.h's bits; the clauses
# are policy.py's tags, "to:" against the towards-VM rules).
CONTROLS=(
	"nd-options 1 nd=1 nd_spoof.option"
	"na-target 2 nd=3,claims=1 nd_spoof.target,nd_spoof.dad"
	"ah-len 4 ah6=1 router_advert,redirect,dhcp6_server"
	"first-frag 8 firstfrag6=1 malformed.first-fragment"
	"to-vm-addr 16 udp4=1,udp6=1,tcp4=1,tcp6=1 to:not_for_port.ip4,to:not_for_port.ip6"
	"dhcp-snoop 32 dhcp4=1,dhcp6=1 to:dhcp_snoop"
	"ra 64 ra=1 router_advert.icmpv6"
	"dhcp-server 128 dhcp4=1 dhcp_server"
	"arp-sender 256 arp=1 arp_spoof.sender-ip,arp_spoof.probe"
	"mcast-groups 512 nd=1,mld=1,dhcp6=1 multicast.group6"
	"chaddr 1024 dhcp4=1 dhcp_spoof"
	"claims 2048 claims=1 ip4_spoof.claimed,ip6_spoof.claimed,arp_spoof.claimed,nd_spoof.claimed"
)

M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
# 87-packet-fuzz.sh's bindings (its deny phase, without 0x8100).
ATTACKER="mac=$M1 ip=$(vm_ip4 1) ip=10.1.0.0/24 ip=10.2.0.0/16 ip=10.4.5.128/25 ip=10.6.0.0/31"
ATTACKER+=" ip=10.0.0.96/27 ip=$(vm_ip6 1) ip=2001:db8:1::/64 ip=2001:db8:5::/48"
ATTACKER+=" ip=2001:db8:6:0:8000::/65 ip=2001:db8:7::/127 ip=2001:db8:8::a:0/112"
ATTACKER+=" ip=2001:db8::ff:0/112 ip=fe80::1:1 ip=fe80::/64 allow-ethertype=0x88b5"
TRUSTED="mac=$M2 mode=trusted"
RECEIVER="mac=$M3 ip=$(vm_ip4 3) ip=$(sink_ip4 3) ip=10.3.0.0/24 ip=10.5.0.0/20"
RECEIVER+=" ip=$(vm_ip6 3) ip=$(sink_ip6 3) ip=2001:db8:3::/64 ip=2001:db8:9::/100 ip=2001:db8:8000::/33"

mkfifo "$TESTTMP/fz.in" "$TESTTMP/fz.out"
$PY -S "$FUZZ" serve <"$TESTTMP/fz.in" >"$TESTTMP/fz.out" &
FZ_PID=$!
exec {FZ_IN}>"$TESTTMP/fz.in" {FZ_OUT}<"$TESTTMP/fz.out"
cleanup() {
	exec {FZ_IN}>&- {FZ_OUT}<&-
	topo_down
	rmmod vmfence 2>/dev/null
	insmod "$KO" 2>/dev/null
	return 0
}

T0=$EPOCHREALTIME
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
check "the testing build is there" test -f "$KO_TESTING"
check "rmmod vmfence (the ordinary build)" rmmod vmfence
check "insmod vmfence-testing.ko" insmod "$KO_TESTING"
expect_eq "test_skip is there, 0" 0 "$(cat $SKIP 2>&1)"

topo_up 3
for k in 1 2 3; do
	# shellcheck disable=SC2016	# for the inner shell
	n "vm$k" sh -c 'for f in all default eth0; do echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6; done'
	$IP -n "vm$k" addr flush dev eth0
	$IP -n host link set "vif$k" type bridge_slave learning off
done
$IP -n host link set br0 type bridge fdb_flush
# shellcheck disable=SC2086	# words
ctl port set vif1 ${ATTACKER//=/ }
# shellcheck disable=SC2086	# words
ctl port set vif2 ${TRUSTED//=/ }
# shellcheck disable=SC2086	# words
ctl port set vif3 ${RECEIVER//=/ }
note "setup: $(secs_since "$T0")s"

declare -A RES=()
res_load() {
	local k v
	while read -r k v; do RES[$1:$k]=$v; done <"$TESTTMP/$1.res"
}
res() { printf '%s' "${RES[$1:$2]:-}"; }

# fuzz PHASE SECONDS [pktfuzz.py options]: one run; its report in this
# file's log.
fuzz() {
	local phase=$1 secs=$2 answer=''
	shift 2
	if ! kill -0 "$FZ_PID" 2>/dev/null; then
		record FAIL "$phase: pktfuzz.py ran" "expected: pktfuzz.py serving; saw: it exited (see the log)"
		return 1
	fi
	printf '%q ' run --from vm1:eth0 --trusted vm2:eth0 --enforce vm3:eth0 \
		--attacker "$ATTACKER" --receiver "$RECEIVER" --neighbour "$TRUSTED" --other-mac "$M2" \
		--local-mac 02:00:00:00:ff:ff --local-mac "$(vif_mac 1)" \
		--local-mac "$(vif_mac 2)" --local-mac "$(vif_mac 3)" \
		--seed "$SEED" --phase "$phase" --seconds "$secs" --settle 0.3 --show 3 \
		--result "$TESTTMP/$phase.res" "$@" >&"$FZ_IN"
	printf '\n' >&"$FZ_IN"
	read -r -t $((${secs%.*} + 300)) answer <&"$FZ_OUT" || true
	if [ "$answer" != ok ] || [ ! -s "$TESTTMP/$phase.res" ]; then
		record FAIL "$phase: pktfuzz.py ran" "expected: its answer \"ok\" and a result file; saw: \"$answer\" (see the log)"
		return 1
	fi
	res_load "$phase"
}

# found PHASE TAGS: the findings of those clauses (a tag, or a reason:
# every tag of it), summed.
found() {
	local p=$1 t k n=0
	for t in ${2//,/ }; do
		for k in "${!RES[@]}"; do
			[[ $k == "$p:found.$t" || $k == "$p:found.$t."* ]] && n=$((n + ${RES[$k]}))
		done
	done
	echo $n
}

# --- nothing skipped: the focused frames find nothing ---
focus_all=ah6=2,firstfrag6=2,claims=2,nd=3,udp4=1,udp6=1,tcp4=1,tcp6=1,dhcp4=2,dhcp6=1,ra=1,arp=1,mld=1
if fuzz baseline 3 --focus "$focus_all"; then
	expect_eq "test_skip 0: the controls' frames ($(res baseline sent) in $(res baseline seconds)s) find nothing (findings at vm2, vm3)" \
		"0 0" "$(res baseline findings_trusted) $(res baseline findings_enforce)"
fi

# --- each check turned off in turn ---
for c in "${CONTROLS[@]}"; do
	read -r name bit focus until <<<"$c"
	echo "$bit" >$SKIP
	t=$EPOCHREALTIME
	ran=1
	fuzz "$name" "$SECS" --focus "$focus" --until "$until" --until-count 3 || ran=0
	echo 0 >$SKIP
	[ $ran = 1 ] || continue
	n=$(found "$name" "$until")
	note "$name (test_skip=$bit): $n findings of ${until//,/ or } in $(res "$name" sent) frames, $(res "$name" seconds)s ($(secs_since "$t")s with settling); all findings: vm2 $(res "$name" findings_trusted), vm3 $(res "$name" findings_enforce)"
	check "$name (test_skip=$bit): the fuzzer finds the check missing (findings of ${until//,/ or })" \
		test "$n" -gt 0
done
expect_eq "test_skip back to 0" 0 "$(cat $SKIP)"
note "done $(secs_since "$T0")s after setup began"
