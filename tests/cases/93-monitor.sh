#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmfencectl monitor: refused without CAP_NET_ADMIN (nobody, and root
# without it); as root, one event per dropped frame with the right reason
# and what the frame carried, in JSON and text, and none for frames that
# pass (nor before the port is bound); a monitor in another namespace sees
# none; --count N ends it after N; SIGINT and SIGTERM end it with status 0.
# (The rate limits: 94-monitor-rate.sh.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ops.sh"

D=$TESTTMP
PARAMS=/sys/module/vmfence/parameters

topo_up 3
to4() { udp4 "$1" "$2" "dst_ip=$(vm_ip4 "$2") ${*:3}"; }
ns_dropped() { jsq 'd["total"]["dropped"]' -j stats; }

expect_eq "module parameters: event_rate 10, event_rate_total 1000 by default" "10 1000" \
	"$(cat "$PARAMS/event_rate") $(cat "$PARAMS/event_rate_total")"

# --- who may listen ----------------------------------------------------------------
# nobody needs to reach the binary: a copy in a directory anyone may enter.
chmod 0755 "$D"
install -d -m 0755 "$D/pub"
install -m 0755 "$CTL" "$D/pub/vmfencectl"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
capture timeout 20 $IP netns exec host "${NOBODY[@]}" "$D/pub/vmfencectl" monitor --count 1
expect_eq "monitor as nobody: refused at once, exit 1, one line, nothing on stdout" "1 1 0" \
	"$C_RC $(grep -c . <<<"$C_ERR") $(grep -c . <<<"$C_OUT")"
check "... saying CAP_NET_ADMIN is needed ($C_ERR)" grep -q CAP_NET_ADMIN <<<"$C_ERR"
capture timeout 20 $IP netns exec host setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
	"$D/pub/vmfencectl" monitor --count 1
expect_eq "monitor as root without CAP_NET_ADMIN: refused at once, exit 1, one line, nothing on stdout" "1 1 0" \
	"$C_RC $(grep -c . <<<"$C_ERR") $(grep -c . <<<"$C_OUT")"
check "... saying CAP_NET_ADMIN is needed ($C_ERR)" grep -q CAP_NET_ADMIN <<<"$C_ERR"
bind 1 label vm-one
capture $IP netns exec host "${NOBODY[@]}" "$D/pub/vmfencectl" -j port show
expect_eq "port show as nobody: allowed (open to everyone)" "0 1" "$C_RC $(grep -c '"ifname":"vif1"' <<<"$C_OUT")"
capture $IP netns exec host "${NOBODY[@]}" "$D/pub/vmfencectl" stats
expect_eq "stats as nobody: allowed" 0 "$C_RC"
capture $IP netns exec host "${NOBODY[@]}" "$D/pub/vmfencectl" dump
expect_eq "dump as nobody: allowed" 0 "$C_RC"
ctl port del vif1

# --- events and what they say ---------------------------------------------------------
mon_start "$D/m.json" "$D/m.err" host -j monitor
MJ=$MON_PID
mon_start "$D/m.txt" "$D/mt.err" host monitor
MT=$MON_PID
mon_start "$D/m0.json" "$D/m0.err" "" -j monitor	# the initial namespace
M0=$MON_PID

send_expect "unbound: vm1's forged frame reaches vm2" arrive vm1:eth0 vm2:eth0 \
	"$(to4 1 2 src_ip=10.0.0.99 sport=1234 dport=5678)"
sleep 0.5
expect_eq "unbound: no event for it" 0 "$(grep -c . "$D/m.json" || true)"
# vm2 answered 10.0.0.99 and is still asking who that is: its ARP retries
# would be dropped towards vm1 (not_for_port) once vm1 is bound.
$IP -n vm2 neigh flush all

bind 1 label vm-one
bind 2 label vm-two
b=$(ns_dropped)
send_expect "vm1's own traffic passes" arrive vm1:eth0 vm2:eth0 "$(to4 1 2 sport=4444)"
send_expect "ip4_spoof" drop vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.99 sport=1234 dport=5678)"
send_expect "mac_spoof" drop vm1:eth0 vm2:eth0 "$(to4 1 2 src_mac=02:00:00:00:00:66)"
send_expect "ip6_spoof" drop vm1:eth0 vm2:eth0 "udp src_mac=$(vm_mac 1) dst_mac=$(vm_mac 2) src_ip=2001:db8::99 dst_ip=$(vm_ip6 2) sport=1 dport=2"
send_expect "arp_spoof" drop vm1:eth0 vm2:eth0 "arp op=request src_mac=$(vm_mac 1) spa=10.0.0.77 tpa=10.0.0.2"
send_expect "router_advert" drop vm1:eth0 vm2:eth0 "ra src_mac=$(vm_mac 1) src_ip=$(vm_ll 1)"
send_expect "dhcp_server" drop vm1:eth0 vm2:eth0 "dhcp4 msg=offer src_mac=$(vm_mac 1) src_ip=10.0.0.1 dst_mac=$(vm_mac 2)"
send_expect "ethertype" drop vm1:eth0 vm2:eth0 "eth src_mac=$(vm_mac 1) dst_mac=$(vm_mac 2) ethertype=0x88b5"
send_expect "not_for_port (towards vm2, from unbound vm3)" drop vm3:eth0 vm2:eth0 "$(to4 3 2 dst_ip=10.0.0.102)"
ctl bridge set br0 unbound drop
send_expect "unbound (vm3 on a drop bridge)" drop vm3:eth0 vm1:eth0 "$(to4 3 1)"
ctl bridge set br0 unbound pass
a=$(ns_dropped)
n=$((a - b))
mon_wait "$D/m.json" "$n" 5 || true
mon_wait "$D/m.txt" "$n" 5 || true
sleep 0.5
expect_eq "one event per dropped frame ($n dropped)" "$n" "$(grep -c . "$D/m.json" || true)"
expect_eq "text monitor: one line per dropped frame" "$n" "$(grep -c . "$D/m.txt" || true)"

