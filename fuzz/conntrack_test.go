package fuzz

import (
	"bytes"
	"errors"
	"reflect"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// recordOpts compares records field by field, unexported fields of the
// fixed-size name types included, with nil and empty slices alike.
var recordOpts = cmp.Options{
	cmp.Exporter(func(reflect.Type) bool { return true }),
	cmpopts.EquateEmpty(),
}

// decodeBudget: decoding allocates nothing but its error. keepBudget:
// keeping unknown attributes copies them with their path and position
// (up to 4 bytes of bookkeeping per 4-byte attribute, more when deeply
// nested) into a buffer that grows by doubling, then into the record:
// linear, with a factor well above 1.
var (
	decodeBudget = fuzzcheck.Budget{PerByte: 0, Const: 1 << 10}
	keepBudget   = fuzzcheck.Budget{PerByte: 32, Const: 4 << 10}
)

// attrBase is the offset given to attribute decoders: that of the
// attributes in a message, so error offsets are checked against a window
// that does not start at 0.
const attrBase = codec.AttrOffset

// FuzzFlow decodes arbitrary bytes as the attributes of a flow message,
// with the zero Decoder, with Keep and with Only, in both byte orders:
// errors are *conntrack.Error values located in the input; a failed decode
// leaves the record as it was; what decodes re-encodes, in both layouts,
// to bytes that decode to the same record, kept attributes included.
func FuzzFlow(f *testing.F) {
	addAttrs(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		lo, hi := int64(attrBase), int64(attrBase+len(b))
		prev := fuzzcheck.SeedFlow()
		for _, o := range []nla.Order{nla.BigEndian, nla.LittleEndian} {
			x := prev
			var err error
			fuzzcheck.CheckAlloc(t, len(b), decodeBudget, func() {
				x = prev
				err = (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, o, attrBase), &x)
			})
			if err != nil {
				fuzzcheck.CheckError(t, err, lo, hi)
				if x != prev {
					t.Fatalf("failed decode changed the record:\n%s", cmp.Diff(prev, x, recordOpts))
				}
			}
		}
		// The rest in host order, as the encoder writes. The zero
		// Decoder takes the fast path where it can; Keep and
		// UnmarshalBinary of the whole message must agree with it.
		var x conntrack.Flow
		xerr := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, attrBase), &x)
		var kx conntrack.Flow
		kxerr := conntrack.Decoder{Keep: true}.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, attrBase), &kx)
		if (xerr == nil) != (kxerr == nil) || (xerr != nil && xerr.Error() != kxerr.Error()) {
			t.Fatalf("zero Decoder: %v; with Keep: %v", xerr, kxerr)
		}
		msg, start := codec.AppendMessage(nil, codec.Header{Type: uint16(conntrack.MsgCTNew)}, codec.NFGen{Family: 2})
		msg = append(msg, b...)
		msg, _ = codec.EndMessage(msg, start)
		u := conntrack.Flow{Family: 7}
		uerr := u.UnmarshalBinary(msg)
		if (xerr == nil) != (uerr == nil) {
			t.Fatalf("DecodeFlow: %v; UnmarshalBinary: %v", xerr, uerr)
		}
		if xerr != nil {
			return
		}
		kx.Extra = ""
		if kx != x {
			t.Fatalf("Keep decodes otherwise (-zero +keep):\n%s", cmp.Diff(x, kx, recordOpts))
		}
		y := x
		y.Family = 2
		if u != y {
			t.Fatalf("UnmarshalBinary decodes otherwise (-DecodeFlow +UnmarshalBinary):\n%s", cmp.Diff(y, u, recordOpts))
		}
		for _, l := range []conntrack.Layout{conntrack.LayoutDump, conntrack.LayoutEvent} {
			enc, err := x.AppendAttrsLayout(nil, l)
			if err != nil {
				t.Fatalf("encode %v: %v", l, err)
			}
			var y conntrack.Flow
			if err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(enc, nla.HostOrder, 0), &y); err != nil {
				t.Fatalf("re-decode %v: %v\n% x", l, err, enc)
			}
			if x != y {
				t.Fatalf("layout %v round trip (-first +second):\n%s", l, cmp.Diff(x, y, recordOpts))
			}
		}

		keep := conntrack.Decoder{Keep: true}
		var k conntrack.Flow
		var kerr error
		fuzzcheck.CheckAlloc(t, len(b), keepBudget, func() {
			k = conntrack.Flow{}
			kerr = keep.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, attrBase), &k)
		})
		if kerr != nil {
			t.Fatalf("decodes without Keep but not with it: %v", kerr)
		}
		if k.Extra.Len() == 0 && k != x {
			t.Fatalf("Keep with nothing kept differs:\n%s", cmp.Diff(x, k, recordOpts))
		}
		enc, err := k.AppendAttrs(nil)
		if err != nil {
			t.Fatalf("encode kept: %v", err)
		}
		var k2 conntrack.Flow
		if err := keep.DecodeAttrs(nla.NewScannerOrder(enc, nla.HostOrder, 0), &k2); err != nil {
			t.Fatalf("re-decode kept: %v", err)
		}
		// Kept attributes come back, though not always at the same
		// index: duplicates of a known attribute collapse to the last,
		// so the positions recorded after them shift. The second
		// encoding is a fixed point.
		if k.Extra.Len() != k2.Extra.Len() {
			t.Fatalf("kept %d attributes, then %d", k.Extra.Len(), k2.Extra.Len())
		}
		k1, k2x := k, k2
		k1.Extra, k2x.Extra = "", ""
		if k1 != k2x {
			t.Fatalf("Keep round trip (-first +second):\n%s", cmp.Diff(k1, k2x, recordOpts))
		}
		enc2, err := k2.AppendAttrs(nil)
		if err != nil {
			t.Fatalf("encode kept again: %v", err)
		}
		var k3 conntrack.Flow
		if err := keep.DecodeAttrs(nla.NewScannerOrder(enc2, nla.HostOrder, 0), &k3); err != nil || k3 != k2 {
			t.Fatalf("second Keep round trip: %v\n%s", err, cmp.Diff(k2, k3, recordOpts))
		}

		// Only decodes a subset: the same values for the attributes asked.
		only := conntrack.Decoder{Only: conntrack.Attrs(conntrack.AttrTupleOrig, conntrack.AttrCountersOrig, conntrack.AttrStatus)}
		var p conntrack.Flow
		if err := only.DecodeAttrs(nla.NewScannerOrder(b, nla.HostOrder, attrBase), &p); err != nil {
			t.Fatalf("decodes in full but not with Only: %v", err)
		}
		if p.Orig != x.Orig || p.CountersOrig != x.CountersOrig || p.Status != x.Status ||
			p.Present != x.Present&only.Only {
			t.Fatalf("Only differs from the full decode:\n%s", cmp.Diff(x, p, recordOpts))
		}
	})
}

