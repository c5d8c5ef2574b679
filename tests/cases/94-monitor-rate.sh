#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (the event rate limiter's timing: its events are sent on the debug kernel by 93; Debian's kernel runs it)
# The rate limits of drop events: a flood of forged frames from a VM
# yields at most event_rate (module parameter, default 10) events a second
# for its port, and every frame dropped is either an event or counted in
# the "suppressed" of a later event of that port (the text monitor says
# "(N suppressed)"); event_rate=3 holds the same way; with event_rate_total
# =5, two VMs flooding get at most 5 events a second between them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
PARAMS=/sys/module/vmfence/parameters
cleanup() {
	echo 10 >"$PARAMS/event_rate" 2>/dev/null || true
	echo 1000 >"$PARAMS/event_rate_total" 2>/dev/null || true
}

topo_up 3
to4() { udp4 "$1" "$2" "dst_ip=$(vm_ip4 "$2") ${*:3}"; }
bind 1 label vm-one
bind 2 label vm-two
bind 3 label vm-three

# port_dropped K: vifK's dropped counter (no pkt.py: runs in subshells).
port_dropped() { ctl -j stats "vif$1" | grep -o '"dropped":[0-9]*' | head -n 1 | cut -d: -f2; }
# flood K SECONDS FRAME: vmK sends FRAME as fast as it can for SECONDS,
# counted from the first drop on vifK (Python takes a while to start).
flood() {
	local k=$1 b i pid
	b=$(port_dropped "$k")
	$PY "$PKT" send --from "vm$k:eth0" --frame "$3" --count 100000000 --interval 0.001 \
		>>"$D/flood.log" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		[ "$(port_dropped "$k")" = "$b" ] || break
		sleep 0.2
	done
	sleep "$2"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
# rate_test NAME RATE IFNAME SECONDS K...: flood from each vmK, then one
# more forged frame from each after the window, that reports the rest.
rate_test() {
	local name=$1 rate=$2 ifname=$3 secs=$4 k pids=() bd=0 ad=0
	shift 4
	for k in "$@"; do bd=$((bd + $(port_dropped "$k"))); done
	mon_start "$D/r.json" "$D/r.err" host -j monitor
	local mp=$MON_PID
	mon_start "$D/r.txt" "$D/rt.err" host monitor
	local mt=$MON_PID
	for k in "$@"; do
		flood "$k" "$secs" "$(to4 "$k" 1 src_ip=10.0.0.9$k)" &
		pids+=($!)
	done
	wait "${pids[@]}"
	# Until the frames queued in the guest are through, and a second more:
	# the limiters' windows have ended.
	local last=-1 now_d i
	for i in $(seq 1 30); do
		now_d=0
		for k in "$@"; do now_d=$((now_d + $(port_dropped "$k"))); done
		[ "$now_d" = "$last" ] && break
		last=$now_d
		sleep 1.2
	done
	for k in "$@"; do
		pkt send --from "vm$k:eth0" --frame "$(to4 "$k" 1 src_ip=10.0.0.8$k)"
	done
	sleep 1
	mon_stop "$mp"
	mon_stop "$mt"
	for k in "$@"; do ad=$((ad + $(port_dropped "$k"))); done
	note "$name: $((ad - bd)) frames dropped, $(grep -c . "$D/r.json") events"
	ops_expect_ok "$name" rate "$D/r.json" "$rate" "$ifname" "$((ad - bd))" "$#"
	check "$name: text lines say how many were suppressed" grep -Eq ' \([0-9]+ suppressed\)$' "$D/r.txt"
	check "$name: no events lost" test ! -s "$D/r.err"
}
rate_test "flood from vm1: at most 10 events a second, the rest counted as suppressed" 10 vif1 3 1
echo 3 >"$PARAMS/event_rate"
rate_test "event_rate=3: at most 3 a second" 3 vif1 2 1
echo 1000 >"$PARAMS/event_rate"
echo 5 >"$PARAMS/event_rate_total"
rate_test "event_rate=1000, event_rate_total=5, vm1 flooding: at most 5 a second" 5 vif1 2 1
rate_test "event_rate_total=5, vm1 and vm3 flooding: at most 5 a second in all" 5 '*' 2 1 3
cleanup
