package live_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// TestLiveValidate sends requests that conntrack.Validate accepts and
// checks that the kernel accepts them too, and requests it rejects and
// checks that the kernel rejects them with the same errno.
func TestLiveValidate(t *testing.T) {
	_, c := liveNS(t)
	existing := withTCPState(newFlow(tcp(a4, b4, 5001, 80), 300), conntrack.TCPStateEstablished)
	create(t, c, existing)

	noTimeout := newFlow(tcp(a4, b4, 5002, 80), 0)
	noTimeout.Present.Remove(conntrack.AttrTimeout)
	mismatch := newFlow(tcp(a4, b4, 5003, 80), 100)
	mismatch.Reply.Proto = conntrack.ProtoUDP
	badICMP := newFlow(conntrack.ICMPTuple(a4, b4, 1, 3, 0), 100) // destination unreachable: not invertible
	badState := withTCPState(newFlow(tcp(a4, b4, 5004, 80), 100), conntrack.TCPStateMax+3)
	noPorts := newFlow(conntrack.ProtoTuple(conntrack.ProtoTCP, a4, b4), 100)
	noPorts.Reply = conntrack.ProtoTuple(conntrack.ProtoTCP, b4, a4)
	maskOnly := conntrack.DumpRequest(0, 0)
	maskOnly.Flow.MarkMask = 1
	maskOnly.Flow.Present.Add(conntrack.AttrMarkMask)
	statusZero := conntrack.DumpRequest(0, 0)
	statusZero.SetStatus(0, 0)
	filterNoTuple := conntrack.DumpRequest(0, conntrack.FamilyIPv4)
	filterNoTuple.SetFilter(conntrack.Tuple{Src: a4}, conntrack.FilterIPSrc, conntrack.Tuple{}, 0)
	filterNoTuple.Flow.Present.Remove(conntrack.AttrTupleOrig)
	filterBits := conntrack.DumpRequest(0, conntrack.FamilyIPv4)
	filterBits.SetFilter(conntrack.Tuple{Src: a4}, conntrack.FilterIPSrc|0x10000, conntrack.Tuple{}, 0)
	filterPorts := conntrack.DumpRequest(0, conntrack.FamilyIPv4)
	filterPorts.SetFilter(tcp(a4, b4, 0, 80), conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
	badExpFlags := conntrack.Expect{Tuple: tcp(a4, b4, 0, 20), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff),
		Master: existing.Orig, Flags: 0x40}
	badExpFlags.Present.Add(conntrack.ExpectAttrTuple)
	badExpFlags.Present.Add(conntrack.ExpectAttrMask)
	badExpFlags.Present.Add(conntrack.ExpectAttrMaster)
	badExpFlags.Present.Add(conntrack.ExpectAttrFlags)
	badLabels := withMark(origOnly(existing), 1)
	badLabels.Labels.SetBit(1)
	badLabels.LabelsMaskSize, badLabels.LabelsSize = 8, 4
	badLabels.Present.Add(conntrack.AttrLabels)
	badLabels.LabelsMask.SetBit(1)
	badLabels.Present.Add(conntrack.AttrLabelsMask)

	// A create ignores a label fault (ctnetlink_new_conntrack does not
	// look at what ctnetlink_attach_labels returns).
	createLabels := newFlow(tcp(a4, b4, 5006, 80), 100)
	createLabels.Labels.SetBit(1)
	createLabels.LabelsMaskSize, createLabels.LabelsSize = 8, 4
	createLabels.Present.Add(conntrack.AttrLabels)
	createLabels.LabelsMask.SetBit(1)
	createLabels.Present.Add(conntrack.AttrLabelsMask)

	var createOK = newFlow(udp(a6, b6, 5005, 53), 100)
	tests := []struct {
		name string
		req  conntrack.Request
	}{
		{"create", conntrack.CreateRequest(0, &createOK)},
		{"get", conntrack.GetRequest(0, existing.Orig)},
		{"dump with filters", func() conntrack.Request {
			r := conntrack.DumpRequest(0, conntrack.FamilyIPv4)
			r.SetMark(0, 0xff)
			r.SetZone(0)
			r.SetFilter(tcp(a4, b4, 0, 80), conntrack.FilterIPSrc|conntrack.FilterProtoNum|conntrack.FilterProtoDstPort, conntrack.Tuple{}, 0)
			return r
		}()},
		{"update mark", conntrack.UpdateRequest(0, ptr(withMark(origOnly(existing), 3)))},
		{"stats", conntrack.StatsRequest(0)},
		{"create without timeout", conntrack.CreateRequest(0, &noTimeout)},
		{"create with protocol mismatch", conntrack.CreateRequest(0, &mismatch)},
		{"create with non-invertible icmp", conntrack.CreateRequest(0, &badICMP)},
		{"create with tcp state out of range", conntrack.CreateRequest(0, &badState)},
		{"create without ports", conntrack.CreateRequest(0, &noPorts)},
		{"dump with mark mask only", maskOnly},
		{"dump with zero status mask", statusZero},
		{"dump with filter flags but no tuple", filterNoTuple},
		{"dump with unknown filter flags", filterBits},
		{"dump with port filter without proto", filterPorts},
		{"expectation with reserved flags", conntrack.ExpCreateRequest(0, &badExpFlags)},
		{"update with labels mask of another size", conntrack.UpdateRequest(0, &badLabels)},
		{"create with labels mask of another size", conntrack.CreateRequest(0, &createLabels)},
	}
	accepted, rejected := 0, 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verr := conntrack.Validate(&tt.req)
			_, kerr := c.Do(tt.req)
			var ke *codec.KernelError
			if kerr != nil && !errors.As(kerr, &ke) {
				t.Fatalf("not a kernel error: %v", kerr)
			}
			if verr == nil {
				accepted++
				if kerr != nil {
					t.Errorf("Validate accepts, the kernel refuses: %v", kerr)
				}
				return
			}
			rejected++
			var errno syscall.Errno
			if !errors.As(verr, &errno) {
				t.Fatalf("Validate: %v (no errno)", verr)
			}
			if kerr == nil {
				t.Errorf("Validate says %v, the kernel accepts", verr)
				return
			}
			if ke.Errno != errno {
				t.Errorf("Validate: %v (%d); kernel: %v (%d)", verr, errno, kerr, ke.Errno)
				return
			}
			t.Logf("both %v: validate %q, kernel %q", errno, verr, ke.Msg)
		})
	}
	t.Logf("%d requests accepted by both, %d rejected by both with the same errno", accepted, rejected)
}

