// Command events is cmd/events written with github.com/ti-mo/conntrack, for
// comparison: it prints conntrack events until it has printed -n of them.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/ti-mo/conntrack"
	"github.com/ti-mo/netfilter"
)

func main() {
	count := flag.Int("n", 0, "exit after this many events (0: never)")
	flag.Parse()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	evCh := make(chan conntrack.Event, 1024)
	errCh, err := c.Listen(evCh, 1, netfilter.GroupsCT)
	if err != nil {
		log.Fatal(err)
	}
	log.Print("listening for conntrack events")
	for seen := 0; *count == 0 || seen < *count; seen++ {
		select {
		case ev := <-evCh:
			fmt.Println(ev) // ti-mo's own format, not conntrack -E's
		case err := <-errCh:
			log.Fatal(err)
		}
	}
}
