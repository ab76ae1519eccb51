package conntrack

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// The decoder must behave exactly as the reference decoder in
// decode_ref_test.go: same record on success, same error (offset, path,
// sentinel) on failure, record untouched on error.

// diffSeeds returns valid attribute buffers: the fixtures and, on
// little-endian hosts, every flow message of the live recordings.
func diffSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{hostMessage(unhex(t, dumpTCP))[codec.AttrOffset:]}
	for _, tc := range attrCases {
		seeds = append(seeds, hostAttrs(unhex(t, tc.hex), false))
	}
	if !mLittleEndian {
		return seeds
	}
	for _, name := range []string{"dump", "dump-ipv6", "get", "dying", "events"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "live", name+".bin"))
		if err != nil {
			continue
		}
		for m, err := range codec.Messages(b, nla.LittleEndian) {
			if err != nil {
				t.Fatal(err)
			}
			if m.HasNFGen() && m.Header.Subsystem() == codec.SubsysConntrack {
				seeds = append(seeds, m.Data)
			}
		}
	}
	return seeds
}

// diffDecoders are the option sets both decoders are run with.
var diffDecoders = []Decoder{
	{},
	{Keep: true},
	{Only: Attrs(AttrTupleOrig, AttrTupleReply, AttrCountersOrig, AttrCountersReply)},
	{Only: Attrs(AttrStatus, AttrProtoInfo, AttrHelp, AttrLabels), Keep: true},
}

// fataler is what checkSame needs of a *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkSame decodes b with d by both decoders, in byte order o, into
// records prefilled with prev, and fails unless they agree.
func checkSame(t fataler, d Decoder, b []byte, o nla.Order, prev Flow) {
	t.Helper()
	got, want := prev, prev
	gotErr := d.DecodeAttrs(nla.NewScannerOrder(b, o, 20), &got)
	wantErr := refDecodeFlow(d, b, o, 20, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("decoder %+v order %v on %x:\n got error %v\nwant error %v", d, o, b, gotErr, wantErr)
	}
	if wantErr != nil {
		var ge, we *Error
		if !errors.As(gotErr, &ge) || !errors.As(wantErr, &we) {
			t.Fatalf("untyped errors %v, %v", gotErr, wantErr)
		}
		if *ge != *we {
			t.Fatalf("decoder %+v order %v on %x:\n got error %+v\nwant error %+v", d, o, b, *ge, *we)
		}
		if got != prev {
			t.Fatalf("record changed on error %v", gotErr)
		}
	}
	if got != want {
		t.Fatalf("decoder %+v order %v on %x (-want +got):\n%s", d, o, b, cmp.Diff(want, got, cmpOpts))
	}
}

// checkSameScanner is checkSame for DecodeAttrs: b is wrapped in a nest
// of type 77 so that the scanner handed over has a path and a base, and
// the scanner is first advanced past skip attributes.
func checkSameScanner(t fataler, d Decoder, b []byte, o nla.Order, skip int, prev Flow) {
	t.Helper()
	outer := nla.AppendHeader(nil, 77|nla.FlagNested, len(b))
	if o.Resolve() != nla.HostOrder.Resolve() {
		outer[0], outer[1], outer[2], outer[3] = outer[1], outer[0], outer[3], outer[2]
	}
	outer = append(outer, b...)
	s := nla.NewScannerOrder(outer, o, 16)
	if !s.Next() {
		return
	}
	in := s.Nested()
	for range skip {
		in.Next()
	}
	got, want := prev, prev
	gotErr := d.DecodeAttrs(in, &got)
	wantErr := refDecodeAttrs(d, in, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("DecodeAttrs %+v order %v skip %d on %x:\n got error %v\nwant error %v", d, o, skip, b, gotErr, wantErr)
	}
	if wantErr != nil {
		var ge, we *Error
		if !errors.As(gotErr, &ge) || !errors.As(wantErr, &we) {
			t.Fatalf("untyped errors %v, %v", gotErr, wantErr)
		}
		if *ge != *we {
			t.Fatalf("DecodeAttrs %+v order %v skip %d on %x:\n got error %+v\nwant error %+v", d, o, skip, b, *ge, *we)
		}
	}
	if got != want {
		t.Fatalf("DecodeAttrs %+v order %v skip %d on %x (-want +got):\n%s", d, o, skip, b, cmp.Diff(want, got, cmpOpts))
	}
}

