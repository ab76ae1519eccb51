package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// decoder turns the datagrams of a capture into output lines. It keeps one
// Record and one output buffer for the whole run, so memory stays flat
// however long the capture is: lines are appended to buf in place and
// written out in chunks of about outChunk bytes.
type decoder struct {
	json    bool
	text    conntrack.TextOptions
	dec     conntrack.Decoder
	rec     conntrack.Record
	buf     []byte
	out     io.Writer
	werr    error // the first write error; nothing is written after it
	stderr  io.Writer
	damaged int
	// filter, when set, keeps only the flows, events and expectations
	// that conntrack -L / -E with the same options would print.
	filter *decodeFilter
}

// outChunk is the size of the writes to the output.
const outChunk = 256 << 10

// flush writes the buffered lines.
func (d *decoder) flush() {
	if d.werr == nil && len(d.buf) > 0 {
		_, d.werr = d.out.Write(d.buf)
	}
	d.buf = d.buf[:0]
}

func runDecode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("o", "", "output: conntrack's -o options (extended,id,ktimestamp,timestamp,...) or json")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: ctwire decode [-o extended,id,ktimestamp,timestamp|json] [FILE|- [FILTER...]]\n\n"+
			"Prints the conntrack messages of a capture (pcap, pcapng, gzip-compressed or not, or raw netlink\n"+
			"messages) as conntrack -L / -E lines, \"# \" lines for the rest, or JSON lines.\n"+
			"FILTER is conntrack's filter options (-p tcp --dport 80, -s ADDR, -m MARK, -u ASSURED, -e NEW,...):\n"+
			"then only the flows, events and expectations conntrack -L / -E would print are shown.\n"+
			"Exit status: 0 success, 1 damaged or unreadable input (the rest is still decoded), 2 usage.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	d := &decoder{stderr: stderr}
	if fs.NArg() > 1 {
		f, err := newDecodeFilter(fs.Args()[1:])
		if err != nil {
			fmt.Fprintf(stderr, "ctwire decode: %v", err)
			return 2
		}
		d.filter = f
	}
	switch *format {
	case "json":
		d.json = true
		d.dec.Keep = true // JSON is lossless: keep what is not interpreted
	case "":
	default:
		opt, err := conntrack.ParseTextOptions(*format)
		if err != nil {
			fmt.Fprintf(stderr, "ctwire decode: -o %s: %v\n", *format, err)
			return 2
		}
		d.text = opt
	}
	name := fs.Arg(0)
	if name == "" || name == "-" {
		name = "standard input"
	} else if st, err := os.Stat(name); err == nil && st.IsDir() {
		fmt.Fprintf(stderr, "ctwire decode: %s is a directory, not a capture\n", name)
		return 1
	}
	in, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		fmt.Fprintf(stderr, "ctwire decode: %v\n", err)
		return 1
	}
	defer in.Close()
	r, err := capture.NewReader(in, capture.WithFamily(capture.FamilyNetfilter),
		capture.WithHeaderlessFamily(capture.FamilyNetfilter))
	if err != nil {
		fmt.Fprintf(stderr, "ctwire decode: %s: %v\n", name, err)
		return 1
	}
	d.out, d.buf = stdout, make([]byte, 0, outChunk+outChunk/4)
	datagrams, skipped := 0, 0
	// Large batches for a file; for a pipe or a terminal, where input may
	// trickle in, small ones, so that lines follow the input closely.
	size := streamBatchBytes
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = batchBytes
		}
	}
	p := startPipeline(d, size)
	for {
		dg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil && datagrams == 0 && skipped == 0 && r.Format() == capture.FormatRaw {
			// Nothing recognised the input, and it does not start with a
			// netlink message either.
			what := "is not pcap, pcapng, gzip or netlink messages"
			if r.Compressed() {
				what = "is gzip-compressed, but not pcap, pcapng or netlink messages inside"
			}
			p.finish() // nothing was sent to it
			fmt.Fprintf(stderr, "ctwire decode: %s %s (%v)\n", name, what, err)
			return 1
		}
		if err != nil {
			skipped++
			p.add(capture.Datagram{}, err)
			continue
		}
		datagrams++
		p.add(dg, nil)
	}
	p.finish()
	if datagrams == 0 && d.damaged == 0 {
		if r.Format() == capture.FormatRaw {
			fmt.Fprintf(stderr, "ctwire decode: %s is empty%s\n", name, map[bool]string{true: " (once decompressed)"}[r.Compressed()])
			return 1
		}
		fmt.Fprintf(stderr, "ctwire decode: %s: no netlink datagram in the %v capture\n", name, r.Format())
	}
	if d.flush(); d.werr != nil {
		fmt.Fprintf(stderr, "ctwire decode: %v\n", d.werr)
		return 1
	}
	if d.damaged > 0 {
		fmt.Fprintf(stderr, "ctwire decode: %d damaged record(s) or message(s) skipped\n", d.damaged)
		return 1
	}
	return 0
}

