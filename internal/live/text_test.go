package live_test

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// TestLiveExpectText compares the text of B's expectations, of its
// statistics and of expectation events with what conntrack(8) prints in
// the same namespace: `conntrack -L expect`, `-S`, `-S expect`, `-C` and
// `-E expect`, byte for byte.
func TestLiveExpectText(t *testing.T) {
	netns.RequireTool(t, "conntrack")
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	ev := events(t, tb.B)
	c := open(t, tb.B, nlsock.Options{})

	// conntrack -E expect, started before the FTP exchanges create the
	// expectations.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cliEvents bytes.Buffer
	watch := exec.CommandContext(ctx, "ip", "netns", "exec", tb.B.Name, "conntrack", "-E", "expect")
	watch.Stdout = &cliEvents
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	// Let it subscribe: wait (bounded) until a second NETLINK_NETFILTER
	// socket of the namespace (ours is the first) has joined groups.
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, _ := tb.B.Exec("cat", "/proc/net/netlink")
		n := 0
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) > 3 && f[1] == "12" && strings.Trim(f[3], "0") != "" {
				n++
			}
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conntrack -E expect did not subscribe within 10 s:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}

	t.Run("events", func(t *testing.T) {
		recs, err := ev.Events(0, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range recs {
			if recs[i].Kind == conntrack.KindExpectEvent {
				got = append(got, string(recs[i].Expect.AppendText(nil, recs[i].Event)))
			}
		}
		cancel()
		watch.Wait()
		want := lines(cliEvents.String())
		if len(got) < 4 || !slices.Equal(got, want) {
			t.Errorf("ctwire:\n%s\nconntrack -E expect:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("list", func(t *testing.T) {
		// The timeouts tick between the two listings: retry until both
		// fall within the same second.
		var got, want []string
		for try := 0; try < 5; try++ {
			want = cli(t, tb.B, "conntrack -L expect -f ipv4; conntrack -L expect -f ipv6")
			got = got[:0]
			for _, fam := range []conntrack.Family{conntrack.FamilyIPv4, conntrack.FamilyIPv6} {
				es, err := c.Expects(conntrack.ExpDumpRequest(0, fam))
				if err != nil {
					t.Fatal(err)
				}
				for i := range es {
					got = append(got, string(es[i].AppendText(nil, 0)))
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if len(got) >= 4 && slices.Equal(got, want) {
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Errorf("ctwire:\n%s\nconntrack -L expect:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	})

	t.Run("stats", func(t *testing.T) {
		for _, tc := range []struct {
			cmd  string
			req  conntrack.Request
			kind conntrack.Kind
		}{
			{"conntrack -S", conntrack.StatsCPURequest(0), conntrack.KindStatsCPU},
			{"conntrack -S expect", conntrack.ExpStatsCPURequest(0), conntrack.KindStatsExp},
			{"conntrack -C", conntrack.StatsRequest(0), conntrack.KindStatsGlobal},
		} {
			want := cli(t, tb.B, tc.cmd)
			recs, err := c.Do(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range recs {
				r := &recs[i]
				switch {
				case r.Kind != tc.kind:
				case r.Kind == conntrack.KindStatsCPU:
					got = append(got, string(r.StatsCPU.AppendText(nil)))
				case r.Kind == conntrack.KindStatsExp:
					got = append(got, string(r.StatsExp.AppendText(nil)))
				default:
					got = append(got, string(r.StatsGlobal.AppendText(nil)))
				}
			}
			if len(got) == 0 || !slices.Equal(got, want) {
				t.Errorf("ctwire:\n%q\n%s:\n%q", got, tc.cmd, want)
			}
		}
	})
}

// cli runs a shell command in ns and returns its output lines.
func cli(t *testing.T, ns *netns.NS, cmd string) []string {
	t.Helper()
	out, err := ns.Exec("sh", "-c", cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return lines(string(out))
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
