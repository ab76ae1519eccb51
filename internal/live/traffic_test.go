package live_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// testbed builds the two-namespace testbed, runs its traffic and FTP
// exchange, and returns it with a client and an event client in B (the
// event client subscribed before the traffic).
func testbed(t *testing.T) (*netns.Testbed, *live.Client, *live.Client) {
	t.Helper()
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	ev := events(t, tb.B)
	c := open(t, tb.B, nlsock.Options{})
	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let delayed ACKs settle
	return tb, c, ev
}

// TestLiveTraffic checks what real traffic through B's NAT rules leaves
// in B's table: NAT'ed reply tuples, counters, timestamps, ASSURED and
// SEEN_REPLY, the ftp helper and its expectations; then counters read and
// zeroed with get-ctrzero, expectations got, deleted, re-created and
// flushed, and the events all of this produced.
func TestLiveTraffic(t *testing.T) {
	tb, c, ev := testbed(t)
	fs := dump(t, c, conntrack.DumpRequest(0, 0))
	if len(fs) < 10 {
		t.Fatalf("only %d flows after the testbed traffic", len(fs))
	}

	t.Run("nat counters timestamps status", func(t *testing.T) {
		var dnat, snat, helper int
		for _, f := range fs {
			line := f.AppendText(nil, conntrack.TextOptions{Extended: true})
			if !f.CountersOrig.Present.Has(conntrack.CounterAttrPackets) || f.CountersOrig.Packets == 0 || f.CountersOrig.Bytes == 0 {
				t.Errorf("no original counters: %s", line)
			}
			if !f.Timestamp.Present.Has(conntrack.TimestampAttrStart) || time.Since(time.Unix(0, int64(f.Timestamp.Start))) > time.Minute {
				t.Errorf("no recent start timestamp: %s", line)
			}
			if f.Status.Has(conntrack.StatusDstNAT) {
				dnat++
				if f.Reply.Src == f.Orig.Dst {
					t.Errorf("DST_NAT but the reply comes from the original destination: %s", line)
				}
			}
			if f.Status.Has(conntrack.StatusSrcNAT) {
				snat++
				if f.Reply.Dst == f.Orig.Src {
					t.Errorf("SRC_NAT but the reply goes to the original source: %s", line)
				}
			}
			if f.Orig.Proto == conntrack.ProtoTCP && f.Orig.DstPort == netns.PortDNAT {
				if !f.Status.Has(conntrack.StatusSeenReply|conntrack.StatusAssured) || f.CountersReply.Packets == 0 {
					t.Errorf("DNAT'ed TCP flow not SEEN_REPLY|ASSURED with reply counters: %s", line)
				}
				if f.Reply.SrcPort != netns.PortTCPServer || f.Reply.Src != tb.B4Alt && f.Reply.Src != tb.B6Alt {
					t.Errorf("DNAT'ed TCP flow reply tuple not from the server: %s", line)
				}
			}
			if f.Helper.Name.String() == "ftp" {
				helper++
			}
		}
		// 4 TCP + 2 UDP flows are DNAT'ed, 2 TCP + 2 UDP + 1 ICMP source NAT'ed.
		if dnat < 6 || snat < 4 || helper != 4 {
			t.Errorf("%d DST_NAT, %d SRC_NAT, %d ftp-helped flows; want ≥6, ≥4, 4", dnat, snat, helper)
		}
		t.Logf("%d flows: %d DST_NAT, %d SRC_NAT, %d with helper ftp", len(fs), dnat, snat, helper)
	})

	t.Run("get-ctrzero", func(t *testing.T) {
		var target conntrack.Flow
		for _, f := range fs {
			if f.Orig.Proto == conntrack.ProtoUDP && f.CountersOrig.Packets >= 2 {
				target = f
				break
			}
		}
		if !target.Present.Has(conntrack.AttrTupleOrig) {
			t.Fatal("no UDP flow with counters")
		}
		zeroed, err := c.Flows(conntrack.GetCtrZeroRequest(0, target.Orig))
		if err != nil || len(zeroed) != 1 {
			t.Fatalf("get-ctrzero: %d flows, %v", len(zeroed), err)
		}
		if z := zeroed[0]; z.CountersOrig.Packets < target.CountersOrig.Packets || z.CountersOrig.Bytes == 0 {
			t.Errorf("get-ctrzero reported %d packets, the dump %d", z.CountersOrig.Packets, target.CountersOrig.Packets)
		}
		after := get(t, c, target.Orig, nil)
		if after.CountersOrig.Packets != 0 || after.CountersOrig.Bytes != 0 || after.CountersReply.Packets != 0 {
			t.Errorf("counters after get-ctrzero: orig %+v reply %+v", after.CountersOrig, after.CountersReply)
		}
		t.Logf("read %d+%d packets then zero: %s", zeroed[0].CountersOrig.Packets, zeroed[0].CountersReply.Packets,
			after.AppendText(nil, conntrack.TextOptions{Now: time.Now()}))
	})

	var exps []conntrack.Expect
	t.Run("expectations", func(t *testing.T) {
		var err error
		exps, err = c.Expects(conntrack.ExpDumpRequest(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		ports := map[uint16]bool{}
		for _, e := range exps {
			ports[e.Tuple.DstPort] = true
			if e.Helper.String() != "ftp" || !e.Present.Has(conntrack.ExpectAttrMaster) || e.Master.DstPort != netns.PortFTP {
				t.Errorf("expectation %s: helper %q master %s", key(&e.Tuple), e.Helper, key(&e.Master))
			}
		}
		for _, p := range []uint16{netns.FTPPassive4, netns.FTPActive4, netns.FTPPassive6, netns.FTPActive6} {
			if !ports[p] {
				t.Errorf("no expectation for port %d", p)
			}
		}
		if v6, err := c.Expects(conntrack.ExpDumpRequest(0, conntrack.FamilyIPv6)); err != nil || len(v6) != 2 {
			t.Errorf("ipv6 expectation dump: %d, %v; want 2", len(v6), err)
		}
		if len(exps) != 4 {
			t.Fatalf("%d expectations, want 4", len(exps))
		}
		e := exps[0]
		got, err := c.Expects(conntrack.ExpGetRequest(0, e.Tuple))
		if err != nil || len(got) != 1 || got[0].ID != e.ID || got[0].Tuple != e.Tuple {
			t.Fatalf("get expectation %s: %v %v", key(&e.Tuple), got, err)
		}
		mine, err := c.Expects(conntrack.ExpMasterDumpRequest(0, e.Master))
		if err != nil || len(mine) != 1 || mine[0].ID != e.ID {
			t.Errorf("dump by master %s: %d expectations, %v", key(&e.Master), len(mine), err)
		}
		if _, err := c.Do(conntrack.ExpDeleteRequest(0, e.Tuple)); err != nil {
			t.Fatalf("delete expectation: %v", err)
		}
		_, err = c.Expects(conntrack.ExpGetRequest(0, e.Tuple))
		wantErrno(t, "get of a deleted expectation", err, syscall.ENOENT)

		// Re-create it from its tuple, mask and master.
		n := conntrack.Expect{Tuple: e.Tuple, Mask: e.Mask, Master: e.Master, Timeout: 100}
		n.Present.Add(conntrack.ExpectAttrTuple)
		n.Present.Add(conntrack.ExpectAttrMask)
		n.Present.Add(conntrack.ExpectAttrMaster)
		n.Present.Add(conntrack.ExpectAttrTimeout)
		if _, err := c.Do(conntrack.ExpCreateRequest(0, &n)); err != nil {
			t.Fatalf("create expectation: %v", err)
		}
		// The helper's policy sets the timeout of a new expectation (300 s
		// for ftp); an update then changes it.
		got, err = c.Expects(conntrack.ExpGetRequest(0, e.Tuple))
		if err != nil || len(got) != 1 || got[0].Master != e.Master || got[0].Helper.String() != "ftp" {
			t.Fatalf("get re-created expectation: %+v %v", got, err)
		}
		// An update still needs tuple, mask and master (EINVAL without).
		up := conntrack.Request{Op: conntrack.OpExpUpdate, Family: e.Family, Expect: n}
		up.Expect.Timeout = 50
		if _, err := c.Do(up); err != nil {
			t.Fatalf("update expectation timeout: %v", err)
		}
		got, err = c.Expects(conntrack.ExpGetRequest(0, e.Tuple))
		if err != nil || len(got) != 1 || got[0].Timeout > 50 || got[0].Timeout < 48 {
			t.Fatalf("expectation after timeout update: %+v %v", got, err)
		}
		_, err = c.Do(conntrack.ExpCreateRequest(0, &n))
		wantErrno(t, "second create of the expectation", err, syscall.EEXIST)

		if _, err := c.Do(conntrack.ExpFlushRequest(0)); err != nil {
			t.Fatalf("flush expectations: %v", err)
		}
		if left, err := c.Expects(conntrack.ExpDumpRequest(0, 0)); err != nil || len(left) != 0 {
			t.Errorf("after flush: %d expectations, %v", len(left), err)
		}
		t.Logf("4 ftp expectations dumped, got, deleted, re-created and flushed")
	})

	t.Run("events", func(t *testing.T) {
		// A flow created, updated and deleted over ctnetlink.
		f := newFlow(udp(tb.A4, tb.B4, 4444, 4445), 100)
		create(t, c, f)
		if _, err := c.Do(conntrack.UpdateRequest(0, ptr(withMark(origOnly(f), 7)))); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Do(conntrack.DeleteRequest(0, f.Orig)); err != nil {
			t.Fatal(err)
		}
		recs, err := ev.Events(0, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[conntrack.EventKind]int{}
		var mine []conntrack.EventKind
		expNew, expDestroy := 0, 0
		for _, r := range recs {
			switch r.Kind {
			case conntrack.KindEvent:
				kinds[r.Event]++
				if r.Flow.Orig == f.Orig {
					mine = append(mine, r.Event)
				}
			case conntrack.KindExpectEvent:
				switch r.Event {
				case conntrack.EventNew:
					expNew++
				case conntrack.EventDestroy:
					expDestroy++
				}
			default:
				t.Errorf("a %s record on the event socket", r.Kind)
			}
		}
		want := []conntrack.EventKind{conntrack.EventNew, conntrack.EventUpdate, conntrack.EventDestroy}
		if len(mine) != 3 || mine[0] != want[0] || mine[1] != want[1] || mine[2] != want[2] {
			t.Errorf("events of the created flow: %v, want %v", mine, want)
		}
		if kinds[conntrack.EventNew] < len(fs) || kinds[conntrack.EventUpdate] == 0 || kinds[conntrack.EventDestroy] == 0 {
			t.Errorf("flow events %v for %d flows", kinds, len(fs))
		}
		// 4 from the ftp helper and 1 re-created; 1 deleted and 4 flushed.
		if expNew != 5 || expDestroy != 5 {
			t.Errorf("expectation events: %d new, %d destroy; want 5 and 5", expNew, expDestroy)
		}
		t.Logf("%d events: flows %v, expectations %d new %d destroy", len(recs), kinds, expNew, expDestroy)
	})
}

func ptr[T any](v T) *T { return &v }
