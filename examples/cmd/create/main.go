// Command create creates a TCP conntrack entry in the current network
// namespace, tries to create it again (the kernel refuses: EEXIST), reads it
// back, deletes it and reads it again (ENOENT). Every request is checked with
// conntrack.Validate before it is sent, and the kernel's refusals arrive as
// ctwire's typed error, with the kernel's extended-ack message. It needs
// CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket; ctwire builds the requests and
// decodes every datagram of the replies.
package main

import (
	"errors"
	"fmt"
	"log"
	"net/netip"
	"syscall"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.SetOption(netlink.ExtendedAcknowledge, true) // the kernel explains its refusals
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	f := conntrack.Flow{ // a field that is set is sent
		Orig:    conntrack.PortTuple(conntrack.ProtoTCP, a, b, 40000, 80),
		Reply:   conntrack.PortTuple(conntrack.ProtoTCP, b, a, 80, 40000),
		Timeout: 120,
		Mark:    0x42,
	}
	f.ProtoInfo.TCP.State = conntrack.TCPStateEstablished

	for _, step := range []struct {
		req  conntrack.Request
		want error // the kernel's answer: nil for an ACK
	}{
		{conntrack.CreateRequest(0, &f), nil},
		{conntrack.CreateRequest(0, &f), syscall.EEXIST}, // it exists already
		{conntrack.GetRequest(0, f.Orig), nil},
		{conntrack.DeleteRequest(0, f.Orig), nil},
		{conntrack.GetRequest(0, f.Orig), syscall.ENOENT}, // it is gone
	} {
		err := do(c, &step.req)
		fmt.Printf("%s: %v\n", step.req.Op, err)
		if !errors.Is(err, step.want) {
			log.Fatalf("%s: got %v, want %v", step.req.Op, err, step.want)
		}
	}
}

// do validates r, sends it, prints the flows of the reply and returns the
// kernel's answer: nil for an ACK, else a *codec.KernelError matching
// errors.Is(err, syscall.EEXIST) and the like.
func do(c *netlink.Conn, r *conntrack.Request) error {
	if err := conntrack.Validate(r); err != nil {
		return err // what the kernel would refuse, and why
	}
	if err := send(c, r); err != nil {
		return err
	}
	var (
		dec conntrack.Decoder
		rec conntrack.Record
	)
	buf := make([]byte, 1<<16)
	for {
		n, err := recv(c, buf)
		if err != nil {
			return err
		}
		p := codec.NewParser(buf[:n], nla.HostOrder)
		for p.Next() {
			if err := dec.Decode(p.Message(), &rec); err != nil {
				return err
			}
			switch rec.Kind {
			case conntrack.KindFlow: // a GET is answered with the flow, then the ACK
				fmt.Printf("%s\n", rec.Flow.AppendText(nil, conntrack.TextOptions{}))
			case conntrack.KindAck, conntrack.KindError:
				return rec.Err()
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
	}
}

// send builds r's message with ctwire and sends it on c. Conn.Send fills in
// the sequence number and port id.
func send(c *netlink.Conn, r *conntrack.Request) error {
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		return err
	}
	_, err = c.Send(m)
	return err
}

// recv reads one datagram from c into buf, for ctwire to parse whole.
// (Conn.Receive hands back messages rather than datagrams, turns the kernel's
// errors into *netlink.OpError, and after the reply to a GET, which the kernel
// ends with an ACK and no NLMSG_DONE, waits forever.)
func recv(c *netlink.Conn, buf []byte) (n int, err error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	if rerr := rc.Read(func(fd uintptr) bool {
		n, _, err = unix.Recvfrom(int(fd), buf, 0)
		return err != unix.EAGAIN
	}); rerr != nil {
		return 0, rerr
	}
	return n, err
}
