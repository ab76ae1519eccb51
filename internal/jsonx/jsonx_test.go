package jsonx

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestWriter(t *testing.T) {
	var w Writer
	w.Open()
	w.Key("s")
	w.Str([]byte("a\"\\\n\r\t\x01é"))
	w.Text("t", "t-hex", []byte{0xff, 0x00})
	w.Key("e")
	w.Enum([]string{1: "one"}, 1)
	w.Key("n")
	w.Enum([]string{1: "one"}, 7)
	w.Key("b")
	w.refBits([]string{"A", "", "C"}, 0b1111)
	w.Key("a")
	w.refAddr(netip.MustParseAddr("::ffff:1.2.3.4"))
	w.KeyBool("f", false)
	w.Key("i")
	w.Int(-5)
	w.Close()
	want := `{"s":"a\"\\\n\r\t\u0001é","t-hex":"ff00","e":"one","n":7,"b":["A",2,"C",8],"a":"::ffff:1.2.3.4","f":false,"i":-5}`
	if got := string(w.B); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestReaderErrors(t *testing.T) {
	for _, tt := range []struct {
		in, key string
		off     int
		err     error
	}{
		{`{"a":{"b":1.5}}`, "a.b", 10, ErrValue},
		{`{"a":[1,"x"]}`, "a", 8, ErrType},
		{`{"a":[1 2]}`, "a", 8, ErrSyntax},
		{`{"a":tru}`, "a", 5, ErrSyntax},
		{`{"a":null}`, "a", 5, ErrType},
		{`{"a":-1}`, "a", 5, ErrValue},
		{`{"a":18446744073709551616}`, "a", 5, ErrValue},
		{`{"a":"\q"}`, "a", 6, ErrSyntax},
		{`{"a":"x`, "a", 7, ErrSyntax},
		{`{"zz":1}`, "zz", 1, ErrKey},
		{`{"a":` + strings.Repeat("[", MaxDepth) + `]}`, "a", 5 + MaxDepth - 1, ErrDepth},
		{`{"a":1} x`, "", 8, ErrSyntax},
	} {
		r := Reader{In: []byte(tt.in)}
		r.BeginObject()
		for r.More() {
			switch string(r.Key) {
			case "a":
				if c := r.Peek(); c == '{' {
					r.BeginObject()
					for r.More() {
						r.Uint(10)
					}
				} else if c == '[' && tt.err != ErrDepth {
					r.BeginArray()
					for r.MoreElem() {
						r.Uint(10)
					}
				} else if c == '[' || c == '"' {
					r.Skip()
				} else {
					r.Uint(1<<64 - 1)
				}
			default:
				r.Unknown()
			}
		}
		r.End()
		var e *Error
		if err := r.Err(); !errors.As(err, &e) || !errors.Is(err, tt.err) || e.Offset != tt.off || e.Key != tt.key {
			t.Errorf("%s: got %v, want %v at %d (%s)", tt.in, err, tt.err, tt.off, tt.key)
		}
	}
}

func TestReaderValues(t *testing.T) {
	r := Reader{In: []byte(` ["\u00e9\ud83d\ude00\ud83d\/", "DUMP", ["b", 4], "0aFf", "10.0.0.1", true, -7] `)}
	r.BeginArray()
	r.MoreElem()
	if s := string(r.Str()); s != "é😀\ufffd/" {
		t.Errorf("string %q", s)
	}
	r.MoreElem()
	if v := r.Enum([]string{"a", "dump"}, nil, 9); v != 1 {
		t.Errorf("enum %d", v)
	}
	r.MoreElem()
	if v := r.Bits([]string{"a", "B"}, nil, 0xff); v != 6 {
		t.Errorf("bits %d", v)
	}
	r.MoreElem()
	if b := r.HexBytes(); string(b) != "\x0a\xff" {
		t.Errorf("hex %x", b)
	}
	r.MoreElem()
	if a := r.Addr(true); a != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("addr %v", a)
	}
	r.MoreElem()
	if !r.Bool() {
		t.Error("bool")
	}
	r.MoreElem()
	if v := r.Int(-10, 10); v != -7 {
		t.Errorf("int %d", v)
	}
	r.MoreElem()
	r.End()
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if ErrnoName(2) != "ENOENT" || ErrnoOf([]byte("enotsupp")) != 524 || ErrnoOf([]byte("ENOENT")) != 2 {
		t.Error("errno names")
	}
}

