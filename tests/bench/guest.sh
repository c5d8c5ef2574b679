#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/guest.sh: the benchmark, in the guest (tests/bench/run boots
# it with -icount shift=2,sleep=off and -smp 1).  Everything in one boot:
#
#   packet path   60-byte UDP frames injected by pktgen into the bound port
#                 vif0.0 (a veth on bridge br0, as a tap from a VM), counted
#                 as they leave through the uplink up0 (a dummy device with
#                 a static fdb entry for the destination MAC), for each
#                 configuration: plain bridge, calibration rows, vmfence,
#                 nftables (linear rules, concatenated sets), br_netfilter
#                 alone, CloudStack's rules.  Each also gets frames with a
#                 forged source IP and a forged source MAC: 0 must pass.
#   control plane load times of each configuration, N "port set" calls,
#                 adding one VM to a loaded host.
#   memory        slab + per-CPU + vmalloc before and after each load.
#
# Reads $VM_OUT/config (written by run) and $VM_OUT/gen/ (gen.py's files,
# written by run on the host); writes $VM_OUT/packet.csv, control.csv,
# bench.log, slab.txt and "done".

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8
umask 022
ln -sf /proc/self/fd /dev/fd 2>/dev/null

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${VM_OUT:?VM_OUT is not set}
# shellcheck source=tests/bench/lib.sh
. "$BENCH/lib.sh"

# What run decided: NS, CS_NS, PORTSET_NS, REPS, BUDGET_INSN, ...
NS="1 100 1000 10000"
CS_NS="1 100 1000"
PORTSET_NS="1 100 1000"
REPS=3
BUDGET_INSN=75000000
CAL_PKTS=20
MIN_PKTS=30
MAX_PKTS=100000
CS_VARIANTS="nft legacy"
CAL_ONLY=0
# shellcheck disable=SC1091
. "$OUT/config"

LOG=$OUT/bench.log
CSV=$OUT/packet.csv
CTRL=$OUT/control.csv
SLAB=$OUT/slab.txt
: >"$LOG"
: >"$SLAB"
echo "config,n,pkts,reps,pps,insn_per_pkt,insn_min,insn_max,spread_pct,ratio,not_forwarded,forged_ip_fwd,forged_mac_fwd,forged_ip_insn,forged_mac_insn,filters,load_s,load_cpu_s,mem_bytes,mem_per_port,other_pct,note" >"$CSV"
echo "operation,approach,n,guest_s,cpu_s,note" >"$CTRL"

log() { printf '%s\n' "$*" | tee -a "$LOG"; }
die() { log "bench: FATAL: $*"; dmesg >"$OUT/dmesg.txt"; exit 1; }
ctrl() { printf '%s,%s,%s,%s,%s,"%s"\n' "$@" >>"$CTRL"; }

# ---- the tools, on tmpfs (see "timing" in lib.sh) ------------------------------
TOOLS="/bin/bash /usr/bin/env /usr/sbin/ip /usr/sbin/nft /usr/sbin/ipset
	/usr/sbin/iptables-nft /usr/sbin/ebtables-nft /usr/sbin/arptables-nft
	/usr/sbin/iptables-nft-restore /usr/sbin/ebtables-nft-restore
	/usr/sbin/arptables-nft-restore /usr/sbin/iptables-legacy
	/usr/sbin/ebtables-legacy /usr/sbin/arptables-legacy
	/usr/sbin/iptables-legacy-restore /usr/sbin/ebtables-legacy-restore"
for b in $TOOLS; do
	[ -x "$b" ] || die "$b is missing (see tests/bench/run for the packages)"
