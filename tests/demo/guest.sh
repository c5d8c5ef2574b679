#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/demo/guest.sh: the guest side of "make demo" (tests/demo/run boots
# the guest with tests/lib/vm.sh, which runs this as the child of PID 1,
# with VM_OUT and VM_REPO set).
#
# Builds a small hypervisor host out of network namespaces and shows, step
# by step, what vmfence stops:
#
#   netns "host"      bridge br0, ports vif-NAME (veth), vmfence bindings
#   netns web1, web2  two VMs (IPv4 and IPv6), bound
#   netns attacker    a VM with its own addresses, bound
#   netns router      the cloud's virtual router on a trusted port: DHCP
#                     server (busybox udhcpd) and IPv6 router (RAs)
#   netns newcomer    a VM plugged in later, before it is bound
#
# Each verdict line is a claim checked right there: a frame vmfence is
# said to block was watched for at its target and not seen there, and the
# drop counter of the reason moved by the number of frames sent; a frame
# said to pass was seen.  A claim that does not hold prints a loud
# "NOT BLOCKED ✗✗✗" (or "FAILED ✗✗✗") line and the script ends with
# status 1.  Step 1 shows the attacks working on a plain bridge ("✗"):
# that too is checked, or the later checks would prove nothing.
# Crafted frames come from tests/lib/pkt.py, in one "pkt.py serve"
# process (Python starts once).

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
umask 022

if [ -z "${VM_OUT:-}" ] || [ ! -d /proc/sys/net ] || [ "$(id -u)" != 0 ]; then
	echo "tests/demo/guest.sh runs in the guest that tests/demo/run boots" >&2
	exit 2
fi
OUT=$VM_OUT
REPO=${VM_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CTL=$OUT/bin/vmfencectl		# tests/demo/run's snapshot of the build
KO=$OUT/bin/vmfence.ko
PY=/usr/bin/python3
IP=/usr/sbin/ip
BR=/usr/sbin/bridge
W=/tmp/demo
mkdir -p "$W"
export VMFENCE_CTL=$CTL VMFENCE_PKT_DROP_WAIT=0.6

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname vmfence-demo
$IP link set lo up
# Console: errors and worse only (the kernel log is checked at the end).
echo 4 >/proc/sys/kernel/printk

# DEMO_TRACE=1 (from tests/demo/run): every command, timed, in trace.txt.
DEMO_TRACE=0
# shellcheck disable=SC1091
[ -f "$OUT/demo.conf" ] && . "$OUT/demo.conf"
if [ "$DEMO_TRACE" = 1 ]; then
	exec 9>"$OUT/trace.txt"
	BASH_XTRACEFD=9
	PS4='+ $EPOCHREALTIME '
	set -x
fi

# Under TCG on a busy machine, starting a program costs up to a second or
# two: the helpers below use bash builtins where they can.
T0=$EPOCHREALTIME
mkfifo "$W/nap"
exec {NAPFD}<>"$W/nap"
nap() { read -r -t "$1" -u "$NAPFD" _; }	# sleep, without starting sleep
secs() {	# secs T: seconds since EPOCHREALTIME was T, one decimal
	local d=$(( (${EPOCHREALTIME/./} - ${1/./}) / 100000 ))
	echo "$((d / 10)).$((d % 10))"
}

# --- verdicts ------------------------------------------------------------------
CLAIMS=0
FAILS=0
good() {	# good WORD TEXT: a claim that held
	CLAIMS=$((CLAIMS + 1))
	printf '   %s ✓ %s\n' "$1" "$2"
}
bad() {		# bad WORD TEXT: a claim that did not hold
	CLAIMS=$((CLAIMS + 1))
	FAILS=$((FAILS + 1))
	printf '   %s ✗✗✗ %s\n' "$1" "$2"
}
shown() {	# shown WORD TEXT: an attack that works where nothing protects
	CLAIMS=$((CLAIMS + 1))
	printf '   %s ✗ %s\n' "$1" "$2"
}
say() { printf '   %s\n' "$*"; }
cmd() { printf '   %s\n' "$*"; }	# a command as the operator types it
step() {
	printf '\n%s\n' "── $* ──  (t=$(secs "$T0") s)"
}
# die MESSAGE: the demo cannot go on.  Also from a $(...) subshell.
MAIN_PID=$BASHPID
trap 'exit 1' TERM
die() {
	printf '\ndemo: %s\n' "$*" >&2
	echo "demo: could not finish; nothing after this was checked" >&2
	echo "failed" >"$OUT/demo.result"
	[ "$BASHPID" = "$MAIN_PID" ] || kill -TERM "$MAIN_PID"
	exit 1
}

# --- pkt.py serve ------------------------------------------------------------------
coproc PKTCO { exec $PY "$REPO/tests/lib/pkt.py" serve 2>>"$W/pkt.err"; }
exec {PK_IN}>&"${PKTCO[1]}" {PK_OUT}<&"${PKTCO[0]}"

# pk ARGS...: one pkt.py command.  Sets PK_OK and PK_FAIL (counts of ok
# and FAIL results), PK_DETAIL (their details) and PK_VAL (values).
pk() {
	local line st detail
	PK_OK=0 PK_FAIL=0 PK_DETAIL='' PK_VAL=()
	printf '%q ' "$@" >&"$PK_IN"
	printf '\n' >&"$PK_IN"
	while IFS= read -r -t 120 line <&"$PK_OUT"; do
		[ "$line" = . ] && return 0
		IFS=$'\t' read -r st _ detail <<<"$line"
		case $st in
		ok) PK_OK=$((PK_OK + 1)); PK_DETAIL+="$detail; " ;;
		FAIL) PK_FAIL=$((PK_FAIL + 1)); PK_DETAIL+="$detail; " ;;
		=) PK_VAL+=("$detail") ;;
		!) PK_FAIL=$((PK_FAIL + 1)); PK_DETAIL+="$detail; " ;;
		esac
	done
	die "pkt.py did not answer \`$*\` (see $W/pkt.err)"
}

