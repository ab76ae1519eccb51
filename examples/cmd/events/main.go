// Command events prints the conntrack events of the current network
// namespace as `conntrack -E` does, until it has printed -n of them (by
// default, forever). It needs CAP_NET_ADMIN.
//
// github.com/mdlayher/netlink owns the socket, joins the multicast groups and
// receives (Conn.Receive is fine for events); ctwire decodes each message.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/examples/mdglue"
	"github.com/ctwire/ctwire/exchange"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	count := flag.Int("n", 0, "exit after this many events (0: never)")
	flag.Parse()
	// Join the groups at Dial: bit g-1 of the mask is group g (or call c.JoinGroup(g)).
	groups := uint32(1<<(exchange.GroupNew-1) | 1<<(exchange.GroupUpdate-1) | 1<<(exchange.GroupDestroy-1))
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{Groups: groups})
	if err != nil {
		log.Fatal(err)
	}
	log.Print("listening for conntrack events") // to standard error
	var rec conntrack.Record                    // reused for every message: decoding allocates nothing
	for seen := 0; *count == 0 || seen < *count; {
		msgs, err := c.Receive()
		if err != nil {
			log.Fatal(err) // ENOBUFS: the socket overran and events were lost
		}
		for _, m := range msgs {
			if err := mdglue.Decode(m, &rec); err != nil {
				log.Fatal(err) // *conntrack.Error: offset and attribute path
			}
			fmt.Printf("%s\n", rec.AppendText(nil, conntrack.TextOptions{})) // rec.Event: NEW, UPDATE, DESTROY
			seen++
		}
	}
}