// TestAddrAsNetip holds appendAddr (AppendAddr's value) to net/netip's text over addresses of
// every shape: IPv4, IPv6 with zero runs anywhere, IPv4-mapped and
// IPv4-compatible, zoned, invalid.
func TestAddrAsNetip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	addrs := []netip.Addr{{}, netip.MustParseAddr("::"), netip.MustParseAddr("::1"), netip.MustParseAddr("::1.2.3.4"),
		netip.MustParseAddr("::ffff:1.2.3.4"), netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("192.0.2.1")}
	for range 50000 {
		var b [16]byte
		for k := range 8 {
			if r.IntN(3) == 0 {
				b[2*k], b[2*k+1] = byte(r.IntN(256)), byte(r.IntN(256))
			}
		}
		if r.IntN(6) == 0 {
			clear(b[:12])
		}
		addrs = append(addrs, netip.AddrFrom16(b), netip.AddrFrom4([4]byte(b[12:])))
	}
	for _, a := range addrs {
		var w Writer
		w.refAddr(a)
		if got, want := string(w.B), `"`+string(a.AppendTo(nil))+`"`; got != want {
			t.Fatalf("Addr(%v) = %s, want %s", a, got, want)
		}
	}
}

// TestAppendRFC3339Nano holds AppendRFC3339Nano to time.RFC3339Nano over the
// edges of its fast range (1970 to 9999), leap days, fractions with and
// without trailing zeros, times outside UTC, and random times of every
// year.
func TestAppendRFC3339Nano(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	paris := time.FixedZone("CET", 3600)
	times := []time.Time{{}, time.Unix(0, 0), time.Unix(-1, 999999999), time.Unix(maxTimeSec-1, 999999999),
		time.Unix(maxTimeSec, 0), time.Unix(1<<40, 1), time.Date(2000, 2, 29, 23, 59, 59, 100, paris),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 5e8, time.UTC),
		time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 200000 {
		sec := r.Int64N(maxTimeSec+2e9) - 1e9
		ns := r.Int64N(1e9)
		switch r.IntN(4) {
		case 0:
			ns = 0
		case 1:
			ns -= ns % 1000
		}
		times = append(times, time.Unix(sec, ns), time.Unix(sec, ns).In(paris))
	}
	for _, tm := range times {
		got, want := string(AppendRFC3339Nano([]byte("x"), tm)), "x"+tm.UTC().Format(time.RFC3339Nano)
		if got != want {
			t.Fatalf("AppendRFC3339Nano(%v) = %s, want %s", tm, got, want)
		}
	}
}

