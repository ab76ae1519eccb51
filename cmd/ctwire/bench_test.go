package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/dumpgen"
)

// realFlows returns the flows of the recorded kernel dump.
func realFlows(tb testing.TB) []conntrack.Flow {
	tb.Helper()
	f, err := os.Open(filepath.Join(captures, "dump.pcap"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	flows, err := dumpgen.Flows(f)
	if err != nil {
		tb.Fatalf("dump.pcap: %v", err)
	}
	return flows
}

// writeDumpCapture writes the generated capture of a dump of n flows
// (internal/dumpgen) to path and returns its size.
func writeDumpCapture(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	fh, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	if err := dumpgen.Write(fh, realFlows(tb), n); err != nil {
		tb.Fatal(err)
	}
	st, err := fh.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

const bigFlows = 1_000_000

// BenchmarkDecodeCapture1M runs `ctwire decode` over a generated capture of
// a 1,000,000-flow dump, to conntrack-tools text and to JSON lines. It
// reports flows/s, MB/s of capture and the peak heap the process reached:
// the decoder reuses one record and one line buffer, so the heap stays
// flat whatever the capture's length.
func BenchmarkDecodeCapture1M(b *testing.B) {
	bigCapturePath := filepath.Join(b.TempDir(), "dump1m.pcap")
	bigCaptureSize := writeDumpCapture(b, bigCapturePath, bigFlows)
	for _, mode := range []struct{ name, opt string }{
		{"text", "extended,id"},
		{"json", "json"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(bigCaptureSize)
			b.ReportAllocs()
			runtime.GC()
			var peak uint64
			stop := sampleHeap(&peak)
			for b.Loop() {
				if status := run([]string{"decode", "-o", mode.opt, bigCapturePath}, nil, io.Discard, io.Discard); status != 0 {
					b.Fatalf("status %d", status)
				}
			}
			stop()
			b.ReportMetric(float64(bigFlows)*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest HeapInuse seen every 10 ms until stop is
// called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// TestDumpCaptureDecodes checks the benchmark's generator: a small
// generated dump decodes to one line per flow, all distinct.
func TestDumpCaptureDecodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dump.pcap")
	writeDumpCapture(t, path, 1000)
	out, errOut, status := runCmd(t, nil, "decode", "-o", "extended,id", path)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	lines := bytes.Split(bytes.TrimSuffix([]byte(out), []byte("\n")), []byte("\n"))
	if len(lines) != 1001 || !bytes.HasPrefix(lines[1000], []byte("# done")) {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	seen := map[string]bool{}
	for _, l := range lines[:1000] {
		if seen[string(l)] {
			t.Fatalf("duplicate line %q", l)
		}
		seen[string(l)] = true
	}
}
