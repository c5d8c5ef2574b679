# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/lib.sh: helpers of tests/bench/guest.sh (sourced, in the
# guest).  Injection, counting, timing, memory.
#
# Under "-icount shift=2,sleep=off" the guest's clock advances 4 ns for
# each instruction the guest executes, so every duration read here is an
# instruction count: INSN = guest nanoseconds / 4.  Idle time is skipped
# (sleep=off): a "sleep" costs no instructions, and a command that waits
# for I/O would show more guest time than it executed, which is why the
# inputs are copied to tmpfs and the binaries run once before anything is
# timed.

PG=/proc/net/pktgen
NS_PER_INSN=4			# -icount shift=2

# ---- pktgen -----------------------------------------------------------------

pg() {
	echo "$1" >"$2" || { log "pktgen: \"$1\" > $2 failed"; return 1; }
}

# pg_setup DEV: pktgen injects into DEV as if DEV had received the frames
# (xmit_mode netif_receive): DEV is a bridge port, so this is what a tap
# does when its VM sends.  60-byte UDP frames, one skb each (clone_skb 0,
# burst 1: the bridge consumes the skb, it cannot be reused).
pg_setup() {
	PGDEV=$1
	pg "rem_device_all" $PG/kpktgend_0
	pg "add_device $PGDEV" $PG/kpktgend_0
	local c
	for c in "clone_skb 0" "burst 1" "pkt_size 60" "xmit_mode netif_receive" \
		"dst_mac $DST_MAC" "dst_min $DST_IP" "dst_max $DST_IP" \
		"udp_src_min 4000" "udp_src_max 4000" "udp_dst_min 9" \
		"udp_dst_max 9" "delay 0"; do
		pg "$c" "$PG/$PGDEV"
	done
}

txcount() { cat "/sys/class/net/$SINK/statistics/tx_packets"; }

# pg_run COUNT SRC_MAC SRC_IP: inject COUNT frames; prints
# "SENT FORWARDED USEC OTHER": USEC is pktgen's own measure of the run in
# guest microseconds, first frame to last, less OTHER, the time other
# tasks ran meanwhile (pktgen's "idle": it yields when asked to).
pg_run() {
	local count=$1 smac=$2 sip=$3 tx0 tx1 res
	pg "count $count" "$PG/$PGDEV"
	pg "src_mac $smac" "$PG/$PGDEV"
	pg "src_min $sip" "$PG/$PGDEV"
	pg "src_max $sip" "$PG/$PGDEV"
	tx0=$(txcount)
	pg start $PG/pgctrl
	tx1=$(txcount)
	res=$(sed -n 's/^Result: OK: [0-9]*(c\([0-9]*\)+d\([0-9]*\)) usec, \([0-9]*\) .*/\3 \1 \2/p' "$PG/$PGDEV")
	[ -n "$res" ] || { log "pktgen: no result: $(cat "$PG/$PGDEV")"; echo "0 0 0 0"; return; }
	set -- $res
	echo "$1 $((tx1 - tx0)) $2 $3"
}

# insn_per_pkt USEC PKTS
insn_per_pkt() {
	awk -v u="$1" -v p="$2" -v s=$NS_PER_INSN \
		'BEGIN { if (p > 0) printf "%.1f", u * 1000 / s / p; else print "nan" }'
}

