#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a namespace may spend.  Any user may bind ports in a network
# namespace of its own user namespace (85-privilege.sh); what it allocates
# is charged to its memory cgroup and bounded per namespace:
#  - ports_max and bridges_max (module parameters): past them, a command
#    is refused with an extended ACK naming the limit, nothing changed;
#  - nobody, in a small memory cgroup, binding the dummy devices of its
#    own namespace by APPLYs of 100 ports until refused (one process that
#    only sends what it built beforehand): refused with "out of memory",
#    no OOM kill, and the host binds on unaffected.
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
# The devices; the tenant itself is one Python process (tests/lib/
# genl.py's helpers) that builds every APPLY before it starts and then
# only sends them: a process exec'd per APPLY (vmfencectl from a shell)
# needs fresh pages of its own at each step, and whichever asks first at
# the limit decides between a refusal (vmfence's allocations: no retry)
# and the cgroup's OOM killer (a page fault cannot fail), which is the
# kernel's rule for every process, not what this test is about.
# Chunk K: one APPLY of the 100 ports d(100K-99)..d(100K).
for i in $(seq 1 "$N"); do echo "link add d$i type dummy"; done >"$PUB/devs"
cp "$REPO/tests/lib/genl.py" "$PUB/genl.py"
cat >"$PUB/tenant.py" <<'EOF'
import errno, gc, struct, sys
sys.path.insert(0, sys.argv[1])
import genl as G
pub, n = sys.argv[1], int(sys.argv[2])


def port(i):
    return G.nest(G.VMFENCE_A_PORT,
                  G.nla(G.VMFENCE_PORT_A_IFNAME, b"d%d\0" % i),
                  G.nla(G.VMFENCE_PORT_A_MAC, bytes([2, 0, i >> 16 & 255, i >> 8 & 255, i & 255, 1])),
                  G.nest(G.VMFENCE_PORT_A_ADDRS,
                         G.addr_attr("10.%d.%d.1" % (i >> 8 & 255, i & 255)),
                         G.addr_attr("2001:db8:%x::1" % i)))


g = G.Genl()
msgs = [G.nlmsg(g.family, G.NLM_F_REQUEST | G.NLM_F_ACK, k, G.VMFENCE_CMD_APPLY,
                b"".join(port(i) for i in range(100 * k - 99, 100 * k + 1)))
        for k in range(1, n // 100 + 1)]
buf = bytearray(1 << 16)
gc.disable()
with open(pub + "/state", "w") as f:
    f.write("ready\n")
with open(pub + "/go") as f:
    f.readline()
for k, m in enumerate(msgs, 1):
    g.s.send(m)
    ln = g.s.recv_into(buf)
    err = -struct.unpack_from("=i", buf, 16)[0]
    if err:
        flags = struct.unpack_from("=H", buf, 6)[0]
        text = ""
        if flags & G.NLM_F_ACK_TLVS:
            tlvs = G.parse_attrs(bytes(buf[16 + 4 + 16:ln]))
            text = tlvs.get(G.NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(errors="replace")
        with open(pub + "/state", "w") as f:
            f.write("refused %d %s: %s\n" % (k, errno.errorcode.get(err, err), text))
        sys.exit(0)
with open(pub + "/state", "w") as f:
    f.write("all %d\n" % len(msgs))
EOF
mkfifo -m 0666 "$PUB/go"
chmod 0644 "$PUB"/devs "$PUB"/genl.py "$PUB"/tenant.py
cat >"$PUB/tenant.sh" <<EOF
#!/bin/bash
# nobody, root of its own user namespace, in a network namespace it owns.
/usr/sbin/ip -batch "\$1/devs" || { echo "devices failed" >"\$1/state"; exit 1; }
exec $PY "\$1/tenant.py" "\$1" $N
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
