package live_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// TestLiveStats reads the per-CPU and global conntrack statistics and the
// per-CPU expectation statistics of a namespace holding a known number
// of entries.
func TestLiveStats(t *testing.T) {
	_, c := liveNS(t)
	n := len(filterTable(t, c))

	recs, err := c.Do(conntrack.StatsCPURequest(0))
	if err != nil {
		t.Fatal(err)
	}
	cpus := map[uint16]bool{}
	for _, r := range recs {
		if r.Kind != conntrack.KindStatsCPU {
			t.Fatalf("stats-cpu reply of kind %s", r.Kind)
		}
		if cpus[r.StatsCPU.CPU] {
			t.Errorf("cpu %d reported twice", r.StatsCPU.CPU)
		}
		cpus[r.StatsCPU.CPU] = true
		if !r.StatsCPU.Present.Has(conntrack.StatsCPUAttrFound) || !r.StatsCPU.Present.Has(conntrack.StatsCPUAttrChainTooLong) {
			t.Errorf("cpu %d: counters present %#x", r.StatsCPU.CPU, r.StatsCPU.Present)
		}
	}
	if len(cpus) == 0 {
		t.Fatal("no per-CPU statistics")
	}
	t.Logf("per-CPU statistics for %d CPUs", len(cpus))

	recs, err = c.Do(conntrack.StatsRequest(0))
	if err != nil || len(recs) != 1 || recs[0].Kind != conntrack.KindStatsGlobal {
		t.Fatalf("stats: %d records, %v", len(recs), err)
	}
	g := recs[0].StatsGlobal
	if g.Entries != uint32(n) || g.MaxEntries == 0 {
		t.Errorf("global stats: %d entries (want %d), max %d", g.Entries, n, g.MaxEntries)
	} else {
		t.Logf("global statistics: %d entries, max %d", g.Entries, g.MaxEntries)
	}

	recs, err = c.Do(conntrack.ExpStatsCPURequest(0))
	if err != nil || len(recs) != len(cpus) {
		t.Fatalf("exp-stats-cpu: %d records for %d CPUs, %v", len(recs), len(cpus), err)
	}
	for _, r := range recs {
		if r.Kind != conntrack.KindStatsExp {
			t.Errorf("exp-stats-cpu reply of kind %s", r.Kind)
		}
	}

	// Dying and unconfirmed lists answer only dumps.
	r := conntrack.DyingRequest(0)
	r.Flags = codec.FlagRequest | codec.FlagAck
	_, err = c.Do(r)
	var ke *codec.KernelError
	if !errors.As(err, &ke) || !errors.Is(err, syscall.EOPNOTSUPP) {
		t.Errorf("dying list without NLM_F_DUMP: %v, want EOPNOTSUPP", err)
	}
}
