package live_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// origOnly returns a flow holding only f's original tuple, the start of
// an update, delete or get.
func origOnly(f conntrack.Flow) conntrack.Flow {
	u := conntrack.Flow{Orig: f.Orig}
	u.Present.Add(conntrack.AttrTupleOrig)
	return u
}

// TestLiveUpdate changes the mark (plain and masked), the timeout, the
// labels (with a mask) and the status of existing entries.
func TestLiveUpdate(t *testing.T) {
	ns, c := liveNS(t)
	if err := ns.Nft(labelRules); err != nil {
		t.Skipf("nft ct label rule: %v", err)
	}
	base := withMark(withStatus(newFlow(tcp(a4, b4, 2001, 80), 300), conntrack.StatusSeenReply), 0x00ff00ff)
	base = withTCPState(base, conntrack.TCPStateEstablished)
	base.Labels.SetBit(1)
	base.Labels.SetBit(2)
	base.Present.Add(conntrack.AttrLabels)
	create(t, c, base)

	update := func(t *testing.T, u conntrack.Flow) error {
		t.Helper()
		_, err := c.Do(conntrack.UpdateRequest(0, &u))
		return err
	}
	t.Run("mark", func(t *testing.T) {
		u := withMark(origOnly(base), 0x1234)
		if err := update(t, u); err != nil {
			t.Fatal(err)
		}
		if got := get(t, c, base.Orig, nil); got.Mark != 0x1234 {
			t.Errorf("mark %#x, want 0x1234", got.Mark)
		}
		// With a mask: new = (old &^ mask) ^ value.
		u = origOnly(base)
		u.Mark, u.MarkMask = 0x0f0000, 0xff0000
		u.Present.Add(conntrack.AttrMark)
		u.Present.Add(conntrack.AttrMarkMask)
		if err := update(t, u); err != nil {
			t.Fatal(err)
		}
		if got := get(t, c, base.Orig, nil); got.Mark != 0x0f1234 {
			t.Errorf("masked mark %#x, want 0x0f1234", got.Mark)
		} else {
			t.Logf("mark 0x1234, then value 0x0f0000 mask 0xff0000: %#x", got.Mark)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		u := origOnly(base)
		u.Timeout = 42
		u.Present.Add(conntrack.AttrTimeout)
		if err := update(t, u); err != nil {
			t.Fatal(err)
		}
		if got := get(t, c, base.Orig, nil); got.Timeout > 42 || got.Timeout < 40 {
			t.Errorf("timeout %d, want 42", got.Timeout)
		}
	})
	t.Run("labels with mask", func(t *testing.T) {
		u := origOnly(base)
		u.Labels.SetBit(3)
		u.LabelsMask.SetBit(2)
		u.LabelsMask.SetBit(3)
		u.Present.Add(conntrack.AttrLabels)
		u.Present.Add(conntrack.AttrLabelsMask)
		if err := update(t, u); err != nil {
			t.Fatal(err)
		}
		var want conntrack.Labels
		want.SetBit(1)
		want.SetBit(3)
		if got := get(t, c, base.Orig, nil); got.Labels != want {
			t.Errorf("labels %x, want %x (bits 1 and 3)", got.Labels, want)
		}
	})
	t.Run("status", func(t *testing.T) {
		// An update's status must keep CONFIRMED (the kernel refuses any
		// change of EXPECTED, CONFIRMED or DYING).
		u := withStatus(origOnly(base), conntrack.StatusSeenReply|conntrack.StatusAssured)
		wantErrno(t, "update with a status lacking CONFIRMED", update(t, u), syscall.EBUSY)
		u.Status |= conntrack.StatusConfirmed
		if err := update(t, u); err != nil {
			t.Fatal(err)
		}
		got := get(t, c, base.Orig, nil)
		if !got.Status.Has(conntrack.StatusAssured | conntrack.StatusSeenReply | conntrack.StatusConfirmed) {
			t.Errorf("status %v, want SEEN_REPLY|ASSURED|CONFIRMED", got.Status)
		}
		// Clearing ASSURED is refused.
		u = withStatus(origOnly(base), conntrack.StatusSeenReply|conntrack.StatusConfirmed)
		wantErrno(t, "update clearing ASSURED", update(t, u), syscall.EBUSY)
	})
	t.Run("missing entry", func(t *testing.T) {
		u := withMark(origOnly(newFlow(tcp(a4, b4, 2999, 80), 1)), 1)
		wantErrno(t, "update of a missing entry", update(t, u), syscall.ENOENT)
	})
}

// TestLiveDelete deletes by tuple and by id, and checks that a wrong id
// is refused.
func TestLiveDelete(t *testing.T) {
	_, c := liveNS(t)
	byTuple := newFlow(udp(a4, b4, 3001, 53), 300)
	byID := newFlow(udp(a6, b6, 3002, 53), 300)
	create(t, c, byTuple)
	create(t, c, byID)

	if _, err := c.Do(conntrack.DeleteRequest(0, byTuple.Orig)); err != nil {
		t.Fatalf("delete by tuple: %v", err)
	}
	_, err := c.Flows(conntrack.GetRequest(0, byTuple.Orig))
	wantErrno(t, "get after delete by tuple", err, syscall.ENOENT)

	got := get(t, c, byID.Orig, nil)
	if !got.Present.Has(conntrack.AttrID) {
		t.Fatal("entry has no CTA_ID")
	}
	r := conntrack.DeleteRequest(0, byID.Orig)
	r.SetID(got.ID ^ 0x5a5a5a5a)
	_, err = c.Do(r)
	wantErrno(t, "delete with a wrong id", err, syscall.ENOENT)
	get(t, c, byID.Orig, nil) // still there
	r.SetID(got.ID)
	if _, err := c.Do(r); err != nil {
		t.Fatalf("delete by id %#x: %v", got.ID, err)
	}
	_, err = c.Flows(conntrack.GetRequest(0, byID.Orig))
	wantErrno(t, "get after delete by id", err, syscall.ENOENT)
	_, err = c.Do(conntrack.DeleteRequest(0, byID.Orig))
	wantErrno(t, "delete of a missing entry", err, syscall.ENOENT)
}

// TestLiveFlush flushes with filters, then per family, then everything.
func TestLiveFlush(t *testing.T) {
	_, c := liveNS(t)
	fs := filterTable(t, c)
	all := func() []string { return keys(dump(t, c, conntrack.DumpRequest(0, 0))) }
	rest := func(gone ...int) []string {
		var sel []conntrack.Flow
	next:
		for i, f := range fs {
			for _, g := range gone {
				if g == i {
					continue next
				}
			}
			sel = append(sel, f)
		}
		return keys(sel)
	}

	r := conntrack.FlushRequest(0, 0)
	r.SetMark(0x10000, 0xffff0000)
	if _, err := c.Do(r); err != nil {
		t.Fatalf("flush by mark: %v", err)
	}
	sameKeys(t, "after flushing mark 0x1xxxx", all(), rest(0, 2, 5))

	r = conntrack.FlushRequest(0, 0)
	r.SetZone(9)
	if _, err := c.Do(r); err != nil {
		t.Fatalf("flush by zone: %v", err)
	}
	sameKeys(t, "after flushing zone 9", all(), rest(0, 2, 3, 5, 6))

	r = conntrack.FlushRequest(0, conntrack.FamilyIPv4)
	r.SetFilter(conntrack.Tuple{Dst: c4}, conntrack.FilterIPDst, conntrack.Tuple{}, 0)
	if _, err := c.Do(r); err != nil {
		t.Fatalf("flush by CTA_FILTER: %v", err)
	}
	sameKeys(t, "after flushing ipv4 dst "+c4.String(), all(), rest(0, 1, 2, 3, 4, 5, 6))

	create(t, c, fs[0])
	if _, err := c.Do(conntrack.FlushRequest(0, conntrack.FamilyIPv6)); err != nil {
		t.Fatalf("flush ipv6: %v", err)
	}
	sameKeys(t, "after flushing ipv6", all(), keysOf(fs[0]))

	create(t, c, fs[7])
	if _, err := c.Do(conntrack.FlushRequest(0, 0)); err != nil {
		t.Fatalf("flush: %v", err)
	}
	sameKeys(t, "after flushing everything", all(), nil)
}

// TestLiveErrors provokes the kernel's error replies and checks they
// decode to errors matching the errno, with the extended ack.
func TestLiveErrors(t *testing.T) {
	_, c := liveNS(t)
	f := newFlow(tcp(a4, b4, 4001, 80), 300)
	_, err := c.Flows(conntrack.GetRequest(0, f.Orig))
	wantErrno(t, "get of a missing entry", err, syscall.ENOENT)

	create(t, c, f)
	_, err = c.Do(conntrack.CreateRequest(0, &f))
	wantErrno(t, "second create of the same entry", err, syscall.EEXIST)

	// Without CTA_TIMEOUT a create is refused.
	nt := newFlow(tcp(a4, b4, 4002, 80), 0)
	nt.Present.Remove(conntrack.AttrTimeout)
	_, err = c.Do(conntrack.CreateRequest(0, &nt))
	wantErrno(t, "create without a timeout", err, syscall.EINVAL)

	// A status without CONFIRMED: AppendRequest adds CONFIRMED to creates,
	// so send an update op with the create flags.
	nc := withStatus(newFlow(tcp(a4, b4, 4003, 80), 300), conntrack.StatusSeenReply)
	r := conntrack.UpdateRequest(0, &nc)
	r.Flags = codec.FlagRequest | codec.FlagAck | codec.FlagCreate | codec.FlagExcl
	_, err = c.Do(r)
	wantErrno(t, "create with a status lacking CONFIRMED", err, syscall.EBUSY)

	// Expectation flags beyond NF_CT_EXPECT_MASK fail policy validation
	// with an extended ack message and the attribute's offset.
	e := conntrack.Expect{Tuple: tcp(a4, b4, 0, 20), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff), Master: f.Orig, Flags: 0x80}
	e.Present.Add(conntrack.ExpectAttrTuple)
	e.Present.Add(conntrack.ExpectAttrMask)
	e.Present.Add(conntrack.ExpectAttrMaster)
	e.Present.Add(conntrack.ExpectAttrFlags)
	_, err = c.Do(conntrack.ExpCreateRequest(0, &e))
	wantErrno(t, "expectation with flags 0x80", err, syscall.EINVAL)
	var ke *codec.KernelError
	if !errors.As(err, &ke) {
		t.Fatalf("error %T is not a *codec.KernelError", err)
	}
	if len(ke.Msg) == 0 || !ke.HasOffset {
		t.Errorf("no extended ack: message %q, offset present %v", ke.Msg, ke.HasOffset)
	} else {
		t.Logf("extack message %q at offset %d", ke.Msg, ke.Offset)
	}
}
