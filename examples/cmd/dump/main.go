// Command dump lists the conntrack table of the current network namespace
// as `conntrack -L` does, with the packet and byte counters when accounting
// is on (sysctl net.netfilter.nf_conntrack_acct=1). It needs CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket; ctwire builds the request and
// decodes every datagram of the reply.
package main

import (
	"fmt"
	"log"

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
	req := conntrack.DumpRequest(0, conntrack.FamilyUnspec) // IPv4 and IPv6
	if err := send(c, &req); err != nil {
		log.Fatal(err)
	}
	var dec conntrack.Decoder
	var rec conntrack.Record // reused for every message: decoding allocates nothing
	buf := make([]byte, 1<<16)
	for {
		n, err := recv(c, buf)
		if err != nil {
			log.Fatal(err)
		}
		p := codec.NewParser(buf[:n], nla.HostOrder)
		for p.Next() {
			if err := dec.Decode(p.Message(), &rec); err != nil {
				log.Fatal(err) // *conntrack.Error: offset and attribute path
			}
			switch rec.Kind {
			case conntrack.KindFlow:
				fmt.Printf("%s\n", rec.Flow.AppendText(nil, conntrack.TextOptions{}))
			case conntrack.KindDone, conntrack.KindError:
				if err := rec.Err(); err != nil {
					log.Fatal(err) // the kernel's errno and extack message
				}
				return // NLMSG_DONE: the end of the dump
			}
		}
		if err := p.Err(); err != nil {
			log.Fatal(err) // a truncated or malformed datagram
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