// recordRoundTrip encodes r, decodes the result with d and returns the
// new record.
func recordRoundTrip(t *testing.T, d conntrack.Decoder, r *conntrack.Record) conntrack.Record {
	t.Helper()
	out, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatalf("encode %v: %v", r.Kind, err)
	}
	m, err := codec.ParseMessage(out, nla.HostOrder)
	if err != nil {
		t.Fatalf("re-frame %v: %v\n% x", r.Kind, err, out)
	}
	var r2 conntrack.Record
	if err := d.Decode(m, &r2); err != nil {
		t.Fatalf("re-decode %v: %v\n% x", r.Kind, err, out)
	}
	return r2
}

// sameExtAck reports whether two extended acks are equal.
func sameExtAck(a, b codec.ExtAck) bool {
	return bytes.Equal(a.Msg, b.Msg) && a.Offset == b.Offset && a.HasOffset == b.HasOffset &&
		bytes.Equal(a.Cookie, b.Cookie) && bytes.Equal(a.Policy, b.Policy) &&
		a.MissType == b.MissType && a.HasMissType == b.HasMissType &&
		a.MissNest == b.MissNest && a.HasMissNest == b.HasMissNest && bytes.Equal(a.TLVs, b.TLVs)
}

// sameRecord reports whether two records are equal but for nlmsg_len,
// without reflection (cmp.Diff then explains a difference).
func sameRecord(a, b *conntrack.Record) bool {
	ha, hb := a.Header, b.Header
	ha.Len, hb.Len = 0, 0
	ea, eb := a.Error, b.Error
	return a.Kind == b.Kind && ha == hb && a.NFGen == b.NFGen && a.Event == b.Event && a.Op == b.Op &&
		a.Flow == b.Flow && a.Expect == b.Expect && a.StatsCPU == b.StatsCPU &&
		a.StatsGlobal == b.StatsGlobal && a.StatsExp == b.StatsExp && bytes.Equal(a.Payload, b.Payload) &&
		ea.Code == eb.Code && ea.Errno == eb.Errno && ea.Request == eb.Request && ea.Capped == eb.Capped &&
		bytes.Equal(ea.RequestPayload, eb.RequestPayload) && sameExtAck(ea.ExtAck, eb.ExtAck) &&
		a.Done.Code == b.Done.Code && a.Done.Errno == b.Done.Errno && sameExtAck(a.Done.ExtAck, b.Done.ExtAck)
}

