// Command flush deletes every entry of the table as `conntrack -F` does. It needs CAP_NET_ADMIN and works on the
// network namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange sends the request and reads its
// ACK.
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
	c.SetOption(netlink.ExtendedAcknowledge, true)      // the kernel explains its refusals
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // no receive waits forever
	x := exchange.Exchange{PID: c.PID()}
	r := conntrack.FlushRequest(0, conntrack.FamilyUnspec)
	x.Add(&r)
	if err := mdglue.Run(c, &x, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("flushed")
}
