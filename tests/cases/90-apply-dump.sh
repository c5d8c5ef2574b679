#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmfencectl apply and dump: a good document is in force afterwards, and
# traffic says so; a document with one bad entry anywhere, whether
# vmfencectl catches it (exit 2, "vmfencectl: ports[N] (DEV): ...") or the
# kernel refuses it (exit 1, "Error: ports[N] (DEV): ..."), changes nothing
# (dump byte-identical, traffic as before), with or without --replace, and
# so does one the JSON reader refuses (a key given twice, anything after
# the document, a seq above 2^53);
# without --replace a document merges, with it what is not listed goes;
# seq: stale entries refuse the document, entries without seq keep it;
# "dump | apply --replace -" changes nothing, byte for byte, and so does
# applying what "-j port show" and "-j bridge show" print.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

topo_up 4
D=$TESTTMP
# Only crafted frames here: the VMs' own stacks are silenced (no ARP, no
# IPv6), or their ARP retries and ICMP errors for the crafted frames
# would move the counters the drops are judged by.
for k in 1 2 3 4; do
	$IP -n "vm$k" link set eth0 arp off
	nsysctl "vm$k" net.ipv6.conf.eth0.disable_ipv6 1
done

# UDP from vmJ to vmK's own address (a bound receiver drops what is not
# for one of its addresses as not_for_port).
to4() { udp4 "$1" "$2" "dst_ip=$(vm_ip4 "$2") ${3:-}"; }
FORGED1=$(to4 1 2 src_ip=10.0.0.99)

# --- a good document ------------------------------------------------------------
cat >"$D/good.json" <<'EOF'
{
    "version": 1,
    "bridges": [ { "ifname": "br0", "unbound": "drop" } ],
    "ports": [
        { "ifname": "vif1", "mac": "02:00:00:00:00:01", "mode": "enforce",
          "label": "vm-one", "seq": 5,
          "addrs": [ "10.0.0.1", "2001:db8::1" ],
          "multicast": "deny", "ethertypes": [] },
        { "ifname": "vif2", "mac": "02:00:00:00:00:02", "label": "vm-two",
          "addrs": [ "10.0.0.2", "2001:db8::2", "10.9.2.0/24" ],
          "multicast": "allow", "ethertypes": [ "0x88cc" ] },
        { "ifname": "vif3", "mac": "02:00:00:00:00:03", "mode": "trusted" }
    ],
    "groups": []
}
EOF

send_expect "no binding: vm1's forged IPv4 source reaches vm2" arrive vm1:eth0 vm2:eth0 "$FORGED1"
send_expect "no binding: vm4 (no binding ever) reaches vm1" arrive vm4:eth0 vm1:eth0 "$(to4 4 1)"

expect_apply "apply a good document" "$D/good.json"
expect_in_force "the document is what is in force" "$D/good.json"
expect_eq "bridge show: br0 unbound drop" "br0 drop" "$(jsq '" ".join(b["ifname"] + " " + b["unbound"] for b in d)' -j bridge show)"
# One table: each drop judged by its counter, read right around the frame.
vt "applied: vm1's forged IPv4 source dropped" vif1 drop vm1:eth0 vm2:eth0 "$FORGED1" ip4_spoof=1
vt "applied: vm1's own traffic passes" - arrive vm1:eth0 vm2:eth0 "$(to4 1 2)"
vt "applied: vm2 from its routed prefix passes" - arrive vm2:eth0 vm1:eth0 "$(to4 2 1 src_ip=10.9.2.7)"
vt "applied: vm2's allowed ethertype 0x88cc passes" - arrive vm2:eth0 vm1:eth0 \
	"eth src_mac=$(vm_mac 2) dst_mac=$(vm_mac 1) ethertype=0x88cc"
vt "applied: vm2's forged IPv4 source dropped" vif2 drop vm2:eth0 vm1:eth0 "$(to4 2 1 src_ip=10.0.0.98)" ip4_spoof=1
vt "applied: vm3 (trusted) forges freely" - arrive vm3:eth0 vm1:eth0 "$(to4 3 1 src_ip=10.0.0.97)"
vt "applied: vm4 (unbound, br0 drop) dropped" bridge:br0 drop vm4:eth0 vm1:eth0 "$(to4 4 1)" unbound=1
vt_run

