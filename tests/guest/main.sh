#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test guest, as the child of PID 1, right after switch_root
# into the host's root: tests/run boots it with vm_boot (tests/lib/vm.sh),
# which mounts the results share tests/out and passes its path in VM_OUT.
# Loads vmfence.ko, runs each test file named in tests/out/config in a
# fresh bash, cleans up namespaces and devices between them, checks the
# kernel log after each (the file and its teardown) and after the last,
# on the debug kernel checks kmemleak, and leaves in tests/out (the
# results share):
#
#   results.txt   one line per check: "ok<TAB>FILE<TAB>NAME" or
#                 "FAIL<TAB>FILE<TAB>NAME"; "#<TAB>begin|end<TAB>FILE"
#   failures.txt  for each FAIL, what was expected and what was seen
#   logs/FILE.log what each test file printed
#   dmesg.txt     the guest's kernel log
#   done          written last
#
# The console (the serial port, streamed by tests/run) gets one line per
# check as it happens.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb
umask 022

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${VM_OUT:-$REPO/tests/out}
KO=$OUT/bin/vmfence.ko		# tests/run's snapshot of the build
export VMFENCE_REPO=$REPO VMFENCE_OUT=$OUT
CASE_TIMEOUT=${CASE_TIMEOUT:-420}

mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname vmfence-guest
ip link set lo up
# Console: warnings and worse (WARN, BUG, oops) only.
echo 5 >/proc/sys/kernel/printk

NOMODULE=0 DEBUG_KERNEL=0 CASES=
# shellcheck disable=SC1091
. "$OUT/config"
mkdir -p "$OUT/logs"
: >"$OUT/results.txt"
: >"$OUT/failures.txt"

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# record ok|FAIL FILE NAME [DETAIL]: the same format as tests/lib.sh.
record() {
	local st=$1 file=$2 name=$3 detail=${4:-}
	printf '%s\t%s\t%s\n' "$st" "$file" "$name" >>"$OUT/results.txt"
	if [ "$st" = ok ]; then
		printf 'ok   %s: %s\n' "$file" "$name"
	else
		printf 'FAIL %s: %s\n' "$file" "$name"
		{
			printf -- '--- FAIL %s: %s\n' "$file" "$name"
			[ -n "$detail" ] && printf '%s\n' "$detail"
		} >>"$OUT/failures.txt"
		[ -n "$detail" ] && printf '%s\n' "$detail" | sed 's/^/     /'
	fi
}

# Kernel-log lines that make a test fail whatever it checked itself.
KLOG_BAD='WARNING:|BUG:|Call Trace|general protection fault|Oops|kernel BUG|UBSAN|KASAN|kmemleak|refcount_t:|list_(add|del) corruption|RCU stall|soft lockup|hung_task|unreferenced object|Kernel panic|lockdep|possible circular locking|sleeping function called from invalid context'

# The kernel log is examined in windows that follow each other with no
# gap: klog_check writes a new mark, then reads the log from the previous
# mark to it; whatever the kernel logs after the new mark (a namespace it
# tears down in the background, say) is the next window's.  A window
# whose start is no longer in the ring buffer fails (it would be read
# incomplete).
KLOG_MARK=0
echo "<6>vmfence-test: klog mark 0" >/dev/kmsg

# klog_check FILE NAME [IGNORE]: one check, NAME, on the log since the
# last one: no line of KLOG_BAD (but those matching the regex IGNORE).
klog_check() {
	local file=$1 name=$2 ignore=${3:-} prev=$KLOG_MARK win bad
	KLOG_MARK=$((KLOG_MARK + 1))
	echo "<6>vmfence-test: klog mark $KLOG_MARK" >/dev/kmsg
	dmesg >/tmp/klog.all
	if ! grep -q "vmfence-test: klog mark $prev\$" /tmp/klog.all; then
		record FAIL "$file" "$name" "expected: the kernel log since the last check; saw: its start (mark $prev) is no longer in the ring buffer"
		return 0
	fi
	win=$(sed -n "/vmfence-test: klog mark $prev\$/,/vmfence-test: klog mark $KLOG_MARK\$/p" /tmp/klog.all)
	bad=$(grep -E "$KLOG_BAD" <<<"$win" | grep -Ev "${ignore:-^\$}")
	if [ -n "$bad" ]; then
		record FAIL "$file" "$name" \
			"expected: no warning, BUG or oops in the kernel log; saw:
$(grep -E -A 25 "$KLOG_BAD" <<<"$win" | head -n 80)"
	else
		record ok "$file" "$name"
	fi
}

