package cli

import "math"

// C's number parsing as conntrack uses it: strtoul with a base (0 reads a
// "0x" prefix as hex and a leading 0 as octal), atoi and atol. They skip
// leading white space, take a sign, stop at the first character that is
// not a digit and read nothing as 0; strtoul negates a negative value in
// unsigned arithmetic and saturates on overflow.

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func digitVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// strtoul returns the value, the unread rest and whether a digit was read.
func strtoul(s string, base int) (uint64, string, bool) {
	orig := s
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if (base == 0 || base == 16) && len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && len(s) > 2 && digitVal(s[2]) < 16 {
		s, base = s[2:], 16
	} else if base == 0 && s != "" && s[0] == '0' {
		base = 8
	} else if base == 0 {
		base = 10
	}
	var v uint64
	over, any := false, false
	for s != "" && digitVal(s[0]) < base {
		d := uint64(digitVal(s[0]))
		if v > (math.MaxUint64-d)/uint64(base) {
			over = true
		}
		v = v*uint64(base) + d
		s, any = s[1:], true
	}
	if !any {
		return 0, orig, false
	}
	if over {
		return math.MaxUint64, s, true
	}
	if neg {
		v = -v
	}
	return v, s, true
}

// strtol is strtoul for a signed long, saturating at its bounds.
func strtol(s string, base int) int64 {
	t := s
	for t != "" && isSpace(t[0]) {
		t = t[1:]
	}
	neg := t != "" && t[0] == '-'
	if t != "" && (t[0] == '-' || t[0] == '+') {
		t = t[1:]
	}
	if t != "" && t[0] == '+' || t != "" && t[0] == '-' {
		return 0
	}
	u, _, ok := strtoul(t, base)
	if !ok {
		return 0
	}
	if neg {
		if u > 1<<63 {
			return math.MinInt64
		}
		return -int64(u)
	}
	if u > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(u)
}

// atoi is C's atoi: strtol in base 10, truncated to an int.
func atoi(s string) int32 { return int32(strtol(s, 10)) }

// atol is C's atol.
func atol(s string) int64 { return strtol(s, 10) }

// u32 is (uint32)strtoul(s, NULL, 0).
func u32(s string) uint32 {
	v, _, _ := strtoul(s, 0)
	return uint32(v)
}
