package conntrack

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// TestLiveFlowBytes: every flow message a real 6.18 kernel sent in the
// recordings of testdata/live decodes, and re-encodes to the very same
// attribute bytes, in the layout of its kind. The recordings are
// little-endian.
func TestLiveFlowBytes(t *testing.T) {
	files := []struct {
		name   string
		layout Layout
	}{
		{"dump.bin", LayoutDump},
		{"dump-ipv6.bin", LayoutDump},
		{"get.bin", LayoutDump},
		{"dying.bin", LayoutDump},
		{"events.bin", LayoutEvent},
	}
	total := 0
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "live", file.name))
		if err != nil {
			t.Skipf("no recording: %v", err)
		}
		n := 0
		for m, err := range codec.Messages(b, nla.LittleEndian) {
			if err != nil {
				t.Fatalf("%s: %v", file.name, err)
			}
			typ := m.Header.Type
			if typ != codec.MsgType(codec.SubsysConntrack, 0) && typ != codec.MsgType(codec.SubsysConntrack, 2) {
				continue
			}
			if m.Header.Flags&codec.FlagRequest != 0 {
				continue // a request, not kernel output
			}
			var f Flow
			if err := (Decoder{Keep: true}).DecodeMessage(m, &f); err != nil {
				t.Fatalf("%s at %d: %v", file.name, m.Offset, err)
			}
			if f.Extra != "" {
				t.Errorf("%s at %d: kept %d unknown attributes", file.name, m.Offset, f.Extra.Len())
			}
			if !bigEndianHost {
				enc, err := f.AppendAttrsLayout(nil, file.layout)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(enc, m.Data) {
					t.Errorf("%s at %d: re-encoding differs\n got %x\nwant %x", file.name, m.Offset, enc, m.Data)
				}
			}
			n++
		}
		t.Logf("%s: %d flow messages", file.name, n)
		total += n
	}
	if total == 0 {
		t.Fatal("no flow messages in the recordings")
	}
}
