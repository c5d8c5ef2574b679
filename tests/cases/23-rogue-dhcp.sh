#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel: skip (an attack table: its frames go through the parsers that 87's packet fuzzer feeds on the debug kernel; Debian's kernel runs it)
# Rogue DHCP (dhcp_server, dhcp6_server) and other VMs' DHCP requests
# (dhcp_snoop).  vm1 is the attacker, vm2 the victim, a DHCP client
# (busybox udhcpc) and a DHCPv6 client (pkt.py dhcp6-client, a process of
# its own in vm2's namespace: it configures the address it is leased),
# vm3 the DHCP server (busybox udhcpd) and DHCPv6 server (pkt.py
# dhcp-rogue --v6 at vm3's own interface) on a trusted port.  The attacker
# runs a DHCP server of its own (busybox udhcpd), and rogues that know
# every transaction (pkt.py dhcp-rogue, and --v6: they read the victim's
# DISCOVERs and REQUESTs, or SOLICITs and REQUESTs, at the victim's own
# interface and answer from vm1 with the right xid).  Without vmfence the
# victim takes the rogues' addresses (and gateway); with it, the rogues
# never see a request (dhcp_snoop) and their answers are dropped
# (dhcp_server, dhcp6_server), the victim gets nothing from them, and its
# leases from the real servers.  Then rogue DHCPv4/v6 answers crafted
# frame by frame, and other VMs' requests.
. "$(dirname "$0")/../lib.sh"

topo_up 3
M1=$(vm_mac 1)
M2=$(vm_mac 2)
M3=$(vm_mac 3)
LL1=$(vm_ll 1)
LL2=$(vm_ll 2)
LL3=$(vm_ll 3)
BCAST=ff:ff:ff:ff:ff:ff
LEGIT=10.0.0.52		# vm3's static lease for vm2
ROGUE=10.0.0.201	# what the rogues offer
REAL6=2001:db8::52	# what vm3's DHCPv6 server leases
ROGUE6=2001:db8::201	# what the DHCPv6 rogue leases
wait_ll 1
wait_ll 2

# udhcpd configuration: udhcpd_conf NAME START END ROUTER [STATIC-IP]
udhcpd_conf() {
	{
		echo "interface eth0"
		echo "start $2"
		echo "end $3"
		echo "max_leases 10"
		echo "lease_file $TESTTMP/$1.leases"
		echo "pidfile $TESTTMP/$1.pid"
		echo "option subnet 255.255.255.0"
		echo "option router $4"
		echo "option lease 3600"
		[ -z "${5:-}" ] || echo "static_lease $M2 $5"
	} >"$TESTTMP/$1.conf"
	: >"$TESTTMP/$1.leases"
}
udhcpd_conf legit 10.0.0.50 10.0.0.59 "$(vm_ip4 3)" "$LEGIT"
udhcpd_conf rogue 10.0.0.201 10.0.0.201 "$(vm_ip4 1)"

# The victim's udhcpc script: configures the address, records the lease.
cat >"$TESTTMP/udhcpc.sh" <<EOF
#!/bin/sh
case \$1 in
deconfig) $IP addr flush dev \$interface scope global ;;
bound|renew)
	$IP addr add \$ip/\${mask:-24} dev \$interface
	echo "\$ip router \${router:-none}" >$TESTTMP/lease ;;
esac
exit 0
EOF
chmod +x "$TESTTMP/udhcpc.sh"