# settle_teardown: until vmfence's tables list no binding and no bridge
# (10 s at most): the namespaces just deleted are gone, and what their
# teardown logged is in the window of the file that made them.
settle_teardown() {
	local i
	[ -r /sys/kernel/debug/vmfence/ports ] || return 0
	for i in $(seq 1 100); do
		[ ! -s /sys/kernel/debug/vmfence/ports ] && [ ! -s /sys/kernel/debug/vmfence/bridges ] && return 0
		sleep 0.1
	done
	echo "# main.sh: bindings still listed in debugfs 10 s after the cleanup"
}

# Every user process but PID 1 and this shell: left over by a test file.
reap_strays() {
	local p pid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = 1 ] || [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
		[ -s "$p/cmdline" ] || continue		# kernel thread
		kill -KILL "$pid" 2>/dev/null
	done
}

# Back to a clean guest between test files.
cleanup_between() {
	reap_strays
	ip -all netns delete 2>/dev/null
	local dev
	for dev in $(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
		[ "$dev" = lo ] || ip link del "$dev" 2>/dev/null
	done
	rm -rf /tmp/vmfence-test.* 2>/dev/null
	if [ "$NOMODULE" != 1 ] && [ ! -d /sys/module/vmfence ]; then
		echo "# main.sh: vmfence was not loaded after the last test; loading it again"
		insmod "$KO" ||
			echo "# main.sh: insmod vmfence.ko failed"
	fi
}

load_module() {
	local deps d
	deps=$(modinfo -F depends "$KO" 2>/dev/null | tr ',' ' ')
	for d in $deps; do
		modprobe "$d" || return 1
	done
	insmod "$KO"
}

# A vmfence installed on the host (dkms install, make install) must not be
# what the kernel autoloads (MODULE_ALIAS_GENL_FAMILY) when a test queries
# the family with the module unloaded: hide it.
if installed=$(modinfo -F filename vmfence 2>/dev/null) && [ -f "$installed" ]; then
	mount --bind /dev/null "$installed"
	echo "# hid the installed $installed from modprobe"
fi

echo "vmfence-guest: start ($(uname -r), $(nproc) CPUs)"
T0=$(now)

# kmemleak: the debug kernel must have it, and on.  It can be off with
# its file there (kmemleak=off, or it disabled itself for good at boot or
# later, out of its object pool), and then reports nothing: "stack=on",
# its default and so harmless, is refused (EPERM) only when it is off.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_on() { [ -e $KMEMLEAK ] && { echo stack=on >$KMEMLEAK; } 2>/dev/null; }
kmemleak_why() {
	if [ -e $KMEMLEAK ]; then
		echo "$KMEMLEAK refuses commands: kmemleak is disabled"
	else
		echo "no $KMEMLEAK"
	fi
	echo "kernel log: $(dmesg | grep -i kmemleak | tail -n 5)"
}
KMEMLEAK_CHECK=0
if [ "$DEBUG_KERNEL" = 1 ] || [ -e $KMEMLEAK ]; then
	KMEMLEAK_CHECK=1
	printf '#\tbegin\t%s\n' kmemleak >>"$OUT/results.txt"
	if kmemleak_on; then
		# What kmemleak suspects from the boot is not ours.
		echo clear >$KMEMLEAK
		record ok kmemleak "kmemleak is on"
	else
		record FAIL kmemleak "kmemleak is on" "expected: kmemleak on (the debug kernel has it); saw: $(kmemleak_why)"
	fi
	printf '#\tend\t%s\n' kmemleak >>"$OUT/results.txt"
else
	echo "# kmemleak: not in this kernel (tests/run --debug-kernel has it)"
fi

# The test bed's one workaround, for QEMU's TCG rather than the kernel.
# Registering the first hook of a kind, or unregistering the last, flips
# a static key: the kernel patches an int3 into the code of every CPU's
# receive path (__netif_receive_skb_core, the bridge's NF_HOOK sites) and
# out again.  Under multi-threaded TCG a vCPU can keep executing a stale
# translation of that int3 after the byte is gone, and the kernel's int3
# handler, finding no int3 there, sends it back to the same address for
# good: a soft lockup at __netif_receive_skb_core with traffic in flight,
# seen once in 88-churn-reload while vmfence was unloaded and reloaded
# under pktgen (never on hardware: text_poke_sync serialises every CPU).
# Empty accept-all chains in the initial namespace hold the keys on for
# the whole boot, so that unloading vmfence under traffic patches no
# code; vmfence's own hooks still come and go as on any host.
PIN_RULES='table netdev vmfence_testbed_pin {
	chain ingress { type filter hook ingress device lo priority 0; policy accept; }
}
table bridge vmfence_testbed_pin {
	chain prerouting { type filter hook prerouting priority 0; policy accept; }
	chain forward { type filter hook forward priority 0; policy accept; }
	chain output { type filter hook output priority 0; policy accept; }
}'
printf '#\tbegin\t%s\n' testbed >>"$OUT/results.txt"
if err=$(nft -f - <<<"$PIN_RULES" 2>&1); then
	record ok testbed "static keys of the netdev ingress and bridge hooks held on (empty nftables chains)"
