package fuzz

import (
	"strings"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
)

// live returns the datagrams of the real recordings, failing tb if they
// cannot be read: the seeds matter more than any one target.
func live(tb testing.TB) []fuzzcheck.Datagram {
	tb.Helper()
	ds, err := fuzzcheck.LiveDatagrams(fuzzcheck.LiveDir)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// perRecording caps the seeds taken from one recording: the long event
// and operation recordings repeat the same shapes hundreds of times, and
// every seed is replayed by each plain go test run (and under -race and
// qemu in CI).
const perRecording = 24

// liveSeeds returns the live datagrams to seed with: every datagram of
// the short recordings, and perRecording of each long one, evenly spaced.
func liveSeeds(tb testing.TB) []fuzzcheck.Datagram {
	ds := live(tb)
	var out []fuzzcheck.Datagram
	for i := 0; i < len(ds); {
		j := i
		for j < len(ds) && recording(ds[j].Name) == recording(ds[i].Name) {
			j++
		}
		n := j - i
		for k := 0; k < min(n, perRecording); k++ {
			out = append(out, ds[i+k*n/min(n, perRecording)])
		}
		i = j
	}
	return out
}

// recording returns the recording name of a datagram name ("dump#3").
func recording(name string) string {
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		return name[:i]
	}
	return name
}

// addDatagrams seeds f with live datagrams and every encoder seed.
func addDatagrams(f *testing.F) {
	for _, d := range liveSeeds(f) {
		f.Add(d.Data)
	}
	for _, b := range fuzzcheck.EncoderSeeds() {
		f.Add(b)
	}
}

// addAttrs seeds f with the attribute area of every live and encoded
// nfnetlink message.
func addAttrs(f *testing.F) {
	ds := liveSeeds(f)
	for _, b := range fuzzcheck.EncoderSeeds() {
		ds = append(ds, fuzzcheck.Datagram{Order: nla.HostOrder, Data: b})
	}
	for _, b := range fuzzcheck.AttrBytes(ds) {
		f.Add(b)
	}
}

// TestSeeds checks the seed sources themselves: the recordings split into
// well-framed datagrams, and every encoder seed frames cleanly.
func TestSeeds(t *testing.T) {
	ds := live(t)
	if len(ds) < 40 {
		t.Fatalf("only %d live datagrams", len(ds))
	}
	if n := len(liveSeeds(t)); n < 40 || n > len(ds) {
		t.Fatalf("%d seeds of %d datagrams", n, len(ds))
	}
	names := map[string]bool{}
	for _, d := range ds {
		names[recording(d.Name)] = true
	}
	for _, want := range []string{"dump", "events", "exp-dump", "error-extack", "stats-cpu"} {
		if !names[want] {
			t.Errorf("recording %q missing", want)
		}
	}
	seeds := append([]fuzzcheck.Datagram(nil), ds...)
	for _, b := range fuzzcheck.EncoderSeeds() {
		seeds = append(seeds, fuzzcheck.Datagram{Name: "encoder", Order: nla.HostOrder, Data: b})
	}
	if n := len(fuzzcheck.EncoderSeeds()); n < 25 {
		t.Errorf("only %d encoder seeds", n)
	}
	for _, d := range seeds {
		n := 0
		for _, err := range codec.Messages(d.Data, d.Order) {
			if err != nil {
				t.Errorf("%s: %v", d.Name, err)
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no message", d.Name)
		}
	}
	caps, err := fuzzcheck.Captures(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 4 {
		t.Fatalf("%d capture formats", len(caps))
	}
}
