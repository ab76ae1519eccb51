package live_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

var record = flag.Bool("record", false, "write the full-* recordings of TestLiveRecordFull to testdata/live")

// liveDir holds the committed recordings (see its README.md).
const liveDir = "../../testdata/live"

// The names of the full-* recording set.
const (
	fullOps     = "full-ops"      // every request and reply but the two dumps below
	fullDump    = "full-dump"     // the main table dump (conntrack -L in full-dump.conntrack.txt)
	fullExpDump = "full-exp-dump" // the expectation dump of the same moment
	fullEvents  = "full-events"   // the event socket, groups 1-6
)

// fullRun drives the request socket of TestLiveRecordFull: every request
// goes through do, which checks the kernel's answer.
type fullRun struct {
	t *testing.T
	c *live.Client
	// ops gathers the request socket's records that belong to full-ops.
	ops []nlsock.Record
	// errnos counts the kernel errors seen, by errno.
	errnos map[syscall.Errno]int
	// seen counts the requests sent, by op.
	seen map[conntrack.Op]int
}

// do sends r and checks that the kernel answers with errno want (0: no
// error). It returns the reply records.
func (fr *fullRun) do(what string, r conntrack.Request, want syscall.Errno) []conntrack.Record {
	fr.t.Helper()
	recs, err := fr.c.Do(r)
	fr.seen[r.Op]++
	if want == 0 {
		if err != nil {
			fr.t.Fatalf("%s (%s): %v", what, r.Op, err)
		}
		fr.t.Logf("%s (%s): %d records", what, r.Op, len(recs))
		return recs
	}
	var ke *codec.KernelError
	if !errors.As(err, &ke) || !errors.Is(err, want) {
		fr.t.Fatalf("%s (%s): %v, want a kernel error %v", what, r.Op, err, want)
	}
	fr.errnos[want]++
	fr.t.Logf("%s (%s): %v", what, r.Op, err)
	return recs
}

// flowsOf returns the flows of records.
func flowsOf(recs []conntrack.Record) []conntrack.Flow {
	var fs []conntrack.Flow
	for i := range recs {
		if recs[i].Kind == conntrack.KindFlow {
			fs = append(fs, recs[i].Flow)
		}
	}
	return fs
}

// expectsOf returns the expectations of records.
func expectsOf(recs []conntrack.Record) []conntrack.Expect {
	var es []conntrack.Expect
	for i := range recs {
		if recs[i].Kind == conntrack.KindExpect {
			es = append(es, recs[i].Expect)
		}
	}
	return es
}

// Addresses of the bulk flows, which fill several dump datagrams.
var (
	bulk4 = netip.MustParseAddr("198.51.100.77")
	bulk6 = netip.MustParseAddr("2001:db8:4::77")
)

// Generic protocols: no tracker of their own, tuples carry only the
// protocol number.
const (
	protoIGMP conntrack.Proto = 2
	protoPIM  conntrack.Proto = 103
)

// fullProtoFlows returns the flows created for every layer-4 protocol
// over IPv4 and IPv6: marks, a CTA_ZONE, labels, status bits, SCTP state
// and vtags, TCP state, GRE keys, ICMP echo and generic protocols.
func fullProtoFlows() []conntrack.Flow {
	var fs []conntrack.Flow
	for _, p := range [][2]netip.Addr{{a4, b4}, {a6, b6}} {
		src, dst := p[0], p[1]
		v6 := uint32(0)
		if src.Is6() {
			v6 = 0x10
		}
		tcpF := withMark(withStatus(newFlow(tcp(src, dst, 40001, 80), 600), conntrack.StatusSeenReply|conntrack.StatusAssured), 0x101+v6)
		tcpF = withTCPState(tcpF, conntrack.TCPStateEstablished)
		tcpF.Labels.SetBit(1)
		tcpF.Labels.SetBit(70)
		tcpF.Labels.SetBit(127)
		tcpF.Present.Add(conntrack.AttrLabels)

		udpF := withZone(withMark(newFlow(udp(src, dst, 40002, 53), 300), 0x202+v6), 7)
		lite := newFlow(conntrack.PortTuple(conntrack.ProtoUDPLite, src, dst, 40003, 5000), 300)

		sctp := withStatus(newFlow(conntrack.PortTuple(conntrack.ProtoSCTP, src, dst, 40004, 3868), 900),
			conntrack.StatusSeenReply|conntrack.StatusAssured)
		sctp.ProtoInfo.SCTP = conntrack.SCTPInfo{State: conntrack.SCTPStateEstablished, VTagOrig: 0x11223344, VTagReply: 0x55667788}
		sctp.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrState)
		sctp.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrVTagOrig)
		sctp.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrVTagReply)
		sctp.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrSCTP)
		sctp.Present.Add(conntrack.AttrProtoInfo)

		gre := withMark(newFlow(conntrack.PortTuple(conntrack.ProtoGRE, src, dst, 0x1234, 0x5678), 300), 0x505+v6)
		typ, gen := uint8(8), protoIGMP
		if src.Is6() {
			typ, gen = 128, protoPIM
		}
		icmp := newFlow(conntrack.ICMPTuple(src, dst, 0x4242, typ, 0), 120)
		generic := withMark(newFlow(conntrack.ProtoTuple(gen, src, dst), 600), 0x707+v6)
		fs = append(fs, tcpF, udpF, lite, sctp, gre, icmp, generic)
	}
	return fs
}