ctl dump >"$D/dump1"
expect_apply "apply the same document again" "$D/good.json"
ctl dump >"$D/dump2"
expect_same "applying it again changes nothing (dump)" "$D/dump1" "$D/dump2"
expect_in_force "dump holds the document" "$D/good.json"

# --- dump | apply --replace - ------------------------------------------------------
b=$(counters vif1)
check "dump | apply --replace -" nh sh -c '"$1" dump | "$1" apply --replace -' _ "$CTL"
ctl dump >"$D/dump3"
expect_same "dump | apply --replace -: dump byte-identical" "$D/dump1" "$D/dump3"
expect_counters "dump | apply --replace -: counters kept" "$b" "$(counters vif1)"
expect_apply "apply --replace of a saved dump" --replace "$D/dump1"
ctl dump >"$D/dump4"
expect_same "apply --replace of a saved dump: byte-identical" "$D/dump1" "$D/dump4"

# What "-j port show" and "-j bridge show" print are valid entries.
jsq 'd' -j port show >"$D/show.json"
jsq 'd' -j bridge show >"$D/bshow.json"
{ printf '{"version": 1, "ports": '; cat "$D/show.json"; printf ', "bridges": '; cat "$D/bshow.json"; printf '}\n'; } >"$D/fromshow.json"
expect_apply "apply --replace of -j port show and -j bridge show" --replace "$D/fromshow.json"
ctl dump >"$D/dump5"
expect_same "... changes nothing (dump)" "$D/dump1" "$D/dump5"

# --- one bad entry: nothing applied ---------------------------------------------------
# Entries 0-2 change vif1 (a new address, seq 6), vif2 (trusted) and vif3
# (enforce); entry 3 binds vif4 and is the bad one.
bad_doc() {
	local out=$1 last=$2
	cat >"$out" <<EOF
{
    "version": 1,
    "bridges": [ { "ifname": "br0", "unbound": "pass" } ],
    "ports": [
        { "ifname": "vif1", "mac": "02:00:00:00:00:01", "label": "vm-one",
          "seq": 6, "addrs": [ "10.0.0.1", "2001:db8::1", "10.0.0.99" ] },
        { "ifname": "vif2", "mac": "02:00:00:00:00:02", "mode": "trusted" },
        { "ifname": "vif3", "mac": "02:00:00:00:00:03", "addrs": [ "10.0.0.3" ] },
        $last
    ]
}
EOF
}
GOOD4='{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "addrs": [ "10.0.0.4" ] }'
bad_doc "$D/bad-prefix.json" '{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "addrs": [ "10.0.0.4/24" ] }'
bad_doc "$D/bad-plen.json" '{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "addrs": [ "10.0.0.0/33" ] }'
bad_doc "$D/bad-key.json" '{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "adrs": [ "10.0.0.4" ] }'
bad_doc "$D/bad-mcast-mac.json" '{ "ifname": "vif4", "mac": "01:00:5e:00:00:04" }'
bad_doc "$D/bad-nodev.json" '{ "ifname": "vif9", "mac": "02:00:00:00:00:09", "addrs": [ "10.0.0.9" ] }'
bad_doc "$D/bad-bridge-port.json" '{ "ifname": "br0", "mac": "02:00:00:00:ff:ff" }'
# Stale: vif1 (seq 5 in force) changed with seq 5, as entry 3.
cat >"$D/bad-stale.json" <<EOF
{
    "ports": [
        { "ifname": "vif2", "mac": "02:00:00:00:00:02", "mode": "trusted" },
        { "ifname": "vif3", "mac": "02:00:00:00:00:03", "addrs": [ "10.0.0.3" ] },
        $GOOD4,
        { "ifname": "vif1", "mac": "02:00:00:00:00:01", "seq": 5, "addrs": [ "10.0.0.1", "10.0.0.99" ] }
    ]
}
EOF
bad_doc "$D/good-too.json" "$GOOD4"
sed 's/"ifname": "br0", "unbound"/"ifname": "vif2", "unbound"/' "$D/good-too.json" >"$D/bad-notbridge.json"

