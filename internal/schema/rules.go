package schema

// Helper is a conntrack helper the kernel registers: its name and the
// layer-3 family (a Family constant, "" for any) and layer-4 protocol (a
// Proto constant) of the entries it may be attached to, as the kernel's
// helper lookup matches them (net/netfilter/nf_conntrack_helper.c:
// __nf_conntrack_helper_find).
type Helper struct {
	Name   string
	Family string
	Proto  string
}

// Helpers are the helpers of the kernel tree, one row per registration
// (the tuple.src.l3num and tuple.dst.protonum of each struct
// nf_conntrack_helper), in the order of their modules.
var Helpers = []Helper{
	// net/netfilter/nf_conntrack_amanda.c: amanda_helper.
	{"amanda", "FamilyIPv4", "ProtoUDP"}, {"amanda", "FamilyIPv6", "ProtoUDP"},
	// nf_conntrack_ftp.c: nf_conntrack_ftp_init (one per port and family).
	{"ftp", "FamilyIPv4", "ProtoTCP"}, {"ftp", "FamilyIPv6", "ProtoTCP"},
	// nf_conntrack_h323_main.c: nf_conntrack_helper_h245 (any family),
	// nf_conntrack_helper_q931 and nf_conntrack_helper_ras.
	{"H.245", "", "ProtoUDP"},
	{"Q.931", "FamilyIPv4", "ProtoTCP"}, {"Q.931", "FamilyIPv6", "ProtoTCP"},
	{"RAS", "FamilyIPv4", "ProtoUDP"}, {"RAS", "FamilyIPv6", "ProtoUDP"},
	// nf_conntrack_irc.c: IPv4 only.
	{"irc", "FamilyIPv4", "ProtoTCP"},
	// nf_conntrack_netbios_ns.c: IPv4 only.
	{"netbios-ns", "FamilyIPv4", "ProtoUDP"},
	// nf_conntrack_pptp.c: IPv4 only.
	{"pptp", "FamilyIPv4", "ProtoTCP"},
	// nf_conntrack_sane.c.
	{"sane", "FamilyIPv4", "ProtoTCP"}, {"sane", "FamilyIPv6", "ProtoTCP"},
	// nf_conntrack_sip.c: UDP and TCP.
	{"sip", "FamilyIPv4", "ProtoUDP"}, {"sip", "FamilyIPv4", "ProtoTCP"},
	{"sip", "FamilyIPv6", "ProtoUDP"}, {"sip", "FamilyIPv6", "ProtoTCP"},
	// nf_conntrack_snmp.c, and net/ipv4/netfilter/nf_nat_snmp_basic_main.c
	// for snmp_trap: IPv4 only.
	{"snmp", "FamilyIPv4", "ProtoUDP"}, {"snmp_trap", "FamilyIPv4", "ProtoUDP"},
	// nf_conntrack_tftp.c.
	{"tftp", "FamilyIPv4", "ProtoUDP"}, {"tftp", "FamilyIPv6", "ProtoUDP"},
}

// ICMPInvertible are the ICMP types that have a reply type, the only ones
// a tuple may carry (net/netfilter/nf_conntrack_proto_icmp.c: invmap,
// icmp_nlattr_to_tuple): echo, timestamp, information and address mask
// requests and replies.
var ICMPInvertible = []uint8{0, 8, 13, 14, 15, 16, 17, 18}

// ICMPv6Invertible are the same for ICMPv6
// (nf_conntrack_proto_icmpv6.c: invmap, icmpv6_nlattr_to_tuple): echo
// and node information queries and replies.
var ICMPv6Invertible = []uint8{128, 129, 139, 140}

// StatsText are the names conntrack-tools prints for the statistics
// attributes of a set (conntrack -S: src/conntrack.c nfct_stats_cb and
// nfexp_stats_cb), by attribute number.
var StatsText = map[string][]string{
	"statscpu": {1: "searched", 2: "found", 3: "new", 4: "invalid", 5: "ignore", 6: "delete",
		7: "delete_list", 8: "insert", 9: "insert_failed", 10: "drop", 11: "early_drop", 12: "error",
		13: "search_restart", 14: "clash_resolve", 15: "chaintoolong"},
	"statsexp": {1: "expect_new", 2: "expect_create", 3: "expect_delete"},
}

// CTMessages and ExpMessages name the message types of subsystems 1 and 2
// by number (include/uapi/linux/netfilter/nfnetlink_conntrack.h: enum
// cntl_msg_types, enum ctnl_exp_msg_types).
var (
	CTMessages = []string{"IPCTNL_MSG_CT_NEW", "IPCTNL_MSG_CT_GET", "IPCTNL_MSG_CT_DELETE",
		"IPCTNL_MSG_CT_GET_CTRZERO", "IPCTNL_MSG_CT_GET_STATS_CPU", "IPCTNL_MSG_CT_GET_STATS",
		"IPCTNL_MSG_CT_GET_DYING", "IPCTNL_MSG_CT_GET_UNCONFIRMED"}
	ExpMessages = []string{"IPCTNL_MSG_EXP_NEW", "IPCTNL_MSG_EXP_GET", "IPCTNL_MSG_EXP_DELETE",
		"IPCTNL_MSG_EXP_GET_STATS_CPU"}
)

// ExpectFns are the names of the expectation functions the kernel tree
// registers, which CTA_EXPECT_FN may name (net/netfilter/nf_conntrack_helper.c:
// nf_ct_helper_expectfn_find_by_name): nf_nat_core.c's follow_master_nat,
// nf_nat_sip.c's sip_nat, nf_nat_h323.c's q931_nat and callforwarding_nat.
var ExpectFns = []string{"nat-follow-master", "sip", "Q.931", "callforwarding"}
