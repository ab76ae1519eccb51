package codec_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// TestTruncatedPrefixes feeds every prefix of valid datagrams to the
// parser. A prefix either ends cleanly where a message (padded or not)
// ends, having yielded exactly the messages that fit, or yields those
// messages and then an *Error wrapping ErrTruncated at the offset of the
// message it cuts.
func TestTruncatedPrefixes(t *testing.T) {
	for name, text := range map[string]string{
		"dumpReply":     dumpReply,
		"unalignedDump": unalignedDump,
		"statsCPU":      statsCPU,
		"filteredDump":  filteredDump,
		"policyError":   policyError,
	} {
		t.Run(name, func(t *testing.T) {
			full := hostFixture(text)
			all := mustParse(t, full, nla.HostOrder)
			for l := 0; l <= len(full); l++ {
				b := full[:l:l]
				var got []codec.Message
				p := codec.NewParser(b, nla.HostOrder)
				for p.Next() {
					got = append(got, p.Message())
				}
				// The messages that fit whole, by their length.
				k := 0
				for k < len(all) && all[k].Offset+int(all[k].Header.Len) <= l {
					k++
				}
				if !sameMessages(all[:k], got) {
					t.Fatalf("prefix %d: messages\n got %+v\nwant %+v", l, got, all[:k])
				}
				err := p.Err()
				// Clean iff the prefix ends at the end of message k-1 or in
				// its padding (or is empty).
				clean := l == 0 || (k > 0 && k == len(all) && l >= all[k-1].Offset+int(all[k-1].Header.Len)) ||
					(k > 0 && k < len(all) && l <= all[k].Offset)
				if clean {
					if err != nil {
						t.Fatalf("prefix %d: Err() = %v, want a clean end", l, err)
					}
					continue
				}
				var fe *codec.Error
				if !errors.As(err, &fe) || !errors.Is(err, codec.ErrTruncated) {
					t.Fatalf("prefix %d: Err() = %v, want *codec.Error wrapping ErrTruncated", l, err)
				}
				if fe.Offset != all[k].Offset {
					t.Fatalf("prefix %d: error at offset %d, want %d (message %d)", l, fe.Offset, all[k].Offset, k)
				}
				if p.Next() {
					t.Fatalf("prefix %d: Next() after an error", l)
				}
			}
		})
	}
}

// sameMessages compares messages field by field (cmp.Diff is too slow to
// run for every prefix).
func sameMessages(a, b []codec.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Header != y.Header || x.NFGen != y.NFGen || x.Offset != y.Offset || x.Order != y.Order ||
			string(x.Payload) != string(y.Payload) || string(x.Data) != string(y.Data) || (x.Data == nil) != (y.Data == nil) {
			return false
		}
	}
	return true
}

func TestFramingErrors(t *testing.T) {
	done := dumpDone // a valid 20-byte message to put in front
	for _, tc := range []struct {
		name   string
		text   string
		n      int   // whole messages before the error
		offset int   // of the error
		err    error // sentinel
		msg    string
	}{
		{"len 0", `[00 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00] {00 00 00 00}`,
			0, 0, codec.ErrLength, "codec: invalid message length at offset 0"},
		{"len 15", `[0f 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00] {00 00 00 00}`,
			0, 0, codec.ErrLength, "codec: invalid message length at offset 0"},
		{"len 8 after a message", done + `[08 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00]`,
			1, 20, codec.ErrLength, "codec: invalid message length at offset 20"},
		{"len beyond the datagram", `[30 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00] {00 00 00 00}`,
			0, 0, codec.ErrTruncated, "codec: truncated message at offset 0"},
		{"len 0xffffffff", done + `[ff ff ff ff 00 01 02 00 03 00 00 00 bc 26 00 00] 02 00 00 00`,
			1, 20, codec.ErrTruncated, "codec: truncated message at offset 20"},
		{"short header", `14 00 00 00 03 00 02 00 03 00`,
			0, 0, codec.ErrTruncated, "codec: truncated message at offset 0"},
		{"trailing bytes", done + `00 00 00`,
			1, 20, codec.ErrTruncated, "codec: truncated message at offset 20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := codec.NewParser(hostFixture(tc.text), nla.HostOrder)
			n := 0
			for p.Next() {
				n++
			}
			err := p.Err()
			if n != tc.n {
				t.Errorf("%d messages before the error, want %d", n, tc.n)
			}
			var fe *codec.Error
			if !errors.As(err, &fe) || !errors.Is(err, tc.err) {
				t.Fatalf("Err() = %v, want *codec.Error wrapping %v", err, tc.err)
			}
			if fe.Offset != tc.offset {
				t.Errorf("offset %d, want %d", fe.Offset, tc.offset)
			}
			if err.Error() != tc.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tc.msg)
			}
		})
	}
}

