#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configuration churn under traffic.  Bindings and addresses are replaced
# again and again by several processes while frames flow from many ports,
# and no forbidden frame may be delivered at any moment.
#
# The oracle (tests/lib/churn.py has the address plan).  Port P's frames
# carry UDP source port C*10000+P (C: the port's class), so that the
# receiver knows which port sent a frame whatever its addresses.  Every
# binding ever made for P lies inside P's "ever-allowed" pool (MACs
# 02:00:00:00:PP:01/02, 10.P.1.0/24, 2001:db8:P:1::/64); the traffic also
# carries "never-allowed" sources: MACs :00 and :03, 10.P.0.0/24 and
# 10.P.2.0/24 (either side of the pool), 2001:db8:P:2::/64, another port's
# pool, another port's MAC.  The receivers (namespace "sink", behind a
# trusted port) count, with one BPF-filtered AF_PACKET socket per class
# and kind, what arrives: the never-allowed frames of an enforced port
# must stay at 0, its allowed frames must arrive (else the test proves
# nothing).  The bridge of the churned ports stays "unbound drop"
# throughout, so that a port deleted and bound again, or a device just
# recreated, lets nothing through meanwhile.  Mode flips to trusted and
# "unbound pass/drop" flips are churned on ports of their own, outside
# the oracle; they are controls: their never-allowed frames do arrive,
# which shows that the receivers would see a forbidden frame.
#
#   control   the same traffic, nothing bound, bridge "pass": never-allowed
#             sources arrive (the oracle can fail)
#   phase 1   binding churn under traffic: pktgen into 12 ports (5 kinds of
#             source each for the 8 of the oracle); 3 churning processes:
#             PORT_SET with varying address sets and seq, PORT_ADDR_ADD/DEL,
#             APPLY documents with and without REPLACE, PORT_DEL then
#             PORT_SET, STATS_RESET, BRIDGE_SET, mode flips; a process
#             dumping PORT_GET, STATS_GET, BRIDGE_GET and reading debugfs
#             and sysfs; drop events listened to.  Then one process alone,
#             each result checked against a model of the semantics, and
#             "port show" against the model at the end
#   phase 2   devices deleted and recreated under traffic and churn: two
#             churned ports' devices cycled in the background, and one port
#             step by step: its binding goes with its device, the recreated
#             device of the same name is unbound and, bridge on "unbound
#             drop", lets nothing through until it is bound again.  Then a
#             device moved to another namespace while an APPLY naming it
#             stages: its binding must go with it too (churn.py nsmove)
#   phase 3   network namespaces with a bridge, bindings, churn and traffic
#             destroyed, repeatedly, churn going on in "host": their ports
#             are gone from debugfs
#   phase 4   rmmod and insmod under traffic and churn, rebinding after each
#             load: nothing forbidden arrives while the module is loaded and
#             bound; while it is away, never-allowed frames do arrive
#             (control)
#   end       churn stopped: "port show" is exactly the document applied
#             last; a reset zeroes the counters; after 1 s of traffic the
#             ports' and bridges' counters add up to the totals
#
# Time: VMFENCE_CHURN_SECONDS (default 20) is phase 1's churn; phase 2
# lasts 0.6 of it (6 s at least), phase 3 makes max(3, S/5) namespaces and
# phase 4 max(3, S/7) reloads, within about S seconds each; and phases 2-4
# end early (after 1 cycle, 2 namespaces, 2 reloads) if the file runs past
# fractions of VMFENCE_CHURN_BUDGET (default max(300, 12 S) seconds), for
# a slow kernel or a loaded machine.
# About 2.5 minutes on Debian's kernel under TCG, 4 on the debug kernel
# (tests/run --debug-kernel), on two cores shared with other runs.  The
# long version (VM_APPEND's words reach the guest's environment), e.g. 10
# minutes of churn, about 40 minutes in all:
#   VM_APPEND=VMFENCE_CHURN_SECONDS=600 VMFENCE_CASE_TIMEOUT=3600 \
#       VMFENCE_TEST_TIMEOUT=4000 tests/run 88-churn
# VMFENCE_CHURN_PPS: pktgen's rate per source (default 40 frames/s, 43
# sources: up to 1,700 frames/s, shared with the churners; the rates
# reached are noted, frames and changes per second).
. "$(dirname "$0")/../lib.sh"

