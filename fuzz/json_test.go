package fuzz

import (
	"bytes"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

// jsonBudget: parsing JSON copies hex payloads and names out of the input.
var jsonBudget = fuzzcheck.Budget{PerByte: 16, Const: 16 << 10}

// FuzzJSON reads its input both as a datagram and as JSON. As a datagram:
// every message that decodes (keeping unknown attributes) goes to JSON
// and back to an equal record, which re-encodes to the same bytes. As
// JSON: ParseJSON fails with a *conntrack.JSONError located in the input,
// or yields a record whose JSON reads back to an equal record and is a
// fixed point.
func FuzzJSON(f *testing.F) {
	ds := liveSeeds(f)
	for _, d := range ds {
		f.Add(d.Data)
		for m, err := range codec.Messages(d.Data, nla.HostOrder) {
			var r conntrack.Record
			if err != nil || (conntrack.Decoder{Keep: true}).Decode(m, &r) != nil {
				break
			}
			f.Add(conntrack.AppendJSON(nil, &r))
			break // one JSON seed per datagram keeps the corpus quick to replay
		}
	}
	for _, b := range fuzzcheck.EncoderSeeds() {
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"flow","flow":{"extra":[{"index":0,"type":99,"payload":"00"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		keep := conntrack.Decoder{Keep: true}
		for m, err := range codec.Messages(b, nla.HostOrder) {
			if err != nil {
				break
			}
			var r conntrack.Record
			if keep.Decode(m, &r) != nil {
				continue
			}
			j := conntrack.AppendJSON(nil, &r)
			var r2 conntrack.Record
			if err := conntrack.ParseJSON(j, &r2); err != nil {
				t.Fatalf("reading back %s: %v", j, err)
			}
			// ParseJSON rebuilds acks, errors, done, control and unknown
			// messages into bytes and decodes those, so their nlmsg_len
			// is recomputed (bytes the decoder ignored are gone).
			opts := recordOpts
			switch r.Kind {
			case conntrack.KindAck, conntrack.KindError, conntrack.KindDone, conntrack.KindControl, conntrack.KindUnknown:
				opts = append(opts, headerOpts)
			}
			if d := cmp.Diff(r, r2, opts); d != "" {
				t.Fatalf("%v JSON round trip of %s (-decoded +from JSON):\n%s", r.Kind, j, d)
			}
			e1, err1 := r.AppendBinary(nil)
			e2, err2 := r2.AppendBinary(nil)
			if (err1 == nil) != (err2 == nil) || !bytes.Equal(e1, e2) {
				t.Fatalf("re-encoding differs after JSON: %v %v\n% x\n% x", err1, err2, e1, e2)
			}
		}

		var r conntrack.Record
		var perr error
		fuzzcheck.CheckAlloc(t, len(b), jsonBudget, func() {
			r = conntrack.Record{}
			perr = conntrack.ParseJSON(b, &r)
		})
		if perr != nil {
			fuzzcheck.CheckError(t, perr, 0, int64(len(b)))
			return
		}
		j := conntrack.AppendJSON(nil, &r)
		var r2 conntrack.Record
		if err := conntrack.ParseJSON(j, &r2); err != nil {
			t.Fatalf("reading back %s: %v", j, err)
		}
		if d := cmp.Diff(r, r2, recordOpts); d != "" {
			t.Fatalf("JSON %s read back (-first +second):\n%s", j, d)
		}
		if j2 := conntrack.AppendJSON(nil, &r2); !bytes.Equal(j, j2) {
			t.Fatalf("JSON not a fixed point:\n%s\n%s", j, j2)
		}
	})
}
