#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (the hotplug scripts' logic is userspace: the commands they send are run on the debug kernel by 40, 50, 88 and 90; Debian's kernel runs it)
# The hotplug scripts against the real module, each checked with
# "vmfencectl -j port show" and with traffic (a forged frame from the port
# reaches the victim before the script binds it, not after, and again
# after it unbinds it):
#   vmfence-hotplug add|remove DEV FILE  with the sample xenstore record
#   xen/vmfence-vif online|offline       with VMFENCE_XENSTORE_DIR at
#                                        ctl/hotplug/examples/xenstore, on
#                                        vif7.0 (domain 7, device 0)
#   libvirt/qemu GUEST started|stopped   with examples/libvirt-domain.xml
#                                        on stdin, on vnet0 and vnet1
# The victim, vm1, is unbound: it receives whatever the bridge forwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
REC=$OPS_EXAMPLES/xenstore/7/vm-data/networking/06f8c8000009
XML=$OPS_EXAMPLES/libvirt-domain.xml
XMAC=06:f8:c8:00:00:09

topo_up 1
port_vm xen7 vif7.0 "$XMAC" 10.147.41.238/24 2001:db8:41::5/64
port_vm web7 vnet0 52:54:00:aa:bb:01 10.0.0.5/24 2001:db8::5/64
port_vm web7b vnet1 52:54:00:aa:bb:02 10.0.0.6/24

# The scripts log through this logger, and run vmfencectl under test.
cat >"$D/logger" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$D/log"
EOF
chmod +x "$D/logger"
: >"$D/log"
hp() {
	$IP netns exec host env VMFENCECTL="$CTL" VMFENCE_LOGGER="$D/logger" \
		VMFENCE_HOTPLUG="$OPS_HOTPLUG/vmfence-hotplug" "$@"
}
# log_has NAME REGEX: a line of the log since the last log_has matches.
log_has() {
	local new
	new=$(cat "$D/log")
	: >"$D/log"
	if grep -Eq -- "$2" <<<"$new"; then
		record ok "$1"
	else
		record FAIL "$1" "expected a log line matching /$2/; saw:
$new"
	fi
}

# frame FROM_NS MAC SRC_IP: UDP from FROM_NS to vm1's own address.
frame() {
	local dst
	if [[ $3 == *:* ]]; then dst=$(vm_ip6 1); else dst=$(vm_ip4 1); fi
	echo "udp src_mac=$2 dst_mac=$(vm_mac 1) src_ip=$3 dst_ip=$dst sport=40000 dport=9"
}
XLEGIT4=$(frame xen7 "$XMAC" 10.147.41.238)
XLEGIT6=$(frame xen7 "$XMAC" 2001:db8:41::5)
XFORGED4=$(frame xen7 "$XMAC" 10.147.41.66)
XFORGED6=$(frame xen7 "$XMAC" 2001:db8:41::66)
XDISABLED=$(frame xen7 "$XMAC" 10.147.41.239)	# "enabled": "0" in the record
XFORGEDMAC=$(frame xen7 06:f8:c8:00:00:66 10.147.41.238)
XBOUND="$XMAC enforce label=i-2-3-VM 10.147.41.238 2001:db8:41::5"

# xen_protected WHAT: vif7.0 enforces the record.
xen_protected() {
	send_expect "$1: own IPv4 address passes" arrive xen7:eth0 vm1:eth0 "$XLEGIT4"
	send_expect "$1: own IPv6 address passes" arrive xen7:eth0 vm1:eth0 "$XLEGIT6"
	vt "$1: forged IPv4 source dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XFORGED4" ip4_spoof=1
	vt "$1: forged IPv6 source dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XFORGED6" ip6_spoof=1
	vt "$1: the disabled address (10.147.41.239) dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XDISABLED" ip4_spoof=1
	vt "$1: forged source MAC dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XFORGEDMAC" mac_spoof=1
	vt_run
}
xen_open() {
	send_expect "$1: forged IPv4 source reaches vm1" arrive xen7:eth0 vm1:eth0 "$XFORGED4"
}

# --- vmfence-hotplug ------------------------------------------------------------
xen_open "no binding yet"
# Each frame xen_protected drops, first sent unprotected.
vt "no binding yet: forged IPv6 source" - arrive xen7:eth0 vm1:eth0 "$XFORGED6"
vt "no binding yet: the disabled address" - arrive xen7:eth0 vm1:eth0 "$XDISABLED"
vt "no binding yet: forged source MAC" - arrive xen7:eth0 vm1:eth0 "$XFORGEDMAC"
vt_run
capture hp "$OPS_HOTPLUG/vmfence-hotplug" add vif7.0 "$REC"
expect_eq "vmfence-hotplug add vif7.0 RECORD: exit 0, silent" "0 " "$C_RC $C_ERR"
expect_eq "vmfence-hotplug add: port show" "$XBOUND" "$(bound_as vif7.0)"
log_has "vmfence-hotplug add: logged" '^-t vmfence -p daemon.info -- vmfence-hotplug: bound vif7.0 mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM$'
xen_protected "vmfence-hotplug add"