# dhcp_client [TRIES [SECONDS]]: vm2 asks for a lease (TRIES DISCOVERs,
# default 3, SECONDS apart, default 2); prints "ADDRESS router ROUTER",
# or "no lease".
dhcp_client() {
	rm -f "$TESTTMP/lease"
	if n2 busybox udhcpc -i eth0 -n -q -t "${1:-3}" -T "${2:-2}" -s "$TESTTMP/udhcpc.sh" \
		>>"$TESTTMP/udhcpc.log" 2>&1 &&
	   [ -s "$TESTTMP/lease" ]; then
		cat "$TESTTMP/lease"
	else
		echo "no lease"
	fi
}
UDHCPD_PIDS=()
udhcpd_start() {	# udhcpd_start K NAME
	n "vm$1" busybox udhcpd -f -a 100 "$TESTTMP/$2.conf" >>"$TESTTMP/udhcpd-$2.log" 2>&1 &
	UDHCPD_PIDS+=($!)
	for _ in $(seq 1 50); do
		$IP netns exec "vm$1" ss -Hlun 'sport = :67' | grep -q . && return 0
		sleep 0.1
	done
	echo "udhcpd on vm$1 did not start" >&2
	return 1
}
udhcpd_stop() {
	local p
	for p in "${UDHCPD_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	UDHCPD_PIDS=()
}
rogue_start() {		# pkt.py's rogue, in a thread of the pkt.py server
	pkt dhcp-rogue --listen vm2:eth0 --from vm1:eth0 --src-mac "$M1" \
		--server "$(vm_ip4 1)" --yiaddr "$ROGUE" --router "$(vm_ip4 1)" \
		--duration 60 --background rogue
}
rogue_stop() {		# what it answered: $TESTTMP/rogue.out
	pkt bg-stop rogue >"$TESTTMP/rogue.out"
}
# dhcp6_client [TRIES [SECONDS [IF]]]: pkt.py's DHCPv6 client runs at vm2
# (in vm2's namespace, on IF, default eth0: TRIES SOLICITs, default 3,
# SECONDS apart, default 2, then as many REQUESTs to the server that
# answered); it configures the leased address (/128, nodad) and prints
# "lease ADDRESS from SERVER", or "no lease".  A client that fails (exit
# status not 0, a crash included) prints "client failed (exit N): ...":
# never "no lease".
dhcp6_client() {
	local out rc=0
	out=$(n2 $PY "$PKT" dhcp6-client --on "${3:-eth0}" --mac "$M2" --tries "${1:-3}" \
		--timeout "${2:-2}" 2>>"$TESTTMP/dhcp6-client.log") || rc=$?
	if [ $rc = 0 ]; then
		printf '%s\n' "$out"
	else
		echo "client failed (exit $rc): $(tail -n 1 "$TESTTMP/dhcp6-client.log")"
	fi
}
rogue6_start() {	# pkt.py's DHCPv6 rogue: reads vm2's interface, answers from vm1
	pkt dhcp-rogue --v6 --listen vm2:eth0 --from vm1:eth0 --src-mac "$M1" \
		--yiaddr6 "$ROGUE6" --duration 60 --background rogue6
}
rogue6_stop() {		# what it answered: $TESTTMP/rogue6.out
	pkt bg-stop rogue6 >"$TESTTMP/rogue6.out"
}
server6_start() {	# the real DHCPv6 server: the same code, at vm3's own interface
	pkt dhcp-rogue --v6 --listen vm3:eth0 --from vm3:eth0 --src-mac "$M3" \
		--yiaddr6 "$REAL6" --duration 60 --background server6
}
server6_stop() {	# what it answered: $TESTTMP/server6.out
	pkt bg-stop server6 >"$TESTTMP/server6.out"
}
vm2_static() {		# vm2 back to its static addresses
	$IP -n vm2 addr flush dev eth0 scope global
	$IP -n vm2 addr add "$(vm_ip4 2)/24" dev eth0
	$IP -n vm2 addr add "$(vm_ip6 2)/64" dev eth0 nodad
}

# Crafted: rogue answers from vm1, and other VMs' requests towards vm1.
D="src_mac=$M1 src_ip=$(vm_ip4 1)"
attack "rogue DHCP OFFER, broadcast" vif1 dhcp_server vm1:eth0 vm2:eth0,vm3:eth0 \
	"dhcp4 msg=offer $D dst_mac=$BCAST yiaddr=$ROGUE router=$(vm_ip4 1)"
