# SPDX-License-Identifier: GPL-2.0
#
# tests/lib.sh: sourced by every tests/cases/*.sh, which run in the test
# guest (tests/guest/main.sh starts each in a fresh bash).
#
# The topology (topo_up N):
#
#   netns "host" (the hypervisor): bridge br0, ports vif1..vifN;
#                                   vmfence bindings are made here
#   netns "vmK":  eth0 <-veth-> vifK
#                 MAC 02:00:00:00:00:0K, 10.0.0.K/24, 2001:db8::K/64
#                 (nodad), link-local left to the kernel (EUI-64:
#                 fe80::ff:fe00:K)
#
# Per-namespace helpers in the WireGuard selftest spirit:
#   nh CMD...      run CMD in "host";  n1..n9 CMD...: in vm1..vm9
#   ctl ARGS...    ctl/vmfencectl ARGS, in "host"
#   topo_up N, topo_down, tap_add NAME, bind K [ARGS...] (vifK to vmK's MAC and
#   addresses), bind_rx K [ARGS...] (the same plus the sink addresses
#   crafted frames are sent to), wait_ll K, vm_mac/vm_ip4/vm_ip6/vm_ll K,
#   neigh_mac NS ADDR, has_addr NS PREFIX, wait_dad NS ADDR
#
# Checks (each records one "ok" or "FAIL" line; none aborts the file):
#   check NAME CMD...            CMD succeeds
#   expect_fail NAME CMD...      CMD fails
#   expect_eq NAME WANT GOT      WANT = GOT
#   expect_counters NAME BEFORE AFTER [REASON=DELTA|passed=DELTA|KEY=+]...
#                                counters (from "counters DEV") moved by
#                                exactly this, drop reasons not named: 0
#                                (pkt.py's counter_problems, the one rule)
#   expect_ports NAME WANT [subset] [only=IF,...]
#                                "port show" lists exactly the ports of the
#                                file WANT (a listing, e.g. port_snapshot's,
#                                a dump or a document), key by key: the one
#                                comparison of listings (ports_diff, over
#                                tests/lib/ops.py)
#   expect_refused [-m REGEX] NAME ARGS...
#                                "vmfencectl ARGS" fails, one line on
#                                stderr (matching the extended REGEX), and
#                                "port show" is unchanged (ports_diff)
#   expect_fail_with NAME REGEX CMD...
#                                CMD fails and what it printed matches the
#                                extended REGEX (it failed for that reason)
#   send_expect NAME arrive|drop FROM TO FRAME [pkt.py options]
#                                tests/lib/pkt.py sends FRAME from FROM
#                                (ns:ifname) and watches TO (ns:ifname,...)
#   expect_verdict [-n N] NAME VIF arrive|drop FROM TO FRAME [REASON=DELTA...]
#                                send_expect, and VIF's counters moved by
#                                exactly this (expect_counters)
#   vt NAME VIF arrive|drop FROM TO FRAME [WANT [COUNT]]; vt_run
#                                expect_verdicts, in a table judged at once
#   attack NAME VIF REASON FROM TO FRAME; attacks_succeed; attacks_fail
#                                a table of attacks, sent unprotected
#                                (must arrive), then protected (must not)
#   watch_start AT; watch_check NAME AT MATCH [arrive|drop]
#                                frames the kernels' own stacks send
#   note TEXT                    a line of information (timings), no check
#
# Reading vmfencectl's JSON: counters DEV, jsq EXPR ARGS..., show_json,
# port_snapshot FILE, ports_diff WANT [OPTIONS].
# These and the frame commands go through one "pkt.py serve" coprocess
# per file, so that Python (~0.3-1.5 s to start under TCG) starts once.
#
# Setup commands run under "set -e": one that fails ends the file, which
# main.sh reports with the end of the file's log.  Every file ends, by the
# EXIT trap, with its own cleanup() if it has one, then topo_down.

set -eE -o pipefail

