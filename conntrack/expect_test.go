package conntrack

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func mGenTuple(t *rapid.T, label string) Tuple {
	v6 := rapid.Bool().Draw(t, label+"v6")
	addr := func(n string) netip.Addr {
		if v6 {
			return netip.AddrFrom16([16]byte(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, n)))
		}
		return netip.AddrFrom4([4]byte(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, n)))
	}
	src, dst := addr(label+"src"), addr(label+"dst")
	var tu Tuple
	switch rapid.IntRange(0, 2).Draw(t, label+"kind") {
	case 0:
		tu = PortTuple(Proto(rapid.SampledFrom([]uint8{6, 17, 132}).Draw(t, label+"p")), src, dst,
			rapid.Uint16().Draw(t, label+"sp"), rapid.Uint16().Draw(t, label+"dp"))
	case 1:
		tu = ICMPTuple(src, dst, rapid.Uint16().Draw(t, label+"id"), rapid.Uint8().Draw(t, label+"ty"), rapid.Uint8().Draw(t, label+"co"))
	default:
		tu = ProtoTuple(Proto(rapid.Uint8().Draw(t, label+"p")), src, dst)
	}
	return tu
}

func mGenExpect(t *rapid.T) Expect {
	var e Expect
	e.Family = Family(rapid.SampledFrom([]uint8{2, 10}).Draw(t, "fam"))
	for a := ExpectAttrMaster; a <= ExpectAttrFn; a++ {
		if !rapid.Bool().Draw(t, "has"+strconv.Itoa(int(a))) {
			continue
		}
		e.Present.Add(a)
		switch a {
		case ExpectAttrMaster:
			e.Master = mGenTuple(t, "m")
		case ExpectAttrTuple:
			e.Tuple = mGenTuple(t, "t")
		case ExpectAttrMask:
			e.Mask = mGenTuple(t, "k")
		case ExpectAttrTimeout:
			e.Timeout = rapid.Uint32().Draw(t, "timeout")
		case ExpectAttrID:
			e.ID = rapid.Uint32().Draw(t, "id")
		case ExpectAttrHelpName:
			e.Helper, _ = MakeHelperName(rapid.StringMatching(`[a-z0-9-]{0,15}`).Draw(t, "helper"))
		case ExpectAttrZone:
			e.Zone = rapid.Uint16().Draw(t, "zone")
		case ExpectAttrFlags:
			e.Flags = ExpectFlags(rapid.Uint32().Draw(t, "flags"))
		case ExpectAttrClass:
			e.Class = rapid.Uint32().Draw(t, "class")
		case ExpectAttrNAT:
			// An empty nest decodes as a pad (dropped): draw at least one member.
			if rapid.Bool().Draw(t, "natdir") {
				e.NAT.Dir = rapid.Uint32().Draw(t, "dir")
				e.NAT.Present.Add(ExpectNATAttrDir)
			}
			if e.NAT.Present == 0 || rapid.Bool().Draw(t, "nattuple") {
				e.NAT.Tuple = mGenTuple(t, "n")
				e.NAT.Present.Add(ExpectNATAttrTuple)
			}
		case ExpectAttrFn:
			e.Fn, _ = MakeExpectFn(rapid.StringMatching(`[a-z-]{0,31}`).Draw(t, "fn"))
		}
	}
	return e
}

// TestExpectRoundTrip: decode(encode(e)) == e and encode is stable.
func TestExpectRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := mGenExpect(t)
		b, err := e.AppendAttrs(nil)
		if err != nil {
			t.Fatal(err)
		}
		got := Expect{Family: e.Family}
		if err := (Decoder{}).DecodeExpect(nla.NewScanner(b), &got); err != nil {
			t.Fatal(err)
		}
		if got != e {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
		}
		b2, _ := got.AppendAttrs(nil)
		if diff := cmp.Diff(b, b2); diff != "" {
			t.Fatalf("re-encoding differs:\n%s", diff)
		}
	})
}

