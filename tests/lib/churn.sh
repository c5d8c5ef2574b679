# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/churn.sh: what the configuration churn tests under traffic
# (tests/cases/88-churn-*.sh, one phase each) share.  Source it after
# tests/lib.sh, then churn_up builds the topology, starts the receivers,
# loads pktgen's sources and writes the full document; each file then
# runs its phase and ends with churn_end.
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
# The topology (churn_up):
#   host:  br0 (vif1-8, vif11-12, vif31-32, vif41, vifS), br1 (vif21, vifS1)
#   peers: the other end of every vifP, pP (where the VM would be)
#   sink:  s0, s1 (and sd, for 88-churn-netns), where the counting sockets
#          are
# pktgen in "host" sends into vif1-8 (5 kinds of source each), vif11-12
# and vif21 (43 sources) as if the VMs sent; churn.py send sends from the
# peers of the ports whose devices come and go.
#
# Settings: VMFENCE_CHURN_SECONDS (S, default 20) is a phase's churn;
# VMFENCE_CHURN_PPS pktgen's rate per source (default 40 frames/s: up to
# 1,700 frames/s, shared with the churners; the rates reached are noted);
# VMFENCE_CHURN_BUDGET (default max(80, 4 S) seconds) a file's time: the
# phases that repeat a step (devices, namespaces, reloads) stop after
# their minimum once the file has run two thirds of it (churn_late), for
# a slow kernel or a loaded machine.
#
# Helpers:
#   cs ARGS..., spawn NAME NS SUB ARGS...   commands to one "churn.py serve"
#   snap; d NAME SNAP_A SNAP_B; arrives NAME SECONDS; samples
#                                the receivers' counts, and what grew
#   expect_zero NAME COUNT; expect_some NAME COUNT [WHY]
#                                checks of never-allowed / allowed counts
#   pg_start, pg_stop, pg_sent   pktgen
#   churners NAME OPTS...; reader NAME OPTS...; wait_ready NAME;
#   stop_all NAME; churn_report NAME
#                                three churning processes and a reader in
#                                "host", their checks
#   bridge_drops BR, bound_list VAR, cs_expect NAME WANT ARGS...
#   oracle_counters              vif1-8's counters added up, as "counters"
#                                prints them (for expect_counters)
#   churn_end [kmemleak]         the end of every phase (see there)
#   now, secs, since, rate, nap, tlog, churn_late
#                                time, without a process

CHURN=$REPO/tests/lib/churn.py
S=$(setting VMFENCE_CHURN_SECONDS 20)
PPS=$(setting VMFENCE_CHURN_PPS 40)
BUDGET=$(setting VMFENCE_CHURN_BUDGET $(( S * 4 < 80 ? 80 : S * 4 )))
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
# churn_late: the file has used two thirds of its budget.
churn_late() { [ "$(since "$T_FILE")" -ge $((BUDGET * 2 / 3)) ]; }

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

# --- the receivers ---------------------------------------------------------------
# snap: the receivers' counts now, "NAME=N ..." (SIGUSR1 makes the sink
# write its status anew).
SINK_ST=$D/sink.status
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

# --- churn_up: topology, receivers, traffic, documents ------------------------------
churn_up() {
	local ns p q sp i
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
	tlog "topology made"

	# The receivers.
	SINK_PID=$(cs spawn sink sink "$D/sink.log" sink --status "$SINK_ST" --samples "$D/sink.samples" \
		o_forb=1:forbidden:read o_ok=1:allowed f_forb=2:forbidden f_ok=2:allowed u_any=3:any \
		r_forb=4:forbidden:read r_ok=4:allowed l_any=5:any l_forb=5:forbidden:read \
		d_forb=6:forbidden:read d_ok=6:allowed)

	# Traffic (not started yet).
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
	# pktgen's threads (they also do the bridging of what they inject)
	# share the CPUs with the churners on equal terms, both below the
	# test itself: on a slow (debug) kernel, traffic would otherwise
	# starve the churn.
	p=$(pgrep '^kpktgend_' || true)
	[ -z "$p" ] || renice -n 5 -p $p >/dev/null || true
	tlog "pktgen loaded"

	# The full document: each port its whole pool with MAC :01, the flip
	# ports enforced, the sink trusted, br0 "unbound drop".
	cs run doc --full --ports "$(map vif "$ORACLE $CYCLED $LIFE")" --flip "$FLIPS" \
		--trusted vifS --trusted-mac $SINK0 --drop-bridges br0 >"$D/full.json"
	cs run doc --full --ports "$PORTSD" --trusted vifSD --trusted-mac $SINKD \
		--drop-bridges brD >"$D/dying.json"

	for ((i = 0; i < 600; i++)); do [ -s "$SINK_ST" ] && break; nap 0.1; done
	[ -s "$SINK_ST" ] || { echo "the sink did not start: $(cat "$D/sink.log")" >&2; exit 1; }
	tlog "receivers listening"
}