VMFENCE_REPO=${VMFENCE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
VMFENCE_OUT=${VMFENCE_OUT:-$VMFENCE_REPO/tests/out}
VMFENCE_CASE=${VMFENCE_CASE:-$(basename "$0")}
REPO=$VMFENCE_REPO
# tests/run snapshots the binaries under test into tests/out/bin, so that
# a rebuild on the host during the run changes nothing.
CTL=$VMFENCE_OUT/bin/vmfencectl
[ -x "$CTL" ] || CTL=$REPO/ctl/vmfencectl
KO=$VMFENCE_OUT/bin/vmfence.ko
[ -f "$KO" ] || KO=$REPO/vmfence.ko
# The testing build (kmod/testing.h: delays that widen race windows).
KO_TESTING=$VMFENCE_OUT/bin/vmfence-testing.ko
PKT=$REPO/tests/lib/pkt.py
PY=/usr/bin/python3
IP=/usr/sbin/ip
[ -x $IP ] || IP=/sbin/ip
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# fd 3 is the console when main.sh runs us; stdout otherwise.
{ true >&3; } 2>/dev/null || exec 3>&1

TESTTMP=$(mktemp -d /tmp/vmfence-test.XXXXXX)

# --- results ----------------------------------------------------------------
_n_ok=0
_n_fail=0

# record ok|FAIL NAME [DETAIL]
record() {
	local st=$1 name=$2 detail=${3:-}
	printf '%s\t%s\t%s\n' "$st" "$VMFENCE_CASE" "$name" >>"$VMFENCE_OUT/results.txt"
	if [ "$st" = ok ]; then
		_n_ok=$((_n_ok + 1))
		printf 'ok   %s: %s\n' "$VMFENCE_CASE" "$name" >&3
		echo "ok   $name [${SECONDS}s]"
	else
		_n_fail=$((_n_fail + 1))
		printf 'FAIL %s: %s\n' "$VMFENCE_CASE" "$name" >&3
		[ -n "$detail" ] && printf '%s\n' "$detail" | head -n 30 | sed 's/^/     /' >&3
		{
			printf -- '--- FAIL %s: %s\n' "$VMFENCE_CASE" "$name"
			[ -n "$detail" ] && printf '%s\n' "$detail"
		} >>"$VMFENCE_OUT/failures.txt"
		echo "FAIL $name [${SECONDS}s]"
		[ -n "$detail" ] && printf '%s\n' "$detail" | sed 's/^/     /'
	fi
	return 0
}

# note TEXT: a line on the console and in the log, not a check (timings).
note() {
	printf '#    %s: %s\n' "$VMFENCE_CASE" "$*" >&3
	echo "# $*"
}

_abridge() { head -n 20 | cut -c1-400; }

check() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc = 0 ]; then
		record ok "$name"
	else
		record FAIL "$name" "expected: \`$*\` to succeed
saw: exit status $rc, output:
$(printf '%s\n' "$out" | _abridge)"
	fi
}

expect_fail() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc != 0 ]; then
		record ok "$name"
	else
		record FAIL "$name" "expected: \`$*\` to fail
saw: exit status 0, output:
$(printf '%s\n' "$out" | _abridge)"
	fi
}

# expect_fail_with NAME REGEX CMD...: CMD fails, and its output (stdout
# and stderr) matches REGEX: a command that fails for another reason (a
# typo, a missing namespace) does not pass.
expect_fail_with() {
	local name=$1 re=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ $rc != 0 ] && grep -Eq -- "$re" <<<"$out"; then
		record ok "$name"
	else
		record FAIL "$name" "expected: \`$*\` to fail, printing /$re/
saw: exit status $rc, output:
$(printf '%s\n' "$out" | _abridge)"
	fi
}

expect_eq() {
	local name=$1 want=$2 got=$3
	if [ "$want" = "$got" ]; then
		record ok "$name"
	else
		record FAIL "$name" "expected: $want
saw:      $got"
	fi
}

# setting VAR DEFAULT: a test file's setting (a fuzzing time, a seed), from
# its environment, else from the guest kernel's command line (tests/run's
# VM_APPEND puts it there), else DEFAULT.
setting() {
	local v=${!1:-}
	if [ -z "$v" ]; then
		v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
	fi
	printf '%s' "${v:-$2}"
}

# --- namespaces and topology ------------------------------------------------
n() { local ns=$1; shift; $IP netns exec "$ns" "$@"; }
nh() { n host "$@"; }
for _k in 1 2 3 4 5 6 7 8 9; do
	eval "n$_k() { n vm$_k \"\$@\"; }"
