#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A binding lives and dies with its device: deleting the device removes
# it, a new device of the same name is unbound, a renamed device keeps it
# under its new name, "port del" removes it, and so does moving the device
# to another namespace.  vm1 and vm3, which receive crafted frames, are
# bound with the (sink) addresses these are sent to (bind_rx).
. "$(dirname "$0")/../lib.sh"

ports() { jsq '" ".join(p["ifname"] for p in P) or "(none)"' -j port show; }

topo_up 3
# The attack of "renamed" below, first with nothing bound.
FORGED13=$(udp4 1 3 src_ip=10.0.0.99)
send_expect "unbound: vm1's forged IPv4 source reaches vm3" arrive vm1:eth0 vm3:eth0 "$FORGED13"
bind_rx 1
bind 2
bind_rx 3
expect_eq "three bindings" "vif1 vif2 vif3" "$(ports)"

# --- delete ---
$IP -n host link del vif2
expect_eq "vif2 deleted: binding gone" "vif1 vif3" "$(ports)"
expect_refused -m 'no such device' "vif2 deleted: port show vif2 refused" port show vif2
$IP -n host link add vif2 address "$(vif_mac 2)" type veth peer name eth0 address "$(vm_mac 2)" netns vm2
$IP -n host link set vif2 master br0 up
$IP -n vm2 addr add "$(vm_ip4 2)/24" dev eth0
$IP -n vm2 link set eth0 up
expect_eq "new vif2 of the same name: unbound" "vif1 vif3" "$(ports)"
send_expect "new vif2: forged IPv4 source passes" arrive vm2:eth0 vm1:eth0 "$(udp4 2 1 src_ip=10.0.0.99)"
send_expect "new vif2: forged source MAC passes" arrive vm2:eth0 vm1:eth0 "$(udp4 2 1 src_mac=02:00:00:00:00:99)"

# --- rename ---
idx=$(jsq 'P[0]["ifindex"]' -j port show vif1)
$IP -n host link set vif1 down
$IP -n host link set vif1 name vm1-port
$IP -n host link set vm1-port up
expect_eq "renamed: port show has the new name" "vm1-port vif3" "$(ports)"
expect_eq "renamed: same ifindex" "$idx" "$(jsq 'P[0]["ifindex"]' -j port show vm1-port)"
expect_eq "renamed: same binding" "$(vm_mac 1) 10.0.0.1 $(sink_ip4 1) 2001:db8::1 $(sink_ip6 1)" \
	"$(jsq '" ".join([P[0]["mac"]] + sorted(P[0]["addrs"]))' -j port show vm1-port)"
expect_verdict "renamed: forged IPv4 source still dropped, counted under the new name" vm1-port drop \
	vm1:eth0 vm3:eth0 "$FORGED13" ip4_spoof=1
expect_eq "renamed: stats lists the new name" "vm1-port" "$(jsq 'P[0]["ifname"]' -j stats vm1-port)"

# --- port del ---
check "port del vm1-port" ctl port del vm1-port
expect_eq "port del: binding gone" "vif3" "$(ports)"
send_expect "port del: forged IPv4 source passes" arrive vm1:eth0 vm3:eth0 "$FORGED13"
expect_refused -m 'not bound' "port del again: refused" port del vm1-port

# --- moved to another namespace ---
$IP netns add elsewhere
$IP -n host link set vif3 netns elsewhere
expect_eq "vif3 moved to another namespace: no longer bound here" "(none)" "$(ports)"
$IP -n elsewhere link set vif3 netns host
expect_eq "vif3 back: unbound" "(none)" "$(ports)"

# --- a namespace with bindings goes away ---
bind 2
topo_down
topo_up 1
expect_eq "namespace deleted and made anew: no binding" "(none)" "$(ports)"
