package conntrack

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// vWith appends raw attributes to the request message b and fixes its
// length.
func vWith(b []byte, attrs ...[]byte) []byte {
	b = append([]byte(nil), b...)
	for _, a := range attrs {
		b = append(b, a...)
	}
	nla.HostOrder.PutUint32(b, uint32(len(b)))
	return b
}

func vMsg(t *testing.T, r Request, attrs ...[]byte) []byte {
	t.Helper()
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return vWith(b, attrs...)
}

// vNest builds a nest of raw children with the given (flagged) type.
func vNest(typ uint16, children ...[]byte) []byte {
	b, start := nla.BeginNest(nil, 0)
	for _, c := range children {
		b = append(b, c...)
	}
	b, _ = nla.EndNest(b, start)
	nla.HostOrder.PutUint16(b[2:], typ)
	return b
}

func TestValidate(t *testing.T) {
	v6a, v6b := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	tcp := PortTuple(ProtoTCP, ma1, ma2, 1000, 80)
	tcpR := PortTuple(ProtoTCP, ma2, ma1, 80, 1000)
	udpR := PortTuple(ProtoUDP, ma2, ma1, 80, 1000)
	flow := func() *Flow {
		f := &Flow{Orig: tcp, Reply: tcpR, Timeout: 30}
		f.Present.Add(AttrTupleOrig)
		f.Present.Add(AttrTupleReply)
		f.Present.Add(AttrTimeout)
		return f
	}
	create := func(mod func(f *Flow)) Request {
		f := flow()
		if mod != nil {
			mod(f)
		}
		return CreateRequest(1, f)
	}
	u32 := func(typ uint16, v uint32) []byte { return nla.AppendUint32BE(nil, typ, v) }
	expect := func() *Expect {
		e := &Expect{Tuple: PortTuple(ProtoTCP, ma1, ma2, 0, 2000), Mask: PortTuple(ProtoTCP, netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("255.255.255.255"), 0, 0xffff), Master: tcp, Timeout: 10}
		e.Present.Add(ExpectAttrTuple)
		e.Present.Add(ExpectAttrMask)
		e.Present.Add(ExpectAttrMaster)
		e.Present.Add(ExpectAttrTimeout)
		return e
	}
	filterMsg := func(fam Family, filter []byte) []byte {
		r := DumpRequest(1, fam)
		r.Flow.Orig = tcp
		r.Flow.Present.Add(AttrTupleOrig)
		return vMsg(t, r, filter)
	}
	tests := []struct {
		name string
		msg  []byte
		err  error
		path string
	}{
		{"get ok", vMsg(t, GetRequest(1, tcp)), nil, ""},
		{"get reply tuple ok", vMsg(t, GetReplyRequest(1, tcpR)), nil, ""},
		{"get without tuple", vMsg(t, Request{Op: OpGet, Family: FamilyIPv4}), syscall.EINVAL, ""},
		{"get family unspec", vMsg(t, Request{Op: OpGet, Flow: GetRequest(1, tcp).Flow}), syscall.EOPNOTSUPP, "CTA_TUPLE_ORIG"},
		{"get ipv6 tuple in ipv4 message", func() []byte {
			r := GetRequest(1, PortTuple(ProtoTCP, v6a, v6b, 1, 2))
			r.Family = FamilyIPv4
			return vMsg(t, r)
		}(), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_IP"},
		{"get without dst", vMsg(t, GetRequest(1, PortTuple(ProtoTCP, ma1, netip.Addr{}, 1, 2))), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_IP"},
		{"get without ports", vMsg(t, GetRequest(1, ProtoTuple(ProtoTCP, ma1, ma2))), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO"},
		{"get generic protocol", vMsg(t, GetRequest(1, ProtoTuple(99, ma1, ma2))), nil, ""},
		{"get without proto num", vMsg(t, GetRequest(1, Tuple{Src: ma1, Dst: ma2})), syscall.EINVAL, "CTA_TUPLE_ORIG"},
		{"icmp echo", vMsg(t, GetRequest(1, ICMPTuple(ma1, ma2, 7, 8, 0))), nil, ""},
		{"icmp unreachable", vMsg(t, GetRequest(1, ICMPTuple(ma1, ma2, 7, 3, 0))), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_ICMP_TYPE"},
		{"icmp without id", func() []byte {
			tu := ICMPTuple(ma1, ma2, 7, 8, 0)
			tu.ICMPID, tu.Present = 0, tu.Present&^(1<<ProtoAttrICMPID)
			return vMsg(t, GetRequest(1, tu))
		}(), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO"},
		{"icmpv6 echo reply", vMsg(t, GetRequest(1, ICMPTuple(v6a, v6b, 7, 129, 0))), nil, ""},
		{"icmpv6 node info", vMsg(t, GetRequest(1, ICMPTuple(v6a, v6b, 7, 140, 0))), nil, ""},
		{"icmpv6 type 1", vMsg(t, GetRequest(1, ICMPTuple(v6a, v6b, 7, 1, 0))), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_ICMPV6_TYPE"},
		{"icmpv6 type 130", vMsg(t, GetRequest(1, ICMPTuple(v6a, v6b, 7, 130, 0))), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_ICMPV6_TYPE"},
		{"short status", vMsg(t, GetRequest(1, tcp), nla.AppendUint16BE(nil, uint16(AttrStatus), 1)), syscall.ERANGE, "CTA_STATUS"},
		{"timestamp event", vMsg(t, GetRequest(1, tcp), nla.AppendUint64BE(nil, uint16(AttrTimestampEvent), 1)), syscall.EINVAL, "CTA_TIMESTAMP_EVENT"},
		{"create ok", vMsg(t, create(nil)), nil, ""},
		{"create without reply", vMsg(t, create(func(f *Flow) { f.Reply = Tuple{}; f.Present.Remove(AttrTupleReply) })), syscall.EINVAL, ""},
		{"create protocol mismatch", vMsg(t, create(func(f *Flow) { f.Reply = udpR })), syscall.EINVAL, "CTA_TUPLE_REPLY"},
		{"create without timeout", vMsg(t, create(func(f *Flow) { f.Timeout = 0; f.Present.Remove(AttrTimeout) })), syscall.EINVAL, ""},
		{"create status gets confirmed", vMsg(t, create(func(f *Flow) { f.Status = StatusAssured; f.Present.Add(AttrStatus) })), nil, ""},
		{"create status without confirmed", func() []byte {
			r := create(func(f *Flow) { f.Status = StatusAssured; f.Present.Add(AttrStatus) })
			r.Op, r.Flags = OpUpdate, OpCreate.Flags() // bypass the builder's IPS_CONFIRMED
			return vMsg(t, r)
		}(), syscall.EBUSY, "CTA_STATUS"},
		{"create status expected", vMsg(t, create(func(f *Flow) { f.Status = StatusExpected; f.Present.Add(AttrStatus) })), syscall.EBUSY, "CTA_STATUS"},
		{"create zone in master tuple", vMsg(t, create(func(f *Flow) {
			f.Master = tcp
			f.Master.Zone, f.Master.HasZone = 3, true
			f.Present.Add(AttrTupleMaster)
		})), syscall.EINVAL, "CTA_TUPLE_MASTER/CTA_TUPLE_ZONE"},
		{"create zone twice", vMsg(t, create(func(f *Flow) {
			f.Zone = 1
			f.Present.Add(AttrZone)
			f.Orig.Zone, f.Orig.HasZone = 3, true
		})), syscall.EINVAL, "CTA_TUPLE_ORIG/CTA_TUPLE_ZONE"},
		{"labels length 6", vMsg(t, UpdateRequest(1, flow()), nla.AppendBytes(nil, uint16(AttrLabels), make([]byte, 6))), syscall.EINVAL, "CTA_LABELS"},
		{"labels length 20", vMsg(t, create(nil), nla.AppendBytes(nil, uint16(AttrLabels), make([]byte, 20))), syscall.ERANGE, "CTA_LABELS"},
		{"labels mask length", vMsg(t, UpdateRequest(1, flow()), nla.AppendBytes(nil, uint16(AttrLabels), make([]byte, 8)), nla.AppendBytes(nil, uint16(AttrLabelsMask), make([]byte, 4))), syscall.EINVAL, "CTA_LABELS_MASK"},
		// ctnetlink_new_conntrack ignores a label fault of a create.
		{"create labels length 6", vMsg(t, create(nil), nla.AppendBytes(nil, uint16(AttrLabels), make([]byte, 6))), nil, ""},
		{"create labels mask length", vMsg(t, create(nil), nla.AppendBytes(nil, uint16(AttrLabels), make([]byte, 8)), nla.AppendBytes(nil, uint16(AttrLabelsMask), make([]byte, 4))), nil, ""},
		{"tcp state 10", vMsg(t, create(func(f *Flow) {
			f.ProtoInfo.Present.Add(ProtoInfoAttrTCP)
			f.ProtoInfo.TCP.State = 10
			f.ProtoInfo.TCP.Present.Add(TCPAttrState)
			f.Present.Add(AttrProtoInfo)
		})), syscall.ERANGE, "CTA_PROTOINFO/CTA_PROTOINFO_TCP/CTA_PROTOINFO_TCP_STATE"},
		{"tcp wscale 15", vMsg(t, create(func(f *Flow) {
			f.ProtoInfo.Present.Add(ProtoInfoAttrTCP)
			f.ProtoInfo.TCP.WScaleReply = 15
			f.ProtoInfo.TCP.Present.Add(TCPAttrWScaleReply)
			f.Present.Add(AttrProtoInfo)
		})), syscall.ERANGE, "CTA_PROTOINFO/CTA_PROTOINFO_TCP/CTA_PROTOINFO_TCP_WSCALE_REPLY"},
		{"sctp state 9", vMsg(t, create(func(f *Flow) {
			f.Orig.Proto, f.Reply.Proto = ProtoSCTP, ProtoSCTP
			s := &f.ProtoInfo.SCTP
			s.State = 9
			s.Present.Add(SCTPAttrState)
			s.Present.Add(SCTPAttrVTagOrig)
			s.Present.Add(SCTPAttrVTagReply)
			f.ProtoInfo.Present.Add(ProtoInfoAttrSCTP)
			f.Present.Add(AttrProtoInfo)
		})), syscall.ERANGE, "CTA_PROTOINFO/CTA_PROTOINFO_SCTP/CTA_PROTOINFO_SCTP_STATE"},
		{"sctp without vtag", vMsg(t, create(func(f *Flow) {
			f.Orig.Proto, f.Reply.Proto = ProtoSCTP, ProtoSCTP
			s := &f.ProtoInfo.SCTP
			s.Present.Add(SCTPAttrState)
			s.Present.Add(SCTPAttrVTagOrig)
			f.ProtoInfo.Present.Add(ProtoInfoAttrSCTP)
			f.Present.Add(AttrProtoInfo)
		})), syscall.EINVAL, "CTA_PROTOINFO/CTA_PROTOINFO_SCTP"},
		{"seqadj incomplete", vMsg(t, create(func(f *Flow) {
			f.SeqAdjOrig.Present.Add(SeqAdjAttrCorrectionPos)
			f.SeqAdjOrig.Present.Add(SeqAdjAttrOffsetBefore)
			f.Present.Add(AttrSeqAdjOrig)
		})), syscall.EINVAL, "CTA_SEQ_ADJ_ORIG"},
		{"synproxy incomplete", vMsg(t, create(func(f *Flow) {
			f.Synproxy.Present.Add(SynproxyAttrISN)
			f.Present.Add(AttrSynproxy)
		})), syscall.EINVAL, "CTA_SYNPROXY"},
		{"help without name", vMsg(t, create(func(f *Flow) {
			f.Helper.Present.Add(HelpAttrInfo)
			f.Present.Add(AttrHelp)
		})), syscall.EINVAL, "CTA_HELP"},
		// NLA_NUL_STRING .len 15: no NUL in the first 16 bytes is EINVAL,
		// a NUL there but a longer payload ERANGE.
		{"helper name of 16 bytes", vMsg(t, create(nil), vNest(uint16(AttrHelp)|nla.FlagNested, nla.AppendString(nil, 1, "abcdefghijklmnop"))), syscall.EINVAL, "CTA_HELP/CTA_HELP_NAME"},
		{"helper name payload too long", vMsg(t, create(nil), vNest(uint16(AttrHelp)|nla.FlagNested, nla.AppendBytes(nil, 1, []byte("ftp\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))), syscall.ERANGE, "CTA_HELP/CTA_HELP_NAME"},
		{"helper name ok", vMsg(t, create(nil), vNest(uint16(AttrHelp)|nla.FlagNested, nla.AppendString(nil, 1, "ftp"))), nil, ""},
		{"helper name without NUL", vMsg(t, create(nil), vNest(uint16(AttrHelp)|nla.FlagNested, nla.AppendBytes(nil, 1, []byte("ftp")))), syscall.EINVAL, "CTA_HELP/CTA_HELP_NAME"},
		{"update ok", vMsg(t, UpdateRequest(1, flow())), nil, ""},
		{"update without tuple", vMsg(t, Request{Op: OpUpdate, Family: FamilyIPv4}), syscall.ENOENT, ""},
		{"update with NAT", vMsg(t, UpdateRequest(1, flow()), vNest(uint16(AttrNATSrc)|nla.FlagNested, u32(1, 1))), syscall.EOPNOTSUPP, "CTA_NAT_SRC"},
		{"delete ok", vMsg(t, DeleteRequest(1, tcp)), nil, ""},
		{"delete by id only", vMsg(t, Request{Op: OpFlush}, u32(uint16(AttrID), 7)), ErrFlushesAll, "CTA_ID"},
		{"flush all", vMsg(t, FlushRequest(1, 0)), nil, ""},
		{"flush family", vMsg(t, FlushRequest(1, FamilyIPv6)), nil, ""},
		{"dump ok", vMsg(t, DumpRequest(1, 0)), nil, ""},
		{"dump mark mask without mark", vMsg(t, DumpRequest(1, FamilyIPv4), u32(uint16(AttrMarkMask), 1)), syscall.EINVAL, "CTA_MARK_MASK"},
		{"dump mark mask unfiltered", vMsg(t, DumpRequest(1, 0), u32(uint16(AttrMarkMask), 1)), nil, ""},
		{"dump status mask without status", vMsg(t, DumpRequest(1, FamilyIPv4), u32(uint16(AttrStatusMask), 1)), syscall.EINVAL, "CTA_STATUS_MASK"},
		{"dump status zero", vMsg(t, DumpRequest(1, 0), u32(uint16(AttrStatus), 0)), syscall.EINVAL, "CTA_STATUS"},
		{"dump status zero with mask", func() []byte {
			r := DumpRequest(1, 0)
			r.SetStatus(0, StatusAssured)
			return vMsg(t, r)
		}(), nil, ""},
		{"dump filter ok", func() []byte {
			r := DumpRequest(1, FamilyIPv4)
			r.SetFilter(tcp, FilterIPSrc|FilterProtoNum|FilterProtoDstPort, Tuple{}, 0)
			return vMsg(t, r)
		}(), nil, ""},
		{"dump filter family unspec", func() []byte {
			r := DumpRequest(1, 0)
			r.SetFilter(tcp, FilterIPSrc, Tuple{}, 0)
			return vMsg(t, r)
		}(), syscall.EOPNOTSUPP, "CTA_TUPLE_ORIG"},
		{"filter proto flags without proto num", func() []byte {
			r := DumpRequest(1, FamilyIPv4)
			r.SetFilter(tcp, FilterProtoDstPort, Tuple{}, 0)
			return vMsg(t, r)
		}(), syscall.EINVAL, "CTA_TUPLE_ORIG"},
		{"filter flags without tuple", vMsg(t, DumpRequest(1, FamilyIPv4), vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint32Host(nil, 2, uint32(FilterIPSrc)))), syscall.EINVAL, ""},
		{"filter without NLA_F_NESTED", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter), nla.AppendUint32Host(nil, 1, 1))), syscall.EINVAL, "CTA_FILTER"},
		{"filter type 3", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint32Host(nil, 3, 1))), syscall.EINVAL, "CTA_FILTER/3"},
		{"filter flags 2 bytes", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint16Host(nil, 1, 1))), syscall.EINVAL, "CTA_FILTER/CTA_FILTER_ORIG_FLAGS"},
		{"filter flags 8 bytes", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint64Host(nil, 1, 1))), syscall.EINVAL, "CTA_FILTER/CTA_FILTER_ORIG_FLAGS"},
		{"filter unknown flag", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint32Host(nil, 1, 0x1001))), syscall.EINVAL, "CTA_FILTER/CTA_FILTER_ORIG_FLAGS"},
		{"filter trailing bytes", filterMsg(FamilyIPv4, vNest(uint16(AttrFilter)|nla.FlagNested, nla.AppendUint32Host(nil, 1, 1), []byte{1, 0, 0, 0})), syscall.EINVAL, "CTA_FILTER"},
		{"dying without dump", func() []byte {
			r := DyingRequest(1)
			r.Flags = codec.FlagRequest | codec.FlagAck
			return vMsg(t, r)
		}(), syscall.EOPNOTSUPP, ""},
		{"dying dump", vMsg(t, DyingRequest(1)), nil, ""},
		{"stats", vMsg(t, StatsRequest(1)), nil, ""},
		{"exp create ok", vMsg(t, ExpCreateRequest(1, expect())), nil, ""},
		{"exp create without mask", func() []byte {
			e := expect()
			e.Mask = Tuple{}
			e.Present.Remove(ExpectAttrMask)
			return vMsg(t, ExpCreateRequest(1, e))
		}(), syscall.EINVAL, ""},
		{"exp nat dir 2", func() []byte {
			e := expect()
			e.NAT = ExpectNAT{Dir: 2, Tuple: tcp}
			e.NAT.Present.Add(ExpectNATAttrDir)
			e.NAT.Present.Add(ExpectNATAttrTuple)
			e.Present.Add(ExpectAttrNAT)
			return vMsg(t, ExpCreateRequest(1, e))
		}(), syscall.ERANGE, "CTA_EXPECT_NAT/CTA_EXPECT_NAT_DIR"},
		{"exp nat without tuple", func() []byte {
			e := expect()
			e.NAT.Present.Add(ExpectNATAttrDir)
			e.Present.Add(ExpectAttrNAT)
			return vMsg(t, ExpCreateRequest(1, e))
		}(), syscall.EINVAL, "CTA_EXPECT_NAT"},
		{"exp flags 8", func() []byte {
			e := expect()
			e.Flags = 8
			e.Present.Add(ExpectAttrFlags)
			return vMsg(t, ExpCreateRequest(1, e))
		}(), syscall.EINVAL, "CTA_EXPECT_FLAGS"},
		{"exp zone in tuple", func() []byte {
			e := expect()
			e.Tuple.Zone, e.Tuple.HasZone = 1, true
			return vMsg(t, ExpCreateRequest(1, e))
		}(), syscall.EINVAL, "CTA_EXPECT_TUPLE/CTA_TUPLE_ZONE"},
		{"exp get without tuple", vMsg(t, Request{Op: OpExpGet, Family: FamilyIPv4}), syscall.EINVAL, ""},
		{"exp delete by helper", func() []byte {
			r, err := ExpDeleteHelperRequest(1, "ftp")
			if err != nil {
				t.Fatal(err)
			}
			return vMsg(t, r)
		}(), nil, ""},
		{"exp flush with id", vMsg(t, ExpFlushRequest(1), u32(uint16(ExpectAttrID), 1)), ErrFlushesAll, "CTA_EXPECT_ID"},
		{"not a request", func() []byte {
			b := vMsg(t, GetRequest(1, tcp))
			nla.HostOrder.PutUint16(b[6:], codec.FlagAck)
			return b
		}(), ErrNotRequest, ""},
		{"unknown type", func() []byte {
			b := vMsg(t, GetRequest(1, tcp))
			nla.HostOrder.PutUint16(b[4:], 0x0108)
			return b
		}(), syscall.EINVAL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := codec.ParseMessage(tt.msg, nla.HostOrder)
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateMessage(m)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ValidateMessage = %v, want %v", err, tt.err)
			}
			if err == nil {
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			if ve.Path != tt.path {
				t.Errorf("path %q, want %q (%v)", ve.Path, tt.path, err)
			}
			if ve.Path != "" && (ve.Offset < codec.AttrOffset || ve.Offset >= len(tt.msg)) {
				t.Errorf("offset %d outside the attributes of a %d-byte message", ve.Offset, len(tt.msg))
			}
		})
	}
}

