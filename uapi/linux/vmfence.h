/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vmfence: anti-spoofing and isolation for VM ports on a Linux bridge.
 *
 * This is the one header shared by the kernel module and by every
 * userspace client of its generic netlink family.  Attributes and
 * commands are only ever appended; a client built against an older
 * header keeps working.
 *
 * Family "vmfence" (VMFENCE_GENL_NAME), version VMFENCE_GENL_VERSION.
 * Every message is a genlmsghdr followed by attributes from enum
 * vmfence_attr.  Bindings made in a network namespace govern the bridges
 * of that namespace only.
 *
 * Permissions: commands that change state need CAP_NET_ADMIN in the user
 * namespace that owns the caller's network namespace.  PORT_GET,
 * STATS_GET and BRIDGE_GET are open to everyone, like "ip link show".
 *
 * Errors carry an extended ACK whose text names the offending attribute.
 *
 * Compatibility: attributes and commands are only appended, and a client
 * ignores attributes it does not know.  VMFENCE_GENL_VERSION grows when
 * something is added that a client may want to test for.
 *
 * VMFENCE_CMD_PORT_SET
 *   Create or replace the whole binding of one device, atomically: a
 *   frame is checked against the old binding or the new one, never a mix.
 *   VMFENCE_A_PORT: NLA_NESTED
 *     VMFENCE_PORT_A_IFINDEX: NLA_U32     \ exactly one of these two
 *     VMFENCE_PORT_A_IFNAME: NLA_NUL_STRING /  names the device
 *     VMFENCE_PORT_A_MAC: binary[6]       required, unicast
 *     VMFENCE_PORT_A_MODE: NLA_U8         enum vmfence_port_mode,
 *                                         default VMFENCE_MODE_ENFORCE
 *     VMFENCE_PORT_A_LABEL: NLA_NUL_STRING at most VMFENCE_LABEL_MAX - 1
 *                                         bytes, for people; absent or
 *                                         empty: no label
 *     VMFENCE_PORT_A_SEQ: NLA_U64         if present, must be greater
 *                                         than the seq in force, else the
 *                                         command fails with -ESTALE and
 *                                         changes nothing; if absent, the
 *                                         seq in force is kept
 *     VMFENCE_PORT_A_ADDRS: NLA_NESTED    up to VMFENCE_ADDRS_MAX entries;
 *                                         absent: no addresses (the whole
 *                                         binding is replaced)
 *       VMFENCE_ADDRS_A_ADDR: NLA_NESTED  (repeated)
 *         VMFENCE_ADDR_A_IN: binary[4]    \ exactly one
 *         VMFENCE_ADDR_A_IN6: binary[16]  /
 *         VMFENCE_ADDR_A_PREFIXLEN: NLA_U8  default: the full length;
 *                                         host bits beyond it must be 0
 *     VMFENCE_PORT_A_FLAGS: NLA_U32       VMFENCE_PORT_F_*; unknown bits
 *                                         are refused; absent: 0
 *     VMFENCE_PORT_A_ETHERTYPES: NLA_NESTED  up to VMFENCE_ETHERTYPES_MAX
 *       VMFENCE_ETHERTYPES_A_TYPE: NLA_U16 (repeated) an ethertype, in
 *                                         host byte order, that the port
 *                                         may send besides IPv4, ARP and
 *                                         IPv6; absent: none
 *
 * VMFENCE_CMD_PORT_DEL
 *   VMFENCE_A_PORT: NLA_NESTED
 *     VMFENCE_PORT_A_IFINDEX or VMFENCE_PORT_A_IFNAME
 *
 * VMFENCE_CMD_PORT_ADDR_ADD, VMFENCE_CMD_PORT_ADDR_DEL
 *   Add one address or prefix to, or remove it from, a bound port; the
 *   binding is replaced whole, as by PORT_SET.  Adding an address that is
 *   bound fails with -EEXIST, removing one that is not with -ENOENT.
 *   VMFENCE_A_PORT: NLA_NESTED
 *     VMFENCE_PORT_A_IFINDEX or VMFENCE_PORT_A_IFNAME
 *     VMFENCE_PORT_A_ADDRS: NLA_NESTED, exactly one VMFENCE_ADDRS_A_ADDR
 *
 * VMFENCE_CMD_PORT_GET
 *   doit: the binding of the device named in VMFENCE_A_PORT.
 *   dumpit (NLM_F_DUMP): every binding of the namespace, one per message,
 *   in ifindex order.  A dump that spans several recvmsg() calls and
 *   races with a change is flagged NLM_F_DUMP_INTR; the client retries.
 *   Reply:
 *   VMFENCE_A_PORT: NLA_NESTED
 *     VMFENCE_PORT_A_IFINDEX, VMFENCE_PORT_A_IFNAME, VMFENCE_PORT_A_MAC,
 *     VMFENCE_PORT_A_MODE, VMFENCE_PORT_A_LABEL (if set),
 *     VMFENCE_PORT_A_SEQ, VMFENCE_PORT_A_ADDRS (every entry carries its
 *     VMFENCE_ADDR_A_PREFIXLEN), VMFENCE_PORT_A_FLAGS,
 *     VMFENCE_PORT_A_ETHERTYPES (if any)
 *
 * VMFENCE_CMD_STATS_GET
 *   doit: the counters of the device named in VMFENCE_A_PORT.
 *   dumpit: first one message with the namespace's totals (no
 *   VMFENCE_A_PORT), then one per bound port, in ifindex order.
 *   Reply:
 *   VMFENCE_A_PORT: NLA_NESTED (absent for the totals)
 *     VMFENCE_PORT_A_IFINDEX, VMFENCE_PORT_A_IFNAME, VMFENCE_PORT_A_LABEL
 *   VMFENCE_A_STATS: NLA_NESTED
 *     VMFENCE_STATS_A_PASSED: NLA_U64     frames checked and let through
 *     VMFENCE_STATS_A_DROPS: NLA_NESTED
 *       one NLA_U64 per drop reason, whose attribute type is the enum
 *       vmfence_drop_reason value; type 0 is padding.  A reason newer
 *       than the client is shown by number or skipped, never an error.
 *
 * VMFENCE_CMD_STATS_RESET
 *   VMFENCE_A_PORT: NLA_NESTED, optional
 *     VMFENCE_PORT_A_IFINDEX or VMFENCE_PORT_A_IFNAME
 *   With a port, zero its counters; without, zero every port's, every
 *   bridge's (VMFENCE_BRIDGE_A_UNBOUND_DROPS) and the namespace's totals.
 *
 * VMFENCE_CMD_BRIDGE_SET
 *   Set the policy of a bridge for frames from its ports that have no
 *   binding.  The setting lives as long as the bridge device.
 *   VMFENCE_A_BRIDGE: NLA_NESTED
 *     VMFENCE_BRIDGE_A_IFINDEX or VMFENCE_BRIDGE_A_IFNAME (a bridge)
 *     VMFENCE_BRIDGE_A_UNBOUND: NLA_U8    enum vmfence_unbound, required
 *
 * VMFENCE_CMD_BRIDGE_GET
 *   doit: the bridge named in VMFENCE_A_BRIDGE; dumpit: every bridge with
 *   a setting, in ifindex order.
 *   Reply:
 *   VMFENCE_A_BRIDGE: NLA_NESTED
 *     VMFENCE_BRIDGE_A_IFINDEX, VMFENCE_BRIDGE_A_IFNAME,
 *     VMFENCE_BRIDGE_A_UNBOUND,
 *     VMFENCE_BRIDGE_A_UNBOUND_DROPS: NLA_U64  frames from unbound ports
 *                                         dropped (also counted in the
 *                                         namespace's totals as "unbound")
 *
 * VMFENCE_CMD_APPLY
 *   Apply a whole configuration at once: either every entry is in force
 *   afterwards or nothing changed.  Any bad entry refuses the document;
 *   the extended ACK names the attribute and its offset falls inside the
 *   entry.  An entry identical to what is in force is left alone (so that
 *   re-applying a dump is a no-op); a changed port entry whose seq is not
 *   newer than the seq in force is stale and refuses the document.  Each
 *   port switches from its old binding to its new one atomically; frames
 *   on different ports may see the new configuration a moment apart.
 *   VMFENCE_A_APPLY_FLAGS: NLA_U32       VMFENCE_APPLY_F_*
 *     VMFENCE_APPLY_F_REPLACE: ports and bridges not in the document lose
 *     their binding or setting
 *   VMFENCE_A_PORT: NLA_NESTED           repeated, one per port, as for
 *                                        PORT_SET; at most
 *                                        VMFENCE_APPLY_PORTS_MAX
 *   VMFENCE_A_BRIDGE: NLA_NESTED         repeated, one per bridge, as for
 *                                        BRIDGE_SET
 *   Entries are top-level attributes, not one list attribute, because an
 *   attribute holds at most 64 KiB.  A document of many ports makes a
 *   large message: a client raises its socket's send buffer
 *   (SO_SNDBUFFORCE) to fit it.
 *
 * VMFENCE_CMD_DROP_EVENT (notification, multicast group "events")
 *   Sent for dropped frames while someone listens, at most
 *   vmfence.event_rate per second per port (module parameter) and
 *   vmfence.event_rate_total per namespace; the others are counted.
 *   VMFENCE_A_EVENT: NLA_NESTED
 *     VMFENCE_EVENT_A_TIME: NLA_U64      CLOCK_REALTIME, ns
 *     VMFENCE_EVENT_A_IFINDEX: NLA_U32   the VM's port (for "unbound":
 *     VMFENCE_EVENT_A_IFNAME: string     the port the frame came from)
 *     VMFENCE_EVENT_A_LABEL: string      if the port has one
 *     VMFENCE_EVENT_A_REASON: NLA_U32    enum vmfence_drop_reason
 *     VMFENCE_EVENT_A_SUPPRESSED: NLA_U64  events of this port not sent
 *                                        since the last one sent
 *     VMFENCE_EVENT_A_ETH_SRC, VMFENCE_EVENT_A_ETH_DST: binary[6]
 *     VMFENCE_EVENT_A_ETHERTYPE: NLA_U16 host byte order
 *     VMFENCE_EVENT_A_SRC, VMFENCE_EVENT_A_DST: binary[4] or [16], when
 *                                        the frame is IPv4, IPv6 or ARP
 *     VMFENCE_EVENT_A_PROTO: NLA_U8      the IP upper-layer protocol
 *     VMFENCE_EVENT_A_SPORT, VMFENCE_EVENT_A_DPORT: NLA_U16 (TCP, UDP)
 *     VMFENCE_EVENT_A_ICMP_TYPE: NLA_U8  (ICMP, ICMPv6)
 *
 * Security groups (a later version) add commands and attributes after
 * the ones above; VMFENCE_PORT_A_* will gain the list of a port's groups.
 */