// headerOpts ignores nlmsg_len, which re-encoding recomputes (pads
// dropped, unpadded attributes padded).
var headerOpts = cmpopts.IgnoreFields(codec.Header{}, "Len")

// FuzzRecord decodes every message of an arbitrary datagram with the
// message-level Decoder (flows, events, expectations, stats, requests,
// acks, errors, done, unknown types), with and without Keep: errors are
// typed and located in the message; a failed decode leaves the record as
// it was; what decodes is of the kind Classify gives and re-encodes with
// Record.AppendBinary to a message that decodes to the same record.
func FuzzRecord(f *testing.F) {
	addDatagrams(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for m, err := range codec.Messages(b, nla.HostOrder) {
			if err != nil {
				break
			}
			lo, hi := int64(m.Offset), int64(m.Offset)+int64(m.Header.Len)
			for _, d := range []conntrack.Decoder{{}, {Keep: true}} {
				budget := decodeBudget
				if d.Keep {
					budget = keepBudget
				}
				var r conntrack.Record
				var derr error
				fuzzcheck.CheckAlloc(t, int(m.Header.Len), budget, func() {
					r = conntrack.Record{Kind: conntrack.KindControl, Op: conntrack.OpStats}
					derr = d.Decode(m, &r)
				})
				if derr != nil {
					fuzzcheck.CheckError(t, derr, lo, hi)
					if z := (conntrack.Record{Kind: conntrack.KindControl, Op: conntrack.OpStats}); !sameRecord(&z, &r) || r.Header.Len != 0 {
						t.Fatalf("failed decode changed the record:\n%s", cmp.Diff(z, r, recordOpts))
					}
					continue
				}
				if r.Kind != conntrack.Classify(m) || r.Header != m.Header {
					t.Fatalf("kind %v header %v, Classify %v header %v", r.Kind, r.Header, conntrack.Classify(m), m.Header)
				}
				if (r.Event != 0) != (r.Kind == conntrack.KindEvent || r.Kind == conntrack.KindExpectEvent) {
					t.Fatalf("kind %v with event %v", r.Kind, r.Event)
				}
				_ = r.Err()
				r2 := recordRoundTrip(t, d, &r)
				if !d.Keep {
					if !sameRecord(&r, &r2) {
						t.Fatalf("%v round trip (-first +second):\n%s", r.Kind, cmp.Diff(r, r2, recordOpts, headerOpts))
					}
					continue
				}
				// Kept attributes are listed in the order found, and the
				// encoder writes known attributes in the kernel's order,
				// so the list may come back reordered (and positions
				// after collapsed duplicates shifted): the same record
				// otherwise, the same number kept, and the second round
				// trip exact.
				a, b := r, r2
				a.Flow.Extra, a.Expect.Extra, b.Flow.Extra, b.Expect.Extra = "", "", "", ""
				if !sameRecord(&a, &b) || r.Flow.Extra.Len() != r2.Flow.Extra.Len() || r.Expect.Extra.Len() != r2.Expect.Extra.Len() {
					t.Fatalf("%v round trip with Keep (-first +second):\n%s", r.Kind, cmp.Diff(r, r2, recordOpts, headerOpts))
				}
				if r3 := recordRoundTrip(t, d, &r2); !sameRecord(&r2, &r3) {
					t.Fatalf("%v second round trip with Keep (-second +third):\n%s", r.Kind, cmp.Diff(r2, r3, recordOpts, headerOpts))
				}
			}
		}
	})
}

