package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// maxJSONLine bounds one input line of ctwire encode.
const maxJSONLine = 16 << 20

// runEncode reads the JSON lines `ctwire decode -o json` prints and writes
// the messages as a capture. Consecutive messages with the same record
// index go into one datagram, as they came, so decoding the result prints
// the same JSON again.
func runEncode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("o", "pcapng", "output container: pcapng, pcap (microseconds), pcap-ns or raw")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "ctwire encode: at most one input file")
		return 2
	}
	var f capture.Format
	switch *format {
	case "pcapng":
		f = capture.FormatPcapNG
	case "pcap":
		f = capture.FormatPcap
	case "pcap-ns":
		f = capture.FormatPcapNano
	case "raw":
		f = capture.FormatRaw
	default:
		fmt.Fprintf(stderr, "ctwire encode: -o %s: want pcapng, pcap, pcap-ns or raw\n", *format)
		return 2
	}
	in, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}
	defer in.Close()
	out := bufio.NewWriterSize(stdout, 64<<10)
	w, err := capture.NewWriter(out, f)
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}

	var (
		line    conntrack.JSONLine
		dg      []byte
		dgIndex = -1
		dgTime  time.Time
		bad     int
	)
	flush := func() error {
		if len(dg) == 0 {
			return nil
		}
		d := capture.Datagram{Data: dg, Time: dgTime, Family: capture.FamilyNetfilter, Direction: direction(dg)}
		dg = dg[:0]
		return w.WriteDatagram(d)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxJSONLine)
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if err := line.UnmarshalJSON(text); err != nil {
			bad++
			fmt.Fprintf(stderr, "ctwire encode: line %d: %v\n", n, err)
			continue
		}
		if o := line.Order; o != nla.HostOrder && o.Resolve() != nla.HostOrder.Resolve() && hasRawNetlink(&line.Message) {
			bad++
			fmt.Fprintf(stderr, "ctwire encode: line %d: the message carries raw netlink bytes in %v order, and encoding writes this host's %v order\n",
				n, o, nla.HostOrder.Resolve())
			continue
		}
		if line.Index != dgIndex {
			if err := flush(); err != nil {
				fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
				return 2
			}
			dgIndex, dgTime = line.Index, line.Time
		}
		b, err := line.Message.AppendBinary(dg)
		if err != nil {
			bad++
			fmt.Fprintf(stderr, "ctwire encode: line %d: %v\n", n, err)
			continue
		}
		dg = b
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}
	if err := flush(); err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}
	err = w.Flush()
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "ctwire encode: %d line(s) skipped\n", bad)
		return 1
	}
	return 0
}

// direction tells a request from a kernel message by NLM_F_REQUEST of the
// datagram's first message, as the kernel tells them.
func direction(dg []byte) capture.Direction {
	if h, err := codec.ParseHeader(dg, 0); err == nil && h.Flags&codec.FlagRequest != 0 {
		return capture.ToKernel
	}
	return capture.FromKernel
}

// hasRawNetlink reports whether a message holds netlink structures kept as
// raw bytes (extended-ack TLVs, an echoed request, an undecoded payload,
// kept attributes): their headers are in the byte order of the capture,
// so they cannot be re-encoded on a host of the other order.
func hasRawNetlink(r *conntrack.Record) bool {
	switch r.Kind {
	case conntrack.KindAck, conntrack.KindError:
		return len(r.Error.TLVs) > 0 || len(r.Error.RequestPayload) > 0
	case conntrack.KindDone:
		return len(r.Done.TLVs) > 0
	case conntrack.KindUnknown, conntrack.KindControl:
		return len(r.Payload) > 0
	}
	return r.Flow.Extra.Len() > 0 || r.Expect.Extra.Len() > 0
}