#ifndef _UAPI_LINUX_VMFENCE_H
#define _UAPI_LINUX_VMFENCE_H

#define VMFENCE_GENL_NAME	"vmfence"
#define VMFENCE_GENL_VERSION	2	/* 2: reasons bpdu, csum_offload, dhcp_spoof */
#define VMFENCE_MCGRP_EVENTS	"events"

#define VMFENCE_LABEL_MAX	64	/* including the terminating NUL */
#define VMFENCE_ADDRS_MAX	256	/* addresses and prefixes per port */
#define VMFENCE_ETHERTYPES_MAX	16	/* extra ethertypes per port */
#define VMFENCE_APPLY_PORTS_MAX	65536	/* ports in one APPLY */

enum vmfence_cmd {
	VMFENCE_CMD_UNSPEC,
	VMFENCE_CMD_PORT_SET,
	VMFENCE_CMD_PORT_DEL,
	VMFENCE_CMD_PORT_GET,
	VMFENCE_CMD_PORT_ADDR_ADD,
	VMFENCE_CMD_PORT_ADDR_DEL,
	VMFENCE_CMD_STATS_GET,
	VMFENCE_CMD_STATS_RESET,
	VMFENCE_CMD_BRIDGE_SET,
	VMFENCE_CMD_BRIDGE_GET,
	VMFENCE_CMD_APPLY,
	VMFENCE_CMD_DROP_EVENT,
	__VMFENCE_CMD_LAST
};
#define VMFENCE_CMD_MAX (__VMFENCE_CMD_LAST - 1)

