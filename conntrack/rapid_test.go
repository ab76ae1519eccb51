package conntrack

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

var rapidProtos = []Proto{ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoICMP, ProtoICMPv6, ProtoSCTP, ProtoGRE, ProtoDCCP, 0, 2, 41, 255}

func genAddr(t *rapid.T, v6 bool, label string) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label)))
	}
	return netip.AddrFrom4([4]byte(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, label)))
}

// genTuple draws a tuple as the kernel would send it for proto, or, one
// time in four, with an arbitrary set of layer-4 attributes.
func genTuple(t *rapid.T, v6 bool, proto Proto, label string) Tuple {
	src, dst := genAddr(t, v6, label+".src"), genAddr(t, v6, label+".dst")
	var tu Tuple
	switch {
	case rapid.IntRange(0, 3).Draw(t, label+".arbitrary") == 0:
		tu = Tuple{Src: src, Dst: dst, Present: AttrSet(rapid.IntRange(0, 0x3ff).Draw(t, label+".present")) &^ 1}
		tu.Present.Add(ProtoAttrNum)
		tu.Proto = proto
		if tu.Present.Has(ProtoAttrSrcPort) {
			tu.SrcPort = rapid.Uint16().Draw(t, label+".sport")
		}
		if tu.Present.Has(ProtoAttrDstPort) {
			tu.DstPort = rapid.Uint16().Draw(t, label+".dport")
		}
		if tu.Present.Has(ProtoAttrICMPID) || tu.Present.Has(ProtoAttrICMPv6ID) {
			tu.ICMPID = rapid.Uint16().Draw(t, label+".id")
		}
		if tu.Present.Has(ProtoAttrICMPType) || tu.Present.Has(ProtoAttrICMPv6Type) {
			tu.ICMPType = rapid.Uint8().Draw(t, label+".type")
		}
		if tu.Present.Has(ProtoAttrICMPCode) || tu.Present.Has(ProtoAttrICMPv6Code) {
			tu.ICMPCode = rapid.Uint8().Draw(t, label+".code")
		}
	case proto.HasPorts():
		tu = PortTuple(proto, src, dst, rapid.Uint16().Draw(t, label+".sport"), rapid.Uint16().Draw(t, label+".dport"))
	case proto == ProtoICMP || proto == ProtoICMPv6:
		tu = ICMPTuple(src, dst, rapid.Uint16().Draw(t, label+".id"), rapid.Uint8().Draw(t, label+".type"), rapid.Uint8().Draw(t, label+".code"))
		tu.Proto = proto
	default:
		tu = ProtoTuple(proto, src, dst)
	}
	if rapid.Bool().Draw(t, label+".haszone") {
		tu.Zone, tu.HasZone = rapid.Uint16().Draw(t, label+".zone"), true
	}
	return tu
}

// genPresent draws a non-empty presence set over attribute types 1..n.
func genPresent(t *rapid.T, n int, label string) AttrSet {
	return AttrSet(rapid.IntRange(1, 1<<n-1).Draw(t, label)) << 1
}

