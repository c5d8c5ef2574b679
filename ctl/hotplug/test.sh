#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ctl/hotplug/test.sh: host-side tests of vmfence-hotplug, xen/vmfence-vif
# and libvirt/qemu, with a fake vmfencectl (and fake logger and
# xenstore-read): no kernel module, no hypervisor, no root needed.
#
#   ./test.sh                      (or make -C ctl/hotplug check)
#   VMFENCE_TEST_PYTHON=python3.6 ./test.sh
#                                  run the python scripts with that python
#
# The fake vmfencectl appends its argv to $T/calls, one line per run,
# keeps bindings as files $T/bound/DEV (holding the MAC), knows the devices
# listed in $T/devs, and answers as the real one does: "Error: ifname: no
# such device.", "Error: port: the device is not bound." (exit 1), usage
# errors (exit 2).  FAKE_FAIL_DEV=DEV makes every command on DEV fail as a
# missing CAP_NET_ADMIN does.  The fake logger appends to $T/log.
#
# Each check prints "ok ..." or "FAIL ..."; the last line is "N passed,
# N failed"; the exit status is 0 only if nothing failed.

here=$(cd "$(dirname "$0")" && pwd)
ex=$here/examples
T=$(mktemp -d "${TMPDIR:-/tmp}/vmfence-hotplug-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/bound" "$T/xs"

# ---- fakes ----

cat >"$T/bin/vmfencectl" <<'EOF'
#!/bin/sh
d=$FAKE_DIR
printf '%s\n' "$*" >>"$d/calls"
json=
if [ "$1" = -j ]; then json=1; shift; fi
usage() { echo "vmfencectl: $*" >&2; exit 2; }
nodev() { echo "Error: ifname: no such device." >&2; exit 1; }
[ "$1" = port ] || usage "unknown command \"$1\""
[ -n "${3:-}" ] || usage "port $2: missing DEV"
dev=$3
if [ -n "${FAKE_FAIL_DEV:-}" ] && [ "$dev" = "$FAKE_FAIL_DEV" ]; then
	echo "Error: Operation not permitted (vmfencectl needs CAP_NET_ADMIN)." >&2
	exit 1
fi
exists() { grep -qx "$dev" "$d/devs"; }
case $2 in
set)
	shift 3
	mac=
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || usage "port set: $1 needs a value"
		case $1 in
		mac) mac=$2 ;;
		ip) [ -n "$2" ] || usage "port set: empty ip" ;;
		mode) case $2 in enforce | trusted) ;; *) usage "bad mode" ;; esac ;;
		label) [ "$(printf %s "$2" | wc -c)" -le 63 ] || usage "label is too long" ;;
		seq) case $2 in '' | *[!0-9]*) usage "bad seq" ;; esac ;;
		*) usage "port set: unknown keyword \"$1\"" ;;
		esac
		shift 2
	done
	[ -n "$mac" ] || usage "port set: mac is required"
	exists || nodev
	echo "$mac" >"$d/bound/$dev"
	;;
del)
	[ $# -eq 3 ] || usage "port del: unexpected argument \"$4\""
	exists || nodev
	[ -f "$d/bound/$dev" ] || { echo "Error: port: the device is not bound." >&2; exit 1; }
	rm -f "$d/bound/$dev"
	;;
show)
	exists || nodev
	[ -f "$d/bound/$dev" ] || { echo "Error: port: the device is not bound." >&2; exit 1; }
	mac=$(cat "$d/bound/$dev")
	if [ -n "$json" ]; then
		printf '[{"ifname":"%s","ifindex":7,"mac":"%s","mode":"enforce","label":"","seq":0,"addrs":[],"multicast":"deny","ethertypes":[]}]\n' "$dev" "$mac"
	else
		printf '%s: mac %s mode enforce seq 0\n' "$dev" "$mac"
	fi
	;;
*) usage "port: unknown command \"$2\"" ;;
esac
exit 0
EOF

cat >"$T/bin/logger" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_DIR/log"
EOF

