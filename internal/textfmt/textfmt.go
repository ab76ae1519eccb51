// Package textfmt formats the pieces of conntrack-tools text lines fast:
// decimal integers, IPv4 addresses as inet_ntoa writes them and IPv6
// addresses as glibc's inet_ntop does, padded integers and ctime(3) dates.
// Every function appends to dst and allocates only when dst must grow.
package textfmt

import (
	"encoding/binary"
	"slices"
	"time"
)

// Digits2 holds the two-digit decimal numbers 00 to 99.
const Digits2 = "00010203040506070809" +
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
// returns the index after it. It writes from the left: the head (one to
// three digits, from dec3) and then zero-padded groups of three (from
// pad3), each as one 32-bit store whose spare byte the next store, or the
// caller's next byte, overwrites.
func putDec(b []byte, i int, v uint64) int {
	_ = b[i+23]
	switch {
	case v < 1000:
		e := dec3[v]
		binary.LittleEndian.PutUint32(b[i:], e)
		return i + int(e>>24)
	case v < 1e6:
		u := uint32(v)
		q := u / 1000
		e := dec3[q]
		binary.LittleEndian.PutUint32(b[i:], e)
		i += int(e >> 24)
		binary.LittleEndian.PutUint32(b[i:], pad3[u-1000*q])
		return i + 3
	case v < 1e9:
		u := uint32(v)
		q := u / 1e6
		r := u - 1e6*q
		e := dec3[q]
		binary.LittleEndian.PutUint32(b[i:], e)
		i += int(e >> 24)
		q = r / 1000
		binary.LittleEndian.PutUint32(b[i:], pad3[q])
		binary.LittleEndian.PutUint32(b[i+3:], pad3[r-1000*q])
		return i + 6
	}
	// The digits above the last nine (at most eleven), and those nine.
	q := v / 1e9
	i = putDec(b, i, q)
	return put9(b, i, uint32(v-1e9*q))
}

// put9 writes v, below 10**9, as exactly nine digits.
func put9(b []byte, i int, v uint32) int {
	_ = b[i+12]
	q1 := v / 1e6
	v -= 1e6 * q1
	q2 := v / 1000
	binary.LittleEndian.PutUint32(b[i:], pad3[q1])
	binary.LittleEndian.PutUint32(b[i+3:], pad3[q2])
	binary.LittleEndian.PutUint32(b[i+6:], pad3[v-1000*q2])
	return i + 9
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

// octets[o] holds the decimal digits of o and a dot from the low byte,
// and their count in the top byte.
var octets = func() (t [256]uint64) {
	for o := range t {
		var b [32]byte // AppendUint's room: in place
		s := append(AppendUint(b[:0], uint64(o)), '.')
		t[o] = uint64(binary.LittleEndian.Uint32(b[:4])) | uint64(len(s))<<56
	}
	return t
}()

// putQuad writes a as a dotted quad at b[i:] (which must have 16 bytes of
// room) and returns the index after it.
func putQuad(b []byte, i int, a [4]byte) int {
	_ = b[i+15]
	for _, o := range a {
		e := octets[o]
		binary.LittleEndian.PutUint32(b[i:], uint32(e))
		i += int(e >> 56)
	}
	return i - 1 // without the last dot
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
	dst = append(dst, Digits2[2*hour], Digits2[2*hour+1], ':', Digits2[2*min], Digits2[2*min+1], ':',
		Digits2[2*s], Digits2[2*s+1], ' ')
	if year < 0 {
		return AppendPadInt(dst, int64(year), 1)
	}
	return AppendUint(dst, uint64(year))
}
