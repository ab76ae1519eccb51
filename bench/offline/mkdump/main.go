// Command mkdump writes the capture the offline comparison decodes: a dump
// of n flows (default 300,000) in datagrams of about 16 KiB, as the kernel
// packs dump replies, then NLMSG_DONE. The flows are those of the recorded
// kernel dump (testdata/captures/dump.pcap) in turn, each with its
// original source port and id varied, so that every line differs; the
// same generator as cmd/ctwire's BenchmarkDecodeCapture1M.
//
//	go run ./offline/mkdump -n 300000 -o /tmp/dump300k.pcap
package main

import (
	"flag"
	"log"
	"os"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

func main() {
	n := flag.Int("n", 300_000, "flows")
	in := flag.String("i", "../testdata/captures/dump.pcap", "recorded dump the flows are taken from")
	out := flag.String("o", "dump.pcap", "output pcap")
	flag.Parse()
	flows := readFlows(*in)
	fh, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w, err := capture.NewWriter(fh, capture.FormatPcap)
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)
	var dg []byte
	flush := func() {
		if len(dg) == 0 {
			return
		}
		d := capture.Datagram{Data: dg, Time: t0, Family: capture.FamilyNetfilter, Direction: capture.FromKernel}
		if err := w.WriteDatagram(d); err != nil {
			log.Fatal(err)
		}
		dg = dg[:0]
	}
	for i := range *n {
		f := flows[i%len(flows)]
		f.Orig.SrcPort = uint16(i)
		f.ID = uint32(i)
		if dg, err = f.AppendBinary(dg); err != nil {
			log.Fatal(err)
		}
		if len(dg) >= 16<<10 {
			flush()
		}
	}
	flush()
	if dg, err = codec.AppendDone(dg, codec.Header{Flags: codec.FlagMulti}, 0, nil); err != nil {
		log.Fatal(err)
	}
	flush()
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		log.Fatal(err)
	}
}

func readFlows(path string) []conntrack.Flow {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		log.Fatal(err)
	}
	var flows []conntrack.Flow
	for dg, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		for m, err := range codec.Messages(dg.Data, dg.Order) {
			if err != nil {
				log.Fatal(err)
			}
			var rec conntrack.Record
			if err := (conntrack.Decoder{}).Decode(m, &rec); err != nil {
				log.Fatal(err)
			}
			if rec.Kind == conntrack.KindFlow {
				flows = append(flows, rec.Flow)
			}
		}
	}
	if len(flows) == 0 {
		log.Fatal("no flows in ", path)
	}
	return flows
}
