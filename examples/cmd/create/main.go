// Command create creates a UDP conntrack entry in the current network
// namespace, creates it again (the kernel refuses: EEXIST), gets it, deletes
// it and gets it again (ENOENT), all in one exchange: one datagram out, and
// each request's answer mapped back to it. Every request is checked with
// conntrack.Validate before it is sent. It needs CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange builds the
// requests and reads every answer, the GET's included (its ACK ends it).
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
	c.SetOption(netlink.ExtendedAcknowledge, true) // the kernel explains its refusals
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	f := conntrack.Flow{Orig: conntrack.PortTuple(conntrack.ProtoUDP, a, b, 40000, 53), Timeout: 120, Mark: 0x42}
	f.Reply = conntrack.PortTuple(conntrack.ProtoUDP, b, a, 53, 40000)
	x := exchange.Exchange{PID: c.PID(), Validate: true}                                        // Add refuses what the kernel would refuse
	reqs := []conntrack.Request{conntrack.CreateRequest(0, &f), conntrack.CreateRequest(0, &f), // EEXIST
		conntrack.GetRequest(0, f.Orig), conntrack.DeleteRequest(0, f.Orig), conntrack.GetRequest(0, f.Orig)} // ENOENT
	for i := range reqs {
		if _, err := x.Add(&reqs[i]); err != nil {
			log.Fatal(err) // a *conntrack.ValidationError saying why
		}
	}
	// Run prints the flow of the first GET; the refusals are in x.Result.
	mdglue.Run(c, &x, func(x *exchange.Exchange) { fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{})) })
	for i := range reqs { // nil, or a *exchange.RequestError: errors.Is(err, syscall.EEXIST)
		fmt.Printf("%s: %v\n", reqs[i].Op, x.Result(i))
	}
}
