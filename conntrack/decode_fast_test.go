package conntrack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// TestFastPathCoversKernelLayouts holds the fast path to the layouts the
// kernel sends: every nest of the recorded dump replies and events (DESTROY
// events carry the TCP state alone) that the fast path knows is read by
// its fixed-layout reader (tuples with a zone excepted), and every flow without NAT or security context
// bindings is decoded by fastFlow rather than handed to the general
// loops. A layout falling off the fast path still decodes right (the
// differential tests hold that) but slowly; this test catches that.
func TestFastPathCoversKernelLayouts(t *testing.T) {
	if !mLittleEndian {
		t.Skip("the recordings are little-endian")
	}
	flows, inOrder := 0, 0
	for _, name := range []string{"dump", "dump-ipv6", "get", "events", "full-dump", "full-events"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "live", name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		for m, err := range codec.Messages(b, nla.LittleEndian) {
			if err != nil {
				t.Fatal(err)
			}
			kind := Classify(m)
			if kind != KindFlow && kind != KindEvent {
				continue
			}
			flows++
			var f Flow
			if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
				t.Fatalf("%s@%d: %v", name, m.Offset, err)
			}
			slow := false
			s := m.Attrs()
			for s.Next() {
				a := s.Attr()
				p := a.Payload
				ok := true
				switch AttrType(a.Type) {
				case AttrTupleOrig, AttrTupleReply, AttrTupleMaster:
					var t Tuple
					// Tuples with a directional zone (rare) are left to the
					// general loop, as are other protocols' ports.
					ok = tupleFast(p, &t) || f.Orig.HasZone || f.Reply.HasZone ||
						(f.Orig.Proto != ProtoTCP && f.Orig.Proto != ProtoUDP &&
							f.Orig.Proto != ProtoICMP && f.Orig.Proto != ProtoICMPv6)
				case AttrCountersOrig, AttrCountersReply:
					var c Counters
					ok = countersFast(p, &c)
				case AttrTimestamp:
					var ts Timestamp
					ok = timestampFast(p, &ts)
				case AttrProtoInfo:
					var pi ProtoInfo
					ok = protoInfoFast(p, &pi) || f.Orig.Proto != ProtoTCP
				case AttrNATSrc, AttrNATDst, AttrSecCtx:
					slow = true
				}
				if !ok {
					t.Errorf("%s@%d: %v nest off the fast path: % x", name, m.Offset, AttrType(a.Type), p)
				}
			}
			g := Flow{Family: f.Family}
			if fast := fastFlow(m.Data, 0, false, f.Family, &g); fast == slow {
				t.Errorf("%s@%d: fastFlow %v, want %v", name, m.Offset, fast, !slow)
			} else if fast && g != f {
				t.Errorf("%s@%d: fastFlow decodes\n%+v\nUnmarshalMessage\n%+v", name, m.Offset, g, f)
			}
			// Dump and GET replies come in the order of
			// ctnetlink_fill_info, events in that of
			// ctnetlink_conntrack_event: inOrder reads all of either,
			// without the loop (but for nests of layouts the fast path
			// leaves to the general loops, above).
			var v fastAttrs
			off, seen := v.inOrder(m.Data)
			if whole := !slow && !f.Orig.HasZone && !f.Reply.HasZone &&
				(f.Orig.Proto == ProtoTCP || f.Orig.Proto == ProtoUDP || f.Orig.Proto == ProtoICMP || f.Orig.Proto == ProtoICMPv6); whole {
				inOrder++
				if off != len(m.Data) || seen != f.Present {
					t.Errorf("%s@%d: inOrder read %d of %d bytes, attributes %v of %v", name, m.Offset, off, len(m.Data), seen, f.Present)
				}
			} else if seen&^f.Present != 0 || off > len(m.Data) {
				t.Errorf("%s@%d: inOrder read %d of %d bytes, attributes %v of %v", name, m.Offset, off, len(m.Data), seen, f.Present)
			}
			// With Keep, the fast path takes what has nothing to keep
			// (helpers included) and decodes it as the general loops do.
			var k Flow
			if err := (Decoder{Keep: true}).generalMessage(m.Data, m.Order, m.Offset, m.NFGen.Family, &k); err != nil {
				t.Fatal(err)
			}
			g = Flow{Family: f.Family}
			if fast := fastFlow(m.Data, 0, true, f.Family, &g); fast != (!slow && k.Extra == "") {
				t.Errorf("%s@%d: fastFlow with keep %v, want %v (extra %q)", name, m.Offset, fast, !fast, k.Extra)
			} else if fast && g != k {
				t.Errorf("%s@%d: fastFlow with keep decodes\n%+v\nthe general loops\n%+v", name, m.Offset, g, k)
			}
		}
	}
	if flows < 10 || inOrder < 10 {
		t.Fatalf("%d flow messages in the recordings, %d read whole by inOrder; want at least 10 of each", flows, inOrder)
	}
}

// TestFastPathCoversLnfctLayout holds the fast path to the layout
// libnetfilter_conntrack builds (the TCP flags before the window scales):
// fastFlow takes the message and decodes it as the general loops do.
func TestFastPathCoversLnfctLayout(t *testing.T) {
	if !mLittleEndian {
		t.Skip("the fixture is little-endian")
	}
	m, err := codec.ParseMessage(unhex(t, lnfctTCP), nla.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	var f Flow
	if err := (Decoder{}).DecodeMessage(m, &f); err != nil {
		t.Fatal(err)
	}
	g := Flow{Family: f.Family}
	if !fastFlow(m.Data, 0, false, f.Family, &g) {
		t.Fatal("fastFlow refuses libnetfilter_conntrack's layout")
	}
	if g != f || !f.ProtoInfo.TCP.Present.Has(TCPAttrWScaleOrig) || f.ProtoInfo.TCP.FlagsReply.Flags == 0 {
		t.Errorf("fastFlow decodes\n%+v\nthe general loops\n%+v", g, f)
	}
}
