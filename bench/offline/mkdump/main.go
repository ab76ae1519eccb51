// Command mkdump writes the capture the offline comparison decodes: a dump
// of n flows (default 300,000) in datagrams of about 16 KiB, as the kernel
// packs dump replies, then NLMSG_DONE. The flows are those of the recorded
// kernel dump (testdata/captures/dump.pcap) in turn, each with its source
// port (or ICMP id) and id varied, so that every line differs; the
// generator is internal/dumpgen, which cmd/ctwire's
// BenchmarkDecodeCapture1M uses too.
//
//	go run ./offline/mkdump -n 300000 -o /tmp/dump300k.pcap
package main

import (
	"flag"
	"log"
	"os"

	"github.com/ctwire/ctwire/internal/dumpgen"
)

func main() {
	n := flag.Int("n", 300_000, "flows")
	in := flag.String("i", "../testdata/captures/dump.pcap", "recorded dump the flows are taken from")
	out := flag.String("o", "dump.pcap", "output pcap")
	flag.Parse()
	fi, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	flows, err := dumpgen.Flows(fi)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	fi.Close()
	fh, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := dumpgen.Write(fh, flows, *n); err != nil {
		log.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		log.Fatal(err)
	}
}