CHURN=$REPO/tests/lib/churn.py
S=${VMFENCE_CHURN_SECONDS:-20}
PPS=${VMFENCE_CHURN_PPS:-40}
S2=$(( S * 6 / 10 < 6 ? 6 : S * 6 / 10 ))
ROUNDS3=$(( S / 5 < 3 ? 3 : S / 5 ))
ROUNDS4=$(( S / 7 < 3 ? 3 : S / 7 ))
# The whole file within BUDGET seconds: phases 2-4 stop early (after
# their minimum: 1 step-by-step cycle, 2 namespaces, 2 reloads) when late.
BUDGET=${VMFENCE_CHURN_BUDGET:-$(( S * 12 < 300 ? 300 : S * 12 ))}
D=$TESTTMP
PG=/proc/net/pktgen

# Time in microseconds, and pauses, without a process (a fork and exec
# cost tens of milliseconds under TCG, more on a loaded machine).
now() { echo "${EPOCHREALTIME/./}"; }
secs() { local d=$(( $2 - $1 )); printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000)); }
since() { local d=$(( ${EPOCHREALTIME/./} - $1 )); echo $((d / 1000000)); }
rate() { echo $(( $2 > 0 ? $1 * 1000000 / $2 : 0 )); }	# rate N MICROSECONDS
mkfifo "$TESTTMP/nap"
exec {NAP_FD}<>"$TESTTMP/nap"
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }
T_FILE=$(now)
tlog() { echo "# t=$(since "$T_FILE") s: $*"; }	# timings, in the log

cleanup() {
	[ -n "${PG_PID:-}" ] && { nh sh -c "echo stop > $PG/pgctrl" 2>/dev/null || true; }
	[ -d /sys/module/vmfence ] || insmod "$KO" 2>/dev/null || true
	local ns
	for ns in $($IP netns list | awk '/^die/ { print $1 }'); do $IP netns del "$ns" 2>/dev/null || true; done
}

# --- churn.py, started once (Python starts slowly under TCG) ---------------------
# cs ARGS...: one command to "churn.py serve"; prints its values.
mkfifo "$D/cs.in" "$D/cs.out"
$PY "$CHURN" serve <"$D/cs.in" >"$D/cs.out" 2>"$D/serve.log" &
exec {CS_IN}>"$D/cs.in" {CS_OUT}<"$D/cs.out"
cs() {
	local line rc=0 w
	# One line per command: no newline in an argument (printf %q would
	# write $'...', which shlex does not read).
	for w in "$@"; do w=${w//$'\t'/ }; printf '%q ' "${w//$'\n'/ }"; done >&"$CS_IN"
	printf '\n' >&"$CS_IN"
	while IFS= read -r -t 900 line <&"$CS_OUT"; do
		case $line in
		.) return $rc ;;
		"=	"*) printf '%s\n' "${line#??}" ;;
		"!	"*) echo "churn.py: ${line#??}" >&2; rc=1 ;;
		esac
	done
	echo "churn.py serve did not answer \`$*\`: $(tail -n 5 "$D/serve.log")" >&2
	return 1
}
# spawn NAME NS SUBCOMMAND ARGS...: a churn.py worker in namespace NS
# ("-": this one), its output in $D/NAME.log.
spawn() { local name=$1 ns=$2; shift 2; cs spawn "$name" "$ns" "$D/$name.log" "$@" >/dev/null; }

# --- the address plan (tests/lib/churn.py) -------------------------------------
ORACLE="1 2 3 4 5 6 7 8"	# class 1: pktgen, churned
FLIP="11 12"			# class 2: pktgen, flipped enforce/trusted
UNB=21				# class 3: pktgen, unbound, on br1 (flipped pass/drop)
CYCLED="31 32"			# class 4: devices deleted and recreated, churned
LIFE=41				# class 5: deleted and recreated step by step
DYING="51 52"			# class 6: in namespaces that are destroyed
SINK0=02:00:00:ff:00:01		# sink of br0 (trusted port vifS, s0 in "sink")
SINK1=02:00:00:ff:00:02		# sink of br1 (unbound port vifS1, s1)
SINKD=02:00:00:ff:00:03		# sink of the dying namespaces' bridge
mac() { printf '02:00:00:00:%02x:%02x' "$1" "$2"; }
map() { local p out=; for p in $2; do out+="${out:+,}$1$p=$p"; done; echo "$out"; }
PORTS1=$(map vif "$ORACLE")
FLIPS=$(map vif "$FLIP")
PORTS2=$(map vif "$ORACLE $CYCLED")
PORTSD=$(map vif "$DYING")

