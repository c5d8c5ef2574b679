#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lifetimes under traffic, with the testing build of the module
# (vmfence-testing.ko: kmod/testing.h), whose delays widen the windows:
#  - unload and reload, several times, while frames stream through three
#    ports and every hook spins 20 us before looking its port up, 2 ms
#    once the module or the namespace is being torn down: a hook in
#    flight must never read a freed table (on the debug kernel, KASAN
#    would say so; the kernel log is examined after the file);
#  - namespaces deleted while frames stream through their ports;
#  - a device moved to another namespace while commands that name it
#    sleep between finding it and acting on it (test_cmd_delay_ms): there
#    it gets an ifindex that another bound device has here, and no command
#    may ever touch that one's binding.
# The ordinary module is loaded again at the end.
. "$(dirname "$0")/../lib.sh"

CYCLES=$(setting VMFENCE_UNLOAD_CYCLES 4)
load_testing() {
	insmod "$KO_TESTING" "$@"
}
cleanup() {
	bg_stop
	rmmod vmfence 2>/dev/null
	insmod "$KO" 2>/dev/null
	return 0
}

check "the testing build is there" test -f "$KO_TESTING"
check "rmmod vmfence (the ordinary build)" rmmod vmfence
check "insmod vmfence-testing.ko test_hook_delay_us=20 test_exit_delay_us=2000" load_testing test_hook_delay_us=20 test_exit_delay_us=2000

# --- unload and reload under a flood ---
topo_up 3
bind 1
bind 2
bind 3
# A steady stream rather than a flood: with every hook spinning, a flood
# under TCG starves the guest's softirqs (soft lockups), and a frame in
# flight at each unload is all it takes.
n1 ping -q -i 0.005 -w 600 "$(vm_ip4 2)" >/dev/null 2>&1 &
n2 ping -q -i 0.005 -w 600 "$(vm_ip4 3)" >/dev/null 2>&1 &
n3 ping -q -i 0.005 -w 600 "$(vm_ip6 1)" >/dev/null 2>&1 &
$PY "$PKT" send --from vm1:eth0 --frame "$(udp4 1 2 src_ip=10.0.0.99)" \
	--count 100000000 --interval 0.002 >/dev/null 2>&1 &
sleep 1
bad=
for i in $(seq 1 "$CYCLES"); do
	rmmod vmfence || { bad+="rmmod $i failed; "; break; }
	load_testing test_hook_delay_us=20 test_exit_delay_us=2000 || { bad+="insmod $i failed; "; break; }
	for k in 1 2 3; do bind "$k" >/dev/null || bad+="bind $k after reload $i failed; "; done
	sleep 0.3
done
expect_eq "$CYCLES unloads and reloads under a flood of three ports" "" "$bad"

b=$(counters vif1)
sleep 1
expect_counters "after the reloads: vm1's forged frames dropped, its pings passed" \
	"$b" "$(counters vif1)" ip4_spoof=+ passed=+
bg_stop
topo_down

# --- namespaces deleted under a flood ---
bad=
for i in 1 2; do
	$IP netns add hv
	$IP netns add va
	$IP netns add vb
	{
		echo "link add br0 type bridge mcast_snooping 0 forward_delay 0"
		echo "link set br0 up"
		echo "link add pa type veth peer name eth0 address 02:00:00:00:0a:01 netns va"
		echo "link add pb type veth peer name eth0 address 02:00:00:00:0a:02 netns vb"
		echo "link set pa master br0 up"
		echo "link set pb master br0 up"
	} | $IP -n hv -batch -
	$IP -n va addr add 10.8.0.1/24 dev eth0
	$IP -n vb addr add 10.8.0.2/24 dev eth0
	$IP -n va link set eth0 up
	$IP -n vb link set eth0 up
	$IP netns exec hv "$CTL" port set pa mac 02:00:00:00:0a:01 ip 10.8.0.1 || bad+="bind pa $i; "
	$IP netns exec hv "$CTL" port set pb mac 02:00:00:00:0a:02 ip 10.8.0.2 || bad+="bind pb $i; "
	$IP netns exec hv "$CTL" bridge set br0 unbound drop || bad+="bridge $i; "
	$IP netns exec va ping -q -i 0.005 -w 30 10.8.0.2 >/dev/null 2>&1 &
	$IP netns exec vb ping -q -i 0.005 -w 30 10.8.0.1 >/dev/null 2>&1 &
	sleep 1
	$IP netns del hv
	sleep 0.5
	bg_stop
	$IP netns del va
	$IP netns del vb
