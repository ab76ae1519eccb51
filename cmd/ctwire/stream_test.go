//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fillNS returns a namespace holding n flows created with live.Fill.
func fillNS(t *testing.T, n int) (*netns.NS, *live.Client) {
	t.Helper()
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	c, err := live.Open(ns.Path(), nlsock.Options{NoRecord: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Fill(0, n, 600); err != nil {
		t.Fatalf("fill %d: %v", n, err)
	}
	return ns, c
}

// A dump larger than many datagrams prints every entry once, as it
// streams, with the summary counting them.
func TestLiveDumpStreams(t *testing.T) {
	const n = 5000
	ns, _ := fillNS(t, n)
	out, errOut, status := ctwire(t, "dump", "-n", ns.Name, "-o", "id")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	if want := fmt.Sprintf("ctwire: %d flow entries have been shown.\n", n); errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	seen := map[string]bool{}
	id := regexp.MustCompile(` id=\d+$`)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		k := id.FindString(l)
		if k == "" || seen[k] {
			t.Fatalf("line without id or repeated: %q", l)
		}
		seen[k] = true
	}
	if len(seen) != n {
		t.Errorf("%d lines, want %d", len(seen), n)
	}
}

// A watcher with a tiny receive buffer misses events when many come at
// once: it says so on standard error, counting the overruns, and goes on
// printing the events that come after.
func TestLiveWatchOverrun(t *testing.T) {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	env := &liveEnv{stdout: &out, stderr: &errOut, ctx: ctx}
	done := make(chan int)
	go func() { done <- env.run("watch", []string{"-n", ns.Name, "-e", "NEW", "-b", "4096"}) }()
	time.Sleep(300 * time.Millisecond) // let the watcher subscribe
	c, err := live.Open(ns.Path(), nlsock.Options{NoRecord: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Window = 1024
	if err := c.Fill(0, 2000, 600); err != nil {
		t.Fatal(err)
	}
	// One more entry once the burst is over: it must still be printed.
	marker := "src=10.0.7.208 " // FillFlow(2000)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "overrun") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Fill(2000, 1, 600); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), marker) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if status := <-done; status != 0 {
		t.Errorf("status %d", status)
	}
	e := errOut.String()
	if !regexp.MustCompile(`ctwire watch: receive buffer overrun \(ENOBUFS\): the kernel dropped events \(1 overruns so far\)`).MatchString(e) {
		t.Errorf("stderr does not report the overrun:\n%s", e)
	}
	lines := strings.Count(out.String(), "\n")
	if !strings.Contains(out.String(), marker) {
		t.Errorf("the event after the overrun was not printed (%d lines)", lines)
	}
	if want := fmt.Sprintf("ctwire: %d flow events have been shown.\n", lines); !strings.HasSuffix(e, want) {
		t.Errorf("stderr ends %q, want %q", e, want)
	}
	t.Logf("%d of 2001 events printed; stderr:\n%s", lines, e)
}
