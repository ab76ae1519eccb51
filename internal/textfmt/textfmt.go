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

// putDec writes v in decimal into b, whose length is the digit count.
func putDec(b []byte, v uint64) {
	j := len(b)
	for v >= 1<<32 {
		q := v / 100
		r := v - 100*q
		j -= 2
		b[j], b[j+1] = digits2[2*r], digits2[2*r+1]
		v = q
	}
	u := uint32(v)
	for u >= 100 {
		q := u / 100
		r := u - 100*q
		j -= 2
		b[j], b[j+1] = digits2[2*r], digits2[2*r+1]
		u = q
	}
	if u >= 10 {
		b[j-2], b[j-1] = digits2[2*u], digits2[2*u+1]
	} else {
		b[j-1] = byte('0' + u)
	}
}

// AppendUint appends v in decimal.
func AppendUint(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v))
	}
	n := decLen(v)
	i := len(dst)
	if cap(dst)-i < n {
		dst = slices.Grow(dst, n)
	}
	dst = dst[:i+n]
	putDec(dst[i:], v)
	return dst
}

// AppendUintSpace appends v in decimal and a space.
func AppendUintSpace(dst []byte, v uint64) []byte {
	if v < 10 {
		return append(dst, byte('0'+v), ' ')
	}
	n := decLen(v)
	i := len(dst)
	if cap(dst)-i <= n {
		dst = slices.Grow(dst, n+1)
	}
	dst = dst[:i+n+1]
	putDec(dst[i:i+n], v)
	dst[i+n] = ' '
	return dst
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
	var buf [20]byte
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
