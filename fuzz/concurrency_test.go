package fuzz

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
)

// digest decodes a datagram through every stateless entry point and
// returns all it produced as one string: attribute walks, framing,
// records, their re-encoding, text, JSON and validation.
func digest(dec conntrack.Decoder, b []byte) string {
	var out bytes.Buffer
	var r conntrack.Record
	// A fixed Now: the zero one means the current time, and the digests of
	// the goroutines are compared with a sequential pass.
	opt := conntrack.TextOptions{Extended: true, ID: true, KTimestamp: true, Now: time.Unix(1700000000, 0)}
	for m, err := range codec.Messages(b, nla.HostOrder) {
		if err != nil {
			fmt.Fprintf(&out, "framing: %v\n", err)
			break
		}
		s := m.Attrs()
		for s.Next() {
			fmt.Fprintf(&out, "%d:%d ", s.Attr().Offset, s.Type())
		}
		fmt.Fprintf(&out, "scan %v\n", s.Err())
		if err := dec.Decode(m, &r); err != nil {
			fmt.Fprintf(&out, "decode: %v\n", err)
			continue
		}
		enc, err := r.AppendBinary(nil)
		fmt.Fprintf(&out, "%v %x %v\n", r.Kind, enc, err)
		out.Write(conntrack.AppendJSON(nil, &r))
		if r.Kind == conntrack.KindFlow || r.Kind == conntrack.KindEvent {
			out.Write(r.Flow.AppendText(nil, opt))
		}
		fmt.Fprintf(&out, "\nvalidate %v\n", conntrack.ValidateMessage(m))
	}
	return out.String()
}

// captureDigest reads a capture and digests each datagram.
func captureDigest(b []byte) string {
	var out bytes.Buffer
	r, err := capture.NewReader(bytes.NewReader(b))
	if err != nil {
		return err.Error()
	}
	for d, err := range r.All() {
		if err != nil {
			fmt.Fprintf(&out, "record: %v\n", err)
			continue
		}
		fmt.Fprintf(&out, "%d %v %v %d\n", d.Index, d.Direction, d.Order, d.OrigLen)
		out.WriteString(digest(conntrack.Decoder{}, d.Data))
	}
	return out.String()
}

// TestConcurrentDecoding decodes the same inputs (the live recordings,
// the encoder seeds, damaged copies, captures) from many goroutines at
// once, sharing the input buffers and one Decoder value, and checks that
// every goroutine gets exactly what a single sequential pass got. Run
// with -race, it shows that the decoders keep no state and never write
// to their input.
func TestConcurrentDecoding(t *testing.T) {
	ds := live(t)
	var inputs [][]byte
	for _, d := range ds {
		inputs = append(inputs, d.Data)
		// A damaged copy: a byte flipped in the middle, the end cut.
		c := bytes.Clone(d.Data)
		c[len(c)/2] ^= 0x5a
		inputs = append(inputs, c[:len(c)-len(c)/7])
	}
	inputs = append(inputs, fuzzcheck.EncoderSeeds()...)
	caps, err := fuzzcheck.Captures(ds[:12])
	if err != nil {
		t.Fatal(err)
	}
	dec := conntrack.Decoder{Keep: true}
	want := make([]string, len(inputs))
	for i, b := range inputs {
		want[i] = digest(dec, b)
	}
	wantCaps := make([]string, len(caps))
	for i, c := range caps {
		wantCaps[i] = captureDigest(c)
	}
	saved := make([][]byte, len(inputs))
	for i, b := range inputs {
		saved[i] = bytes.Clone(b)
	}

	const workers = 8
	rounds := 2
	if testing.Short() {
		rounds = 1
	}
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for round := 0; round < rounds; round++ {
				for k := range inputs {
					i := (k*7 + w*13 + round) % len(inputs) // each worker its own order
					if got := digest(dec, inputs[i]); got != want[i] {
						errs <- fmt.Sprintf("worker %d input %d: digest differs", w, i)
						return
					}
				}
				c := (w + round) % len(caps)
				if got := captureDigest(caps[c]); got != wantCaps[c] {
					errs <- fmt.Sprintf("worker %d capture %d: digest differs", w, c)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := range inputs {
		if !bytes.Equal(inputs[i], saved[i]) {
			t.Fatalf("input %d was written to", i)
		}
	}
}
