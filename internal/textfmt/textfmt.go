// Package textfmt formats the pieces of conntrack-tools text lines fast:
// decimal integers, IPv4 addresses as inet_ntoa writes them and IPv6
// addresses as glibc's inet_ntop does, padded integers and ctime(3) dates.
// Every function appends to dst and allocates only when dst must grow.
package textfmt

import (
	"math/bits"
	"slices"
	"time"
)

// digits2 holds the two-digit decimal numbers 00 to 99.
const digits2 = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

const hexDigits = "0123456789abcdef"

// pow10[i] is 10**i.
var pow10 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
	1e15, 1e16, 1e17, 1e18, 1e19}

// decLen returns the number of decimal digits of v (1 for 0).
func decLen(v uint64) int {
	t := bits.Len64(v|1) * 1233 >> 12 // log10(2) ~ 1233/4096
	if v < pow10[t] {
		return t
	}
	return t + 1
}

// dec3[v], for v below 1000, holds the decimal digits of v from the low
// byte and their count in the top byte; pad3[v] the three digits of v with
// leading zeros.
var dec3, pad3 = func() (d, p [1000]uint32) {
	for v := range d {
		a, b, c := uint32('0'+v/100), uint32('0'+v/10%10), uint32('0'+v%10)
		p[v] = a | b<<8 | c<<16
		switch {
		case v >= 100:
			d[v] = a | b<<8 | c<<16 | 3<<24
		case v >= 10:
			d[v] = b | c<<8 | 2<<24
		default:
			d[v] = c | 1<<24
		}
	}
	return d, p
}()

// putDec writes v in decimal at b[i:], which has room for 24 bytes, and
// returns the index after it.
func putDec(b []byte, i int, v uint64) int {
	_ = b[i+23]
	if v < 1000 {
		e := dec3[v]
		b[i], b[i+1], b[i+2] = byte(e), byte(e>>8), byte(e>>16)
		return i + int(e>>24)
	}
	n := decLen(v)
	j := i + n
	for v >= 1<<32 { // nine digits at a time, by one 64-bit division
		q := v / 1e9
		r := uint32(v - 1e9*q)
		for range 3 {
			q := r / 1000
			e := pad3[r-1000*q]
			b[j-3], b[j-2], b[j-1] = byte(e), byte(e>>8), byte(e>>16)
			j -= 3
			r = q
		}
		v = q
	}
	u := uint32(v)
	for u >= 1000 {
		q := u / 1000
		e := pad3[u-1000*q]
		b[j-3], b[j-2], b[j-1] = byte(e), byte(e>>8), byte(e>>16)
		j -= 3
		u = q
	}
	e := dec3[u] // the head, one to three digits, before the groups
	b[i] = byte(e)
	if e>>24 > 1 {
		b[i+1] = byte(e >> 8)
		if e>>24 > 2 {
			b[i+2] = byte(e >> 16)
		}
	}
	return i + n
}

// AppendUint appends v in decimal.
func AppendUint(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v))
	}
	i := len(dst)
	if cap(dst)-i < 24 {
		dst = slices.Grow(dst, 24)
	}
	b := dst[:i+24]
	return b[:putDec(b, i, v)]
}

// AppendUintSpace appends v in decimal and a space.
func AppendUintSpace(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v), ' ')
	}
	i := len(dst)
	if cap(dst)-i < 25 {
		dst = slices.Grow(dst, 25)
	}
	b := dst[:i+25]
	j := putDec(b, i, v)
	b[j] = ' '
	return b[:j+1]
}

// AppendHex appends v in lowercase hexadecimal without leading zeros.
func AppendHex(dst []byte, v uint64) []byte {
	var buf [16]byte
	i := len(buf)
	for {
		i--
		buf[i] = hexDigits[v&15]
		v >>= 4
		if v == 0 {
			return append(dst, buf[i:]...)
		}
	}
}

// AppendPadInt appends v in decimal with at least n digits (printf "%.Nd").
func AppendPadInt(dst []byte, v int64, n int) []byte {
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var buf [24]byte // AppendUint's room: no allocation
	b := AppendUint(buf[:0], u)
	for i := len(b); i < n; i++ {
		dst = append(dst, '0')
	}
	return append(dst, b...)
}

// octets[o] holds the decimal digits of o from the low byte, and their
// count in the top byte.
var octets = func() (t [256]uint32) {
	for o := range t {
		var b [4]byte
		s := AppendUint(b[:0], uint64(o))
		n := len(s)
		s = s[:3]
		t[o] = uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(n)<<24
	}
	return t
}()

