package fuzz

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

// textBudget: a line is appended to a buffer with room for it; what
// allocates is the label map (names copied from the input) and time
// formatting.
var textBudget = fuzzcheck.Budget{PerByte: 32, Const: 16 << 10}

// maxLine bounds a text line: every field has a fixed maximum width
// (addresses, numbers, a 255-byte security context) except the label
// names, each printed at most once.
func maxLine(labels []byte) int { return 4096 + 2*len(labels) }

// FuzzText renders every flow decoded from arbitrary attribute bytes as
// conntrack -L and -E lines, with options parsed from an arbitrary -o
// argument and a label map parsed from arbitrary connlabel.conf bytes: no
// panic; option errors typed; a line appends to dst without touching it,
// is deterministic and bounded, and is the same for the flow re-encoded
// and decoded again.
func FuzzText(f *testing.F) {
	opts := []string{"extended,id", "ktimestamp,labels", "timestamp", "ext,k,id,l", "xml", "", "userspace,SRC_NAT"}
	labels := []byte("0 zero\n1 one\n127 last\n0x10 hex\n# comment\n")
	i := 0
	for _, b := range fuzzcheck.AttrBytes(liveSeeds(f)) {
		f.Add(b, opts[i%len(opts)], labels)
		i++
	}
	f.Fuzz(func(t *testing.T, b []byte, optArg string, conf []byte) {
		o, err := conntrack.ParseTextOptions(optArg)
		if err != nil {
			if !(errors.Is(err, conntrack.ErrTextOption) || errors.Is(err, conntrack.ErrTextUnsupported)) {
				t.Fatalf("option error %T: %v", err, err)
			}
			o = conntrack.TextOptions{Extended: len(optArg)%2 == 0, ID: true, KTimestamp: true}
		}
		o.Now = time.Unix(1700000000, 123456789)
		if len(conf) > 0 {
			o.LabelNames = conntrack.ParseLabelNames(conf)
		}
		var fl conntrack.Flow
		fl.Family = conntrack.Family(len(b) % 12)
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, 0), &fl); err != nil {
			return
		}
		buf := make([]byte, 0, maxLine(conf))
		var line []byte
		fuzzcheck.CheckAlloc(t, len(b)+len(conf), textBudget, func() { line = fl.AppendText(buf[:0], o) })
		if len(line) > maxLine(conf) {
			t.Fatalf("line of %d bytes", len(line))
		}
		prefixed := fl.AppendText([]byte("prefix "), o)
		if !bytes.HasPrefix(prefixed, []byte("prefix ")) || !bytes.Equal(prefixed[len("prefix "):], line) {
			t.Fatalf("AppendText with a prefix: %q, alone %q", prefixed, line)
		}
		for _, k := range []conntrack.EventKind{conntrack.EventNew, conntrack.EventUpdate, conntrack.EventDestroy} {
			ev := fl.AppendEventText(nil, k, uint32(len(b)%2), o)
			if len(ev) > maxLine(conf)+64 {
				t.Fatalf("event line of %d bytes", len(ev))
			}
			if !bytes.Equal(ev, fl.AppendEventText(nil, k, uint32(len(b)%2), o)) {
				t.Fatalf("event line not deterministic")
			}
		}
		// The line depends on the record only.
		enc, err := fl.AppendAttrs(nil)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		var again conntrack.Flow
		again.Family = fl.Family
		if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(enc, nla.HostOrder, 0), &again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if l2 := again.AppendText(nil, o); !bytes.Equal(l2, line) {
			t.Fatalf("text after a round trip:\n%s", cmp.Diff(string(line), string(l2)))
		}
	})
}
