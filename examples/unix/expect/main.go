// Command expect creates a master entry tcp 192.0.2.1:40021 -> 192.0.2.2:21
// with the ftp helper and an expectation on it (a data connection from
// 192.0.2.2 to 192.0.2.1 port 20000), lists the expectations as
// `conntrack -L expect` does, then deletes both. It needs CAP_NET_ADMIN and
// the nf_conntrack_ftp module, and works on the network namespace it runs in.
//
// A plain golang.org/x/sys/unix socket carries the bytes; ctwire's exchange
// runs the five requests in one datagram and reads the answers.
package main

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"golang.org/x/sys/unix"
)

func main() {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	check(err)
	check(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})) // no receive waits forever
	check(unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1))                     // errors explained
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	m := conntrack.Flow{Orig: conntrack.PortTuple(conntrack.ProtoTCP, a, b, 40021, 21), Timeout: 120}
	m.Reply = conntrack.PortTuple(conntrack.ProtoTCP, b, a, 21, 40021)
	m.ProtoInfo.TCP.State = conntrack.TCPStateEstablished
	m.Helper.Name, _ = conntrack.MakeHelperName("ftp")
	ones := netip.AddrFrom4([4]byte{255, 255, 255, 255}) // the mask: addresses and destination port must match
	e := conntrack.Expect{Master: m.Orig, Timeout: 60, Tuple: conntrack.PortTuple(conntrack.ProtoTCP, b, a, 0, 20000),
		Mask: conntrack.PortTuple(conntrack.ProtoTCP, ones, ones, 0, 0xffff)}
	var x exchange.Exchange
	for _, r := range []conntrack.Request{conntrack.CreateRequest(0, &m), conntrack.ExpCreateRequest(0, &e),
		conntrack.ExpDumpRequest(0, conntrack.FamilyUnspec), conntrack.ExpDeleteRequest(0, e.Tuple), conntrack.DeleteRequest(0, m.Orig)} {
		x.Add(&r)
	}
	send := func(b []byte) error { return unix.Sendto(fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}) }
	recv := func(b []byte) (int, error) { n, _, err := unix.Recvfrom(fd, b, 0); return n, err }
	check(x.Run(send, recv, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().Expect.AppendText(nil, 0))
	}))
}

func check(err error) {
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError holds the errno and the kernel's message
	}
}
