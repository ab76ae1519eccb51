package live_test

import (
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// streamKeys dumps the table through Stream and returns the flows' keys
// in arrival order.
func streamKeys(t *testing.T, c *live.Client) []string {
	t.Helper()
	var ks []string
	req := conntrack.DumpRequest(0, 0)
	err := c.Stream(func(x *exchange.Exchange) error {
		if r := x.Record(); r.Kind == conntrack.KindFlow {
			ks = append(ks, key(&r.Flow.Orig))
		}
		return nil
	}, func() error { return nil }, &req)
	if err != nil {
		t.Fatalf("dump (readahead %d): %v", c.Readahead, err)
	}
	return ks
}

// TestReadahead streams dumps and a fill with the receiving in a second
// goroutine: the same records in the same order as without, the
// receiving goroutine gone when Stream returns, also when each stops it.
func TestReadahead(t *testing.T) {
	ns, c := liveNS(t)
	c.Window = 256
	c.Readahead = 2
	const n = 3000
	if err := c.Fill(0, n, 600); err != nil { // sends and receives interleaved
		t.Fatalf("fill with readahead: %v", err)
	}
	c.Readahead = 0
	want := streamKeys(t, c)
	if len(want) != n {
		t.Fatalf("dump: %d flows, want %d", len(want), n)
	}
	for _, ra := range []int{1, 2, 4} {
		c.Readahead = ra
		if got := streamKeys(t, c); !slices.Equal(got, want) {
			t.Errorf("readahead %d: %d flows, differ from the plain dump's %d", ra, len(got), len(want))
		}
	}
	// Small buffers: the kernel builds one-page datagrams; buffers that
	// are too small for one grow.
	small := open(t, ns, nlsock.Options{})
	small.BufSize, small.Readahead = 1, 3
	for range 2 {
		if got := streamKeys(t, small); !slices.Equal(got, want) {
			t.Errorf("readahead with 1-byte buffers: %d flows, differ from the plain dump's %d", len(got), len(want))
		}
	}

	// each stops the dump: its error comes back and no goroutine is left.
	before := runtime.NumGoroutine()
	stopErr := errors.New("enough")
	for _, at := range []int{1, 700} {
		s := open(t, ns, nlsock.Options{})
		s.Readahead = 4
		seen := 0
		req := conntrack.DumpRequest(0, 0)
		err := s.Stream(func(x *exchange.Exchange) error {
			if seen++; seen == at {
				return stopErr
			}
			return nil
		}, nil, &req)
		if !errors.Is(err, stopErr) || seen != at {
			t.Errorf("stopped at %d: %v after %d records", at, err, seen)
		}
		s.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines after the stopped dumps, %d before", g, before)
	}
	// An idle error stops the dump the same way.
	s := open(t, ns, nlsock.Options{})
	s.Readahead = 2
	req := conntrack.DumpRequest(0, 0)
	if err := s.Stream(func(*exchange.Exchange) error { return nil }, func() error { return stopErr }, &req); !errors.Is(err, stopErr) {
		t.Errorf("idle error: %v", err)
	}
}