// putQuad writes a as a dotted quad at b[i:] (which must have 16 bytes of
// room) and returns the index after it.
func putQuad(b []byte, i int, a [4]byte) int {
	_ = b[i+15]
	for k, o := range a {
		e := octets[o]
		b[i], b[i+1], b[i+2], b[i+3] = byte(e), byte(e>>8), byte(e>>16), '.'
		i += int(e >> 24)
		if k < 3 {
			b[i] = '.'
			i++
		}
	}
	return i
}

// AppendIPv4 appends a in dotted quad, as inet_ntoa writes it.
func AppendIPv4(dst []byte, a [4]byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 16)[:n+16]
	return dst[:putQuad(dst, n, a)]
}

// zeroRuns[m], for a mask m of the zero groups of an IPv6 address (bit k
// for group k), is the first longest run of at least two zero groups:
// start<<4 | length, or 0xf0 when there is none.
var zeroRuns = func() (t [256]uint8) {
	for m := range t {
		best, bestLen := 15, 1
		for k := 0; k < 8; {
			if m&(1<<k) == 0 {
				k++
				continue
			}
			s := k
			for k < 8 && m&(1<<k) != 0 {
				k++
			}
			if k-s > bestLen {
				best, bestLen = s, k-s
			}
		}
		if best == 15 {
			bestLen = 0
		}
		t[m] = uint8(best<<4 | bestLen)
	}
	return t
}()

// AppendIPv6 appends a as glibc's inet_ntop(AF_INET6) writes it: RFC 5952
// text (lowercase hexadecimal without leading zeros, the first longest run
// of two or more zero groups as "::"), except that an address whose first
// 96 bits are zero and whose next 16 are not (IPv4-compatible) or whose
// first 80 bits are zero and next 16 are ones (IPv4-mapped) ends in a
// dotted quad: "::1.2.3.4", "::ffff:1.2.3.4".
func AppendIPv6(dst []byte, a [16]byte) []byte {
	var w [8]uint16
	var zero uint
	for k := range w {
		w[k] = uint16(a[2*k])<<8 | uint16(a[2*k+1])
		if w[k] == 0 {
			zero |= 1 << k
		}
	}
	run := zeroRuns[zero&0xff]
	best, bestLen := int(run>>4), int(run&15)
	n := len(dst)
	dst = slices.Grow(dst, 48)[:n+48]
	i := n
	if best == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
		if bestLen == 5 {
			i += copy(dst[i:], "::ffff:")
		} else {
			i += copy(dst[i:], "::")
		}
		return dst[:putQuad(dst, i, [4]byte(a[12:]))]
	}
	for k := 0; k < 8; k++ {
		if k == best {
			dst[i], dst[i+1] = ':', ':'
			i += 2
			k += bestLen - 1
			continue
		}
		if k > 0 && k != best+bestLen {
			dst[i] = ':'
			i++
		}
		v := w[k]
		switch {
		case v >= 0x1000:
			dst[i] = hexDigits[v>>12]
			i++
			fallthrough
		case v >= 0x100:
			dst[i] = hexDigits[v>>8&15]
			i++
			fallthrough
		case v >= 0x10:
			dst[i] = hexDigits[v>>4&15]
			i++
		}
		dst[i] = hexDigits[v&15]
		i++
	}
	return dst[:i]
}

// AppendCtime appends sec as ctime(3) writes it without the newline:
// "Thu Nov 14 22:13:20 2023", in loc (nil: UTC).
func AppendCtime(dst []byte, sec int64, loc *time.Location) []byte {
	if loc == nil {
		loc = time.UTC
	}
	t := time.Unix(sec, 0).In(loc)
	year, month, day := t.Date()
	hour, min, s := t.Clock()
	dst = append(dst, t.Weekday().String()[:3]...)
	dst = append(dst, ' ')
	dst = append(dst, month.String()[:3]...)
	if day < 10 {
		dst = append(dst, "  "...)
	} else {
		dst = append(dst, ' ')
	}
	dst = AppendUint(dst, uint64(day))
	dst = append(dst, ' ')
	dst = append(dst, digits2[2*hour], digits2[2*hour+1], ':', digits2[2*min], digits2[2*min+1], ':',
		digits2[2*s], digits2[2*s+1], ' ')
	if year < 0 {
		return AppendPadInt(dst, int64(year), 1)
	}
	return AppendUint(dst, uint64(year))
}
