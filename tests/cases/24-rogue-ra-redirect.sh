#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# Rogue routers (router_advert, redirect).  vm1 is the attacker, vm2 the
# victim (accept_ra and autoconf on), vm3 the router on a trusted port,
# whose Router Advertisements (crafted by pkt.py, radvd is not installed)
# give vm2 its SLAAC address and default route.  The attacker's RAs, plain,
# behind a hop-by-hop or destination options header, or in fragments,
# give vm2 addresses and a default route through vm1 when nothing
# protects; bound, none does.  ICMPv4 and ICMPv6 redirects would reroute
# vm2's traffic through vm1; bound, they are dropped and vm2's routes stay.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
LL1=$(vm_ll 1)
LL2=$(vm_ll 2)
LL3=$(vm_ll 3)
for k in 1 2; do
	for s in accept_ra=1 autoconf=1 accept_redirects=1 forwarding=0; do
		nsysctl "vm$k" "net.ipv6.conf.eth0.${s%=*}" "${s#*=}"
	done
	nsysctl "vm$k" net.ipv4.conf.eth0.accept_redirects 1
	nsysctl "vm$k" net.ipv4.conf.all.accept_redirects 1
done
wait_ll 1
wait_ll 2
wait_ll 3

# rogue_ra N [KEY=VALUE...]: vm1's RA for prefix 2001:db8:badN::/64, as
# a default router.
rogue_ra() {
	local n=$1
	shift
	echo "ra src_mac=$M1 src_ip=$LL1 prefix=2001:db8:bad$n::/64 lifetime=1800 $*"
}
rogue_addrs() {		# vm2's addresses in 2001:db8:badN::/64, one line
	$IP -n vm2 -o -6 addr show dev eth0 | awk '{ print $4 }' | grep '^2001:db8:bad' | sort | tr '\n' ' ' || true
}
defrouter() {		# vm2's IPv6 default routers
	$IP -n vm2 -6 route show default | grep -o 'via [0-9a-f:]*' | sort | tr '\n' ' ' | sed 's/ $//' || true
}
route_via() {		# route_via NS ADDR: the gateway NS uses for ADDR
	$IP -n "$1" route get "$2" | grep -o 'via [0-9a-f:.]*' | head -n 1 || true
}

# The RFC 7113 evasion: a destination options header long enough to push
# the ICMPv6 header out of the first fragment.
SPLIT="ra src_mac=$M1 src_ip=$LL1 dst_mac=$M2 dst_ip=$LL2 prefix=2001:db8:bad9::/64 ext=dst64"

attack "RA, plain" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 1)"
attack "RA behind a hop-by-hop header" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 2 ext=hbh)"
attack "RA behind a destination options header" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 3 ext=dst)"
attack "RA behind hop-by-hop, destination options and routing headers" vif1 router_advert vm1:eth0 vm2:eth0 \
	"$(rogue_ra 4 ext=hbh,dst,rt)"
attack "RA in an atomic fragment" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 5 ext=frag)"
attack "RA, first fragment (ICMPv6 header in it)" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 6 frag6=0:16)"
attack "RA behind a hop-by-hop header, first fragment" vif1 router_advert vm1:eth0 vm2:eth0 \
	"$(rogue_ra 7 ext=hbh,frag:0:1)"
attack "RA, unicast to vm2" vif1 router_advert vm1:eth0 vm2:eth0 "$(rogue_ra 8 dst_mac=$M2 dst_ip=$LL2)"
attack "first fragment whose header chain runs into the second (RFC 7113)" vif1 malformed vm1:eth0 vm2:eth0 \
	"$SPLIT frag6=0:32"
attack "RA from the router's link-local address" vif1 ip6_spoof vm1:eth0 vm2:eth0 \
	"ra src_mac=$M1 src_ip=$LL3 prefix=2001:db8:bad0::/64 lifetime=0"
attack "ICMPv6 redirect from its own link-local address" vif1 redirect vm1:eth0 vm2:eth0 \
	"redirect6 src_mac=$M1 dst_mac=$M2 src_ip=$LL1 dst_ip=$LL2 target=$LL1 dest=2001:db8:99::9 tll=$M1"
