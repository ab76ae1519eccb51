// Command flush deletes every entry of the table as `conntrack -F` does. It needs
// CAP_NET_ADMIN and works on the network namespace it runs in.
//
// A plain golang.org/x/sys/unix socket carries the bytes; ctwire's exchange
// builds the requests and reads the answers.
package main

import (
	"fmt"
	"log"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"golang.org/x/sys/unix"
)

func main() {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	check(err)
	check(unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})) // no receive waits forever
	check(unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1))                     // errors explained
	var x exchange.Exchange
	r := conntrack.FlushRequest(0, conntrack.FamilyUnspec)
	x.Add(&r)
	send := func(b []byte) error { return unix.Sendto(fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}) }
	recv := func(b []byte) (int, error) { n, _, err := unix.Recvfrom(fd, b, 0); return n, err }
	check(x.Run(send, recv, nil))
	fmt.Println("flushed")
}

func check(err error) {
	if err != nil {
		log.Fatal(err) // a *exchange.RequestError holds the errno and the kernel's message
	}
}