// TestValidateKernelReply checks the validator against a refusal recorded
// from the kernel: CT_NEW with a 2-byte CTA_TIMEOUT was answered with
// ERANGE and NLMSGERR_ATTR_OFFS 132.
func TestValidateKernelReply(t *testing.T) {
	var req []byte
	var kerr codec.KernelError
	for _, dg := range mReadLive(t, "error-extack") {
		m, err := codec.ParseMessage(dg.Data, nla.HostOrder)
		if err != nil {
			t.Fatal(err)
		}
		if dg.Dir == "out" {
			req = dg.Data
		} else if err := codec.ParseError(m, &kerr); err != nil {
			t.Fatal(err)
		}
	}
	m, err := codec.ParseMessage(req, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	err = ValidateMessage(m)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidateMessage = %v, want a *ValidationError", err)
	}
	if ve.Err != kerr.Errno || !kerr.HasOffset || uint32(ve.Offset) != kerr.Offset || ve.Path != "CTA_TIMEOUT" {
		t.Errorf("validator: %v (offset %d); kernel: %v (offset %d)", err, ve.Offset, kerr.Errno, kerr.Offset)
	}
}

func TestValidateRequest(t *testing.T) {
	r := GetRequest(1, ICMPTuple(ma1, ma2, 1, 5, 0))
	err := Validate(&r)
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Validate = %v, want EINVAL", err)
	}
	want := "conntrack: get: CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_ICMP_TYPE at offset 64: type has no reply type: invalid argument"
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", err.Error(), want)
	}
}