# xenstore-read PATH: the file $FAKE_DIR/xs/PATH; a relative PATH is under
# /local/domain/0, dom0's home, as for the real one run in dom0.
cat >"$T/bin/xenstore-read" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_DIR/xs-calls"
case $1 in
/*) p=$1 ;;
*) p=/local/domain/0/$1 ;;
esac
if [ -f "$FAKE_DIR/xs$p" ]; then
	cat "$FAKE_DIR/xs$p"
else
	echo "couldn't read path $1" >&2
	exit 1
fi
EOF
chmod +x "$T/bin/vmfencectl" "$T/bin/logger" "$T/bin/xenstore-read"

hotplug=$here/vmfence-hotplug
hook=$here/libvirt/qemu
if [ -n "${VMFENCE_TEST_PYTHON:-}" ]; then
	for s in vmfence-hotplug qemu; do
		src=$here/vmfence-hotplug
		[ $s = qemu ] && src=$here/libvirt/qemu
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$VMFENCE_TEST_PYTHON" \
			"$src" >"$T/bin/py-$s"
		chmod +x "$T/bin/py-$s"
	done
	hotplug=$T/bin/py-vmfence-hotplug
	hook=$T/bin/py-qemu
	echo "# python: $("$VMFENCE_TEST_PYTHON" --version 2>&1)"
fi
vifscript=$here/xen/vmfence-vif

FAKE_DIR=$T
VMFENCECTL=$T/bin/vmfencectl
VMFENCE_LOGGER=$T/bin/logger
VMFENCE_HOTPLUG=$hotplug
PATH=$T/bin:$PATH
export FAKE_DIR VMFENCECTL VMFENCE_LOGGER VMFENCE_HOTPLUG PATH
unset VMFENCE_XENSTORE_DIR VMFENCE_VIF_MAC XENBUS_PATH FAKE_FAIL_DEV vif

# ---- helpers ----

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "FAIL $*"
}

# reset DEV...: no bindings, no calls, no log; DEV... exist.
reset() {
	rm -rf "$T/bound" "$T/calls" "$T/log" "$T/xs-calls"
	mkdir "$T/bound"
	: >"$T/calls"
	: >"$T/log"
	: >"$T/xs-calls"
	printf '%s\n' "$@" >"$T/devs"
}

# bind DEV MAC: DEV is bound already (without a call being recorded).
bind() {
	echo "$2" >"$T/bound/$1"
}

# run CMD...: runs it, with stdin from $stdin (default /dev/null).
run() {
	"$@" <"${stdin:-/dev/null}" >"$T/out" 2>"$T/err"
	rc=$?
	stdin=
}

# expect NAME RC [CALL...]: the exit status was RC, and vmfencectl was
# called exactly with CALL..., one per run, in this order.
expect() {
	name=$1
	want_rc=$2
	shift 2
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" >"$T/want"
	else
		: >"$T/want"
	fi
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name: exit status $rc, not $want_rc; stderr: $(cat "$T/err")"
	elif ! cmp -s "$T/want" "$T/calls"; then
		not_ok "$name: vmfencectl calls:"
		diff "$T/want" "$T/calls" | sed 's/^/#   /'
	else
		ok "$name"
	fi
}

# stderr NAME LINES [GREP]: stderr has LINES lines, one matching GREP.
stderr() {
	n=$(wc -l <"$T/err")
	if [ "$n" -ne "$2" ]; then
		not_ok "$1: $n lines on stderr, not $2: $(cat "$T/err")"
	elif [ -n "${3:-}" ] && ! grep -q -- "$3" "$T/err"; then
		not_ok "$1: stderr does not say \"$3\": $(cat "$T/err")"
	else
		ok "$1"
	fi
}

# logged NAME GREP...: each GREP matches a line of the log.
logged() {
	name=$1
	shift
	for pat; do
		if ! grep -q -- "$pat" "$T/log"; then
			not_ok "$name: nothing logged like \"$pat\"; log:"
			sed 's/^/#   /' "$T/log"
			return
		fi
	done
	ok "$name"
}

# bound NAME DEV MAC|-: DEV is bound to MAC, or (-) not bound.
bound() {
	if [ "$3" = - ]; then
		if [ -f "$T/bound/$2" ]; then
			not_ok "$1: $2 is bound"
		else
			ok "$1"
		fi
	elif [ "$(cat "$T/bound/$2" 2>/dev/null)" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: $2 is not bound to $3"
	fi
}

# record NAME JSON: writes a record file $T/NAME.json.
record() {
	printf '%s\n' "$2" >"$T/$1.json"
}

rec7=$ex/xenstore/7/vm-data/networking/06f8c8000009
set7="port set vif7.0 mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM"

# ---- vmfence-hotplug ----

reset vif7.0
run "$hotplug" add vif7.0 "$rec7"
expect "hotplug add: the sample record" 0 "$set7"
stderr "hotplug add: quiet on success" 0
logged "hotplug add: logs the binding" \
	"daemon.info -- vmfence-hotplug: bound vif7.0 mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM"
if [ "$(wc -l <"$T/log")" -eq 1 ]; then
	ok "hotplug add: one log line"
else
	not_ok "hotplug add: $(wc -l <"$T/log") log lines"
fi
if grep -q 10.147.41.239 "$T/calls"; then
	not_ok "hotplug add: the disabled address is bound"
else
	ok "hotplug add: the disabled address (enabled \"0\") is skipped"
fi
if grep -q '/' "$T/calls"; then
	not_ok "hotplug add: a netmask became a prefix"
else
	ok "hotplug add: netmasks are not turned into prefixes"
fi
bound "hotplug add: vif7.0 is bound" vif7.0 06:f8:c8:00:00:09

reset vif7.0
stdin=$rec7
run "$hotplug" add vif7.0 -
expect "hotplug add: the record on stdin (-)" 0 "$set7"

reset vif7.0
bind vif7.0 06:f8:c8:00:00:09
run "$hotplug" remove vif7.0
expect "hotplug remove" 0 "port del vif7.0"
bound "hotplug remove: vif7.0 is unbound" vif7.0 -
logged "hotplug remove: logs it" "vmfence-hotplug: unbound vif7.0"
run "$hotplug" remove vif7.0
expect "hotplug remove again: not bound is success" 0 \
	"port del vif7.0" "port del vif7.0"
stderr "hotplug remove again: quiet" 0
logged "hotplug remove again: logs it" "vif7.0 is not bound: nothing to remove"

reset
run "$hotplug" remove vif7.0
expect "hotplug remove: no such device is success" 0 "port del vif7.0"

reset vif7.0
bind vif7.0 06:f8:c8:00:00:09
run env FAKE_FAIL_DEV=vif7.0 "$hotplug" remove vif7.0
expect "hotplug remove: a refusal fails" 1 "port del vif7.0"
stderr "hotplug remove: a refusal says why in one line" 1 \
	"vmfence-hotplug: cannot unbind vif7.0: Error: Operation not permitted"
logged "hotplug remove: logs the refusal" \
	"daemon.err -- vmfence-hotplug: cannot unbind vif7.0"

reset vif7.0
bind vif7.0 06:f8:c8:00:00:09
run "$hotplug" remove vif7.0 "$rec7"
expect "hotplug remove FILE: bound to the record's mac" 0 \
	"-j port show vif7.0" "port del vif7.0"
reset vif7.0
bind vif7.0 52:54:00:00:00:99
run "$hotplug" remove vif7.0 "$rec7"
expect "hotplug remove FILE: bound to another mac: left alone" 0 \
	"-j port show vif7.0"
bound "hotplug remove FILE: still bound" vif7.0 52:54:00:00:00:99
logged "hotplug remove FILE: warns" "daemon.warning -- .*left vif7.0 alone"
reset vif7.0
run "$hotplug" remove vif7.0 "$rec7"
expect "hotplug remove FILE: not bound" 0 "-j port show vif7.0"

reset vif7.0
record nomac '{"label": "public", "ips": [{"ip": "10.0.0.5", "enabled": "1"}]}'
run "$hotplug" add vif7.0 "$T/nomac.json"
expect "hotplug add: no mac fails, vmfencectl not run" 1
stderr "hotplug add: no mac says so" 1 'no "mac"'
logged "hotplug add: no mac is logged" 'daemon.err -- vmfence-hotplug: .*no "mac"'

record badmac '{"mac": "06f8c8000009"}'
run "$hotplug" add vif7.0 "$T/badmac.json"
expect "hotplug add: a malformed mac fails" 1
stderr "hotplug add: a malformed mac says so" 1 "not a MAC address"

printf '{"mac": "06:f8:c8:00:00:09", "ips": [' >"$T/trunc.json"
run "$hotplug" add vif7.0 "$T/trunc.json"
expect "hotplug add: broken JSON fails" 1
stderr "hotplug add: broken JSON says so" 1 "not a JSON record"

record array '[{"mac": "06:f8:c8:00:00:09"}]'
run "$hotplug" add vif7.0 "$T/array.json"
expect "hotplug add: a JSON array fails" 1
stderr "hotplug add: a JSON array says so" 1 "not a JSON object"

run "$hotplug" add vif7.0 "$T/missing.json"
expect "hotplug add: a missing file fails" 1
stderr "hotplug add: a missing file says so" 1 "cannot read"

record hostbits '{"mac": "06:f8:c8:00:00:09", "ips": [{"ip": "10.0.0.5/24", "enabled": "1"}]}'
run "$hotplug" add vif7.0 "$T/hostbits.json"
expect "hotplug add: a prefix with host bits fails" 1
stderr "hotplug add: host bits say where" 1 "ips\[0\].ip: 10.0.0.5/24 has host bits set"

record v6inv4 '{"mac": "06:f8:c8:00:00:09", "ips": [{"ip": "2001:db8::5"}]}'
run "$hotplug" add vif7.0 "$T/v6inv4.json"
expect "hotplug add: IPv6 in ips fails" 1
stderr "hotplug add: IPv6 in ips says so" 1 "not an IPv4 address"

record badip '{"mac": "06:f8:c8:00:00:09", "ip6s": [{"ip": "2001:db8::zz", "netmask": 64, "enabled": "1"}]}'
run "$hotplug" add vif7.0 "$T/badip.json"
expect "hotplug add: a bad IPv6 address fails" 1
stderr "hotplug add: a bad address says where" 1 "ip6s\[0\].ip"

record mask '{"mac": "06:f8:c8:00:00:09", "ips": [{"ip": "10.0.0.0/255.255.255.0"}]}'
run "$hotplug" add vif7.0 "$T/mask.json"
expect "hotplug add: ADDR/NETMASK is refused" 1

record noip '{"mac": "06:f8:c8:00:00:09", "ips": [{"netmask": "255.255.255.0", "enabled": "1"}]}'
run "$hotplug" add vif7.0 "$T/noip.json"
expect "hotplug add: an enabled entry without ip fails" 1
stderr "hotplug add: an entry without ip says where" 1 "ips\[0\].ip: no address"

reset vif7.0
record full '{"mac": "06:F8:C8:00:00:09", "label": "public", "mode": "trusted", "seq": "42",
 "ips": [{"ip": "10.9.0.0/24", "enabled": "1"}, {"ip": "10.0.0.5", "enabled": 0},
         {"ip": "10.0.0.6", "enabled": false}, {"ip": "10.0.0.7"}, {"ip": "10.0.0.7"},
         {"ip": "10.0.0.8/32", "enabled": "1"}],
 "ip6s": [{"ip": "2001:DB8:0:0::5", "netmask": "64", "enabled": "1"},
          {"ip": "2001:db8:1::/64", "netmask": 64, "enabled": "1"},
          {"ip": "2001:db8::6", "netmask": 64, "enabled": "0"}]}'
run "$hotplug" add vif7.0 "$T/full.json"
expect "hotplug add: prefixes, mode, seq, label, disabled and duplicate entries" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 ip 10.9.0.0/24 ip 10.0.0.7 ip 10.0.0.8 ip 2001:db8::5 ip 2001:db8:1::/64 mode trusted label public seq 42"

reset vif7.0
record seqnum '{"mac": "06:f8:c8:00:00:09", "seq": 9007199254740992, "mode": "enforce"}'
run "$hotplug" add vif7.0 "$T/seqnum.json"
expect "hotplug add: no address at all, seq as a number (2^53, the largest)" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 mode enforce seq 9007199254740992"

reset vif7.0
record badseq '{"mac": "06:f8:c8:00:00:09", "seq": -1}'
run "$hotplug" add vif7.0 "$T/badseq.json"
expect "hotplug add: a negative seq fails" 1
record bigseq '{"mac": "06:f8:c8:00:00:09", "seq": "9007199254740993"}'
run "$hotplug" add vif7.0 "$T/bigseq.json"
expect "hotplug add: a seq past 2^53 fails" 1
record badmode '{"mac": "06:f8:c8:00:00:09", "mode": "promiscuous"}'
run "$hotplug" add vif7.0 "$T/badmode.json"
expect "hotplug add: an unknown mode fails" 1
stderr "hotplug add: an unknown mode says so" 1 '"mode"'

reset vif7.0
record vmname '{"mac": "06:f8:c8:00:00:09", "label": "public", "name": "web", "vm_id": 123456, "vm": "i-2-3-VM"}'
run "$hotplug" add vif7.0 "$T/vmname.json"
expect "hotplug add: label from vm before vm_id, name, label" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 label i-2-3-VM"
reset vif7.0
record vmid '{"mac": "06:f8:c8:00:00:09", "label": "public", "name": "web", "vm_id": 123456}'
run "$hotplug" add vif7.0 "$T/vmid.json"
expect "hotplug add: label from a numeric vm_id" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 label 123456"
reset vif7.0
long=$(printf 'é%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35)
record long "{\"mac\": \"06:f8:c8:00:00:09\", \"name\": \"a\\u0001$long\"}"
run env LC_ALL=C "$hotplug" add vif7.0 "$T/long.json"
# "a?" and 30 "é" (2 bytes each) make 62 bytes; a 31st would make 64
expect "hotplug add: label cleaned and cut to 63 bytes, under LC_ALL=C" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 label a?$(printf 'é%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30)"

reset
run "$hotplug" add vif7.0 "$rec7"
expect "hotplug add: no such device fails" 1 "$set7"
stderr "hotplug add: no such device says so in one line" 1 \
	"cannot bind vif7.0: Error: ifname: no such device"

reset vif7.0
run env VMFENCECTL="$T/nonexistent" "$hotplug" add vif7.0 "$rec7"
expect "hotplug add: vmfencectl missing fails" 1
stderr "hotplug add: vmfencectl missing says so" 1 "cannot run"

reset vif7.0
run "$hotplug"
expect "hotplug: no arguments is a usage error" 2
stderr "hotplug: usage in one line" 1 "usage:"
run "$hotplug" add vif7.0
expect "hotplug: add without FILE is a usage error" 2
run "$hotplug" plug vif7.0 "$rec7"
expect "hotplug: an unknown action is a usage error" 2
run "$hotplug" remove vif7.0 "$rec7" extra
expect "hotplug: too many arguments is a usage error" 2

# ---- xen/vmfence-vif ----

reset vif7.0
run env VMFENCE_XENSTORE_DIR="$ex/xenstore" "$vifscript" online vif7.0
expect "vif online: from VMFENCE_XENSTORE_DIR" 0 "$set7"
if [ -s "$T/xs-calls" ]; then
	not_ok "vif online: VMFENCE_XENSTORE_DIR still called xenstore-read"
else
	ok "vif online: VMFENCE_XENSTORE_DIR does not call xenstore-read"
fi
logged "vif online: vmfence-hotplug logs the binding" "bound vif7.0 mac 06:f8:c8:00:00:09"

run "$vifscript" offline vif7.0
expect "vif offline: unbinds" 0 "$set7" "port del vif7.0"
bound "vif offline: vif7.0 is unbound" vif7.0 -
run "$vifscript" offline vif7.0
expect "vif offline again: not bound is success" 0 \
	"$set7" "port del vif7.0" "port del vif7.0"
reset
run "$vifscript" offline vif7.0
expect "vif offline: the vif already gone is success" 0 "port del vif7.0"

reset vif7.0-emu
run env VMFENCE_XENSTORE_DIR="$ex/xenstore" "$vifscript" add vif7.0-emu
expect "vif add: the emulated NIC's tap vifD.N-emu" 0 \
	"port set vif7.0-emu mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM"
run "$vifscript" remove vif7.0-emu
expect "vif remove: unbinds the tap" 0 \
	"port set vif7.0-emu mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM" \
	"port del vif7.0-emu"

reset vif7.0
run env vif=vif7.0 VMFENCE_XENSTORE_DIR="$ex/xenstore" "$vifscript" online
expect "vif online: DEV from \$vif" 0 "$set7"

# xenstore through (fake) xenstore-read, as in dom0
mkdir -p "$T/xs/local/domain/0/backend/vif/7/0" "$T/xs/local/domain/7/vm-data/networking"
cp "$ex/xenstore/7/vif/0/mac" "$T/xs/local/domain/0/backend/vif/7/0/mac"
cp "$rec7" "$T/xs/local/domain/7/vm-data/networking/06f8c8000009"

reset vif7.0
run env XENBUS_PATH=backend/vif/7/0 "$vifscript" online vif7.0
expect "vif online: xenstore-read with XENBUS_PATH" 0 "$set7"
printf '%s\n' backend/vif/7/0/mac /local/domain/7/vm-data/networking/06f8c8000009 >"$T/want"
if cmp -s "$T/want" "$T/xs-calls"; then
	ok "vif online: reads \$XENBUS_PATH/mac, then the record of domain 7"
else
	not_ok "vif online: xenstore-read calls: $(cat "$T/xs-calls")"
fi

reset web0
run env XENBUS_PATH=/local/domain/0/backend/vif/7/0 "$vifscript" online web0
expect "vif online: a renamed vif (vifname), ids from XENBUS_PATH" 0 \
	"port set web0 mac 06:f8:c8:00:00:09 ip 10.147.41.238 ip 2001:db8:41::5 label i-2-3-VM"

reset vif7.0
run env VMFENCE_VIF_MAC=06:F8:C8:00:00:09 "$vifscript" online vif7.0
expect "vif online: VMFENCE_VIF_MAC without XENBUS_PATH" 0 "$set7"

reset vif7.0
rm "$T/xs/local/domain/7/vm-data/networking/06f8c8000009"
record upper '{"mac": "06:f8:c8:00:00:09", "ips": [{"ip": "10.147.41.238"}]}'
cp "$T/upper.json" "$T/xs/local/domain/7/vm-data/networking/06F8C8000009"
run env XENBUS_PATH=backend/vif/7/0 "$vifscript" online vif7.0
expect "vif online: a record keyed in upper case" 0 \
	"port set vif7.0 mac 06:f8:c8:00:00:09 ip 10.147.41.238"

reset vif7.0
rm "$T/xs/local/domain/7/vm-data/networking/06F8C8000009"
run env XENBUS_PATH=backend/vif/7/0 "$vifscript" online vif7.0
expect "vif online: no record leaves the vif unbound, success" 0
logged "vif online: no record is a warning" \
	"daemon.warning -- vmfence-vif: vif7.0: domain 7 has no vm-data/networking/06f8c8000009"

reset vif8.0
run env VMFENCE_XENSTORE_DIR="$ex/xenstore" "$vifscript" online vif8.0
expect "vif online: no MAC fails" 1
stderr "vif online: no MAC says so" 1 "no MAC"

reset vif7.0
run env XENBUS_PATH=backend/vif/9/0 "$vifscript" online vif7.0
expect "vif online: unreadable \$XENBUS_PATH/mac fails" 1
stderr "vif online: unreadable mac says so" 1 "cannot read backend/vif/9/0/mac"

reset eth0
run env VMFENCE_VIF_MAC=06:f8:c8:00:00:09 "$vifscript" online eth0
expect "vif online: a name that is not vifD.N, no XENBUS_PATH, fails" 1
run env XENBUS_PATH=backend/vbd/7/0 "$vifscript" online vif7.0
expect "vif online: a XENBUS_PATH that is not a vif's fails" 1
run env VMFENCE_VIF_MAC=06:f8:c8:00:00 "$vifscript" online vif7.0
expect "vif online: a malformed VMFENCE_VIF_MAC fails" 1

reset vif7.0
record vifnomac '{"label": "public"}'
mkdir -p "$T/xsdir/7/vif/0" "$T/xsdir/7/vm-data/networking"
echo 06:f8:c8:00:00:09 >"$T/xsdir/7/vif/0/mac"
cp "$T/vifnomac.json" "$T/xsdir/7/vm-data/networking/06f8c8000009"
run env VMFENCE_XENSTORE_DIR="$T/xsdir" "$vifscript" online vif7.0
expect "vif online: a record without mac fails" 1
stderr "vif online: a record without mac says so" 1 'vmfence-hotplug: .*no "mac"'

run env FAKE_FAIL_DEV=vif7.0 VMFENCE_XENSTORE_DIR="$ex/xenstore" "$vifscript" online vif7.0
expect "vif online: a refusal fails" 1 "$set7"

reset vif7.0
run "$vifscript"
expect "vif: no arguments is a usage error" 2
run "$vifscript" frob vif7.0
expect "vif: an unknown action is a usage error" 2
run "$vifscript" online
expect "vif: no DEV and no \$vif is a usage error" 2
run env VMFENCE_HOTPLUG="$T/nonexistent" "$vifscript" offline vif7.0
expect "vif: vmfence-hotplug missing fails" 1
stderr "vif: vmfence-hotplug missing says so" 1 "cannot find"

# ---- libvirt/qemu ----

xml=$ex/libvirt-domain.xml
set0="port set vnet0 mac 52:54:00:aa:bb:01 ip 10.0.0.5 ip 2001:db8::5 ip 10.9.0.0/24 mode enforce label web-7"

reset vnet0 vnet1
stdin=$xml
run "$hook" web-7 started begin -
expect "libvirt started: binds the interface with metadata" 0 "$set0"
stderr "libvirt started: quiet on success" 0
if [ -s "$T/out" ]; then
	not_ok "libvirt started: wrote to stdout"
else
	ok "libvirt started: nothing on stdout"
fi
bound "libvirt started: vnet1 (no metadata) is left unbound" vnet1 -
logged "libvirt started: logs the binding and warns about vnet1" \
	"daemon.info -- vmfence-libvirt-hook: web-7: bound vnet0 mac 52:54:00:aa:bb:01 ip 10.0.0.5 ip 2001:db8::5 ip 10.9.0.0/24 mode enforce label web-7" \
	"daemon.warning -- vmfence-libvirt-hook: web-7: vnet1 (mac 52:54:00:aa:bb:02) has no vmfence:port: left unbound"

stdin=$xml
run "$hook" web-7 stopped end -
expect "libvirt stopped: unbinds every interface" 0 "$set0" \
	"-j port show vnet0" "port del vnet0" "-j port show vnet1"
bound "libvirt stopped: vnet0 is unbound" vnet0 -
logged "libvirt stopped: logs it" "web-7: unbound vnet0" \
	"web-7: vnet1 is not bound: nothing to remove"

reset
stdin=$xml
run "$hook" web-7 release end shutdown
expect "libvirt release: taps already gone is success" 0 \
	"-j port show vnet0" "-j port show vnet1"

reset vnet0 vnet1
bind vnet0 52:54:00:99:99:99
stdin=$xml
run "$hook" web-7 release end -
expect "libvirt release: vnet0 bound to another guest's MAC is left alone" 0 \
	"-j port show vnet0" "-j port show vnet1"
bound "libvirt release: the other guest keeps its binding" vnet0 52:54:00:99:99:99
logged "libvirt release: warns" "left vnet0 alone: it is bound to 52:54:00:99:99:99"

reset vnet0 vnet1
stdin=$xml
run "$hook" web-7 reconnect begin -
expect "libvirt reconnect: binds" 0 "$set0"

for op in prepare start migrate restore attach shutdown; do
	reset vnet0 vnet1
	stdin=$xml
	run "$hook" web-7 $op begin -
	if [ "$rc" = 0 ] && ! [ -s "$T/calls" ] && ! [ -s "$T/out" ] &&
	    ! [ -s "$T/err" ]; then
		ok "libvirt $op: does nothing"
	else
		not_ok "libvirt $op: rc $rc, calls $(cat "$T/calls"), out $(cat "$T/out")"
	fi
done

# Both interfaces with metadata, the second without namespace prefixes as
# "virsh metadata --set" stores them.
sed -e 's|</vmfence:port>|&\
      <port mac="52:54:00:AA:BB:02"><ip> 10.0.0.6 </ip></port>|' \
	"$xml" >"$T/two.xml"
set1="port set vnet1 mac 52:54:00:aa:bb:02 ip 10.0.0.6 label web-7"
reset vnet0 vnet1
stdin=$T/two.xml
run "$hook" web-7 started begin -
expect "libvirt started: port and ip without namespace, MAC in upper case" 0 \
	"$set0" "$set1"

reset vnet0 vnet1
stdin=$T/two.xml
run env FAKE_FAIL_DEV=vnet0 "$hook" web-7 started begin -
expect "libvirt started: vnet0 refused, vnet1 still bound, failure" 1 \
	"$set0" "$set1"
bound "libvirt started: vnet1 is bound" vnet1 52:54:00:aa:bb:02
stderr "libvirt started: the refusal in one line" 1 \
	"web-7: cannot bind vnet0: Error: Operation not permitted"
logged "libvirt started: the refusal is logged" \
	"daemon.err -- vmfence-libvirt-hook: web-7: cannot bind vnet0"

reset vnet0 vnet1
stdin=$T/two.xml
run env FAKE_FAIL_DEV=vnet0 "$hook" web-7 reconnect begin -
expect "libvirt reconnect: a failure is logged, exit 0 (else libvirt kills the guest)" 0 \
	"$set0" "$set1"
logged "libvirt reconnect: the failure is logged" "web-7: cannot bind vnet0"

reset vnet0 vnet1
bind vnet0 52:54:00:aa:bb:01
bind vnet1 52:54:00:aa:bb:02
stdin=$T/two.xml
run env FAKE_FAIL_DEV=vnet0 "$hook" web-7 stopped end -
expect "libvirt stopped: vnet0 refused, vnet1 still unbound, failure" 1 \
	"-j port show vnet0" "-j port show vnet1" "port del vnet1"

reset vnet1
stdin=$T/two.xml
run "$hook" web-7 started begin -
expect "libvirt started: a missing tap fails, the other is bound" 1 \
	"$set0" "$set1"

sed -e 's|<vmfence:ip>2001:db8::5</vmfence:ip>|<vmfence:ip>10.0.0.5/8</vmfence:ip>|' \
	"$T/two.xml" >"$T/hostbits.xml"
reset vnet0 vnet1
stdin=$T/hostbits.xml
run "$hook" web-7 started begin -
expect "libvirt started: a prefix with host bits fails that interface only" 1 "$set1"
stderr "libvirt started: host bits say so" 1 "has host bits set"

sed -e 's|mode="enforce"|mode="trusted"|' -e 's|<target dev=.vnet1./>||' \
	"$T/two.xml" >"$T/trusted.xml"
reset vnet0 vnet1
stdin=$T/trusted.xml
run "$hook" web-7 started begin -
expect "libvirt started: mode trusted; a port whose interface has no target fails" 1 \
	"port set vnet0 mac 52:54:00:aa:bb:01 ip 10.0.0.5 ip 2001:db8::5 ip 10.9.0.0/24 mode trusted label web-7"
stderr "libvirt started: no target says so" 1 "no target dev"

sed -e 's|mac="52:54:00:aa:bb:01"|mac="52:54:00:aa:bb:77"|' "$xml" >"$T/stale.xml"
reset vnet0 vnet1
stdin=$T/stale.xml
run "$hook" web-7 started begin -
expect "libvirt started: metadata for no interface binds nothing" 0
logged "libvirt started: warns about the stale vmfence:port" \
	"vmfence:port 52:54:00:aa:bb:77 matches no interface"

reset vnet0 vnet1
printf '<domain><name>web-7</name><devices>' >"$T/broken.xml"
stdin=$T/broken.xml
run "$hook" web-7 started begin -
expect "libvirt started: broken XML fails" 1
stderr "libvirt started: broken XML says so" 1 "domain XML"
stdin=$T/broken.xml
run "$hook" web-7 reconnect begin -
expect "libvirt reconnect: broken XML is logged, exit 0" 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