else
	record FAIL testbed "static keys of the netdev ingress and bridge hooks held on (empty nftables chains)" \
		"expected: nft -f to load the pinning chains; saw: $err"
fi
printf '#\tend\t%s\n' testbed >>"$OUT/results.txt"

module_ok=1
if [ "$NOMODULE" = 1 ]; then
	echo "# vmfence.ko not loaded (VMFENCE_TEST_NOMODULE=1)"
elif ! err=$(load_module 2>&1); then
	module_ok=0
	echo "FAIL: insmod $KO failed: $err"
	{
		echo "--- FAIL: insmod $KO failed"
		echo "$err"
		echo "(kernel log: see dmesg.txt)"
	} >>"$OUT/failures.txt"
fi
echo "<6>vmfence-test: module loaded" >/dev/kmsg

# On the debug kernel (KASAN) vmfence.ko runs its self-tests of the
# lookup structures when it loads (kmod/selftest/), and a failure fails
# the load; this says they ran there, and passed.
if [ "$DEBUG_KERNEL" = 1 ] && [ "$NOMODULE" != 1 ]; then
	printf '#\tbegin\t%s\n' selftest >>"$OUT/results.txt"
	st=$(dmesg | grep 'vmfence: self-test: ' | tail -n 3)
	if grep -q 'prefix sets: [0-9]* lookups .* agree with a linear scan' <<<"$st"; then
		record ok selftest "vmfence.ko's self-tests ran at load and passed: ${st##*: }"
	else
		record FAIL selftest "vmfence.ko's self-tests ran at load and passed" \
			"expected: \"vmfence: self-test: prefix sets: N lookups ... agree\" in the kernel log; saw: ${st:-no self-test line}"
	fi
	printf '#\tend\t%s\n' selftest >>"$OUT/results.txt"
fi

for c in $CASES; do
	f=$REPO/tests/cases/$c
	printf '#\tbegin\t%s\n' "$c" >>"$OUT/results.txt"
	if [ $module_ok = 0 ]; then
		record FAIL "$c" "not run: vmfence.ko could not be loaded"
		printf '#\tend\t%s\n' "$c" >>"$OUT/results.txt"
		continue
	fi
	echo "# $c"
	echo "<6>vmfence-test: begin $c" >/dev/kmsg
	n_before=$(grep -c . "$OUT/results.txt")
	t=$(now)
	VMFENCE_CASE=$c timeout -k 10 "$CASE_TIMEOUT" /bin/bash "$f" \
		3>&1 >"$OUT/logs/$c.log" 2>&1 </dev/null
	rc=$?
	dt=$(elapsed "$t" "$(now)")
	echo "<6>vmfence-test: end $c" >/dev/kmsg
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		record FAIL "$c" "finished in time" \
			"expected: the test file to finish within ${CASE_TIMEOUT}s; saw: it was killed"
	elif [ $rc != 0 ]; then
		record FAIL "$c" "ran to its end" \
			"expected: exit status 0; saw: $rc (a setup command failed? see logs/$c.log)