// TestLiveRecordFull records the full-* set of testdata/live: in namespace
// B of the testbed, after its traffic and FTP exchange, one flow per
// protocol and family created, read back, updated, dumped with every
// filter, zeroed, deleted and flushed; expectations created, read,
// updated, deleted and flushed; every kernel error kind; statistics; and
// the events of all of it. With -record it writes the files to
// testdata/live, otherwise to a temporary directory.
func TestLiveRecordFull(t *testing.T) {
	netns.RequireTool(t, "conntrack")
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	if err := tb.Check(); err != nil {
		t.Fatal(err)
	}
	// Entries get a labels extension only while a rule uses labels.
	if err := tb.B.Nft(labelRules); err != nil {
		t.Skipf("nft ct label rule: %v", err)
	}
	dir := t.TempDir()
	if *record {
		dir = liveDir
	}
	ev := events(t, tb.B)
	evDone := make(chan error, 1)
	evStop := make(chan struct{})
	go func() {
		// Read events as they come, so that their recorded times are the
		// times they arrived.
		ev.Conn.SetTimeout(50 * time.Millisecond)
		for {
			_, err := ev.Conn.Receive()
			if errors.Is(err, nlsock.ErrTimeout) {
				select {
				case <-evStop:
					evDone <- nil
					return
				default:
					continue
				}
			}
			if err != nil {
				evDone <- err
				return
			}
		}
	}()
	c := open(t, tb.B, nlsock.Options{})
	// Read with buffers just the size of each datagram, so that the kernel
	// keeps building dump datagrams of one page and the main dump spans
	// several of them.
	c.BufSize = 1
	fr := &fullRun{t: t, c: c, errnos: map[syscall.Errno]int{}, seen: map[conntrack.Op]int{}}
	take := func() []nlsock.Record { return c.Conn.Recording().Take() }

	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let delayed ACKs settle

	// Creates: every protocol over both families, then entries with tuple
	// zones, a helper and FIXED_TIMEOUT, then the bulk that makes the dump
	// span several full datagrams.
	protos := fullProtoFlows()
	for _, f := range protos {
		fr.do("create "+key(&f.Orig), conntrack.CreateRequest(0, &f), 0)
	}
	zoneOrig := newFlow(tcp(a4, b4, 41000, 443), 500)
	zoneOrig.Orig.Zone, zoneOrig.Orig.HasZone = 5, true
	zoneReply := newFlow(tcp(a6, b6, 41001, 443), 500)
	zoneReply.Reply.Zone, zoneReply.Reply.HasZone = 6, true
	ftpFlow := withTCPState(newFlow(tcp(a4, b4, 41002, 21), 700), conntrack.TCPStateEstablished)
	ftpFlow.Helper.Name, _ = conntrack.MakeHelperName("ftp")
	ftpFlow.Helper.Present.Add(conntrack.HelpAttrName)
	ftpFlow.Present.Add(conntrack.AttrHelp)
	fixed := withStatus(newFlow(udp(a4, b4, 41003, 123), 400), conntrack.StatusFixedTimeout)
	for _, f := range []conntrack.Flow{zoneOrig, zoneReply, ftpFlow, fixed} {
		fr.do("create "+key(&f.Orig), conntrack.CreateRequest(0, &f), 0)
	}
	const nBulk = 48
	for i := range nBulk {
		src, dst := bulk4, c4
		if i%3 == 2 {
			src, dst = bulk6, c6
		}
		f := withMark(newFlow(udp(src, dst, uint16(50000+i), 7000), uint32(1000+i)), 0x10000+uint32(i))
		if _, err := c.Do(conntrack.CreateRequest(0, &f)); err != nil {
			t.Fatalf("create bulk flow %d: %v", i, err)
		}
	}
	fr.seen[conntrack.OpCreate] += nBulk

	// Gets: by original tuple (in the zone where there is one), and by
	// reply tuple for NAT'ed traffic.
	for _, f := range protos {
		r := conntrack.GetRequest(0, f.Orig)
		if f.Present.Has(conntrack.AttrZone) {
			r.SetZone(f.Zone)
		}
		got := flowsOf(fr.do("get "+key(&f.Orig), r, 0))
		if len(got) != 1 || got[0].Orig != f.Orig || got[0].Reply != f.Reply {
			t.Fatalf("get %s: %d flows %v", key(&f.Orig), len(got), got)
		}
		if f.Present.Has(conntrack.AttrLabels) && got[0].Labels != f.Labels {
			t.Errorf("labels of %s: %x, want %x", key(&f.Orig), got[0].Labels, f.Labels)
		}
		if f.Orig.Proto == conntrack.ProtoSCTP && got[0].ProtoInfo.SCTP != f.ProtoInfo.SCTP {
			t.Errorf("sctp info %+v, want %+v", got[0].ProtoInfo.SCTP, f.ProtoInfo.SCTP)
		}
	}
	r := conntrack.GetRequest(0, zoneOrig.Orig)
	if got := flowsOf(fr.do("get by a tuple with CTA_TUPLE_ZONE", r, 0)); len(got) != 1 || got[0].Orig.Zone != 5 {
		t.Fatalf("tuple-zoned get: %v", got)
	}
	if got := flowsOf(fr.do("get of the ftp-helped flow", conntrack.GetRequest(0, ftpFlow.Orig), 0)); len(got) != 1 ||
		got[0].Helper.Name.String() != "ftp" || !got[0].Status.Has(conntrack.StatusHelper) {
		t.Fatalf("helper flow: %v", got)
	}
	fr.ops = append(fr.ops, take()...)
	var natFlows []conntrack.Flow
	for _, f := range dump(t, c, conntrack.DumpRequest(0, conntrack.FamilyIPv4)) {
		if f.Orig.Proto == conntrack.ProtoTCP && f.Reply.Src == tb.B4Alt && f.Reply.SrcPort == netns.PortTCPServer {
			natFlows = append(natFlows, f)
		}
	}
	take() // that dump only found the tuple; it is not part of the recording
	if len(natFlows) == 0 {
		t.Fatal("no DNAT'ed TCP flow")
	}
	dnatReply := natFlows[0].Reply
	if got := flowsOf(fr.do("get by reply tuple "+key(&dnatReply), conntrack.GetReplyRequest(0, dnatReply), 0)); len(got) != 1 ||
		got[0].Orig != natFlows[0].Orig {
		t.Fatalf("get by reply tuple: %v", got)
	}
	fr.do("get of a missing entry", conntrack.GetRequest(0, udp(c4, b4, 9, 9)), syscall.ENOENT)

	// Updates.
	tcp4 := protos[0]
	fr.do("update mark", conntrack.UpdateRequest(0, ptr(withMark(origOnly(tcp4), 0x1234))), 0)
	u := origOnly(tcp4)
	u.Mark, u.MarkMask = 0x0f0000, 0xff0000
	u.Present.Add(conntrack.AttrMark)
	u.Present.Add(conntrack.AttrMarkMask)
	fr.do("update mark with mask", conntrack.UpdateRequest(0, &u), 0)
	u = origOnly(tcp4)
	u.Timeout = 500
	u.Present.Add(conntrack.AttrTimeout)
	fr.do("update timeout", conntrack.UpdateRequest(0, &u), 0)
	u = origOnly(tcp4)
	u.Labels.SetBit(3)
	u.LabelsMask.SetBit(3)
	u.LabelsMask.SetBit(70)
	u.Present.Add(conntrack.AttrLabels)
	u.Present.Add(conntrack.AttrLabelsMask)
	fr.do("update labels with mask", conntrack.UpdateRequest(0, &u), 0)
	lite4 := protos[2]
	fr.do("update status", conntrack.UpdateRequest(0,
		ptr(withStatus(origOnly(lite4), conntrack.StatusSeenReply|conntrack.StatusAssured|conntrack.StatusConfirmed))), 0)
	got := flowsOf(fr.do("get after the updates", conntrack.GetRequest(0, tcp4.Orig), 0))
	var wantLabels conntrack.Labels
	wantLabels.SetBit(1)
	wantLabels.SetBit(3)
	wantLabels.SetBit(127)
	if len(got) != 1 || got[0].Mark != 0x0f1234 || got[0].Labels != wantLabels || got[0].Timeout > 500 || got[0].Timeout < 498 {
		t.Fatalf("after updates: %+v", got)
	}

	// Kernel errors.
	fr.do("second create", conntrack.CreateRequest(0, &tcp4), syscall.EEXIST)
	both := newFlow(tcp(a4, b4, 41100, 443), 200)
	both.Orig.Zone, both.Orig.HasZone = 5, true
	both.Reply.Zone, both.Reply.HasZone = 6, true
	fr.do("create with a zone in both tuples", conntrack.CreateRequest(0, &both), syscall.EINVAL)
	nc := withStatus(newFlow(tcp(a4, b4, 41101, 80), 300), conntrack.StatusSeenReply)
	r = conntrack.UpdateRequest(0, &nc)
	r.Flags = codec.FlagRequest | codec.FlagAck | codec.FlagCreate | codec.FlagExcl
	fr.do("create with a status lacking CONFIRMED", r, syscall.EBUSY)
	fr.do("update clearing ASSURED", conntrack.UpdateRequest(0,
		ptr(withStatus(origOnly(tcp4), conntrack.StatusSeenReply|conntrack.StatusConfirmed))), syscall.EBUSY)
	u = origOnly(fixed)
	u.Timeout = 50
	u.Present.Add(conntrack.AttrTimeout)
	fr.do("timeout update of a FIXED_TIMEOUT entry", conntrack.UpdateRequest(0, &u), syscall.EPERM)
	fr.do("update of a missing entry", conntrack.UpdateRequest(0, ptr(withMark(origOnly(newFlow(tcp(a4, b4, 2999, 80), 1)), 1))), syscall.ENOENT)
	badExp := conntrack.Expect{Tuple: tcp(b4, a4, 0, 20000), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff),
		Master: ftpFlow.Orig, Flags: 0x80}
	badExp.Present.Add(conntrack.ExpectAttrTuple)
	badExp.Present.Add(conntrack.ExpectAttrMask)
	badExp.Present.Add(conntrack.ExpectAttrMaster)
	badExp.Present.Add(conntrack.ExpectAttrFlags)
	_, err := c.Do(conntrack.ExpCreateRequest(0, &badExp))
	var ke *codec.KernelError
	if !errors.As(err, &ke) || ke.Errno != syscall.EINVAL || len(ke.Msg) == 0 || !ke.HasOffset {
		t.Fatalf("expectation with flags 0x80: %v, want EINVAL with an extack message and offset", err)
	}
	fr.seen[conntrack.OpExpCreate]++
	fr.errnos[syscall.EINVAL]++
	t.Logf("expectation with flags 0x80: %v (extack %q at %d)", err, ke.Msg, ke.Offset)
	dy := conntrack.DyingRequest(0)
	dy.Flags = codec.FlagRequest | codec.FlagAck
	fr.do("dying list without NLM_F_DUMP", dy, syscall.EOPNOTSUPP)

	// A user-space expectation on the created ftp flow, with flags and an
	// expectfn.
	userExp := conntrack.Expect{Tuple: tcp(b4, a4, 0, 20000), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff),
		Master: ftpFlow.Orig, Timeout: 250, Flags: conntrack.ExpectPermanent}
	userExp.Present.Add(conntrack.ExpectAttrTuple)
	userExp.Present.Add(conntrack.ExpectAttrMask)
	userExp.Present.Add(conntrack.ExpectAttrMaster)
	userExp.Present.Add(conntrack.ExpectAttrTimeout)
	userExp.Present.Add(conntrack.ExpectAttrFlags)
	fr.do("create expectation", conntrack.ExpCreateRequest(0, &userExp), 0)
	fr.ops = append(fr.ops, take()...)

	// The main dump, and conntrack(8)'s view of the same moment.
	mainRecs := fr.do("main dump", conntrack.DumpRequest(0, 0), 0)
	dumpRecs := take()
	listing := saveText(t, dir, fullDump+".conntrack.txt", tb.B, "conntrack", "-L", "-o", "extended,id")
	expRecs := fr.do("expectation dump", conntrack.ExpDumpRequest(0, 0), 0)
	expDumpRecs := take()
	saveText(t, dir, fullExpDump+".conntrack.txt", tb.B, "sh", "-c", "conntrack -L expect -f ipv4; conntrack -L expect -f ipv6")
	fs := flowsOf(mainRecs)
	checkFullDump(t, fs, dumpRecs, listing, nBulk)
	exps := expectsOf(expRecs)
	if len(exps) != 5 {
		t.Errorf("%d expectations, want 4 from the ftp helper and 1 created", len(exps))
	}

	// Dumps with every filter: each must return exactly the flows of the
	// main dump its predicate selects.
	v4, v6 := conntrack.FamilyIPv4, conntrack.FamilyIPv6
	filtered := func(what string, r conntrack.Request, pred func(f *conntrack.Flow) bool) {
		t.Helper()
		var want []conntrack.Flow
		for i := range fs {
			if pred(&fs[i]) {
				want = append(want, fs[i])
			}
		}
		got := flowsOf(fr.do(what, r, 0))
		if len(want) == 0 {
			t.Fatalf("%s: the predicate selects nothing", what)
		}
		sameKeys(t, what, keys(got), keys(want))
	}
	filtered("dump ipv4", conntrack.DumpRequest(0, v4), func(f *conntrack.Flow) bool { return f.Family == v4 })
	filtered("dump ipv6", conntrack.DumpRequest(0, v6), func(f *conntrack.Flow) bool { return f.Family == v6 })
	r = conntrack.DumpRequest(0, 0)
	r.SetMark(0x202, 0xffffffff)
	filtered("dump mark 0x202", r, func(f *conntrack.Flow) bool { return f.Mark == 0x202 })
	r = conntrack.DumpRequest(0, v6)
	r.SetMark(0x10000, 0xffff0000)
	filtered("dump ipv6 mark 0x10000/0xffff0000", r, func(f *conntrack.Flow) bool {
		return f.Family == v6 && f.Mark&0xffff0000 == 0x10000
	})
	r = conntrack.DumpRequest(0, 0)
	r.SetStatus(conntrack.StatusSeenReply|conntrack.StatusAssured, conntrack.StatusSeenReply|conntrack.StatusAssured|conntrack.StatusDstNAT)
	filtered("dump status ASSURED without DST_NAT", r, func(f *conntrack.Flow) bool {
		return f.Status&(conntrack.StatusSeenReply|conntrack.StatusAssured|conntrack.StatusDstNAT) == conntrack.StatusSeenReply|conntrack.StatusAssured
	})
	r = conntrack.DumpRequest(0, 0)
	r.SetZone(7)
	filtered("dump zone 7", r, func(f *conntrack.Flow) bool { return f.Present.Has(conntrack.AttrZone) && f.Zone == 7 })
	r = conntrack.DumpRequest(0, v4)
	r.SetFilter(conntrack.Tuple{Src: a4}, conntrack.FilterIPSrc, conntrack.Tuple{}, 0)
	filtered("dump CTA_FILTER orig src "+a4.String(), r, func(f *conntrack.Flow) bool { return f.Family == v4 && f.Orig.Src == a4 })
	r = conntrack.DumpRequest(0, v4)
	r.SetFilter(tcp(a4, b4, 0, netns.PortDNAT), conntrack.FilterProtoNum|conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
	filtered("dump CTA_FILTER tcp dport 80", r, func(f *conntrack.Flow) bool {
		return f.Family == v4 && f.Orig.Proto == conntrack.ProtoTCP && f.Orig.DstPort == netns.PortDNAT
	})
	r = conntrack.DumpRequest(0, v4)
	r.SetFilter(conntrack.Tuple{}, 0, conntrack.Tuple{Src: tb.B4Alt}, conntrack.FilterIPSrc)
	filtered("dump CTA_FILTER reply src "+tb.B4Alt.String(), r, func(f *conntrack.Flow) bool { return f.Family == v4 && f.Reply.Src == tb.B4Alt })
	r = conntrack.DumpRequest(0, v4)
	r.SetFilter(conntrack.ICMPTuple(a4, b4, 0x4242, 8, 0), conntrack.FilterProtoNum|conntrack.FilterICMPType|conntrack.FilterICMPID, conntrack.Tuple{}, 0)
	filtered("dump CTA_FILTER icmp type 8 id 0x4242", r, func(f *conntrack.Flow) bool {
		return f.Orig.Proto == conntrack.ProtoICMP && f.Orig.ICMPID == 0x4242
	})
	r = conntrack.DumpRequest(0, v6)
	r.SetFilter(udp(bulk6, c6, 0, 7000), conntrack.FilterProtoNum|conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
	r.SetMark(0x10002, 0xffffffff)
	filtered("dump ipv6 CTA_FILTER udp dport 7000 and mark 0x10002", r, func(f *conntrack.Flow) bool {
		return f.Family == v6 && f.Orig.DstPort == 7000 && f.Mark == 0x10002
	})

	// Counters read and zeroed: one entry, then the IPv6 table.
	var counted conntrack.Flow
	for _, f := range fs {
		if f.Orig.Proto == conntrack.ProtoUDP && f.Family == v4 && f.CountersOrig.Packets >= 2 {
			counted = f
			break
		}
	}
	if counted.CountersOrig.Packets == 0 {
		t.Fatal("no IPv4 UDP flow with counters")
	}
	z := flowsOf(fr.do("get-ctrzero", conntrack.GetCtrZeroRequest(0, counted.Orig), 0))
	if len(z) != 1 || z[0].CountersOrig.Packets < counted.CountersOrig.Packets {
		t.Fatalf("get-ctrzero: %v", z)
	}
	if after := flowsOf(fr.do("get after get-ctrzero", conntrack.GetRequest(0, counted.Orig), 0)); len(after) != 1 ||
		after[0].CountersOrig.Packets != 0 || after[0].CountersReply.Packets != 0 {
		t.Fatalf("after get-ctrzero: %v", after)
	}
	filtered("dump-ctrzero ipv6", conntrack.DumpCtrZeroRequest(0, v6), func(f *conntrack.Flow) bool { return f.Family == v6 })
	for _, f := range dump(t, c, conntrack.DumpRequest(0, v6)) {
		if f.CountersOrig.Packets != 0 || f.CountersReply.Packets != 0 {
			t.Errorf("counters after dump-ctrzero: %s", f.AppendText(nil, conntrack.TextOptions{}))
		}
	}

	// Statistics and the dying and unconfirmed lists.
	if recs := fr.do("stats-cpu", conntrack.StatsCPURequest(0), 0); len(recs) == 0 || recs[0].Kind != conntrack.KindStatsCPU {
		t.Fatalf("stats-cpu: %v", recs)
	}
	if recs := fr.do("stats", conntrack.StatsRequest(0), 0); len(recs) != 1 || recs[0].StatsGlobal.Entries != uint32(len(fs)) {
		t.Fatalf("stats: %+v, want %d entries", recs, len(fs))
	}
	fr.do("dying", conntrack.DyingRequest(0), 0)
	fr.do("unconfirmed", conntrack.UnconfirmedRequest(0), 0)

	// Expectations.
	if got := expectsOf(fr.do("expectation dump ipv6", conntrack.ExpDumpRequest(0, v6), 0)); len(got) != 2 {
		t.Errorf("%d IPv6 expectations, want 2", len(got))
	}
	if got := expectsOf(fr.do("expectation dump by master", conntrack.ExpMasterDumpRequest(0, ftpFlow.Orig), 0)); len(got) != 1 ||
		got[0].Tuple != userExp.Tuple || got[0].Flags&conntrack.ExpectPermanent == 0 {
		t.Errorf("expectations of the created master: %+v", got)
	}
	var ftpExp conntrack.Expect
	for _, e := range exps {
		if e.Tuple.DstPort == netns.FTPPassive4 {
			ftpExp = e
		}
	}
	if got := expectsOf(fr.do("expectation get", conntrack.ExpGetRequest(0, ftpExp.Tuple), 0)); len(got) != 1 || got[0].ID != ftpExp.ID {
		t.Fatalf("expectation get: %+v", got)
	}
	fr.do("expectation delete", conntrack.ExpDeleteRequest(0, ftpExp.Tuple), 0)
	fr.do("expectation get after delete", conntrack.ExpGetRequest(0, ftpExp.Tuple), syscall.ENOENT)
	again := conntrack.Expect{Tuple: ftpExp.Tuple, Mask: ftpExp.Mask, Master: ftpExp.Master, Timeout: 100}
	again.Present.Add(conntrack.ExpectAttrTuple)
	again.Present.Add(conntrack.ExpectAttrMask)
	again.Present.Add(conntrack.ExpectAttrMaster)
	again.Present.Add(conntrack.ExpectAttrTimeout)
	fr.do("expectation re-create", conntrack.ExpCreateRequest(0, &again), 0)
	fr.do("expectation second create", conntrack.ExpCreateRequest(0, &again), syscall.EEXIST)
	up := conntrack.Request{Op: conntrack.OpExpUpdate, Family: v4, Expect: again}
	up.Expect.Timeout = 50
	fr.do("expectation timeout update", up, 0)
	if got := expectsOf(fr.do("expectation get after update", conntrack.ExpGetRequest(0, ftpExp.Tuple), 0)); len(got) != 1 ||
		got[0].Timeout > 50 || got[0].Timeout < 48 {
		t.Fatalf("expectation after update: %+v", got)
	}
	if recs := fr.do("exp-stats-cpu", conntrack.ExpStatsCPURequest(0), 0); len(recs) == 0 || recs[0].Kind != conntrack.KindStatsExp {
		t.Fatalf("exp-stats-cpu: %v", recs)
	}
	byHelper, err := conntrack.ExpDeleteHelperRequest(0, "ftp")
	if err != nil {
		t.Fatal(err)
	}
	fr.do("expectation delete by helper ftp", byHelper, 0)
	if got := expectsOf(fr.do("expectation dump after delete by helper", conntrack.ExpDumpRequest(0, 0), 0)); len(got) != 0 {
		t.Errorf("%d expectations left after delete by helper", len(got))
	}
	fr.do("expectation re-create", conntrack.ExpCreateRequest(0, &userExp), 0)
	fr.do("expectation flush", conntrack.ExpFlushRequest(0), 0)
	if got := expectsOf(fr.do("expectation dump after flush", conntrack.ExpDumpRequest(0, 0), 0)); len(got) != 0 {
		t.Errorf("%d expectations left after the flush", len(got))
	}

	// Deletes: by tuple, by id (a wrong one first).
	fr.do("delete by tuple", conntrack.DeleteRequest(0, lite4.Orig), 0)
	fr.do("get after delete", conntrack.GetRequest(0, lite4.Orig), syscall.ENOENT)
	lite6 := protos[9]
	g := flowsOf(fr.do("get for the id", conntrack.GetRequest(0, lite6.Orig), 0))
	if len(g) != 1 || !g[0].Present.Has(conntrack.AttrID) {
		t.Fatalf("get %s: %v", key(&lite6.Orig), g)
	}
	r = conntrack.DeleteRequest(0, lite6.Orig)
	r.SetID(g[0].ID ^ 0x5a5a5a5a)
	fr.do("delete with a wrong id", r, syscall.ENOENT)
	r.SetID(g[0].ID)
	fr.do("delete by id", r, 0)
	fr.do("delete of a missing entry", conntrack.DeleteRequest(0, lite6.Orig), syscall.ENOENT)

	// Flushes: filtered by mark, by zone and by CTA_FILTER, then one
	// family, then everything.
	left := func() []conntrack.Flow { return flowsOf(fr.do("dump", conntrack.DumpRequest(0, 0), 0)) }
	r = conntrack.FlushRequest(0, 0)
	r.SetMark(0x10000, 0xffff0000)
	fr.do("flush mark 0x10000/0xffff0000", r, 0)
	for _, f := range left() {
		if f.Mark&0xffff0000 == 0x10000 {
			t.Errorf("left after the mark flush: %s", key(&f.Orig))
		}
	}
	r = conntrack.FlushRequest(0, 0)
	r.SetZone(7)
	fr.do("flush zone 7", r, 0)
	r = conntrack.FlushRequest(0, v4)
	r.SetFilter(conntrack.Tuple{Dst: b4}, conntrack.FilterIPDst, conntrack.Tuple{}, 0)
	fr.do("flush CTA_FILTER ipv4 dst "+b4.String(), r, 0)
	for _, f := range left() {
		if f.Zone == 7 && f.Present.Has(conntrack.AttrZone) || f.Family == v4 && f.Orig.Dst == b4 {
			t.Errorf("left after the zone and CTA_FILTER flushes: %s", key(&f.Orig))
		}
	}
	fr.do("flush ipv6", conntrack.FlushRequest(0, v6), 0)
	for _, f := range left() {
		if f.Family == v6 {
			t.Errorf("left after the IPv6 flush: %s", key(&f.Orig))
		}
	}
	fr.do("flush", conntrack.FlushRequest(0, 0), 0)
	if l := left(); len(l) != 0 {
		t.Errorf("%d entries left after the flush", len(l))
	}
	if recs := fr.do("stats after the flush", conntrack.StatsRequest(0), 0); len(recs) != 1 {
		t.Fatalf("stats: %+v", recs)
	}
	fr.ops = append(fr.ops, take()...)

	for _, op := range []conntrack.Op{conntrack.OpGet, conntrack.OpDump, conntrack.OpCreate, conntrack.OpUpdate,
		conntrack.OpDelete, conntrack.OpFlush, conntrack.OpGetCtrZero, conntrack.OpDumpCtrZero, conntrack.OpStatsCPU,
		conntrack.OpStats, conntrack.OpDumpDying, conntrack.OpDumpUnconfirmed, conntrack.OpExpGet, conntrack.OpExpDump,
		conntrack.OpExpCreate, conntrack.OpExpUpdate, conntrack.OpExpDelete, conntrack.OpExpDeleteHelper,
		conntrack.OpExpFlush, conntrack.OpExpStatsCPU} {
		if fr.seen[op] == 0 {
			t.Errorf("no %s request sent", op)
		}
	}
	t.Logf("requests by op: %v; kernel errors: %v", fr.seen, fr.errnos)

	time.Sleep(100 * time.Millisecond)
	close(evStop)
	if err := <-evDone; err != nil {
		t.Fatalf("event socket: %v", err)
	}
	evRecs := ev.Conn.Recording().Take()
	checkFullEvents(t, evRecs, protos)

	save := func(name, comment string, recs []nlsock.Record) {
		t.Helper()
		checkRecords(t, name, recs)
		if err := nlsock.WriteRaw(dir, name, comment, recs); err != nil {
			t.Fatal(err)
		}
		back, _, err := nlsock.ReadRaw(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(recs, back, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("%s does not read back (-wrote +read):\n%s", name, diff)
		}
	}
	save(fullOps, "namespace B of the testbed after its traffic and FTP exchange: CT_NEW of tcp, udp, udplite, sctp, gre, "+
		"icmp/icmpv6 and generic (igmp, pim) entries over IPv4 and IPv6 with marks, zones, tuple zones, labels, a helper, "+
		"FIXED_TIMEOUT and 48 bulk udp entries; gets by tuple, zone and reply tuple; updates of mark, mark/mask, timeout, "+
		"labels/mask and status; errors EEXIST, EINVAL (with extack), EBUSY, EPERM, ENOENT, EOPNOTSUPP; dumps filtered by "+
		"family, mark/mask, status/mask, zone and CTA_FILTER; get-ctrzero and dump-ctrzero; stats-cpu, stats, dying, "+
		"unconfirmed; expectation create/get/dump/update/delete/delete-by-helper/flush and exp-stats-cpu; delete by tuple "+
		"and by id; flushes by mark, zone, CTA_FILTER, family and all. The main dumps are in full-dump and full-exp-dump",
		fr.ops)
	save(fullDump, "CT_GET dump (AF_UNSPEC) of the table in the middle of full-ops: every protocol, zones, labels, helpers, "+
		"NAT, counters and timestamps, in several multi-message datagrams; see full-dump.conntrack.txt", dumpRecs)
	save(fullExpDump, "EXP_GET dump (AF_UNSPEC) right after full-dump: four ftp helper expectations and one created over "+
		"ctnetlink with PERMANENT; see full-exp-dump.conntrack.txt", expDumpRecs)
	save(fullEvents, "every datagram of a socket in groups 1-6 during the testbed traffic, the FTP exchange and full-ops: "+
		"CT NEW/UPDATE/DESTROY and EXP NEW/DESTROY events", evRecs)
	t.Logf("recordings %s, %s, %s, %s in %s", fullOps, fullDump, fullExpDump, fullEvents, dir)
}

// saveText runs a command in ns and writes its standard output to
// dir/name.
func saveText(t *testing.T, dir, name string, ns *netns.NS, args ...string) string {
	t.Helper()
	out, err := ns.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// checkRecords decodes every message of a recording and re-encodes it:
// the bytes must come back the same. Requests must be sent, everything
// else received.
func checkRecords(t *testing.T, name string, recs []nlsock.Record) {
	t.Helper()
	if len(recs) == 0 {
		t.Fatalf("%s: empty recording", name)
	}
	kinds := map[conntrack.Kind]int{}
	for i, rec := range recs {
		for m, err := range codec.Messages(rec.Data, nla.HostOrder) {
			if err != nil {
				t.Fatalf("%s record %d: %v", name, i, err)
			}
			var r conntrack.Record
			if err := (conntrack.Decoder{Keep: true}).Decode(m, &r); err != nil {
				t.Fatalf("%s record %d offset %d: %v", name, i, m.Offset, err)
			}
			kinds[r.Kind]++
			if (r.Kind == conntrack.KindRequest) != (rec.Dir == nlsock.DirOut) {
				t.Errorf("%s record %d: a %s message %v", name, i, r.Kind, rec.Dir)
			}
			b, err := r.AppendBinary(nil)
			if err != nil {
				t.Fatalf("%s record %d offset %d: encode: %v", name, i, m.Offset, err)
			}
			want := rec.Data[m.Offset : m.Offset+int(m.Header.Len)]
			if len(b) != codec.Align(len(want)) || !bytes.Equal(b[:len(want)], want) {
				t.Errorf("%s record %d offset %d (%s): re-encoding differs\nwant %x\ngot  %x", name, i, m.Offset, r.Kind, want, b)
			}
		}
	}
	t.Logf("%s: %d datagrams, kinds %v", name, len(recs), kinds)
}

// checkFullDump checks the main dump: several datagrams of which some hold
// many messages, and conntrack -L listing the same lines.
func checkFullDump(t *testing.T, fs []conntrack.Flow, recs []nlsock.Record, listing string, nBulk int) {
	t.Helper()
	if len(fs) < nBulk+30 {
		t.Errorf("main dump: %d flows", len(fs))
	}
	most := 0
	var lines []string
	for _, rec := range recs {
		n := 0
		for m, err := range codec.Messages(rec.Data, nla.HostOrder) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.IsControl() || rec.Dir != nlsock.DirIn {
				continue
			}
			n++
			var f conntrack.Flow
			if err := (conntrack.Decoder{}).DecodeMessage(m, &f); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(f.AppendText(nil, conntrack.TextOptions{Extended: true, ID: true, Now: rec.Time})))
		}
		most = max(most, n)
	}
	if most < 10 || len(recs) < 5 {
		t.Errorf("main dump: %d datagrams, at most %d messages in one", len(recs), most)
	}
	want := strings.Split(strings.TrimSuffix(listing, "\n"), "\n")
	if len(want) != len(lines) {
		t.Errorf("main dump: %d flows, conntrack -L printed %d lines", len(lines), len(want))
	}
	for i := range min(len(want), len(lines)) {
		if !sameButSeconds(lines[i], want[i]) {
			t.Errorf("line %d:\nctwire    %s\nconntrack %s", i+1, lines[i], want[i])
		}
	}
	protos := map[conntrack.Proto]map[conntrack.Family]bool{}
	for _, f := range fs {
		if protos[f.Orig.Proto] == nil {
			protos[f.Orig.Proto] = map[conntrack.Family]bool{}
		}
		protos[f.Orig.Proto][f.Family] = true
	}
	t.Logf("main dump: %d flows in %d datagrams (at most %d in one), protocols %v", len(fs), len(recs), most, protos)
}

// sameButSeconds reports whether two lines have the same fields, but for
// the timeout (the fifth field with -o extended) and delta-time, which may
// be one second apart.
func sameButSeconds(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) {
		return false
	}
	for i := range fa {
		if fa[i] == fb[i] {
			continue
		}
		na, nb := strings.TrimPrefix(fa[i], "delta-time="), strings.TrimPrefix(fb[i], "delta-time=")
		if (i != 4 && na == fa[i]) || (na == fa[i]) != (nb == fb[i]) {
			return false
		}
		x, err1 := strconv.Atoi(na)
		y, err2 := strconv.Atoi(nb)
		if err1 != nil || err2 != nil || x-y > 1 || y-x > 1 {
			return false
		}
	}
	return true
}