// TestDecodeMatchesReference runs both decoders over every seed, every
// truncated prefix of it, and every byte of it replaced by 0, 5 and 0xff
// (lengths too short, odd and too long; types unknown; sizes wrong).
func TestDecodeMatchesReference(t *testing.T) {
	prev := dumpTCPFlow()
	prev.SecCtx, _ = MakeSecCtx("system_u:object_r:unlabeled_t:s0")
	n := 0
	for _, seed := range diffSeeds(t) {
		// The wrapping in checkSameScanner hands DecodeAttrs the same
		// attributes, with offsets 4 bytes further on.
		outer := append(nla.AppendHeader(nil, 77|nla.FlagNested, len(seed)), seed...)
		s := nla.NewScannerOrder(outer, nla.HostOrder, 16)
		var viaScanner, flat Flow
		if !s.Next() || (Decoder{}).DecodeAttrs(s.Nested(), &viaScanner) != nil ||
			(Decoder{}).DecodeAttrs(nla.NewScannerOrder(seed, nla.HostOrder, 20), &flat) != nil || viaScanner != flat {
			t.Fatalf("seed %x does not decode the same through a scanner", seed)
		}
		for _, d := range diffDecoders {
			for _, o := range []nla.Order{nla.LittleEndian, nla.BigEndian} {
				for i := 0; i <= len(seed); i++ {
					checkSame(t, d, seed[:i], o, prev)
					checkSameScanner(t, d, seed[:i], o, i%3, prev)
					n++
				}
				b := append([]byte(nil), seed...)
				for i := range b {
					for _, v := range []byte{0, 5, 0xff} {
						old := b[i]
						b[i] = v
						checkSame(t, d, b, o, prev)
						checkSameScanner(t, d, b, o, i%2, prev)
						b[i] = old
						n++
					}
				}
			}
		}
	}
	t.Logf("%d decodings compared", n)
}

// TestDecodeMatchesReferenceRapid mutates random flows' encodings.
func TestDecodeMatchesReferenceRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := genFlow(rt)
		b, err := f.AppendAttrsLayout(nil, Layout(rapid.IntRange(0, 1).Draw(rt, "layout")))
		if err != nil {
			rt.Fatal(err)
		}
		for range rapid.IntRange(0, 4).Draw(rt, "mutations") {
			if len(b) == 0 {
				break
			}
			i := rapid.IntRange(0, len(b)-1).Draw(rt, "at")
			switch rapid.IntRange(0, 3).Draw(rt, "how") {
			case 0:
				b[i] = rapid.Byte().Draw(rt, "byte")
			case 1:
				b = b[:i]
			case 2:
				b = append(b[:i:i], b[i+1:]...)
			case 3:
				b = append(b[:i:i], append([]byte{rapid.Byte().Draw(rt, "ins")}, b[i:]...)...)
			}
		}
		d := rapid.SampledFrom(diffDecoders).Draw(rt, "decoder")
		o := rapid.SampledFrom([]nla.Order{nla.HostOrder, nla.BigEndian}).Draw(rt, "order")
		checkSame(rt, d, b, o, dumpTCPFlow())
		checkSameScanner(rt, d, b, o, rapid.IntRange(0, 2).Draw(rt, "skip"), dumpTCPFlow())
	})
}

// FuzzDecodeMatchesReference: arbitrary bytes decode the same with both
// decoders.
func FuzzDecodeMatchesReference(f *testing.F) {
	for _, s := range diffSeeds(f) {
		f.Add(s, false, uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, big bool, opts uint8) {
		o := nla.LittleEndian
		if big {
			o = nla.BigEndian
		}
		checkSame(t, diffDecoders[int(opts)%len(diffDecoders)], b, o, dumpTCPFlow())
		checkSameScanner(t, diffDecoders[int(opts)%len(diffDecoders)], b, o, int(opts>>4)%3, dumpTCPFlow())
	})
}

