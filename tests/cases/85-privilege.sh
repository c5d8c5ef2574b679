#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who may change vmfence's configuration.  Every command that changes
# state needs CAP_NET_ADMIN in the user namespace that owns the network
# namespace (GENL_UNS_ADMIN_PERM):
#  - nobody, and root without CAP_NET_ADMIN, are refused every change
#    (port set/del, port addr add/del, stats reset, bridge set, apply, and
#    the same requests raw through genl.py, which bypass vmfencectl's own
#    checks), each with one clear line, and nothing changes; reading is
#    allowed;
#  - a process of an unprivileged user (nobody) in a user namespace of its
#    own configures the network namespace that user namespace owns, and
#    the binding is enforced there (a forged frame, which reached the
#    other port before the binding, no longer does and is counted; a
#    legitimate one still does);
#  - the same process can never configure the host's namespace: not from a
#    user namespace of its own that stays in the host's network namespace,
#    and not through a netlink socket it opened in the host's namespace
#    before it unshared (the check is against the socket's namespace).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
GENL=$REPO/tests/lib/genl.py

topo_up 2
FORGED="udp src_mac=02:00:00:00:00:99 dst_mac=$(vm_mac 2) src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 2)"
send_expect "unbound: a forged frame from vm1 reaches vm2" arrive vm1:eth0 vm2:eth0 "$FORGED"
bind 1 label vm-one
ctl bridge set br0 unbound pass

# nobody needs to reach the binaries: copies in a directory anyone may
# enter.
chmod 0755 "$D"
install -d -m 0755 "$D/pub"
install -m 0755 "$CTL" "$D/pub/vmfencectl"
install -m 0644 "$GENL" "$D/pub/genl.py"
PCTL=$D/pub/vmfencectl
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
NOCAP=(setpriv --bounding-set=-net_admin --inh-caps=-net_admin)
cat >"$D/pub/doc.json" <<'EOF'
{"version": 1, "ports": [{"ifname": "vif2", "mac": "02:00:00:00:00:02"}]}
EOF
chmod 0644 "$D/pub/doc.json"

# The changes a tenant must not make, as vmfencectl arguments.
CHANGES=(
	"port set vif1 mac 02:00:00:00:00:01 ip 10.0.0.99"
	"port set vif2 mac 02:00:00:00:00:02 mode trusted"
	"port del vif1"
	"port addr add vif1 10.0.0.99"
	"port addr del vif1 10.0.0.1"
	"stats reset"
	"stats reset vif1"
	"bridge set br0 unbound drop"
	"apply $D/pub/doc.json"
	"apply --replace $D/pub/doc.json"
)
# ... and as raw requests (genl.py request options).
RAW=(
	"--cmd set --ifname vif1 --mac 02:00:00:00:00:01 --addr 10.0.0.99"
	"--cmd del --ifname vif1"
	"--cmd addr-add --ifname vif1 --addr 10.0.0.99"
	"--cmd stats-reset"
)

# refused_as WHO PREFIX...: every change, run under PREFIX, is refused
# with one line naming CAP_NET_ADMIN, and nothing changed.
refused_as() {
	local who=$1 c w out
	shift
	host_save
	for c in "${CHANGES[@]}"; do
		# shellcheck disable=SC2086	# c is words
		capture $IP netns exec host "$@" "$PCTL" $c
		expect_eq "$who: vmfencectl $c: exit 1, one line on stderr" "1 1" \
			"$C_RC $(grep -c . <<<"$C_ERR")"
		check "... saying CAP_NET_ADMIN is needed ($C_ERR)" grep -q CAP_NET_ADMIN <<<"$C_ERR"
	done
	for w in "${RAW[@]}"; do
		# shellcheck disable=SC2086
		capture $IP netns exec host "$@" $PY "$D/pub/genl.py" request $w
		expect_eq "$who: raw request $w: EPERM" "1 error EPERM" "$C_RC ${C_OUT%%:*}"
	done
	expect_host_unchanged "$who: nothing changed (bindings, bridges, counters)"
}

# host_save: the configuration of "host" and its drop counters, for
# expect_host_unchanged: the bindings as port_snapshot takes them, the
# bridges and counters as printed ("passed" left out: the VMs' own stacks
# send now and then; a reset would zero the drops).
host_rest() {
	ctl -j bridge show
	ctl -j stats | sed 's/"passed":[0-9]*,//g'
}
host_save() {
	port_snapshot "$D/host.ports" || true
	host_rest >"$D/host.rest" 2>&1 || true
}
# expect_host_unchanged NAME: the bindings (ports_diff), the bridges and
# the drop counters are as host_save found them.
expect_host_unchanged() {
	local bad= out
	out=$(ports_diff "$D/host.ports") || bad+="bindings: $out
"
	out=$(host_rest 2>&1 | diff "$D/host.rest" - 2>&1) || bad+="bridges or drop counters: $out"
	if [ -z "$bad" ]; then
		record ok "$1"
	else
		record FAIL "$1" "expected: bindings, bridges and drop counters as before
saw: $bad"
	fi
}

