#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the guest that smoke.sh boots (after switch_root into the host's
# root), with $1 = the work directory (a writable 9p share holding
# vmfence.ko and vmfencectl).  Loads vmfence, bridges two namespaces, binds
# both ports, pings across, unloads, runs kmemleak, times a few things and
# checks the kernel log.  Writes "ok ..."/"FAIL ..." lines and timings to
# $W/result.txt and the kernel log to $W/dmesg.txt.

set -u
W=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8
IP=/usr/sbin/ip
CTL=$W/vmfencectl
R=$W/result.txt
: >"$R"

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
ln -sf /proc/self/fd /dev/fd
$IP link set lo up

note() { printf '%s\n' "$*" | tee -a "$R"; }
check() {	# check NAME COMMAND...
	local name=$1
	shift
	if "$@" >>"$W/guest.log" 2>&1; then note "ok   $name"; else note "FAIL $name"; fi
}
now() { echo "$EPOCHREALTIME"; }
dt() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

note "smoke-guest: start $(uname -r) $(nproc) CPUs, uptime $(cut -d' ' -f1 /proc/uptime)s"
note "config: $(zcat /proc/config.gz 2>/dev/null | grep -cE '^CONFIG_(KASAN|PROVE_LOCKING|PROVE_RCU|DEBUG_KMEMLEAK)=y') of 4 debug options (KASAN PROVE_LOCKING PROVE_RCU DEBUG_KMEMLEAK)"

# Userland sanity: the host's tools run on this kernel.
check "python3 runs" /usr/bin/python3 -c 'import socket, select, os; e = select.epoll(); os.eventfd(0) if hasattr(os, "eventfd") else None'
check "nft bridge table" /usr/sbin/nft add table bridge smoke
check "nft bridge chain" /usr/sbin/nft add chain bridge smoke c '{ type filter hook forward priority 0; }'
check "nft bridge rule: ct state (bridge conntrack)" /usr/sbin/nft add rule bridge smoke c ct state invalid counter
check "nft bridge rule: meta ibrname" /usr/sbin/nft add rule bridge smoke c meta ibrname br0 counter
check "nft delete" /usr/sbin/nft delete table bridge smoke

# This kernel's own modules, from MODROOT (mounted on /lib/modules).
check "modprobe pktgen" modprobe pktgen
check "rmmod pktgen" rmmod pktgen
check "modprobe br_netfilter" modprobe br_netfilter
check "rmmod br_netfilter" rmmod br_netfilter

t=$(now)
check "insmod vmfence.ko" insmod "$W/vmfence.ko"
note "time: insmod ${t:+$(dt "$t")}s"

t=$(now)
$IP netns add host
{
	echo "link set lo up"
	echo "link add br0 type bridge mcast_snooping 0 forward_delay 0 vlan_filtering 1"
	echo "link set br0 up"
} | $IP -n host -batch -
for k in 1 2; do
	$IP netns add "vm$k"
	$IP -n host link add "vif$k" address "02:00:00:00:00:f$k" type veth \
		peer name eth0 address "02:00:00:00:00:0$k" netns "vm$k"
	$IP -n host link set "vif$k" master br0 up
	{
		echo "link set lo up"
		echo "addr add 192.0.2.$k/24 dev eth0"
		echo "addr add 2001:db8::$k/64 dev eth0 nodad"
		echo "link set eth0 up"
	} | $IP -n "vm$k" -batch -
done
note "time: topology (3 netns, bridge, 2 veth) $(dt "$t")s"
check "bridge vlan filtering on" sh -c "$IP -n host -d link show br0 | grep -q 'vlan_filtering 1'"

for k in 1 2; do
	check "bind vif$k" $IP netns exec host "$CTL" port set "vif$k" \
		mac "02:00:00:00:00:0$k" ip "192.0.2.$k" ip "2001:db8::$k"
done
$IP netns exec host "$CTL" port show >>"$W/guest.log" 2>&1

check "ping vm1 -> vm2 (IPv4, bound ports)" $IP netns exec vm1 ping -c 3 -W 5 192.0.2.2
check "ping6 vm1 -> vm2 (IPv6, bound ports)" $IP netns exec vm1 ping -6 -c 3 -W 5 2001:db8::2
p=$($IP netns exec vm1 ping -q -c 20 -i 0.2 192.0.2.2 | sed -n 's/^rtt.* = //p')
note "time: ping rtt min/avg/max/mdev $p (20 pings, vm1 -> br0 -> vm2)"
# A spoofed source is refused (the module really is in the path).
$IP -n vm1 addr add 192.0.2.99/24 dev eth0
check "spoofed source 192.0.2.99 dropped" sh -c "! $IP netns exec vm1 ping -c 2 -W 2 -I 192.0.2.99 192.0.2.2"
$IP netns exec host "$CTL" stats >>"$W/guest.log" 2>&1

t=$(now)
$IP -all netns delete
check "rmmod vmfence" rmmod vmfence
note "time: netns delete + rmmod $(dt "$t")s"

# 100 veth pairs, created, set up and deleted by one ip -batch each.
t=$(now)
for i in $(seq 1 100); do echo "link add va$i type veth peer name vb$i"; done | $IP -batch -
note "time: create 100 veth pairs $(dt "$t")s"
t=$(now)
for i in $(seq 1 100); do echo "link set va$i up"; echo "link set vb$i up"; done | $IP -batch -
note "time: set 200 veth up $(dt "$t")s"
t=$(now)
for i in $(seq 1 100); do echo "link del va$i"; done | $IP -batch -
note "time: delete 100 veth pairs $(dt "$t")s"

# kmemleak: objects younger than 5 s are never reported; scan twice so
# that what was freed late is not taken for a leak.
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	t=$(now)
	echo scan >/sys/kernel/debug/kmemleak
	note "time: kmemleak scan $(dt "$t")s"
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$W/kmemleak.txt"
	if [ -s "$W/kmemleak.txt" ]; then
		note "FAIL kmemleak: $(grep -c 'unreferenced object' "$W/kmemleak.txt") unreferenced objects (kmemleak.txt)"
	else
		note "ok   kmemleak: nothing reported"
	fi
else
	note "skip kmemleak: no /sys/kernel/debug/kmemleak"
fi

dmesg >"$W/dmesg.txt"
bad=$(grep -E 'BUG:|WARNING:|KASAN|lockdep|suspicious RCU usage|Call Trace|Oops|unreferenced object|soft lockup|hung_task' "$W/dmesg.txt" |
	grep -vE 'RCU lockdep checking is enabled' || true)
if [ -n "$bad" ]; then
	note "FAIL kernel log clean:"
	printf '%s\n' "$bad" | head -n 20 | tee -a "$R"
else
	note "ok   kernel log clean (no BUG:, WARNING:, KASAN, lockdep, suspicious RCU usage, Call Trace)"
fi
note "memory: $(awk '/^(MemTotal|MemAvailable):/ { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo)"
note "smoke-guest: done, uptime $(cut -d' ' -f1 /proc/uptime)s"
