//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// liveTestbed builds the two-namespace testbed with its traffic, FTP
// exchange and a few entries created with conntrack(8) (marks, zones,
// every protocol), skipping when that is impossible here.
func liveTestbed(t *testing.T) *netns.Testbed {
	t.Helper()
	netns.RequireTool(t, "conntrack")
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-p", "udp", "-s", "198.51.100.1", "-d", "198.51.100.2", "--sport", "1000", "--dport", "53", "-m", "17", "-t", "500"},
		{"-p", "tcp", "-s", "198.51.100.1", "-d", "198.51.100.3", "--sport", "1001", "--dport", "443", "--state", "ESTABLISHED", "-m", "0x1ff", "-w", "9", "-t", "500", "-u", "SEEN_REPLY,ASSURED"},
		{"-p", "sctp", "-s", "2001:db8:9::1", "-d", "2001:db8:9::2", "--sport", "1002", "--dport", "3868", "--state", "ESTABLISHED", "--orig-vtag", "1", "--reply-vtag", "2", "-t", "500"},
		{"-p", "icmp", "-s", "198.51.100.1", "-d", "198.51.100.9", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "42", "-t", "500"},
		{"-p", "udplite", "-s", "198.51.100.4", "-d", "198.51.100.5", "--sport", "7", "--dport", "8", "-t", "500", "-w", "9"},
	} {
		if _, err := tb.B.Exec(append([]string{"conntrack", "-I"}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // let delayed ACKs settle
	return tb
}

// ctwire runs one live subcommand in-process.
func ctwire(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var o, e bytes.Buffer
	status = runLive(args[0], args[1:], &o, &e)
	return o.String(), e.String(), status
}

var (
	timeoutCol = regexp.MustCompile(`^((?:ipv[46] +\d+ )?\S+ +\d+ )\d+ `)
	deltaCol   = regexp.MustCompile(` delta-time=\d+`)
)

// normalize blanks the two columns that tick between two reads: the
// remaining timeout and delta-time.
func normalize(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		l = timeoutCol.ReplaceAllString(l, "${1}T ")
		b.WriteString(deltaCol.ReplaceAllString(l, " delta-time=D"))
	}
	return b.String()
}

// compareWithConntrack lists the table with ctwire dump and conntrack -L
// under the same options and filters until two reads agree exactly (at
// most 5 tries); failing that the timeout and delta-time columns are
// normalised and the rest must agree. Summaries must give the same count.
func compareWithConntrack(t *testing.T, ns *netns.NS, args ...string) {
	t.Helper()
	var ours, theirs string
	for try := 0; try < 5; try++ {
		var errOut string
		var status int
		ours, errOut, status = ctwire(t, append([]string{"dump", "-n", ns.Name}, args...)...)
		if status != 0 {
			t.Fatalf("ctwire dump %v: status %d: %s", args, status, errOut)
		}
		out, err := ns.Exec(append([]string{"conntrack", "-L"}, args...)...)
		if err != nil {
			t.Fatalf("conntrack -L %v: %v", args, err)
		}
		theirs = string(out)
		n := strings.Count(ours, "\n")
		if want := fmt.Sprintf("ctwire: %d flow entries have been shown.\n", n); errOut != want {
			t.Errorf("summary %q, want %q", errOut, want)
		}
		if ours == theirs {
			t.Logf("ctwire dump %s: %d lines identical to conntrack -L", strings.Join(args, " "), n)
			return
		}
	}
	if normalize(ours) != normalize(theirs) {
		t.Errorf("ctwire dump %v differs from conntrack -L:\nctwire:\n%s\nconntrack:\n%s", args, ours, theirs)
		return
	}
	t.Logf("ctwire dump %s: identical to conntrack -L once timeout and delta-time are normalised", strings.Join(args, " "))
}

// TestLiveDumpMatchesConntrack is the referee: in the same namespace,
// ctwire dump and conntrack -L print the same lines under each output
// option and each filter.
func TestLiveDumpMatchesConntrack(t *testing.T) {
	tb := liveTestbed(t)
	for _, args := range [][]string{
		nil,
		{"-o", "extended"},
		{"-o", "id"},
		{"-o", "extended,id"},
		{"-o", "ktimestamp"},
		{"-o", "extended,id,ktimestamp"},
		{"-f", "ipv6"},
		{"-f", "ipv4", "-o", "extended"},
		{"-p", "tcp"},
		{"-p", "udp", "-f", "ipv4"},
		{"-p", "tcp", "--dport", "21"},
		{"-s", tb.A4.String()},
		{"-d", tb.B6.String(), "-o", "id"},
		{"-r", tb.B4Alt.String()},
		{"-q", tb.A6.String()},
		{"-m", "17"},
		{"-m", "0xff/0xff"},
		{"-w", "9"},
		{"-u", "ASSURED"},
		{"-u", "SEEN_REPLY,ASSURED", "-f", "ipv4"},
	} {
		compareWithConntrack(t, tb.B, args...)
	}
}

// TestLiveStatsMatchesConntrack compares ctwire stats with conntrack -S
// (per-CPU lines) and conntrack -C (the global count).
func TestLiveStatsMatchesConntrack(t *testing.T) {
	tb := liveTestbed(t)
	out, errOut, status := ctwire(t, "stats", "-n", tb.B.Name)
	if status != 0 {
		t.Fatalf("ctwire stats: %d %s", status, errOut)
	}
	cpu, err := tb.B.Exec("conntrack", "-S")
	if err != nil {
		t.Fatal(err)
	}
	count, err := tb.B.Exec("conntrack", "-C")
	if err != nil {
		t.Fatal(err)
	}
	want := string(cpu) + "entries=" + strings.TrimSpace(string(count)) + " max_entries="
	if !strings.HasPrefix(out, want) {
		t.Errorf("ctwire stats:\n%s\nwant it to start with:\n%s", out, want)
	}
	t.Logf("ctwire stats:\n%s", out)
}

// TestLiveRecord records a dump as pcapng and reads it back: the request
// goes to the kernel, the flows and NLMSG_DONE come from it.
func TestLiveRecord(t *testing.T) {
	tb := liveTestbed(t)
	file := filepath.Join(t.TempDir(), "dump.pcapng")
	out, errOut, status := ctwire(t, "record", file, "--", "dump", "-n", tb.B.Name, "-f", "ipv4")
	if status != 0 {
		t.Fatalf("ctwire record: %d %s", status, errOut)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []capture.Direction
	flows, done := 0, 0
	for {
		dg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if dg.Family != capture.FamilyNetfilter || dg.LinkType != capture.LinkTypeNetlink {
			t.Errorf("datagram %d: family %d link type %v", dg.Index, dg.Family, dg.LinkType)
		}
		dirs = append(dirs, dg.Direction)
		for m, err := range dg.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case m.Header.Type == codec.TypeDone:
				done++
			case m.Header.Type == 0x0100 && m.Header.Flags&codec.FlagMulti != 0:
				flows++
			}
		}
	}
	if len(dirs) < 2 || dirs[0] != capture.ToKernel || dirs[len(dirs)-1] != capture.FromKernel {
		t.Errorf("directions %v: want the request first, replies after", dirs)
	}
	if n := strings.Count(out, "\n"); flows != n || done != 1 {
		t.Errorf("capture holds %d flows and %d DONE; the dump printed %d lines", flows, done, n)
	}
	t.Logf("%d datagrams recorded: %d flows, DONE; stderr %q", len(dirs), flows, errOut)
}