# --- topology ---------------------------------------------------------------------
#   host:  br0 (vif1-8, vif11-12, vif31-32, vif41, vifS), br1 (vif21, vifS1)
#   peers: the other end of every vifP, pP (where the VM would be)
#   sink:  s0, s1 (and sd in phase 3), where the counting sockets are
for ns in host peers sink; do
	$IP netns add $ns
	nsysctl $ns net.ipv6.conf.all.disable_ipv6 1
	nsysctl $ns net.ipv6.conf.default.disable_ipv6 1
done
{
	echo "link set lo up"
	echo "link add br0 address 02:00:00:00:fe:00 type bridge mcast_snooping 0"
	echo "link add br1 address 02:00:00:00:fe:01 type bridge mcast_snooping 0"
	for p in $ORACLE $FLIP $CYCLED $LIFE; do
		echo "link add vif$p type veth peer name p$p netns peers"
		echo "link set vif$p master br0 up"
	done
	echo "link add vif$UNB type veth peer name p$UNB netns peers"
	echo "link set vif$UNB master br1 up"
	echo "link add vifS type veth peer name s0 address $SINK0 netns sink"
	echo "link set vifS master br0 up"
	echo "link add vifS1 type veth peer name s1 address $SINK1 netns sink"
	echo "link set vifS1 master br1 up"
	echo "link set br0 up"
	echo "link set br1 up"
} >"$D/host.batch"
$IP -n host -batch "$D/host.batch"
for p in $ORACLE $FLIP $CYCLED $LIFE $UNB; do echo "link set p$p up"; done >"$D/peers.batch"
$IP -n peers -batch "$D/peers.batch"
printf 'link set %s up\n' s0 s1 >"$D/sink.batch"
$IP -n sink -batch "$D/sink.batch"
# Frames to the sinks go only there (no flooding to the VMs' ports).
nh bridge fdb add $SINK0 dev vifS master static
nh bridge fdb add $SINK1 dev vifS1 master static

# --- the receivers -------------------------------------------------------------------
SINK_ST=$D/sink.status
SINK_PID=$(cs spawn sink sink "$D/sink.log" sink --status "$SINK_ST" --samples "$D/sink.samples" \
	o_forb=1:forbidden:read o_ok=1:allowed f_forb=2:forbidden f_ok=2:allowed u_any=3:any \
	r_forb=4:forbidden:read r_ok=4:allowed l_any=5:any l_forb=5:forbidden:read \
	d_forb=6:forbidden:read d_ok=6:allowed)
for ((i = 0; i < 600; i++)); do [ -s "$SINK_ST" ] && break; nap 0.1; done
[ -s "$SINK_ST" ] || { echo "the sink did not start: $(cat "$D/sink.log")" >&2; exit 1; }

# snap: the receivers' counts now, "NAME=N ..." (SIGUSR1 makes the sink
# write its status anew).
snap() {
	local seq0 seq1 k v line= i
	read -r _ seq0 <"$SINK_ST"
	kill -USR1 "$SINK_PID"
	for ((i = 0; i < 2000; i++)); do
		read -r _ seq1 <"$SINK_ST" 2>/dev/null || seq1=$seq0
		[ "$seq1" != "$seq0" ] && break
		nap 0.005
	done
	while read -r k v; do
		[ "$k" = seq ] || [ "$k" = time ] || line+="$k=$v "
	done <"$SINK_ST"
	echo "$line"
}
# cnt SNAP NAME; d NAME A B: how much NAME grew from snap A to snap B
cnt() { local w; for w in $1; do [ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return; }; done; echo 0; }
d() { echo $(( $(cnt "$3" "$1") - $(cnt "$2" "$1") )); }
samples() { head -n 10 "$D/sink.samples" 2>/dev/null || true; }
# arrives NAME SECONDS: NAME grows within SECONDS.
arrives() {
	local a b i
	a=$(snap)
	for ((i = 0; i < $2 * 4; i++)); do
		nap 0.25
		b=$(snap)
		[ "$(d "$1" "$a" "$b")" -gt 0 ] && return 0
	done
	return 1
}
# expect_zero NAME COUNT: a count of never-allowed frames delivered.
expect_zero() {
	if [ "$2" = 0 ]; then
		record ok "$1"
	else
		record FAIL "$1" "expected: 0 never-allowed frames delivered
saw: $2; the first ones at the receivers:
$(samples)"
	fi
}
# expect_some NAME COUNT [WHY]
expect_some() {
	if [ "$2" -gt 0 ] 2>/dev/null; then
		record ok "$1 ($2)"
	else
		record FAIL "$1" "expected: some frames (${3:-else the check proves nothing}); saw: $2"
	fi
}