$(tail -n 15 "$OUT/logs/$c.log")"
	fi
	n_checks=$(tail -n +"$((n_before + 1))" "$OUT/results.txt" | grep -c -E '^(ok|FAIL)	')
	if [ "$n_checks" = 0 ]; then
		record FAIL "$c" "checked something" "expected: at least one check; saw: none"
	fi
	cleanup_between
	settle_teardown
	# The file's window: from the end of the previous one (the previous
	# file's teardown included) to after its own teardown.
	klog_check "$c" "kernel log clean"
	printf '#\tend\t%s\n' "$c" >>"$OUT/results.txt"
	echo "# $c: $(tail -n +"$((n_before + 1))" "$OUT/results.txt" | grep -c '^ok	') ok, $(tail -n +"$((n_before + 1))" "$OUT/results.txt" | grep -c '^FAIL	') FAIL (${dt}s)"
done

echo "# guest: all test files done in $(elapsed "$T0" "$(now)")s"

# kmemleak, after the module is gone: whatever vmfence allocated and lost
# is unreferenced by then.  It reports objects at least 5 s old; two
# scans, as its documentation advises.  On the debug kernel the check
# proves itself: tests/kmemleak's module leaks one object on purpose,
# which the report must name, and nothing else may be in it.
if [ $KMEMLEAK_CHECK = 1 ]; then
	printf '#\tbegin\t%s\n' kmemleak >>"$OUT/results.txt"
	t=$(now)
	if [ -d /sys/module/vmfence ] && ! rmmod vmfence; then
		record FAIL kmemleak "vmfence unloads after the suite" "rmmod vmfence failed"
	fi
	LEAKONE=$OUT/bin/vmfence_leakone.ko
	leakone=0
	if [ "$DEBUG_KERNEL" = 1 ]; then
		if err=$(insmod "$LEAKONE" 2>&1); then
			leakone=1
		else
			record FAIL kmemleak "the deliberate leak is made (insmod vmfence_leakone.ko)" "$err"
		fi
	fi
	sleep 6
	if ! kmemleak_on || ! echo scan >$KMEMLEAK || ! { sleep 1; echo scan >$KMEMLEAK; }; then
		record FAIL kmemleak "kmemleak still on after the suite, and scanning" "$(kmemleak_why)"
	fi
	# One record a line per object ("unreferenced object" to the next),
	# then split: ours, and the rest.
	cat $KMEMLEAK >/tmp/kmemleak.txt
	awk '/^unreferenced object/ { n++ } { print > ("/tmp/kmemleak." n) }' n=0 /tmp/kmemleak.txt
	mine=0 leaks=
	for f in /tmp/kmemleak.[1-9]*; do
		[ -e "$f" ] || continue
		if grep -q 'vmfence_leakone' "$f"; then
			mine=$((mine + 1))
		else
			leaks+=$(cat "$f")$'\n'
		fi
	done
	if [ $leakone = 1 ]; then
		if [ $mine = 1 ]; then
			record ok kmemleak "kmemleak reports the one object vmfence_leakone.ko leaked on purpose"
		else
			record FAIL kmemleak "kmemleak reports the one object vmfence_leakone.ko leaked on purpose" \
				"expected: one object whose backtrace names vmfence_leakone; saw $mine; the report:
$(head -n 60 /tmp/kmemleak.txt)"
		fi
	fi
	if [ -n "$leaks" ]; then
		record FAIL kmemleak "no memory leak after the suite and rmmod" \
			"expected: kmemleak to report nothing else; saw $(grep -c '^unreferenced object' <<<"$leaks") objects:
$(head -n 150 <<<"$leaks")"
	else
		record ok kmemleak "no memory leak after the suite and rmmod"
	fi
	# Everything since the last file's window, the unload included
	# (kmemleak's own "N new suspected memory leaks" is the check above).
	klog_check kmemleak "kernel log clean after the last file and the unload" \
		'kmemleak: [0-9]+ new suspected memory leaks'
	printf '#\tend\t%s\n' kmemleak >>"$OUT/results.txt"
	echo "# kmemleak: scanned in $(elapsed "$t" "$(now)")s"
else
	# What the kernel logged after the last file's window: its teardown
	# finishing in the background, the module still loaded.
	sleep 1
	printf '#\tbegin\t%s\n' kernel-log >>"$OUT/results.txt"
	klog_check kernel-log "kernel log clean after the last file"
	printf '#\tend\t%s\n' kernel-log >>"$OUT/results.txt"
fi
dmesg >"$OUT/dmesg.txt"
touch "$OUT/done"
sync
