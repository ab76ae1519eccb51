// Command delete deletes the entry udp 192.0.2.1:40000 -> 192.0.2.2:53 as
// `conntrack -D` does. It needs CAP_NET_ADMIN and works on the network
// namespace it runs in.
//
// github.com/mdlayher/netlink owns the socket and runs the request with
// Conn.Execute, which is fine for a request the kernel answers with an ACK
// alone (never for a GET); mdglue.KernelError turns the *netlink.OpError of a
// refusal into ctwire's *codec.KernelError, with the kernel's extack.
package main

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/examples/mdglue"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func main() {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.SetOption(netlink.ExtendedAcknowledge, true) // the kernel explains its refusals
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	r := conntrack.DeleteRequest(0, conntrack.PortTuple(conntrack.ProtoUDP, a, b, 40000, 53))
	wire, err := r.AppendBinary(nil) // REQUEST|ACK: the kernel acknowledges
	if err != nil {
		log.Fatal(err)
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(wire); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Execute(m); err != nil {
		if ke := mdglue.KernelError(err); ke != nil {
			log.Fatalf("delete refused: %v (errno %d)", ke, ke.Errno) // errors.Is(ke, syscall.ENOENT)
		}
		log.Fatal(err) // a socket error
	}
	fmt.Println("deleted")
}