done
unset _k

ctl() { $IP netns exec host "$CTL" "$@"; }

vm_mac() { printf '02:00:00:00:00:%02x' "$1"; }
vif_mac() { printf '02:00:00:00:01:%02x' "$1"; }
vm_ip4() { echo "10.0.0.$1"; }
vm_ip6() { printf '2001:db8::%x' "$1"; }
vm_ll() { printf 'fe80::ff:fe00:%x' "$1"; }	# EUI-64 of vm_mac

# Booted by "tests/run --debug-kernel" (tests/debug-kernel's release name)?
on_debug_kernel() { [[ $(uname -r) == *-vmfence-debug* ]]; }

# Writes a sysctl in a namespace without needing "ip netns exec".
nsysctl() {
	local ns=$1 key=$2 val=$3
	$IP netns exec "$ns" sh -c "echo $val > /proc/sys/${key//.//}"
}

TOPO_N=0
topo_up() {
	local n=$1 k
	$IP netns add host
	# The hypervisor side stays quiet: no IPv6 on br0 and the vifs.
	$IP netns exec host sh -c '
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
		echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6'
	{
		echo "link set lo up"
		echo "link add br0 address 02:00:00:00:ff:ff type bridge mcast_snooping 0 forward_delay 0"
		echo "link set br0 up"
	} | $IP -n host -batch -
	for k in $(seq 1 "$n"); do
		vm_add "$k"
	done
	TOPO_N=$n
}

# vm_add K: VM vmK, its eth0 the peer of vifK on br0 (topo_up does this
# for vm1..vmN; a test may add one later).
vm_add() {
	local k=$1
	$IP netns add "vm$k"
	# No router solicitations: they would come at any time (with
	# backoff, for ever) and move counters behind the tests' backs.
	$IP netns exec "vm$k" sh -c '
		echo 0 > /proc/sys/net/ipv6/conf/default/router_solicitations'
	$IP -n host link add "vif$k" address "$(vif_mac "$k")" type veth \
		peer name eth0 address "$(vm_mac "$k")" netns "vm$k"
	$IP -n host link set "vif$k" master br0 up
	{
		echo "link set lo up"
		echo "addr add $(vm_ip4 "$k")/24 dev eth0"
		echo "addr add $(vm_ip6 "$k")/64 dev eth0 nodad"
		echo "link set eth0 up"
	} | $IP -n "vm$k" -batch -
}

# tap_add NAME [MAC]: a tap device in "host", enslaved to br0 and up, as
# QEMU/libvirt make for a VM (with a virtio-net header: "pkt tap-open"
# attaches to it as the VM's NIC).  The tun module and /dev/net/tun are
# made if missing (the guest has no udev).
tap_add() {
	modprobe tun 2>/dev/null || true
	if [ ! -e /dev/net/tun ]; then
		mkdir -p /dev/net
		mknod /dev/net/tun c 10 200
	fi
	$IP -n host tuntap add dev "$1" mode tap vnet_hdr
	$IP -n host link set "$1" ${2:+address "$2"} master br0 up
}

topo_down() {
	$IP -all netns delete 2>/dev/null || true
	TOPO_N=0
}

# wait_ll K: until vmK's link-local address has left "tentative".
wait_ll() {
	local k=$1 i
	for i in $(seq 1 100); do
		if $IP -n "vm$k" -6 addr show dev eth0 scope link | grep -q 'inet6 fe80' &&
		   ! $IP -n "vm$k" -6 addr show dev eth0 scope link | grep -q tentative; then
			return 0
		fi
		sleep 0.1
	done
	echo "vm$k: link-local address still tentative after 10 s" >&2
	return 1
}

# wait_dad NS ADDR: until ADDR on NS's eth0 has passed duplicate address
# detection (status 0), or failed it (status 1); 10 s at most (status 2).
wait_dad() {
	local i out
	for i in $(seq 1 100); do
		out=$($IP -n "$1" -6 addr show dev eth0 | grep -F "inet6 $2/" || true)
		[[ $out == *dadfailed* ]] && return 1
		[[ -n $out && $out != *tentative* ]] && return 0
		sleep 0.1
	done
	echo "$1: $2 still tentative after 10 s" >&2
	return 2
}

