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
