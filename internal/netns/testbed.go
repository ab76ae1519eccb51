package netns

import (
	"fmt"
	"net/netip"
	"os"
	"testing"
)

// Ports of the testbed's services.
const (
	// PortDNAT is the port on B's primary addresses whose TCP and UDP
	// traffic B's nftables rules DNAT to the alternate address and
	// [PortTCPServer] (TCP) or [PortUDPServer] (UDP).
	PortDNAT = 80
	// PortUDPDNAT is the UDP port DNAT'ed to [PortUDPServer].
	PortUDPDNAT = 53
	// PortTCPServer is B's TCP echo server, reached through the DNAT.
	PortTCPServer = 8080
	// PortUDPServer is B's UDP echo server, reached through the DNAT.
	PortUDPServer = 5353
	// PortA is A's TCP and UDP echo port, reached from B's alternate
	// addresses through masquerade (IPv4) and SNAT (IPv6).
	PortA = 9000
	// PortFTP is the FTP control port B attaches the ftp helper to.
	PortFTP = 21
)

// Interface names of the veth pair.
const (
	VethA = "va"
	VethB = "vb"
)

// Testbed is two namespaces joined by a veth pair. B, the interesting one,
// runs nftables NAT rules and the ftp conntrack helper, has conntrack
// accounting and timestamps switched on, and serves the echo servers; A is
// the peer.
//
//	A (va)                         B (vb)
//	192.0.2.1/24   <---- veth ---> 192.0.2.2/24, 192.0.2.3/24 (Alt)
//	2001:db8::1/64                 2001:db8::2/64, 2001:db8::3/64 (Alt)
//
// Rules in B (table inet ctwire):
//   - prerouting DNAT: tcp dport 80 -> Alt:8080; udp dport 80 and 53 -> Alt:5353;
//   - postrouting: from B4Alt masquerade (becomes B4); from B6Alt SNAT to B6;
//   - ct helper "ftp" on tcp dport 21.
type Testbed struct {
	A, B *NS

	A4, B4, B4Alt netip.Addr
	A6, B6, B6Alt netip.Addr

	t testing.TB
	serverState
}

// Ruleset is the nftables ruleset loaded into B.
const Ruleset = `
table inet ctwire {
	ct helper ftp-std {
		type "ftp" protocol tcp
		l3proto inet
	}
	chain helpers {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 ct helper set "ftp-std"
	}
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		meta nfproto ipv4 tcp dport 80 dnat ip to 192.0.2.3:8080
		meta nfproto ipv6 tcp dport 80 dnat ip6 to [2001:db8::3]:8080
		meta nfproto ipv4 udp dport { 53, 80 } dnat ip to 192.0.2.3:5353
		meta nfproto ipv6 udp dport { 53, 80 } dnat ip6 to [2001:db8::3]:5353
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "vb" ip saddr 192.0.2.3 masquerade
		oifname "vb" ip6 saddr 2001:db8::3 snat ip6 to 2001:db8::2
	}
}
`

// Sysctls are set in both namespaces; they are per-namespace settings.
var sysctls = [][2]string{
	{"net.netfilter.nf_conntrack_acct", "1"},
	{"net.netfilter.nf_conntrack_timestamp", "1"},
}

// NewTestbed builds the testbed, or skips the test with the reason when
// namespaces, veth, nftables or conntrack are unavailable. Everything is
// deleted at the end of the test.
func NewTestbed(t testing.TB) *Testbed {
	t.Helper()
	RequireTool(t, "nft")
	RequireTool(t, "sysctl")
	tb := &Testbed{
		A: New(t), B: New(t), t: t,
		A4: netip.MustParseAddr("192.0.2.1"), B4: netip.MustParseAddr("192.0.2.2"),
		B4Alt: netip.MustParseAddr("192.0.2.3"),
		A6:    netip.MustParseAddr("2001:db8::1"), B6: netip.MustParseAddr("2001:db8::2"),
		B6Alt: netip.MustParseAddr("2001:db8::3"),
	}
	// The veth is created inside A and its peer moved straight into B, so
	// no interface ever appears in the caller's namespace.
	if _, err := tb.A.IP("link", "add", VethA, "type", "veth", "peer", "name", VethB, "netns", tb.B.Name); err != nil {
		t.Skipf("cannot create a veth pair: %v", err)
	}
	steps := []struct {
		ns   *NS
		args []string
	}{
		{tb.A, []string{"addr", "add", "192.0.2.1/24", "dev", VethA}},
		{tb.A, []string{"addr", "add", "2001:db8::1/64", "dev", VethA, "nodad"}},
		{tb.A, []string{"link", "set", VethA, "up"}},
		{tb.B, []string{"addr", "add", "192.0.2.2/24", "dev", VethB}},
		{tb.B, []string{"addr", "add", "192.0.2.3/24", "dev", VethB}},
		{tb.B, []string{"addr", "add", "2001:db8::2/64", "dev", VethB, "nodad"}},
		{tb.B, []string{"addr", "add", "2001:db8::3/64", "dev", VethB, "nodad"}},
		{tb.B, []string{"link", "set", VethB, "up"}},
	}
	for _, s := range steps {
		if _, err := s.ns.IP(s.args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.B.Nft(Ruleset); err != nil {
		t.Skipf("cannot load the nftables NAT and helper rules: %v", err)
	}
	for _, ns := range []*NS{tb.A, tb.B} {
		for _, kv := range sysctls {
			if err := ns.Sysctl(kv[0], kv[1]); err != nil {
				t.Skipf("conntrack unavailable in the namespace: %v", err)
			}
		}
	}
	if err := tb.B.Do(func() error {
		_, err := os.Stat("/proc/sys/net/netfilter/nf_conntrack_acct")
		return err
	}); err != nil {
		t.Skipf("conntrack sysctls missing in the namespace: %v", err)
	}
	return tb
}

// Check verifies that the conntrack sysctls took effect inside B.
func (tb *Testbed) Check() error {
	for _, kv := range sysctls {
		out, err := tb.B.Exec("sysctl", "-n", kv[0])
		if err != nil {
			return err
		}
		if got := string(trimSpace(out)); got != kv[1] {
			return fmt.Errorf("netns: %s in %s is %q, want %q", kv[0], tb.B.Name, got, kv[1])
		}
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