attack "ICMPv6 redirect behind a destination options header" vif1 redirect vm1:eth0 vm2:eth0 \
	"redirect6 src_mac=$M1 dst_mac=$M2 src_ip=$LL1 dst_ip=$LL2 target=$LL1 dest=2001:db8:99::9 ext=dst"
attack "ICMPv4 redirect from its own address" vif1 redirect vm1:eth0 vm2:eth0 \
	"redirect4 src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 2) gw=$(vm_ip4 1) orig_src=$(vm_ip4 2) orig_dst=10.9.9.9"
attack "ICMPv4 redirect in a first fragment" vif1 redirect vm1:eth0 vm2:eth0 \
	"redirect4 src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip4 1) dst_ip=$(vm_ip4 2) gw=$(vm_ip4 1) orig_src=$(vm_ip4 2) orig_dst=10.9.9.9 frag=0x2000"

# vm2's routes to 10.9.0.0/16 and 2001:db8:99::/64 go through the router.
$IP -n vm2 route add 10.9.0.0/16 via "$(vm_ip4 3)"
$IP -n vm2 -6 route add 2001:db8:99::/64 via "$LL3" dev eth0
REDIRECT4="redirect4 src_mac=$M1 dst_mac=$M2 src_ip=$(vm_ip4 3) dst_ip=$(vm_ip4 2) gw=$(vm_ip4 1) orig_src=$(vm_ip4 2) orig_dst=10.9.9.9"
REDIRECT6="redirect6 src_mac=$M1 dst_mac=$M2 src_ip=$LL3 dst_ip=$LL2 target=$LL1 dest=2001:db8:99::9 tll=$M1"
# vm2 must know vm1's MAC for the IPv4 redirect to be taken.
n2 ping -c 1 -W 5 "$(vm_ip4 1)" >/dev/null

# --- without vmfence: vm2 takes the rogue's prefixes, route, redirects ---
# The attacker plays router all the way: its NAs say so (R=1), or vm2,
# checking on its new default router, would drop it (RFC 4861 7.2.5).
nsysctl vm1 net.ipv6.conf.all.forwarding 1
expect_eq "vm2 routes 10.9.9.9 through the router" "via $(vm_ip4 3)" "$(route_via vm2 10.9.9.9)"
expect_eq "vm2 routes 2001:db8:99::9 through the router" "via $LL3" "$(route_via vm2 2001:db8:99::9)"
attacks_succeed
# The plain RA, the RAs behind a hop-by-hop or a destination options
# header, and the unicast RA give vm2 addresses; the RA from the router's
# address gives one in 2001:db8:bad0::/64.  (Linux itself ignores the RA
# behind a routing header and those in fragments, RFC 6980.)
expect_eq "no binding: the rogue RAs gave vm2 addresses" \
	"2001:db8:bad0::ff:fe00:2/64 2001:db8:bad1::ff:fe00:2/64 2001:db8:bad2::ff:fe00:2/64 2001:db8:bad3::ff:fe00:2/64 2001:db8:bad8::ff:fe00:2/64 " \
	"$(rogue_addrs)"
expect_eq "no binding: vm2's default router is vm1" "via $LL1" "$(defrouter)"
send_expect "no binding: forged ICMPv4 redirect (from the router's address) reaches vm2" arrive \
	vm1:eth0 vm2:eth0 "$REDIRECT4"
expect_eq "no binding: vm2 now routes 10.9.9.9 through vm1" "via $(vm_ip4 1)" "$(route_via vm2 10.9.9.9)"
send_expect "no binding: forged ICMPv6 redirect (from the router's address) reaches vm2" arrive \
	vm1:eth0 vm2:eth0 "$REDIRECT6"
expect_eq "no binding: vm2 now routes 2001:db8:99::9 through vm1" "via $LL1" "$(route_via vm2 2001:db8:99::9)"

nsysctl vm1 net.ipv6.conf.all.forwarding 0
nsysctl vm1 net.ipv6.conf.eth0.forwarding 0