# cnt DEV REASON: a counter of "vmfencectl -j stats DEV" (passed, dropped
# or a drop reason).
cnt() {
	pk counters --ns host "$1"
	[ ${#PK_VAL[@]} = 1 ] || die "vmfencectl -j stats $1: ${PK_DETAIL}"
	local w
	for w in ${PK_VAL[0]}; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return 0; }
	done
	die "no counter $2 for $1 in: ${PK_VAL[0]}"
}
# total REASON: the namespace's total of drops for REASON.
total() {
	pk ctl-json --ns host --expr "d['total']['drops']['$1']" -- -j stats
	[ ${#PK_VAL[@]} = 1 ] || die "vmfencectl -j stats: ${PK_DETAIL}"
	echo "${PK_VAL[0]}"
}

# where NS:IF,...: "web1 and web2"
where() {
	local l=${1//:eth0/}
	l=${l//,/, }
	case $l in
	*,*) echo "${l%, *} and ${l##*, }" ;;
	*) echo "$l" ;;
	esac
}

# blocked TEXT PORT REASON N FROM TO[,TO...] FRAME [pkt.py options]
#   FRAME is sent (--count N times, if given in the options) from FROM and
#   must not arrive at any TO; REASON's counter on PORT must move by N.
blocked() {
	local text=$1 port=$2 reason=$3 n=$4 from=$5 tos=$6 frame=$7 b a to args=()
	shift 7
	for to in ${tos//,/ }; do args+=(--to "$to"); done
	b=$(cnt "$port" "$reason")
	pk send-expect --expect drop --from "$from" "${args[@]}" --frame "$frame" "$@"
	local pok=$PK_OK pfail=$PK_FAIL pdet=$PK_DETAIL
	a=$(cnt "$port" "$reason")
	if [ "$pfail" = 0 ] && [ "$pok" -gt 0 ] && [ $((a - b)) = "$n" ]; then
		good BLOCKED "$text: not seen at $(where "$tos"); counter $reason on $port went $b → $a"
	else
		bad "NOT BLOCKED" "$text: counter $reason on $port went $b → $a (expected +$n); $pdet"
	fi
}

# passes TEXT FROM TO[,TO...] FRAME: the frame arrives at every TO.
passes() {
	local text=$1 from=$2 tos=$3 frame=$4 to args=()
	for to in ${tos//,/ }; do args+=(--to "$to"); done
	pk send-expect --expect arrive --from "$from" "${args[@]}" --frame "$frame"
	if [ "$PK_FAIL" = 0 ] && [ "$PK_OK" -gt 0 ]; then
		good PASSED "$text: arrived at $(where "$tos")"
	else
		bad FAILED "$text: $PK_DETAIL"
	fi
}

# --- the VMs -------------------------------------------------------------------------
declare -A MAC IP4 IP6
MAC[web1]=52:54:00:00:0a:01	IP4[web1]=10.0.0.11	IP6[web1]=2001:db8::11
MAC[web2]=52:54:00:00:0a:02	IP4[web2]=10.0.0.12	IP6[web2]=2001:db8::12
MAC[attacker]=52:54:00:00:0b:ad	IP4[attacker]=10.0.0.66	IP6[attacker]=2001:db8::66
MAC[router]=52:54:00:00:00:01	IP4[router]=10.0.0.1	IP6[router]=2001:db8::1
MAC[newcomer]=52:54:00:00:0a:03	IP4[newcomer]=10.0.0.13	IP6[newcomer]=2001:db8::13
ATT=${MAC[attacker]}

# ll MAC: the EUI-64 link-local address of MAC.
ll() {
	local IFS=: m
	read -r -a m <<<"$1"
	printf 'fe80::%x:%x:%x:%x\n' $(( (0x${m[0]} ^ 2) << 8 | 0x${m[1]} )) \
		$(( 0x${m[2]} << 8 | 0xff )) $(( 0xfe << 8 | 0x${m[3]} )) $(( 0x${m[4]} << 8 | 0x${m[5]} ))
}

in_ns() { local ns=$1; shift; $IP netns exec "$ns" "$@"; }
firstline() { local l=${1%%$'\n'*}; echo "${l%"${l##*[! ]}"}"; }
hctl() { $IP netns exec host "$CTL" "$@"; }

# mkvm NAME: namespace NAME, eth0 <-veth-> vif-NAME in "host" (not yet
# on the bridge).
mkvm() {
	local vm=$1
	$IP netns add "$vm" || die "ip netns add $vm failed"
	$IP -n host link add "vif-$vm" type veth peer name eth0 address "${MAC[$vm]}" netns "$vm" ||
		die "creating vif-$vm failed"
	{
		echo "link set lo up"
		echo "addr add ${IP4[$vm]}/24 dev eth0"
		echo "addr add ${IP6[$vm]}/64 dev eth0 nodad"
		echo "link set eth0 up"
	} | $IP -n "$vm" -batch - || die "configuring $vm failed"
}
plug() { $IP -n host link set "vif-$1" master br0 up || die "plugging vif-$1 into br0 failed"; }

# ping_ok VM ADDR: "N/N" replies, status 0 if all came.
ping_ok() {
	local out
	out=$(in_ns "$1" ping -n -q -c 3 -i 0.2 -W 2 "$2" 2>&1)
	if [[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]; then
		echo "${BASH_REMATCH[2]}/${BASH_REMATCH[1]}"
		[ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[1]}" ]
		return
	fi
	echo "0/3"
	return 1
}

# lladdr VM ADDR: the MAC VM's neighbour cache has for ADDR (or "none").
lladdr() {
	local l
	l=$($IP -n "$1" neigh show "$2" dev eth0)
	if [[ $l =~ lladdr\ ([0-9a-f:]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo none; fi
}
neigh_line() { firstline "$($IP -n "$1" neigh show "$2" dev eth0)"; }

# fdb_port MAC: the port br0 has MAC on (learnt entries), or nothing.
fdb_port() {
	local m port rest
	while read -r m _ port rest; do
		if [ "$m" = "$1" ] && [[ $rest != *permanent* ]]; then
			echo "$port"
			return
		fi
	done < <($BR -n host fdb show br0)
}

# ==========================================================================
echo
echo "vmfence demo: a hypervisor host, built from network namespaces"
echo "================================================================"

deps=$(modinfo -F depends "$KO" 2>/dev/null)
for d in ${deps//,/ }; do modprobe "$d" || die "modprobe $d failed"; done
insmod "$KO" || die "insmod $KO failed"

# New namespaces take their IPv6 settings from this one: no router
# solicitations (they would come at any time), no duplicate address
# detection (addresses usable at once).
echo 1 >/proc/sys/net/core/devconf_inherit_init_net
for k in router_solicitations accept_dad dad_transmits; do
	echo 0 >"/proc/sys/net/ipv6/conf/all/$k"
	echo 0 >"/proc/sys/net/ipv6/conf/default/$k"
done

$IP netns add host || die "ip netns add host failed"
$IP netns exec host sh -c '
	echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
	echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6'
$IP -n host link set lo up
$IP -n host link add br0 type bridge mcast_snooping 0 forward_delay 0 || die "creating br0 failed"
$IP -n host link set br0 up
for vm in web1 web2 attacker router; do
	mkvm "$vm"
	plug "$vm"
done

# The router: DHCP server (a static lease for web1, as clouds do: each VM
# gets the address it is bound to).
cat >"$W/udhcpd.conf" <<EOF
interface eth0
start 10.0.0.100
end 10.0.0.150
static_lease ${MAC[web1]} ${IP4[web1]}
option subnet 255.255.255.0
option router ${IP4[router]}
option lease 3600
lease_file $W/udhcpd.leases
pidfile $W/udhcpd.pid
EOF
: >"$W/udhcpd.leases"
in_ns router busybox udhcpd -f "$W/udhcpd.conf" >"$W/udhcpd.log" 2>&1 &
UDHCPD_PID=$!

# web2: a web server (busybox httpd, IPv4 and IPv6).
mkdir -p "$W/www"
echo "hello from web2" >"$W/www/index.html"
in_ns web2 busybox httpd -f -p 80 -h "$W/www" >"$W/httpd.log" 2>&1 &
HTTP_PID=$!

read -r krel </proc/sys/kernel/osrelease
read -r kmodver </sys/module/vmfence/version
ncpu=0
while read -r l; do [[ $l == processor* ]] && ncpu=$((ncpu + 1)); done </proc/cpuinfo
echo "Linux $krel, $ncpu CPUs; vmfence $kmodver loaded."
echo
echo "Bridge br0 lives in namespace \"host\" (the hypervisor).  Each VM is a"
echo "namespace whose eth0 is one end of a veth pair; the other end, vif-NAME,"
echo "is a port of br0, as a Xen vif or a KVM tap would be:"
echo
printf '   %-9s %-13s %-18s %-10s %s\n' VM port MAC IPv4 IPv6
for vm in web1 web2 attacker router; do
	printf '   %-9s %-13s %-18s %-10s %s\n' "$vm" "vif-$vm" "${MAC[$vm]}" "${IP4[$vm]}" "${IP6[$vm]}"
done
echo
echo "web2 serves a web page.  The router is the cloud's own: it serves DHCP"
echo "(busybox udhcpd) and sends IPv6 Router Advertisements."

# --------------------------------------------------------------------------
step "1. Without vmfence: what the attacker can do to a plain bridge"
say "No port is bound yet.  web2 talks to web1, so it knows web1's MAC:"
ping_ok web2 "${IP4[web1]}" >/dev/null
ping_ok web2 "${IP6[web1]}" >/dev/null
say "  web2\$ ip neigh: $(neigh_line web2 "${IP4[web1]}")"
say "  web2\$ ip neigh: $(neigh_line web2 "${IP6[web1]}")"
say "The attacker waits 1.2 s (Linux ignores an ARP reply that changes a"
say "neighbour updated less than 1 s ago), then sends web2 an ARP reply"
say "\"${IP4[web1]} is at $ATT\", a gratuitous ARP saying the same to everyone"
say "and a Neighbor Advertisement \"${IP6[web1]} is at $ATT\"."
nap 1.2
pk send --from attacker:eth0 --frame "arp op=reply src_mac=$ATT dst_mac=${MAC[web2]} sha=$ATT spa=${IP4[web1]} tha=${MAC[web2]} tpa=${IP4[web2]}"
pk send --from attacker:eth0 --frame "arp op=request src_mac=$ATT sha=$ATT spa=${IP4[web1]} tpa=${IP4[web1]}"
pk send --from attacker:eth0 --frame "na src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP6[attacker]} dst_ip=${IP6[web2]} target=${IP6[web1]} flags=O tll=$ATT"
nap 0.3
for a in "${IP4[web1]}" "${IP6[web1]}"; do
	if [ "$(lladdr web2 "$a")" = "$ATT" ]; then
		shown POISONED "web2\$ ip neigh: $(neigh_line web2 "$a")"
	else
		bad "CONTROL FAILED" "the attack did not work without vmfence, so the checks below would prove nothing: web2\$ ip neigh: $(neigh_line web2 "$a")"
	fi
done
say "web2 now sends what it means for web1 to the attacker."
say "The attacker also sends a frame with web1's MAC as its source, and the"
say "bridge now delivers web2's next frame for web1:"
# web1's own frames (neighbour probes) teach the bridge back at any time:
# up to 3 tries, each a few milliseconds apart inside pkt.py, as an
# attacker would keep sending.
stolen=0 why=
for _ in 1 2 3; do
	pk watch-start --at web1:eth0
	pk send --from attacker:eth0 --frame "udp src_mac=${MAC[web1]} dst_mac=${MAC[web2]} src_ip=${IP4[attacker]} dst_ip=${IP4[web2]} sport=40000 dport=9"
	pk send-expect --expect arrive --timeout 2 --from web2:eth0 --to attacker:eth0 \
		--frame "udp src_mac=${MAC[web2]} dst_mac=${MAC[web1]} src_ip=${IP4[web2]} dst_ip=${IP4[web1]} sport=40000 dport=5001 payload=for-web1"
	to_att=$PK_FAIL why=$PK_DETAIL
	pk watch-check --at web1:eth0 --match "ip_src=${IP4[web2]} ip_dst=${IP4[web1]} dport=5001" --expect drop
	if [ "$to_att" = 0 ] && [ "$PK_FAIL" = 0 ]; then
		stolen=1
		break
	fi
	why+=" $PK_DETAIL"
done
if [ $stolen = 1 ]; then
	shown "MAC STOLEN" "web2's frame for web1 went to the attacker, not to web1 (the bridge moved ${MAC[web1]} to vif-attacker)"
else
	bad "CONTROL FAILED" "the bridge did not give web1's frames to the attacker: $why"
fi
say "(Repaired: web2's neighbour cache flushed, web1 pings web2.)"
in_ns web2 $IP neigh flush dev eth0
ping_ok web1 "${IP4[web2]}" >/dev/null
[ "$(fdb_port "${MAC[web1]}")" = vif-web1 ] || die "the bridge did not learn web1's MAC back on vif-web1"

# --------------------------------------------------------------------------
step "2. The operator binds each port to its VM"
for vm in web1 web2 attacker; do
	cmd "host# vmfencectl port set vif-$vm mac ${MAC[$vm]} ip ${IP4[$vm]} ip ${IP6[$vm]} label $vm"
	hctl port set "vif-$vm" mac "${MAC[$vm]}" ip "${IP4[$vm]}" ip "${IP6[$vm]}" label "$vm" ||
		die "port set vif-$vm failed"
done
cmd "host# vmfencectl port set vif-router mac ${MAC[router]} mode trusted label router"
hctl port set vif-router mac "${MAC[router]}" mode trusted label router || die "port set vif-router failed"
cmd "host# vmfencectl bridge set br0 unbound drop"
hctl bridge set br0 unbound drop || die "bridge set br0 unbound drop failed"
cmd "host# vmfencectl monitor >monitor.log &       (drop events, shown at the end)"
$IP netns exec host "$CTL" monitor >"$W/monitor.log" 2>&1 &
MONITOR_PID=$!
say "web1, web2 and the attacker are checked both ways; the router's port is"
say "trusted (not checked); a port nobody bound on br0 gets nothing through."

# --------------------------------------------------------------------------
step "3. Legitimate traffic between web1 and web2"
b1=$(cnt vif-web1 passed) b2=$(cnt vif-web2 passed)
for a in "${IP4[web2]}" "${IP6[web2]}"; do
	if r=$(ping_ok web1 "$a"); then
		good PASSED "web1\$ ping $a: $r replies"
	else
		bad FAILED "web1\$ ping $a: $r replies"
	fi
done
for u in "http://${IP4[web2]}/" "http://[${IP6[web2]}]/"; do
	page=$(in_ns web1 curl -sS -g --max-time 10 --retry 5 --retry-connrefused --retry-delay 1 "$u" 2>&1)
	if [ "$page" = "hello from web2" ]; then
		good PASSED "web1\$ curl $u (TCP): \"$page\""
	else
		bad FAILED "web1\$ curl $u: $page"
	fi
done
d1=$(cnt vif-web1 dropped) d2=$(cnt vif-web2 dropped)
a1=$(cnt vif-web1 passed) a2=$(cnt vif-web2 passed)
if [ "$d1" = 0 ] && [ "$d2" = 0 ] && [ "$a1" -gt "$b1" ] && [ "$a2" -gt "$b2" ]; then
	good PASSED "nothing of theirs dropped: vif-web1 passed $b1 → $a1 frames, vif-web2 $b2 → $a2, dropped 0 and 0"
else
	bad FAILED "vif-web1 passed $b1 → $a1, dropped $d1; vif-web2 passed $b2 → $a2, dropped $d2"
fi

# --------------------------------------------------------------------------
step "4. The attacker sends with web1's MAC address as its source"
passes "control: the attacker's frame to web2 from its own MAC" attacker:eth0 web2:eth0 \
	"udp src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP4[attacker]} dst_ip=${IP4[web2]} sport=40000 dport=9"
blocked "the same frame from web1's MAC ${MAC[web1]}" vif-attacker mac_spoof 1 attacker:eth0 web2:eth0 \
	"udp src_mac=${MAC[web1]} dst_mac=${MAC[web2]} src_ip=${IP4[attacker]} dst_ip=${IP4[web2]} sport=40000 dport=9"
port=$(fdb_port "${MAC[web1]}")
if [ "$port" = vif-web1 ]; then
	good BLOCKED "no MAC theft: the bridge still has ${MAC[web1]} on vif-web1"
else
	bad "NOT BLOCKED" "the bridge has ${MAC[web1]} on '${port:-no port}'"
fi

# --------------------------------------------------------------------------
step "5. The attacker forges web1's IP addresses"
passes "control: the attacker's ping of web2 from its own address ${IP4[attacker]}" attacker:eth0 web2:eth0 \
	"icmp src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP4[attacker]} dst_ip=${IP4[web2]}"
blocked "ping of web2 from web1's address ${IP4[web1]}" vif-attacker ip4_spoof 1 attacker:eth0 web2:eth0 \
	"icmp src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP4[web1]} dst_ip=${IP4[web2]}"
passes "control: the same over IPv6 from its own ${IP6[attacker]}" attacker:eth0 web2:eth0 \
	"icmp6 src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP6[attacker]} dst_ip=${IP6[web2]}"
blocked "ping of web2 from web1's address ${IP6[web1]}" vif-attacker ip6_spoof 1 attacker:eth0 web2:eth0 \
	"icmp6 src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP6[web1]} dst_ip=${IP6[web2]}"

# --------------------------------------------------------------------------
step "6. ARP poisoning, again, now with vmfence"
ping_ok web2 "${IP4[web1]}" >/dev/null
say "web2 knows web1 again: $(neigh_line web2 "${IP4[web1]}")"
say "The attacker waits past the 1 s lock time, then sends the same ARP reply"
say "and gratuitous ARP as in step 1."
nap 1.2
blocked "ARP reply \"${IP4[web1]} is at $ATT\" to web2" vif-attacker arp_spoof 1 attacker:eth0 web2:eth0 \
	"arp op=reply src_mac=$ATT dst_mac=${MAC[web2]} sha=$ATT spa=${IP4[web1]} tha=${MAC[web2]} tpa=${IP4[web2]}"
blocked "gratuitous ARP for ${IP4[web1]}" vif-attacker arp_spoof 1 attacker:eth0 web1:eth0,web2:eth0 \
	"arp op=request src_mac=$ATT sha=$ATT spa=${IP4[web1]} tpa=${IP4[web1]}"
if [ "$(lladdr web2 "${IP4[web1]}")" = "${MAC[web1]}" ]; then
	good BLOCKED "web2's cache is still right: web2\$ ip neigh: $(neigh_line web2 "${IP4[web1]}")"
else
	bad "NOT BLOCKED" "web2's cache changed: $(neigh_line web2 "${IP4[web1]}")"
fi

# --------------------------------------------------------------------------
step "7. A Neighbor Advertisement for web1's IPv6 address"
ping_ok web2 "${IP6[web1]}" >/dev/null
say "web2 knows web1: $(neigh_line web2 "${IP6[web1]}")"
nap 1.2
blocked "NA \"${IP6[web1]} is at $ATT\" (override) to web2" vif-attacker nd_spoof 1 attacker:eth0 web2:eth0 \
	"na src_mac=$ATT dst_mac=${MAC[web2]} src_ip=${IP6[attacker]} dst_ip=${IP6[web2]} target=${IP6[web1]} flags=O tll=$ATT"
if [ "$(lladdr web2 "${IP6[web1]}")" = "${MAC[web1]}" ]; then
	good BLOCKED "web2's cache is still right: web2\$ ip neigh: $(neigh_line web2 "${IP6[web1]}")"
else
	bad "NOT BLOCKED" "web2's cache changed: $(neigh_line web2 "${IP6[web1]}")"
fi

# --------------------------------------------------------------------------
step "8. A rogue DHCP server"
XID=0x5eed0001
say "web1 asks for an address: DHCPDISCOVER, xid $XID, broadcast."
pk watch-start --at attacker:eth0
pk watch-start --at web1:eth0
b=$(cnt vif-attacker dhcp_snoop)
pk send-expect --expect arrive --from web1:eth0 --to router:eth0 \
	--frame "dhcp4 msg=discover src_mac=${MAC[web1]} xid=$XID"
if [ "$PK_FAIL" = 0 ]; then
	good PASSED "the router (DHCP server) got web1's DHCPDISCOVER"
else
	bad FAILED "web1's DHCPDISCOVER did not reach the router: $PK_DETAIL"
fi
pk watch-check --at attacker:eth0 --match "dport=67 dhcp_type=discover" --expect drop
a=$(cnt vif-attacker dhcp_snoop)
if [ "$PK_FAIL" = 0 ] && [ $((a - b)) -ge 1 ]; then
	good BLOCKED "the attacker did not see it: counter dhcp_snoop on vif-attacker went $b → $a"
else
	bad "NOT BLOCKED" "the attacker saw web1's DHCPDISCOVER or nothing counted (dhcp_snoop $b → $a): $PK_DETAIL"
fi
say "The attacker answers anyway, with the right xid: a DHCPOFFER from"
say "${IP4[attacker]}:67, \"take 10.0.0.200, I am your DHCP server\"."
blocked "rogue DHCPOFFER to web1" vif-attacker dhcp_server 1 attacker:eth0 web1:eth0 \
	"dhcp4 msg=offer src_mac=$ATT src_ip=${IP4[attacker]} dst_mac=ff:ff:ff:ff:ff:ff xid=$XID chaddr=${MAC[web1]} yiaddr=10.0.0.200 siaddr=${IP4[attacker]}"
pk watch-check --at web1:eth0 --match "ip_src=${IP4[router]} sport=67 dhcp_type=offer" --expect arrive
if [ "$PK_FAIL" = 0 ]; then
	good PASSED "web1 got the router's DHCPOFFER"
else
	bad FAILED "web1 got no DHCPOFFER from the router: $PK_DETAIL"
fi
cat >"$W/udhcpc.script" <<'EOF'
#!/bin/sh
[ "$1" = bound ] && echo "lease ip=$ip serverid=$serverid router=$router" >>/tmp/demo/udhcpc.lease
exit 0
EOF
chmod +x "$W/udhcpc.script"
: >"$W/udhcpc.lease"
say "And a real DHCP client in web1, start to end:"
in_ns web1 busybox udhcpc -i eth0 -f -q -n -t 3 -T 2 -s "$W/udhcpc.script" >"$W/udhcpc.log" 2>&1
lease=
while read -r l; do lease=$l; done <"$W/udhcpc.lease"
if [ "$lease" = "lease ip=${IP4[web1]} serverid=${IP4[router]} router=${IP4[router]}" ]; then
	good PASSED "web1\$ udhcpc: ${IP4[web1]} from the router ${IP4[router]}"
else
	bad FAILED "web1\$ udhcpc: '${lease:-no lease}' ($(tr '\n' ' ' <"$W/udhcpc.log"))"
fi

# --------------------------------------------------------------------------
step "9. A rogue IPv6 router"
RLL=$(ll "${MAC[router]}") ALL=$(ll "$ATT")
say "The router advertises itself (from $RLL, through its trusted port):"
passes "the router's Router Advertisement" router:eth0 web1:eth0,web2:eth0 \
	"ra src_mac=${MAC[router]} src_ip=$RLL lifetime=1800"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	r=$($IP -n web1 -6 route show default)
	[[ $r == *"via $RLL"* ]] && break
	nap 0.5
done
r=$(firstline "$r")
if [[ $r == *"via $RLL"* ]]; then
	good PASSED "web1\$ ip -6 route: ${r%% proto*}"
else
	bad FAILED "web1 has no default route via the router: '$r'"
fi
say "The attacker advertises itself as a router, with a prefix of its own:"
blocked "rogue RA from $ALL, prefix 2001:db8:bad::/64" vif-attacker router_advert 1 attacker:eth0 web1:eth0,web2:eth0 \
	"ra src_mac=$ATT src_ip=$ALL prefix=2001:db8:bad::/64 lifetime=1800"
blocked "the same RA behind a hop-by-hop options header" vif-attacker router_advert 1 attacker:eth0 web1:eth0,web2:eth0 \
	"ra src_mac=$ATT src_ip=$ALL prefix=2001:db8:bad::/64 lifetime=1800 ext=hbh"
routes=$($IP -n web1 -6 route show default)
addrs=$($IP -n web1 -6 addr show dev eth0)
if [[ $routes != *"$ALL"* ]] && [[ $addrs != *2001:db8:bad:* ]]; then
	good BLOCKED "web1 has no route via $ALL and no address in 2001:db8:bad::/64"
else
	bad "NOT BLOCKED" "web1 took the rogue RA: $routes / $(grep -o '2001:db8:bad:[^ ]*' <<<"$addrs")"
fi

# --------------------------------------------------------------------------
step "10. VLAN hopping and a broadcast storm"
blocked "ping of web1 tagged for VLAN 100" vif-attacker vlan 1 attacker:eth0 web1:eth0 \
	"icmp src_mac=$ATT dst_mac=${MAC[web1]} src_ip=${IP4[attacker]} dst_ip=${IP4[web1]} vlan=100"
# Paced (pkt.py's socket is non-blocking: a burst of 500 can fill it).
b=$(cnt vif-attacker broadcast)
for at in web1 web2 router; do pk watch-start --at "$at:eth0"; done
pk send --from attacker:eth0 --count 500 --interval 0.002 \
	--frame "udp src_mac=$ATT src_ip=${IP4[attacker]} dst_ip=255.255.255.255 sport=40000 dport=7777"
sent_ok=$PK_FAIL sent_det=$PK_DETAIL
seen=
for at in web1 web2 router; do
	pk watch-check --at "$at:eth0" --match "ip_src=${IP4[attacker]} ip_dst=255.255.255.255 dport=7777" --expect drop
	[ "$PK_FAIL" = 0 ] || seen+="$at: $PK_DETAIL"
done
a=$(cnt vif-attacker broadcast)
if [ "$sent_ok" = 0 ] && [ -z "$seen" ] && [ $((a - b)) = 500 ]; then
	good BLOCKED "500 UDP broadcasts to 255.255.255.255: none seen at web1, web2 or the router; counter broadcast on vif-attacker went $b → $a"
else
	bad "NOT BLOCKED" "500 UDP broadcasts: counter broadcast on vif-attacker went $b → $a (expected +500); $sent_det $seen"
fi

# --------------------------------------------------------------------------
step "11. Sniffing: the attacker listens for web1's traffic"
say "When a bridge does not know where a MAC is (its entry aged out), it"
say "floods frames for it to every port.  Here: web1's entry is deleted and"
say "learning is paused on vif-web1; web2 sends web1 a secret."
$BR -n host link set dev vif-web1 learning off
$BR -n host fdb del "${MAC[web1]}" dev vif-web1 master 2>/dev/null
pk watch-start --at attacker:eth0
b=$(cnt vif-attacker not_for_port)
pk send-expect --expect arrive --from web2:eth0 --to web1:eth0 --to router:eth0 \
	--frame "udp src_mac=${MAC[web2]} dst_mac=${MAC[web1]} src_ip=${IP4[web2]} dst_ip=${IP4[web1]} sport=40000 dport=5000 payload=PASSWORD=hunter2"
if [ "$PK_FAIL" = 0 ]; then
	good PASSED "flooded: web2's frame for web1 arrived at web1 and at the router's port"
else
	bad FAILED "the frame was not flooded as expected: $PK_DETAIL"
fi
pk watch-check --at attacker:eth0 --match "ip_src=${IP4[web2]} ip_dst=${IP4[web1]} dport=5000" --expect drop
a=$(cnt vif-attacker not_for_port)
if [ "$PK_FAIL" = 0 ] && [ $((a - b)) -ge 1 ]; then
	good BLOCKED "the attacker did not get it: counter not_for_port on vif-attacker went $b → $a"
else
	bad "NOT BLOCKED" "the attacker got web1's frame, or nothing counted (not_for_port $b → $a): $PK_DETAIL"
fi
$BR -n host link set dev vif-web1 learning on

# --------------------------------------------------------------------------
step "12. A newcomer on the strict bridge"
say "br0 is set to \"unbound drop\".  A new VM is plugged in before the"
say "orchestrator has bound its port:"
mkvm newcomer
cmd "host# ip link set vif-newcomer master br0 up"
plug newcomer
b=$(total unbound)
pk watch-start --at web1:eth0
if r=$(ping_ok newcomer "${IP4[web1]}"); then
	bad "NOT BLOCKED" "newcomer\$ ping ${IP4[web1]}: $r replies"
else
	good BLOCKED "newcomer\$ ping ${IP4[web1]}: $r replies"
fi
pk watch-check --at web1:eth0 --match "eth_src=${MAC[newcomer]}" --expect drop
a=$(total unbound)
if [ "$PK_FAIL" = 0 ] && [ $((a - b)) -ge 1 ]; then
	good BLOCKED "web1 saw no frame from it; counter unbound (br0) went $b → $a"
else
	bad "NOT BLOCKED" "unbound $b → $a: $PK_DETAIL"
fi
cmd "host# vmfencectl port set vif-newcomer mac ${MAC[newcomer]} ip ${IP4[newcomer]} ip ${IP6[newcomer]} label newcomer"
hctl port set vif-newcomer mac "${MAC[newcomer]}" ip "${IP4[newcomer]}" ip "${IP6[newcomer]}" label newcomer ||
	die "port set vif-newcomer failed"
if r=$(ping_ok newcomer "${IP4[web1]}"); then
	good PASSED "bound: newcomer\$ ping ${IP4[web1]}: $r replies"
else
	bad FAILED "bound, yet newcomer\$ ping ${IP4[web1]}: $r replies"
fi

# --------------------------------------------------------------------------
step "13. What the operator sees"
nap 0.3
kill -TERM "$MONITOR_PID" 2>/dev/null
wait "$MONITOR_PID" 2>/dev/null
cmd "host# vmfencectl stats"
hctl stats 2>&1 | sed 's/^/     /'
echo
cmd "host# vmfencectl monitor     (one line per reason, of the $(grep -c . "$W/monitor.log") it printed;"
cmd "                                at most $(cat /sys/module/vmfence/parameters/event_rate 2>/dev/null || echo '?') events a second per port, the rest counted)"
# One line per reason: its first, but for not_for_port the sniffed frame
# (the first ones are routine floods, ARP requests for other VMs).
awk '{ r = ""
       for (i = 1; i < NF; i++) if ($i ~ /^[a-z_0-9]+$/ && $(i+1) == "from") { r = $i; break }
       if (r == "") next
       if (!(r in line) || (r == "not_for_port" && !sniff && / -> 5000/)) {
               line[r] = $0; if (r == "not_for_port" && / -> 5000/) sniff = 1 } }
     END { for (r in line) print line[r] }' "$W/monitor.log" | sort | cut -c1-200 | sed 's/^/     /'
cp "$W/monitor.log" "$OUT/monitor.log" 2>/dev/null

KLOG_BAD='WARNING:|BUG:|Call Trace|general protection fault|Oops|kernel BUG|UBSAN|KASAN|refcount_t:|list_(add|del) corruption|RCU stall|soft lockup|hung_task|Kernel panic|lockdep|possible circular locking|sleeping function called from invalid context'
dmesg >"$OUT/dmesg.txt"
echo
if bad_lines=$(grep -E "$KLOG_BAD" "$OUT/dmesg.txt"); then
	bad FAILED "the kernel log has warnings: $(head -n 5 <<<"$bad_lines")"
else
	good CLEAN "kernel log: no warning, BUG or oops"
fi

kill "$UDHCPD_PID" "$HTTP_PID" 2>/dev/null
exec {PK_IN}>&-

echo
if [ "$FAILS" = 0 ]; then
	echo "All $CLAIMS claims checked and true: every attack was blocked, legitimate"
	echo "traffic flowed.  ($(secs "$T0") s in the guest)"
	echo "ok $CLAIMS" >"$OUT/demo.result"
	exit 0
fi
echo "✗✗✗ $FAILS of $CLAIMS claims did NOT hold: see the ✗✗✗ lines above. ✗✗✗"
echo "failed $FAILS $CLAIMS" >"$OUT/demo.result"
exit 1
