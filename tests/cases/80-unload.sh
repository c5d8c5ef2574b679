#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod with bindings in place and traffic flowing (flood pings both ways,
# forged frames being dropped): the kernel log stays clean, traffic goes on
# unfiltered, vmfencectl says the module is not loaded, and the module
# loads again with no binding left.  Then once more, with the namespace
# deleted only after the unload.  The module is loaded at the end.
. "$(dirname "$0")/../lib.sh"

ports() { jsq '" ".join(p["ifname"] for p in P) or "(none)"' -j port show; }

topo_up 2
bind 1
bind 2
FORGED=$(udp4 1 2 src_ip=10.0.0.99)

# Forged frames, 1 a millisecond at most; then flood pings both ways.
$PY "$PKT" send --from vm1:eth0 --frame "$FORGED" --count 100000000 --interval 0.001 >/dev/null 2>&1 &
FORGER=$!
b=$(counters vif1)
for i in $(seq 1 60); do
	[[ $(counters vif1) == *" ip4_spoof=0 "* ]] || break
	sleep 0.5
done
n1 ping -f -q -w 120 "$(vm_ip4 2)" >/dev/null 2>&1 &
n2 ping -f -q -w 120 "$(vm_ip6 1)" >/dev/null 2>&1 &
sleep 2
expect_counters "before unload: traffic passing and forged frames dropped" "$b" "$(counters vif1)" passed=+ ip4_spoof=+

check "rmmod vmfence, bindings in place, traffic running" rmmod vmfence
check "module gone" test ! -e /sys/module/vmfence
rc=0
err=$(ctl port show 2>&1 >/dev/null) || rc=$?
expect_eq "vmfencectl with the module unloaded: exit 1" 1 "$rc"
expect_eq "vmfencectl with the module unloaded: one line" 1 "$(printf '%s\n' "$err" | grep -c .)"
check "vmfencectl with the module unloaded: says so ($err)" grep -qi 'not loaded' <<<"$err"
check "after unload: the VMs still talk" n1 ping -c 3 -i 0.5 -W 5 "$(vm_ip4 2)"
send_expect "after unload: forged frames go through (nothing filters)" arrive vm1:eth0 vm2:eth0 "$FORGED"
sleep 1

check "insmod again" insmod "$KO"
expect_eq "after reload: no binding" "(none)" "$(ports)"
# The forger paused (SIGSTOP): its frames would move ip4_spoof behind the
# check below, and look like this one at vm2.  The pings go on.
kill -STOP "$FORGER"
sleep 0.2
FORGED2=$(udp4 1 2 src_ip=10.0.0.98)
send_expect "after reload, unbound: forged frames go through" arrive vm1:eth0 vm2:eth0 "$FORGED2"
bind 1
expect_verdict "after reload and binding again: forged frames dropped" vif1 drop vm1:eth0 vm2:eth0 "$FORGED2" ip4_spoof=1
kill -CONT "$FORGER"
check "after reload: the VMs talk" n1 ping -c 3 -i 0.5 -W 5 "$(vm_ip4 2)"

# Unload again; the namespace and its bridge go away after the module.
check "rmmod vmfence again" rmmod vmfence
bg_stop
topo_down
check "insmod after the namespace is gone" insmod "$KO"
topo_up 1
expect_eq "fresh namespace: no binding" "(none)" "$(ports)"
check "bind in the fresh namespace" bind 1