# --- nobody, and root without CAP_NET_ADMIN ----------------------------------
expect_verdict "a forged frame from vm1, dropped: a reset would show" vif1 drop vm1:eth0 vm2:eth0 \
	"$FORGED" mac_spoof=1
refused_as nobody "${NOBODY[@]}"
refused_as "root without CAP_NET_ADMIN" "${NOCAP[@]}"

capture $IP netns exec host "${NOBODY[@]}" "$PCTL" -j port show vif1
expect_eq "nobody may read: port show" "0 vm-one" \
	"$C_RC $($PY -c 'import json, sys; print(json.load(sys.stdin)[0]["label"])' <<<"$C_OUT" 2>&1)"
capture $IP netns exec host "${NOBODY[@]}" "$PCTL" stats vif1
expect_eq "nobody may read: stats" 0 "$C_RC"
capture $IP netns exec host "${NOBODY[@]}" "$PCTL" bridge show
expect_eq "nobody may read: bridge show" 0 "$C_RC"
capture $IP netns exec host "${NOCAP[@]}" "$PCTL" dump
expect_eq "root without CAP_NET_ADMIN may read: dump" 0 "$C_RC"

# --- an unprivileged user namespace -------------------------------------------
# nobody makes a user namespace (it is root there, with every capability
# over what that namespace owns) and a network namespace owned by it,
# with a bridge, a port bound to a VM MAC, and a veth "VM" outside it.
cat >"$D/pub/userns.sh" <<'EOF'
#!/bin/bash
# Run by nobody, as root of its own user namespace, in a network namespace
# that namespace owns.  Prints one "key value" line per result.
set -u
CTL=$1 PY=$2
IP=/usr/sbin/ip
echo "uid $(id -u)"
# No IPv6: the veths' own DAD and MLD would add to the counts.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
$IP link set lo up
$IP link add br0 type bridge forward_delay 0 mcast_snooping 0 &&
$IP link add vif1 type veth peer name vm1 &&
$IP link add vif2 type veth peer name vm2 &&
for d in vif1 vif2; do $IP link set $d master br0 up; done &&
$IP link set vm1 address 02:00:00:00:00:51 up &&
$IP link set vm2 up && $IP link set br0 up
echo "topology $?"
# send WHAT SMAC...: a UDP frame from each source MAC (10.9.0.1 ->
# 10.9.0.2, source port: one per call and frame), sent at vm1 (the VM
# side of vif1); prints "rx WHAT SMAC yes|no": whether vm2 (behind vif2)
# received it, within 1 s.
send() {
	$PY - "$@" <<'PYEOF'
import select, socket, struct, sys, time
what, macs = sys.argv[1], sys.argv[2:]
rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
rx.bind(("vm2", 0))
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
tx.bind(("vm1", 0))
base = {"unprotected": 4000, "protected": 5000}[what]
def udp(smac, sport):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0,
                     socket.inet_aton("10.9.0.1"), socket.inet_aton("10.9.0.2"))
    return (bytes.fromhex("020000000052") + bytes.fromhex(smac.replace(":", "")) +
            b"\x08\x00" + ip + struct.pack("!HHHH", sport, 9, 8, 0))
frames = {udp(m, base + i): m for i, m in enumerate(macs)}
for f in frames:
    tx.send(f)
seen, end = set(), time.monotonic() + 1
while len(seen) < len(frames) and time.monotonic() < end:
    if select.select([rx], [], [], 0.1)[0]:
        data = rx.recv(2048)
        if data[:42] in frames:
            seen.add(frames[data[:42]])
for m in macs:
    print("rx %s %s %s" % (what, m, "yes" if m in seen else "no"))