func TestParseHeaderAndMessage(t *testing.T) {
	if _, err := codec.ParseHeader(make([]byte, 15), nla.HostOrder); !errors.Is(err, codec.ErrTruncated) {
		t.Errorf("ParseHeader(15 bytes) = %v, want ErrTruncated", err)
	}
	b := hostFixture(getRequest)
	h, err := codec.ParseHeader(b, nla.HostOrder)
	if err != nil || h != (codec.Header{Len: 72, Type: ctGet, Flags: 5, Seq: 1}) {
		t.Errorf("ParseHeader = %v, %v", h, err)
	}
	m, err := codec.ParseMessage(b[:71], nla.HostOrder)
	var fe *codec.Error
	if !errors.As(err, &fe) || !errors.Is(err, codec.ErrTruncated) || fe.Offset != 0 {
		t.Errorf("ParseMessage(71 of 72 bytes) = %+v, %v", m, err)
	}
	// An nfnetlink type with fewer than 4 payload bytes frames fine but has
	// no nfgenmsg and no attributes (the kernel skips such a message).
	m, err = codec.ParseMessage(hostFixture(`[12 00 00 00 00 01 02 00 01 00 00 00 00 00 00 00] 02 00`), nla.HostOrder)
	if err != nil || m.HasNFGen() || m.Data != nil || len(m.Payload) != 2 || m.NFGen != (codec.NFGen{}) {
		t.Errorf("2-byte nfnetlink payload: %+v, %v", m, err)
	}
	s := m.Attrs()
	if s.Next() || s.Err() != nil {
		t.Error("attributes found in a message without nfgenmsg")
	}
}

// TestParseMessageInto checks that ParseMessageInto parses each message
// of a datagram exactly as ParseMessage does, overwriting every field of
// the previous message (a control message after an nfnetlink one has no
// NFGen or Data), and leaves its Message unchanged on error.
func TestParseMessageInto(t *testing.T) {
	b := hostFixture(dumpReply + getAck + dumpDone + `[12 00 00 00 00 01 02 00 01 00 00 00 00 00 00 00] 02 00`)
	all := mustParse(t, b, nla.HostOrder)
	if len(all) != 6 { // three flows, ack, done, short nfnetlink message
		t.Fatalf("fixture has %d messages, want 6", len(all))
	}
	var m codec.Message
	for i, w := range all {
		want, err := codec.ParseMessage(b[w.Offset:], nla.HostOrder)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if err := codec.ParseMessageInto(b[w.Offset:], nla.HostOrder, &m); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("message %d (-ParseMessage +ParseMessageInto):\n%s", i, diff)
		}
	}
	// A big-endian capture parses the same into a reused message.
	be := fixture(nla.BigEndian, dumpReply)
	want, err := codec.ParseMessage(be, nla.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.ParseMessageInto(be, nla.BigEndian, &m); err != nil || want.Header.Len != 240 {
		t.Fatalf("big-endian: %v, length %d", err, want.Header.Len)
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("big-endian (-ParseMessage +ParseMessageInto):\n%s", diff)
	}
	before := m
	for _, tc := range []struct {
		name string
		b    []byte
		err  error
	}{
		{"15 bytes", b[:15], codec.ErrTruncated},
		{"length 15", hostFixture(`[0f 00 00 00 00 01 02 00 01 00 00 00 00 00 00 00]`), codec.ErrLength},
		{"length beyond the end", b[:all[0].Header.Len-1], codec.ErrTruncated},
	} {
		err := codec.ParseMessageInto(tc.b, nla.HostOrder, &m)
		var fe *codec.Error
		if !errors.As(err, &fe) || !errors.Is(err, tc.err) || fe.Offset != 0 {
			t.Errorf("%s: error %v, want *codec.Error at 0 wrapping %v", tc.name, err, tc.err)
		}
		if diff := cmp.Diff(before, m); diff != "" {
			t.Errorf("%s: message changed on error (-before +after):\n%s", tc.name, diff)
		}
	}
}

