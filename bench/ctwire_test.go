package bench

import (
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"golang.org/x/sys/unix"
)

// ctwireDecode decodes one whole message into a caller-owned flow.
func ctwireDecode(msg []byte, f *conntrack.Flow) error {
	m, err := codec.ParseMessage(msg, 0)
	if err != nil {
		return err
	}
	return f.UnmarshalMessage(m)
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
	f.ProtoInfo.TCP.Set(conntrack.TCPAttrState)
	f.ProtoInfo.Set(conntrack.ProtoInfoAttrTCP)
	f.Present = conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrTupleReply,
		conntrack.AttrTimeout, conntrack.AttrMark, conntrack.AttrProtoInfo)
	return f
}

// ctwireEncodeNew appends a create request (IPCTNL_MSG_CT_NEW with
// NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK) for f to dst.
func ctwireEncodeNew(dst []byte, f *conntrack.Flow, seq uint32) ([]byte, error) {
	h := codec.Header{
		Type:  codec.MsgType(codec.SubsysConntrack, ipctnlMsgCtNew),
		Flags: codec.FlagRequest | codec.FlagAck | codec.FlagCreate | codec.FlagExcl,
		Seq:   seq,
	}
	dst, start := codec.AppendMessage(dst, h, codec.NFGen{Family: unix.AF_INET})
	dst, err := f.AppendAttrs(dst)
	if err != nil {
		return dst, err
	}
	return codec.EndMessage(dst, start)
}
