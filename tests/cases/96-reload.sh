#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module reload restoring the configuration: dump, rmmod (traffic is then
# unprotected), insmod (nothing bound), apply the dump: dump again is
# byte-identical and traffic is protected as before.  The same through
# ctl/systemd/vmfence-state save and restore (the README's upgrade path),
# which leaves out the devices that are gone.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
STATE="$REPO/ctl/systemd/vmfence-state"
cleanup() {
	[ -d /sys/module/vmfence ] || insmod "$KO" || true
}

topo_up 3
# Only crafted frames here: the VMs' own stacks are silenced (no ARP, no
# IPv6), or their ARP retries and ICMP errors for the crafted frames
# would move the counters the drops are judged by.
for k in 1 2 3; do
	$IP -n "vm$k" link set eth0 arp off
	nsysctl "vm$k" net.ipv6.conf.eth0.disable_ipv6 1
done
to4() { udp4 "$1" "$2" "dst_ip=$(vm_ip4 "$2") ${*:3}"; }

cat >"$D/config.json" <<'EOF'
{
    "version": 1,
    "bridges": [ { "ifname": "br0", "unbound": "drop" } ],
    "ports": [
        { "ifname": "vif1", "mac": "02:00:00:00:00:01", "label": "vm \"one\" é", "seq": 42,
          "addrs": [ "10.0.0.1", "2001:db8::1", "10.9.1.0/24", "2001:db8:1::/48" ],
          "ethertypes": [ "0x88cc", "0x8809" ] },
        { "ifname": "vif2", "mac": "02:00:00:00:00:02", "mode": "trusted", "label": "router",
          "multicast": "allow" }
    ]
}
EOF
expect_apply "apply the configuration" "$D/config.json"
ctl dump >"$D/dump1"

# protected WHAT: the configuration is in force.
protected() {
	vt "$1: vm1's forged source dropped" vif1 drop vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.99)" ip4_spoof=1
	vt "$1: vm1 from its prefix passes" - arrive vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.9.1.5)"
	vt "$1: vm3 (unbound, br0 drop) dropped" bridge:br0 drop vm3:eth0 vm2:eth0 "$(to4 3 2)" unbound=1
	vt_run
}
open_() {
	send_expect "$1: vm1's forged source passes" arrive vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.99)"
	send_expect "$1: vm3 passes" arrive vm3:eth0 vm2:eth0 "$(to4 3 2)"
}
protected "configured"

# --- dump, rmmod, insmod, apply -------------------------------------------------------
check "rmmod vmfence" rmmod vmfence
open_ "unloaded"
capture ctl dump
expect_eq "dump with the module unloaded: exit 1, says so" "1 1" "$C_RC $(grep -ci 'not loaded' <<<"$C_ERR")"
check "insmod vmfence" insmod "$KO"
expect_eq "reloaded: nothing bound" '{"bridges": [], "groups": [], "ports": [], "version": 1}' "$(jsq 'd' dump)"
open_ "reloaded, not restored"
t=$(ops_now)
expect_apply "apply the saved dump" "$D/dump1"
note "restore by apply: $(ops_secs "$t" "$(ops_now)") s"
ctl dump >"$D/dump2"
expect_same "restored: dump byte-identical to the one before rmmod" "$D/dump1" "$D/dump2"
protected "restored by apply"

# --- vmfence-state save, restore ------------------------------------------------------
st() { $IP netns exec host env VMFENCECTL="$CTL" "$STATE" "$@"; }
capture st save "$D/state/state.json"
expect_eq "vmfence-state save FILE: exit 0" 0 "$C_RC"
expect_same "vmfence-state save: the file is the dump" "$D/dump1" "$D/state/state.json"
check "rmmod vmfence" rmmod vmfence
check "insmod vmfence" insmod "$KO"
open_ "reloaded again"
capture st restore "$D/state/state.json"
expect_eq "vmfence-state restore FILE: exit 0" 0 "$C_RC"
ctl dump >"$D/dump3"
expect_same "vmfence-state restore: dump byte-identical" "$D/dump1" "$D/dump3"
protected "restored by vmfence-state"

# A device gone while the module was out: left out, the rest restored.
check "rmmod vmfence" rmmod vmfence
$IP -n host link del vif2
check "insmod vmfence" insmod "$KO"
capture st restore "$D/state/state.json"
expect_eq "vmfence-state restore, vif2 gone: exit 0" 0 "$C_RC"
check "... says vif2 is left out ($(head -n 1 <<<"$C_ERR"))" grep -q 'vif2' <<<"$C_ERR"
expect_eq "... vif1 and br0 restored, as they were" "" \
	"$(opsq "doc_diff(d, {'ports': [p for p in json.load(open('$D/dump1'))['ports'] if p['ifname'] != 'vif2'], 'bridges': json.load(open('$D/dump1'))['bridges']})" dump 2>&1)"
expect_verdict "... vm1's forged source dropped" vif1 drop vm1:eth0 vm3:eth0 "$(to4 1 3 src_ip=10.0.0.99)" ip4_spoof=1
capture st restore "$D/nonexistent.json"
expect_eq "vmfence-state restore of a missing file: exit 0, nothing changed" "0 vif1" \
	"$C_RC $(jsq '" ".join(p["ifname"] for p in P)' -j port show)"
