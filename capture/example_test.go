package capture_test

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/ctwire/ctwire/capture"
)

// An NLMSG_DONE (type 3, NLM_F_MULTI) from a little-endian host.
var done = []byte{20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// A dump request (type 0x0101, NLM_F_REQUEST|NLM_F_DUMP) with its nfgenmsg.
var dump = []byte{20, 0, 0, 0, 1, 1, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0}

func ExampleWriter() {
	var file bytes.Buffer
	w, err := capture.NewWriter(&file, capture.FormatPcapNG)
	if err != nil {
		panic(err)
	}
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w.WriteDatagram(capture.Datagram{Data: dump, Time: t, Family: capture.FamilyNetfilter, Direction: capture.ToKernel})
	w.WriteDatagram(capture.Datagram{Data: done, Time: t, Family: capture.FamilyNetfilter, Direction: capture.FromKernel})
	if err := w.Flush(); err != nil {
		panic(err)
	}
	fmt.Println(file.Len(), "bytes")
	// Output: 236 bytes
}

func ExampleNewReader() {
	var file bytes.Buffer
	w, _ := capture.NewWriter(&file, capture.FormatPcap)
	w.WriteDatagram(capture.Datagram{Data: dump, Family: capture.FamilyNetfilter})
	w.WriteDatagram(capture.Datagram{Data: done, Family: capture.FamilyNetfilter})
	w.Flush()

	r, err := capture.NewReader(&file, capture.WithFamily(capture.FamilyNetfilter))
	if err != nil {
		panic(err)
	}
	for {
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("damaged:", err) // and go on: the reader skips it
			continue
		}
		fmt.Printf("record %d: %d bytes, family %d, %v, %v headers, type %#04x\n",
			d.Index, len(d.Data), d.Family, d.Direction, d.Order, d.Order.Uint16(d.Data[4:6]))
	}
	fmt.Printf("%+v\n", r.Stats())
	// Output:
	// record 0: 20 bytes, family 12, to-kernel, little-endian headers, type 0x0101
	// record 1: 20 bytes, family 12, from-kernel, little-endian headers, type 0x0003
	// {Records:2 Datagrams:2 Truncated:0 SkippedLinkType:0 SkippedHardware:0 SkippedShort:0 SkippedFamily:0 Damaged:0 SkippedBytes:0}
}

func ExampleDatagram_Messages() {
	var file bytes.Buffer
	w, _ := capture.NewWriter(&file, capture.FormatPcap)
	// One datagram holding two messages, as a dump reply does.
	w.WriteDatagram(capture.Datagram{Data: append(append([]byte{}, dump...), done...), Family: capture.FamilyNetfilter})
	w.Flush()

	r, _ := capture.NewReader(&file)
	for d, err := range r.All() {
		if err != nil {
			panic(err)
		}
		for m, err := range d.Messages() {
			if err != nil {
				panic(err)
			}
			fmt.Printf("offset %d: type %#04x flags %#04x\n", m.Offset, m.Header.Type, m.Header.Flags)
		}
	}
	// Output:
	// offset 0: type 0x0101 flags 0x0301
	// offset 20: type 0x0003 flags 0x0002
}