attack "rogue DHCP ACK, to vm2" vif1 dhcp_server vm1:eth0 vm2:eth0 \
	"dhcp4 msg=ack $D dst_mac=$M2 dst_ip=$(vm_ip4 2) yiaddr=$(vm_ip4 2) router=$(vm_ip4 1)"
attack "rogue DHCP NAK, broadcast" vif1 dhcp_server vm1:eth0 vm2:eth0 \
	"dhcp4 msg=nak $D dst_mac=$BCAST"
attack "rogue DHCP OFFER from the server's address" vif1 ip4_spoof vm1:eth0 vm2:eth0 \
	"dhcp4 msg=offer src_mac=$M1 src_ip=$(vm_ip4 3) dst_mac=$BCAST yiaddr=$ROGUE"
attack "UDP from port 67 to port 9" vif1 dhcp_server vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 sport=67 dport=9)"
attack "UDP from port 5555 to the client port 68" vif1 dhcp_server vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 sport=5555 dport=68)"
attack "UDP from port 67 to port 68 in an IPv4 first fragment" vif1 dhcp_server vm1:eth0 vm2:eth0 \
	"$(udp4 1 2 sport=67 dport=68 frag=0x2000)"
attack "rogue DHCPv6 ADVERTISE, to vm2" vif1 dhcp6_server vm1:eth0 vm2:eth0 \
	"dhcp6 msg=advertise src_mac=$M1 src_ip=$LL1 dst_mac=$M2 dst_ip=$LL2 addr=2001:db8::bad"
attack "rogue DHCPv6 REPLY, to vm2" vif1 dhcp6_server vm1:eth0 vm2:eth0 \
	"dhcp6 msg=reply src_mac=$M1 src_ip=$LL1 dst_mac=$M2 dst_ip=$LL2 addr=2001:db8::bad"
attack "rogue DHCPv6 ADVERTISE behind a hop-by-hop and a destination options header" vif1 dhcp6_server \
	vm1:eth0 vm2:eth0 \
	"dhcp6 msg=advertise src_mac=$M1 src_ip=$LL1 dst_mac=$M2 dst_ip=$LL2 addr=2001:db8::bad ext=hbh,dst"
attack "rogue DHCPv6 ADVERTISE to all nodes" vif1 dhcp6_server vm1:eth0 vm2:eth0,vm3:eth0 \
	"dhcp6 msg=advertise src_mac=$M1 src_ip=$LL1 dst_ip=ff02::1 addr=2001:db8::bad"
attack "DHCPv6 RELAY-FORW (547 -> 547), to the servers' group" vif1 dhcp6_server vm1:eth0 vm3:eth0 \
	"dhcp6 msg=relay-forw src_mac=$M1 src_ip=$LL1"
attack "UDP from port 547 to port 9" vif1 dhcp6_server vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 sport=547 dport=9)"
attack "UDP from port 5555 to the DHCPv6 client port 546" vif1 dhcp6_server vm1:eth0 vm2:eth0 \
	"$(udp6 1 2 sport=5555 dport=546)"
# dhcp_snoop: vm2's requests are not delivered to vm1's port.
attack "vm2's DHCP DISCOVER towards vm1" vif1 dhcp_snoop vm2:eth0 vm1:eth0 \
	"dhcp4 msg=discover src_mac=$M2"
attack "vm2's DHCP REQUEST unicast to vm1" vif1 dhcp_snoop vm2:eth0 vm1:eth0 \
	"dhcp4 msg=request src_mac=$M2 src_ip=$(vm_ip4 2) dst_mac=$M1 dst_ip=$(vm_ip4 1) ciaddr=$(vm_ip4 2)"
attack "vm2's DHCPv6 SOLICIT towards vm1" vif1 dhcp_snoop vm2:eth0 vm1:eth0 \
	"dhcp6 msg=solicit src_mac=$M2 src_ip=$LL2"