// checkValidation fails t unless err, returned by ValidateMessage for a
// message of n bytes, is a *conntrack.ValidationError with an errno or
// one of the validator's sentinels and an offset inside the message.
func checkValidation(t *testing.T, err error, n int) *conntrack.ValidationError {
	t.Helper()
	var ve *conntrack.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("validation error %T is not a *conntrack.ValidationError: %v", err, err)
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) && !errors.Is(err, conntrack.ErrFlushesAll) && !errors.Is(err, conntrack.ErrNotRequest) {
		t.Fatalf("validation error unwraps to no errno or sentinel: %v", err)
	}
	if ve.Offset < -1 || ve.Offset >= n {
		t.Fatalf("validation error offset %d outside the message of %d bytes: %v", ve.Offset, n, err)
	}
	_ = err.Error()
	return ve
}

// FuzzRequest validates every message of an arbitrary datagram as a
// request (ValidateMessage) and decodes the requests among them:
// validation errors are typed and located in the message, and what the
// validator accepts decodes as a request; each decoded request, rebuilt
// as a conntrack.Request, is accepted by Request.AppendBinary, and its bytes
// decode to the same op and attributes (and still validate when the
// original did).
func FuzzRequest(f *testing.F) {
	addDatagrams(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for m, err := range codec.Messages(b, nla.HostOrder) {
			if err != nil {
				break
			}
			var verr error
			fuzzcheck.CheckAlloc(t, int(m.Header.Len), decodeBudget, func() { verr = conntrack.ValidateMessage(m) })
			if verr != nil {
				checkValidation(t, verr, int(m.Header.Len))
			}
			var r conntrack.Record
			derr := (conntrack.Decoder{}).Decode(m, &r)
			// The kernel's liberal parser stops silently at an attribute
			// that overruns its nest (it only logs the leftover bytes),
			// and only warns about a fixed-size payload that is too long
			// (reading its start), where the decoder reports both: such
			// a request validates and still fails to decode.
			framing := errors.Is(derr, nla.ErrTruncated) || errors.Is(derr, nla.ErrLength) || errors.Is(derr, nla.ErrSize)
			// nfnetlink silently ignores a message too short for its
			// nfgenmsg: nothing to reject, and nothing to decode.
			ignored := !m.HasNFGen()
			if verr == nil && !framing && !ignored && (derr != nil || r.Kind != conntrack.KindRequest) {
				t.Fatalf("valid request decodes as %v: %v", r.Kind, derr)
			}
			if derr != nil || r.Kind != conntrack.KindRequest {
				continue
			}
			if r.Op == conntrack.OpNone || r.Op.Type() != conntrack.MessageType(m.Header.Type) {
				t.Fatalf("request type %#04x decoded as op %v", m.Header.Type, r.Op)
			}
			req := conntrack.Request{Op: r.Op, Seq: r.Header.Seq, PID: r.Header.PID, Flags: r.Header.Flags,
				Family: conntrack.Family(r.NFGen.Family), Flow: r.Flow, Expect: r.Expect}
			out, err := req.AppendBinary(nil)
			if err != nil {
				t.Fatalf("AppendBinary %v: %v", r.Op, err)
			}
			m2, err := codec.ParseMessage(out, nla.HostOrder)
			if err != nil {
				t.Fatalf("re-frame: %v", err)
			}
			var r2 conntrack.Record
			if err := (conntrack.Decoder{}).Decode(m2, &r2); err != nil {
				t.Fatalf("re-decode %v: %v\n% x", r.Op, err, out)
			}
			want := r
			if r.Op == conntrack.OpCreate && r.Flow.Present.Has(conntrack.AttrStatus) {
				want.Flow.Status |= conntrack.StatusConfirmed
			}
			if r2.Kind != conntrack.KindRequest || r2.Op != want.Op || r2.Header.Flags != want.Header.Flags {
				t.Fatalf("op %v flags %#x, want %v %#x", r2.Op, r2.Header.Flags, want.Op, want.Header.Flags)
			}
			if d := cmp.Diff(want.Flow, r2.Flow, recordOpts); r.Op.IsExpect() == false && d != "" {
				t.Fatalf("%v flow (-want +got):\n%s", r.Op, d)
			}
			if d := cmp.Diff(want.Expect, r2.Expect, recordOpts); r.Op.IsExpect() && d != "" {
				t.Fatalf("%v expectation (-want +got):\n%s", r.Op, d)
			}
			if verr == nil {
				if err := conntrack.ValidateMessage(m2); err != nil {
					t.Fatalf("valid %v rebuilt as an invalid request: %v\n% x", r.Op, err, out)
				}
			}
		}
	})
}