# bind K [ARGS...]: bind vifK to vmK's MAC and addresses (plus ARGS).
bind() {
	local k=$1
	shift
	ctl port set "vif$k" mac "$(vm_mac "$k")" ip "$(vm_ip4 "$k")" ip "$(vm_ip6 "$k")" "$@"
}

# bind_rx K [ARGS...]: bind K, plus the sink addresses (sink_ip4/sink_ip6
# K) that the crafted frames udp4/udp6/icmp4/icmp6 ... K are sent to:
# frames towards an enforce port must be addressed to one of its
# addresses (not_for_port), and vmK's stack does not own these, so it
# answers nothing.  For a VM that receives crafted frames.
bind_rx() {
	local k=$1
	shift
	bind "$k" ip "$(sink_ip4 "$k")" ip "$(sink_ip6 "$k")" "$@"
}

# neigh_mac NS ADDR: the link-layer address of NS's neighbour entry for
# ADDR on eth0 ("none" without one, "incomplete" without an address).
neigh_mac() {
	local out
	out=$($IP -n "$1" neigh show "$2" dev eth0 2>/dev/null | head -n 1)
	if [ -z "$out" ]; then
		echo none
	elif [[ $out =~ lladdr\ ([0-9a-f:]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo incomplete
	fi
}

# has_addr NS ADDR-PREFIX: eth0 in NS has an address starting with it.
has_addr() {
	$IP -n "$1" -o addr show dev eth0 | awk '{ print $4 }' | grep -q -i "^$2"
}

# --- vmfencectl output --------------------------------------------------------
# jsq EXPR ARGS...: run "vmfencectl ARGS" in "host" and print the Python
# expression EXPR of its JSON output (bound to d; P is the list of ports of
# "port show" or "stats"); a list prints one item a line, dicts and nested
# lists as JSON.  (Through pkt.py serve: no
# Python start.)  E.g.: jsq '[p["ifname"] for p in d]' -j port show
jsq() {
	local expr=$1
	shift
	pkt ctl-json --expr "$expr" -- "$@"
}

# counters DEV: "passed=N dropped=N mac_spoof=N ..." from "-j stats DEV".
# Never fails: on error it prints "error: ...", which expect_counters
# reports.
counters() {
	pkt counters "$1" 2>&1 | sed '/^passed=/!s/^/error: /' || true
}

# expect_counters NAME BEFORE AFTER [KEY=DELTA|KEY=+]...
# BEFORE and AFTER come from "counters DEV".  Every drop reason not named
# must not have moved, "dropped" must move by the sum of the named
# reasons' deltas; "passed" is checked only if named; "+" means "moved".
# The rule is written once, in pkt.py's counter_problems (which verdicts
# use too): this hands the words to it ("pkt.py counter-check").
expect_counters() {
	local name=$1 before=$2 after=$3
	shift 3
	pkt counter-check --name "$name" --before "$before" --after "$after" -- "$@" || true
}

# show_json: "vmfencectl -j port show", normalised (keys sorted).
show_json() {
	jsq 'd' -j port show
}

# --- port listings: one comparison, ops.py's ports_diff --------------------------
# port_snapshot FILE: "-j port show" into FILE (for ports_diff later);
# status 1 if it could not be read (FILE then holds why: no listing
# compares equal to it).
port_snapshot() { show_json >"$1" 2>&1; }

# ports_diff WANT [subset] [only=IF,...]: "OK" if "-j port show" lists
# exactly the ports of WANT (a file: a listing, a dump or an APPLY
# document), each key by key (addresses and ethertypes as sets, a
# document's defaults filled in, ifindex and seq only where WANT has
# them); else one line per difference, and status 1.  subset: other
# ports may be listed; only=: ports not named are left out on both
# sides.  (Through pkt.py serve, which runs in tests/lib: "import ops".)
ports_diff() {
	local want=$1 w opts= out
	shift
	for w in "$@"; do
		case $w in
		subset) opts+=", subset=True" ;;
		only=*) opts+=", only='${w#only=}'" ;;
		*) echo "ports_diff: unknown option $w" >&2; return 2 ;;
		esac
	done
	case $want in *[\'\\]*) echo "ports_diff: a quote or backslash in $want" >&2; return 2 ;; esac
	out=$(jsq "__import__('ops').ports_check(d, '$want'$opts)" -j port show 2>&1) || true
	printf '%s\n' "$out"
	[ "$out" = OK ]
}

# expect_ports NAME WANT [subset] [only=IF,...]: one check, ports_diff OK.
expect_ports() {
	local name=$1 want=$2 out
	shift 2
	if out=$(ports_diff "$want" "$@"); then
		record ok "$name"
	else
		record FAIL "$name" "expected: port show to list the ports of $want${*:+ ($*)}, each as it says
saw: $out"
	fi
}

# expect_refused [-m REGEX] NAME ARGS...: vmfencectl ARGS must fail with
# exactly one line on stderr (matching REGEX: refused for the reason the
# test means, not another) and leave every binding as it was.
expect_refused() {
	local re=
	if [ "$1" = -m ]; then
		re=$2
		shift 2
	fi
	local name=$1 rc=0 err out bad= diff
	shift
	# An unreadable "port show" must not compare equal to itself (the
	# snapshot then holds the error, which ports_diff cannot read).
	port_snapshot "$TESTTMP/refused.ports" || bad+="port show unreadable before: $(<"$TESTTMP/refused.ports"); "
	out=$(ctl "$@" 2>"$TESTTMP/stderr") || rc=$?
	err=$(<"$TESTTMP/stderr")
	[ $rc != 0 ] || bad+="exit status 0, expected non-zero; "
	[ -n "$err" ] || bad+="nothing on stderr; "
	[[ $err != *$'\n'* ]] || bad+="more than one line on stderr; "
	[ -z "$re" ] || grep -Eq -- "$re" <<<"$err" || bad+="stderr does not match /$re/; "
	diff=$(ports_diff "$TESTTMP/refused.ports") || bad+="the bindings changed: ${diff//$'\n'/; }; "
	if [ -z "$bad" ]; then
		record ok "$name"
		echo "     refused: $err"
	else
		record FAIL "$name" "expected: \`vmfencectl $*\` refused with one line on stderr, bindings unchanged
saw: ${bad}exit $rc
stdout: $out
stderr: $err
port show before: $(<"$TESTTMP/refused.ports")"
	fi
}

# --- frames -------------------------------------------------------------------
# pkt.py runs as one coprocess per test file ("serve" mode): python starts
# once.  Each send_expect writes one command line and reads result lines up
# to a line ".".
pkt_start() {
	[ -n "${PKT_PID:-}" ] && return 0
	coproc PKTCO { exec $PY "$PKT" serve; }
	PKT_PID=$PKTCO_PID
	# Plain copies: bash closes coprocess descriptors in pipelines.
	exec {PKT_IN}>&"${PKTCO[1]}" {PKT_OUTFD}<&"${PKTCO[0]}"
}

pkt_stop() {
	[ -n "${PKT_PID:-}" ] || return 0
	exec {PKT_IN}>&- {PKT_OUTFD}<&-
	kill "$PKT_PID" 2>/dev/null || true
	wait "$PKT_PID" 2>/dev/null || true
	PKT_PID=
}

# pkt ARGS...: one pkt.py command (see pkt.py --help).  Records its ok and
# FAIL lines, prints its values on stdout; status 1 if it gave an error.
pkt() {
	[ -n "${PKT_PID:-}" ] || pkt_start
	local line st name detail got=0 rc=0
	printf '%q ' "$@" >&"$PKT_IN"
	printf '\n' >&"$PKT_IN"
	while IFS= read -r -t 120 line <&"$PKT_OUTFD"; do
		[ "$line" = . ] && { got=1; break; }
		IFS=$'\t' read -r st name detail <<<"$line"
		case $st in
		=) printf '%s\n' "$detail" ;;
		ok) echo "pkt: ok $name: $detail" >&2; record ok "$name" ;;
		FAIL) echo "pkt: FAIL $name: $detail" >&2; record FAIL "$name" "$detail" ;;
		!) echo "pkt.py: $detail" >&2; rc=1 ;;
		*) echo "pkt: $line" >&2 ;;
		esac
	done
	if [ $got = 0 ]; then
		echo "pkt.py did not answer \`$*\` (it died?)" >&2
		record FAIL "pkt.py $1" "expected: pkt.py to answer; saw: no answer (it died?)"
		return 1
	fi
	return $rc
}

