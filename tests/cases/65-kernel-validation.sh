#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own checks, which vmfencectl's never let through: requests
# made by hand (tests/lib/genl.py) with bad attributes are refused with an
# errno and an extended-ACK message, and change nothing.  Unprivileged
# callers may read but not write.
. "$(dirname "$0")/../lib.sh"

topo_up 1
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 2001:db8::1 label vm-one seq 5
IFX=$(jsq 'P[0]["ifindex"]' -j port show vif1)
M=$(vm_mac 1)
GOOD="--ifname vif1 --mac $M --addr 10.0.0.1"
ADDRS_MAX=$(sed -n 's/^#define[[:space:]]*VMFENCE_ADDRS_MAX[[:space:]]*\([0-9]*\).*/\1/p' "$REPO/uapi/linux/vmfence.h")

# NAME|ERRNOS ACCEPTED|genl.py request options (policy violations: EINVAL or
# ERANGE, as the netlink core says)
cat >"$TESTTMP/cases" <<CASES
no VMFENCE_A_PORT|EINVAL|--no-port
neither ifindex nor ifname|EINVAL|--mac $M
both ifindex and ifname|EINVAL|$GOOD --ifindex $IFX
ifindex 0|EINVAL ERANGE|--ifindex 0 --mac $M
unknown ifindex|ENODEV|--ifindex 99999 --mac $M
missing MAC|EINVAL|--ifname vif1 --addr 10.0.0.1
MAC of 5 bytes|EINVAL ERANGE|--ifname vif1 --mac 02:00:00:00:00
MAC of 7 bytes|EINVAL ERANGE|--ifname vif1 --mac 02:00:00:00:00:01:02
multicast MAC|EINVAL|--ifname vif1 --mac 01:00:5e:00:00:01
all-zero MAC|EINVAL|--ifname vif1 --mac 00:00:00:00:00:00
mode 0|EINVAL ERANGE|$GOOD --mode 0
mode 3 (unknown)|EINVAL ERANGE|$GOOD --mode 3
label of 64 bytes|EINVAL ERANGE|$GOOD --label $(printf 'x%.0s' $(seq 1 64))
label without its NUL|EINVAL ERANGE|$GOOD --label-raw 616263
IPv4 prefix length 33|EINVAL ERANGE|--ifname vif1 --mac $M --addr 10.0.0.0/33
IPv6 prefix length 129|EINVAL ERANGE|--ifname vif1 --mac $M --addr 2001:db8::/129
IPv4 host bits beyond the prefix|EINVAL|--ifname vif1 --mac $M --addr 10.0.0.1/24
IPv6 host bits beyond the prefix|EINVAL|--ifname vif1 --mac $M --addr 2001:db8::1/64
IPv4 address of 5 bytes|EINVAL ERANGE|--ifname vif1 --mac $M --addr hex:0a00000100
IPv4 and IPv6 in one address|EINVAL|--ifname vif1 --mac $M --addr both=10.0.0.1,2001:db8::1
an empty address|EINVAL|--ifname vif1 --mac $M --addr empty
$((ADDRS_MAX + 1)) addresses (VMFENCE_ADDRS_MAX is $ADDRS_MAX)|E2BIG|--ifname vif1 --mac $M --many-addrs $((ADDRS_MAX + 1))
unknown attribute in the port nest|EINVAL|$GOOD --unknown-attr 99
port nest without NLA_F_NESTED|EINVAL|$GOOD --flat-nest
stale seq (equal)|ESTALE|$GOOD --seq 5
stale seq (lower)|ESTALE|$GOOD --seq 1
addr-add of two addresses|EINVAL|--cmd addr-add --ifname vif1 --addr 10.0.0.7 --addr 10.0.0.8
addr-add of no address|EINVAL|--cmd addr-add --ifname vif1
addr-add of a bound address|EEXIST|--cmd addr-add --ifname vif1 --addr 10.0.0.1
addr-del of an unbound address|ENOENT|--cmd addr-del --ifname vif1 --addr 10.0.0.9
del of an unbound device|ENOENT|--cmd del --ifname lo
a PORT_SET carrying APPLY_FLAGS (APPLY's)|EINVAL|$GOOD --top apply_flags
a PORT_SET carrying a bridge nest (BRIDGE_SET's)|EINVAL|$GOOD --top bridge
a PORT_SET carrying a stats nest (the kernel's)|EINVAL|$GOOD --top stats
a PORT_DEL carrying APPLY_FLAGS|EINVAL|--cmd del --ifname vif1 --top apply_flags
an ADDR_ADD carrying an event nest (the kernel's)|EINVAL|--cmd addr-add --ifname vif1 --addr 10.0.0.7 --top event
a STATS_RESET carrying APPLY_FLAGS|EINVAL|--cmd stats-reset --top apply_flags
CASES
cut -d'|' -f3 "$TESTTMP/cases" >"$TESTTMP/reqs"
port_snapshot "$TESTTMP/ports.before"
nh $PY "$REPO/tests/lib/genl.py" batch "$TESTTMP/reqs" >"$TESTTMP/results"
exec 4<"$TESTTMP/results"
while IFS='|' read -r name want opts; do
	IFS= read -r got <&4 || got="(no result)"
	st=${got#error }
	st=${st%%:*}
	if [[ $got == error* && " $want " == *" $st "* && $got != *"(no extended ACK message)" ]]; then
		echo "     $name: $got"
		record ok "$name: refused"
	else
		record FAIL "$name: refused" "expected: error $want with an extended-ACK message
saw: $got
request: genl.py request $opts"
	fi
done <"$TESTTMP/cases"
exec 4<&-
expect_ports "after the refused requests: bindings unchanged" "$TESTTMP/ports.before"
# Each command's policy names what it takes: the refusal names the
# attribute (a u32; a foreign nest is refused by the netlink core's own
# check of its NLA_F_NESTED bit, pointing at it).
expect_eq "PORT_SET with APPLY_FLAGS: the extended ACK names it" \
	"error EINVAL: apply_flags: not an attribute of this command" \
	"$(nh $PY "$REPO/tests/lib/genl.py" request $GOOD --top apply_flags)"

# The same by hand, well formed: accepted (so the refusals above mean
# something).
check "a well-formed request by hand is accepted" nh $PY "$REPO/tests/lib/genl.py" request \
	--ifname vif1 --mac "$M" --addr 10.0.0.0/24 --addr 2001:db8::/64 --mode 1 --label by-hand --seq 6
expect_eq "... and in force" "by-hand 6 10.0.0.0/24 2001:db8::/64" \
	"$(jsq '" ".join([P[0]["label"], str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"
check "$ADDRS_MAX addresses (VMFENCE_ADDRS_MAX) are accepted" nh $PY "$REPO/tests/lib/genl.py" request \
	--ifname vif1 --mac "$M" --many-addrs "$ADDRS_MAX"
expect_eq "... and listed" "$ADDRS_MAX" "$(jsq 'len(P[0]["addrs"])' -j port show vif1)"

# Unprivileged: reading is open to everyone, writing needs CAP_NET_ADMIN.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
check "unprivileged: port show works" nh $NOBODY "$CTL" port show
check "unprivileged: stats works" nh $NOBODY "$CTL" stats
port_snapshot "$TESTTMP/ports.before"
expect_fail "unprivileged: port set refused" nh $NOBODY "$CTL" port set vif1 mac "$M" ip 10.0.0.1
expect_fail "unprivileged: port del refused" nh $NOBODY "$CTL" port del vif1
expect_fail "unprivileged: stats reset refused" nh $NOBODY "$CTL" stats reset
expect_ports "unprivileged: bindings unchanged" "$TESTTMP/ports.before"