// TestLiveWatch watches events while conntrack(8) creates, updates and
// deletes an entry, and checks the three event lines.
func TestLiveWatch(t *testing.T) {
	netns.RequireTool(t, "conntrack")
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	var wg sync.WaitGroup
	var out, errOut string
	var status int
	wg.Add(1)
	go func() {
		defer wg.Done()
		out, errOut, status = ctwire(t, "watch", "-n", ns.Name, "-c", "3", "-o", "id")
	}()
	time.Sleep(300 * time.Millisecond) // let the watcher subscribe
	tuple := []string{"-p", "udp", "-s", "198.51.100.1", "-d", "198.51.100.2", "--sport", "1", "--dport", "2"}
	for _, op := range [][]string{{"-I", "-t", "100"}, {"-U", "-m", "7"}, {"-D"}} {
		if _, err := ns.Exec(append(append([]string{"conntrack"}, op...), tuple...)...); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ctwire watch did not stop after 3 events")
	}
	if status != 0 || errOut != "ctwire: 3 flow events have been shown.\n" {
		t.Errorf("status %d, stderr %q", status, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// The NEW event's timeout is the one given, or a second less when a
	// jiffy passed between the create and the event (a loaded machine).
	want := []*regexp.Regexp{
		regexp.MustCompile(`^    \[NEW\] udp      17 (?:99|100) src=198\.51\.100\.1 dst=198\.51\.100\.2 sport=1 dport=2 \[UNREPLIED\] src=198\.51\.100\.2 dst=198\.51\.100\.1 sport=2 dport=1 mark=0 id=(\d+) \[USERSPACE\] portid=\d+$`),
		regexp.MustCompile(`^ \[UPDATE\] udp      17 \d+ src=198\.51\.100\.1 .* mark=7 id=\d+ \[USERSPACE\] portid=\d+$`),
		regexp.MustCompile(`^\[DESTROY\] udp      17 \d+ src=198\.51\.100\.1 dst=198\.51\.100\.2 sport=1 dport=2 \[UNREPLIED\] .* id=\d+ \[USERSPACE\] portid=\d+$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("watch printed %d lines:\n%s", len(lines), out)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("event %d: %q does not match %s", i, lines[i], re)
		}
	}
	t.Logf("ctwire watch:\n%s", out)
}

// TestLiveDumpJSON checks that -o json prints one JSON object per flow,
// as many as the text dump has lines.
func TestLiveDumpJSON(t *testing.T) {
	tb := liveTestbed(t)
	text, _, status := ctwire(t, "dump", "-n", tb.B.Name, "-f", "ipv4")
	js, errOut, status2 := ctwire(t, "dump", "-n", tb.B.Name, "-f", "ipv4", "-o", "json")
	if status != 0 || status2 != 0 {
		t.Fatalf("status %d, %d: %s", status, status2, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(js, "\n"), "\n")
	if len(lines) != strings.Count(text, "\n") {
		t.Fatalf("%d JSON lines for %d text lines", len(lines), strings.Count(text, "\n"))
	}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
	}
	t.Logf("%d JSON objects, e.g. %s", len(lines), lines[0])
}