# --- traffic: pktgen in "host", into the bridge ports as if the VMs sent ------------
# pg_dev NAME DSTMAC SPORT SRCMAC MACCOUNT v4|v6 SRC [SRCMAX]: one pktgen
# source, as lines of a script that bash runs in "host" (builtins only).
PG_T=0
pg_dev() {
	local dev=$1 dst=$2 sport=$3 smac=$4 mcount=$5 fam=$6 src=$7 srcmax=${8:-} c
	echo "pg 'add_device $dev' kpktgend_$PG_T"
	PG_T=$((1 - PG_T))
	for c in "count 0" "clone_skb 0" "burst 1" "xmit_mode netif_receive" \
		"delay $((1000000000 / PPS))" "dst_mac $dst" "src_mac $smac" \
		"udp_src_min $sport" "udp_src_max $sport" "udp_dst_min 9" "udp_dst_max 9"; do
		echo "pg '$c' $dev"
	done
	if [ "$mcount" -gt 1 ]; then
		echo "pg 'src_mac_count $mcount' $dev"
		echo "pg 'flag MACSRC_RND' $dev"
	fi
	if [ "$fam" = v4 ]; then
		printf "pg '%s' $dev\n" "pkt_size 60" "dst 10.200.0.1" "src_min $src" "src_max $srcmax" "flag IPSRC_RND"
	else
		printf "pg '%s' $dev\n" "pkt_size 96" "dst6 2001:db8:200::1" "src6 $src"
	fi
}
{
	echo 'pg() { echo "$1" >"/proc/net/pktgen/$2" || { echo "pktgen: \"$1\" > $2 failed: $(grep Result "/proc/net/pktgen/$2")" >&2; exit 1; }; }'
	echo 'pg rem_device_all kpktgend_0'
	echo 'pg rem_device_all kpktgend_1'
	for p in $ORACLE; do
		q=$((p % 8 + 1))
		sp=$((10000 + p))
		# own: MACs :00-:03, 10.P.0.0-10.P.2.255 (allowed: :01/:02, 10.P.1.x)
		pg_dev "vif$p@0" $SINK0 $sp "$(mac $p 0)" 4 v4 "10.$p.0.0" "10.$p.3.0"
		# another port's pool, from the port's own bound MAC
		pg_dev "vif$p@1" $SINK0 $sp "$(mac $p 1)" 1 v4 "10.$q.1.0" "10.$q.2.0"
		# another port's MACs and addresses: looks legitimate, is not
		pg_dev "vif$p@2" $SINK0 $sp "$(mac $q 0)" 4 v4 "10.$q.0.0" "10.$q.3.0"
		# IPv6: an address of the pool, one just beside it
		pg_dev "vif$p@3" $SINK0 $sp "$(mac $p 0)" 4 v6 "$(printf '2001:db8:%x:1::5' $p)"
		pg_dev "vif$p@4" $SINK0 $sp "$(mac $p 0)" 4 v6 "$(printf '2001:db8:%x:2::5' $p)"
	done
	for p in $FLIP; do
		pg_dev "vif$p@0" $SINK0 $((20000 + p)) "$(mac $p 0)" 4 v4 "10.$p.0.0" "10.$p.3.0"
	done
	pg_dev "vif$UNB@0" $SINK1 $((30000 + UNB)) "$(mac $UNB 0)" 4 v4 "10.$UNB.0.0" "10.$UNB.3.0"
} >"$D/pktgen.sh"
modprobe pktgen
check "pktgen: 43 sources in 12 ports" nh bash "$D/pktgen.sh"
# pktgen's threads (they also do the bridging of what they inject) share
# the CPUs with the churners on equal terms, both below the test itself:
# on a slow (debug) kernel, traffic would otherwise starve the churn.
pids=$(pgrep '^kpktgend_' || true)
[ -z "$pids" ] || renice -n 5 -p $pids >/dev/null || true

PG_PID=
pg_start() {
	$IP netns exec host sh -c "echo start > $PG/pgctrl" >/dev/null 2>&1 &
	PG_PID=$!
}
pg_stop() {
	nh sh -c "echo stop > $PG/pgctrl" || true
	wait "$PG_PID" 2>/dev/null || true
	PG_PID=
}
# Frames pktgen sent since it started.
pg_sent() { nh sh -c "cat $PG/vif*@*" | awk '/pkts-sofar:/ { n += $2 } END { print n + 0 }'; }