sed 's/06:f8:c8:00:00:09/06:f8:c8:00:00:77/' "$REC" >"$D/other-mac.json"
capture hp "$OPS_HOTPLUG/vmfence-hotplug" remove vif7.0 "$D/other-mac.json"
expect_eq "vmfence-hotplug remove with another VM's record: exit 0" 0 "$C_RC"
expect_eq "... the binding is left alone" "$XBOUND" "$(bound_as vif7.0)"
log_has "... and a warning logged" 'daemon.warning .*left vif7.0 alone'

capture hp "$OPS_HOTPLUG/vmfence-hotplug" remove vif7.0 "$REC"
expect_eq "vmfence-hotplug remove vif7.0 RECORD: exit 0, silent" "0 " "$C_RC $C_ERR"
expect_eq "vmfence-hotplug remove: unbound" unbound "$(bound_as vif7.0)"
log_has "vmfence-hotplug remove: logged" 'vmfence-hotplug: unbound vif7.0$'
xen_open "vmfence-hotplug remove"
capture hp "$OPS_HOTPLUG/vmfence-hotplug" remove vif7.0 "$REC"
expect_eq "vmfence-hotplug remove again: exit 0 (idempotent)" 0 "$C_RC"
capture hp "$OPS_HOTPLUG/vmfence-hotplug" remove vif7.0
expect_eq "vmfence-hotplug remove again, no record: exit 0" 0 "$C_RC"

capture_in "$REC" hp "$OPS_HOTPLUG/vmfence-hotplug" add vif7.0 -
expect_eq "vmfence-hotplug add vif7.0 - (record on stdin): exit 0" 0 "$C_RC"
expect_eq "... port show" "$XBOUND" "$(bound_as vif7.0)"
expect_verdict "... forged IPv4 source dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XFORGED4" ip4_spoof=1
capture hp "$OPS_HOTPLUG/vmfence-hotplug" remove vif7.0
expect_eq "vmfence-hotplug remove vif7.0 (no record): exit 0" 0 "$C_RC"
expect_eq "... unbound" unbound "$(bound_as vif7.0)"

sed 's/"10.147.41.238"/"10.147.41.238\/24"/' "$REC" >"$D/bad-ip.json"
capture hp "$OPS_HOTPLUG/vmfence-hotplug" add vif7.0 "$D/bad-ip.json"
expect_eq "record with a bad address: exit 1, one line on stderr" "1 1" "$C_RC $(grep -c . <<<"$C_ERR")"
expect_eq "... nothing bound" unbound "$(bound_as vif7.0)"
capture hp "$OPS_HOTPLUG/vmfence-hotplug" add vif9.0 "$REC"
expect_eq "add on a device that does not exist: exit 1" 1 "$C_RC"
check "... says so ($C_ERR)" grep -qi 'no such device' <<<"$C_ERR"

# --- xen/vmfence-vif --------------------------------------------------------------
xv() { hp VMFENCE_XENSTORE_DIR="$OPS_EXAMPLES/xenstore" "$@"; }
capture xv "$OPS_HOTPLUG/xen/vmfence-vif" online vif7.0
expect_eq "vmfence-vif online vif7.0: exit 0, silent" "0 " "$C_RC $C_ERR"
expect_eq "vmfence-vif online: port show" "$XBOUND" "$(bound_as vif7.0)"
log_has "vmfence-vif online: logged" 'vmfence-hotplug: bound vif7.0 mac 06:f8:c8:00:00:09'
xen_protected "vmfence-vif online"
capture xv "$OPS_HOTPLUG/xen/vmfence-vif" offline vif7.0
expect_eq "vmfence-vif offline vif7.0: exit 0, silent" "0 " "$C_RC $C_ERR"
expect_eq "vmfence-vif offline: unbound" unbound "$(bound_as vif7.0)"
xen_open "vmfence-vif offline"

# As the vif-bridge script calls it: "add", DEV from $vif, ids from
# XENBUS_PATH.
capture xv XENBUS_PATH=backend/vif/7/0 vif=vif7.0 "$OPS_HOTPLUG/xen/vmfence-vif" add
expect_eq "vmfence-vif add (vif=vif7.0, XENBUS_PATH=backend/vif/7/0): exit 0" "0 " "$C_RC $C_ERR"
expect_eq "... port show" "$XBOUND" "$(bound_as vif7.0)"
expect_verdict "... forged IPv4 source dropped" vif7.0 drop xen7:eth0 vm1:eth0 "$XFORGED4" ip4_spoof=1
capture xv XENBUS_PATH=backend/vif/7/0 vif=vif7.0 "$OPS_HOTPLUG/xen/vmfence-vif" remove
expect_eq "vmfence-vif remove: exit 0, unbound" "0 unbound" "$C_RC $(bound_as vif7.0)"
xen_open "vmfence-vif remove"

