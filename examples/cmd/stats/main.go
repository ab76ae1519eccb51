// Command stats prints the table's global and per-CPU statistics, as
// `conntrack -C` and `conntrack -S` do. It needs CAP_NET_ADMIN and works on the
// network namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket; ctwire's exchange sends both requests and reads
// the answers.
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
	global, cpu := conntrack.StatsRequest(0), conntrack.StatsCPURequest(0)
	x.Add(&global)
	x.Add(&cpu)
	err = mdglue.Run(c, &x, func(x *exchange.Exchange) {
		fmt.Printf("%s\n", x.Record().AppendText(nil, conntrack.TextOptions{}))
	})
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError: the kernel's errno and extack
	}
}