# --- churning processes ---------------------------------------------------------------
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
# oracle_counters: the counters of vif1-8 added up, "passed=N dropped=N
# REASON=N ..." as "counters" prints them (for expect_counters).
oracle_counters() {
	jsq '" ".join("%s=%d" % (k, sum(p["passed"] if k == "passed" else p["dropped"] if k == "dropped" else p["drops"][k] for p in P if p["ifname"] in ('"$(printf '"vif%s",' $ORACLE)"'))) for k in ["passed", "dropped"] + sorted(P[0]["drops"]))' \
		-j stats 2>&1 | sed '/^passed=/!s/^/error: /' || true
}

# --- the end of every phase ----------------------------------------------------------
# churn_end [kmemleak]: churn stopped (the caller stopped it), the full
# document applied with --replace: "port show" is exactly it (ports_diff)
# and the bridges are as it says.  Traffic stopped, a reset zeroes every
# counter.  Then 1 s of traffic and no churn: every frame counted in a
# port (in a bridge, for "unbound") is counted in the namespace's totals
# too (the sums match exactly); vif1-8's never-allowed sources are
# dropped as mac_spoof, ip4_spoof and ip6_spoof and nothing else
# (expect_counters); what passed them is what arrived from them, none of
# it never-allowed.  With "kmemleak" (the debug kernel), no unreferenced
# object of vmfence's.
churn_end() {
	local a b c0 c1 z passed
	check "end: churn stopped, apply the full document with --replace" ctl apply --replace "$D/full.json"
	# seq: whatever the churn left (apply keeps it): the document has
	# none, so ports_diff does not judge it.
	expect_ports "end: port show is exactly the document applied last" "$D/full.json"
	expect_eq "end: bridges as applied" "br0:drop" "$(jsq '" ".join("%s:%s" % (b["ifname"], b["unbound"]) for b in d)' -j bridge show)"
	pg_stop
	nap 0.5
	check "end: stats reset, traffic stopped" ctl stats reset
	# The counters that are not 0, by name: "" when all are.
	z=$(jsq '" ".join("%s:%s=%d" % (p.get("ifname", "total"), k, v) for p in P + [d["total"]] for k, v in sorted(list(p["drops"].items()) + [("passed", p["passed"]), ("dropped", p["dropped"])]) if v)' -j stats 2>&1) ||
		z="stats unreadable: $z"
	expect_eq "end: after the reset every counter is 0" "" "$z"
	c0=$(oracle_counters)
	a=$(snap)
	pg_start
	nap 1
	pg_stop
	nap 0.3
	b=$(snap)
	c1=$(oracle_counters)
	ctl -j stats >"$D/stats.json"
	ctl -j bridge show >"$D/bridges.json"
	cs_expect "end: 1 s of traffic: the ports' and bridges' counters add up to the totals, reason by reason" OK \
		run sums "$D/stats.json" "$D/bridges.json"
	expect_counters "end: vif1-8 (the full document): never-allowed sources dropped as mac_spoof, ip4_spoof, ip6_spoof, nothing else" \
		"$c0" "$c1" mac_spoof=+ ip4_spoof=+ ip6_spoof=+ passed=+
	expect_zero "end: no never-allowed source of vif1-8 delivered" "$(d o_forb "$a" "$b")"
	passed=$(( $(cnt "$c1" passed) - $(cnt "$c0" passed) ))
	expect_eq "end: what vif1-8 counted passed is what arrived from them ($passed frames)" \
		"$passed" "$(( $(d o_ok "$a" "$b") + $(d o_forb "$a" "$b") ))"
	if [ "${1:-}" = kmemleak ] && [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak
		nap 5
		echo scan >/sys/kernel/debug/kmemleak
		expect_eq "end: kmemleak: no unreferenced object of vmfence's" 0 "$(grep -c vmfence /sys/kernel/debug/kmemleak || true)"
	fi
	cs kill sink TERM
	cs wait sink --timeout 30 >/dev/null
	note "file: $(since "$T_FILE") s in all"
}
