#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a namespace may spend.  Any user may bind ports in a network
# namespace of its own user namespace (85-privilege.sh); what it allocates
# is charged to its memory cgroup and bounded per namespace:
#  - ports_max and bridges_max (module parameters): past them, a command
#    is refused with an extended ACK naming the limit, nothing changed;
#  - nobody, in a small memory cgroup, binding the dummy devices of its
#    own namespace by APPLYs of 100 ports until refused: refused with
#    "out of memory", no OOM kill, and the host binds on unaffected.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

PARAM=/sys/module/vmfence/parameters
CG=/sys/fs/cgroup/vmfence-tenant
cleanup() {
	echo 65536 >$PARAM/ports_max
	echo 4096 >$PARAM/bridges_max
	[ -n "${TENANT:-}" ] && kill "$TENANT" 2>/dev/null
	[ -n "${TENANT:-}" ] && wait "$TENANT" 2>/dev/null
	rmdir "$CG" 2>/dev/null
	return 0
}

topo_up 3

# --- the limits ---
expect_eq "ports_max and bridges_max default to 65536 and 4096" "65536 4096" \
	"$(cat $PARAM/ports_max) $(cat $PARAM/bridges_max)"
echo 2 >$PARAM/ports_max
check "ports_max 2: a first port" bind 1
check "ports_max 2: a second port" bind 2
capture ctl port set vif3 mac "$(vm_mac 3)"
expect_eq "ports_max 2: a third port refused (exit 1)" 1 "$C_RC"
check "... naming the limit ($C_ERR)" grep -q "ports_max" <<<"$C_ERR"
expect_eq "... and vif3 is not bound" "" "$(jsq '[p["ifname"] for p in P if p["ifname"] == "vif3"]' -j port show)"
check "ports_max 2: rebinding a bound port is no new port" bind 1 label again
cat >"$TESTTMP/two.json" <<EOF
{"version": 1, "ports": [
 {"ifname": "vif1", "mac": "$(vm_mac 1)", "addrs": ["$(vm_ip4 1)"], "label": "doc"},
 {"ifname": "vif3", "mac": "$(vm_mac 3)"}]}
EOF
before=$(show_json)
capture ctl apply "$TESTTMP/two.json"
expect_eq "ports_max 2: an APPLY that would make a third refused (exit 1)" 1 "$C_RC"
check "... naming the limit ($C_ERR)" grep -q "ports_max" <<<"$C_ERR"
expect_eq "... nothing changed (vif1's label either)" "$before" "$(show_json)"
echo 0 >$PARAM/bridges_max
capture ctl bridge set br0 unbound drop
expect_eq "bridges_max 0: a bridge setting refused (exit 1)" 1 "$C_RC"
check "... naming the limit ($C_ERR)" grep -q "bridges_max" <<<"$C_ERR"
echo 65536 >$PARAM/ports_max
echo 4096 >$PARAM/bridges_max
check "limits back: the third port binds" bind 3

# --- memory: nobody's own namespace, in a small memory cgroup ---
N=2000
PUB=$(mktemp -d /tmp/vmfence-tenant.XXXXXX)
chmod 0777 "$PUB"
install -m 0755 "$CTL" "$PUB/vmfencectl"
# The devices, and chunk K: an APPLY document of the 100 ports
# d(100K-99)..d(100K).
$PY - "$PUB" "$N" <<'PYEOF'
import json, sys
pub, n = sys.argv[1], int(sys.argv[2])
with open(pub + "/devs", "w") as f:
    f.writelines("link add d%d type dummy\n" % i for i in range(1, n + 1))
for k in range(1, n // 100 + 1):
    ports = [{"ifname": "d%d" % i,
              "mac": "02:00:%02x:%02x:%02x:01" % (i >> 16 & 255, i >> 8 & 255, i & 255),
              "addrs": ["10.%d.%d.1" % (i >> 8 & 255, i & 255), "2001:db8:%x::1" % i]}
             for i in range(100 * k - 99, 100 * k + 1)]
    with open("%s/chunk%d.json" % (pub, k), "w") as f:
        json.dump({"version": 1, "ports": ports}, f)
PYEOF
mkfifo -m 0666 "$PUB/go"
chmod 0644 "$PUB"/devs "$PUB"/chunk*.json
cat >"$PUB/tenant.sh" <<'EOF'
#!/bin/bash
# nobody, root of its own user namespace, in a network namespace it owns.
PUB=$1
/usr/sbin/ip -batch "$PUB/devs" || { echo "devices failed"; exit 1; }
echo ready >"$PUB/state"
read -r _ <"$PUB/go"
k=1
while [ -f "$PUB/chunk$k.json" ]; do
	if ! err=$("$PUB/vmfencectl" apply "$PUB/chunk$k.json" 2>&1); then
		echo "refused $k $err" >"$PUB/state"
		exit 0
	fi
	k=$((k + 1))
done
echo "all $k" >"$PUB/state"
EOF
chmod 0755 "$PUB/tenant.sh"

echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
mkdir -p "$CG"
(
	echo "$BASHPID" >"$CG/cgroup.procs"
	exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		unshare --user --map-root-user --net "$PUB/tenant.sh" "$PUB"
) &
TENANT=$!
for i in $(seq 1 600); do
	[ "$(cat "$PUB/state" 2>/dev/null)" = ready ] && break
	sleep 0.2
done
check "nobody made $N devices in its own namespace, in the memory cgroup" \
	test "$(cat "$PUB/state" 2>/dev/null)" = ready
# Room for about a quarter of the ports: the limit is the kernel's to hit.
echo $(( $(cat "$CG/memory.current") + 1024 * 1024 )) >"$CG/memory.max"
echo go >"$PUB/go"
wait "$TENANT"
TENANT=
state=$(cat "$PUB/state")
note "tenant: ${state:0:300}"
check "nobody's APPLYs are refused, with the kernel's \"out of memory\", before all $N ports are bound" \
	grep -q '^refused [0-9]* .*out of memory' <<<"$state"
check "... and not before some were bound (chunk > 1)" \
	test "$(awk '{ print $2 }' <<<"$state")" -gt 1
check "the memory cgroup reached its limit (memory.events max > 0)" \
	test "$(awk '$1 == "max" { print $2 }' "$CG/memory.events")" -gt 0
expect_eq "no OOM kill in the tenant's cgroup" 0 "$(awk '$1 == "oom_kill" { print $2 }' "$CG/memory.events")"
check "the host binds on, unaffected" bind 2 label after-tenant
check "vm1 -> vm2 ping" n1 ping -c 1 -W 5 "$(vm_ip4 2)"
rm -rf "$PUB"
