package nlsock_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

var t0 = time.Date(2026, 11, 27, 6, 0, 0, 123456789, time.UTC)

func TestRawRoundTrip(t *testing.T) {
	dir := t.TempDir()
	recs := []nlsock.Record{
		{Time: t0, Dir: nlsock.DirOut, Data: []byte{20, 0, 0, 0, 1, 1, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{Time: t0.Add(time.Microsecond), Dir: nlsock.DirIn, Data: []byte{20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0}},
	}
	if err := nlsock.WriteRaw(dir, "x", "two datagrams", recs); err != nil {
		t.Fatal(err)
	}
	bin, _ := os.ReadFile(filepath.Join(dir, "x.bin"))
	if len(bin) != 40 {
		t.Errorf("x.bin is %d bytes, want the two datagrams back to back (40)", len(bin))
	}
	js, _ := os.ReadFile(filepath.Join(dir, "x.json"))
	for _, want := range []string{`"format": "ctwire-live-raw-1"`, `"protocol": 12`, `"dir": "out"`, `"dir": "in"`,
		`"time": "2026-11-27T06:00:00.123456789Z"`, `"offset": 20`, `"length": 20`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("x.json lacks %s:\n%s", want, js)
		}
	}
	got, idx, err := nlsock.ReadRaw(dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	if idx.Comment != "two datagrams" {
		t.Errorf("comment %q", idx.Comment)
	}
	if diff := cmp.Diff(recs, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestRawIndexMismatch(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		bin        []byte
	}{
		{"trailing bytes", `{"format":"ctwire-live-raw-1","records":[{"dir":"in","offset":0,"length":2}]}`, []byte{1, 2, 3}},
		{"gap", `{"format":"ctwire-live-raw-1","records":[{"dir":"in","offset":1,"length":2}]}`, []byte{1, 2, 3}},
		{"past the end", `{"format":"ctwire-live-raw-1","records":[{"dir":"in","offset":0,"length":9}]}`, []byte{1, 2, 3}},
		{"negative", `{"format":"ctwire-live-raw-1","records":[{"dir":"in","offset":0,"length":-1}]}`, []byte{1}},
		{"format", `{"format":"other","records":[]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "x.json"), []byte(tc.json), 0o644)
			os.WriteFile(filepath.Join(dir, "x.bin"), tc.bin, 0o644)
			if _, _, err := nlsock.ReadRaw(dir, "x"); !errors.Is(err, nlsock.ErrIndex) {
				t.Errorf("ReadRaw: %v, want ErrIndex", err)
			}
		})
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"format":"ctwire-live-raw-1","records":[{"dir":"sideways"}]}`), 0o644)
	if _, _, err := nlsock.ReadRaw(dir, "x"); err == nil {
		t.Error("ReadRaw accepted direction \"sideways\"")
	}
}

func TestDirText(t *testing.T) {
	for _, d := range []nlsock.Dir{nlsock.DirOut, nlsock.DirIn} {
		b, err := d.MarshalText()
		var back nlsock.Dir
		if err != nil || back.UnmarshalText(b) != nil || back != d {
			t.Errorf("%v: text %q, %v; back %v", d, b, err, back)
		}
	}
	if _, err := nlsock.Dir(0).MarshalText(); err == nil {
		t.Error("Dir(0) marshalled")
	}
	if got := nlsock.Dir(9).String(); got != "Dir(9)" {
		t.Errorf("Dir(9).String() = %q", got)
	}
}

// The committed recordings in testdata/live are whole netlink datagrams:
// every byte belongs to a message, requests (and only they) carry
// NLM_F_REQUEST and were sent, and replies answer the request's seq.
func TestLiveRecordings(t *testing.T) {
	const dir = "../../testdata/live"
	names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(names) == 0 {
		t.Skip("no recordings in testdata/live")
	}
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".json")
		t.Run(name, func(t *testing.T) {
			recs, idx, err := nlsock.ReadRaw(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			if idx.Protocol != nlsock.Protocol || idx.ByteOrder != "little" || idx.Comment == "" {
				t.Errorf("index header %+v", idx)
			}
			var seq uint32
			for i, r := range recs {
				if i > 0 && r.Time.Before(recs[i-1].Time) {
					t.Errorf("record %d goes back in time", i)
				}
				n := 0
				for m, err := range codec.Messages(r.Data, nla.LittleEndian) {
					if err != nil {
						t.Fatalf("record %d: %v", i, err)
					}
					n++
					isReq := m.Header.Flags&codec.FlagRequest != 0 && !m.Header.IsControl()
					if isReq != (r.Dir == nlsock.DirOut) {
						t.Errorf("record %d (%v): message %v", i, r.Dir, m.Header)
					}
					switch {
					case isReq:
						seq = m.Header.Seq
					case name != "events" && m.Header.Seq != seq:
						t.Errorf("record %d: reply seq %d to request seq %d", i, m.Header.Seq, seq)
					case name == "events" && m.Header.Seq != 0:
						t.Errorf("record %d: event seq %d", i, m.Header.Seq)
					}
				}
				if n == 0 {
					t.Errorf("record %d holds no message", i)
				}
			}
		})
	}
}