attack "vm2's DHCPv6 REQUEST unicast to vm1" vif1 dhcp_snoop vm2:eth0 vm1:eth0 \
	"dhcp6 msg=request src_mac=$M2 src_ip=$(vm_ip6 2) dst_mac=$M1 dst_ip=$(vm_ip6 1)"

# --- without vmfence: the rogues win ---
attacks_succeed
$IP -n vm2 addr flush dev eth0 scope global
udhcpd_start 1 rogue
expect_eq "no binding: vm2 takes a lease from vm1's udhcpd" "$ROGUE router $(vm_ip4 1)" "$(dhcp_client)"
check "no binding: vm2 has the rogue address" has_addr vm2 "$ROGUE/"
udhcpd_stop
$IP -n vm2 addr flush dev eth0 scope global
rogue_start
expect_eq "no binding: vm2 takes a lease from pkt.py's rogue" "$ROGUE router $(vm_ip4 1)" "$(dhcp_client)"
rogue_stop
check "no binding: pkt.py's rogue answered the DISCOVER" grep -q 'answered offer' "$TESTTMP/rogue.out"
check "no binding: pkt.py's rogue answered the REQUEST" grep -q 'answered ack' "$TESTTMP/rogue.out"
vm2_static
# DHCPv6: vm2's client takes the v6 rogue's address (the "no lease" and
# "no rogue address" checks below fail here).
rogue6_start
expect_eq "no binding: vm2's DHCPv6 client takes a lease from pkt.py's v6 rogue" \
	"lease $ROGUE6 from $LL1" "$(dhcp6_client)"
rogue6_stop
check "no binding: pkt.py's v6 rogue answered the SOLICIT" grep -q 'answered advertise' "$TESTTMP/rogue6.out"
check "no binding: pkt.py's v6 rogue answered the REQUEST" grep -q 'answered reply' "$TESTTMP/rogue6.out"
check "no binding: vm2 has the v6 rogue's address" has_addr vm2 "$ROGUE6/"
vm2_static

bind 1
bind 2 ip "$LEGIT" ip "$REAL6"
bind 3 mode trusted

# --- bound ---
attacks_fail
# The rogues alone: no lease at all.
$IP -n vm2 addr flush dev eth0 scope global
b=$(counters vif1)
udhcpd_start 1 rogue
rogue_start
watch_start vm1:eth0
expect_eq "rogue servers only: vm2 gets no lease (3 DISCOVERs)" "no lease" "$(dhcp_client 3 1)"
watch_check "rogue servers only: vm2's DISCOVERs never reach vm1" vm1:eth0 \
	"eth_src=$M2 dport=67" drop
rogue_stop
udhcpd_stop
expect_counters "rogue servers only: vif1 dhcp_snoop (vm2's requests) and dhcp_server (the answers)" \
	"$b" "$(counters vif1)" dhcp_snoop=+ dhcp_server=+
check "rogue servers only: pkt.py's rogue did answer" grep -q 'answered offer' "$TESTTMP/rogue.out"
expect_fail "rogue servers only: vm2 has no rogue address" has_addr vm2 "$ROGUE/"
# The DHCPv6 rogue alone: no lease.  What moves at vif1, once for each of
# the client's 3 SOLICITs (one transaction, each seen by the rogue at
# vm2's interface): dhcp_snoop (the SOLICIT to ff02::1:2, flooded towards
# vm1, dropped on its way out to vif1) and dhcp6_server (the rogue's
# ADVERTISE to vm2, dropped as it comes in from vif1).  No ADVERTISE
# arrives, so no REQUEST follows; nothing else moves.
b=$(counters vif1)
rogue6_start
watch_start vm1:eth0
expect_eq "rogue DHCPv6 server only: vm2's DHCPv6 client gets no lease (3 SOLICITs)" \
	"no lease" "$(dhcp6_client 3 1)"
