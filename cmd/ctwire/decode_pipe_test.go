package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/conntrack"
)

// decodeInOrder decodes a capture one datagram after the other in this
// goroutine, without the pipeline: the reference for its output.
func decodeInOrder(t *testing.T, path string, d *decoder) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f, capture.WithFamily(capture.FamilyNetfilter))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	d.out, d.stderr = &out, io.Discard
	for {
		dg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d.datagram(dg)
	}
	d.flush()
	return out.String()
}

// TestDecodePipelineOrder decodes a capture of many batches through the
// pipeline, to text, to JSON and filtered, and compares with the decode
// in one goroutine: the same lines in the same order.
func TestDecodePipelineOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dump.pcap")
	size := writeDumpCapture(t, path, 10000)
	if size < 8*batchBytes {
		t.Fatalf("capture of %d bytes: fewer than 8 batches", size)
	}
	text, err := conntrack.ParseTextOptions("extended,id")
	if err != nil {
		t.Fatal(err)
	}
	filter, err := newDecodeFilter([]string{"-p", "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		d    *decoder
	}{
		{"text", []string{"decode", "-o", "extended,id", path}, &decoder{text: text}},
		{"json", []string{"decode", "-o", "json", path}, &decoder{json: true, dec: conntrack.Decoder{Keep: true}}},
		{"filtered", []string{"decode", path, "-p", "tcp"}, &decoder{filter: filter}},
	} {
		want := decodeInOrder(t, path, c.d)
		if len(want) == 0 {
			t.Fatalf("%s: no output", c.name)
		}
		// One processor: the reading goroutine decodes every batch;
		// more: batches go to workers too, out of order.
		for _, procs := range []int{1, 2, 5} {
			old := runtime.GOMAXPROCS(procs)
			got, errOut, status := runCmd(t, nil, c.args...)
			runtime.GOMAXPROCS(old)
			if status != 0 {
				t.Fatalf("%s, %d processors: status %d: %s", c.name, procs, status, errOut)
			}
			if got != want {
				t.Errorf("%s, %d processors: pipeline output (%d bytes) differs from the in-order decode (%d bytes)", c.name, procs, len(got), len(want))
			}
		}
	}
}
