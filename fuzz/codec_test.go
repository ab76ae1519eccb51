package fuzz

import (
	"errors"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/fuzzcheck"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// codecBudget: iterating messages allocates nothing but the one error
// that ends the iteration.
var codecBudget = fuzzcheck.Budget{PerByte: 0, Const: 1 << 10}

// FuzzCodec iterates the messages of arbitrary bytes in both byte orders:
// every message lies inside the datagram, aliases it, and follows the
// previous one at its aligned length; Messages agrees with the Parser; the
// error that ends a datagram is a *codec.Error with an offset inside it.
func FuzzCodec(f *testing.F) {
	addDatagrams(f)
	f.Add([]byte{0x0f, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, o := range []nla.Order{nla.LittleEndian, nla.BigEndian} {
			fuzzcheck.CheckAlloc(t, len(b), codecBudget, func() {
				p := codec.NewParser(b, o)
				for p.Next() {
					_ = p.Message()
				}
			})
			var msgs []codec.Message
			p := codec.NewParser(b, o)
			for p.Next() {
				msgs = append(msgs, p.Message())
			}
			perr := p.Err()
			next := 0
			for _, m := range msgs {
				if m.Offset != next {
					t.Fatalf("message at %d, expected at %d", m.Offset, next)
				}
				if m.Header.Len < codec.HeaderLen || m.Offset+int(m.Header.Len) > len(b) {
					t.Fatalf("message at %d of length %d outside %d bytes", m.Offset, m.Header.Len, len(b))
				}
				if len(m.Payload) != int(m.Header.Len)-codec.HeaderLen ||
					(len(m.Payload) > 0 && &m.Payload[0] != &b[m.Offset+codec.HeaderLen]) {
					t.Fatalf("payload of message at %d does not alias the input", m.Offset)
				}
				if m.HasNFGen() != (!m.Header.IsControl() && len(m.Payload) >= codec.NFGenLen) {
					t.Fatalf("HasNFGen %v with %d data bytes", m.HasNFGen(), len(m.Data))
				}
				if m.HasNFGen() && len(m.Data) != len(m.Payload)-codec.NFGenLen {
					t.Fatalf("data of %d bytes in a payload of %d", len(m.Data), len(m.Payload))
				}
				// Attribute offsets are datagram offsets.
				s := m.Attrs()
				if s.Offset() != m.Offset+codec.AttrOffset {
					t.Fatalf("attributes of message at %d start at %d", m.Offset, s.Offset())
				}
				for s.Next() {
				}
				if err := s.Err(); err != nil {
					fuzzcheck.CheckError(t, err, int64(m.Offset), int64(m.Offset)+int64(m.Header.Len))
				}
				next = m.Offset + codec.Align(int(m.Header.Len))
			}
			if perr != nil {
				fuzzcheck.CheckError(t, perr, 0, int64(len(b)))
				var ce *codec.Error
				if !errors.As(perr, &ce) || ce.Offset != next {
					t.Fatalf("error %v not at the next message (%d)", perr, next)
				}
			} else if next < len(b) {
				t.Fatalf("clean end at %d of %d bytes", next, len(b))
			}
			// Messages yields the same sequence.
			i := 0
			for m, err := range codec.Messages(b, o) {
				if err != nil {
					if perr == nil || err.Error() != perr.Error() {
						t.Fatalf("Messages error %v, Parser %v", err, perr)
					}
					break
				}
				if i >= len(msgs) || !cmp.Equal(m, msgs[i], cmpopts.EquateEmpty()) {
					t.Fatalf("Messages item %d differs", i)
				}
				i++
			}
			if i != len(msgs) {
				t.Fatalf("Messages yielded %d, Parser %d", i, len(msgs))
			}
		}
	})
}

// ackMessage builds an NLMSG_ERROR or NLMSG_DONE message in host order
// around payload p, with flags.
func ackMessage(typ, flags uint16, p []byte) []byte {
	b := codec.AppendHeader(nil, codec.Header{Len: uint32(codec.HeaderLen + len(p)), Type: typ, Flags: flags, Seq: 1})
	return append(b, p...)
}

// FuzzAck decodes arbitrary payloads as NLMSG_ERROR and NLMSG_DONE with
// arbitrary flags: errors are typed and located in the message; what
// decodes re-encodes (AppendError, AppendDone) to a message that decodes
// to the same value.
func FuzzAck(f *testing.F) {
	for _, b := range append(fuzzcheck.Messages(liveSeeds(f)), fuzzcheck.EncoderSeeds()...) {
		if m, err := codec.ParseMessage(b, nla.HostOrder); err == nil && m.Header.IsControl() {
			f.Add(m.Header.Flags, m.Payload)
		}
	}
	f.Add(codec.FlagAckTLVs, []byte{0xfe, 0xff, 0xff, 0xff, 16, 0, 0, 0, 0, 1, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 0, 'x', 0})
	f.Fuzz(func(t *testing.T, flags uint16, p []byte) {
		opts := cmp.Options{cmpopts.EquateEmpty()}
		eb := ackMessage(codec.TypeError, flags, p)
		m, err := codec.ParseMessage(eb, nla.HostOrder)
		if err != nil {
			t.Fatalf("framing a built message: %v", err)
		}
		var ke codec.KernelError
		var perr error
		fuzzcheck.CheckAlloc(t, len(eb), codecBudget, func() { perr = codec.ParseError(m, &ke) })
		if perr != nil {
			fuzzcheck.CheckError(t, perr, 0, int64(len(eb)))
			if !cmp.Equal(ke, codec.KernelError{}, opts) {
				t.Fatalf("ParseError failed but changed its destination")
			}
		} else {
			if ke.Errno != 0 && ke.Unwrap() == nil || ke.IsAck() != (ke.Code == 0) {
				t.Fatalf("errno %d unwraps to %v", ke.Errno, ke.Unwrap())
			}
			_ = ke.Error()
			out, err := codec.AppendError(nil, codec.Header{Flags: m.Header.Flags &^ (codec.FlagCapped | codec.FlagAckTLVs), Seq: 1}, &ke)
			if err != nil {
				t.Fatalf("AppendError: %v", err)
			}
			m2, err := codec.ParseMessage(out, nla.HostOrder)
			if err != nil {
				t.Fatalf("re-framing: %v", err)
			}
			var ke2 codec.KernelError
			if err := codec.ParseError(m2, &ke2); err != nil {
				t.Fatalf("re-decoding % x: %v", out, err)
			}
			if d := cmp.Diff(ke, ke2, opts); d != "" {
				t.Fatalf("NLMSG_ERROR round trip (-first +second):\n%s", d)
			}
		}

		db := ackMessage(codec.TypeDone, flags, p)
		m, _ = codec.ParseMessage(db, nla.HostOrder)
		var d codec.Done
		fuzzcheck.CheckAlloc(t, len(db), codecBudget, func() { perr = codec.ParseDone(m, &d) })
		if perr != nil {
			fuzzcheck.CheckError(t, perr, 0, int64(len(db)))
			return
		}
		if (d.Err() == nil) != (d.Code == 0) {
			t.Fatalf("code %d, Err %v", d.Code, d.Err())
		}
		out, err := codec.AppendDone(nil, codec.Header{Flags: m.Header.Flags &^ codec.FlagAckTLVs, Seq: 1}, d.Code, d.TLVs)
		if err != nil {
			t.Fatalf("AppendDone: %v", err)
		}
		m2, _ := codec.ParseMessage(out, nla.HostOrder)
		var d2 codec.Done
		if err := codec.ParseDone(m2, &d2); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if diff := cmp.Diff(d, d2, opts); diff != "" {
			t.Fatalf("NLMSG_DONE round trip (-first +second):\n%s", diff)
		}
	})
}