enum vmfence_attr {
	VMFENCE_A_UNSPEC,
	VMFENCE_A_PORT,		/* nested: enum vmfence_port_attr */
	VMFENCE_A_STATS,	/* nested: enum vmfence_stats_attr */
	VMFENCE_A_BRIDGE,	/* nested: enum vmfence_bridge_attr */
	VMFENCE_A_APPLY_FLAGS,	/* u32: VMFENCE_APPLY_F_* */
	VMFENCE_A_EVENT,	/* nested: enum vmfence_event_attr */
	__VMFENCE_A_LAST
};
#define VMFENCE_A_MAX (__VMFENCE_A_LAST - 1)

enum vmfence_port_attr {
	VMFENCE_PORT_A_UNSPEC,
	VMFENCE_PORT_A_IFINDEX,	/* u32 */
	VMFENCE_PORT_A_IFNAME,	/* string, < IFNAMSIZ */
	VMFENCE_PORT_A_MAC,	/* binary[6] */
	VMFENCE_PORT_A_MODE,	/* u8: enum vmfence_port_mode */
	VMFENCE_PORT_A_LABEL,	/* string, < VMFENCE_LABEL_MAX */
	VMFENCE_PORT_A_SEQ,	/* u64 */
	VMFENCE_PORT_A_ADDRS,	/* nested: VMFENCE_ADDRS_A_ADDR... */
	VMFENCE_PORT_A_PAD,
	VMFENCE_PORT_A_FLAGS,	/* u32: VMFENCE_PORT_F_* */
	VMFENCE_PORT_A_ETHERTYPES, /* nested: VMFENCE_ETHERTYPES_A_TYPE... */
	__VMFENCE_PORT_A_LAST
};
#define VMFENCE_PORT_A_MAX (__VMFENCE_PORT_A_LAST - 1)

