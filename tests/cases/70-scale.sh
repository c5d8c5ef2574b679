#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (91-apply-scale grows the same tables to 2,000 ports on the debug kernel; Debian's kernel runs it)
# 10,000 bound ports, listed back by "port show" (a netlink dump spanning
# many messages) and "stats", and frames through the full table (a legit,
# a forged and a misaddressed one); then half the devices go away at once.
#
# Binding is timed both ways: SAMPLE ports one vmfencectl call each (a
# process per binding is what a hypervisor agent does today; under TCG an
# exec costs ~40 ms), the rest through tests/lib/genl.py, which sends the
# same PORT_SET requests 64 to a sendmsg() from one process.
. "$(dirname "$0")/../lib.sh"

N=${VMFENCE_SCALE_N:-10000}
SAMPLE=${VMFENCE_SCALE_SAMPLE:-100}

now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

topo_up 0

t=$(now)
# Odd devices in group 1: "ip link del group 1" removes them in one go.
for i in $(seq 1 "$N"); do echo "link add d$i group $((i % 2)) type dummy"; done >"$TESTTMP/links"
$IP -n host -batch "$TESTTMP/links"
note "created $N dummy devices in $(secs "$t" "$(now)") s"

# The same MAC and address genl.py derives for device dN.
t=$(now)
check "$SAMPLE ports bound by vmfencectl, one call each" nh bash -c '
	for i in $(seq 1 "$1"); do
		printf -v mac "02:10:%02x:%02x:%02x:%02x" $((i >> 24 & 255)) $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
		"$2" port set "d$i" mac "$mac" ip "10.$((i >> 16 & 255)).$((i >> 8 & 255)).$((i & 255))" \
			label "bulk-$i" || exit 1
	done' _ "$SAMPLE" "$CTL"
dt=$(secs "$t" "$(now)")
note "$SAMPLE vmfencectl port set calls: $dt s ($(awk -v t="$dt" -v n="$SAMPLE" 'BEGIN { printf "%.0f", t / n * 1000 }') ms a call)"

check "$((N - SAMPLE)) more ports bound by genl.py" nh $PY "$REPO/tests/lib/genl.py" \
	bind-many --format 'd%d' --first $((SAMPLE + 1)) --count $((N - SAMPLE)) --out "$TESTTMP/genl.out"
note "genl.py: $(cat "$TESTTMP/genl.out" 2>/dev/null)"

t=$(now)
ctl -j port show >"$TESTTMP/show.json"
dt=$(secs "$t" "$(now)")
note "vmfencectl -j port show of $N ports: $dt s"
res=$($PY - "$N" "$TESTTMP/show.json" <<'PYEOF'
import json, sys
n = int(sys.argv[1])
d = json.load(open(sys.argv[2]))
names = [p["ifname"] for p in d]
want = ["d%d" % i for i in range(1, n + 1)]
bad = []
if len(d) != n:
    bad.append("%d entries, expected %d" % (len(d), n))
if sorted(names) != sorted(want):
    missing = sorted(set(want) - set(names), key=lambda s: int(s[1:]))
    extra = sorted(set(names) - set(want))
    dup = len(names) - len(set(names))
    bad.append("missing %d (%s...), unexpected %d (%s), duplicated %d"
               % (len(missing), " ".join(missing[:5]), len(extra), " ".join(extra[:5]), dup))
idx = [p["ifindex"] for p in d]
if idx != sorted(idx):
    bad.append("not in ifindex order")
for p in d:
    i = int(p["ifname"][1:])
    mac = "02:10:%02x:%02x:%02x:%02x" % (i >> 24 & 255, i >> 16 & 255, i >> 8 & 255, i & 255)
    ip = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    if p["mac"] != mac or p["addrs"] != [ip] or p.get("label") != "bulk-%d" % i or p["mode"] != "enforce":
        bad.append("%s: %s, expected mac %s addrs [%s] label bulk-%d" % (p["ifname"], json.dumps(p), mac, ip, i))
        break
print("; ".join(bad))
PYEOF
)
expect_eq "port show lists all $N bindings, each as bound, in ifindex order" "" "$res"

# Frames through the full table: two VMs on br0, bound last (from a VM,
# the ingress hook finds its port directly; towards one, by the hash
# table of all N + 2).
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

check "text port show lists them too" bash -c 'n=$1; shift; [ "$("$@" port show | grep -c -w -E "d[0-9]+")" -ge "$n" ]' _ \
	"$N" $IP netns exec host "$CTL"
expect_eq "stats dump: $N ports" "$N" "$(jsq 'len(P)' -j stats)"

# Half the devices go away at once (one batched unregister): their
# bindings with them.
t=$(now)
$IP -n host link del group 1
note "$((N / 2)) bound devices deleted in $(secs "$t" "$(now)") s"
expect_eq "after deleting the odd ones: $((N / 2)) bindings, all even" "$((N / 2)) 0" \
	"$(jsq '"%d %d" % (len(P), sum(int(p["ifname"][1:]) % 2 for p in P))' -j port show)"
