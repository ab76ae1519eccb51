package bench

import (
	"github.com/ctwire/ctwire/conntrack"
)

// ctwireDecode decodes one whole message (host byte order) into a
// caller-owned flow. UnmarshalBinary reads the netlink header itself,
// with no codec.Message in between: ctwire's fastest whole-message path.
func ctwireDecode(msg []byte, f *conntrack.Flow) error {
	return f.UnmarshalBinary(msg)
}

func ctwireKey(f *conntrack.Flow) keyFields {
	return keyFields{
		Proto:   uint8(f.Orig.Proto),
		OrigSrc: f.Orig.Src, OrigDst: f.Orig.Dst, ReplySrc: f.Reply.Src, ReplyDst: f.Reply.Dst,
		OrigSport: f.Orig.SrcPort, OrigDport: f.Orig.DstPort,
		ReplySport: f.Reply.SrcPort, ReplyDport: f.Reply.DstPort,
		OrigPackets: f.CountersOrig.Packets, OrigBytes: f.CountersOrig.Bytes,
		ReplyPackets: f.CountersReply.Packets, ReplyBytes: f.CountersReply.Bytes,
		Timeout: f.Timeout, Status: uint32(f.Status), Mark: f.Mark, ID: f.ID,
		TCPState: uint8(f.ProtoInfo.TCP.State),
		Start:    f.Timestamp.Start, Stop: f.Timestamp.Stop,
	}
}

// ctwireNewFlow is the create request's record: both tuples, timeout, mark
// and TCP state.
func ctwireNewFlow(k keyFields) conntrack.Flow {
	f := conntrack.Flow{
		Family:  conntrack.FamilyIPv4,
		Orig:    conntrack.PortTuple(conntrack.Proto(k.Proto), k.OrigSrc, k.OrigDst, k.OrigSport, k.OrigDport),
		Reply:   conntrack.PortTuple(conntrack.Proto(k.Proto), k.ReplySrc, k.ReplyDst, k.ReplySport, k.ReplyDport),
		Timeout: k.Timeout,
		Mark:    k.Mark,
	}
	f.ProtoInfo.TCP.State = conntrack.TCPState(k.TCPState)
	f.ProtoInfo.TCP.Present.Add(conntrack.TCPAttrState)
	f.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
	f.Present = conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrTupleReply,
		conntrack.AttrTimeout, conntrack.AttrMark, conntrack.AttrProtoInfo)
	return f
}

// ctwireEncodeNew appends the create request r (made by
// conntrack.CreateRequest) to dst.
func ctwireEncodeNew(dst []byte, r *conntrack.Request) ([]byte, error) {
	return r.AppendBinary(dst)
}