enum vmfence_addrs_attr {
	VMFENCE_ADDRS_A_UNSPEC,
	VMFENCE_ADDRS_A_ADDR,	/* nested: enum vmfence_addr_attr */
	__VMFENCE_ADDRS_A_LAST
};
#define VMFENCE_ADDRS_A_MAX (__VMFENCE_ADDRS_A_LAST - 1)

enum vmfence_addr_attr {
	VMFENCE_ADDR_A_UNSPEC,
	VMFENCE_ADDR_A_IN,	/* binary[4], network byte order */
	VMFENCE_ADDR_A_IN6,	/* binary[16] */
	VMFENCE_ADDR_A_PREFIXLEN, /* u8 */
	__VMFENCE_ADDR_A_LAST
};
#define VMFENCE_ADDR_A_MAX (__VMFENCE_ADDR_A_LAST - 1)

enum vmfence_ethertypes_attr {
	VMFENCE_ETHERTYPES_A_UNSPEC,
	VMFENCE_ETHERTYPES_A_TYPE,	/* u16, host byte order */
	__VMFENCE_ETHERTYPES_A_LAST
};
#define VMFENCE_ETHERTYPES_A_MAX (__VMFENCE_ETHERTYPES_A_LAST - 1)

enum vmfence_port_flags {
	/* IPv4 broadcast and multicast, IPv6 multicast beyond ND and MLD */
	VMFENCE_PORT_F_MULTICAST = 1U << 0,
	__VMFENCE_PORT_F_ALL = VMFENCE_PORT_F_MULTICAST
};

enum vmfence_port_mode {
	VMFENCE_MODE_UNSPEC,
	VMFENCE_MODE_ENFORCE,	/* every check applies */
	VMFENCE_MODE_TRUSTED,	/* uplinks, system VMs: nothing is checked */
	__VMFENCE_MODE_LAST
};
#define VMFENCE_MODE_MAX (__VMFENCE_MODE_LAST - 1)

enum vmfence_stats_attr {
	VMFENCE_STATS_A_UNSPEC,
	VMFENCE_STATS_A_PASSED,	/* u64 */
	VMFENCE_STATS_A_DROPS,	/* nested: u64 per enum vmfence_drop_reason */
	VMFENCE_STATS_A_PAD,
	__VMFENCE_STATS_A_LAST
};
#define VMFENCE_STATS_A_MAX (__VMFENCE_STATS_A_LAST - 1)

enum vmfence_bridge_attr {
	VMFENCE_BRIDGE_A_UNSPEC,
	VMFENCE_BRIDGE_A_IFINDEX,	/* u32 */
	VMFENCE_BRIDGE_A_IFNAME,	/* string, < IFNAMSIZ */
	VMFENCE_BRIDGE_A_UNBOUND,	/* u8: enum vmfence_unbound */
	VMFENCE_BRIDGE_A_UNBOUND_DROPS,	/* u64 */
	VMFENCE_BRIDGE_A_PAD,
	__VMFENCE_BRIDGE_A_LAST
};
#define VMFENCE_BRIDGE_A_MAX (__VMFENCE_BRIDGE_A_LAST - 1)

enum vmfence_apply_flags {
	VMFENCE_APPLY_F_REPLACE = 1U << 0,
	__VMFENCE_APPLY_F_ALL = VMFENCE_APPLY_F_REPLACE
};

