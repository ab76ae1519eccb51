package mdglue_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/conntrack"
)

// TestLiveBatch runs 10,000 creates, then 10,000 deletes, each batch in
// one exchange over a mdlayher connection, with refusals mixed in: every
// 2,000th create repeats an earlier one (EEXIST) and every 2,000th delete
// names an entry that never existed (ENOENT). Exactly those requests fail,
// and the table is empty at the end.
func TestLiveBatch(t *testing.T) {
	c := dial(t)
	const n = 10000
	var creates, deletes []conntrack.Request
	want := map[int]bool{}
	for i := range n {
		f := flow(i)
		creates = append(creates, conntrack.CreateRequest(0, &f))
		deletes = append(deletes, conntrack.DeleteRequest(0, f.Orig))
		if i%2000 == 1999 {
			dup := flow(i - 1000)
			want[len(creates)] = true
			creates = append(creates, conntrack.CreateRequest(0, &dup))
			absent := flow(n + i)
			deletes = append(deletes, conntrack.DeleteRequest(0, absent.Orig))
		}
	}
	for _, batch := range []struct {
		reqs  []conntrack.Request
		errno syscall.Errno
	}{{creates, syscall.EEXIST}, {deletes, syscall.ENOENT}} {
		x, _ := run(t, c, batch.reqs...)
		for i := range x.Len() {
			err := x.Result(i)
			if want[i] != (err != nil) || (err != nil && !errors.Is(err, batch.errno)) {
				t.Fatalf("request %d (%v): %v", i, batch.reqs[i].Op, err)
			}
		}
		if x.Refused() != len(want) {
			t.Fatalf("%d refused, want %d", x.Refused(), len(want))
		}
	}
	x, recs := run(t, c, conntrack.DumpRequest(0, 0))
	if x.Err() != nil || len(recs[0]) != 0 {
		t.Fatalf("after the deletes: %d entries, %v", len(recs[0]), x.Err())
	}
}
