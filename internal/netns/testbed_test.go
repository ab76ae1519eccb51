package netns_test

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/ctmini"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

var record = flag.Bool("record", false, "write the testbed's recordings to testdata/live")

const liveDir = "../../testdata/live"

// session is a request socket whose recording is cut into named files.
type session struct {
	t     *testing.T
	c     *nlsock.Conn
	dir   string
	saved []string
}

// save stores what the socket recorded since the last save as dir/name.*.
func (s *session) save(name, comment string, recs []nlsock.Record) {
	s.t.Helper()
	if len(recs) == 0 {
		s.t.Fatalf("recording %s is empty", name)
	}
	if err := nlsock.WriteRaw(s.dir, name, comment, recs); err != nil {
		s.t.Fatal(err)
	}
	back, idx, err := nlsock.ReadRaw(s.dir, name)
	if err != nil {
		s.t.Fatal(err)
	}
	if idx.Protocol != nlsock.Protocol || idx.Comment != comment {
		s.t.Errorf("%s index %+v", name, idx)
	}
	if diff := cmp.Diff(recs, back, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		s.t.Errorf("%s does not read back (-wrote +read):\n%s", name, diff)
	}
	s.saved = append(s.saved, name)
}

// exec runs one request and saves request and replies as name.
func (s *session) exec(name, comment string, req []byte) (nlsock.Reply, error) {
	s.t.Helper()
	s.c.Recording().Take()
	r, err := s.c.Execute(req)
	s.save(name, comment, s.c.Recording().Take())
	return r, err
}

// text saves the standard output of a command run in ns as dir/name.
func (s *session) text(name string, ns *netns.NS, args ...string) string {
	s.t.Helper()
	out, err := ns.Exec(args...)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name), out, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return string(out)
}

func parse(t *testing.T, dgs [][]byte) []codec.Message {
	t.Helper()
	var ms []codec.Message
	for _, dg := range dgs {
		for m, err := range codec.Messages(dg, nla.HostOrder) {
			if err != nil {
				t.Fatalf("framing: %v", err)
			}
			ms = append(ms, m)
		}
	}
	return ms
}

func flows(t *testing.T, ms []codec.Message) []ctmini.Flow {
	t.Helper()
	var fs []ctmini.Flow
	for _, m := range ms {
		if m.Header.IsControl() {
			continue
		}
		f, err := ctmini.ParseFlow(m)
		if err != nil {
			t.Fatalf("message at %d: %v", m.Offset, err)
		}
		fs = append(fs, f)
	}
	return fs
}

