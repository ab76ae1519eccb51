// Command dump is cmd/dump written with github.com/ti-mo/conntrack, for
// comparison: it lists the table of the current network namespace.
// ti-mo prints no conntrack -L text: the fields are formatted by hand.
package main

import (
	"fmt"
	"log"

	"github.com/ti-mo/conntrack"
)

func main() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	flows, err := c.Dump(nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range flows {
		o := f.TupleOrig
		fmt.Printf("proto=%d timeout=%d src=%s dst=%s sport=%d dport=%d mark=%d packets=%d bytes=%d\n",
			o.Proto.Protocol, f.Timeout, o.IP.SourceAddress, o.IP.DestinationAddress,
			o.Proto.SourcePort, o.Proto.DestinationPort, f.Mark, f.CountersOrig.Packets, f.CountersOrig.Bytes)
	}
}
