# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/ops.sh: helpers for the tests of operating vmfence
# (tests/cases/9x-*.sh): apply and dump, the hotplug scripts, monitor,
# the counter files, reload.  Source it after tests/lib.sh:
#
#   . "$(dirname "$0")/../lib.sh"
#   . "$(dirname "$0")/../lib/ops.sh"
#
# Running commands:
#   capture CMD...               runs CMD (stdin /dev/null); leaves C_RC,
#                                C_OUT, C_ERR (never fails)
#   capture_in FILE CMD...       the same, with stdin from FILE
#   ops_now, ops_secs T0 T1      wall-clock seconds, for notes
#
# apply and dump (in netns "host"):
#   expect_apply NAME [--replace] FILE
#                                "vmfencectl apply" succeeds, silently
#   expect_apply_refused NAME RC REGEX [--replace] FILE
#                                it fails with exit status RC (a regex:
#                                "1|2") and one line
#                                on stderr matching the extended regex
#                                REGEX, and "dump" is byte-identical before
#                                and after
#   expect_same NAME FILE1 FILE2 the files are byte-identical
#   expect_in_force NAME FILE [subset]
#                                what "dump" shows is the document FILE
#                                (every port and bridge of it, each with
#                                every key; "subset": others may be there)
#
# monitor:
#   mon_start OUT ERR NS ARGS... vmfencectl ARGS (a monitor) in NS ("" for
#                                the initial namespace), in the background,
#                                stdout to OUT, stderr to ERR; MON_PID is
#                                its pid; returns once it listens
#   mon_stop PID                 SIGINT, then its exit status in MON_RC
#   mon_wait FILE N [SECONDS]    until FILE has N lines
#
# Python (one start each: ~1 s under TCG): ops_py CMD ARGS... runs the
# helpers of $OPS_PY (tests/lib/ops.py); ops_expect_ok NAME CMD ARGS... is a check
# that ops.py CMD exits 0 and prints exactly "OK" (rate, prom: a checker
# that crashes fails its check); opsq EXPR ARGS... is jsq with them loaded
# (through the pkt.py server: no start), e.g.
#   opsq 'doc_diff(d, "/tmp/doc.json")' dump

OPS_HOTPLUG=$REPO/ctl/hotplug
OPS_EXAMPLES=$OPS_HOTPLUG/examples
OPS_PY=$REPO/tests/lib/ops.py

ops_now() { echo "$EPOCHREALTIME"; }
ops_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

capture() {
	C_RC=0
	"$@" >"$TESTTMP/c.out" 2>"$TESTTMP/c.err" </dev/null || C_RC=$?
	C_OUT=$(<"$TESTTMP/c.out")
	C_ERR=$(<"$TESTTMP/c.err")
}

capture_in() {
	local in=$1
	shift
	C_RC=0
	"$@" >"$TESTTMP/c.out" 2>"$TESTTMP/c.err" <"$in" || C_RC=$?
	C_OUT=$(<"$TESTTMP/c.out")
	C_ERR=$(<"$TESTTMP/c.err")
}

_ops_detail() {
	printf 'exit status %s\nstdout: %s\nstderr: %s\n' "$C_RC" \
		"$(printf '%s\n' "$C_OUT" | head -n 10 | cut -c1-300)" \
		"$(printf '%s\n' "$C_ERR" | head -n 10 | cut -c1-300)"
}

expect_same() {
	local name=$1 a=$2 b=$3
	if cmp -s "$a" "$b"; then
		record ok "$name"
	else
		record FAIL "$name" "expected: $a and $b byte-identical
saw: $(diff -u "$a" "$b" 2>&1 | head -n 40)"
	fi
}

expect_apply() {
	local name=$1
	shift
	capture ctl apply "$@"
	if [ "$C_RC" = 0 ] && [ -z "$C_ERR" ] && [ -z "$C_OUT" ]; then
		record ok "$name"
	else
		record FAIL "$name" "expected: \`vmfencectl apply $*\` to succeed silently
saw: $(_ops_detail)"
	fi
}

