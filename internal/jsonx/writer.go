package jsonx

import (
	"math/bits"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ctwire/ctwire/internal/textfmt"
)

const hexDigits = "0123456789abcdef"

// Writer appends JSON to B, tracking whether a comma is due.
type Writer struct {
	// B is the output.
	B     []byte
	comma bool
}

// Sep writes the comma due before a value or member, if any.
func (w *Writer) Sep() {
	if w.comma {
		w.B = append(w.B, ',')
	}
	w.comma = true
}

// Key starts the member k (a name needing no escape).
func (w *Writer) Key(k string) {
	// A local slice: w.B would be reloaded after every append.
	b := w.B
	if w.comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	w.B = append(b, '"', ':')
	w.comma = false
}

// Open starts an object.
func (w *Writer) Open() { w.Sep(); w.B = append(w.B, '{'); w.comma = false }

// Close ends an object.
func (w *Writer) Close() { w.B = append(w.B, '}'); w.comma = true }

// OpenArray starts an array.
func (w *Writer) OpenArray() { w.Sep(); w.B = append(w.B, '['); w.comma = false }

// CloseArray ends an array.
func (w *Writer) CloseArray() { w.B = append(w.B, ']'); w.comma = true }

// Object starts the member k holding an object; end it with Close.
func (w *Writer) Object(k string) { w.Key(k); w.Open() }

// Uint writes v.
func (w *Writer) Uint(v uint64) { w.Sep(); w.B = textfmt.AppendUint(w.B, v) }

// Int writes v.
func (w *Writer) Int(v int64) { w.Sep(); w.B = strconv.AppendInt(w.B, v, 10) }

// KeyUint writes the member k with the value v.
func (w *Writer) KeyUint(k string, v uint64) {
	b := w.B
	if w.comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	w.B = textfmt.AppendUint(b, v)
	w.comma = true
}

// KeyBool writes the member k with the value v.
func (w *Writer) KeyBool(k string, v bool) {
	w.Key(k)
	w.Sep()
	if v {
		w.B = append(w.B, "true"...)
	} else {
		w.B = append(w.B, "false"...)
	}
}

// Name writes a string needing no escape.
func (w *Writer) Name(s string) {
	b := w.B
	if w.comma {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, s...)
	w.B = append(b, '"')
	w.comma = true
}

// Str writes s as a JSON string, escaping quotes, backslashes and control
// characters.
func (w *Writer) Str(s []byte) {
	w.Sep()
	b := append(w.B, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	w.B = append(b, '"')
}

// Hex writes p as a string of lowercase hex digits.
func (w *Writer) Hex(p []byte) {
	w.Sep()
	w.B = append(w.B, '"')
	for _, c := range p {
		w.B = append(w.B, hexDigits[c>>4], hexDigits[c&15])
	}
	w.B = append(w.B, '"')
}

// HexString writes p as a string of lowercase hex digits.
func (w *Writer) HexString(p string) {
	w.Sep()
	w.B = append(w.B, '"')
	for i := 0; i < len(p); i++ {
		w.B = append(w.B, hexDigits[p[i]>>4], hexDigits[p[i]&15])
	}
	w.B = append(w.B, '"')
}

// Text writes the member k as a string if s is valid UTF-8, else the
// member khex (k with "-hex" appended) with s in hex.
func (w *Writer) Text(k, khex string, s []byte) {
	if utf8.Valid(s) {
		w.Key(k)
		w.Str(s)
		return
	}
	w.Key(khex)
	w.Hex(s)
}

// Addr writes a as a string, as [netip.Addr.String] does.
func (w *Writer) Addr(a netip.Addr) {
	w.Sep()
	w.B = append(w.B, '"')
	switch {
	case a.Is4():
		w.B = textfmt.AppendIPv4(w.B, a.As4())
	case a.Is6() && a.Zone() == "" && !ipv4Compatible(a.As16()):
		// The same text as netip's, written faster.
		w.B = textfmt.AppendIPv6(w.B, a.As16())
	default:
		w.B = a.AppendTo(w.B)
	}
	w.B = append(w.B, '"')
}

// ipv4Compatible reports whether b is an IPv4-compatible address (::a.b.c.d
// with a or b non-zero), which glibc's inet_ntop, and so textfmt, ends in
// a dotted quad and net/netip does not.
func ipv4Compatible(b [16]byte) bool {
	return [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0)
}

// Time writes t in UTC as an RFC 3339 string with nanoseconds.
func (w *Writer) Time(t time.Time) {
	w.Sep()
	w.B = append(w.B, '"')
	w.B = t.UTC().AppendFormat(w.B, time.RFC3339Nano)
	w.B = append(w.B, '"')
}

// Enum writes names[v], or v as a number when it has no name.
func (w *Writer) Enum(names []string, v uint64) {
	if v < uint64(len(names)) && names[v] != "" {
		w.Name(names[v])
		return
	}
	w.Uint(v)
}

// Bits writes the set bits of v as a list of names (names[i] for bit i);
// a bit without a name is written as its value.
func (w *Writer) Bits(names []string, v uint64) {
	w.OpenArray()
	for ; v != 0; v &= v - 1 {
		i := bits.TrailingZeros64(v)
		bit := uint64(1) << i
		if i < len(names) && names[i] != "" {
			w.Name(names[i])
		} else {
			w.Uint(bit)
		}
	}
	w.CloseArray()
}
