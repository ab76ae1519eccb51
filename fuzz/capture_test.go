package fuzz

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
)

// captureBudget: the reader holds a window of the input and the current
// record. Compressed input is charged by what it may decompress to
// (deflate expands at most 1032 times).
var (
	captureBudget = fuzzcheck.Budget{PerByte: 16, Const: 256 << 10}
	gzipBudget    = fuzzcheck.Budget{PerByte: 3 * 1032, Const: 1 << 20}
)

// gzipped returns b gzip-compressed.
func gzipped(tb testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// addCaptures seeds f with small captures of the live datagrams in every
// format, compressed and cut short.
func addCaptures(f *testing.F) {
	ds := liveSeeds(f)
	for i := 0; i < len(ds); i += 6 {
		caps, err := fuzzcheck.Captures(ds[i:min(i+6, len(ds))])
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range caps {
			f.Add(c)
			f.Add(c[:len(c)*2/3])
		}
		f.Add(gzipped(f, caps[i/6%len(caps)]))
	}
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b, 0x08})
}

// readAll reads every datagram of a capture, checking the reader's
// invariants, and calls fn for each datagram read.
func readAll(t *testing.T, b []byte, fn func(capture.Datagram)) {
	r, err := capture.NewReader(bytes.NewReader(b))
	if err != nil {
		fuzzcheck.CheckError(t, err, 0, int64(len(b)))
		if !errors.Is(err, capture.ErrFormat) && !errors.Is(err, capture.ErrTruncated) {
			t.Fatalf("NewReader: %v", err)
		}
		return
	}
	hi := int64(len(b))
	if r.Compressed() {
		hi = 1032*int64(len(b)) + 1024
	}
	last := -1
	for calls := int64(0); ; calls++ {
		if calls > hi+2 {
			t.Fatalf("no end after %d calls", calls)
		}
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fuzzcheck.CheckError(t, err, 0, hi)
			continue
		}
		if len(d.Data) > capture.MaxRecordLen || d.OrigLen < len(d.Data) || d.Index <= last {
			t.Fatalf("datagram %d of %d bytes (orig %d) after %d", d.Index, len(d.Data), d.OrigLen, last)
		}
		last = d.Index
		fn(d)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after the end: %v", err)
	}
	st := r.Stats()
	if st.Datagrams+st.SkippedFamily+st.SkippedHardware+st.SkippedLinkType+st.SkippedShort != st.Records {
		t.Fatalf("stats do not add up: %+v", st)
	}
}

// budgetFor returns the allocation budget for reading capture b.
func budgetFor(b []byte) fuzzcheck.Budget {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return gzipBudget
	}
	return captureBudget
}

// FuzzCapture reads arbitrary bytes as a capture (pcap, pcapng, raw
// netlink, gzip-compressed or not): no panic, the reader ends, errors are
// *capture.RecordError values with an offset inside the input, datagrams
// are sane, and the reader allocates in proportion to its input.
func FuzzCapture(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzcheck.CheckAlloc(t, len(b), budgetFor(b), func() {
			readAll(t, b, func(capture.Datagram) {})
		})
	})
}

// FuzzPipeline runs the whole decode path over arbitrary capture bytes
// (what `ctwire decode` does):
// capture reader, message framing in the datagram's byte order, the
// message-level Decoder (keeping unknown attributes), the JSON form of
// every record and the text form of every flow and event. Every error is typed and located; allocation stays
// proportional to the input.
func FuzzPipeline(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		line := make([]byte, 0, 4096)
		js := make([]byte, 0, 8192)
		dec := conntrack.Decoder{Keep: true}
		var r conntrack.Record
		opt := conntrack.TextOptions{Extended: true, ID: true, KTimestamp: true, Now: time.Unix(1700000000, 0)}
		fuzzcheck.CheckAlloc(t, len(b), budgetFor(b), func() {
			readAll(t, b, func(d capture.Datagram) {
				for m, err := range d.Messages() {
					if err != nil {
						fuzzcheck.CheckError(t, err, 0, int64(len(d.Data)))
						var ce *codec.Error
						if !errors.As(err, &ce) {
							t.Fatalf("framing error %T", err)
						}
						break
					}
					if err := dec.Decode(m, &r); err != nil {
						fuzzcheck.CheckError(t, err, int64(m.Offset), int64(m.Offset)+int64(m.Header.Len))
						continue
					}
					js = conntrack.AppendJSON(js[:0], &r)
					switch r.Kind {
					case conntrack.KindFlow:
						line = r.Flow.AppendText(line[:0], opt)
					case conntrack.KindEvent:
						line = r.Flow.AppendEventText(line[:0], r.Event, r.Header.PID, opt)
					}
				}
			})
		})
	})
}
