//go:build linux

package conntrack

import (
	"errors"
	"flag"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

var (
	probeCount = flag.Int("probe-count", 3000, "requests TestLiveValidateProbe sends")
	probeSeed  = flag.Uint64("probe-seed", 14, "seed of TestLiveValidateProbe")
)

// TestLiveValidateProbe sends seeded random requests, each a carrier of
// the edge cases (a create, an expectation create, a dump) with one to
// three attributes of random type, length and content appended in the
// nests of the carrier's policy tables, sent as they are, as a get or a
// delete, or, after a create of the unchanged entry, as an update of it. It fails when
// Validate (told the entry, for updates) and the kernel disagree, except
// where the kernel's answer depends on its table: ENOENT or EEXIST where
// Validate accepts, or where it reports a fault it documents as checked
// after the lookup.
func TestLiveValidateProbe(t *testing.T) {
	send := edgeLive(t)
	rng := rand.New(rand.NewPCG(*probeSeed, 0))
	carriers := edgeCarriers()
	var names []string
	for n := range carriers {
		names = append(names, n)
	}
	slices.Sort(names)
	lengths := []int{0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 20}
	var sent, agree, tableOnly, order, mismatch int
	tableErrnos := map[string]int{}
	for i := range *probeCount {
		id := 50000 + i // tuples of their own, apart from the edge cases'
		tn := names[rng.IntN(len(names))]
		c := carriers[tn]
		base := c.base(id, 0)
		var msg []byte
		var err error
		if msg, err = base.AppendBinary(nil); err != nil {
			t.Fatal(err)
		}
		update := base.Op == OpCreate && rng.IntN(3) == 0
		sent++
		var tg *Target
		if update {
			if e := send(msg); e == syscall.EEXIST {
				sent--
				continue // a NAT carrier's translated tuple is taken
			} else if e != 0 {
				t.Fatalf("request %d (%s): create the entry to update: %v", i, tn, e)
			}
			st := StatusConfirmed
			tg = &Target{Exists: true, Status: st}
			if tn == "help" {
				tg.Helper = "ftp"
			}
			if tn == "nat" || tn == "protoNAT" {
				tg.Status |= StatusSrcNAT // the kernel sets it for the NAT the create asked for
			}
		}
		for range 1 + rng.IntN(3) {
			pols := edgeTables[tn]
			typ := uint16(1 + rng.IntN(len(pols)))
			p := make([]byte, lengths[rng.IntN(len(lengths))])
			for j := range p {
				if rng.IntN(2) == 0 {
					p[j] = byte(rng.IntN(20))
				} else {
					p[j] = byte(rng.Uint32())
				}
			}
			nested := int(typ) < len(pols) && pols[typ].Type == nla.PolicyNested
			body, ok := edgeAppendIn(msg[codec.AttrOffset:], c.path, edgeAttr(typ, nested, p))
			if !ok {
				t.Fatalf("%s: no nest at %v", tn, c.path)
			}
			msg = append(msg[:codec.AttrOffset:codec.AttrOffset], body...)
			nla.HostOrder.PutUint32(msg, uint32(len(msg)))
		}
		switch k := rng.IntN(6); {
		case update:
			nla.HostOrder.PutUint16(msg[6:], codec.FlagRequest|codec.FlagAck)
		case base.Op == OpCreate && k < 2: // a get or a delete of the same attributes
			nla.HostOrder.PutUint16(msg[4:], uint16(MsgCTGet)+uint16(k))
			nla.HostOrder.PutUint16(msg[6:], codec.FlagRequest|codec.FlagAck)
		}
		m, err := codec.ParseMessage(msg, nla.HostOrder)
		if err != nil {
			t.Fatal(err)
		}
		verr := validateMessage(m, tg)
		var want syscall.Errno
		var ve *ValidationError
		if verr != nil && (!errors.As(verr, &ve) || !errors.As(verr, &want)) {
			t.Fatalf("ValidateMessage: %v", verr)
		}
		got := send(msg)
		switch {
		case got == want:
			agree++
		case (got == syscall.ENOENT || got == syscall.EEXIST) && (want == 0 || ve.AfterLookup):
			if want == 0 {
				tableOnly++
				tableErrnos[errString(got)]++
			} else {
				order++
			}
		case got == syscall.EINVAL && want == 0 && probeAttr(m, SpaceExpect, uint16(ExpectAttrClass)) != 0,
			got == syscall.ENOSPC && want == 0 && probeAttr(m, SpaceFlow, uint16(AttrLabels)) >= 0:
			// A class beyond the master's helper's, labels on an entry
			// made without them: documented as the kernel's alone.
			tableOnly++
			tableErrnos[errString(got)]++
		default:
			mismatch++
			if mismatch <= 20 {
				t.Errorf("request %d (%s carrier, update %v): the kernel says %q, Validate %v\n%x", i, tn, update, errString(got), verr, msg)
			}
		}
	}
	if mismatch > 20 {
		t.Errorf("%d disagreements in all", mismatch)
	}
	t.Logf("%d requests: %d answered alike, %d refused by the kernel's table alone %v, %d after-lookup faults answered ENOENT or EEXIST first, %d disagreements",
		sent, agree, tableOnly, tableErrnos, order, mismatch)
}

// probeAttr returns the first 4 bytes (big-endian) of the last top-level
// attribute typ of a message of space sp, or -1.
func probeAttr(m codec.Message, sp Space, typ uint16) int64 {
	v := int64(-1)
	if (MessageType(m.Header.Type).Subsystem() == codec.SubsysConntrackExp) != (sp == SpaceExpect) {
		return v
	}
	for s := m.Attrs(); s.Next(); {
		if a := s.Attr(); a.Type == typ {
			p := append(slices.Clone(a.Payload), 0, 0, 0, 0)
			v = int64(p[0])<<24 | int64(p[1])<<16 | int64(p[2])<<8 | int64(p[3])
		}
	}
	return v
}