# send_expect NAME arrive|drop FROM TO FRAME [OPTIONS...]
# TO may be a comma-separated list of receivers.
send_expect() {
	local name=$1 exp=$2 from=$3 to=$4 frame=$5 t tos=()
	shift 5
	for t in ${to//,/ }; do tos+=(--to "$t"); done
	pkt send-expect --name "$name" --expect "$exp" --from "$from" "${tos[@]}" --frame "$frame" "$@"
}

# expect_verdict [-n COUNT] NAME VIF arrive|drop FROM TO FRAME [KEY=DELTA...]
# Sends FRAME (COUNT times, default 1) from FROM, expects it to arrive at
# (or be dropped before) every receiver in TO, and VIF's counters to move
# by exactly KEY=DELTA... (expect_counters: drop reasons not named must
# not move).  The two checks are "NAME: received|not received" and
# "NAME: VIF counters".
expect_verdict() {
	local count=1
	if [ "$1" = -n ]; then
		count=$2
		shift 2
	fi
	local name=$1 vif=$2 exp=$3 from=$4 to=$5 frame=$6
	shift 6
	# A table of one: the same checks, and counters read right around
	# the frame (pkt.py verdicts), not around the whole wait.
	vt "$name" "$vif" "$exp" "$from" "$to" "$frame" "$*" "$count"
	vt_run
}

# A table of verdicts, judged by one "pkt.py verdicts" (one wait for all
# the frames, not one per frame):
#   vt NAME VIF arrive|drop FROM TO FRAME [WANT [COUNT]]
# adds a line (the checks of expect_verdict: "NAME: received" or "NAME:
# not received" at each receiver of TO, and VIF's counters moved by
# exactly WANT, "REASON=N passed=+ ...", as expect_counters; VIF "-" for
# no counter check); vt_run runs the table and empties it.
vt() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" "${8:-1}" \
		>>"$TESTTMP/verdicts"
}
vt_run() {
	[ -s "$TESTTMP/verdicts" ] || return 0
	pkt verdicts --file "$TESTTMP/verdicts" || true
	: >"$TESTTMP/verdicts"
}