# expect_apply_refused NAME RC REGEX [--replace] FILE
expect_apply_refused() {
	local name=$1 want_rc=$2 re=$3 bad=
	shift 3
	ctl dump >"$TESTTMP/refused.before" 2>&1 || true
	capture ctl apply "$@"
	ctl dump >"$TESTTMP/refused.after" 2>&1 || true
	[[ $C_RC =~ ^($want_rc)$ ]] || bad+="exit status $C_RC, expected $want_rc; "
	[ -z "$C_OUT" ] || bad+="output on stdout; "
	[ -n "$C_ERR" ] || bad+="nothing on stderr; "
	[[ $C_ERR != *$'\n'* ]] || bad+="more than one line on stderr; "
	grep -Eq -- "$re" <<<"$C_ERR" || bad+="stderr does not match /$re/; "
	cmp -s "$TESTTMP/refused.before" "$TESTTMP/refused.after" ||
		bad+="dump changed: $(diff -u "$TESTTMP/refused.before" "$TESTTMP/refused.after" | head -n 30); "
	if [ -z "$bad" ]; then
		record ok "$name"
		echo "     refused: $C_ERR"
	else
		record FAIL "$name" "expected: \`vmfencectl apply $*\` refused (exit $want_rc, one line /$re/), nothing changed
saw: ${bad% }
$(_ops_detail)"
	fi
}

# opsq EXPR ARGS...: jsq with the helpers of ops.py defined.
opsq() {
	local expr=$1
	shift
	jsq "exec(open('$OPS_PY').read(), globals()) or ($expr)" "$@"
}

ops_py() { $PY "$OPS_PY" "$@"; }

# ops_expect_ok NAME CMD ARGS...: ops.py CMD must exit 0 and print "OK"
# and nothing else (else its output is the failure); an exception or a
# missing module prints no "OK".  What it says on stderr (how much it
# compared) becomes a note.
ops_expect_ok() {
	local name=$1 out rc=0
	shift
	out=$(ops_py "$@" 2>"$TESTTMP/ops.err") || rc=$?
	if [ $rc = 0 ] && [ "$out" = OK ]; then
		record ok "$name"
		[ ! -s "$TESTTMP/ops.err" ] || note "$(tail -n 3 "$TESTTMP/ops.err")"
	else
		record FAIL "$name" "expected: ops.py $1 to exit 0 and print OK
saw: exit status $rc, output: $(printf '%s\n' "$out" | head -n 10)
stderr: $(tail -n 15 "$TESTTMP/ops.err")"
	fi
}

# expect_in_force NAME FILE [subset]
expect_in_force() {
	local name=$1 doc=$2 exact=True got
	[ "${3:-}" = subset ] && exact=False
	got=$(opsq "doc_diff(d, '$doc', $exact)" dump 2>&1) || true
	expect_eq "$name" "" "$got"
}

# --- monitor -------------------------------------------------------------------

# Whether process PID has a generic netlink socket that joined a group,
# seen in NS's /proc/net/netlink (its portid is its pid: autobind).
_mon_listening() {
	local ns=$1 pid=$2
	if [ -n "$ns" ]; then
		$IP netns exec "$ns" cat /proc/net/netlink
	else
		cat /proc/net/netlink
	fi | awk -v pid="$pid" '$2 == 16 && $3 == pid && $4 != "00000000" { f = 1 } END { exit !f }'
}

mon_start() {
	local out=$1 err=$2 ns=$3 i
	shift 3
	if [ -n "$ns" ]; then
		$IP netns exec "$ns" "$CTL" "$@" >"$out" 2>"$err" </dev/null &
	else
		"$CTL" "$@" >"$out" 2>"$err" </dev/null &
	fi
	MON_PID=$!
	for i in $(seq 1 100); do
		_mon_listening "$ns" "$MON_PID" && return 0
		kill -0 "$MON_PID" 2>/dev/null || return 0	# ended: its caller sees why
		sleep 0.1
	done
	note "monitor $MON_PID: no joined netlink socket seen in /proc/net/netlink after 10 s; going on"
}

mon_stop() {
	local pid=$1
	MON_RC=0
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || MON_RC=$?
}