# measure CONFIG N NOTE: the packet-path measurement of what is loaded
# now.  A calibration run sizes the repetitions to about BUDGET_INSN
# instructions each; REPS repetitions, then the forged-IP and the
# forged-MAC injections.  Appends a row to $CSV (see guest.sh for the
# columns) and sets IPP (median instructions per frame).
measure() {
	local config=$1 n=$2 note=${3:-} r s f u o cal count ipps=() fwd_bad=0
	local ip_fwd mac_fwd ip_sent mac_sent ip_ipp mac_ipp other=0 total=0
	read -r s f u o < <(pg_run "$CAL_PKTS" "$VM_MAC" "$VM_IP")
	cal=$(insn_per_pkt "$u" "$s")
	count=$(awk -v b="$BUDGET_INSN" -v c="$cal" -v lo="$MIN_PKTS" -v hi="$MAX_PKTS" \
		'BEGIN { n = int(b / c); if (n < lo) n = lo; if (n > hi) n = hi; print n }')
	for r in $(seq 1 "$REPS"); do
		read -r s f u o < <(pg_run "$count" "$VM_MAC" "$VM_IP")
		ipps+=("$(insn_per_pkt "$u" "$s")")
		other=$((other + o)) total=$((total + u + o))
		[ "$f" = "$s" ] || fwd_bad=$((fwd_bad + s - f))
	done
	# Forged frames, from the same port: another VM's address, then
	# another VM's MAC.  Both must be dropped.
	local fcount=$(((count + 4) / 5))
	[ "$fcount" -ge "$MIN_PKTS" ] || fcount=$MIN_PKTS
	read -r ip_sent ip_fwd u o < <(pg_run "$fcount" "$VM_MAC" "$FORGED_IP")
	ip_ipp=$(insn_per_pkt "$u" "$ip_sent")
	read -r mac_sent mac_fwd u o < <(pg_run "$fcount" "$FORGED_MAC" "$VM_IP")
	mac_ipp=$(insn_per_pkt "$u" "$mac_sent")

	local stats
	stats=$(printf '%s\n' "${ipps[@]}" | sort -g | awk '
		{ v[NR] = $1 }
		END { med = v[int((NR + 1) / 2)]
		      printf "%s %s %s %.3f", med, v[1], v[NR], (v[NR] - v[1]) / med * 100 }')
	set -- $stats
	IPP=$1
	local pps ratio filters=yes
	pps=$(awk -v i="$IPP" -v s=$NS_PER_INSN 'BEGIN { printf "%.0f", 1e9 / (i * s) }')
	ratio=$(awk -v p="${PLAIN_IPP:-$IPP}" -v i="$IPP" 'BEGIN { printf "%.4f", p / i }')
	if [ "$config" != plain ] && [ "$config" != plain-end ] &&
	   [ "$config" != empty-hooks ] && [ "$config" != br-netfilter ] &&
	   [ "$config" != vmfence-unbound ]; then
		if [ "$ip_fwd" != 0 ] || [ "$mac_fwd" != 0 ]; then
			filters=NO
		fi
	else
		filters=n/a
	fi
	# config,n,pkts,reps,pps,ipp,ipp_min,ipp_max,spread_pct,ratio,
	# not_forwarded,forged_ip_fwd,forged_mac_fwd,forged_ip_ipp,
	# forged_mac_ipp,filters,load_s,load_cpu_s,mem_bytes,mem_per_port,note
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s/%s,%s/%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' \
		"$config" "$n" "$count" "$REPS" "$pps" "$IPP" "$2" "$3" "$4" \
		"$ratio" "$fwd_bad" "$ip_fwd" "$ip_sent" "$mac_fwd" "$mac_sent" \
		"$ip_ipp" "$mac_ipp" "$filters" "${LOAD_S:-}" "${LOAD_CPU:-}" \
		"${MEM_DELTA:-}" "${MEM_PER:-}" "$note" >>"$CSV"
	log "$(printf '%-22s N=%-6s %8s insn/frame (spread %s%%, %s frames x %s)  ratio %s  %s pps  forged ip %s/%s mac %s/%s fwd  filters: %s' \
		"$config" "$n" "$IPP" "$4" "$count" "$REPS" "$ratio" "$pps" \
		"$ip_fwd" "$ip_sent" "$mac_fwd" "$mac_sent" "$filters")"
	LOAD_S= LOAD_CPU= MEM_DELTA= MEM_PER=
}

# ---- timing -------------------------------------------------------------------
#
# Timed commands run in a root on tmpfs (mkroot): the guest's own root is
# the host's, shared over 9p, where every exec and open() waits for the
# host; the guest idles meanwhile, and under sleep=off idle time jumps the
# clock to the next timer, which would count as time executed.  In the
# tmpfs root nothing waits but for the kernel itself (an RCU grace period
# waits for the next tick, as it would on a real host).

ROOT=/tmp/bench-root

# mkroot FILE...: copy FILEs (binaries, scripts, data), the libraries they
# load, iptables' extensions and a few /etc files into $ROOT.
mkroot() {
	local f libs=()
	mkdir -p $ROOT/usr/bin $ROOT/usr/sbin $ROOT/usr/lib $ROOT/usr/lib64 \
		$ROOT/proc $ROOT/sys $ROOT/dev $ROOT/tmp $ROOT/run $ROOT/var/lib/ebtables \
		$ROOT/etc $ROOT/bench
	for f in bin sbin lib lib64; do
		[ -e $ROOT/$f ] || ln -s usr/$f $ROOT/$f
	done
	for f in "$@" /usr/lib/x86_64-linux-gnu/xtables/*.so; do
		cp -L --parents "$f" $ROOT/ || return 1
		libs+=($(ldd "$f" 2>/dev/null | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'))
	done
	for f in $(printf '%s\n' "${libs[@]}" | sort -u); do
		[ -e "$ROOT$f" ] || cp -L --parents "$f" $ROOT/ || return 1
	done
	for f in protocols services ethertypes nsswitch.conf ld.so.cache passwd group hosts; do
		[ -e /etc/$f ] && cp -L /etc/$f $ROOT/etc/
	done
	[ -d /etc/iproute2 ] && cp -rL /etc/iproute2 $ROOT/etc/
	# timeit OUT CMD: CMD is eval'ed by this bash; OUT gets the guest
	# clock before and after, and "times" (this shell's children).
	cat >$ROOT/bench/timeit <<'EOF2'
out=$1
times >/tmp/times.0
t0=$EPOCHREALTIME
eval "$2" >$out.log 2>&1
rc=$?
t1=$EPOCHREALTIME
times >/tmp/times.1
printf '%s\n' "$t0 $t1 $rc" "$(</tmp/times.0)" "$(</tmp/times.1)" >$out
EOF2
	mount --bind /proc $ROOT/proc && mount --bind /sys $ROOT/sys &&
		mount --bind /dev $ROOT/dev
}

# timed VAR CMD: run the shell command CMD in $ROOT; VAR = guest seconds
# it took, VAR_cpu = user+sys seconds of its processes and of the shell
# that ran it.  Returns CMD's
# status; its output is in $ROOT/tmp/timed.log.
timed() {
	local var=$1 cmd=$2 line
	rm -f $ROOT/tmp/timed
	chroot $ROOT /bin/bash /bench/timeit /tmp/timed "$cmd"
	[ -s $ROOT/tmp/timed ] || { log "timed: no result for: $cmd"; return 1; }
	line=$(awk '
		function secs(s,   m) { split(s, m, "m"); sub("s", "", m[2]); return m[1] * 60 + m[2] }
		NR == 1 { t0 = $1; t1 = $2; rc = $3 }
		NR == 2 || NR == 3 { c0 += secs($1) + secs($2) }
		NR == 4 || NR == 5 { c1 += secs($1) + secs($2) }
		END { printf "%.4f %.4f %d", t1 - t0, c1 - c0, rc }' $ROOT/tmp/timed)
	set -- $line
	printf -v "$var" '%s' "$1"
	printf -v "${var}_cpu" '%s' "$2"
	if [ "$3" != 0 ]; then
		log "timed: exit status $3: $cmd"
		tail -n 5 $ROOT/tmp/timed.log | sed 's/^/    /' | tee -a "$LOG"
	fi
	return "$3"
}

# ---- memory -------------------------------------------------------------------

# Kernel memory that grows with configuration: slab (kmalloc and the
# caches), per-CPU allocations and vmalloc, in bytes.  No drop_caches:
# that would evict the binaries read over 9p (see above); they were all
# read once before, so running them again allocates nothing that stays.
memsnap() {
	sleep 1			# RCU callbacks: free what was freed
	awk '/^(Slab|Percpu|VmallocUsed):/ { t += $2 } END { print t * 1024 }' /proc/meminfo
}

memsnap_detail() {
	awk '/^(Slab|SUnreclaim|Percpu|VmallocUsed):/ { printf "%s %s kB  ", $1, $2 }' /proc/meminfo
}

# slabinfo as "cache active_objs objsize" lines.
slabsnap() {
	awk 'NR > 2 { print $1, $2, $4 }' /proc/slabinfo | sort
}

# slabdiff BEFORE AFTER: the caches that grew, largest first.
slabdiff() {
	join "$1" "$2" | awk '{ d = ($4 - $2) * $3; if (d > 0) printf "%-28s %+8d objs x %5d B = %+10d B\n", $1, $4 - $2, $3, d }' |
		sort -t= -k2 -n -r | head -n 12
}
