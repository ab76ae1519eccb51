// Command events prints the conntrack events of the current network
// namespace as `conntrack -E` does, until it has printed -n of them (by
// default, forever). It needs CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket and joins the multicast groups;
// ctwire decodes every datagram.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	count := flag.Int("n", 0, "exit after this many events (0: never)")
	flag.Parse()
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range []uint32{unix.NFNLGRP_CONNTRACK_NEW, unix.NFNLGRP_CONNTRACK_UPDATE, unix.NFNLGRP_CONNTRACK_DESTROY} {
		if err := c.JoinGroup(g); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Fprintln(os.Stderr, "listening for conntrack events")
	var dec conntrack.Decoder
	var rec conntrack.Record // reused for every message: decoding allocates nothing
	buf := make([]byte, 1<<16)
	for seen := 0; *count == 0 || seen < *count; {
		n, err := recv(c, buf)
		if err != nil {
			log.Fatal(err) // ENOBUFS: the socket overran and events were lost
		}
		p := codec.NewParser(buf[:n], nla.HostOrder)
		for p.Next() {
			if err := dec.Decode(p.Message(), &rec); err != nil {
				log.Fatal(err) // *conntrack.Error: offset and attribute path
			}
			if rec.Kind == conntrack.KindEvent { // rec.Event is NEW, UPDATE or DESTROY
				fmt.Printf("%s\n", rec.AppendText(nil, conntrack.TextOptions{}))
				seen++
			}
		}
		if err := p.Err(); err != nil {
			log.Fatal(err) // a truncated or malformed datagram
		}
	}
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
