// Command update sets the mark of the entry udp 192.0.2.1:40000 -> 192.0.2.2:53 to
// 0x43 as `conntrack -U -m 0x43` does, and prints the entry after the change. It needs
// CAP_NET_ADMIN and works on the network namespace it runs in.
//
// A plain golang.org/x/sys/unix socket carries the bytes; ctwire's exchange
// builds the requests and reads the answers.
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
	f := conntrack.Flow{Orig: conntrack.PortTuple(conntrack.ProtoUDP, a, b, 40000, 53), Timeout: 120, Mark: 0x42}
	var x exchange.Exchange
	f.Mark = 0x43
	update, get := conntrack.UpdateRequest(0, &f), conntrack.GetRequest(0, f.Orig)
	x.Add(&update)
	x.Add(&get)
	send := func(b []byte) error { return unix.Sendto(fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}) }
	recv := func(b []byte) (int, error) { n, _, err := unix.Recvfrom(fd, b, 0); return n, err }
	check(x.Run(send, recv, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	}))
}

func check(err error) {
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError holds the errno and the kernel's message
	}
}