# An attack table.  attack NAME VIF REASON FROM TO FRAME records one:
# FRAME sent from FROM must not reach TO (ns:ifname,...) and count once
# under REASON at VIF.  attacks_succeed sends each one while nothing
# protects (ports unbound or trusted) and expects it at TO ("unprotected:
# NAME: received"), so that the checks can fail; attacks_fail sends each
# again and expects it dropped, counted ("NAME: not received", "NAME: VIF
# REASON=1").  attacks_clear empties the table.
ATK_NAME=() ATK_VIF=() ATK_REASON=() ATK_FROM=() ATK_TO=() ATK_FRAME=()
attack() {
	ATK_NAME+=("$1") ATK_VIF+=("$2") ATK_REASON+=("$3")
	ATK_FROM+=("$4") ATK_TO+=("$5") ATK_FRAME+=("$6")
}
attacks_succeed() {
	local i
	for i in "${!ATK_NAME[@]}"; do
		vt "unprotected: ${ATK_NAME[$i]}" - arrive "${ATK_FROM[$i]}" "${ATK_TO[$i]}" "${ATK_FRAME[$i]}"
	done
	vt_run
}
attacks_fail() {
	local i
	for i in "${!ATK_NAME[@]}"; do
		vt "${ATK_NAME[$i]}" "${ATK_VIF[$i]}" drop "${ATK_FROM[$i]}" "${ATK_TO[$i]}" \
			"${ATK_FRAME[$i]}" "${ATK_REASON[$i]}=1"
	done
	vt_run
}
attacks_clear() {
	ATK_NAME=() ATK_VIF=() ATK_REASON=() ATK_FROM=() ATK_TO=() ATK_FRAME=()
}