done
expect_eq "two namespaces with bound ports deleted under a flood" "" "$bad"


# --- commands racing a device's move to another namespace ---
check "reload the testing build, no delays" sh -c "rmmod vmfence && insmod '$KO_TESTING'"
topo_up 3
for i in $(seq 1 40); do echo "link add a$i type dummy"; done | $IP -n host -batch -
{
	echo '{"version": 1, "ports": ['
	for i in $(seq 1 40); do
		printf ' {"ifname": "a%d", "mac": "02:00:00:00:0b:%02x", "label": "a%d", "addrs": ["10.11.0.%d"]},\n' "$i" "$i" "$i" "$i"
	done
	for k in 1 2 3; do
		printf ' {"ifname": "vif%d", "mac": "%s", "label": "vif%d"}%s\n' "$k" "$(vm_mac "$k")" "$k" "$([ $k = 3 ] || echo ,)"
	done
	echo ']}'
} >"$TESTTMP/bound.json"
ctl apply "$TESTTMP/bound.json"
$IP netns add other
before=$(show_json)
# Long enough for "ip link set ... netns" to start and finish meanwhile.
# 1 s is ample for the move on Debian's kernel; the debug kernel moves a
# device in more than that.
CMD_DELAY=1000
on_debug_kernel && CMD_DELAY=3000
echo $CMD_DELAY >/sys/module/vmfence/parameters/test_cmd_delay_ms
cat >"$TESTTMP/mv.json" <<'JSON'
{"version": 1, "ports": [{"ifname": "mv", "mac": "02:00:00:00:0c:03", "label": "mv3"}]}
JSON
raced=0
for i in $(seq 1 9); do
	$IP -n host link add name mv type dummy
	idx=$($IP -n host -o link show dev mv | cut -d: -f1)
	# mv's ifindex is taken over there: moving, it gets the next free one,
	# a small number that is a bound device's here.
	$IP -n other link add "o$i" index "$idx" type dummy
	# The command finds mv, sleeps CMD_DELAY ms, acts: mv moves meanwhile.
	# A simple command in the background: ip becomes vmfencectl in the
	# same process, whose wchan is then read below.
	# Three commands that find the device before they lock: a new
	# binding, a rebinding, an APPLY.  (PORT_DEL and ADDR find it under
	# the lock, which the move's notifier then waits for.)
	case $((i % 3)) in
	1)	$IP netns exec host "$CTL" port set mv mac 02:00:00:00:0c:01 label mv ip 10.12.0.1 2>"$TESTTMP/err" & ;;
	2)	echo 0 >/sys/module/vmfence/parameters/test_cmd_delay_ms
		ctl port set mv mac 02:00:00:00:0c:01 label mv ip 10.12.0.1
		echo $CMD_DELAY >/sys/module/vmfence/parameters/test_cmd_delay_ms
		$IP netns exec host "$CTL" port set mv mac 02:00:00:00:0c:02 label mv2 2>"$TESTTMP/err" & ;;
	0)	$IP netns exec host "$CTL" apply "$TESTTMP/mv.json" 2>"$TESTTMP/err" & ;;
	esac
	cmd=$!
	# ip netns exec became vmfencectl: wait until it sleeps in the kernel,
	# mv found (test_cmd_delay_ms), then move mv.
	# (Builtins only: a fork takes longer than the window under TCG.)
	# Up to 20 s: starting vmfencectl takes longer than a second on the
	# debug kernel.
	w= t=$((SECONDS + 20))
	while [ $SECONDS -lt $t ]; do
		read -r w 2>/dev/null </proc/"$cmd"/wchan || true
		[ "$w" = msleep ] && break
		read -r -t 0.005 <> <(:) || true
	done
	$IP -n host link set dev mv netns other
	wait "$cmd" || true
	# Found before the move, acted after it: the kernel's own words.
	grep -q -e "going away or has moved" -e "went away while applying" "$TESTTMP/err" &&
		raced=$((raced + 1))
	$IP -n other link del dev mv
done
echo 0 >/sys/module/vmfence/parameters/test_cmd_delay_ms
note "commands that found mv here and acted after it had moved: $raced of 9"
expect_eq "no command touched a binding of a device it did not name" "$before" "$(show_json)"
check "most commands acted after their device had moved (the race was run: $raced of 9)" test "$raced" -ge 6