# A domain with no record: left unbound, a warning, exit 0.
port_vm xen8 vif8.0 06:f8:c8:00:00:10 10.147.41.240/24
capture xv VMFENCE_VIF_MAC=06:f8:c8:00:00:10 "$OPS_HOTPLUG/xen/vmfence-vif" online vif8.0
expect_eq "vmfence-vif online vif8.0 (domain 8 has no record): exit 0, unbound" "0 unbound" "$C_RC $(bound_as vif8.0)"
log_has "... a warning logged" 'daemon.warning .*vif8.0: domain 8 has no vm-data/networking/06f8c8000010'

# --- libvirt/qemu -----------------------------------------------------------------
WLEGIT=$(frame web7 52:54:00:aa:bb:01 10.0.0.5)
WPREFIX=$(frame web7 52:54:00:aa:bb:01 10.9.0.77)
WLEGIT6=$(frame web7 52:54:00:aa:bb:01 2001:db8::5)
WFORGED=$(frame web7 52:54:00:aa:bb:01 10.0.0.66)
W1FORGED=$(frame web7b 52:54:00:aa:bb:02 10.0.0.67)
WBOUND="52:54:00:aa:bb:01 enforce label=web-7 10.0.0.5 10.9.0.0/24 2001:db8::5"
web_protected() {
	send_expect "$1: vnet0's own address passes" arrive web7:eth0 vm1:eth0 "$WLEGIT"
	send_expect "$1: vnet0's own IPv6 address passes" arrive web7:eth0 vm1:eth0 "$WLEGIT6"
	send_expect "$1: vnet0 from its routed prefix passes" arrive web7:eth0 vm1:eth0 "$WPREFIX"
	expect_verdict "$1: vnet0's forged IPv4 source dropped" vnet0 drop web7:eth0 vm1:eth0 "$WFORGED" ip4_spoof=1
	send_expect "$1: vnet1 (no vmfence:port) unbound, forges freely" arrive web7b:eth0 vm1:eth0 "$W1FORGED"
}
send_expect "no binding: vnet0's forged IPv4 source reaches vm1" arrive web7:eth0 vm1:eth0 "$WFORGED"

capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 started begin -
expect_eq "libvirt qemu web-7 started: exit 0, silent" "0 ;" "$C_RC $C_ERR;$C_OUT"
expect_eq "... vnet0 bound" "$WBOUND" "$(bound_as vnet0)"
expect_eq "... vnet1 left unbound" unbound "$(bound_as vnet1)"
log_has "... vnet1's missing vmfence:port logged" 'daemon.warning .*vnet1 \(mac 52:54:00:aa:bb:02\) has no vmfence:port'
web_protected "libvirt started"

capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 stopped end -
expect_eq "libvirt qemu web-7 stopped: exit 0, silent" "0 ;" "$C_RC $C_ERR;$C_OUT"
expect_eq "... vnet0 unbound" unbound "$(bound_as vnet0)"
send_expect "libvirt stopped: vnet0's forged IPv4 source reaches vm1" arrive web7:eth0 vm1:eth0 "$WFORGED"

capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 reconnect begin -
expect_eq "libvirt qemu web-7 reconnect: exit 0, vnet0 bound" "0 $WBOUND" "$C_RC $(bound_as vnet0)"
expect_verdict "libvirt reconnect: vnet0's forged IPv4 source dropped" vnet0 drop web7:eth0 vm1:eth0 "$WFORGED" ip4_spoof=1
capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 prepare begin -
expect_eq "libvirt qemu web-7 prepare: exit 0, nothing changed" "0 $WBOUND" "$C_RC $(bound_as vnet0)"
capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 release end -
expect_eq "libvirt qemu web-7 release: exit 0, vnet0 unbound" "0 unbound" "$C_RC $(bound_as vnet0)"
send_expect "libvirt release: vnet0's forged IPv4 source reaches vm1" arrive web7:eth0 vm1:eth0 "$WFORGED"

# The taps are gone when a guest has stopped: "stopped" is still success.
capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 started begin -
$IP -n host link del vnet0
capture_in "$XML" hp "$OPS_HOTPLUG/libvirt/qemu" web-7 stopped end -
expect_eq "libvirt stopped after the taps went away: exit 0" "0 " "$C_RC $C_ERR"
