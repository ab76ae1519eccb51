package ctmini_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/ctmini"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

const live = "../../testdata/live"

// The recorded dump and conntrack(8)'s listing of the same moment agree
// on every entry's id, counters and helper. This runs offline, on any
// host byte order.
func TestDumpMatchesConntrackText(t *testing.T) {
	recs, _, err := nlsock.ReadRaw(live, "dump")
	if err != nil {
		t.Skip(err)
	}
	text, err := os.ReadFile(live + "/dump.conntrack.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		for m, err := range codec.Messages(r.Data, nla.LittleEndian) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.IsControl() {
				continue
			}
			f, err := ctmini.ParseFlow(m)
			if err != nil {
				t.Fatal(err)
			}
			got[fmt.Sprint(f.ID)] = fmt.Sprintf("packets=%d bytes=%d packets=%d bytes=%d helper=%s",
				f.Counters[0].Packets, f.Counters[0].Bytes, f.Counters[1].Packets, f.Counters[1].Bytes, f.Helper)
		}
	}
	want := map[string]string{}
	counters := regexp.MustCompile(`packets=\d+ bytes=\d+`)
	helper := regexp.MustCompile(`helper=(\S+)`)
	ids := regexp.MustCompile(` id=(\d+)`)
	for _, l := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		id := ids.FindAllStringSubmatch(l, -1)
		c := counters.FindAllString(l, -1)
		if len(id) == 0 || len(c) != 2 {
			t.Fatalf("unexpected line %q", l)
		}
		h := ""
		if m := helper.FindStringSubmatch(l); m != nil {
			h = m[1]
		}
		want[id[len(id)-1][1]] = c[0] + " " + c[1] + " helper=" + h
	}
	if len(want) < 10 {
		t.Fatalf("only %d entries in dump.conntrack.txt", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conntrack -L vs recorded dump (-text +dump):\n%s", diff)
	}
}

// The recorded expectation dump holds the four ftp expectations.
func TestExpectationRecording(t *testing.T) {
	recs, _, err := nlsock.ReadRaw(live, "exp-dump")
	if err != nil {
		t.Skip(err)
	}
	var lines []string
	for _, r := range recs[1:] {
		for m, err := range codec.Messages(r.Data, nla.LittleEndian) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.IsControl() {
				continue
			}
			e, err := ctmini.ParseExpect(m)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%d %s %v %v dport=%d", e.Family, e.Helper, e.Tuple.Src, e.Tuple.Dst, e.Tuple.DstPort))
		}
	}
	want := []string{
		"2 ftp 192.0.2.1 192.0.2.2 dport=10000",      // PASV: client to server
		"2 ftp 192.0.2.2 192.0.2.1 dport=10001",      // PORT: server to client
		"10 ftp 2001:db8::1 2001:db8::2 dport=10002", // EPSV
		"10 ftp 2001:db8::2 2001:db8::1 dport=10003", // EPRT
	}
	if diff := cmp.Diff(want, lines, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("expectations (-want +got):\n%s", diff)
	}
}
