package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// maxJSONLine bounds one input line of ctwire encode.
const maxJSONLine = 16 << 20

// maxDatagram bounds the datagrams ctwire encode writes: the largest
// record a capture may hold, less room for the link-layer header.
const maxDatagram = capture.MaxRecordLen - 64

// createOutput returns where encode writes: standard output, or a
// temporary file next to name that commit renames to name and abort
// removes, so that a failed run leaves no file behind.
func createOutput(name string, stdout io.Writer) (w io.Writer, commit func() error, abort func(), err error) {
	if name == "" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, nil, nil, err
	}
	f.Chmod(0o644) // CreateTemp's 0600 is for secrets; a capture is an ordinary file
	done := false
	commit = func() error {
		if err := f.Close(); err != nil {
			return err
		}
		done = true
		return os.Rename(f.Name(), name)
	}
	abort = func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}
	return f, commit, abort, nil
}

// runEncode reads the JSON lines `ctwire decode -o json` prints and writes
// the messages as a capture. Consecutive messages with the same record
// index go into one datagram, as they came, so decoding the result prints
// the same JSON again.
func runEncode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("o", "pcapng", "output container: pcapng, pcap (microseconds), pcap-ns or raw")
	outName := fs.String("w", "", "write to `FILE` (created only when encoding succeeds) instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: ctwire encode [-o pcapng|pcap|pcap-ns|raw] [-w FILE] [FILE|-]\n\n"+
			"Reads JSON lines (ctwire decode -o json, or the message objects ctwire dump/watch -o json print)\n"+
			"and writes the messages as a capture.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
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
	dest, commit, abort, err := createOutput(*outName, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 1
	}
	defer abort()
	out := bufio.NewWriterSize(dest, 64<<10)
	w, err := capture.NewWriter(out, f)
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 2
	}

	var (
		line    conntrack.JSONLine
		dg      []byte
		dgIndex = -1
		dgLine  int // input line of the datagram's first message
		dgTime  time.Time
		bad     int
		written int // datagrams
	)
	flush := func() error {
		if len(dg) == 0 {
			return nil
		}
		d := capture.Datagram{Data: dg, Time: dgTime, Family: capture.FamilyNetfilter, Direction: direction(dg)}
		dg = dg[:0]
		written++
		return w.WriteDatagram(d)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxJSONLine)
	lines := 0
	for n := 1; sc.Scan(); n++ {
		lines = n
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if err := readLine(text, n, &line); err != nil {
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
		// A new record index starts a datagram, and so does a datagram
		// about to outgrow what a capture record may hold.
		if line.Index != dgIndex || len(dg)+int(line.Message.Header.Len)+codec.HeaderLen > maxDatagram {
			if line.Index == dgIndex {
				fmt.Fprintf(stderr, "ctwire encode: line %d: record %d (from line %d) would exceed %d bytes: continued in a new record\n",
					n, dgIndex, dgLine, maxDatagram)
			}
			if err := flush(); err != nil {
				fmt.Fprintf(stderr, "ctwire encode: line %d: %v\n", n, err)
				return 1
			}
			dgIndex, dgTime, dgLine = line.Index, line.Time, n
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
		fmt.Fprintf(stderr, "ctwire encode: after line %d: %v\n", lines, err)
		return 1
	}
	if err := flush(); err != nil {
		fmt.Fprintf(stderr, "ctwire encode: line %d: %v\n", dgLine, err)
		return 1
	}
	if bad > 0 && written == 0 {
		fmt.Fprintf(stderr, "ctwire encode: no message encoded (%d line(s) skipped)\n", bad)
		return 1 // and no file written
	}
	err = w.Flush()
	if err == nil {
		err = out.Flush()
	}
	if err == nil {
		err = commit()
	}
	if err != nil {
		fmt.Fprintf(stderr, "ctwire encode: %v\n", err)
		return 1
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

// readLine reads one input line: a line of ctwire decode -o json (the
// message with its record index and time), or a bare message object as
// ctwire dump and watch -o json print it, which becomes a record of its
// own stamped now.
func readLine(text []byte, n int, line *conntrack.JSONLine) error {
	err := line.UnmarshalJSON(text)
	var je *conntrack.JSONError
	if !errors.As(err, &je) || je.Key != "message" || !errors.Is(err, conntrack.ErrJSONMissing) {
		return err
	}
	if err := conntrack.ParseJSON(text, &line.Message); err != nil {
		return err
	}
	line.Index, line.Time, line.Order = -n, time.Now(), nla.HostOrder
	return nil
}