// checkFullEvents checks the event socket's recording: every created
// protocol flow announced new and destroyed, the updated one updated, and
// expectation events both ways.
func checkFullEvents(t *testing.T, recs []nlsock.Record, protos []conntrack.Flow) {
	t.Helper()
	byFlow := map[string][]conntrack.EventKind{}
	kinds := map[string]int{}
	for i, rec := range recs {
		if rec.Dir != nlsock.DirIn {
			t.Errorf("event record %d: %v", i, rec.Dir)
		}
		for m, err := range codec.Messages(rec.Data, nla.HostOrder) {
			if err != nil {
				t.Fatal(err)
			}
			var r conntrack.Record
			if err := (conntrack.Decoder{}).Decode(m, &r); err != nil {
				t.Fatalf("event record %d: %v", i, err)
			}
			if !(r.Kind == conntrack.KindEvent || r.Kind == conntrack.KindExpectEvent) || m.Header.Seq != 0 {
				t.Errorf("event record %d: %s seq %d", i, r.Kind, m.Header.Seq)
				continue
			}
			kinds[fmt.Sprintf("%s/%s", r.Kind, r.Event)]++
			if r.Kind == conntrack.KindEvent {
				k := key(&r.Flow.Orig)
				byFlow[k] = append(byFlow[k], r.Event)
			}
		}
	}
	for _, f := range protos {
		evs := byFlow[key(&f.Orig)]
		if len(evs) < 2 || evs[0] != conntrack.EventNew || evs[len(evs)-1] != conntrack.EventDestroy {
			t.Errorf("events of %s: %v, want new ... destroy", key(&f.Orig), evs)
		}
	}
	if evs := byFlow[key(&protos[0].Orig)]; !slices.Contains(evs, conntrack.EventUpdate) {
		t.Errorf("events of the updated flow: %v", evs)
	}
	for _, k := range []string{"event/NEW", "event/UPDATE", "event/DESTROY", "expect-event/NEW", "expect-event/DESTROY"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event; got %v", k, kinds)
		}
	}
	t.Logf("%d event datagrams: %v", len(recs), kinds)
}