# vm2 forgets it all: IPv6 off and on again (addresses, routes and
# neighbours go), its IPv4 routing exceptions flushed.
nsysctl vm2 net.ipv6.conf.eth0.disable_ipv6 1
nsysctl vm2 net.ipv6.conf.eth0.disable_ipv6 0
{
	echo "route flush cache"
	echo "neigh flush dev eth0"
	echo "addr add $(vm_ip6 2)/64 dev eth0 nodad"
	echo "route add 2001:db8:99::/64 via $LL3 dev eth0"
} | $IP -n vm2 -batch -
wait_ll 2
expect_eq "vm2 forgot the rogue's routes and addresses" "via $(vm_ip4 3) via $LL3 -" \
	"$(route_via vm2 10.9.9.9) $(route_via vm2 2001:db8:99::9) $(rogue_addrs)-"
n2 ping -c 1 -W 5 "$(vm_ip4 1)" >/dev/null
for k in 1 3; do $IP -n "vm$k" neigh flush dev eth0; done

bind 1
bind 2 ip 2001:db8:aaaa::/64
bind 3 mode trusted

# --- bound ---
attacks_fail
expect_eq "bound: vm2 has no address from the rogue RAs" "" "$(rogue_addrs)"
expect_eq "bound: vm2 has no default router" "" "$(defrouter)"
vt "forged ICMPv4 redirect from the router's address" vif1 drop vm1:eth0 vm2:eth0 \
	"$REDIRECT4" redirect=1
vt_run
expect_eq "bound: vm2 still routes 10.9.9.9 through the router" "via $(vm_ip4 3)" "$(route_via vm2 10.9.9.9)"
vt "forged ICMPv6 redirect from the router's address" vif1 drop vm1:eth0 vm2:eth0 \
	"$REDIRECT6" ip6_spoof=1
vt_run
expect_eq "bound: vm2 still routes 2001:db8:99::9 through the router" "via $LL3" "$(route_via vm2 2001:db8:99::9)"
# Fragments after the first have no upper-layer header to check: the
# second half of the split RA passes (alone, it is nothing).
vt "second fragment of the split RA" vif1 arrive vm1:eth0 vm2:eth0 "$SPLIT frag6=32:" passed=1
vt_run
# "multicast allow" is no licence to advertise routes.
bind 1 multicast allow
vt "RA from a port with multicast allow" vif1 drop vm1:eth0 vm2:eth0 "$(rogue_ra 1)" router_advert=1
vt_run
bind 1

# --- the router on its trusted port: SLAAC and the default route ---
$IP -n vm3 addr add 2001:db8:aaaa::3/64 dev eth0 nodad
b=$(counters vif2)
send_expect "the router's RA reaches vm2 and vm1" arrive vm3:eth0 vm2:eth0,vm1:eth0 \
	"ra src_mac=$M3 src_ip=$LL3 prefix=2001:db8:aaaa::/64 lifetime=1800"
SLAAC2=2001:db8:aaaa::ff:fe00:2
check "vm2 configured its SLAAC address $SLAAC2" has_addr vm2 "$SLAAC2/"
check "... which passes DAD" wait_dad vm2 "$SLAAC2"
expect_eq "vm2's default router is the router" "via $LL3" "$(defrouter)"
check "vm2 -> router ping, from the SLAAC address" n2 ping -c 1 -W 5 -I "$SLAAC2" 2001:db8:aaaa::3
check "router -> vm2's SLAAC address ping" n3 ping -c 1 -W 5 "$SLAAC2"
check "vm2 -> 2001:db8:99::9 goes through the router" bash -c \
	'[ "$(ip -n vm2 route get 2001:db8:99::9 | grep -o "via [0-9a-f:]*")" = "via $1" ]' _ "$LL3"
expect_counters "SLAAC, DAD and pings: vif2 passed, nothing dropped" "$b" "$(counters vif2)" passed=+
check "vm1 configured its SLAAC address too" has_addr vm1 2001:db8:aaaa::ff:fe00:1/