UE='^vmfencectl: ports\[3\] \(vif4\): '
expect_apply_refused "host bits beyond the prefix (userspace): exit 2, names ports[3] (vif4)" 2 "$UE" "$D/bad-prefix.json"
expect_apply_refused "prefix length 33 (userspace): exit 2, names ports[3] (vif4)" 2 "$UE" "$D/bad-plen.json"
expect_apply_refused "unknown key (userspace): exit 2, names ports[3] (vif4)" 2 "$UE.*adrs" "$D/bad-key.json"
expect_apply_refused "multicast MAC: refused, names ports[3] (vif4)" '1|2' '^(vmfencectl|Error): ports\[3\] \(vif4\): ' "$D/bad-mcast-mac.json"
expect_apply_refused "device that does not exist (kernel): exit 1, names ports[3] (vif9)" 1 '^Error: ports\[3\] \(vif9\): ' "$D/bad-nodev.json"
expect_apply_refused "a bridge as a port (kernel): exit 1, names ports[3] (br0)" 1 '^Error: ports\[3\] \(br0\): ' "$D/bad-bridge-port.json"
expect_apply_refused "stale seq (kernel): exit 1, names ports[3] (vif1)" 1 '^Error: ports\[3\] \(vif1\): .*seq' "$D/bad-stale.json"
expect_apply_refused "a port as a bridge (kernel): exit 1, names bridges[0] (vif2)" 1 '^Error: bridges\[0\] \(vif2\): ' "$D/bad-notbridge.json"
expect_apply_refused "--replace, device that does not exist: nothing removed either" 1 '^Error: ports\[3\] \(vif9\): ' --replace "$D/bad-nodev.json"
expect_apply_refused "--replace, bad prefix: nothing removed either" 2 "$UE" --replace "$D/bad-prefix.json"
# What the JSON reader refuses, with the line of entry 3 (line 9).
bad_doc "$D/bad-dupkey.json" '{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "mac": "02:00:00:00:00:05" }'
expect_apply_refused "a key given twice in one object: exit 2, line and column" 2 \
	'^vmfencectl: .*/bad-dupkey\.json: line 9, column [0-9]+: key "mac" is given twice in one object$' "$D/bad-dupkey.json"
{ cat "$D/good-too.json"; echo '{}'; } >"$D/bad-trailing.json"
expect_apply_refused "anything after the document: exit 2" 2 \
	'^vmfencectl: .*/bad-trailing\.json: line [0-9]+, column [0-9]+: expected the end of the document' --replace "$D/bad-trailing.json"
bad_doc "$D/bad-seq53.json" '{ "ifname": "vif4", "mac": "02:00:00:00:00:04", "seq": 9007199254740993 }'
expect_apply_refused "seq 2^53 + 1 (not exact in every JSON reader): exit 2, names ports[3] (vif4)" 2 \
	"$UE"'seq 9007199254740993 is too large' "$D/bad-seq53.json"
vt "after the refusals: vm1 from 10.0.0.99 (entry 0's new address) still dropped" vif1 drop \
	vm1:eth0 vm2:eth0 "$FORGED1" ip4_spoof=1
vt "after the refusals: vm2 (entry 1 would trust it) still checked" vif2 drop \
	vm2:eth0 vm1:eth0 "$(to4 2 1 src_ip=10.0.0.96)" ip4_spoof=1
vt "after the refusals: vm4 (entry 3) still unbound, dropped" bridge:br0 drop \
	vm4:eth0 vm1:eth0 "$(to4 4 1)" unbound=1
vt_run
expect_eq "after the refusals: vif1's seq still 5" 5 "$(jsq 'P[0]["seq"]' -j port show vif1)"

# The same document with a good entry 3 goes in whole.
expect_apply "the same document with a good entry 3" "$D/good-too.json"
expect_in_force "... is in force (merged: nothing else was bound)" "$D/good-too.json"
vt "... vm1 from 10.0.0.99 passes now" - arrive vm1:eth0 vm2:eth0 "$FORGED1"
vt "... vm4 bound: its own traffic passes" - arrive vm4:eth0 vm1:eth0 "$(to4 4 1)"
vt "... vm4 bound: forged dropped" vif4 drop vm4:eth0 vm1:eth0 "$(to4 4 1 src_ip=10.0.0.95)" ip4_spoof=1
vt_run

