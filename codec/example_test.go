package codec_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// A datagram of a conntrack dump holds several NLM_F_MULTI messages; the
// dump ends with NLMSG_DONE. Here one is built with the package's builders
// and walked with a Parser.
func ExampleParser() {
	const ctaMark = 8 // CTA_MARK, a big-endian u32
	var b []byte
	for _, mark := range []uint32{7, 9} {
		var start int
		b, start = codec.AppendMessage(b, codec.Header{
			Type:  codec.MsgType(codec.SubsysConntrack, 0), // IPCTNL_MSG_CT_NEW
			Flags: codec.FlagMulti,
			Seq:   42,
		}, codec.NFGen{Family: 2}) // AF_INET
		b = nla.AppendUint32BE(b, ctaMark, mark)
		b, _ = codec.EndMessage(b, start)
	}
	b, _ = codec.AppendDone(b, codec.Header{Flags: codec.FlagMulti, Seq: 42}, 0, nil)

	p := codec.NewParser(b, nla.HostOrder)
	for p.Next() {
		m := p.Message()
		if m.Header.Type == codec.TypeDone {
			var d codec.Done
			if err := codec.ParseDone(m, &d); err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("@%d end of dump, error %v\n", m.Offset, d.Err())
			continue
		}
		s := m.Attrs()
		for s.Next() {
			if s.Type() == ctaMark {
				mark, _ := nla.Uint32BE(s.Payload())
				fmt.Printf("@%d type 0x%04x family %d mark %d\n", m.Offset, m.Header.Type, m.NFGen.Family, mark)
			}
		}
	}
	if err := p.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// @0 type 0x0100 family 2 mark 7
	// @28 type 0x0100 family 2 mark 9
	// @56 end of dump, error <nil>
}

// The kernel refuses a request with NLMSG_ERROR. With NETLINK_EXT_ACK set
// on the socket it says why, and where in the request.
func ExampleParseError() {
	request := codec.Header{
		Len:   41,
		Type:  codec.MsgType(codec.SubsysConntrackExp, 1), // IPCTNL_MSG_EXP_GET
		Flags: codec.FlagRequest | codec.FlagAck,
		Seq:   6,
	}
	// What the kernel sends back (capped: NETLINK_CAP_ACK was set).
	reply, _ := codec.AppendError(nil, codec.Header{Seq: 6}, &codec.KernelError{
		Code:    -int32(syscall.EINVAL),
		Request: request,
		Capped:  true,
		ExtAck: codec.ExtAck{TLVs: codec.AppendExtAck(nil, &codec.ExtAck{
			Msg:       []byte("Attribute failed policy validation"),
			Offset:    20,
			HasOffset: true,
		})},
	})

	for m, err := range codec.Messages(reply, nla.HostOrder) {
		if err != nil {
			fmt.Println(err)
			return
		}
		var ke codec.KernelError
		if err := codec.ParseError(m, &ke); err != nil {
			fmt.Println(err)
			return
		}
		if ke.IsAck() {
			continue
		}
		err = &ke
		fmt.Println(errors.Is(err, syscall.EINVAL))
		fmt.Printf("%q at request offset %d\n", ke.Msg, ke.Offset)
		fmt.Println(err)
	}
	// Output:
	// true
	// "Attribute failed policy validation" at request offset 20
	// netlink: invalid argument: Attribute failed policy validation (attribute at offset 20) (request type 0x0201 seq 6)
}