mon_wait() {
	local file=$1 n=$2 secs=${3:-10} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(grep -c . "$file" 2>/dev/null || true)" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# bulk_doc N FILE: a document binding dummy devices d1..dN, each with its
# MAC, an IPv4 and an IPv6 address, a label and seq 1.
bulk_doc() {
	awk -v n="$1" 'BEGIN {
		printf "{\"version\": 1, \"ports\": [\n"
		for (i = 1; i <= n; i++)
			printf "{\"ifname\": \"d%d\", \"mac\": \"02:20:00:%02x:%02x:%02x\", \"label\": \"vm-%d\", \"seq\": 1, \"addrs\": [\"10.%d.%d.%d\", \"2001:db8:20::%x\"]}%s\n",
				i, int(i / 65536) % 256, int(i / 256) % 256, i % 256, i,
				100 + int(i / 65536), int(i / 256) % 256, i % 256, i, (i < n ? "," : "")
		printf "]}\n"
	}' >"$2"
}

# netns_inum NS: the inode number of NS's network namespace ("" for ours).
netns_inum() {
	if [ -n "$1" ]; then
		stat -L -c %i "/run/netns/$1"
	else
		stat -L -c %i /proc/self/ns/net
	fi
}

# port_vm NS HOSTDEV MAC [ADDR/LEN]...: a VM namespace NS whose eth0 (MAC)
# is the peer of HOSTDEV, a port of br0 in "host" (made by topo_up).
port_vm() {
	local ns=$1 dev=$2 mac=$3 a
	shift 3
	$IP netns add "$ns"
	$IP netns exec "$ns" sh -c '
		echo 0 > /proc/sys/net/ipv6/conf/default/router_solicitations'
	$IP -n host link add "$dev" type veth peer name eth0 address "$mac" netns "$ns"
	$IP -n host link set "$dev" master br0 up
	{
		echo "link set lo up"
		for a in "$@"; do
			if [[ $a == *:* ]]; then
				echo "addr add $a dev eth0 nodad"
			else
				echo "addr add $a dev eth0"
			fi
		done
		echo "link set eth0 up"
	} | $IP -n "$ns" -batch -
}

# bound_as DEV: "mac MODE label=L addrs..." of DEV's binding (addresses
# sorted), or "unbound".
bound_as() {
	jsq '"%s %s label=%s %s" % (P[0]["mac"], P[0]["mode"], P[0]["label"], " ".join(sorted(P[0]["addrs"])))' \
		-j port show "$1" 2>/dev/null || echo unbound
}

# ops_records CMD ARGS...: runs ops.py CMD, whose output is one line per
# check, "ok|FAIL<TAB>NAME<TAB>DETAIL", and records them.
ops_records() {
	local st name detail out rc=0
	out=$(ops_py "$@" 2>&1) || rc=$?
	if [ -z "$out" ]; then
		record FAIL "ops.py $1" "ops.py $* printed nothing (exit status $rc)"
		return 0
	fi
	# A checker that crashed after some lines: those stand, and it fails.
	[ $rc = 0 ] || record FAIL "ops.py $1 ran to its end" "exit status $rc: $(tail -n 15 <<<"$out")"
	while IFS=$'\t' read -r st name detail; do
		case $st in
		ok) record ok "$name" ;;
		FAIL) record FAIL "$name" "$detail" ;;
		*) record FAIL "ops.py $1" "ops.py: $st $name $detail" ;;
		esac
	done <<<"$out"
}

# events_expect FILE SPECFILE: one check per line of SPECFILE
# ("NAME<TAB>COUNT<TAB>KEY=VALUE ...", see ops.py events-expect) against
# the monitor -j output FILE.
events_expect() { ops_records events-expect "$1" "$2"; }

# ctlns NS ARGS...: vmfencectl ARGS in NS ("" for the initial namespace).
ctlns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		$IP netns exec "$ns" "$CTL" "$@"
	else
		"$CTL" "$@"
	fi
}

# snap FILE: "-j stats", "-j port show" and "-j bridge show" of every
# namespace (the initial one and those of "ip netns"), each after a line
# "== NAME INUM" (ops.py read_snap).
snap() {
	local ns
	for ns in "" $($IP netns list | awk '{ print $1 }'); do
		echo "== $ns $(netns_inum "$ns")"
		ctlns "$ns" -j stats
		echo
		ctlns "$ns" -j port show
		echo
		ctlns "$ns" -j bridge show
		echo
	done >"$1"
}
