#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 10,000 ports in one "vmfencectl apply" (one netlink request of about
# 1.5 MB): timed, and listed back by "port show" exactly as the document
# says; frames cross the full table (a legit, a forged and a misaddressed
# one); "dump | apply --replace -" at that size is a no-op, byte for byte;
# one bad entry at the end of 10,000 (caught by vmfencectl, or refused by
# the kernel) changes nothing; --replace with half of them, then with
# none, removes the rest.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

N=${VMFENCE_SCALE_N:-10000}
D=$TESTTMP

topo_up 0

t=$(ops_now)
for i in $(seq 1 "$N"); do echo "link add d$i type dummy"; done >"$D/links"
$IP -n host -batch "$D/links"
note "created $N dummy devices in $(ops_secs "$t" "$(ops_now)") s"

bulk_doc "$N" "$D/bulk.json"
note "document: $(wc -c <"$D/bulk.json") bytes"
t=$(ops_now)
expect_apply "apply $N ports in one document" "$D/bulk.json"
note "apply of $N ports: $(ops_secs "$t" "$(ops_now)") s"

t=$(ops_now)
ctl -j port show >"$D/show.json"
note "-j port show of $N ports: $(ops_secs "$t" "$(ops_now)") s"
expect_ports "port show lists all $N, each as the document says" "$D/bulk.json"
expect_eq "text port show: $N bindings" "$N" "$(ctl port show | grep -c -E '^d[0-9]+: mac ')"

# Frames through the full table: two VMs on br0, bound last.
vm_add 1
vm_add 2
bind 1
bind_rx 2
vt "at $N ports: vm1's own frame to vm2" vif1 arrive vm1:eth0 vm2:eth0 "$(udp4 1 2)" passed=1
vt "at $N ports: vm1's forged IPv4 source" vif1 drop vm1:eth0 vm2:eth0 "$(udp4 1 2 src_ip=10.0.0.99)" ip4_spoof=1
vt "at $N ports: towards vm2, another's address" vif2 drop vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 dst_ip=10.0.0.250)" not_for_port=1
vt_run
ctl port del vif1
ctl port del vif2

t=$(ops_now)
ctl dump >"$D/dump1"
note "dump of $N ports: $(ops_secs "$t" "$(ops_now)") s, $(wc -c <"$D/dump1") bytes"
t=$(ops_now)
check "dump | apply --replace - of $N ports" nh sh -c '"$1" dump | "$1" apply --replace -' _ "$CTL"
note "dump | apply --replace - of $N ports: $(ops_secs "$t" "$(ops_now)") s"
ctl dump >"$D/dump2"
expect_same "dump | apply --replace - of $N ports: dump byte-identical" "$D/dump1" "$D/dump2"

# One bad entry after 10,000 good ones, the first of which changes d1.
sed -e '$d' "$D/bulk.json" | sed -e '$s/$/,/' -e '2s/"seq": 1, "addrs": \[/"seq": 2, "addrs": ["10.99.0.1", /' >"$D/head"
{ cat "$D/head"; echo '{"ifname": "nosuch0", "mac": "02:20:ff:00:00:01"}'; echo ']}'; } >"$D/bad-nodev.json"
{ cat "$D/head"; echo '{"ifname": "nosuch0", "mac": "02:20:ff:00:00:01", "addrs": ["10.99.0.5/16"]}'; echo ']}'; } >"$D/bad-prefix.json"
t=$(ops_now)
expect_apply_refused "entry $N of $((N + 1)) names no device (kernel): exit 1, nothing changed" 1 \
	"^Error: ports\[$N\] \(nosuch0\): " "$D/bad-nodev.json"
note "refused apply of $((N + 1)) ports: $(ops_secs "$t" "$(ops_now)") s"
expect_apply_refused "entry $N of $((N + 1)) has host bits (vmfencectl): exit 2, nothing changed" 2 \
	"^vmfencectl: ports\[$N\] \(nosuch0\): " "$D/bad-prefix.json"
expect_eq "d1 unchanged (seq 1)" 1 "$(jsq 'P[0]["seq"]' -j port show d1)"

# --replace with the first half, then with nothing.
awk -v h=$((N / 2)) 'NR == 1 { print; next } NR <= h + 1 { sub(/,$/, ""); print (NR > 2 ? "," : "") $0 } END { print "]}" }' \
	"$D/bulk.json" >"$D/half.json"
t=$(ops_now)
expect_apply "apply --replace of the first $((N / 2))" --replace "$D/half.json"
note "apply --replace removing $((N - N / 2)) ports: $(ops_secs "$t" "$(ops_now)") s"
expect_eq "$((N / 2)) bindings left, d1..d$((N / 2))" "$((N / 2)) d1 d$((N / 2))" \
	"$(jsq '"%d %s %s" % (len(P), P[0]["ifname"], P[-1]["ifname"])' -j port show)"
echo '{"version": 1, "ports": []}' >"$D/none.json"
t=$(ops_now)
expect_apply "apply --replace of an empty document" --replace "$D/none.json"
note "apply --replace removing $((N / 2)) ports: $(ops_secs "$t" "$(ops_now)") s"
expect_eq "no binding left" 0 "$(jsq 'len(P)' -j port show)"