PYEOF
}
# Unprotected first: the forged frame reaches vm2.
send unprotected 02:00:00:00:00:66
"$CTL" port set vif1 mac 02:00:00:00:00:51 ip 10.9.0.1 label tenant 2>&1
echo "set $?"
"$CTL" port set vif2 mac 02:00:00:00:00:52 mode trusted 2>&1
echo "trusted $?"
"$CTL" bridge set br0 unbound drop 2>&1
echo "bridge $?"
echo "show $("$CTL" port show vif1 2>&1 | head -n 1)"
# One forged frame (another MAC) and one legitimate.
send protected 02:00:00:00:00:66 02:00:00:00:00:51
echo "stats $("$CTL" stats vif1 2>&1 | tr -s ' \n' ' ')"
"$CTL" stats reset vif1 2>&1
echo "reset $?"
"$CTL" port del vif1 2>&1
echo "del $?"
EOF
chmod 0755 "$D/pub/userns.sh"
host_save
capture $IP netns exec host "${NOBODY[@]}" unshare --user --map-root-user --net \
	"$D/pub/userns.sh" "$PCTL" "$PY"
userns() { sed -n "s/^$1 //p" <<<"$C_OUT"; }
if [ "$(userns uid)" != 0 ]; then
	record FAIL "nobody can make a user namespace (unshare -Urn)" "$(_ops_detail)"
else
	record ok "nobody can make a user namespace (unshare -Urn)"
	expect_eq "userns: bridge and veths made" 0 "$(userns topology)"
	expect_eq "userns: port set in its own network namespace: allowed" 0 "$(userns set)"
	expect_eq "userns: a trusted port too" 0 "$(userns trusted)"
	expect_eq "userns: bridge set" 0 "$(userns bridge)"
	check "userns: port show: the binding ($(userns show))" \
		grep -q 'vif1.*02:00:00:00:00:51.*tenant' <<<"$(userns show)"
	expect_eq "userns: unbound, the forged frame reaches the other port" yes \
		"$(userns "rx unprotected 02:00:00:00:00:66")"
	expect_eq "userns: bound, the forged frame no longer does" no "$(userns "rx protected 02:00:00:00:00:66")"
	expect_eq "userns: bound, the legitimate one does" yes "$(userns "rx protected 02:00:00:00:00:51")"
	check "userns: the forged frame was counted there, the legitimate one passed ($(userns stats))" \
		bash -c '[[ $1 == *"passed 1 "* && $1 == *"mac_spoof 1"* ]]' _ "$(userns stats)"
	expect_eq "userns: stats reset and port del: allowed" "0 0" "$(userns reset) $(userns del)"
fi
expect_host_unchanged "... and the host's namespace was not touched"

# A user namespace of its own, but still in the host's network namespace:
# root there has no capability over "host".
host_save
for c in "port set vif1 mac 02:00:00:00:00:01 ip 10.0.0.99" "port del vif1" "bridge set br0 unbound drop"; do
	# shellcheck disable=SC2086
	capture $IP netns exec host "${NOBODY[@]}" unshare --user --map-root-user "$PCTL" $c
	expect_eq "userns in the host's netns: $c: refused, exit 1" 1 "$C_RC"
	check "... saying CAP_NET_ADMIN is needed ($C_ERR)" grep -q CAP_NET_ADMIN <<<"$C_ERR"
done
expect_host_unchanged "... nothing changed"

# A netlink socket opened in the host's namespace, kept across unshare of
# a user and a network namespace: the kernel judges the socket's namespace
# (owned by the initial user namespace), not the new one.
cat >"$D/pub/keepsock.py" <<'EOF'
import ctypes, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl
g = genl.Genl()			# opened here, in the host's namespace
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
uid = os.getuid()
if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
    print("unshare failed", ctypes.get_errno())
    sys.exit(2)
with open("/proc/self/uid_map", "w") as f:
    f.write("0 %d 1" % uid)
print("caps", open("/proc/self/status").read().split("CapEff:")[1].split()[0])
sys.argv = ["genl.py", "request", "--cmd", "del", "--ifname", "vif1"]
rc, line = genl.run_request(g, genl.request_parser().parse_args(sys.argv[2:]))
print(line)
sys.exit(rc)
EOF
chmod 0644 "$D/pub/keepsock.py"
capture $IP netns exec host "${NOBODY[@]}" $PY "$D/pub/keepsock.py"
check "host socket kept across unshare: root of the new user namespace, all capabilities ($C_OUT)" \
	grep -q '^caps 000001ffffffffff' <<<"$C_OUT"
expect_eq "... PORT_DEL of the host's vif1 on it: EPERM" "error EPERM" \
	"$(grep -m 1 '^error' <<<"$C_OUT" | cut -d: -f1)"
expect_eq "... vif1 still bound" "02:00:00:00:00:01 enforce label=vm-one 10.0.0.1 2001:db8::1" \
	"$(bound_as vif1)"
