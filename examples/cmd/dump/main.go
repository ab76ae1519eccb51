// Command dump lists the conntrack table of the current network namespace
// as `conntrack -L` does, with the packet and byte counters when accounting
// is on (sysctl net.netfilter.nf_conntrack_acct=1). It needs CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange builds the
// request and reads every datagram of the reply up to its NLMSG_DONE.
package main

import (
	"fmt"
	"log"
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
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // no receive waits forever
	x := exchange.Exchange{PID: c.PID()}
	req := conntrack.DumpRequest(0, conntrack.FamilyUnspec) // IPv4 and IPv6
	x.Add(&req)
	err = mdglue.Run(c, &x, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	})
	if err != nil {
		log.Fatal(err) // the kernel's errno and extack, a truncated datagram, the deadline
	}
}