// TestLiveValidateTarget sends updates (and creates) of entries whose
// state the test reads back first, and checks that
// conntrack.ValidateTarget, told that state, gives the kernel's verdict
// and errno: helper changes, timeouts of IPS_FIXED_TIMEOUT entries,
// status changes, and the lookup's ENOENT and EEXIST.
func TestLiveValidateTarget(t *testing.T) {
	_, c := liveNS(t)
	withHelper := func(f conntrack.Flow, name string) conntrack.Flow {
		f.Helper.Name, _ = conntrack.MakeHelperName(name)
		f.Helper.Present = 0
		f.Helper.Present.Add(conntrack.HelpAttrName)
		f.Present.Add(conntrack.AttrHelp)
		return f
	}
	ftpEntry := withHelper(newFlow(tcp(a4, b4, 6000, 21), 300), "ftp")
	sipEntry := withHelper(newFlow(udp(a6, b6, 6001, 5060), 300), "sip")
	plain := newFlow(tcp(a4, b4, 6002, 80), 300)
	fixed := withStatus(newFlow(tcp(a4, b4, 6003, 80), 300),
		conntrack.StatusFixedTimeout|conntrack.StatusAssured|conntrack.StatusSeenReply)
	absent := newFlow(tcp(a4, b4, 6004, 80), 300)
	for _, f := range []conntrack.Flow{ftpEntry, sipEntry, plain, fixed} {
		create(t, c, f)
	}
	target := func(f conntrack.Flow) conntrack.Target {
		fs, err := c.Flows(conntrack.GetRequest(0, f.Orig))
		if err != nil || len(fs) != 1 {
			return conntrack.Target{}
		}
		return conntrack.Target{Exists: true, Status: fs[0].Status, Helper: fs[0].Helper.Name.String()}
	}
	type update func(f conntrack.Flow) conntrack.Request
	upd := func(mod func(u *conntrack.Flow)) update {
		return func(f conntrack.Flow) conntrack.Request {
			u := origOnly(f)
			mod(&u)
			return conntrack.UpdateRequest(0, &u)
		}
	}
	var ops []struct {
		name string
		req  update
	}
	add := func(name string, req update) {
		ops = append(ops, struct {
			name string
			req  update
		}{name, req})
	}
	for _, h := range []string{"ftp", "sip", "tftp", "sane", "nosuch"} {
		add("helper "+h, upd(func(u *conntrack.Flow) { *u = withHelper(*u, h) }))
	}
	add("timeout", upd(func(u *conntrack.Flow) { u.Timeout = 200; u.Present.Add(conntrack.AttrTimeout) }))
	add("mark", upd(func(u *conntrack.Flow) { *u = withMark(*u, 7) }))
	S := conntrack.StatusConfirmed
	for _, s := range []conntrack.Status{0, S, S | conntrack.StatusSeenReply, S | conntrack.StatusExpected, S | conntrack.StatusDying,
		S | conntrack.StatusSeenReply | conntrack.StatusAssured, S | conntrack.StatusFixedTimeout,
		S | conntrack.StatusSeenReply | conntrack.StatusAssured | conntrack.StatusFixedTimeout} {
		add("status "+s.String(), func(f conntrack.Flow) conntrack.Request {
			u := withStatus(origOnly(f), s)
			r := conntrack.UpdateRequest(0, &u)
			return r
		})
	}
	add("timeout again", upd(func(u *conntrack.Flow) { u.Timeout = 150; u.Present.Add(conntrack.AttrTimeout) }))
	add("helper removed", upd(func(u *conntrack.Flow) { *u = withHelper(*u, "") }))
	add("create", func(f conntrack.Flow) conntrack.Request { return conntrack.CreateRequest(0, &f) })
	agree := map[string]int{}
	for _, e := range []struct {
		name string
		f    conntrack.Flow
	}{{"ftp entry", ftpEntry}, {"sip entry", sipEntry}, {"plain entry", plain}, {"fixed-timeout entry", fixed}, {"absent entry", absent}} {
		for _, op := range ops {
			tg := target(e.f)
			req := op.req(e.f)
			verr := conntrack.ValidateTarget(&req, &tg)
			_, kerr := c.Do(req)
			var ke *codec.KernelError
			if kerr != nil && !errors.As(kerr, &ke) {
				t.Fatalf("%s, %s: not a kernel error: %v", e.name, op.name, kerr)
			}
			var want, got syscall.Errno
			if ke != nil {
				want = ke.Errno
			}
			if verr != nil && !errors.As(verr, &got) {
				t.Fatalf("%s, %s: Validate: %v (no errno)", e.name, op.name, verr)
			}
			if got != want {
				t.Errorf("%s (%+v), %s: ValidateTarget says %v, the kernel %v", e.name, tg, op.name, verr, kerr)
				continue
			}
			agree[errString(want)]++
		}
	}
	t.Logf("ValidateTarget and the kernel agree: %v", agree)
}

func errString(e syscall.Errno) string {
	if e == 0 {
		return "ok"
	}
	return e.Error()
}
