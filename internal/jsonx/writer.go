package jsonx

import (
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"sync"
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
	w.B = appendStr(w.B, s)
}

// appendStr appends s as Str writes it.
func appendStr(b, s []byte) []byte {
	b = append(b, '"')
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
	return append(b, '"')
}

// Hex writes p as a string of lowercase hex digits.
func (w *Writer) Hex(p []byte) {
	w.Sep()
	w.B = appendHex(w.B, p)
}

// appendHex appends p as Hex writes it.
func appendHex(b, p []byte) []byte {
	b = append(b, '"')
	for _, c := range p {
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return append(b, '"')
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

// appendAddr appends a as a JSON string, as [netip.Addr.String] writes
// it.
func appendAddr(b []byte, a netip.Addr) []byte {
	b = append(b, '"')
	if a.Is4() {
		b = textfmt.AppendIPv4(b, a.As4())
	} else if a16 := a.As16(); a.Is6() && !ipv4Compatible(a16) && a.Zone() == "" {
		// The same text as netip's, written faster.
		b = textfmt.AppendIPv6(b, a16)
	} else {
		b = a.AppendTo(b)
	}
	return append(b, '"')
}

// ipv4Compatible reports whether b is an IPv4-compatible address (::a.b.c.d
// with a or b non-zero), which glibc's inet_ntop, and so textfmt, ends in
// a dotted quad and net/netip does not.
func ipv4Compatible(b [16]byte) bool {
	return [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0)
}

// maxTimeSec is the first second of the year 10000, in Unix time.
const maxTimeSec = 253402300800

// AppendRFC3339Nano appends t in UTC as time.RFC3339Nano formats it
// ("2006-01-02T15:04:05.999999999Z", trailing zeros of the fraction and
// a zero fraction left out), without the general formatter for the years
// 1970 to 9999.
func AppendRFC3339Nano(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if sec < 0 || sec >= maxTimeSec {
		return t.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	days, rem := uint32(uint64(sec)/86400), uint32(uint64(sec)%86400)
	// The civil date of a day count from 1970-01-01 (Howard Hinnant's
	// civil_from_days, for days >= 0).
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month, year := mp+3, yoe+era*400
	if mp >= 10 {
		month, year = mp-9, year+1
	}
	hh, mm, ss := rem/3600, rem/60%60, rem%60
	at := len(b)
	b = slices.Grow(b, 30)
	buf := (*[30]byte)(b[at : at+30])
	put2(buf, 0, year/100)
	put2(buf, 2, year%100)
	buf[4] = '-'
	put2(buf, 5, month)
	buf[7] = '-'
	put2(buf, 8, day)
	buf[10] = 'T'
	put2(buf, 11, hh)
	buf[13] = ':'
	put2(buf, 14, mm)
	buf[16] = ':'
	put2(buf, 17, ss)
	n := 19
	if ns := uint32(t.Nanosecond()); ns != 0 {
		buf[19], buf[20] = '.', byte('0'+ns/1e8)
		ns %= 1e8
		put2(buf, 21, ns/1e6)
		put2(buf, 23, ns/1e4%100)
		put2(buf, 25, ns/100%100)
		put2(buf, 27, ns%100)
		n = 29
		for buf[n-1] == '0' {
			n--
		}
	}
	buf[n] = 'Z'
	return b[:at+n+1]
}

// put2 writes v, below 100, in two digits at buf[i:].
func put2(buf *[30]byte, i int, v uint32) {
	buf[i], buf[i+1] = textfmt.Digits2[2*v], textfmt.Digits2[2*v+1]
}

// Enum writes names[v], or v as a number when it has no name.
func (w *Writer) Enum(names []string, v uint64) {
	if v < uint64(len(names)) && names[v] != "" {
		w.Name(names[v])
		return
	}
	w.Uint(v)
}

// ---------------------------------------------------------------------
// Members by their key text
//
// The writers below take a member's key as the JSON text that starts it,
// comma and colon included: `,"key":`. One constant string per key spares
// the quoting of the key on every write. The Append functions append
// members to a slice held by the caller (in a register, not in a Writer),
// each with its leading comma: EndObject turns the first one into the
// object's opening brace, StartMembers and EndMembers hand a Writer's
// open object to them.

// Member starts the member m, without its comma when none is due; with
// `,"key":{`, the object is open.
func (w *Writer) Member(m string) {
	if !w.comma {
		m = m[1:]
	}
	w.B = append(w.B, m...)
	w.comma = false
}

// Resume takes back B, with a value or members appended to it by the
// Append functions: a comma is due.
func (w *Writer) Resume(b []byte) {
	w.B = b
	w.comma = true
}

// StartMembers returns B, to append members to with the Append functions,
// and where they start; hand both to EndMembers. The Writer must be in an
// object, just after its opening brace or after a member.
func (w *Writer) StartMembers() (b []byte, start int) {
	b = w.B
	if !w.comma {
		// Just opened: the first member's comma takes the brace's place.
		b = b[:len(b)-1]
	}
	return b, len(b)
}

// EndMembers takes back B, with the members appended from start.
func (w *Writer) EndMembers(b []byte, start int) {
	switch {
	case w.comma:
	case len(b) == start:
		b = append(b, '{')
	default:
		b[start] = '{'
		w.comma = true
	}
	w.B = b
}

// EndObject ends the object whose members (written with their leading
// commas) start at b[start:]: the first comma becomes the opening brace.
func EndObject(b []byte, start int) []byte {
	if len(b) == start {
		return append(b, '{', '}')
	}
	b[start] = '{'
	return append(b, '}')
}

// EndArray ends the array whose elements (written with their leading
// commas, the key text ","), start at b[start:]: the first comma becomes
// the opening bracket.
func EndArray(b []byte, start int) []byte {
	if len(b) == start {
		return append(b, '[', ']')
	}
	b[start] = '['
	return append(b, ']')
}

// AppendInt appends the member m with the value v.
func AppendInt(b []byte, m string, v int64) []byte {
	b = append(b, m...)
	if v < 0 {
		b = append(b, '-')
		return textfmt.AppendUint(b, -uint64(v))
	}
	return textfmt.AppendUint(b, uint64(v))
}

// AppendTime appends the member m with the time t in UTC, as an RFC 3339
// string with nanoseconds (AppendRFC3339Nano).
func AppendTime(b []byte, m string, t time.Time) []byte {
	b = append(b, m...)
	b = append(b, '"')
	return append(AppendRFC3339Nano(b, t), '"')
}

// AppendUint appends the member m with the value v.
func AppendUint(b []byte, m string, v uint64) []byte {
	b = append(b, m...)
	if v < 10 { // the most common numbers, without a call
		return append(b, byte('0'+v))
	}
	return textfmt.AppendUint(b, v)
}

// AppendName appends the member m with the string s, which needs no
// escape.
func AppendName(b []byte, m, s string) []byte {
	b = append(b, m...)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AppendEnum appends the member m with names[v], or v as a number when it
// has no name.
func AppendEnum(b []byte, m string, names []string, v uint64) []byte {
	return appendEnum(append(b, m...), names, v)
}

// appendEnum appends the value of AppendEnum.
func appendEnum(b []byte, names []string, v uint64) []byte {
	if v < uint64(len(names)) && names[v] != "" {
		b = append(b, '"')
		b = append(b, names[v]...)
		return append(b, '"')
	}
	return textfmt.AppendUint(b, v)
}

// BitNames holds the names of the bits of a bit set (names[i] for bit i)
// as AppendBits writes them: for each byte of the names, the text of
// every combination of its bits, built on first use (a 16-bit table takes
// some 0.1 ms, too long for the initialisation of every program).
type BitNames struct {
	names []string
	once  sync.Once
	bytes [][256]string // [k][x]: the elements of the bits 8k+i set in x
}

// NewBitNames returns the BitNames of names.
func NewBitNames(names []string) *BitNames { return &BitNames{names: names} }

// table returns the texts of the combinations of bits: each set bit as
// `,"NAME"`, or `,value` when it has no name, lowest first.
func (q *BitNames) table() [][256]string {
	q.once.Do(func() {
		q.bytes = make([][256]string, (len(q.names)+7)/8)
		var text []byte
		var end [256]int
		for k := range q.bytes {
			text = text[:0]
			for x := 1; x < 256; x++ {
				for i := 8 * k; i < 8*k+8; i++ {
					switch {
					case x&(1<<(i-8*k)) == 0:
					case i < len(q.names) && q.names[i] != "":
						text = append(append(append(text, ',', '"'), q.names[i]...), '"')
					default:
						text = textfmt.AppendUint(append(text, ','), 1<<i)
					}
				}
				end[x] = len(text)
			}
			all := string(text) // one string; the combinations are slices of it
			for x := 1; x < 256; x++ {
				q.bytes[k][x] = all[end[x-1]:end[x]]
			}
		}
	})
	return q.bytes
}

// AppendBits appends the member m with the set bits of v as a list of
// names (the name of bit i in q, or the bit's value when it has none),
// lowest first.
func AppendBits(b []byte, m string, q *BitNames, v uint64) []byte {
	return appendBitNames(append(b, m...), q, v)
}

// appendBitNames appends the list of AppendBits, a byte of v at a time.
func appendBitNames(b []byte, q *BitNames, v uint64) []byte {
	start := len(b)
	t := q.table()
	for k := 0; v != 0; k, v = k+1, v>>8 {
		if k < len(t) {
			b = append(b, t[k][v&0xff]...)
			continue
		}
		for x := v & 0xff; x != 0; x &= x - 1 { // bits beyond the names
			b = textfmt.AppendUint(append(b, ','), 1<<(8*k+bits.TrailingZeros64(x)))
		}
	}
	return EndArray(b, start)
}

// AppendAddr appends the member m4 (a is IPv4) or m6 (a is not) with the
// address a as a string, as [netip.Addr.String] writes it.
func AppendAddr(b []byte, m4, m6 string, a netip.Addr) []byte {
	if a.Is4() {
		b = append(b, m4...)
	} else {
		b = append(b, m6...)
	}
	return appendAddr(b, a)
}

// AppendText appends the member m with s as a string if s is valid
// UTF-8, else the member mhex (`,"key-hex":`) with s in hex, as Text
// writes them.
func AppendText(b []byte, m, mhex string, s []byte) []byte {
	if utf8.Valid(s) {
		return appendStr(append(b, m...), s)
	}
	return appendHex(append(b, mhex...), s)
}

// AppendHex appends the member m with p as a string of lowercase hex
// digits.
func AppendHex(b []byte, m string, p []byte) []byte {
	return appendHex(append(b, m...), p)
}