# --- bindings ---------------------------------------------------------------------------
# The full document: each port its whole pool with MAC :01, the flip ports
# enforced, the sink trusted, br0 "unbound drop".
cs run doc --full --ports "$(map vif "$ORACLE $CYCLED $LIFE")" --flip "$FLIPS" \
	--trusted vifS --trusted-mac $SINK0 --drop-bridges br0 >"$D/full.json"
cs run doc --full --ports "$PORTSD" --trusted vifSD --trusted-mac $SINKD \
	--drop-bridges brD >"$D/dying.json"

# churners NAME OPTIONS...: three churning processes in "host" until
# $D/stop-NAME exists, their summaries in $D/NAME-c{1,2,3}.json (reader
# NAME: the reader, $D/NAME-r.json).  NOREPLACE=1: no APPLY with REPLACE,
# no global STATS_RESET.
churn_mix() {
	local m
	case $1 in
	1) m="set=4,seq=1,flip=1,del=1,reset=0.3" ;;
	2) m="add=4,rm=4,set=1,resetall=0.05,bridge=0.5" ;;
	3) m="apply=2,replace=1,set=1,add=1,rm=1,del=0.5" ;;
	esac
	# NOREPLACE: no REPLACE, no global STATS_RESET (which zeroes the
	# bridges' counters too)
	[ -z "${NOREPLACE:-}" ] || { m=${m/replace=1,/}; m=${m/resetall=0.05,/}; }
	echo "$m"
}
churners() {
	local name=$1 i
	shift
	rm -f "$D/stop-$name" "$D"/ready-"$name"-*
	for i in 1 2 3; do
		spawn "$name-c$i" host churn --seconds 86400 --stop-file "$D/stop-$name" --nice 5 \
			--ready "$D/ready-$name-c$i" --seed "$((RANDOM * 10 + i))" --out "$D/$name-c$i.json" \
			--trusted vifS --trusted-mac $SINK0 --drop-bridges br0 --flip-bridges br1 "$@" \
			--mix "$(churn_mix $i)"
	done
}
reader() {
	local name=$1
	shift
	spawn "$name-r" host reader --seconds 86400 --stop-file "$D/stop-$name" --nice 5 \
		--ready "$D/ready-$name-r" --out "$D/$name-r.json" --trusted vifS \
		--drop-bridges br0 --debugfs --pause 0.02 --ports "$(map vif "$ORACLE $CYCLED $LIFE")" "$@"
}
wait_ready() {	# wait_ready NAME
	local i
	for ((i = 0; i < 900; i++)); do
		[ "$(ls "$D"/ready-"$1"-* 2>/dev/null | wc -l)" -ge 4 ] && return 0
		nap 0.1
	done
	echo "churners $1 did not start: $(tail -n 5 "$D/$1"-*.log)" >&2
	return 1
}
stop_all() {	# stop_all NAME: stop the churners and the reader, wait for them
	touch "$D/stop-$1"
	cs wait "$1-c1" "$1-c2" "$1-c3" "$1-r" --timeout 120 >"$D/$1.wait"
}
# churn_report NAME: the churners' and the reader's checks, rates.
churn_report() {
	local name=$1 line samp
	line=$(cs run summary --reader "$D/$name-r.json" "$D/$name"-c[123].json) ||
		line="0 0 1 1 0 0 0 0 0 0 0 | churn.py summary failed"
	samp=${line#*|}
	set -- ${line%%|*}
	expect_eq "$name: churners met no unexpected error" 0 "$3"
	expect_eq "$name: reader: every binding dumped inside its pool, no port twice, counters sane" 0 "$4"
	[ "$3$4" = 00 ] || record FAIL "$name: what went wrong" "$samp"
	note "$name: $1 requests, $2 changes accepted, ${10} of them APPLY documents of up to 13 entries: $8 requests/s, $9 changes/s, about ${11} bindings replaced/s (3 processes); reader: $5 port dumps ($6 interrupted, retried), $7 debugfs+sysfs rounds"
}
bridge_drops() { cs run query host bridge-drops "$1"; }
# bound_list VAR: VAR="IF:IFINDEX ..." of the bound ports; status 1 (VAR
# the reason) if the query failed: an empty answer is not "unbound".
bound_list() {
	local out
	out=$(cs run query host ports 2>&1) || { printf -v "$1" 'query failed: %s' "$out"; return 1; }
	printf -v "$1" '%s' "$out"
}
# cs_expect NAME WANT ARGS...: "cs ARGS" succeeds and prints WANT; a
# churn.py command that raised (its "!" line) fails the check whatever
# it printed.
cs_expect() {
	local name=$1 want=$2 got rc=0
	shift 2
	got=$(cs "$@" 2>"$D/cs.err") || rc=$?
	if [ $rc = 0 ]; then
		expect_eq "$name" "$want" "$got"
	else
		record FAIL "$name" "expected: churn.py $* to succeed; saw: exit status $rc: $(cat "$D/cs.err")"
	fi
}

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
# ============================ phase 1: binding churn ===================================
$IP netns exec host "$CTL" -j monitor >/dev/null 2>&1 &
MON_PID=$!
churners p1 --ports "$PORTS1" --flip "$FLIPS"
reader p1 --flip "$FLIPS"
wait_ready p1
s1=$(snap)
n0=$(pg_sent)
t=$(now)
nap "$S"
t1=$(now)
dt=$(secs "$t" "$t1")
s2=$(snap)
n1=$(pg_sent)
stop_all p1
kill "$MON_PID" 2>/dev/null || true
wait "$MON_PID" 2>/dev/null || true
expect_zero "phase 1: no never-allowed source delivered during ${S}s of churn" "$(d o_forb "$s1" "$s2")"
expect_some "phase 1: allowed sources delivered" "$(d o_ok "$s1" "$s2")"
expect_some "phase 1 control: trusted flips let vif11/12's never-allowed frames through" "$(d f_forb "$s1" "$s2")" \
	"the flips to trusted must show at the receivers"
expect_some "phase 1 control: br1 flipped to pass lets unbound vif$UNB through" "$(d u_any "$s1" "$s2")"
churn_report p1
delivered=$(( $(d o_ok "$s1" "$s2") + $(d f_ok "$s1" "$s2") + $(d f_forb "$s1" "$s2") + $(d u_any "$s1" "$s2") ))
note "phase 1: pktgen $(rate $((n1 - n0)) $((t1 - t))) frames/s into 12 ports, $(rate "$delivered" $((t1 - t))) frames/s delivered"
tot=$(jsq '" ".join("%s=%d" % (k, v) for k, v in sorted(d["total"]["drops"].items()) if v) + " passed=%d" % d["total"]["passed"]' -j stats)
note "phase 1: counters since the last reset: $tot"
check "phase 1: drops counted under mac_spoof, ip4_spoof, ip6_spoof" bash -c '[[ $1 == *mac_spoof=* && $1 == *ip4_spoof=* && $1 == *ip6_spoof=* ]]' _ "$tot"

# One process alone, each result predicted by a model; then "port show"
# against the model (traffic still flowing).
a=$(snap)
spawn p1-model host model --seconds "$(( S / 5 < 3 ? 3 : S / 5 ))" --ports "$PORTS1" --drop-bridges br0 \
	--seed $RANDOM --expect-out "$D/model-expect.json" --out "$D/model.json"
cs wait p1-model --timeout 300 >/dev/null
b=$(snap)
r=$(cs run get "$D/model.json" '"%d %s %d %d %s" % (d["ops"], d["ops_per_s"], d["checks"], len(d["mismatches"]), " | ".join(d["mismatches"][:4]))' --default "0 0 0 1 no summary")
set -- $r
expect_eq "phase 1 model: $1 operations, each result as the model predicts, the table as the model at $3 checkpoints" 0 "$4"
[ "$4" = 0 ] || record FAIL "phase 1 model: the mismatches" "${*:5} $(tail -n 5 "$D/p1-model.log")"
note "phase 1 model: $1 operations from one process at $2/s"
ctl -j port show >"$D/show.json"
expect_eq "phase 1 model: port show is what the last writes leave" "$(cat "$D/model-expect.json" 2>/dev/null || echo "(no model-expect.json)")" \
	"$(cs run norm "$D/show.json" --only "$(map vif "$ORACLE" | sed 's/=[0-9]*//g')")"
expect_zero "phase 1 model: no never-allowed source delivered meanwhile" "$(d o_forb "$a" "$b")"

tlog "phase 2"
# ============================ phase 2: devices come and go =============================
check "phase 2: apply the full document again" ctl apply --replace "$D/full.json"
# Frames from the cycled ports and the step-by-step one: churn.py send,
# which opens a device again whenever it is back.
args=()
for p in $CYCLED; do args+=(--port "peers:p$p:$p:4:mixed:${SINK0//:/-}"); done
args+=(--port "peers:p$LIFE:$LIFE:5:allowed:${SINK0//:/-}")
spawn send2 - send "${args[@]}" --fps 1000 --nice 5 --ready "$D/ready-send2" --out "$D/send2.json"
# No REPLACE documents here (they would unbind vif$LIFE behind the
# step-by-step checks' back), no global reset (br0's counters are read).
NOREPLACE=1 churners p2 --ports "$PORTS2" --flip "$FLIPS" --volatile
reader p2 --flip "$FLIPS"
wait_ready p2
for ((i = 0; i < 600; i++)); do [ -e "$D/ready-send2" ] && break; nap 0.1; done
tlog "phase 2: churners and sender running"

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
	[ "$(since "$t")" -lt "$S2" ] && [ "$(since "$T_FILE")" -lt $((BUDGET * 55 / 100)) ] || break
done
arrives l_any 10 || bad_rebound+="at the end: bound vif$LIFE, nothing arrived in 10 s; "
touch "$D/stop-cycle"
wait "$CYCLE_PID" 2>/dev/null || true
s2=$(snap)
dt=$(secs "$t" "$(now)")
stop_all p2
cs kill send2 TERM
cs wait send2 --timeout 60 >/dev/null
expect_eq "phase 2: $n_life times vif$LIFE deleted: its binding went with it" "" "$bad_gone"
expect_eq "phase 2: the recreated vif$LIFE of the same name is unbound" "" "$bad_unbound"
expect_eq "phase 2: nothing from the unbound new vif$LIFE passes (br0 unbound drop)" "" "$bad_pass"
expect_eq "phase 2: ... though its frames reach br0 (dropped as unbound)" "" "$bad_drop"
expect_eq "phase 2: bound again, vif$LIFE's frames arrive" "" "$bad_rebound"
expect_zero "phase 2: no never-allowed source of vif31/32 (devices cycled, churned) delivered" "$(d r_forb "$s1" "$s2")"
expect_zero "phase 2: no never-allowed source of vif1-8 delivered" "$(d o_forb "$s1" "$s2")"
expect_zero "phase 2: no never-allowed source of vif$LIFE delivered" "$(d l_forb "$s1" "$s2")"
expect_some "phase 2: allowed sources of the cycled ports delivered" "$(d r_ok "$s1" "$s2")"
churn_report p2
note "phase 2: in ${dt}s, $(cat "$D/cycles" 2>/dev/null) devices deleted and recreated in the background, vif$LIFE $n_life times; sender: $(cs run get "$D/send2.json" '"%s frames/s, %d device (re)opens" % (d["fps"], sum(p["opens"] for p in d["ports"].values()))')"
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
expect_eq "phase 2: every binding listed is an existing device's, same name and ifindex" "" "$bad"

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
expect_eq "phase 2: devices moved to another namespace ($2 times, each during an APPLY naming it, ${3} ms)" 0 "$4"
expect_eq "phase 2: ... no binding left behind in the namespace they left" 0 "$1"
[ "$1$4" = 00 ] || record FAIL "phase 2: what the namespace moves left behind" "${*:5}"
# (The dummies, unbound again, go with "host" at the end: deleting
# devices is slow on a debug kernel.)
$IP netns del other

tlog "phase 3"
# ============================ phase 3: namespaces destroyed ============================
# Churn goes on in "host" (and the reader walks every namespace's tables
# in debugfs) while namespaces with a bridge, bindings, churn and traffic
# are destroyed.
churners p3 --ports "$PORTS1" --flip "$FLIPS"
reader p3 --flip "$FLIPS"
args=()
for p in $DYING; do args+=(--port "peers:p$p:$p:6:mixed:${SINKD//:/-}"); done
spawn send3 - send "${args[@]}" --fps 1000 --nice 5 --out "$D/send3.json"
wait_ready p3
s1=$(snap)
t=$(now)
bad_left= bad_slow= bad_churn= nports_seen=0 die_changes=0 r=0
while [ $r -lt "$ROUNDS3" ] && { [ $r -lt 2 ] || { [ "$(since "$t")" -lt "$S" ] && [ "$(since "$T_FILE")" -lt $((BUDGET * 70 / 100)) ]; }; }; do
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
stop_all p3
cs kill send3 TERM
cs wait send3 --timeout 60 >/dev/null
check "phase 3: the doomed namespaces' bindings were in debugfs ($nports_seen in $r namespaces)" test "$nports_seen" -gt 0
expect_eq "phase 3: $r namespaces destroyed with bindings: their devices went" "" "$bad_slow"
expect_eq "phase 3: ... and no port of theirs is left in debugfs" "" "$bad_left"
expect_eq "phase 3: churn inside them met no unexpected error" "" "$bad_churn"
expect_zero "phase 3: no never-allowed source through the doomed namespaces delivered" "$(d d_forb "$s1" "$s2")"
expect_some "phase 3: allowed sources through the doomed namespaces delivered" "$(d d_ok "$s1" "$s2")"
expect_zero "phase 3: no never-allowed source of vif1-8 delivered" "$(d o_forb "$s1" "$s2")"
churn_report p3
note "phase 3: $r namespaces in ${dt}s, $die_changes changes inside them; sender: $(cs run get "$D/send3.json" 'd["fps"]') frames/s"

tlog "phase 4"
# ============================ phase 4: unload and reload ===============================
churners p4 --ports "$PORTS1" --flip "$FLIPS" --reload
reader p4 --flip "$FLIPS" --reload
wait_ready p4
t=$(now)
prot=0 unprot=0 bad_rmmod= bad_apply= prot_ok=0 away=0 r=0
nap 0.5
while [ $r -lt "$ROUNDS4" ] && { [ $r -lt 2 ] || { [ "$(since "$t")" -lt "$S" ] && [ "$(since "$T_FILE")" -lt $((BUDGET * 85 / 100)) ]; }; }; do
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
stop_all p4
dt=$(secs "$t" "$(now)")
expect_eq "phase 4: $r times rmmod under traffic and churn" "" "$bad_rmmod"
expect_eq "phase 4: rebinding after each insmod" "" "$bad_apply"
expect_zero "phase 4: no never-allowed source delivered while loaded and bound" "$prot"
expect_some "phase 4: allowed sources delivered while loaded and bound" "$prot_ok"
expect_some "phase 4 control: while unloaded, never-allowed sources arrive" "$unprot" \
	"frames go through unfiltered while the module is out"
churn_report p4
note "phase 4: $r reloads in ${dt}s; unprotected $(secs 0 "$away")s in all (rmmod to rebound)"

tlog "the end"
# ============================ the end: state and counters ==============================
check "end: churn stopped, apply the full document with --replace" ctl apply --replace "$D/full.json"
ctl -j port show >"$D/show.json"
# seq: whatever the churn left (apply keeps it): compared as 0.  Both
# sides must be computed: two commands that raised agree on "".
N="end: port show is exactly the document applied last"
if want=$(cs run docshow "$D/full.json" 2>"$D/cs.err") && [ -n "$want" ] &&
   got=$(cs run norm "$D/show.json" 2>>"$D/cs.err" | sed 's/"seq": [0-9]*/"seq": 0/g'); then
	expect_eq "$N" "$want" "$got"
else
	record FAIL "$N" "expected: churn.py docshow and norm to succeed; saw: $(cat "$D/cs.err")"
fi
expect_eq "end: bridges as applied" "br0:drop" "$(jsq '" ".join("%s:%s" % (b["ifname"], b["unbound"]) for b in d)' -j bridge show)"
# Counters: reset with the traffic stopped, all 0; then 1 s of traffic and
# no churn: every frame counted in a port (in a bridge, for "unbound") is
# counted in the namespace's totals too, so the sums match exactly.
pg_stop
nap 0.5
check "end: stats reset, traffic stopped" ctl stats reset
expect_eq "end: after the reset every counter is 0" "0" \
	"$(jsq 'sum(v for p in P + [d["total"]] for v in list(p["drops"].values()) + [p["passed"]])' -j stats)"
pg_start
nap 1
pg_stop
nap 0.3
ctl -j stats >"$D/stats.json"
ctl -j bridge show >"$D/bridges.json"
cs_expect "end: 1 s of traffic: the ports' and bridges' counters add up to the totals, reason by reason" OK \
	run sums "$D/stats.json" "$D/bridges.json"
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	nap 5
	echo scan >/sys/kernel/debug/kmemleak
	expect_eq "end: kmemleak: no unreferenced object of vmfence's" 0 "$(grep -c vmfence /sys/kernel/debug/kmemleak || true)"
fi
cs kill sink TERM
cs wait sink --timeout 30 >/dev/null
note "file: $(since "$T_FILE") s in all"