func genFlow(t *rapid.T) Flow {
	v6 := rapid.Bool().Draw(t, "v6")
	proto := rapid.SampledFrom(rapidProtos).Draw(t, "proto")
	f := Flow{Family: FamilyIPv4}
	if v6 {
		f.Family = FamilyIPv6
	}
	present := AttrSet(rapid.Uint32().Draw(t, "present")) & AllAttrs
	has := func(a AttrType) bool { return present.Has(a) }
	u32 := func(a AttrType) uint32 { return rapid.Uint32().Draw(t, "a"+strconv.Itoa(int(a))) }
	if has(AttrTupleOrig) {
		f.Orig = genTuple(t, v6, proto, "orig")
	}
	if has(AttrTupleReply) {
		f.Reply = genTuple(t, v6, proto, "reply")
	}
	if has(AttrTupleMaster) {
		f.Master = genTuple(t, v6, rapid.SampledFrom(rapidProtos).Draw(t, "mproto"), "master")
	}
	if has(AttrStatus) {
		f.Status = Status(u32(AttrStatus))
	}
	if has(AttrStatusMask) {
		f.StatusMask = Status(u32(AttrStatusMask))
	}
	if has(AttrTimeout) {
		f.Timeout = u32(AttrTimeout)
	}
	if has(AttrMark) {
		f.Mark = u32(AttrMark)
	}
	if has(AttrMarkMask) {
		f.MarkMask = u32(AttrMarkMask)
	}
	if has(AttrUse) {
		f.Use = u32(AttrUse)
	}
	if has(AttrID) {
		f.ID = u32(AttrID)
	}
	if has(AttrSecMark) {
		f.SecMark = u32(AttrSecMark)
	}
	if has(AttrZone) {
		f.Zone = rapid.Uint16().Draw(t, "zone")
	}
	if has(AttrTimestampEvent) {
		f.TimestampEvent = rapid.Uint64().Draw(t, "tsevent")
	}
	if has(AttrProtoInfo) {
		p := &f.ProtoInfo
		p.Present = genPresent(t, 3, "protoinfo")
		if p.Present.Has(ProtoInfoAttrTCP) {
			p.TCP = TCPInfo{Present: genPresent(t, 5, "tcp")}
			tc := &p.TCP
			if tc.Present.Has(TCPAttrState) {
				tc.State = TCPState(rapid.IntRange(0, 9).Draw(t, "tcpstate"))
			}
			if tc.Present.Has(TCPAttrWScaleOrig) {
				tc.WScaleOrig = rapid.Uint8().Draw(t, "wso")
			}
			if tc.Present.Has(TCPAttrWScaleReply) {
				tc.WScaleReply = rapid.Uint8().Draw(t, "wsr")
			}
			if tc.Present.Has(TCPAttrFlagsOrig) {
				tc.FlagsOrig = TCPFlagsMask{TCPFlags(rapid.Uint8().Draw(t, "fo")), TCPFlags(rapid.Uint8().Draw(t, "fom"))}
			}
			if tc.Present.Has(TCPAttrFlagsReply) {
				tc.FlagsReply = TCPFlagsMask{TCPFlags(rapid.Uint8().Draw(t, "fr")), TCPFlags(rapid.Uint8().Draw(t, "frm"))}
			}
		}
		if p.Present.Has(ProtoInfoAttrSCTP) {
			p.SCTP = SCTPInfo{Present: genPresent(t, 3, "sctp")}
			if p.SCTP.Present.Has(SCTPAttrState) {
				p.SCTP.State = SCTPState(rapid.IntRange(0, 9).Draw(t, "sctpstate"))
			}
			if p.SCTP.Present.Has(SCTPAttrVTagOrig) {
				p.SCTP.VTagOrig = rapid.Uint32().Draw(t, "vto")
			}
			if p.SCTP.Present.Has(SCTPAttrVTagReply) {
				p.SCTP.VTagReply = rapid.Uint32().Draw(t, "vtr")
			}
		}
		if p.Present.Has(ProtoInfoAttrDCCP) {
			p.DCCP = DCCPInfo{Present: genPresent(t, 3, "dccp")}
			if p.DCCP.Present.Has(DCCPAttrState) {
				p.DCCP.State = DCCPState(rapid.IntRange(0, 9).Draw(t, "dccpstate"))
			}
			if p.DCCP.Present.Has(DCCPAttrRole) {
				p.DCCP.Role = DCCPRole(rapid.IntRange(0, 1).Draw(t, "role"))
			}
			if p.DCCP.Present.Has(DCCPAttrHandshakeSeq) {
				p.DCCP.HandshakeSeq = rapid.Uint64().Draw(t, "hseq")
			}
		}
	}
	genCounters := func(label string) Counters {
		if rapid.Bool().Draw(t, label+".legacy") {
			return Counters{Packets: uint64(rapid.Uint32().Draw(t, label+".p")), Bytes: uint64(rapid.Uint32().Draw(t, label+".b")),
				Present: 1<<CounterAttrPackets32 | 1<<CounterAttrBytes32}
		}
		return Counters{Packets: rapid.Uint64().Draw(t, label+".p"), Bytes: rapid.Uint64().Draw(t, label+".b"),
			Present: 1<<CounterAttrPackets | 1<<CounterAttrBytes}
	}
	if has(AttrCountersOrig) {
		f.CountersOrig = genCounters("co")
	}
	if has(AttrCountersReply) {
		f.CountersReply = genCounters("cr")
	}
	if has(AttrTimestamp) {
		f.Timestamp.Present = genPresent(t, 2, "ts")
		if f.Timestamp.Present.Has(TimestampAttrStart) {
			f.Timestamp.Start = rapid.Uint64().Draw(t, "start")
		}
		if f.Timestamp.Present.Has(TimestampAttrStop) {
			f.Timestamp.Stop = rapid.Uint64().Draw(t, "stop")
		}
	}
	if has(AttrHelp) {
		f.Helper.Present = genPresent(t, 2, "help")
		if f.Helper.Present.Has(HelpAttrName) {
			f.Helper.Name, _ = MakeHelperName(rapid.StringMatching(`[a-z0-9-]{0,15}`).Draw(t, "hname"))
		}
		if f.Helper.Present.Has(HelpAttrInfo) {
			f.Helper.Info, _ = MakeHelperInfo(rapid.SliceOfN(rapid.Byte(), 1, MaxHelperInfoLen).Draw(t, "hinfo"))
		}
	}
	if has(AttrSecCtx) {
		f.SecCtx, _ = MakeSecCtx(rapid.StringMatching(`[a-z_:0-9]{0,255}`).Draw(t, "secctx"))
	}
	genNAT := func(label string) NAT {
		var n NAT
		for n == (NAT{}) {
			if rapid.Bool().Draw(t, label+".min") {
				n.MinIP = genAddr(t, v6, label+".minip")
			}
			if rapid.Bool().Draw(t, label+".max") {
				n.MaxIP = genAddr(t, v6, label+".maxip")
			}
			n.Present = AttrSet(rapid.IntRange(0, 3).Draw(t, label+".ports")) << 1
			if n.Present.Has(ProtoNATAttrPortMin) {
				n.PortMin = rapid.Uint16().Draw(t, label+".pmin")
			}
			if n.Present.Has(ProtoNATAttrPortMax) {
				n.PortMax = rapid.Uint16().Draw(t, label+".pmax")
			}
		}
		return n
	}
	if has(AttrNATSrc) {
		f.NATSrc = genNAT("natsrc")
	}
	if has(AttrNATDst) {
		f.NATDst = genNAT("natdst")
	}
	genSeqAdj := func(label string) SeqAdj {
		return SeqAdj{CorrectionPos: rapid.Uint32().Draw(t, label+".pos"), OffsetBefore: rapid.Uint32().Draw(t, label+".before"),
			OffsetAfter: rapid.Uint32().Draw(t, label+".after"), Present: 0xe}
	}
	if has(AttrSeqAdjOrig) {
		f.SeqAdjOrig = genSeqAdj("sao")
	}
	if has(AttrSeqAdjReply) {
		f.SeqAdjReply = genSeqAdj("sar")
	}
	if has(AttrSynproxy) {
		f.Synproxy = Synproxy{ISN: rapid.Uint32().Draw(t, "isn"), ITS: rapid.Uint32().Draw(t, "its"),
			TSOff: rapid.Uint32().Draw(t, "tsoff"), Present: genPresent(t, 3, "synproxy")}
		for a := SynproxyAttrISN; a <= SynproxyAttrTSOff; a++ {
			if !f.Synproxy.Present.Has(a) {
				*[...]*uint32{nil, &f.Synproxy.ISN, &f.Synproxy.ITS, &f.Synproxy.TSOff}[a] = 0
			}
		}
	}
	genLabels := func(label string) (Labels, uint8) {
		size := uint8(rapid.SampledFrom([]int{0, 4, 8, 12}).Draw(t, label+".size"))
		n := int(size)
		if n == 0 {
			n = LabelsLen
		}
		var l Labels
		copy(l[:], rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, label))
		return l, size
	}
	if has(AttrLabels) {
		f.Labels, f.LabelsSize = genLabels("labels")
	}
	if has(AttrLabelsMask) {
		f.LabelsMask, f.LabelsMaskSize = genLabels("labelsmask")
	}
	if has(AttrFilter) {
		f.Filter.Present = genPresent(t, 2, "filter")
		if f.Filter.Present.Has(FilterAttrOrigFlags) {
			f.Filter.OrigFlags = FilterFlags(rapid.Uint32().Draw(t, "forig"))
		}
		if f.Filter.Present.Has(FilterAttrReplyFlags) {
			f.Filter.ReplyFlags = FilterFlags(rapid.Uint32().Draw(t, "freply"))
		}
	}
	f.Present = present
	return f
}