watch_check "rogue DHCPv6 server only: vm2's SOLICITs never reach vm1" vm1:eth0 \
	"eth_src=$M2 dport=547" drop
rogue6_stop
expect_counters "rogue DHCPv6 server only: vif1 dhcp_snoop (vm2's 3 SOLICITs) and dhcp6_server (the 3 ADVERTISEs)" \
	"$b" "$(counters vif1)" dhcp_snoop=3 dhcp6_server=3
check "rogue DHCPv6 server only: pkt.py's v6 rogue did answer, 3 times" \
	grep -qx 'answered: advertise advertise advertise' "$TESTTMP/rogue6.out"
expect_fail "rogue DHCPv6 server only: vm2 has no rogue address" has_addr vm2 "$ROGUE6/"
# And a client that fails (here: on an interface vm2 does not have) is
# not read as "no lease".
expect_eq "a DHCPv6 client that fails is not \"no lease\"" "client failed (exit 2)" \
	"$(dhcp6_client 1 1 nosuch | cut -d: -f1)"
# The real server on a trusted port, the rogues still at work.
udhcpd_start 3 legit
udhcpd_start 1 rogue
rogue_start
b2=$(counters vif2)
expect_eq "with the real server: vm2's lease is the real one" "$LEGIT router $(vm_ip4 3)" "$(dhcp_client)"
expect_counters "with the real server: vif2 passed its DISCOVER and REQUEST, nothing dropped" \
	"$b2" "$(counters vif2)" passed=+
rogue_stop
udhcpd_stop
check "with the real server: vm2 has the address" has_addr vm2 "$LEGIT/"
expect_fail "with the real server: vm2 has no rogue address" has_addr vm2 "$ROGUE/"
check "vm2 (DHCP address) -> vm3 ping" n2 ping -c 1 -W 5 "$(vm_ip4 3)"
check "vm3 -> vm2 (DHCP address) ping" n3 ping -c 1 -W 5 "$LEGIT"
check "vm1 -> vm2 (DHCP address) ping" n1 ping -c 1 -W 5 "$LEGIT"
# DHCPv6, the real server on the trusted port, the rogue still at work
# (vm2 with its static addresses again: the route to vm3's).
vm2_static
server6_start
rogue6_start
b2=$(counters vif2)
expect_eq "with the real DHCPv6 server: vm2's lease is the real one" \
	"lease $REAL6 from $LL3" "$(dhcp6_client)"
expect_counters "with the real DHCPv6 server: vif2 passed its SOLICIT and REQUEST, nothing dropped" \
	"$b2" "$(counters vif2)" passed=+
rogue6_stop
server6_stop
check "with the real DHCPv6 server: the v6 rogue was at work" grep -q 'answered advertise' "$TESTTMP/rogue6.out"
check "with the real DHCPv6 server: vm2 has the address" has_addr vm2 "$REAL6/"
expect_fail "with the real DHCPv6 server: vm2 has no rogue address" has_addr vm2 "$ROGUE6/"
check "vm3 -> vm2 (DHCPv6 address) ping" n3 ping -c 1 -W 5 "$REAL6"
check "vm2 (DHCPv6 address) -> vm3 ping" n2 ping -c 1 -W 5 -I "$REAL6" "$(vm_ip6 3)"

# Legitimate DHCP and DHCPv6 client messages reach the server's port
# (trusted).  (vm2's stack is busy after the pings: "passed" moves by at
# least one.)
vt "vm2's DHCPv6 SOLICIT reaches the server" vif2 arrive vm2:eth0 vm3:eth0 \
	"dhcp6 msg=solicit src_mac=$M2 src_ip=$LL2" passed=+
vt "vm2's DHCP DISCOVER reaches the server" vif2 arrive vm2:eth0 vm3:eth0 \
	"dhcp4 msg=discover src_mac=$M2" passed=+
vt_run