IDX1=$(jsq 'P[0]["ifindex"]' -j port show vif1)
KEYS=time,ifname,ifindex,label,reason,suppressed,eth_src,eth_dst,ethertype,src,dst,proto,sport,dport
M1=$(vm_mac 1) M2=$(vm_mac 2)
{
	printf 'ip4_spoof: every field\t1\tkeys=%s ifname=vif1 ifindex=%s label=vm-one reason=ip4_spoof suppressed=0 eth_src=%s eth_dst=%s ethertype=0x0800 src=10.0.0.99 dst=10.0.0.2 proto=udp sport=1234 dport=5678\n' "$KEYS" "$IDX1" "$M1" "$M2"
	printf 'mac_spoof event\t1\tifname=vif1 reason=mac_spoof eth_src=02:00:00:00:00:66 src=10.0.0.1\n'
	printf 'ip6_spoof event\t1\tifname=vif1 reason=ip6_spoof ethertype=0x86dd src=2001:db8::99 dst=2001:db8::2 proto=udp sport=1 dport=2\n'
	printf 'arp_spoof event\t1\tifname=vif1 reason=arp_spoof ethertype=0x0806 eth_dst=ff:ff:ff:ff:ff:ff src=10.0.0.77 dst=10.0.0.2 proto=- sport=-\n'
	printf 'router_advert event\t1\tifname=vif1 reason=router_advert src=%s dst=ff02::1 proto=icmpv6 icmp_type=134 eth_dst=33:33:00:00:00:01\n' "$(vm_ll 1)"
	printf 'dhcp_server event\t1\tifname=vif1 reason=dhcp_server src=10.0.0.1 proto=udp sport=67 dport=68\n'
	printf 'ethertype event\t1\tifname=vif1 reason=ethertype ethertype=0x88b5 src=- dst=- proto=-\n'
	printf 'not_for_port event: on vif2, the receiver\t1\tifname=vif2 label=vm-two reason=not_for_port eth_src=%s dst=10.0.0.102\n' "$(vm_mac 3)"
	printf 'unbound event: on vif3, no label\t1\tifname=vif3 label=- reason=unbound src=10.0.0.3 dst=10.0.0.1\n'
	printf 'no event for the frame that passed\t0\tsport=4444\n'
} >"$D/spec"
events_expect "$D/m.json" "$D/spec"
check "event time is now (UTC, microseconds)" bash -c '
	t=$(grep -m1 ip4_spoof "$1" | grep -o "\"time\":\"[^\"]*\"" | cut -d\" -f4)
	[[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]] || exit 1
	d=$(( $(date -u +%s) - $(date -u -d "${t%.*}" +%s) ))
	[ "$d" -ge 0 ] && [ "$d" -lt 120 ]' _ "$D/m.json"

T='^[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z '
check "text: ip4_spoof line" grep -Eq "${T}vif1 \(vm-one\) ip4_spoof from $M1 to $M2 10\.0\.0\.99 -> 10\.0\.0\.2 udp 1234 -> 5678\$" "$D/m.txt"
check "text: router_advert line" grep -Eq "${T}vif1 \(vm-one\) router_advert from $M1 to 33:33:00:00:00:01 $(vm_ll 1) -> ff02::1 icmpv6 type 134\$" "$D/m.txt"
check "text: arp_spoof line" grep -Eq "${T}vif1 \(vm-one\) arp_spoof from $M1 to ff:ff:ff:ff:ff:ff arp 10\.0\.0\.77 -> 10\.0\.0\.2\$" "$D/m.txt"
check "text: ethertype line" grep -Eq "${T}vif1 \(vm-one\) ethertype from $M1 to $M2 ethertype 0x88b5\$" "$D/m.txt"
check "text: unbound line" grep -Eq "${T}vif3 unbound from $(vm_mac 3) to $M1 10\.0\.0\.3 -> 10\.0\.0\.1 udp 40000 -> 9\$" "$D/m.txt"

expect_eq "a monitor in another namespace sees none of them" 0 "$(grep -c . "$D/m0.json" || true)"
mon_stop "$MJ"
expect_eq "SIGINT ends monitor -j with status 0" 0 "$MON_RC"
kill -TERM "$MT" 2>/dev/null || true
MON_RC=0
wait "$MT" 2>/dev/null || MON_RC=$?
expect_eq "SIGTERM ends monitor with status 0" 0 "$MON_RC"
mon_stop "$M0"
expect_eq "monitors wrote nothing on stderr" "" "$(cat "$D/m.err" "$D/mt.err" "$D/m0.err")"

# --count
mon_start "$D/c.json" "$D/c.err" host -j monitor --count 2
MC=$MON_PID
for i in 1 2 3; do
	send_expect "--count 2: forged frame $i dropped" drop vm1:eth0 vm2:eth0 "$(to4 1 2 src_ip=10.0.0.9$i)"
done
rc=0
timeout 10 tail --pid="$MC" -f /dev/null || rc=$?
MON_RC=0
wait "$MC" 2>/dev/null || MON_RC=$?
expect_eq "monitor --count 2: ended by itself after 2 events, status 0" "0 0 2" "$rc $MON_RC $(grep -c . "$D/c.json")"