// TestMembers holds the writers of members by key text to those by key.
func TestMembers(t *testing.T) {
	a4, a6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	tm := time.Unix(1700000000, 5)
	members := func(b []byte) []byte {
		b = AppendUint(b, `,"u":`, 42)
		b = AppendName(b, `,"n":`, "x")
		b = AppendEnum(b, `,"e":`, []string{1: "one"}, 1)
		b = AppendEnum(b, `,"e":`, []string{1: "one"}, 7)
		b = AppendBits(b, `,"b":`, NewBitNames([]string{"A", "", "C"}), 0b1111)
		b = AppendBits(b, `,"b":`, NewBitNames(nil), 0)
		b = AppendAddr(b, `,"a4":`, `,"a6":`, a4)
		b = AppendAddr(b, `,"a4":`, `,"a6":`, a6)
		b = AppendText(b, `,"t":`, `,"t-hex":`, []byte("é\n"))
		b = AppendText(b, `,"t":`, `,"t-hex":`, []byte{0xff})
		b = AppendHex(b, `,"h":`, []byte{1, 0xab})
		start := len(b)
		b = EndObject(AppendUint(append(b, `,"o":`...), `,"v":`, 1), start+len(`,"o":`))
		start = len(b)
		return EndObject(append(b, `,"empty":`...), start+len(`,"empty":`))
	}
	var w, v Writer
	for range 2 {
		w.Open()
		w.Member(`,"o":{`)
		b, start := w.StartMembers()
		w.EndMembers(members(b), start)
		b, start = w.StartMembers()
		w.EndMembers(b, start)
		w.Close()
		w.Member(`,"p":{`)
		b, start = w.StartMembers()
		w.EndMembers(b, start)
		w.Member(`,"u":`)
		w.Uint(3)
		b = AppendName(w.B, `,"n":`, "y")
		b = AppendTime(b, `,"tm":`, tm)
		b = AppendInt(b, `,"i":`, -7)
		b = AppendInt(b, `,"j":`, 7)
		start = len(b) + len(`,"a":`)
		b = EndArray(AppendName(AppendUint(append(b, `,"a":`...), ",", 1), ",", "x"), start)
		start = len(b) + len(`,"a":`)
		w.Resume(EndArray(append(b, `,"a":`...), start))
		w.Close()
		w.Close()

		v.Open()
		v.Object("o")
		v.KeyUint("u", 42)
		v.Key("n")
		v.Name("x")
		v.Key("e")
		v.Enum([]string{1: "one"}, 1)
		v.Key("e")
		v.Enum([]string{1: "one"}, 7)
		v.Key("b")
		v.refBits([]string{"A", "", "C"}, 0b1111)
		v.Key("b")
		v.refBits(nil, 0)
		v.Key("a4")
		v.refAddr(a4)
		v.Key("a6")
		v.refAddr(a6)
		v.Text("t", "t-hex", []byte("é\n"))
		v.Text("t", "t-hex", []byte{0xff})
		v.Key("h")
		v.Hex([]byte{1, 0xab})
		v.Object("o")
		v.KeyUint("v", 1)
		v.Close()
		v.Object("empty")
		v.Close()
		v.Close()
		v.Object("p")
		v.KeyUint("u", 3)
		v.Key("n")
		v.Name("y")
		v.Key("tm")
		v.refTime(tm)
		v.Key("i")
		v.Int(-7)
		v.Key("j")
		v.Int(7)
		v.Key("a")
		v.OpenArray()
		v.Uint(1)
		v.Name("x")
		v.CloseArray()
		v.Key("a")
		v.OpenArray()
		v.CloseArray()
		v.Close()
		v.Close()
	}
	if string(w.B) != string(v.B) {
		t.Fatalf("members:\n%s\nwant\n%s", w.B, v.B)
	}
}

// TestAppendBitsAsBits holds AppendBits to refBits over names of several
// lengths (with gaps) and values with bits inside and beyond the names.
func TestAppendBitsAsBits(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 3, 8, 9, 16, 17} {
		names := make([]string, n)
		for i := range names {
			if i%5 != 2 {
				names[i] = string(rune('A' + i))
			}
		}
		q := NewBitNames(names)
		for range 2000 {
			v := r.Uint64() >> r.IntN(64)
			if r.IntN(2) == 0 {
				v &= 1<<20 - 1
			}
			var w Writer
			w.refBits(names, v)
			if got := string(AppendBits(nil, ",", q, v)); got != ","+string(w.B) {
				t.Fatalf("names %q, %#x: %s, want %s", names, v, got, w.B)
			}
		}
	}
}

// The reference forms the member appenders are held to: a bit set's list
// written bit by bit, and addresses and times written by the Writer's
// rules. The appenders write the same from tables and constant key texts.

// refBits writes the set bits of v as a list of names (names[i] for bit
// i); a bit without a name is written as its value.
func (w *Writer) refBits(names []string, v uint64) {
	w.OpenArray()
	for ; v != 0; v &= v - 1 {
		i := bits.TrailingZeros64(v)
		if i < len(names) && names[i] != "" {
			w.Name(names[i])
		} else {
			w.Uint(1 << i)
		}
	}
	w.CloseArray()
}

// refAddr writes a as a string, as [netip.Addr.String] does.
func (w *Writer) refAddr(a netip.Addr) {
	w.Sep()
	w.B = appendAddr(w.B, a)
}

// refTime writes t in UTC as an RFC 3339 string with nanoseconds.
func (w *Writer) refTime(t time.Time) {
	w.Sep()
	w.B = append(t.UTC().AppendFormat(append(w.B, '"'), time.RFC3339Nano), '"')
}