# watch_start NS:IF, then watch_check NAME NS:IF 'KEY=VALUE ...' [arrive|drop]
# [OPTIONS]: did the kernel's own stack send such a frame there meanwhile?
watch_start() { pkt watch-start --at "$1"; }
watch_check() {
	local name=$1 at=$2 match=$3 exp=${4:-arrive}
	shift 3
	[ $# -gt 0 ] && shift
	pkt watch-check --name "$name" --at "$at" --match "$match" --expect "$exp" "$@"
}

# tcp_echo_server K PORT: a TCP echo server on vmK (IPv4 and IPv6), in the
# background until the file ends; returns once it listens.
tcp_echo_server() {
	local k=$1 port=$2 i
	n "vm$k" $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.settimeout(10)
    try:
        c.sendall(b"echo: " + c.recv(4096))
    except OSError:
        pass
    c.close()
' "$port" &
	for i in $(seq 1 100); do
		$IP netns exec "vm$k" ss -Hltn "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	echo "TCP echo server on vm$k:$port did not start" >&2
	return 1
}

# tcp_talk K ADDR PORT WORD: vmK connects to ADDR:PORT, sends WORD, prints
# the answer.
tcp_talk() {
	n "vm$1" timeout 15 bash -c '
		exec 5<>"/dev/tcp/$1/$2" || exit 1
		printf "%s\n" "$3" >&5
		read -r -t 10 answer <&5 || exit 1
		printf "%s\n" "$answer"' _ "$2" "$3" "$4"
}

# Frame specs from vmJ to vmK (pkt.py grammar): vmJ's MAC and address,
# to vmK's MAC but an IP address no stack has (sink_ip4/sink_ip6 K), so
# that no stack answers and counters move only by what a test sends.
# A bound vmK receives them only if the sink addresses are in its binding
# (bind_rx K).  Extra key=value words appended override the defaults.
sink_ip4() { echo "10.0.0.$((100 + $1))"; }
sink_ip6() { printf '2001:db8::ff:%x' "$1"; }
udp4() { echo "udp src_mac=$(vm_mac "$1") dst_mac=$(vm_mac "$2") src_ip=$(vm_ip4 "$1") dst_ip=$(sink_ip4 "$2") sport=40000 dport=9 ${*:3}"; }
udp6() { echo "udp src_mac=$(vm_mac "$1") dst_mac=$(vm_mac "$2") src_ip=$(vm_ip6 "$1") dst_ip=$(sink_ip6 "$2") sport=40000 dport=9 ${*:3}"; }
icmp4() { echo "icmp src_mac=$(vm_mac "$1") dst_mac=$(vm_mac "$2") src_ip=$(vm_ip4 "$1") dst_ip=$(sink_ip4 "$2") ${*:3}"; }
icmp6() { echo "icmp6 src_mac=$(vm_mac "$1") dst_mac=$(vm_mac "$2") src_ip=$(vm_ip6 "$1") dst_ip=$(sink_ip6 "$2") ${*:3}"; }

# bg_stop: end the file's background jobs (not the pkt.py server).
bg_stop() {
	local j
	for j in $(jobs -p); do
		[ "$j" = "${PKT_PID:-}" ] || kill "$j" 2>/dev/null || true
	done
	for j in $(jobs -p); do
		[ "$j" = "${PKT_PID:-}" ] || wait "$j" 2>/dev/null || true
	done
}

# --- end of a test file -------------------------------------------------------
_lib_exit() {
	local rc=$?
	trap - EXIT ERR
	pkt_stop
	bg_stop
	if declare -F cleanup >/dev/null; then
		cleanup || true
	fi
	topo_down
	rm -rf "$TESTTMP"
	echo "# $VMFENCE_CASE: $_n_ok ok, $_n_fail FAIL, exit $rc"
	exit $rc
}
# A setup command failed: "set -e" ends the file, and main.sh reports it
# with the end of our log, where this is (innermost call first).
_lib_err() {
	echo "error: $VMFENCE_CASE line $1: \`$2\` failed (status $3)" >&2
}
trap _lib_exit EXIT
export VMFENCE_CTL=$CTL
pkt_start
trap '_lib_err $LINENO "$BASH_COMMAND" $?' ERR
trap 'exit 143' TERM