// TestStatsRoundTrip: the three stats records survive a message round
// trip through Record, CPU numbers included.
func TestStatsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var r Record
		r.Header = codec.Header{Flags: codec.FlagMulti, Seq: rapid.Uint32().Draw(t, "seq"), PID: rapid.Uint32().Draw(t, "pid")}
		cpu := rapid.Uint16().Draw(t, "cpu")
		switch rapid.IntRange(0, 2).Draw(t, "which") {
		case 0:
			r.Kind, r.Header.Type = KindStatsCPU, uint16(MsgCTGetStatsCPU)
			r.StatsCPU.CPU = cpu
			for a := StatsCPUAttrSearched; a <= StatsCPUAttrChainTooLong; a++ {
				if rapid.Bool().Draw(t, "a"+strconv.Itoa(int(a))) {
					*r.StatsCPU.field(a) = rapid.Uint32().Draw(t, "v"+strconv.Itoa(int(a)))
					r.StatsCPU.Present.Add(a)
				}
			}
		case 1:
			r.Kind, r.Header.Type = KindStatsGlobal, uint16(MsgCTGetStats)
			cpu = 0
			if rapid.Bool().Draw(t, "e") {
				r.StatsGlobal.Entries = rapid.Uint32().Draw(t, "entries")
				r.StatsGlobal.Present.Add(StatsGlobalAttrEntries)
			}
			if rapid.Bool().Draw(t, "m") {
				r.StatsGlobal.MaxEntries = rapid.Uint32().Draw(t, "max")
				r.StatsGlobal.Present.Add(StatsGlobalAttrMaxEntries)
			}
		default:
			r.Kind, r.Header.Type = KindStatsExp, uint16(MsgCTGetCtrZero) // the kernel's 0x0103
			r.StatsExp.CPU = cpu
			for a := StatsExpAttrNew; a <= StatsExpAttrDelete; a++ {
				if rapid.Bool().Draw(t, "a"+strconv.Itoa(int(a))) {
					*r.StatsExp.field(a) = rapid.Uint32().Draw(t, "v"+strconv.Itoa(int(a)))
					r.StatsExp.Present.Add(a)
				}
			}
		}
		r.NFGen.ResID = cpu
		b, err := r.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := codec.ParseMessage(b, nla.HostOrder)
		if err != nil {
			t.Fatal(err)
		}
		var got Record
		if err := (Decoder{}).Decode(m, &got); err != nil {
			t.Fatal(err)
		}
		r.Header.Len = uint32(len(b))
		type view struct {
			K Kind
			H codec.Header
			G codec.NFGen
			C StatsCPU
			S StatsGlobal
			E StatsExp
		}
		want := view{r.Kind, r.Header, r.NFGen, r.StatsCPU, r.StatsGlobal, r.StatsExp}
		if diff := cmp.Diff(want, view{got.Kind, got.Header, got.NFGen, got.StatsCPU, got.StatsGlobal, got.StatsExp}); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

func TestNoAllocsMessages(t *testing.T) {
	var msgs []codec.Message
	for _, name := range []string{"exp-dump", "stats-cpu", "exp-stats-cpu", "stats", "get", "events"} {
		for _, dg := range mReadLive(t, name) {
			for m, err := range codec.Messages(dg.Data, nla.HostOrder) {
				if err != nil {
					t.Fatal(err)
				}
				msgs = append(msgs, m)
			}
		}
	}
	var r Record
	if n := testing.AllocsPerRun(50, func() {
		for _, m := range msgs {
			if err := (Decoder{}).Decode(m, &r); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 0 {
		t.Errorf("Decode: %v allocs per run", n)
	}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(50, func() {
		for _, m := range msgs {
			if err := (Decoder{}).Decode(m, &r); err != nil {
				t.Fatal(err)
			}
			if _, err := r.AppendBinary(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 0 {
		t.Errorf("AppendMessage: %v allocs per run", n)
	}
	reqs := []Request{GetRequest(1, PortTuple(ProtoTCP, ma1, ma2, 1, 2)), DumpRequest(2, FamilyIPv4), StatsCPURequest(3)}
	reqs[1].SetFilter(PortTuple(ProtoTCP, ma1, ma2, 1, 2), FilterIPSrc|FilterProtoNum, Tuple{}, 0)
	reqs[1].SetMark(1, 0xff)
	if n := testing.AllocsPerRun(50, func() {
		for i := range reqs {
			if _, err := reqs[i].AppendBinary(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 0 {
		t.Errorf("AppendRequest: %v allocs per run", n)
	}
}

func TestExpectFlagsString(t *testing.T) {
	for f, want := range map[ExpectFlags]string{0: "0", 1: "PERMANENT", 3: "PERMANENT,INACTIVE", 0x14: "USERSPACE,0x10"} {
		if got := f.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(f), got, want)
		}
	}
}