// TestControlErrors covers ParseError and ParseDone on messages of the
// wrong type or too short for their fixed part.
func TestControlErrors(t *testing.T) {
	done := dumpDone
	for _, tc := range []struct {
		name   string
		text   string
		done   bool // ParseDone rather than ParseError
		offset int
		err    error
	}{
		{"error on DONE", dumpDone, false, 0, codec.ErrType},
		{"done on ERROR", getAck, true, 0, codec.ErrType},
		{"error on CT_NEW", getReply, false, 0, codec.ErrType},
		{"error with 8-byte payload", `[18 00 00 00 02 00 00 01 01 00 00 00 bc 26 00 00] {00 00 00 00} 48 00 00 00`,
			false, 0, codec.ErrShort},
		{"error with code only, second message", done + `[14 00 00 00 02 00 00 00 02 00 00 00 bc 26 00 00] {fe ff ff ff}`,
			false, 20, codec.ErrShort},
		{"done without code", `[10 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00]`, true, 0, codec.ErrShort},
		{"done with 2-byte code", `[12 00 00 00 03 00 02 00 03 00 00 00 bc 26 00 00] 00 00`, true, 0, codec.ErrShort},
		{"uncapped echo longer than the message, with TLVs", `
[30 00 00 00 02 00 00 02 02 00 00 00 bc 26 00 00] {fe ff ff ff}
[48 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00] // claims 72 bytes
02 00 00 00 <08 00 02 00> {14 00 00 00}`, false, 0, codec.ErrShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := mustParse(t, hostFixture(tc.text), nla.HostOrder)
			m := ms[len(ms)-1]
			var err error
			if tc.done {
				d := codec.Done{Code: 7}
				err = codec.ParseDone(m, &d)
				if diff := cmp.Diff(codec.Done{Code: 7}, d); diff != "" {
					t.Errorf("ParseDone changed its record on error (-want +got):\n%s", diff)
				}
			} else {
				ke := codec.KernelError{Code: 7}
				err = codec.ParseError(m, &ke)
				if diff := cmp.Diff(codec.KernelError{Code: 7}, ke); diff != "" {
					t.Errorf("ParseError changed its record on error (-want +got):\n%s", diff)
				}
			}
			var fe *codec.Error
			if !errors.As(err, &fe) || !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want *codec.Error wrapping %v", err, tc.err)
			}
			if fe.Offset != tc.offset {
				t.Errorf("offset %d, want %d", fe.Offset, tc.offset)
			}
		})
	}
}

// TestBadExtAck: malformed TLVs yield the attribute layer's typed error
// at the absolute offset of the TLV, and leave the record untouched.
func TestBadExtAck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   string
		done   bool
		offset int
		err    error
		path   []uint16
	}{
		{"OFFS of 2 bytes", `
[2a 00 00 00 02 00 00 03 02 00 00 00 bc 26 00 00] {ea ff ff ff}
[14 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00]
<06 00 02 00> 14 00                               // NLMSGERR_ATTR_OFFS @36, 2 bytes`,
			false, 36, nla.ErrSize, []uint16{2}},
		{"MISS_TYPE truncated after a message", dumpDone + `
[30 00 00 00 02 00 00 03 02 00 00 00 bc 26 00 00] {ea ff ff ff}      // @20
[14 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00]
<08 00 01 00> 78 00 00 00                         // MSG "x"                      @56
<08 00 05 00>                                     // MISS_TYPE claims 4 bytes, none follow @64`,
			false, 64, nla.ErrTruncated, nil},
		{"DONE MSG with nla_len 2", `
[1c 00 00 00 03 00 02 02 03 00 00 00 bc 26 00 00] {00 00 00 00}
<02 00 01 00> 00 00 00 00                         // @20`,
			true, 20, nla.ErrLength, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := mustParse(t, hostFixture(tc.text), nla.HostOrder)
			m := ms[len(ms)-1]
			var err error
			if tc.done {
				d := codec.Done{Code: 7}
				err = codec.ParseDone(m, &d)
				if d.Code != 7 || d.Msg != nil {
					t.Errorf("ParseDone changed its record on error: %+v", d)
				}
			} else {
				ke := codec.KernelError{Code: 7}
				err = codec.ParseError(m, &ke)
				if diff := cmp.Diff(codec.KernelError{Code: 7}, ke); diff != "" {
					t.Errorf("ParseError changed its record on error (-want +got):\n%s", diff)
				}
			}
			var ne *nla.Error
			if !errors.As(err, &ne) || !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want *nla.Error wrapping %v", err, tc.err)
			}
			if ne.Offset != tc.offset {
				t.Errorf("offset %d, want %d", ne.Offset, tc.offset)
			}
			var path []uint16
			for i := range ne.Path.Len() {
				path = append(path, ne.Path.At(i))
			}
			if diff := cmp.Diff(tc.path, path); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLenientEcho: without NLM_F_ACK_TLVS an uncapped error whose echo is
// shorter than its claimed length (or whose claimed length is impossible)
// keeps whatever was echoed.
func TestLenientEcho(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		payload    int
	}{
		{"claims 72, has 8", `
[2c 00 00 00 02 00 00 00 02 00 00 00 bc 26 00 00] {fe ff ff ff}
[48 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00]
02 00 00 00 <04 00 01 80>`, 8},
		{"claims 4", `
[28 00 00 00 02 00 00 00 02 00 00 00 bc 26 00 00] {fe ff ff ff}
[04 00 00 00 01 01 05 00 02 00 00 00 00 00 00 00]
02 00 00 00`, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := hostFixture(tc.text)
			ke := mustError(t, mustOne(t, b, nla.HostOrder))
			if string(ke.RequestPayload) != string(b[36:]) || len(ke.RequestPayload) != tc.payload || ke.TLVs != nil {
				t.Errorf("RequestPayload % x TLVs % x, want % x", ke.RequestPayload, ke.TLVs, b[36:])
			}
		})
	}
}
