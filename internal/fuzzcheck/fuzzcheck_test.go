package fuzzcheck

import (
	"fmt"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// fakeTB records a failure instead of stopping the test, to test the
// checks themselves.
type fakeTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
}

var sink []byte

// TestChecks: the allocation check fails a call that allocates by a
// forged length and passes one that does not; the error check refuses
// untyped errors, offsets outside the input and unknown sentinels.
func TestChecks(t *testing.T) {
	f := &fakeTB{TB: t}
	CheckAlloc(f, 100, Budget{PerByte: 16, Const: 4 << 10}, func() { sink = make([]byte, 1<<20) })
	if !f.failed {
		t.Error("a 1 MiB allocation for 100 bytes passed")
	}
	f = &fakeTB{TB: t}
	b := nla.AppendBytes(nil, 1, []byte{1, 2, 3, 4})
	CheckAlloc(f, len(b), Budget{Const: 0}, func() {
		s := nla.NewScanner(b)
		for s.Next() {
		}
	})
	if f.failed {
		t.Errorf("a walk without errors failed: %s", f.msg)
	}
	if got := Allocated(func() { sink = make([]byte, 64<<10) }); got < 64<<10 || got > 80<<10 {
		t.Errorf("Allocated counted %d bytes for 64 KiB", got)
	}

	// An attribute header claiming 2 bytes: shorter than itself.
	s := nla.NewScanner(nla.HostOrder.AppendUint16(nla.HostOrder.AppendUint16(nil, 2), 1))
	s.Next()
	for _, tc := range []struct {
		err    error
		lo, hi int64
		fail   bool
	}{
		{s.Err(), 0, 4, false},
		{s.Err(), 1, 4, true},
		{fmt.Errorf("plain"), 0, 4, true},
		{&codec.Error{Offset: 3, Err: fmt.Errorf("other")}, 0, 4, true},
		{&codec.Error{Offset: 3, Err: codec.ErrShort}, 0, 4, false},
		{&conntrack.Error{Offset: 9, Err: nla.ErrSize}, 0, 4, true},
	} {
		f := &fakeTB{TB: t}
		CheckError(f, tc.err, tc.lo, tc.hi)
		if f.failed != tc.fail {
			t.Errorf("CheckError(%v, %d, %d): failed %v (%s)", tc.err, tc.lo, tc.hi, f.failed, f.msg)
		}
	}
}
