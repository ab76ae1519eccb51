package conntrack

import (
	"slices"
	"strings"
	"testing"
)

// TestStatsTextRecorded prints the recorded stats replies and compares
// them with `conntrack -S` and `conntrack -C`, taken right after.
func TestStatsTextRecorded(t *testing.T) {
	var got []string
	for _, r := range liveRecords(t, "stats-cpu") {
		if r.Kind == KindStatsCPU {
			got = append(got, string(r.StatsCPU.AppendText(nil)))
		}
	}
	if want := liveText(t, "stats-cpu"); !slices.Equal(got, want) {
		t.Errorf("ctwire:\n%q\nconntrack -S:\n%q", got, want)
	}
	got = got[:0]
	for _, r := range liveRecords(t, "stats") {
		if r.Kind == KindStatsGlobal {
			got = append(got, string(r.StatsGlobal.AppendText(nil)))
		}
	}
	if want := liveText(t, "stats"); !slices.Equal(got, want) {
		t.Errorf("ctwire: %q, conntrack -C: %q", got, want)
	}
	got = got[:0]
	for _, r := range liveRecords(t, "exp-stats-cpu") {
		if r.Kind == KindStatsExp {
			got = append(got, string(r.StatsExp.AppendText(nil)))
		}
	}
	if len(got) == 0 {
		t.Fatal("no expectation statistics in exp-stats-cpu")
	}
	for _, l := range got {
		if !strings.HasPrefix(l, "cpu=") || !strings.Contains(l, "\texpect_new=") || !strings.HasSuffix(l, " ") {
			t.Errorf("conntrack -S expect line %q", l)
		}
	}
}

func TestStatsText(t *testing.T) {
	var c StatsCPU
	c.CPU = 12
	c.Searched, c.Found, c.ChainTooLong = 1, 2, 4294967295
	c.Present = Attrs(StatsCPUAttrSearched, StatsCPUAttrFound, StatsCPUAttrChainTooLong)
	if got, want := string(c.AppendText(nil)), "cpu=12  \tsearched=1 found=2 chaintoolong=4294967295 "; got != want {
		t.Errorf("StatsCPU: %q, want %q", got, want)
	}
	c = StatsCPU{CPU: 12345}
	if got, want := string(c.AppendText(nil)), "cpu=12345\t"; got != want {
		t.Errorf("StatsCPU without counters: %q, want %q", got, want)
	}

	x := StatsExp{CPU: 3, New: 1, Create: 2, Delete: 3}
	x.Present.Add(StatsExpAttrNew)
	x.Present.Add(StatsExpAttrDelete)
	if got, want := string(x.AppendText(nil)), "cpu=3   \texpect_new=1 expect_delete=3 "; got != want {
		t.Errorf("StatsExp: %q, want %q", got, want)
	}

	g := StatsGlobal{Entries: 18, MaxEntries: 262144}
	if got := string(g.AppendText(nil)); got != "" {
		t.Errorf("StatsGlobal without ENTRIES: %q, want nothing", got)
	}
	g.Present.Add(StatsGlobalAttrEntries)
	if got, want := string(g.AppendText(nil)), "18"; got != want {
		t.Errorf("StatsGlobal: %q, want %q", got, want)
	}
	g.Entries = 1 << 31 // printf "%d" of the u32
	if got, want := string(g.AppendText(nil)), "-2147483648"; got != want {
		t.Errorf("StatsGlobal: %q, want %q", got, want)
	}
}
