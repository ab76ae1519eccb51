package fuzz

import (
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// live returns the datagrams of the real recordings, failing tb if they
// cannot be read: the seeds matter more than any one target.
func live(tb testing.TB) []Datagram {
	tb.Helper()
	ds, err := LiveDatagrams(LiveDir)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// addDatagrams seeds f with every live datagram and every encoder seed.
func addDatagrams(f *testing.F) {
	for _, d := range live(f) {
		f.Add(d.Data)
	}
	for _, b := range EncoderSeeds() {
		f.Add(b)
	}
}

// addAttrs seeds f with the attribute area of every live and encoded
// nfnetlink message.
func addAttrs(f *testing.F) {
	ds := live(f)
	for _, b := range EncoderSeeds() {
		ds = append(ds, Datagram{Order: nla.HostOrder, Data: b})
	}
	for _, b := range AttrBytes(ds) {
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
	names := map[string]bool{}
	for _, d := range ds {
		names[d.Name[:len(d.Name)-len("#0")]] = true
	}
	for _, want := range []string{"dump", "events", "exp-dump", "error-extack", "stats-cpu"} {
		if !names[want] {
			t.Errorf("recording %q missing", want)
		}
	}
	seeds := append([]Datagram(nil), ds...)
	for _, b := range EncoderSeeds() {
		seeds = append(seeds, Datagram{Name: "encoder", Order: nla.HostOrder, Data: b})
	}
	if n := len(EncoderSeeds()); n < 25 {
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
	caps, err := Captures(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 4 {
		t.Fatalf("%d capture formats", len(caps))
	}
}