// TestTestbed runs traffic and the FTP exchange through the testbed and
// checks B's table, expectations and events over nlsock, then the kernel's
// other replies. With -record it stores every exchange in testdata/live.
func TestTestbed(t *testing.T) {
	netns.RequireTool(t, "conntrack")
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	if err := tb.Check(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if *record {
		dir = liveDir
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	open := func(o nlsock.Options) *nlsock.Conn {
		o.Timeout = 5 * time.Second
		c, err := nlsock.OpenIn(tb.B.Path(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ev := open(nlsock.Options{Groups: nlsock.EventGroups()})
	s := &session{t: t, c: open(nlsock.Options{}), dir: dir}
	c := s.c

	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}
	// Let delayed ACKs go out, so the table holds still between the dump
	// and conntrack(8)'s listing.
	time.Sleep(300 * time.Millisecond)

	// ACK: create an entry by hand and delete it again, each acknowledged.
	extra := ctmini.Tuple{Src: netip.MustParseAddr("198.51.100.1"), Dst: netip.MustParseAddr("198.51.100.2"),
		Proto: 6, SrcPort: 40000, DstPort: 443}
	attrs, err := ctmini.NewFlowAttrs(extra, 120)
	if err != nil {
		t.Fatal(err)
	}
	c.Recording().Take()
	if r, err := c.Execute(c.NewRequest(ctmini.TypeCTNew, codec.FlagAck|codec.FlagCreate|codec.FlagExcl, 2, attrs)); err != nil || !r.Ack {
		t.Fatalf("create: %+v %v", r, err)
	}
	tuple, _ := ctmini.AppendTuple(nil, ctmini.CTATupleOrig, extra)
	if r, err := c.Execute(c.NewRequest(ctmini.TypeCTDelete, codec.FlagAck, 2, tuple)); err != nil || !r.Ack {
		t.Fatalf("delete: %+v %v", r, err)
	}
	s.save("ack", "NEW (CREATE|EXCL|ACK) of tcp 198.51.100.1:40000 -> 198.51.100.2:443, its ACK, "+
		"DELETE by tuple with ACK, its ACK; socket has NETLINK_CAP_ACK and NETLINK_EXT_ACK", c.Recording().Take())

	// The table: a dump, and conntrack(8)'s view of the same moment.
	r, err := s.exec("dump", "CT_GET dump (AF_UNSPEC) of namespace B after the testbed traffic and FTP exchange: "+
		"tcp/udp/icmp/icmpv6 over IPv4 and IPv6 with DNAT, masquerade and SNAT, counters and timestamps on; "+
		"see dump.conntrack.txt", c.NewRequest(ctmini.TypeCTGet, codec.FlagDump, 0, nil))
	if err != nil || !r.Done {
		t.Fatalf("dump: %+v %v", r, err)
	}
	cli := s.text("dump.conntrack.txt", tb.B, "conntrack", "-L", "-o", "extended,id")
	fs := flows(t, parse(t, r.Datagrams))
	checkTable(t, tb, fs)
	checkAgainstCLI(t, fs, cli)

	r6, err := s.exec("dump-ipv6", "CT_GET dump with nfgen_family AF_INET6: filtered, parts carry NLM_F_DUMP_FILTERED",
		c.NewRequest(ctmini.TypeCTGet, codec.FlagDump, 10, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range parse(t, r6.Datagrams) {
		if !m.Header.IsControl() && (m.NFGen.Family != 10 || !m.DumpFiltered()) {
			t.Errorf("IPv6 dump part %v family %d", m.Header, m.NFGen.Family)
		}
	}

	// GET do of one flow: a single NLM_F_MULTI reply without DONE, then the ACK.
	var target ctmini.Flow
	for _, f := range fs {
		if f.Orig.Proto == 6 && f.Orig.DstPort == netns.PortDNAT && f.Orig.Dst.Is4() {
			target = f
			break
		}
	}
	tuple, _ = ctmini.AppendTuple(nil, ctmini.CTATupleOrig, target.Orig)
	rg, err := s.exec("get", "CT_GET (not a dump) with ACK of the DNAT'ed IPv4 TCP flow: one NLM_F_MULTI reply, no DONE, then the ACK",
		c.NewRequest(ctmini.TypeCTGet, codec.FlagAck, 2, tuple))
	if err != nil || !rg.Ack || rg.Messages != 1 {
		t.Fatalf("get: %+v %v", rg, err)
	}

	// Errors.
	missing := ctmini.Tuple{Src: netip.MustParseAddr("203.0.113.9"), Dst: netip.MustParseAddr("203.0.113.8"),
		Proto: 17, SrcPort: 7, DstPort: 9}
	tuple, _ = ctmini.AppendTuple(nil, ctmini.CTATupleOrig, missing)
	_, err = s.exec("error-enoent", "CT_GET of a missing tuple: NLMSG_ERROR -ENOENT, capped (NETLINK_CAP_ACK)",
		c.NewRequest(ctmini.TypeCTGet, codec.FlagAck, 2, tuple))
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("GET of a missing tuple: %v, want ENOENT", err)
	}
	bad, _ := ctmini.NewFlowAttrs(extra, 0)
	bad = append(bad[:len(bad)-8], 6, 0, byte(ctmini.CTATimeout), 0, 0, 30, 0, 0)
	_, err = s.exec("error-extack", "CT_NEW with a 2-byte CTA_TIMEOUT: NLMSG_ERROR -ERANGE with extack "+
		"MSG \"Attribute failed policy validation\", OFFS and POLICY",
		c.NewRequest(ctmini.TypeCTNew, codec.FlagAck|codec.FlagCreate, 2, bad))
	var ke *codec.KernelError
	if !errors.As(err, &ke) || ke.Errno != syscall.ERANGE || len(ke.Msg) == 0 || !ke.HasOffset {
		t.Errorf("policy error: %v, want ERANGE with extack", err)
	}

	// Statistics.
	rs, err := s.exec("stats-cpu", "CT_GET_STATS_CPU dump: one 0x0104 message per CPU (res_id = cpu), then DONE; see stats-cpu.conntrack.txt",
		c.NewRequest(ctmini.TypeCTStatsCPU, codec.FlagDump, 0, nil))
	if err != nil || !rs.Done || rs.Messages < 1 {
		t.Errorf("stats-cpu: %+v %v", rs, err)
	}
	s.text("stats-cpu.conntrack.txt", tb.B, "conntrack", "-S")
	rs, err = s.exec("stats", "CT_GET_STATS with ACK: one 0x0105 message (ENTRIES, MAX_ENTRIES), then the ACK; see stats.conntrack.txt",
		c.NewRequest(ctmini.TypeCTStats, codec.FlagAck, 0, nil))
	if err != nil || !rs.Ack || rs.Messages != 1 {
		t.Errorf("stats: %+v %v", rs, err)
	}
	s.text("stats.conntrack.txt", tb.B, "conntrack", "-C")
	rs, err = s.exec("dying", "CT_GET_DYING dump", c.NewRequest(ctmini.TypeCTDying, codec.FlagDump, 0, nil))
	if err != nil || !rs.Done {
		t.Errorf("dying: %+v %v", rs, err)
	}

	// Expectations.
	re, err := s.exec("exp-dump", "EXP_GET dump (AF_UNSPEC): the four ftp expectations (PASV/PORT over IPv4, "+
		"EPSV/EPRT over IPv6); see exp-dump.conntrack.txt",
		c.NewRequest(ctmini.TypeExpGet, codec.FlagDump, 0, nil))
	if err != nil || !re.Done {
		t.Fatalf("expectation dump: %+v %v", re, err)
	}
	s.text("exp-dump.conntrack.txt", tb.B, "sh", "-c", "conntrack -L expect -f ipv4; conntrack -L expect -f ipv6")
	checkExpectations(t, tb, parse(t, re.Datagrams))
	rs, err = s.exec("exp-stats-cpu", "EXP_GET_STATS_CPU dump: replies carry type 0x0103 (subsystem 1), res_id = cpu",
		c.NewRequest(ctmini.TypeExpStatsCPU, codec.FlagDump, 0, nil))
	if err != nil || !rs.Done || rs.Messages < 1 {
		t.Errorf("exp-stats-cpu: %+v %v", rs, err)
	}
	for _, m := range parse(t, rs.Datagrams) {
		if !m.Header.IsControl() && m.Header.Type != ctmini.TypeCTGetCtrZero {
			t.Errorf("expectation stats reply type %#04x, want 0x0103", m.Header.Type)
		}
	}

	// Events: drain what the subscribed socket saw during all of the above.
	ev.SetTimeout(200 * time.Millisecond)
	for {
		if _, err := ev.Receive(); err != nil {
			if !errors.Is(err, nlsock.ErrTimeout) {
				t.Fatalf("events: %v", err)
			}
			break
		}
	}
	evRecs := ev.Recording().Take()
	s.save("events", "every datagram of a socket in groups 1-6 during the testbed traffic, the FTP exchange and "+
		"the ack exchange: CT NEW/UPDATE/DESTROY and EXP NEW events", evRecs)
	checkEvents(t, evRecs)
	t.Logf("recordings %v in %s", s.saved, dir)
}

func checkTable(t *testing.T, tb *netns.Testbed, fs []ctmini.Flow) {
	t.Helper()
	find := func(desc string, pred func(ctmini.Flow) bool) (ctmini.Flow, bool) {
		for _, f := range fs {
			if pred(f) {
				return f, true
			}
		}
		t.Errorf("no flow: %s", desc)
		return ctmini.Flow{}, false
	}
	for _, p := range []struct{ b, alt netip.Addr }{{tb.B4, tb.B4Alt}, {tb.B6, tb.B6Alt}} {
		for _, proto := range []struct {
			num        uint8
			port, srv  uint16
			minPackets uint64
		}{{6, netns.PortDNAT, netns.PortTCPServer, 3}, {17, netns.PortUDPDNAT, netns.PortUDPServer, 2}} {
			desc := fmt.Sprintf("proto %d to %v:%d DNAT'ed to %v:%d", proto.num, p.b, proto.port, p.alt, proto.srv)
			f, ok := find(desc, func(f ctmini.Flow) bool {
				return f.Orig.Proto == proto.num && f.Orig.Dst == p.b && f.Orig.DstPort == proto.port
			})
			if !ok {
				continue
			}
			if f.Reply.Src != p.alt || f.Reply.SrcPort != proto.srv || f.Status&ctmini.StatusDstNAT == 0 {
				t.Errorf("%s: reply %v status %#x", desc, f.Reply, f.Status)
			}
			if !f.HasCounters || f.Counters[0].Packets < proto.minPackets || f.Counters[1].Packets < proto.minPackets ||
				f.Counters[0].Bytes == 0 {
				t.Errorf("%s: counters %+v (present %v)", desc, f.Counters, f.HasCounters)
			}
			if f.Start == 0 || time.Since(time.Unix(0, int64(f.Start))) > time.Hour {
				t.Errorf("%s: timestamp start %d", desc, f.Start)
			}
		}
		icmp := uint8(1)
		if p.b.Is6() {
			icmp = 58
		}
		if f, ok := find(fmt.Sprintf("icmp %d to %v", icmp, p.b), func(f ctmini.Flow) bool {
			return f.Orig.Proto == icmp && f.Orig.Dst == p.b
		}); ok && (f.Counters[0].Packets != 1 || f.Counters[1].Packets != 1 || f.Orig.ICMPID&0xff00 != 0x4300) {
			t.Errorf("icmp flow %v counters %+v", f.Orig, f.Counters)
		}
		// B's own connections from the alternate address leave with B's
		// primary address: masquerade (IPv4) or SNAT (IPv6).
		for _, num := range []uint8{6, 17} {
			desc := fmt.Sprintf("proto %d from %v source NAT'ed to %v", num, p.alt, p.b)
			f, ok := find(desc, func(f ctmini.Flow) bool {
				return f.Orig.Proto == num && f.Orig.Src == p.alt && f.Orig.DstPort == netns.PortA
			})
			if ok && (f.Reply.Dst != p.b || f.Status&ctmini.StatusSrcNAT == 0) {
				t.Errorf("%s: reply %v status %#x", desc, f.Reply, f.Status)
			}
		}
		if f, ok := find("ftp control to "+p.b.String(), func(f ctmini.Flow) bool {
			return f.Orig.Dst == p.b && f.Orig.DstPort == netns.PortFTP
		}); ok && f.Helper != "ftp" {
			t.Errorf("ftp control flow helper %q, want ftp", f.Helper)
		}
	}
}

// checkAgainstCLI checks that conntrack(8) lists the same entries: one line
// per flow, each flow's id present.
func checkAgainstCLI(t *testing.T, fs []ctmini.Flow, cli string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(cli), "\n")
	var ids []string
	// The conntrack id is the last id= (ICMP tuples have id= too).
	re := regexp.MustCompile(` id=(\d+)`)
	for _, l := range lines {
		if m := re.FindAllStringSubmatch(l, -1); m != nil {
			ids = append(ids, m[len(m)-1][1])
		}
	}
	var want []string
	for _, f := range fs {
		want = append(want, fmt.Sprint(f.ID))
	}
	slices.Sort(ids)
	slices.Sort(want)
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("ids of the dump vs conntrack -L (-dump +cli):\n%s\n%s", diff, cli)
	}
}

func checkExpectations(t *testing.T, tb *netns.Testbed, ms []codec.Message) {
	t.Helper()
	var ports []uint16
	for _, m := range ms {
		if m.Header.IsControl() {
			continue
		}
		if m.Header.Type != ctmini.TypeExpNew {
			t.Errorf("expectation dump part type %#04x, want 0x0200", m.Header.Type)
		}
		e, err := ctmini.ParseExpect(m)
		if err != nil {
			t.Fatal(err)
		}
		if e.Helper != "ftp" || e.Master.DstPort != netns.PortFTP || e.Timeout == 0 {
			t.Errorf("expectation %+v", e)
		}
		ports = append(ports, e.Tuple.DstPort)
	}
	slices.Sort(ports)
	want := []uint16{netns.FTPPassive4, netns.FTPActive4, netns.FTPPassive6, netns.FTPActive6}
	if diff := cmp.Diff(want, ports); diff != "" {
		t.Errorf("expectation ports (-want +got):\n%s", diff)
	}
}

func checkEvents(t *testing.T, recs []nlsock.Record) {
	t.Helper()
	kinds := map[string]int{}
	for _, r := range recs {
		if r.Dir != nlsock.DirIn {
			t.Errorf("event socket recorded a %v datagram", r.Dir)
		}
		for m, err := range codec.Messages(r.Data, nla.HostOrder) {
			if err != nil {
				t.Fatal(err)
			}
			kinds[fmt.Sprintf("%#04x/%#x", m.Header.Type, m.Header.Flags)]++
			if m.Header.Seq != 0 {
				t.Errorf("event %v with non-zero seq", m.Header)
			}
		}
	}
	for _, k := range []string{
		"0x0100/0x600", // CT NEW
		"0x0100/0x0",   // CT UPDATE
		"0x0102/0x0",   // CT DESTROY (the ack exchange's delete)
		"0x0200/0x600", // EXP NEW
	} {
		if kinds[k] == 0 {
			t.Errorf("no %s event; got %v", k, kinds)
		}
	}
}
