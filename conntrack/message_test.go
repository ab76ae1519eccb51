package conntrack

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

// mLiveDatagram is one datagram of a recording in testdata/live.
type mLiveDatagram struct {
	Dir  string
	Data []byte
}

// mReadLive reads recording name (format ctwire-live-raw-1, see
// testdata/live/README.md).
func mReadLive(t testing.TB, name string) []mLiveDatagram {
	t.Helper()
	dir := filepath.Join("..", "testdata", "live")
	bin, err := os.ReadFile(filepath.Join(dir, name+".bin"))
	if err != nil {
		t.Skipf("recording %s: %v", name, err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ix struct {
		ByteOrder string `json:"byte_order"`
		Records   []struct {
			Dir    string `json:"dir"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
		} `json:"records"`
	}
	if err := json.Unmarshal(idx, &ix); err != nil {
		t.Fatal(err)
	}
	if ix.ByteOrder != "little" || !mLittleEndian {
		t.Skip("recording and host byte order differ")
	}
	var out []mLiveDatagram
	for _, r := range ix.Records {
		out = append(out, mLiveDatagram{Dir: r.Dir, Data: bin[r.Offset : r.Offset+r.Length]})
	}
	return out
}

var mLiveNames = []string{"ack", "dump", "dump-ipv6", "dying", "error-enoent", "error-extack",
	"events", "exp-dump", "exp-stats-cpu", "get", "stats-cpu", "stats"}

// TestLiveRoundTrip decodes every message of every recording into a
// Record and re-encodes it: the bytes must come back unchanged.
func TestLiveRoundTrip(t *testing.T) {
	for _, name := range mLiveNames {
		t.Run(name, func(t *testing.T) {
			kinds := map[Kind]int{}
			for i, dg := range mReadLive(t, name) {
				p := codec.NewParser(dg.Data, nla.HostOrder)
				for p.Next() {
					m := p.Message()
					var r Record
					if err := (Decoder{Keep: true}).Decode(m, &r); err != nil {
						if name == "error-extack" && dg.Dir == "out" && errors.Is(err, nla.ErrSize) {
							continue // the deliberately malformed request (2-byte CTA_TIMEOUT)
						}
						t.Fatalf("datagram %d offset %d: %v", i, m.Offset, err)
					}
					kinds[r.Kind]++
					if want := m.Header.Flags&codec.FlagRequest != 0; want != (dg.Dir == "out") {
						t.Errorf("datagram %d: REQUEST flag %v on a %q datagram", i, want, dg.Dir)
					}
					got, err := r.AppendBinary(nil)
					if err != nil {
						t.Fatalf("datagram %d offset %d: encode: %v", i, m.Offset, err)
					}
					want := dg.Data[m.Offset : m.Offset+int(m.Header.Len)]
					if diff := cmp.Diff(want, got[:min(len(got), int(m.Header.Len))]); diff != "" || codec.Align(len(want)) != len(got) {
						t.Errorf("datagram %d offset %d kind %v: re-encoding differs (-want +got):\n%s", i, m.Offset, r.Kind, diff)
					}
				}
				if err := p.Err(); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("kinds: %v", kinds)
		})
	}
}

// TestLiveKinds checks the classification of the recorded exchanges.
func TestLiveKinds(t *testing.T) {
	tests := []struct {
		name  string
		kinds []Kind // in order, one per message
		ops   []Op   // of the requests, in order
	}{
		{"get", []Kind{KindRequest, KindFlow, KindAck}, []Op{OpGet}},
		{"stats", []Kind{KindRequest, KindStatsGlobal, KindAck}, []Op{OpStats}},
		{"stats-cpu", []Kind{KindRequest, KindStatsCPU, KindStatsCPU, KindDone}, []Op{OpStatsCPU}},
		{"exp-stats-cpu", []Kind{KindRequest, KindStatsExp, KindStatsExp, KindDone}, []Op{OpExpStatsCPU}},
		{"exp-dump", []Kind{KindRequest, KindExpect, KindExpect, KindExpect, KindExpect, KindDone}, []Op{OpExpDump}},
		{"dying", []Kind{KindRequest, KindDone}, []Op{OpDumpDying}},
		{"error-enoent", []Kind{KindRequest, KindError}, []Op{OpGet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kinds []Kind
			var ops []Op
			for _, dg := range mReadLive(t, tt.name) {
				for m, err := range codec.Messages(dg.Data, nla.HostOrder) {
					if err != nil {
						t.Fatal(err)
					}
					var r Record
					if err := (Decoder{}).Decode(m, &r); err != nil {
						t.Fatal(err)
					}
					kinds = append(kinds, r.Kind)
					if r.Kind == KindRequest {
						ops = append(ops, r.Op)
					}
				}
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ops, ops); diff != "" {
				t.Errorf("ops (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLiveEvents checks that the event recording holds new, update and
// destroy events of flows and expectations, and that their kinds follow
// the header rules.
func TestLiveEvents(t *testing.T) {
	seen := map[string]int{}
	for _, dg := range mReadLive(t, "events") {
		for m, err := range codec.Messages(dg.Data, nla.HostOrder) {
			if err != nil {
				t.Fatal(err)
			}
			var r Record
			if err := (Decoder{}).Decode(m, &r); err != nil {
				t.Fatal(err)
			}
			if !(r.Kind == KindEvent || r.Kind == KindExpectEvent) {
				continue
			}
			seen[r.Kind.String()+"/"+r.Event.String()]++
			if m.Header.Seq != 0 {
				t.Errorf("event with seq %d", m.Header.Seq)
			}
			switch {
			case r.Event == EventNew && m.Header.Flags != 0x600,
				r.Event == EventUpdate && m.Header.Flags != 0,
				r.Event == EventDestroy && m.Header.Flags != 0:
				t.Errorf("%v event with flags %#x", r.Event, m.Header.Flags)
			}
			if r.Kind == KindEvent && r.Event == EventDestroy && MessageType(m.Header.Type) != MsgCTDelete {
				t.Errorf("destroy event of type %v", MessageType(m.Header.Type))
			}
		}
	}
	t.Logf("events: %v", seen)
	for _, k := range []string{"event/NEW", "event/UPDATE", "event/DESTROY"} {
		if seen[k] == 0 {
			t.Errorf("no %s in the recording", k)
		}
	}
}

// TestLiveErrors checks the kernel errors of the recordings.
func TestLiveErrors(t *testing.T) {
	for _, name := range []string{"error-enoent", "error-extack"} {
		var found bool
		for _, dg := range mReadLive(t, name) {
			for m, err := range codec.Messages(dg.Data, nla.HostOrder) {
				if err != nil {
					t.Fatal(err)
				}
				var r Record
				if err := (Decoder{}).Decode(m, &r); err != nil {
					if dg.Dir == "out" {
						continue
					}
					t.Fatal(err)
				}
				if r.Kind != KindError {
					continue
				}
				found = true
				if e := r.Err(); e == nil || !errors.Is(e, r.Error.Errno) || r.Error.Errno == 0 {
					t.Errorf("%s: Err() = %v", name, e)
				}
				t.Logf("%s: %v", name, r.Err())
			}
		}
		if !found {
			t.Errorf("%s: no error message", name)
		}
	}
}

func TestClassifyHeaders(t *testing.T) {
	msg := func(typ, flags uint16) codec.Message {
		return codec.Message{Header: codec.Header{Type: typ, Flags: flags}, Payload: make([]byte, 4), Data: []byte{}}
	}
	tests := []struct {
		typ, flags uint16
		kind       Kind
		event      EventKind
	}{
		{0x0100, 0x0002, KindFlow, 0},
		{0x0100, 0x0022, KindFlow, 0}, // filtered dump
		{0x0100, 0x0600, KindEvent, EventNew},
		{0x0100, 0x0400, KindEvent, EventNew},
		{0x0100, 0x0000, KindEvent, EventUpdate},
		{0x0102, 0x0000, KindEvent, EventDestroy},
		{0x0102, 0x0002, KindEvent, EventDestroy},
		{0x0200, 0x0002, KindExpect, 0},
		{0x0200, 0x0600, KindExpectEvent, EventNew},
		{0x0202, 0x0000, KindExpectEvent, EventDestroy},
		{0x0103, 0x0002, KindStatsExp, 0},
		{0x0203, 0x0002, KindStatsExp, 0},
		{0x0103, 0x0001, KindRequest, 0}, // CTRZERO request
		{0x0103, 0x0301, KindRequest, 0},
		{0x0104, 0x0002, KindStatsCPU, 0},
		{0x0105, 0x0002, KindStatsGlobal, 0},
		{0x0101, 0x0002, KindUnknown, 0}, // the kernel never sends GET
		{0x0108, 0x0001, KindUnknown, 0},
		{0x0204, 0x0001, KindUnknown, 0},
		{0x0300, 0x0001, KindUnknown, 0},
		{0x0003, 0x0002, KindDone, 0},
		{0x0001, 0x0000, KindControl, 0},
		{0x0004, 0x0000, KindControl, 0},
	}
	for _, tt := range tests {
		m := msg(tt.typ, tt.flags)
		if k := Classify(m); k != tt.kind {
			t.Errorf("Classify(type %#04x flags %#04x) = %v, want %v", tt.typ, tt.flags, k, tt.kind)
		}
		if e := EventOf(m); e != tt.event {
			t.Errorf("EventOf(type %#04x flags %#04x) = %v, want %v", tt.typ, tt.flags, e, tt.event)
		}
	}
	ack := codec.Message{Header: codec.Header{Type: 2}, Payload: make([]byte, 20)}
	if k := Classify(ack); k != KindAck {
		t.Errorf("ack: %v", k)
	}
	ack.Payload[0] = 0xfe
	if k := Classify(ack); k != KindError {
		t.Errorf("error: %v", k)
	}
}
