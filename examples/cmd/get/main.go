// Command get prints the entry udp 192.0.2.1:40000 -> 192.0.2.2:53 as
// `conntrack -G` does. It needs CAP_NET_ADMIN and works on the
// network namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange sends the GET and ends it on
// the kernel's ACK (Conn.Receive and Conn.Execute would wait forever).
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
	x := exchange.Exchange{PID: c.PID()}
	r := conntrack.GetRequest(0, orig)
	x.Add(&r)
	err = mdglue.Run(c, &x, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	})
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError: the kernel's errno and extack
	}
}
