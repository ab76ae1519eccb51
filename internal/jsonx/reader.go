package jsonx

import (
	"net/netip"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of objects and arrays a [Reader] accepts.
const MaxDepth = 32

type level struct {
	key   []byte // the member key of the object or array at this level
	first bool
}

// Reader reads JSON from In. After the first fault it records the error
// (see [Reader.Err]) and every further call does nothing, so parsers need
// not check errors at each step.
type Reader struct {
	// In is the input.
	In []byte
	// Pos is the offset in In of the next byte to read.
	Pos int
	// Key is the key of the current member, set by More; it may alias In.
	Key []byte

	keyOff int
	err    *Error
	depth  int
	stack  [MaxDepth]level
}

// Err returns the first fault, an [*Error], or nil.
func (r *Reader) Err() error {
	if r.err == nil {
		return nil
	}
	return r.err
}

// FailMissing records [ErrMissing] for the required key that the object
// just read lacks, naming that key in the error's path.
func (r *Reader) FailMissing(off int, key string) {
	r.Key = []byte(key)
	r.Fail(off, ErrMissing)
}

// Fail records the fault err at offset off with the current key path,
// unless a fault is already recorded.
func (r *Reader) Fail(off int, err error) {
	if r.err != nil {
		return
	}
	var path []byte
	for i := 0; i < r.depth; i++ {
		if k := r.stack[i].key; len(k) > 0 {
			if len(path) > 0 {
				path = append(path, '.')
			}
			path = append(path, k...)
		}
	}
	if len(r.Key) > 0 {
		if len(path) > 0 {
			path = append(path, '.')
		}
		path = append(path, r.Key...)
	}
	r.err = &Error{Offset: off, Key: string(path), Err: err}
}

func (r *Reader) ws() {
	for r.Pos < len(r.In) {
		switch r.In[r.Pos] {
		case ' ', '\t', '\n', '\r':
			r.Pos++
		default:
			return
		}
	}
}

// Peek skips blanks and returns the next byte, or 0 at the end.
func (r *Reader) Peek() byte {
	r.ws()
	if r.Pos < len(r.In) {
		return r.In[r.Pos]
	}
	return 0
}

// typeErr reports the value at r.Pos as of the wrong type, or as a
// syntax error if it starts no value at all.
func (r *Reader) typeErr() {
	rest := r.In[min(r.Pos, len(r.In)):]
	switch r.Peek() {
	case '{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		r.Fail(r.Pos, ErrType)
	case 't', 'f', 'n':
		if hasPrefix(rest, "true") || hasPrefix(rest, "false") || hasPrefix(rest, "null") {
			r.Fail(r.Pos, ErrType)
		} else {
			r.Fail(r.Pos, ErrSyntax)
		}
	default:
		r.Fail(r.Pos, ErrSyntax)
	}
}

func (r *Reader) push() bool {
	if r.depth == len(r.stack) {
		r.Fail(r.Pos, ErrDepth)
		return false
	}
	r.stack[r.depth] = level{key: r.Key, first: true}
	r.depth++
	r.Key = nil
	r.Pos++
	return true
}

func (r *Reader) pop() {
	r.Pos++
	r.depth--
	r.Key = r.stack[r.depth].key
}

// BeginObject enters the object at r.Pos; iterate its members with More.
func (r *Reader) BeginObject() bool {
	if r.err != nil {
		return false
	}
	if r.Peek() != '{' {
		r.typeErr()
		return false
	}
	return r.push()
}

// More advances to the next member of the current object, setting r.Key,
// or leaves the object and returns false.
func (r *Reader) More() bool {
	if r.err != nil || r.depth == 0 {
		return false
	}
	r.Key = nil
	lv := &r.stack[r.depth-1]
	c := r.Peek()
	if c == '}' {
		r.pop()
		return false
	}
	if !lv.first {
		if c != ',' {
			r.Fail(r.Pos, ErrSyntax)
			return false
		}
		r.Pos++
		c = r.Peek()
	}
	lv.first = false
	if c != '"' {
		r.Fail(r.Pos, ErrSyntax)
		return false
	}
	off := r.Pos
	k := r.Str()
	if r.Peek() != ':' {
		r.Fail(r.Pos, ErrSyntax)
		return false
	}
	r.Pos++
	r.Key, r.keyOff = k, off
	return r.err == nil
}

// BeginArray enters the array at r.Pos; iterate its elements with
// MoreElem.
func (r *Reader) BeginArray() bool {
	if r.err != nil {
		return false
	}
	if r.Peek() != '[' {
		r.typeErr()
		return false
	}
	return r.push()
}

// MoreElem advances to the next element of the current array, or leaves
// the array and returns false.
func (r *Reader) MoreElem() bool {
	if r.err != nil || r.depth == 0 {
		return false
	}
	lv := &r.stack[r.depth-1]
	c := r.Peek()
	if c == ']' {
		r.pop()
		return false
	}
	if !lv.first {
		if c != ',' {
			r.Fail(r.Pos, ErrSyntax)
			return false
		}
		r.Pos++
		r.ws()
	}
	lv.first = false
	return true
}

// Unknown reports the current member as not in the schema.
func (r *Reader) Unknown() { r.Fail(r.keyOff, ErrKey) }

// End checks that nothing but blanks follows the value.
func (r *Reader) End() {
	if r.err == nil && r.Peek() != 0 {
		r.Fail(r.Pos, ErrSyntax)
	}
}

// Str reads a string. Without escapes the result aliases the input.
func (r *Reader) Str() []byte {
	if r.err != nil {
		return nil
	}
	if r.Peek() != '"' {
		r.typeErr()
		return nil
	}
	start := r.Pos + 1
	for i := start; i < len(r.In); i++ {
		switch c := r.In[i]; {
		case c == '"':
			r.Pos = i + 1
			return r.In[start:i]
		case c == '\\':
			return r.strEscaped(start, i)
		case c < 0x20:
			r.Fail(i, ErrSyntax)
			return nil
		}
	}
	r.Fail(len(r.In), ErrSyntax)
	return nil
}

func (r *Reader) strEscaped(start, i int) []byte {
	out := append([]byte(nil), r.In[start:i]...)
	for i < len(r.In) {
		c := r.In[i]
		switch {
		case c == '"':
			r.Pos = i + 1
			return out
		case c < 0x20:
			r.Fail(i, ErrSyntax)
			return nil
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(r.In) {
			break
		}
		switch e := r.In[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := hex4(r.In, i+2)
			if !ok {
				r.Fail(i, ErrSyntax)
				return nil
			}
			i += 6
			rn := rune(c1)
			if isSurrogate(rn) {
				rn = utf8.RuneError
				if c1 < 0xdc00 && i+1 < len(r.In) && r.In[i] == '\\' && r.In[i+1] == 'u' {
					if c2, ok := hex4(r.In, i+2); ok && c2 >= 0xdc00 && c2 < 0xe000 {
						rn = (rune(c1)-0xd800)<<10 | (rune(c2) - 0xdc00) + 0x10000
						i += 6
					}
				}
			}
			out = utf8.AppendRune(out, rn)
			continue
		default:
			r.Fail(i, ErrSyntax)
			return nil
		}
		i += 2
	}
	r.Fail(len(r.In), ErrSyntax)
	return nil
}

func isSurrogate(r rune) bool { return r >= 0xd800 && r < 0xe000 }

// hexVal returns the value of a hex digit, or 255.
func hexVal(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

func hex4(b []byte, i int) (uint16, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var v uint16
	for _, c := range b[i : i+4] {
		d := hexVal(c)
		if d > 15 {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}

// scanNumber checks the JSON number grammar at r.Pos and returns where
// its integer part ends and where the number ends.
func (r *Reader) scanNumber() (intEnd, end int, ok bool) {
	i := r.Pos
	if i < len(r.In) && r.In[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(r.In) && r.In[i] >= '0' && r.In[i] <= '9' {
			i++
			n++
		}
		return n
	}
	first := i
	if n := digits(); n == 0 || (n > 1 && r.In[first] == '0') {
		return 0, 0, false
	}
	intEnd = i
	if i < len(r.In) && r.In[i] == '.' {
		i++
		if digits() == 0 {
			return 0, 0, false
		}
	}
	if i < len(r.In) && (r.In[i] == 'e' || r.In[i] == 'E') {
		i++
		if i < len(r.In) && (r.In[i] == '+' || r.In[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, 0, false
		}
	}
	return intEnd, i, true
}

// num reads an integer: its sign, magnitude, and start offset. A
// fraction, an exponent or a magnitude beyond 64 bits is ErrValue.
func (r *Reader) num() (neg bool, v uint64, start int, ok bool) {
	if r.err != nil {
		return false, 0, 0, false
	}
	c := r.Peek()
	start = r.Pos
	if c != '-' && (c < '0' || c > '9') {
		r.typeErr()
		return false, 0, start, false
	}
	intEnd, end, ok := r.scanNumber()
	if !ok {
		r.Fail(start, ErrSyntax)
		return false, 0, start, false
	}
	r.Pos = end
	if intEnd != end {
		r.Fail(start, ErrValue)
		return false, 0, start, false
	}
	i := start
	if r.In[i] == '-' {
		neg = true
		i++
	}
	for ; i < intEnd; i++ {
		d := uint64(r.In[i] - '0')
		if v > (1<<64-1-d)/10 {
			r.Fail(start, ErrValue)
			return false, 0, start, false
		}
		v = v*10 + d
	}
	return neg, v, start, true
}

// Uint reads an unsigned integer no larger than max.
func (r *Reader) Uint(max uint64) uint64 {
	neg, v, start, ok := r.num()
	if !ok {
		return 0
	}
	if (neg && v != 0) || v > max {
		r.Fail(start, ErrValue)
		return 0
	}
	return v
}

// Int reads a signed integer in [min, max].
func (r *Reader) Int(min, max int64) int64 {
	neg, v, start, ok := r.num()
	if !ok {
		return 0
	}
	var x int64
	switch {
	case !neg && v <= 1<<63-1:
		x = int64(v)
	case neg && v <= 1<<63:
		x = int64(-v)
	default:
		r.Fail(start, ErrValue)
		return 0
	}
	if x < min || x > max {
		r.Fail(start, ErrValue)
		return 0
	}
	return x
}

// Bool reads true or false.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	c := r.Peek()
	switch {
	case c == 't' && hasPrefix(r.In[r.Pos:], "true"):
		r.Pos += 4
		return true
	case c == 'f' && hasPrefix(r.In[r.Pos:], "false"):
		r.Pos += 5
		return false
	}
	r.typeErr()
	return false
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// Skip reads any value.
func (r *Reader) Skip() {
	switch c := r.Peek(); c {
	case '{':
		r.BeginObject()
		for r.More() {
			r.Skip()
		}
	case '[':
		r.BeginArray()
		for r.MoreElem() {
			r.Skip()
		}
	case '"':
		r.Str()
	case 't', 'f':
		r.Bool()
	case 'n':
		if hasPrefix(r.In[r.Pos:], "null") {
			r.Pos += 4
		} else {
			r.Fail(r.Pos, ErrSyntax)
		}
	default:
		if _, end, ok := r.scanNumber(); ok {
			r.Pos = end
		} else {
			r.Fail(r.Pos, ErrSyntax)
		}
	}
}

// NameEq reports whether s names n: ASCII case ignored, '-' and '_'
// alike.
func NameEq(n string, s []byte) bool {
	if len(n) != len(s) {
		return false
	}
	for i := 0; i < len(n); i++ {
		a, b := n[i], s[i]
		if a == b {
			continue
		}
		if 'a' <= a && a <= 'z' {
			a -= 'a' - 'A'
		}
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		if a == '-' {
			a = '_'
		}
		if b == '-' {
			b = '_'
		}
		if a != b {
			return false
		}
	}
	return true
}

// Lookup returns the index of the name s in names (see [NameEq]), or -1.
func Lookup(names []string, s []byte) int {
	for i, n := range names {
		if n != "" && NameEq(n, s) {
			return i
		}
	}
	return -1
}

// Enum reads a name of names (or of alt, indexed alike), returning its
// index, or a number no larger than max.
func (r *Reader) Enum(names, alt []string, max uint64) uint64 {
	if r.Peek() != '"' {
		return r.Uint(max)
	}
	start := r.Pos
	s := r.Str()
	if r.err != nil {
		return 0
	}
	i := Lookup(names, s)
	if i < 0 {
		i = Lookup(alt, s)
	}
	if i < 0 || uint64(i) > max {
		r.Fail(start, ErrValue)
		return 0
	}
	return uint64(i)
}

// Bits reads a bit set: a list of names of names (or alt; names[i] is
// bit i) and bit values, or one number; no bit above max may be set.
func (r *Reader) Bits(names, alt []string, max uint64) uint64 {
	if r.Peek() != '[' {
		return r.Uint(max)
	}
	var v uint64
	r.BeginArray()
	for r.MoreElem() {
		if r.Peek() != '"' {
			v |= r.Uint(max)
			continue
		}
		start := r.Pos
		s := r.Str()
		i := Lookup(names, s)
		if i < 0 {
			i = Lookup(alt, s)
		}
		if i < 0 || uint64(1)<<i > max {
			r.Fail(start, ErrValue)
			return 0
		}
		v |= 1 << i
	}
	return v
}

// Addr reads an address: an IPv4 one when v4, else any other (IPv6 or
// IPv4-mapped IPv6), without a zone.
func (r *Reader) Addr(v4 bool) netip.Addr {
	start := r.Pos
	s := r.Str()
	if r.err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(string(s))
	if err != nil || a.Is4() != v4 || a.Zone() != "" {
		r.Fail(start, ErrValue)
		return netip.Addr{}
	}
	return a
}

// HexBytes reads a string of hex digits into a new slice.
func (r *Reader) HexBytes() []byte {
	r.Peek()
	start := r.Pos
	s := r.Str()
	if r.err != nil {
		return nil
	}
	if len(s)%2 != 0 {
		r.Fail(start, ErrValue)
		return nil
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, lo := hexVal(s[2*i]), hexVal(s[2*i+1])
		if hi > 15 || lo > 15 {
			r.Fail(start, ErrValue)
			return nil
		}
		out[i] = hi<<4 | lo
	}
	return out
}