// TestDecodeOddSizesMatchReference puts every top-level type, with every
// payload size from 0 to 20 bytes, unpadded at the end of a real dump
// reply and at its start: the decoders must agree, and reading a
// value must never run past the attribute or the buffer.
func TestDecodeOddSizesMatchReference(t *testing.T) {
	dump := hostMessage(unhex(t, dumpTCP))[codec.AttrOffset:]
	for typ := uint16(0); typ <= uint16(AttrMax)+1; typ++ {
		for size := 0; size <= 20; size++ {
			payload := make([]byte, size)
			for i := range payload {
				payload[i] = byte(0x11 * (i + 1))
			}
			for _, flags := range []uint16{0, nla.FlagNested} {
				attr := append(nla.AppendHeader(nil, typ|flags, size), payload...)
				last := append(append([]byte(nil), dump...), attr...)
				first := append(nla.Pad(attr), dump...)
				for _, d := range diffDecoders {
					checkSame(t, d, last, nla.HostOrder, dumpTCPFlow())
					checkSame(t, d, first, nla.HostOrder, dumpTCPFlow())
				}
			}
		}
	}
}

// dirtyFlow returns a record with every field set, to check that
// decoding replaces all of them.
func dirtyFlow() Flow {
	a := netip.MustParseAddr("198.51.100.7")
	tu := PortTuple(ProtoUDP, a, a, 1, 2)
	tu.Zone, tu.HasZone = 9, true
	f := Flow{
		Family: FamilyIPv6, Orig: tu, Reply: tu, Master: tu,
		Status: 1, StatusMask: 2, Timeout: 3, Mark: 4, MarkMask: 5, Use: 6, ID: 7, Zone: 8, SecMark: 9,
		ProtoInfo:  ProtoInfo{SCTP: SCTPInfo{State: 1, VTagOrig: 2, Present: 2}, Present: 8},
		NATSrc:     NAT{MinIP: a, MaxIP: a, PortMin: 1, PortMax: 2, Present: 6},
		NATDst:     NAT{MinIP: a, PortMin: 3, Present: 2},
		SeqAdjOrig: SeqAdj{1, 2, 3, 14}, SeqAdjReply: SeqAdj{4, 5, 6, 14},
		CountersOrig: Counters{1, 2, 6}, CountersReply: Counters{3, 4, 6},
		Timestamp: Timestamp{5, 6, 6}, TimestampEvent: 7,
		Labels: Labels{1, 2, 3}, LabelsMask: Labels{4}, LabelsSize: 4, LabelsMaskSize: 8,
		Synproxy: Synproxy{1, 2, 3, 14}, Filter: Filter{1, 2, 6},
		Present: AllAttrs,
	}
	f.Helper.Name, _ = MakeHelperName("sip")
	f.Helper.Info, _ = MakeHelperInfo([]byte{1, 2})
	f.Helper.Present = 6
	f.SecCtx, _ = MakeSecCtx("system_u:object_r:unlabeled_t:s0")
	f.Extra = Extras("").Append(ExtraAttr{Type: 99, Payload: "x"})
	return f
}

// TestDecodeReplacesEveryField: decoding into a record with every field
// set gives the record decoding into a zero one gives, Family aside.
func TestDecodeReplacesEveryField(t *testing.T) {
	for _, seed := range diffSeeds(t) {
		for _, d := range diffDecoders {
			var clean Flow
			dirty := dirtyFlow()
			errClean := d.DecodeAttrs(nla.NewScannerOrder(seed, nla.HostOrder, 20), &clean)
			errDirty := d.DecodeAttrs(nla.NewScannerOrder(seed, nla.HostOrder, 20), &dirty)
			if errClean != nil || errDirty != nil {
				t.Fatalf("decoding %x: %v, %v", seed, errClean, errDirty)
			}
			clean.Family = dirty.Family
			if clean != dirty {
				t.Fatalf("decoder %+v on %x (-clean +dirty):\n%s", d, seed, cmp.Diff(clean, dirty, cmpOpts))
			}
			checkSame(t, d, seed, nla.HostOrder, dirtyFlow())
		}
	}
}
