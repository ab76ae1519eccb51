package codec_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// TestErrorRoundTrip re-encodes every parsed NLMSG_ERROR fixture with
// AppendError: the bytes must come back exactly (capped ACK, uncapped
// echo, unaligned echo with TLVs, capped with TLVs).
func TestErrorRoundTrip(t *testing.T) {
	for name, text := range map[string]string{
		"getAck":      getAck,
		"enoentError": enoentError,
		"policyError": policyError,
		"rejectError": rejectError,
		"missError":   missError,
	} {
		t.Run(name, func(t *testing.T) {
			b := hostFixture(text)
			m := mustOne(t, b, nla.HostOrder)
			ke := mustError(t, m)
			got, err := codec.AppendError(nil, m.Header, &ke)
			if err != nil || string(got) != string(b) {
				t.Errorf("AppendError = %v\n got % x\nwant % x", err, got, b)
			}
			// After another message, into the same buffer.
			prefix := hostFixture(getRequest)
			got, err = codec.AppendError(prefix, m.Header, &ke)
			if err != nil || string(got[len(prefix):]) != string(b) {
				t.Errorf("AppendError after a message = %v\n got % x\nwant % x", err, got[len(prefix):], b)
			}
		})
	}
}

func TestDoneRoundTrip(t *testing.T) {
	for name, text := range map[string]string{"dumpDone": dumpDone, "doneTLVs": doneTLVs} {
		t.Run(name, func(t *testing.T) {
			b := hostFixture(text)
			m := mustOne(t, b, nla.HostOrder)
			d := mustDone(t, m)
			got, err := codec.AppendDone(nil, m.Header, d.Code, d.TLVs)
			if err != nil || string(got) != string(b) {
				t.Errorf("AppendDone = %v\n got % x\nwant % x", err, got, b)
			}
		})
	}
}

// TestBuildPolicyError builds the kernel's EINVAL reply from typed values
// and compares it with what the kernel sent.
func TestBuildPolicyError(t *testing.T) {
	want := hostFixture(policyError)
	req := want[20:61] // the 41-byte request as it was sent
	var pol []byte
	pol = nla.AppendUint32Host(pol, 7, 15) // NL_POLICY_TYPE_ATTR_MAX_LENGTH
	pol = nla.AppendUint32Host(pol, 1, 12) // NL_POLICY_TYPE_ATTR_TYPE NUL_STRING
	reqHdr, err := codec.ParseHeader(req, nla.HostOrder)
	if err != nil {
		t.Fatal(err)
	}
	ke := codec.KernelError{
		Code:           -22,
		Request:        reqHdr,
		RequestPayload: req[codec.HeaderLen:],
	}
	ke.TLVs = codec.AppendExtAck(nil, &codec.ExtAck{
		Msg:       []byte("Attribute failed policy validation"),
		Offset:    20,
		HasOffset: true,
		Policy:    pol,
	})
	got, err := codec.AppendError(nil, codec.Header{Seq: 6, PID: pid}, &ke)
	if err != nil || string(got) != string(want) {
		t.Errorf("AppendError = %v\n got % x\nwant % x", err, got, want)
	}
}

// TestMessageRoundTrip rebuilds every nfnetlink message of the fixtures
// from its header, nfgenmsg and attribute bytes.
func TestMessageRoundTrip(t *testing.T) {
	for name, text := range map[string]string{
		"getRequest":    getRequest,
		"dumpReply":     dumpReply,
		"unalignedDump": unalignedDump,
		"statsCPU":      statsCPU,
	} {
		t.Run(name, func(t *testing.T) {
			b := hostFixture(text)
			var out []byte
			for _, m := range mustParse(t, b, nla.HostOrder) {
				var start int
				out, start = codec.AppendMessage(out, m.Header, m.NFGen)
				out = append(out, m.Data...)
				var err error
				if out, err = codec.EndMessage(out, start); err != nil {
					t.Fatal(err)
				}
				if start != m.Offset {
					t.Errorf("message starts at %d, want %d", start, m.Offset)
				}
			}
			// The builder pads the final message; the input may not have.
			want := append(b, make([]byte, codec.Align(len(b))-len(b))...)
			if string(out) != string(want) {
				t.Errorf("rebuilt\n got % x\nwant % x", out, want)
			}
		})
	}
}