done
mkroot $TOOLS || die "cannot build the tmpfs root $ROOT"
mkdir -p $ROOT/gen
cp "$OUT/bin/vmfencectl" $ROOT/bench/ || die "no vmfencectl"
cp "$OUT"/gen/* $ROOT/gen/
GEN=$ROOT/gen
KO=$OUT/bin/vmfence.ko
EMPTYHOOK=$OUT/bin/emptyhook.ko
export CTL=/bench/vmfencectl	# in $ROOT
CTL_OUT=$ROOT$CTL		# the same, from here

# CloudStack's tools: Debian 12's defaults (the nft-based variants, what
# "iptables", "ebtables" and "arptables" run there) and the legacy ones
# (x_tables, what CloudStack 4.2 ran on).  cs_tools VARIANT sets them.
cs_tools() {
	export IPTABLES=/usr/sbin/iptables-$1 EBTABLES=/usr/sbin/ebtables-$1 \
		ARPTABLES=/usr/sbin/arptables-$1
}

# ---- the topology --------------------------------------------------------------
UPLINK_MAC=02:ee:00:00:00:02	# gen.py's UPLINK_MAC
DST_MAC=02:ee:00:00:00:01	# a router beyond the uplink
DST_IP=192.0.2.1
VM_MAC=02:00:00:00:00:01	# gen.py's measured port, vif0.0
VM_IP=10.255.0.1
FORGED_IP=10.0.0.1		# port 1's address
FORGED_MAC=02:10:00:00:00:01	# port 1's MAC
PORT=vif0.0
SINK=up0
MAXN=$(printf '%s\n' $NS | sort -n | tail -n 1)
CS_MAXN=$(printf '%s\n' $CS_NS | sort -n | tail -n 1)

log "vmfence benchmark: $(uname -r), $(nproc) CPU, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
log "qemu: $(tr ' ' '\n' </proc/cmdline | grep -c .) kernel args; clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
log "N: $NS; CloudStack N: $CS_NS; $REPS repetitions of ~$BUDGET_INSN instructions each"

# No IPv6 on the test devices, in either namespace: no router
# solicitations or MLD reports mixed into the counts.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || die "no bridge"
ip link add $SINK address $UPLINK_MAC type dummy
ip netns add vm0
ip netns exec vm0 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add $PORT type veth peer name eth0 netns vm0
ip -n vm0 link set eth0 address $VM_MAC up
ip link set $SINK master br0
ip link set $PORT master br0
ip link set br0 up
ip link set $SINK up
ip link set $PORT up
bridge fdb add $DST_MAC dev $SINK master static || die "static fdb entry"

modprobe pktgen || die "no pktgen"
pg_setup $PORT
sleep 1

# ---- configurations --------------------------------------------------------------

vmfence_load() { insmod $KO || die "insmod vmfence.ko"; }
vmfence_unload() { rmmod vmfence || die "rmmod vmfence"; sleep 1; }

# load_measured NAME N CMD: memory before and after, timed load.
load_measured() {
	local name=$1 n=$2 cmd=$3 before after
	before=$(memsnap)
	slabsnap >/tmp/slab.before
	timed t_load "$cmd" || die "$name N=$n: loading failed: $cmd"
	after=$(memsnap)
	slabsnap >/tmp/slab.after
	LOAD_S=$t_load LOAD_CPU=$t_load_cpu
	MEM_DELTA=$((after - before))
	MEM_PER=$((MEM_DELTA / n))
	{
		echo "== $name N=$n: $MEM_DELTA bytes ($MEM_PER a port); $(memsnap_detail)"
		slabdiff /tmp/slab.before /tmp/slab.after
	} >>"$SLAB"
	log "$name N=$n: loaded in $t_load guest-s (cpu $t_load_cpu), +$MEM_DELTA bytes of kernel memory ($MEM_PER a port)"
}

# The rules of N VMs, in one process per tool.  Debian's
# arptables-legacy-restore is a Perl script that runs /usr/sbin/arptables,
# which is the nft-based one: legacy x_tables get no ARP rules (ARP rules
# see only ARP frames, not the IPv4 frames measured).
cs_restore() {
	local n=$1
	echo -n "ipset restore </gen/cs-$n.ipset && $EBTABLES-restore </gen/cs-$n.ebtables && "
	[ "$CS_VARIANT" = nft ] && echo -n "$ARPTABLES-restore </gen/cs-$n.arptables && "
	echo "$IPTABLES-restore </gen/cs-$n.iptables"
}

cs_flush() {
	$IPTABLES -F; $IPTABLES -X
	$EBTABLES -F; $EBTABLES -X
	$ARPTABLES -F; $ARPTABLES -X
	ipset destroy || log "ipset destroy failed"
	[ "$CS_VARIANT" = nft ] && nft flush ruleset
}

# ---- the other ports ---------------------------------------------------------
#
# Ports 1 .. N-1 are dummy devices vif1.0 ... (a bridge takes at most 1024
# ports; vmfence's port table is per namespace and the rules name the
# ports, so whether they are bridged changes nothing here).  They are
# created as N grows, so that at each N the host has N + 3 devices, as a
# hypervisor with N VMs would: br_netfilter's cost depends on it (it looks
# the input port up by ifindex, in a hash table of 256 chains).
NDEV=1
grow_ports() {
	local n=$1
	[ "$n" -gt "$NDEV" ] || return 0
	sed -n "${NDEV},$((n - 1))p" $GEN/links >$GEN/links.$n
	timed t_links "ip -batch /gen/links.$n" || die "creating dummy devices up to vif$((n - 1)).0"
	log "created vif$NDEV.0 .. vif$((n - 1)).0 in $t_links guest-s"
	NDEV=$n
}

BRNF_MODS="ip_set ip_set_hash_ip xt_set xt_physdev br_netfilter"
CS_MODS="ebtables ebtable_filter ebt_ip ebt_arp arp_tables arptable_filter ip_tables iptable_filter"
brnf_on() {
	modprobe br_netfilter || die "no br_netfilter"
	sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-arptables=1 \
		net.bridge.bridge-nf-call-ip6tables=0
}
# Everything CloudStack's rules loaded goes, br_netfilter last: the other
# approaches are measured without it.
brnf_off() {
	local m
	sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-arptables=0
	nft flush ruleset
	for m in iptable_filter ip_tables arptable_filter arp_tables ebtable_filter ebt_ip ebt_arp \
		ebtables nft_compat xt_physdev xt_set ip_set_hash_ip ip_set br_netfilter; do
		[ -d /sys/module/$m ] && { rmmod $m || log "rmmod $m failed"; }
	done
	[ ! -d /sys/module/br_netfilter ] || die "br_netfilter still loaded"
}

# --- plain bridge: the limit
PLAIN_IPP=
measure plain - "bridge, no netfilter hook"
PLAIN_IPP=$IPP

# --- an empty hook at each of vmfence's two points
if [ -f $EMPTYHOOK ]; then
	insmod $EMPTYHOOK || die "insmod emptyhook.ko"
	measure empty-hooks - "two hooks that return NF_ACCEPT (tests/bench/emptyhook)"
	rmmod emptyhook
fi

# --- vmfence: where its instructions go, on one port
vmfence_load
measure vmfence-unbound - "module loaded, nothing bound: two hash lookups that miss"
$CTL_OUT port set $SINK mac $UPLINK_MAC mode trusted label uplink || die "bind uplink"
$CTL_OUT bridge set br0 unbound drop || die "bridge set"
$CTL_OUT port set $PORT mac $VM_MAC mode trusted || die "bind trusted"
measure vmfence-trusted 1 "vif0.0 and the uplink trusted: lookups that hit, counters, no check"
$CTL_OUT port set $PORT mac $VM_MAC ip $VM_IP || die "bind 1 address"
measure vmfence-1addr 1 "vif0.0 enforce, MAC and one IPv4 address"
args=()
for i in $(seq 0 255); do args+=(ip "10.254.$i.1"); done
args[$((2 * 200 + 1))]=$VM_IP
$CTL_OUT port set $PORT mac $VM_MAC "${args[@]}" || die "bind 256 addresses"
measure vmfence-256addr 1 "vif0.0 enforce, MAC and 256 IPv4 addresses (8 steps of binary search)"
vmfence_unload

if [ "${CAL_ONLY:-0}" = 1 ]; then
	log "bench: done (calibration rows only)"
	touch "$OUT/done"
	sync
	exit 0
fi

# Untimed first loads: the modules the rulesets need get loaded here.
nft -f $GEN/nft-set-1.nft && nft -f $GEN/nft-linear-1.nft || die "nft -f"
nft flush ruleset

ALL_NS=$(printf '%s\n' $NS $CS_NS $PORTSET_NS | sort -n -u)
for n in $ALL_NS; do
	grow_ports "$n"
	case " $NS " in *" $n "*) in_ns=1 ;; *) in_ns=0 ;; esac

	# --- vmfence: N ports, one apply
	if [ $in_ns = 1 ]; then
		vmfence_load
		load_measured vmfence "$n" "\$CTL apply /gen/vmfence-$n.json"
		ctrl bind vmfence-apply "$n" "$t_load" "$t_load_cpu" "one vmfencectl apply"
		measure vmfence "$n" "enforce, MAC + IPv4 + IPv6 a port; uplink trusted; bridge unbound drop"
		if [ "$n" = "$MAXN" ]; then
			ip link add vif10000.0 type dummy
			timed t_add ". /gen/add-vmfence.sh" || die "add one VM (vmfence)"
			ctrl add-one-vm vmfence-port-set "$n" "$t_add" "$t_add_cpu" "one vmfencectl port set"
			log "vmfence: one more port bound in $t_add guest-s (cpu $t_add_cpu) with $n bound"
			ip link del vif10000.0
		fi
		vmfence_unload
	fi

	# --- vmfence: N ports, one "port set" call each
	case " $PORTSET_NS " in
	*" $n "*)
		vmfence_load
		timed t_calls ". /gen/vmfence-$n.sh" || die "vmfencectl port set calls"
		ctrl bind vmfence-port-set-calls "$n" "$t_calls" "$t_calls_cpu" \
			"$((n + 2)) vmfencectl processes (bridge set, uplink, N ports)"
		log "vmfence: $n ports bound by $((n + 2)) vmfencectl calls in $t_calls guest-s (cpu $t_calls_cpu)"
		vmfence_unload
		;;
	esac

	# --- nftables, bridge family
	for form in set linear; do
		[ $in_ns = 1 ] || continue
		case $form in
		set)	note="iifname . ether saddr . ip saddr @vm4 (and ip6, arp): one lookup" ;;
		linear)	note="3 rules a port (ip, ip6, arp saddr), the measured port's last" ;;
		esac
		load_measured nft-$form "$n" "nft -f /gen/nft-$form-$n.nft"
		ctrl bind nft-$form "$n" "$t_load" "$t_load_cpu" "one nft -f"
		measure nft-$form "$n" "$note"
		if [ "$n" = "$MAXN" ]; then
			timed t_add "nft -f /gen/add-nft-$form.nft" || die "add one VM (nft $form)"
			ctrl add-one-vm nft-$form "$n" "$t_add" "$t_add_cpu" "one nft -f transaction"
			log "nft-$form: one more VM added in $t_add guest-s (cpu $t_add_cpu) with $n"
		fi
		nft flush ruleset
	done

	# --- br_netfilter alone, then CloudStack's rules
	brnf_on
	measure br-netfilter "$n" "br_netfilter, bridge-nf-call-iptables=1 and -arptables=1, no rules; $((n + 3)) devices"
	case " $CS_NS " in
	*" $n "*)
		for m in $BRNF_MODS $CS_MODS nft_compat; do
			modprobe $m || die "modprobe $m"
		done
		for CS_VARIANT in $CS_VARIANTS; do
			cs_tools $CS_VARIANT
			# Untimed first load of this variant: its modules.
			timed t_warm "$(cs_restore 1)" || die "CloudStack rules ($CS_VARIANT)"
			cs_flush
			load_measured cloudstack-$CS_VARIANT "$n" "$(cs_restore "$n")"
			ctrl bind cloudstack-$CS_VARIANT-restore "$n" "$t_load" "$t_load_cpu" \
				"ipset restore, ebtables-$CS_VARIANT-restore, $([ $CS_VARIANT = nft ] && echo "arptables-nft-restore, ")iptables-$CS_VARIANT-restore"
			measure cloudstack-$CS_VARIANT "$n" "$CS_VARIANT tools, ebtables + $([ $CS_VARIANT = nft ] && echo "arptables + ")iptables/ipset via br_netfilter"
			if [ "$n" = "$CS_MAXN" ]; then
				ip link add vif10000.0 type dummy
				timed t_add ". /gen/add-cs.sh" || die "add one VM (CloudStack, $CS_VARIANT)"
				ctrl add-one-vm cloudstack-$CS_VARIANT-commands "$n" "$t_add" "$t_add_cpu" \
					"$(grep -c '|| return 1$' $GEN/add-cs.sh) commands, one process each, as default_network_rules runs them"
				log "cloudstack-$CS_VARIANT: one more VM added in $t_add guest-s (cpu $t_add_cpu) with $n"
				ip link del vif10000.0
			fi
			cs_flush
		done
		;;
	esac
	brnf_off
done

# --- the plain bridge again: nothing left behind, no drift
measure plain-end "$NDEV" "the bridge again, after everything was unloaded, $((NDEV + 3)) devices"

dmesg >"$OUT/dmesg.txt"
log "bench: done"
touch "$OUT/done"
sync