enum vmfence_event_attr {
	VMFENCE_EVENT_A_UNSPEC,
	VMFENCE_EVENT_A_TIME,		/* u64 */
	VMFENCE_EVENT_A_IFINDEX,	/* u32 */
	VMFENCE_EVENT_A_IFNAME,		/* string */
	VMFENCE_EVENT_A_LABEL,		/* string */
	VMFENCE_EVENT_A_REASON,		/* u32 */
	VMFENCE_EVENT_A_SUPPRESSED,	/* u64 */
	VMFENCE_EVENT_A_ETH_SRC,	/* binary[6] */
	VMFENCE_EVENT_A_ETH_DST,	/* binary[6] */
	VMFENCE_EVENT_A_ETHERTYPE,	/* u16 */
	VMFENCE_EVENT_A_SRC,		/* binary[4] or [16] */
	VMFENCE_EVENT_A_DST,		/* binary[4] or [16] */
	VMFENCE_EVENT_A_PROTO,		/* u8 */
	VMFENCE_EVENT_A_SPORT,		/* u16 */
	VMFENCE_EVENT_A_DPORT,		/* u16 */
	VMFENCE_EVENT_A_ICMP_TYPE,	/* u8 */
	VMFENCE_EVENT_A_PAD,
	__VMFENCE_EVENT_A_LAST
};
#define VMFENCE_EVENT_A_MAX (__VMFENCE_EVENT_A_LAST - 1)

/* What a bridge does with frames from ports that have no binding. */
enum vmfence_unbound {
	VMFENCE_UNBOUND_UNSPEC,
	VMFENCE_UNBOUND_PASS,		/* the default */
	VMFENCE_UNBOUND_DROP,
	__VMFENCE_UNBOUND_LAST
};
#define VMFENCE_UNBOUND_MAX (__VMFENCE_UNBOUND_LAST - 1)

/*
 * Why a frame was dropped.  Tools name them in snake_case after the
 * constant: VMFENCE_DROP_MAC_SPOOF is "mac_spoof".
 */
enum vmfence_drop_reason {
	VMFENCE_DROP_UNSPEC,
	VMFENCE_DROP_MAC_SPOOF,	/* Ethernet source is not the bound MAC */
	VMFENCE_DROP_IP4_SPOOF,	/* IPv4 source not bound */
	VMFENCE_DROP_IP6_SPOOF,	/* IPv6 source not bound */
	VMFENCE_DROP_MALFORMED,	/* headers truncated or inconsistent */
	VMFENCE_DROP_ARP_SPOOF,	/* ARP sender not the port's, or not IPv4 ARP */
	VMFENCE_DROP_ND_SPOOF,	/* NA target or link-layer option not its own */
	VMFENCE_DROP_DHCP_SERVER,	/* UDP from port 67 or to port 68 */
	VMFENCE_DROP_DHCP6_SERVER,	/* UDP from port 547 or to port 546 */
	VMFENCE_DROP_ROUTER_ADVERT,	/* ICMPv6 Router Advertisement */
	VMFENCE_DROP_REDIRECT,	/* ICMPv6 or ICMPv4 redirect */
	VMFENCE_DROP_VLAN,	/* 802.1Q/802.1ad tag not in ETHERTYPES */
	VMFENCE_DROP_ETHERTYPE,	/* ethertype not allowed for the port */
	VMFENCE_DROP_BROADCAST,	/* IPv4 broadcast, not DHCP; see F_MULTICAST */
	VMFENCE_DROP_MULTICAST,	/* multicast; see VMFENCE_PORT_F_MULTICAST */
	VMFENCE_DROP_NOT_FOR_PORT,	/* towards a VM: not addressed to it */
	VMFENCE_DROP_DHCP_SNOOP,	/* towards a VM: another's DHCP request */
	VMFENCE_DROP_UNBOUND,	/* from an unbound port of a "drop" bridge */
	VMFENCE_DROP_BPDU,	/* non-IP frame to 01:80:c2:00:00:00 (STP) */
	VMFENCE_DROP_CSUM_OFFLOAD, /* checksum offsets not the parsed ones */
	VMFENCE_DROP_DHCP_SPOOF, /* DHCP client chaddr not the bound MAC */
	__VMFENCE_DROP_LAST
};
#define VMFENCE_DROP_MAX (__VMFENCE_DROP_LAST - 1)

#endif /* _UAPI_LINUX_VMFENCE_H */
