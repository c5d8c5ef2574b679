#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (vmfencectl's own refusals are userspace; the kernel's are 65's and 86's, run on the debug kernel; Debian's kernel runs it)
# Bad input to vmfencectl is refused: non-zero exit, one line on stderr
# ("Error: ..." from the kernel, "vmfencectl: ..." from the tool), and the
# bindings in force stay exactly as they were.
. "$(dirname "$0")/../lib.sh"

topo_up 2
ctl port set vif1 mac "$(vm_mac 1)" ip 10.0.0.1 ip 10.1.0.0/24 ip 2001:db8::1 label vm-one seq 5
bind 2
$IP -n host link add notbridged type dummy
M=$(vm_mac 1)

expect_refused "unknown device" port set nosuchdev mac "$M" ip 10.0.0.1
expect_refused "malformed MAC (bad digit)" port set vif1 mac 02:00:00:00:00:zz ip 10.0.0.1
expect_refused "malformed MAC (five bytes)" port set vif1 mac 02:00:00:00:00 ip 10.0.0.1
expect_refused "malformed MAC (seven bytes)" port set vif1 mac 02:00:00:00:00:01:02 ip 10.0.0.1
expect_refused "multicast MAC" port set vif1 mac 01:00:5e:00:00:01 ip 10.0.0.1
expect_refused "all-zero MAC" port set vif1 mac 00:00:00:00:00:00 ip 10.0.0.1
expect_refused "IPv4 prefix length 33" port set vif1 mac "$M" ip 10.0.0.0/33
expect_refused "IPv6 prefix length 129" port set vif1 mac "$M" ip 2001:db8::/129
expect_refused "negative prefix length" port set vif1 mac "$M" ip 10.0.0.0/-1
expect_refused "malformed IPv4 address" port set vif1 mac "$M" ip 10.0.0.300
expect_refused "malformed IPv6 address" port set vif1 mac "$M" ip 2001:db8:::1
expect_refused "host bits beyond the prefix" port set vif1 mac "$M" ip 10.0.0.1/24
expect_refused "missing mac" port set vif1 ip 10.0.0.1
expect_refused "mac without a value" port set vif1 mac
expect_refused "unknown mode" port set vif1 mac "$M" mode paranoid
expect_refused "unknown keyword" port set vif1 mac "$M" colour blue
expect_refused "label too long (64 bytes)" port set vif1 mac "$M" label "$(printf 'x%.0s' $(seq 1 64))"
expect_refused "stale seq (equal)" port set vif1 mac "$M" ip 10.0.0.1 seq 5
expect_refused "stale seq (lower)" port set vif1 mac "$M" ip 10.0.0.1 seq 4
expect_refused "seq not a number" port set vif1 mac "$M" seq five
expect_refused -m "2\^53" "seq past 2^53 (what a document can carry)" port set vif1 mac "$M" ip 10.0.0.1 seq 9007199254740993
expect_refused "port del of an unknown device" port del nosuchdev
expect_refused "port del of an unbound device" port del notbridged
expect_refused "addr add of a bound address" port addr add vif1 10.0.0.1
expect_refused "addr add inside a bound prefix, same prefix" port addr add vif1 10.1.0.0/24
expect_refused "addr del of an unbound address" port addr del vif1 10.9.9.9
expect_refused "addr add with prefix length 33" port addr add vif1 10.0.0.0/33
expect_refused "addr add to an unknown device" port addr add nosuchdev 10.0.0.1
expect_refused "stats of an unknown device" stats nosuchdev
expect_refused "stats reset of an unknown device" stats reset nosuchdev
expect_refused "unknown command" frobnicate
expect_refused "unknown port subcommand" port frob vif1

expect_eq "after all that: vif1's binding as first set" \
	"$(vm_mac 1) enforce vm-one 5 10.0.0.1 10.1.0.0/24 2001:db8::1" \
	"$(jsq '" ".join([P[0]["mac"], P[0]["mode"], P[0]["label"], str(P[0]["seq"])] + sorted(P[0]["addrs"]))' -j port show vif1)"

# Error text: the kernel's extended ACK, or the tool's own.
err=$(ctl port set vif1 mac "$M" ip 10.0.0.1 seq 5 2>&1 >/dev/null || true)
check "stale seq: the message says why ($err)" bash -c '[[ $1 == "Error: "* || $1 == "vmfencectl: "* ]]' _ "$err"
err=$(ctl port set vif1 mac 02:00:00:00:00:zz 2>&1 >/dev/null || true)
check "bad MAC: the message is one prefixed line ($err)" bash -c '[[ $1 == "Error: "* || $1 == "vmfencectl: "* ]]' _ "$err"

# -n NETNS that cannot be entered: one line that names it, exit status 1
# (a failure, not a usage error), and nothing done in any namespace.
expect_refused -m '^vmfencectl: cannot open network namespace "nosuchns": No such file or directory$' \
	"-n of an unknown namespace" -n nosuchns port set vif1 mac "$M" ip 10.0.0.9
expect_eq "-n of an unknown namespace: exit status 1" 1 \
	"$(ctl -n nosuchns port show >/dev/null 2>&1 || echo $?)"
expect_refused -m '^vmfencectl: cannot open network namespace "/run/netns/nosuchns": No such file or directory$' \
	"-n of an unknown namespace path" -n /run/netns/nosuchns port del vif1
echo "not a namespace" >"$TESTTMP/notns"
expect_refused -m '^vmfencectl: cannot enter network namespace ".*/notns": not a network namespace$' \
	"-n of a file that is not a namespace" -n "$TESTTMP/notns" port del vif1
expect_refused -m '^vmfencectl: -n needs a value' "-n without a value" -n