// datagram prints every message of one datagram. A message that does not
// decode is reported on stderr with the record index, its offset and the
// reason, and the rest of the datagram still decodes where the framing
// allows.
func (d *decoder) datagram(dg capture.Datagram) {
	opt := d.text
	if !d.json {
		opt.Now = dg.Time
		if opt.Now.IsZero() {
			// A record without a capture time (raw streams, pcapng simple
			// packet blocks): delta-time counts to now, as conntrack's does.
			opt.Now = time.Now()
		}
	}
	p := codec.NewParser(dg.Data, dg.Order)
	for p.Next() {
		m := p.Message()
		if err := d.dec.Decode(m, &d.rec); err != nil {
			if d.filter == nil {
				d.undecoded(dg, m, err)
			} else if conntrack.Classify(m) != conntrack.KindRequest {
				d.report(dg, m.Offset, err)
			}
			continue
		}
		if d.filter != nil && !d.filter.keep(&d.rec) {
			continue
		}
		if d.json {
			d.buf = appendJSONLine(d.buf, dg, &d.rec)
		} else {
			d.buf = appendText(d.buf, &opt, &d.rec)
		}
		if d.out != nil && len(d.buf) >= outChunk {
			d.flush()
		}
	}
	if err := p.Err(); err != nil {
		var ce *codec.Error
		off := p.Offset()
		if errors.As(err, &ce) {
			off = ce.Offset
		}
		d.report(dg, off, err)
	}
	if dg.Truncated() {
		d.report(dg, len(dg.Data), fmt.Errorf("record cut by the capture: %d of %d bytes", len(dg.Data), dg.OrigLen))
	}
}

// undecoded handles a message whose content does not decode. A malformed
// request is what the capture saw a program send (and the kernel refuse):
// it is shown, not counted as damage. Anything else is reported as damage.
// In JSON mode the message is kept either way, as raw payload with the
// reason, so that encoding the JSON gives the capture back.
func (d *decoder) undecoded(dg capture.Datagram, m codec.Message, err error) {
	request := conntrack.Classify(m) == conntrack.KindRequest
	if !request {
		d.report(dg, m.Offset, err)
	}
	switch {
	case d.json:
		r := &d.rec
		r.Kind, r.Header, r.NFGen, r.Payload = conntrack.KindUnknown, m.Header, m.NFGen, m.Payload
		d.buf = appendRawJSONLine(d.buf, dg, r, err)
	case request:
		d.buf = appendBadRequest(d.buf, m, err)
	}
}

func (d *decoder) report(dg capture.Datagram, off int, err error) {
	d.damaged++
	fmt.Fprintf(d.stderr, "ctwire decode: record %d, offset %d: %v\n", dg.Index, off, err)
}

// appendText appends the output lines of one message: the conntrack-tools
// line for flows and events, a "# " line for everything else.
func appendText(b []byte, opt *conntrack.TextOptions, r *conntrack.Record) []byte {
	if r.Header.Flags&codec.FlagDumpIntr != 0 && !r.Header.IsControl() {
		b = append(b, "# dump interrupted (NLM_F_DUMP_INTR): restart it for a consistent view\n"...)
	}
	b = r.AppendText(b, *opt)
	return append(b, '\n')
}