// TestFullRecordingSet checks the committed full-* recordings offline: every
// message decodes and re-encodes byte for byte, the set covers every
// request op, protocol, family and error kind it was made for, and the
// main dump prints as conntrack -L printed the same table.
func TestFullRecordingSet(t *testing.T) {
	if nla.HostOrder.Resolve() == nla.BigEndian {
		t.Skip("the recordings are little-endian")
	}
	read := func(name string) []nlsock.Record {
		t.Helper()
		recs, idx, err := nlsock.ReadRaw(liveDir, name)
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("recording %s: %v", name, err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if idx.ByteOrder != "little" {
			t.Fatalf("%s: byte order %q", name, idx.ByteOrder)
		}
		checkRecords(t, name, recs)
		return recs
	}
	decode := func(recs []nlsock.Record, fn func(i int, rec nlsock.Record, r *conntrack.Record, m codec.Message)) {
		t.Helper()
		for i, rec := range recs {
			for m, err := range codec.Messages(rec.Data, nla.HostOrder) {
				if err != nil {
					t.Fatal(err)
				}
				var r conntrack.Record
				if err := (conntrack.Decoder{}).Decode(m, &r); err != nil {
					t.Fatal(err)
				}
				fn(i, rec, &r, m)
			}
		}
	}

	ops := map[conntrack.Op]int{}
	errnos := map[syscall.Errno]int{}
	extack := false
	decode(read(fullOps), func(_ int, _ nlsock.Record, r *conntrack.Record, _ codec.Message) {
		switch r.Kind {
		case conntrack.KindRequest:
			ops[r.Op]++
		case conntrack.KindError:
			errnos[r.Error.Errno]++
			extack = extack || len(r.Error.Msg) > 0 && r.Error.HasOffset
		}
	})
	for op := conntrack.OpGet; op <= conntrack.OpExpStatsCPU; op++ {
		if ops[op] == 0 {
			t.Errorf("%s: no %s request", fullOps, op)
		}
	}
	for _, e := range []syscall.Errno{syscall.ENOENT, syscall.EEXIST, syscall.EINVAL, syscall.EBUSY, syscall.EPERM, syscall.EOPNOTSUPP} {
		if errnos[e] == 0 {
			t.Errorf("%s: no %v error", fullOps, e)
		}
	}
	if !extack {
		t.Errorf("%s: no error with an extack message and offset", fullOps)
	}

	// The main dump: every protocol over both families, the extensions,
	// multi-message datagrams, and conntrack -L's lines.
	listing, err := os.ReadFile(filepath.Join(liveDir, fullDump+".conntrack.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(listing), "\n"), "\n")
	var lines []string
	seen := map[string]bool{}
	perDatagram := map[int]int{}
	decode(read(fullDump), func(dg int, rec nlsock.Record, r *conntrack.Record, _ codec.Message) {
		if r.Kind != conntrack.KindFlow {
			return
		}
		perDatagram[dg]++
		f := &r.Flow
		lines = append(lines, string(f.AppendText(nil, conntrack.TextOptions{Extended: true, ID: true, Now: rec.Time})))
		seen[fmt.Sprintf("%s/%s", f.Family, f.Orig.Proto)] = true
		if f.Orig.Proto.String() == "unknown" {
			seen[fmt.Sprintf("%s/generic", f.Family)] = true
		}
		for what, ok := range map[string]bool{
			"labels":     f.Labels != (conntrack.Labels{}),
			"zone":       f.Present.Has(conntrack.AttrZone),
			"orig zone":  f.Orig.HasZone,
			"reply zone": f.Reply.HasZone,
			"helper":     f.Helper.Name.Len() > 0,
			"sctp vtags": f.ProtoInfo.SCTP.VTagOrig != 0,
			"dnat":       f.Status.Has(conntrack.StatusDstNAT),
			"snat":       f.Status.Has(conntrack.StatusSrcNAT),
			"counters":   f.CountersOrig.Packets > 0,
			"timestamp":  f.Timestamp.Start > 0,
		} {
			seen[what] = seen[what] || ok
		}
	})
	for _, fam := range []string{"ipv4", "ipv6"} {
		for _, p := range []string{"tcp", "udp", "udplite", "sctp", "gre", "generic"} {
			if !seen[fam+"/"+p] {
				t.Errorf("%s: no %s %s flow", fullDump, fam, p)
			}
		}
	}
	for _, k := range []string{"ipv4/icmp", "ipv6/icmpv6", "labels", "zone", "orig zone", "reply zone", "helper",
		"sctp vtags", "dnat", "snat", "counters", "timestamp"} {
		if !seen[k] {
			t.Errorf("%s: nothing with %s", fullDump, k)
		}
	}
	most := 0
	for _, n := range perDatagram {
		most = max(most, n)
	}
	if most < 10 {
		t.Errorf("%s: at most %d flows in a datagram", fullDump, most)
	}
	if len(lines) != len(want) {
		t.Errorf("%s: %d flows, %d lines in the listing", fullDump, len(lines), len(want))
	}
	for i := range min(len(lines), len(want)) {
		if !sameButSeconds(lines[i], want[i]) {
			t.Errorf("%s line %d:\nctwire    %s\nconntrack %s", fullDump, i+1, lines[i], want[i])
		}
	}

	nexp := 0
	decode(read(fullExpDump), func(_ int, _ nlsock.Record, r *conntrack.Record, _ codec.Message) {
		if r.Kind == conntrack.KindExpect {
			nexp++
		}
	})
	expListing, err := os.ReadFile(filepath.Join(liveDir, fullExpDump+".conntrack.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(expListing), "\n"); nexp != 5 || n != nexp {
		t.Errorf("%s: %d expectations, %d listed", fullExpDump, nexp, n)
	}

	evs := map[string]int{}
	decode(read(fullEvents), func(_ int, _ nlsock.Record, r *conntrack.Record, m codec.Message) {
		evs[fmt.Sprintf("%s/%s", r.Kind, r.Event)]++
		if !(r.Kind == conntrack.KindEvent || r.Kind == conntrack.KindExpectEvent) || m.Header.Seq != 0 {
			t.Errorf("%s: a %s message with seq %d", fullEvents, r.Kind, m.Header.Seq)
		}
	})
	for _, k := range []string{"event/NEW", "event/UPDATE", "event/DESTROY", "expect-event/NEW", "expect-event/DESTROY"} {
		if evs[k] == 0 {
			t.Errorf("%s: no %s; got %v", fullEvents, k, evs)
		}
	}
	t.Logf("ops %v; errors %v; %d flows, at most %d in a datagram; %d expectations; events %v", ops, errnos, len(lines), most, nexp, evs)
}