func TestEndMessageErrors(t *testing.T) {
	dst, err := codec.EndMessage(make([]byte, 10), 0)
	if !errors.Is(err, codec.ErrLength) || len(dst) != 10 {
		t.Errorf("EndMessage(10 bytes) = %d bytes, %v; want ErrLength", len(dst), err)
	}
	// A message begun at an unaligned position is padded relative to its
	// own start, so the datagram that starts with it stays well formed.
	dst, start := codec.BeginMessage([]byte{0xee}, codec.Header{Type: codec.TypeDone})
	dst = append(dst, 0, 0, 0, 0, 'x')
	dst, err = codec.EndMessage(dst, start)
	if err != nil || len(dst)-start != 24 {
		t.Fatalf("EndMessage at offset 1: %d bytes, %v; want 24", len(dst)-start, err)
	}
	ms := mustParse(t, dst[start:], nla.HostOrder)
	if len(ms) != 1 || ms[0].Header.Len != 21 {
		t.Errorf("parsed %+v", ms)
	}
}

// msgDesc describes one message of a random datagram.
type msgDesc struct {
	Kind   int // 0 nfnetlink, 1 NLMSG_DONE, 2 NLMSG_ERROR
	Header codec.Header
	NFGen  codec.NFGen
	Attrs  []attrDesc
	// Unpadded leaves the last attribute without its padding, so
	// nlmsg_len is unaligned.
	Unpadded bool
	Code     int32
	Error    codec.KernelError
	ExtAck   codec.ExtAck
}

type attrDesc struct {
	Type uint16 // flag bits included
	Data []byte
}

var (
	attrGen = rapid.Custom(func(t *rapid.T) attrDesc {
		return attrDesc{
			Type: rapid.Uint16().Draw(t, "type"),
			Data: rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "data"),
		}
	})
	extAckGen = rapid.Custom(func(t *rapid.T) codec.ExtAck {
		return codec.ExtAck{
			Msg:         rapid.SliceOfN(rapid.ByteRange(1, 255), 0, 40).Draw(t, "msg"),
			Offset:      rapid.Uint32().Draw(t, "offs"),
			HasOffset:   rapid.Bool().Draw(t, "hasOffs"),
			Cookie:      rapid.SliceOfN(rapid.Byte(), 0, 9).Draw(t, "cookie"),
			Policy:      rapid.SliceOfN(rapid.Byte(), 0, 12).Draw(t, "policy"),
			MissType:    rapid.Uint32().Draw(t, "missType"),
			HasMissType: rapid.Bool().Draw(t, "hasMissType"),
			MissNest:    rapid.Uint32().Draw(t, "missNest"),
			HasMissNest: rapid.Bool().Draw(t, "hasMissNest"),
		}
	})
	headerGen = rapid.Custom(func(t *rapid.T) codec.Header {
		return codec.Header{
			Type:  rapid.Uint16Range(codec.TypeMin, 0xffff).Draw(t, "type"),
			Flags: rapid.Uint16().Draw(t, "flags"),
			Seq:   rapid.Uint32().Draw(t, "seq"),
			PID:   rapid.Uint32().Draw(t, "pid"),
		}
	})
	msgGen = rapid.Custom(func(t *rapid.T) msgDesc {
		d := msgDesc{Kind: rapid.IntRange(0, 2).Draw(t, "kind"), Header: headerGen.Draw(t, "header")}
		switch d.Kind {
		case 0:
			d.NFGen = codec.NFGen{
				Family:  rapid.Uint8().Draw(t, "family"),
				Version: rapid.Uint8().Draw(t, "version"),
				ResID:   rapid.Uint16().Draw(t, "resid"),
			}
			d.Attrs = rapid.SliceOfN(attrGen, 0, 6).Draw(t, "attrs")
			d.Unpadded = len(d.Attrs) > 0 && rapid.Bool().Draw(t, "unpadded")
		case 1:
			d.Header.Type = codec.TypeDone
			d.Header.Flags &^= codec.FlagAckTLVs
			d.Code = rapid.Int32().Draw(t, "code")
			if rapid.Bool().Draw(t, "tlvs") {
				d.ExtAck = extAckGen.Draw(t, "extack")
			}
		case 2:
			d.Header.Type = codec.TypeError
			d.Header.Flags &^= codec.FlagAckTLVs | codec.FlagCapped
			e := codec.KernelError{
				Code:    rapid.Int32Range(-4095, 0).Draw(t, "code"),
				Request: headerGen.Draw(t, "request"),
			}
			// The kernel always caps an ACK.
			e.Capped = e.Code == 0 || rapid.Bool().Draw(t, "capped")
			payload := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "payload")
			e.Request.Len = uint32(codec.HeaderLen + len(payload))
			if !e.Capped {
				e.RequestPayload = payload
			}
			d.Error = e
			if rapid.Bool().Draw(t, "tlvs") {
				d.ExtAck = extAckGen.Draw(t, "extack")
			}
		}
		return d
	})
)