# --- seq -------------------------------------------------------------------------------
seqdoc() {
	printf '{"ports": [{"ifname": "vif1", "mac": "02:00:00:00:00:01", "label": "vm-one", "addrs": [%s]%s}]}\n' "$1" "${2:+, \"seq\": $2}"
}
seqdoc '"10.0.0.1"' >"$D/seq-none.json"
expect_apply "changed entry without seq" "$D/seq-none.json"
expect_eq "... keeps the seq in force (6)" "6 10.0.0.1" "$(jsq '"%d %s" % (P[0]["seq"], " ".join(P[0]["addrs"]))' -j port show vif1)"
seqdoc '"10.0.0.1", "10.0.0.11"' 9 >"$D/seq9.json"
expect_apply "changed entry with a newer seq (9)" "$D/seq9.json"
expect_eq "... seq 9 in force" 9 "$(jsq 'P[0]["seq"]' -j port show vif1)"
expect_apply "the same entry, same seq 9: identical, accepted" "$D/seq9.json"
seqdoc '"10.0.0.1", "10.0.0.11"' 8 >"$D/seq8.json"
expect_apply_refused "the same policy with an older seq (8): stale" 1 '^Error: ports\[0\] \(vif1\): .*seq' "$D/seq8.json"
seqdoc '"10.0.0.1"' 9 >"$D/seq9b.json"
expect_apply_refused "a changed policy with the same seq (9): stale" 1 '^Error: ports\[0\] \(vif1\): .*seq' "$D/seq9b.json"
seqdoc '"10.0.0.1", "10.0.0.11"' >"$D/seq-same-none.json"
expect_apply "the policy in force, without seq: accepted" "$D/seq-same-none.json"
expect_eq "... seq still 9" 9 "$(jsq 'P[0]["seq"]' -j port show vif1)"

# --- merge and --replace -------------------------------------------------------------------
cat >"$D/only1.json" <<'EOF'
{"version": 1, "ports": [{"ifname": "vif1", "mac": "02:00:00:00:00:01", "label": "vm-one", "seq": 10, "addrs": ["10.0.0.1"]}]}
EOF
ctl dump >"$D/before-merge"
expect_apply "merge: a document of vif1 only" "$D/only1.json"
expect_eq "merge: vif2, vif3, vif4 kept" "vif1 vif2 vif3 vif4" "$(jsq '" ".join(p["ifname"] for p in P)' -j port show)"
expect_eq "merge: br0's setting kept" "br0 pass" "$(jsq '" ".join(b["ifname"] + " " + b["unbound"] for b in d)' -j bridge show)"
expect_eq "merge: the other bindings untouched" True \
	"$(opsq "[p for p in json.load(open('$D/before-merge'))['ports'] if p['ifname'] != 'vif1'] == [p for p in d['ports'] if p['ifname'] != 'vif1']" dump)"
ctl bridge set br0 unbound drop
expect_apply "--replace: a document of vif1 only" --replace "$D/only1.json"
expect_in_force "--replace: exactly the document in force" "$D/only1.json"
expect_eq "--replace: no bridge setting left" "" "$(jsq '" ".join(b["ifname"] for b in d)' -j bridge show)"
send_expect "--replace: vif4 unbound, vm4 forges freely" arrive vm4:eth0 vm1:eth0 "$(to4 4 1 src_ip=10.0.0.95)"
send_expect "--replace: vif2 unbound, vm2 forges freely" arrive vm2:eth0 vm1:eth0 "$(to4 2 1 src_ip=10.0.0.96)"
expect_verdict "--replace: vif1 still bound, forged dropped" vif1 drop vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.94)" ip4_spoof=1

echo '{"version": 1}' >"$D/empty.json"
expect_apply "empty document, no --replace: nothing changes" "$D/empty.json"
expect_eq "... vif1 still bound" "vif1" "$(jsq '" ".join(p["ifname"] for p in P)' -j port show)"
expect_apply "empty document --replace" --replace "$D/empty.json"
expect_eq "... nothing bound" "" "$(jsq '" ".join(p["ifname"] for p in P)' -j port show)"
expect_eq "... dump is the empty document" '{"bridges": [], "groups": [], "ports": [], "version": 1}' "$(jsq 'd' dump)"
send_expect "... vm1 forges freely" arrive vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.94)"
