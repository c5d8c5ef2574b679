#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (sysfs and debugfs are read on the debug kernel by 88-churn's reader under churn; the Prometheus exporter is userspace; Debian's kernel runs it)
# The counters outside netlink, against "vmfencectl -j stats": with drops
# and passes in two namespaces, each with a bridge,
#   /sys/kernel/vmfence/{passed,dropped,drops/<reason>}, read in a
#   namespace, are that namespace's totals and nothing of the others' (a
#   stats reset there lowers them), version is the module's, the files are
#   read-only;
#   /sys/kernel/debug/vmfence/{ports,bridges} list every binding and
#   bridge setting of every namespace, as port show, stats and bridge show
#   say;
#   "stats --format prometheus", parsed by prometheus_client, holds the
#   same numbers as "-j stats", labels with quotes, backslashes, UTF-8,
#   bytes that are not UTF-8 and newlines included.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
SYS=/sys/kernel/vmfence
DBG=/sys/kernel/debug/vmfence
[ -d /sys/kernel/debug/vmfence ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true

to4() { udp4 "$1" "$2" "dst_ip=$(vm_ip4 "$2") ${*:3}"; }

topo_up 3
bind 1 label 'vm "one" \ é' seq 3
bind 2 label vm-two ip 10.9.0.0/24 multicast allow allow-ethertype 0x88cc
ctl bridge set br0 unbound drop

# A second hypervisor namespace, h2: bridge br0, port p1 to x1 (bound).
$IP netns add h2
$IP netns add x1
for ns in h2 x1; do	# quiet: no IPv6 chatter to move counters
	$IP netns exec $ns sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
done
$IP -n h2 link add br0 type bridge
$IP -n h2 link set br0 up
$IP -n h2 link add p1 type veth peer name eth0 address 02:00:00:00:02:01 netns x1
$IP -n h2 link set p1 master br0 up
$IP -n h2 link add p2 type veth peer name p2peer
$IP -n h2 link set p2 master br0 up
$IP -n x1 link set eth0 up
$IP netns exec h2 "$CTL" port set p1 mac 02:00:00:00:02:01 ip 10.1.0.1 label x-one
$IP netns exec h2 "$CTL" bridge set br0 unbound pass

# Traffic: passes and several kinds of drops in both namespaces.
for i in 1 2; do
	pkt send --from vm1:eth0 --frame "$(to4 1 2)"
	pkt send --from vm1:eth0 --frame "$(to4 1 2 src_ip=10.0.0.99)"
done
pkt send --from vm1:eth0 --frame "$(to4 1 2 src_mac=02:00:00:00:00:66)"
pkt send --from vm2:eth0 --frame "ra src_mac=$(vm_mac 2) src_ip=$(vm_ll 2)"
pkt send --from vm3:eth0 --frame "$(to4 3 1)"
pkt send --from vm3:eth0 --frame "$(to4 3 1)"
for i in 1 2 3 4; do
	pkt send --from x1:eth0 --frame "udp src_mac=02:00:00:00:02:01 dst_mac=ff:ff:ff:ff:ff:ff src_ip=10.1.0.66 dst_ip=10.1.0.2"
done
pkt send --from x1:eth0 --frame "udp src_mac=02:00:00:00:02:01 dst_mac=02:00:00:00:02:02 src_ip=10.1.0.1 dst_ip=10.1.0.2"
expect_eq "h2: 4 drops, 1 pass on p1" "4 1" "$(pkt ctl-json --ns h2 --expr '"%d %d" % (P[0]["dropped"], P[0]["passed"])' -- -j stats p1)"

# consistent_read NAME CMD...: snapshot every namespace, run CMD, snapshot
# again, until nothing moved meanwhile (the VMs' stacks may still talk);
# the snapshot is $D/snap.
consistent_read() {
	local i
	for i in $(seq 1 15); do
		snap "$D/snap"
		"$@"
		snap "$D/snap2"
		cmp -s "$D/snap" "$D/snap2" && return 0
		sleep 1
	done
	note "the counters kept moving: comparing anyway"
}

read_files() {
	local ns
	for ns in "" $($IP netns list | awk '{ print $1 }'); do
		echo "== $(netns_inum "$ns")"
		if [ -n "$ns" ]; then
			$IP netns exec "$ns" grep -r . "$SYS"
		else
			grep -r . "$SYS"
		fi
	done >"$D/sysfs"
	cat "$DBG/ports" >"$D/dports"
	cat "$DBG/bridges" >"$D/dbridges"
}
consistent_read read_files
ops_records counters-check "$D/snap" "$D/sysfs" "$D/dports" "$D/dbridges"

VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
expect_eq "sysfs version is dkms.conf's and the module's" "$VERSION $VERSION" \
	"$(cat "$SYS/version") $(modinfo -F version "$KO")"
expect_eq "sysfs files are read-only (0444)" "" \
	"$(find "$SYS" -type f ! -perm 0444 -printf '%p %m\n')"
expect_fail "writing sysfs passed fails" sh -c "echo 0 > $SYS/passed"
expect_eq "debugfs files are root's only (0400)" "400 400" "$(stat -c %a "$DBG/ports" "$DBG/bridges" | xargs)"

# A stats reset in h2 zeroes what h2 reads, and nothing host reads.
host_before=$($IP netns exec host cat "$SYS/dropped")
h2=$($IP netns exec h2 cat "$SYS/dropped")
check "h2 reads its own drops in sysfs ($h2)" test "$h2" -gt 0
check "stats reset in h2" $IP netns exec h2 "$CTL" stats reset
expect_eq "sysfs dropped read in h2 after its reset" 0 "$($IP netns exec h2 cat "$SYS/dropped")"
expect_eq "sysfs dropped read in host: unchanged by h2's reset" "$host_before" \
	"$($IP netns exec host cat "$SYS/dropped")"
expect_eq "sysfs read in the root namespace, where nothing is bound: 0 0" "0 0" \
	"$(cat "$SYS/passed") $(cat "$SYS/dropped")"
pkt send --from x1:eth0 --frame "udp src_mac=02:00:00:00:02:01 dst_mac=ff:ff:ff:ff:ff:ff src_ip=10.1.0.67 dst_ip=10.1.0.2"
consistent_read read_files
ops_records counters-check "$D/snap" "$D/sysfs" "$D/dports" "$D/dbridges"

# --- Prometheus ---------------------------------------------------------------------
check "a label with a newline" $IP netns exec h2 "$CTL" port set p1 mac 02:00:00:00:02:01 ip 10.1.0.1 label $'x-one\nsecond line'
check "a label with a byte that is not UTF-8" ctl port set vif3 mac "$(vm_mac 3)" ip "$(vm_ip4 3)" label $'bad\xffbyte'
pkt send --from vm3:eth0 --frame "$(to4 3 1 src_ip=10.0.0.77)"

# prom_check NAME NS [DEV]
prom_check() {
	local name=$1 ns=$2 dev=${3:-} i
	for i in $(seq 1 15); do
		ctlns "$ns" -j stats $dev >"$D/p.json"
		ctlns "$ns" stats --format prometheus $dev >"$D/p.prom"
		ctlns "$ns" -j stats $dev >"$D/p2.json"
		cmp -s "$D/p.json" "$D/p2.json" && break
		sleep 1
	done
	ops_expect_ok "$name" prom "$D/p.prom" "$D/p.json" "$([ -z "$dev" ] && echo 1 || echo 0)"
}
prom_check "prometheus (host), parsed back: the numbers of -j stats, labels intact" host
prom_check "prometheus (h2, a label with a newline), parsed back" h2
prom_check "prometheus of one port (vif1): its series, no namespace totals" host vif1
check "the label with a quote and a backslash is escaped" grep -qF 'label="vm \"one\" \\ é"' "$D/p.prom"
ctl stats --format prometheus >"$D/all.prom"
check "bytes that are not UTF-8 become U+FFFD" grep -qF "label=\"bad$(printf '\xef\xbf\xbd')byte\"" "$D/all.prom"
check "the whole output is UTF-8" iconv -f UTF-8 -t UTF-8 "$D/all.prom" -o /dev/null
capture ctl -j stats --format prometheus
expect_eq "-j with --format prometheus: usage error (exit 2)" 2 "$C_RC"