func TestValidateTarget(t *testing.T) {
	tcp := PortTuple(ProtoTCP, ma1, ma2, 1000, 21)
	flow := func(mod func(f *Flow)) *Flow {
		f := &Flow{Orig: tcp, Reply: PortTuple(ProtoTCP, ma2, ma1, 21, 1000), Timeout: 30}
		f.Present.Add(AttrTupleOrig)
		f.Present.Add(AttrTupleReply)
		f.Present.Add(AttrTimeout)
		if mod != nil {
			mod(f)
		}
		return f
	}
	helper := func(name string) func(f *Flow) {
		return func(f *Flow) {
			f.Helper.Name, _ = MakeHelperName(name)
			f.Helper.Present.Add(HelpAttrName)
			f.Present.Add(AttrHelp)
		}
	}
	update := func(mod func(f *Flow)) Request {
		f := Flow{Orig: tcp}
		f.Present.Add(AttrTupleOrig)
		if mod != nil {
			mod(&f)
		}
		return UpdateRequest(1, &f)
	}
	status := func(s Status) func(f *Flow) {
		return func(f *Flow) { f.Status = s; f.Present.Add(AttrStatus) }
	}
	ftp := &Target{Exists: true, Status: StatusConfirmed, Helper: "ftp"}
	none := &Target{Exists: true, Status: StatusConfirmed | StatusSeenReply | StatusAssured}
	fixed := &Target{Exists: true, Status: StatusConfirmed | StatusFixedTimeout}
	tests := []struct {
		name string
		req  Request
		tg   *Target
		err  error
	}{
		{"create ftp", CreateRequest(1, flow(helper("ftp"))), nil, nil},
		{"create empty helper", CreateRequest(1, flow(helper(""))), nil, syscall.EOPNOTSUPP},
		{"create tftp on tcp", CreateRequest(1, flow(helper("tftp"))), nil, syscall.EOPNOTSUPP},
		{"create helper in other case", CreateRequest(1, flow(helper("FTP"))), nil, syscall.EOPNOTSUPP},
		{"create of an existing entry", CreateRequest(1, flow(nil)), none, syscall.EEXIST},
		{"create of an absent entry", CreateRequest(1, flow(nil)), &Target{}, nil},
		{"update of an absent entry", update(nil), &Target{}, syscall.ENOENT},
		{"update of an absent entry with a bad helper", update(helper("nosuch")), &Target{}, syscall.ENOENT},
		{"update unknown helper", update(helper("nosuch")), nil, syscall.EOPNOTSUPP},
		{"update helper, entry unknown", update(helper("ftp")), nil, nil},
		{"update same helper", update(helper("ftp")), ftp, nil},
		{"update other helper", update(helper("sip")), ftp, syscall.EBUSY},
		{"update helper of an entry without one", update(helper("ftp")), none, syscall.EOPNOTSUPP},
		{"update removing the helper", update(helper("")), ftp, nil},
		{"update timeout", update(func(f *Flow) { f.Timeout = 5; f.Present.Add(AttrTimeout) }), none, nil},
		{"update timeout of a fixed-timeout entry", update(func(f *Flow) { f.Timeout = 5; f.Present.Add(AttrTimeout) }), fixed, syscall.EPERM},
		{"update status without confirmed", update(status(StatusSeenReply)), nil, syscall.EBUSY},
		{"update status dying", update(status(StatusConfirmed | StatusDying)), nil, syscall.EBUSY},
		{"update status expected, entry unknown", update(status(StatusConfirmed | StatusExpected)), nil, nil},
		{"update status expected", update(status(StatusConfirmed | StatusExpected)), none, syscall.EBUSY},
		{"update status clearing assured", update(status(StatusConfirmed | StatusSeenReply)), none, syscall.EBUSY},
		{"update status clearing seen reply", update(status(StatusConfirmed | StatusAssured)), none, syscall.EBUSY},
		{"update status setting bits", update(status(StatusConfirmed | StatusSeenReply | StatusAssured | StatusFixedTimeout)), none, nil},
		{"update status clearing fixed timeout", update(status(StatusConfirmed)), fixed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTarget(&tt.req, tt.tg)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ValidateTarget = %v, want %v", err, tt.err)
			}
		})
	}
	// Faults the kernel finds after the lookup say so; those of the
	// tuples, found before, do not.
	r0 := update(helper("nosuch"))
	var ve *ValidationError
	if err := Validate(&r0); !errors.As(err, &ve) || !ve.AfterLookup || !strings.Contains(err.Error(), "(checked after the lookup): ") {
		t.Errorf("update with an unknown helper: %v, want a fault after the lookup", err)
	}
	r0 = GetRequest(1, ICMPTuple(ma1, ma2, 1, 5, 0))
	if err := Validate(&r0); !errors.As(err, &ve) || ve.AfterLookup {
		t.Errorf("get with a bad icmp type: %v, want a fault before the lookup", err)
	}
	// A caller's own helper list.
	r := CreateRequest(1, flow(helper("mine")))
	if err := Validate(&r); !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("unknown helper: %v", err)
	}
	saved := BuiltinHelpers
	defer func() { BuiltinHelpers = saved }()
	BuiltinHelpers = append(slices.Clone(saved), KernelHelper{"mine", FamilyIPv4, ProtoTCP})
	if err := Validate(&r); err != nil {
		t.Errorf("helper added to BuiltinHelpers: %v", err)
	}
}
