// Command expect creates a master entry tcp 192.0.2.1:40021 -> 192.0.2.2:21
// with the ftp helper and an expectation on it (a data connection from
// 192.0.2.2 to 192.0.2.1 port 20000), lists the expectations as
// `conntrack -L expect` does, then deletes both. It needs the nf_conntrack_ftp
// module. It needs CAP_NET_ADMIN and works on the
// network namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange runs the five requests
// in one datagram and reads the answers.
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
	m := conntrack.Flow{Orig: conntrack.PortTuple(conntrack.ProtoTCP, a, b, 40021, 21), Timeout: 120}
	m.Reply = conntrack.PortTuple(conntrack.ProtoTCP, b, a, 21, 40021)
	m.ProtoInfo.TCP.State = conntrack.TCPStateEstablished
	m.Helper.Name, _ = conntrack.MakeHelperName("ftp")
	ones := netip.AddrFrom4([4]byte{255, 255, 255, 255}) // the mask: addresses and destination port must match
	e := conntrack.Expect{Master: m.Orig, Timeout: 60, Tuple: conntrack.PortTuple(conntrack.ProtoTCP, b, a, 0, 20000),
		Mask: conntrack.PortTuple(conntrack.ProtoTCP, ones, ones, 0, 0xffff)}
	x := exchange.Exchange{PID: c.PID()}
	for _, r := range []conntrack.Request{conntrack.CreateRequest(0, &m), conntrack.ExpCreateRequest(0, &e),
		conntrack.ExpDumpRequest(0, conntrack.FamilyUnspec), conntrack.ExpDeleteRequest(0, e.Tuple), conntrack.DeleteRequest(0, m.Orig)} {
		x.Add(&r)
	}
	err = mdglue.Run(c, &x, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	})
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError: the kernel's errno and extack
	}
}
