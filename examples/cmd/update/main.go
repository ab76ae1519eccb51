// Command update sets the mark of the entry udp 192.0.2.1:40000 -> 192.0.2.2:53
// to 0x43 as `conntrack -U -m 0x43` does and prints the entry after the
// change. It needs CAP_NET_ADMIN and works on the
// network namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange sends both requests in one
// datagram and reads their answers.
package main

import (
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/examples/mdglue"
	"github.com/ctwire/ctwire/exchange"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.SetOption(netlink.ExtendedAcknowledge, true)      // the kernel explains its refusals
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // no receive waits forever
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	orig := conntrack.PortTuple(conntrack.ProtoUDP, a, b, 40000, 53)
	f := conntrack.Flow{Orig: orig, Mark: 0x43} // a field that is set is sent
	x := exchange.Exchange{PID: c.PID()}
	update, get := conntrack.UpdateRequest(0, &f), conntrack.GetRequest(0, orig)
	x.Add(&update)
	x.Add(&get)
	err = mdglue.Run(c, &x, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	})
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError: the kernel's errno and extack
	}
}