// TestBuildParseProperty builds random datagrams with the package's
// builders, after a random unaligned prefix, and parses them back.
func TestBuildParseProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		descs := rapid.SliceOfN(msgGen, 1, 8).Draw(t, "messages")
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 7).Draw(t, "prefix")
		buf := append([]byte(nil), prefix...)
		var starts, lens []int
		var tlvs [][]byte
		for _, d := range descs {
			var start, n int
			var err error
			var ext []byte
			switch d.Kind {
			case 0:
				buf, start = codec.AppendMessage(buf, d.Header, d.NFGen)
				buf = append(buf, attrBytes(d)...)
				n = codec.AttrOffset + len(attrBytes(d))
				buf, err = codec.EndMessage(buf, start)
			case 1:
				ext = codec.AppendExtAck(nil, &d.ExtAck)
				start = len(buf)
				buf, err = codec.AppendDone(buf, d.Header, d.Code, ext)
				n = codec.HeaderLen + 4 + len(ext)
			case 2:
				ext = codec.AppendExtAck(nil, &d.ExtAck)
				e := d.Error
				e.TLVs = ext
				start = len(buf)
				buf, err = codec.AppendError(buf, d.Header, &e)
				// The echo is padded only when TLVs follow it.
				n = codec.HeaderLen + 4 + codec.HeaderLen + len(e.RequestPayload)
				if len(ext) > 0 {
					n = codec.HeaderLen + 4 + codec.HeaderLen + codec.Align(len(e.RequestPayload)) + len(ext)
				}
			}
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			starts = append(starts, start-len(prefix))
			lens = append(lens, n)
			tlvs = append(tlvs, ext)
		}
		dg := buf[len(prefix):]
		if len(dg)%codec.Alignment != 0 {
			t.Fatalf("datagram of %d bytes is not padded", len(dg))
		}
		if rapid.Bool().Draw(t, "unpadded") {
			last := len(descs) - 1
			dg = dg[:starts[last]+lens[last]]
		}

		p := codec.NewParser(dg, nla.HostOrder)
		i := 0
		for ; p.Next(); i++ {
			if i >= len(descs) {
				t.Fatalf("more than %d messages", len(descs))
			}
			m, d := p.Message(), descs[i]
			want := d.Header
			want.Len = uint32(lens[i])
			if d.Kind == 2 && d.Error.Capped {
				want.Flags |= codec.FlagCapped
			}
			if d.Kind != 0 && len(tlvs[i]) > 0 {
				want.Flags |= codec.FlagAckTLVs
			}
			if m.Header != want || m.Offset != starts[i] {
				t.Fatalf("message %d: header %v at %d, want %v at %d", i, m.Header, m.Offset, want, starts[i])
			}
			switch d.Kind {
			case 0:
				checkAttrs(t, m, d)
			case 1:
				var got codec.Done
				if err := codec.ParseDone(m, &got); err != nil {
					t.Fatalf("message %d: ParseDone: %v", i, err)
				}
				wantDone := codec.Done{Code: d.Code, Errno: errnoOf(d.Code), ExtAck: d.ExtAck}
				checkExtAck(&wantDone.ExtAck, tlvs[i])
				if diff := cmp.Diff(wantDone, got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("message %d: done (-want +got):\n%s", i, diff)
				}
			case 2:
				var got codec.KernelError
				if err := codec.ParseError(m, &got); err != nil {
					t.Fatalf("message %d: ParseError: %v", i, err)
				}
				wantErr := d.Error
				wantErr.Errno = errnoOf(wantErr.Code)
				wantErr.ExtAck = d.ExtAck
				checkExtAck(&wantErr.ExtAck, tlvs[i])
				if diff := cmp.Diff(wantErr, got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("message %d: error (-want +got):\n%s", i, diff)
				}
				// And back to the same bytes.
				again, err := codec.AppendError(nil, m.Header, &got)
				end := min(m.Offset+len(again), len(dg))
				if err != nil || string(again[:end-m.Offset]) != string(dg[m.Offset:end]) {
					t.Fatalf("message %d: re-encoded % x, was % x", i, again, dg[m.Offset:end])
				}
			}
		}
		if err := p.Err(); err != nil || i != len(descs) {
			t.Fatalf("parsed %d of %d messages, Err() = %v", i, len(descs), err)
		}
	})
}

