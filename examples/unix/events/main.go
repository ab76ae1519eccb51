// Command events prints the conntrack events of the current network
// namespace as `conntrack -E` does, until it has printed -n of them (by
// default, forever). It needs CAP_NET_ADMIN.
//
// A plain golang.org/x/sys/unix socket joins the groups and receives; events
// need no exchange: ctwire's parser walks each datagram and its decoder
// decodes each message, the event kind included.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/nla"
	"golang.org/x/sys/unix"
)

func main() {
	count := flag.Int("n", 0, "exit after this many events (0: never)")
	flag.Parse()
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	check(err)
	// Bind joins the groups (bit g-1 is group g) and gives the socket a port
	// id: the kernel delivers no event to a socket with port id 0.
	groups := uint32(1<<(exchange.GroupNew-1) | 1<<(exchange.GroupUpdate-1) | 1<<(exchange.GroupDestroy-1))
	check(unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}))
	log.Print("listening for conntrack events")
	var dec conntrack.Decoder
	var rec conntrack.Record // reused for every message: decoding allocates nothing
	buf := make([]byte, 1<<16)
	for seen := 0; *count == 0 || seen < *count; {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		check(err) // ENOBUFS: the socket overran and events were lost
		p := codec.NewParser(buf[:n], nla.HostOrder)
		for p.Next() {
			check(dec.Decode(p.Message(), &rec))
			fmt.Printf("%s\n", rec.AppendText(nil, conntrack.TextOptions{})) // rec.Event: NEW, UPDATE, DESTROY
			seen++
		}
		check(p.Err()) // a truncated or malformed datagram
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
