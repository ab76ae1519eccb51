// Command create is cmd/create written with github.com/ti-mo/conntrack, for
// comparison: create, create again (EEXIST), get, delete, get again (ENOENT).
// There is no validation before sending, and each call is a round trip.
//
// On Linux 6.18 the first Get never returns: the kernel answers a GET with one
// NLM_F_MULTI message and an ACK, no NLMSG_DONE, and mdlayher/netlink's
// Receive, which ti-mo's Get uses, keeps reading after NLM_F_MULTI. ti-mo
// sets no read deadline and exposes none.
package main

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/ti-mo/conntrack"
)

func main() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	f := conntrack.NewFlow(17, 0, a, b, 40000, 53, 120, 0x42) // 17: UDP
	fmt.Printf("create: %v\n", c.Create(f))
	fmt.Printf("create: %v\n", c.Create(f)) // EEXIST
	g, err := c.Get(f)
	fmt.Printf("get: %v mark=%d\n", err, g.Mark)
	fmt.Printf("delete: %v\n", c.Delete(f))
	_, err = c.Get(f)
	fmt.Printf("get: %v\n", err) // ENOENT
}