// TestRapidRoundTrip: decode(encode(f)) == f for random flows of both
// families and every layer-4 protocol, in both layouts, through the whole
// message.
func TestRapidRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFlow(t)
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var g Flow
		if err := g.UnmarshalBinary(b); err != nil {
			t.Fatalf("decode: %v\n%x", err, b)
		}
		if g != f {
			t.Fatalf("dump layout (-want +got):\n%s", cmp.Diff(f, g, cmpOpts))
		}
		ev, err := f.AppendAttrsLayout(nil, LayoutEvent)
		if err != nil {
			t.Fatal(err)
		}
		h := Flow{Family: f.Family}
		if err := (Decoder{}).DecodeAttrs(nla.NewScannerOrder(ev, 0, 0), &h); err != nil {
			t.Fatal(err)
		}
		if h != f {
			t.Fatalf("event layout (-want +got):\n%s", cmp.Diff(f, h, cmpOpts))
		}
		// Lossless mode keeps nothing for a well-formed record, and
		// re-encoding reproduces the bytes.
		var k Flow
		if err := (Decoder{Keep: true}).DecodeAttrs(nla.NewScannerOrder(b[20:], 0, 20), &k); err != nil {
			t.Fatal(err)
		}
		if k.Extra != "" {
			t.Fatalf("kept %d attributes of a well-formed record", k.Extra.Len())
		}
		again, err := k.AppendAttrs(nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(b[20:]) {
			t.Fatalf("encode(decode(b)) != b")
		}
	})
}