// checkExtAck turns the generated ExtAck into what parsing yields: the
// raw TLVs, and presence flags for the fields that were written.
func checkExtAck(x *codec.ExtAck, tlvs []byte) {
	if len(tlvs) == 0 {
		*x = codec.ExtAck{}
		return
	}
	x.TLVs = tlvs
	if !x.HasOffset {
		x.Offset = 0
	}
	if !x.HasMissType {
		x.MissType = 0
	}
	if !x.HasMissNest {
		x.MissNest = 0
	}
}

func checkAttrs(t *rapid.T, m codec.Message, d msgDesc) {
	if m.NFGen != d.NFGen || !m.HasNFGen() {
		t.Fatalf("nfgen %+v, want %+v", m.NFGen, d.NFGen)
	}
	s := m.Attrs()
	off := m.Offset + codec.AttrOffset
	for j, a := range d.Attrs {
		if !s.Next() {
			t.Fatalf("attribute %d missing: %v", j, s.Err())
		}
		got := s.Attr()
		if got.Type != a.Type&nla.TypeMask || got.Flags != a.Type&^nla.TypeMask ||
			got.Offset != off || string(got.Payload) != string(a.Data) {
			t.Fatalf("attribute %d: %+v, want type 0x%04x at %d payload % x", j, got, a.Type, off, a.Data)
		}
		off += nla.Size(len(a.Data))
	}
	if s.Next() || s.Err() != nil {
		t.Fatalf("extra attribute or error: %v", s.Err())
	}
	if data := attrBytes(d); string(m.Data) != string(data) {
		t.Fatalf("data % x, want % x", m.Data, data)
	}
}

// attrBytes encodes the attributes of d.
func attrBytes(d msgDesc) []byte {
	var b []byte
	for j, a := range d.Attrs {
		if d.Unpadded && j == len(d.Attrs)-1 {
			b = nla.AppendHeader(b, a.Type, len(a.Data))
			b = append(b, a.Data...)
			break
		}
		b = nla.AppendBytes(b, a.Type, a.Data)
	}
	return b
}

func errnoOf(code int32) syscall.Errno {
	if code < 0 {
		return syscall.Errno(-int64(code))
	}
	return syscall.Errno(code)
}
