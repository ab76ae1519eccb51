package cli

import (
	"github.com/ctwire/ctwire/conntrack"
	"net/netip"
	"strings"
)

// inetAton reads an IPv4 address as glibc's inet_aton does: one to four
// numbers separated by dots, each in C notation (0x hex, leading 0
// octal), the last one filling the remaining bytes; the text may end with
// white space and anything after it.
func inetAton(s string) (netip.Addr, bool) {
	var parts [4]uint64
	n := 0
	for {
		if s == "" || digitVal(s[0]) > 9 {
			return netip.Addr{}, false
		}
		v, rest, _ := strtoul(s, 0)
		if v > 0xffffffff || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			return netip.Addr{}, false
		}
		if n == 4 {
			return netip.Addr{}, false
		}
		parts[n] = v
		n++
		s = rest
		if s != "" && s[0] == '.' {
			s = s[1:]
			continue
		}
		if s != "" && !isSpace(s[0]) {
			return netip.Addr{}, false
		}
		break
	}
	var v uint64
	switch n {
	case 1:
		v = parts[0]
	case 2:
		if parts[0] > 0xff || parts[1] > 0xffffff {
			return netip.Addr{}, false
		}
		v = parts[0]<<24 | parts[1]
	case 3:
		if parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff {
			return netip.Addr{}, false
		}
		v = parts[0]<<24 | parts[1]<<16 | parts[2]
	case 4:
		for _, p := range parts {
			if p > 0xff {
				return netip.Addr{}, false
			}
		}
		v = parts[0]<<24 | parts[1]<<16 | parts[2]<<8 | parts[3]
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// inetPton6 reads an IPv6 address as inet_pton(AF_INET6) does (no zone).
func inetPton6(s string) (netip.Addr, bool) {
	if strings.ContainsAny(s, "%") || !strings.Contains(s, ":") {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a, true
}

// Results of parseAddr for the netmask.
const (
	noMask  = -1
	badMask = -2
)

// parseAddr reads an address with an optional "/bits" as conntrack does:
// the family (0 when neither IPv4 nor IPv6), the address and the prefix
// length, noMask or badMask.
func parseAddr(s string) (conntrack.Family, netip.Addr, int) {
	if len(s) > 45 {
		s = s[:45] // conntrack copies it into a buffer of INET6_ADDRSTRLEN
	}
	mask := noMask
	if i := strings.IndexByte(s, '/'); i >= 0 {
		m := strtol(s[i+1:], 10)
		_, rest, _ := strtoul(s[i+1:], 10)
		if m < 0 || rest != "" || m > 1<<20 {
			mask = badMask
		} else {
			mask = int(m)
		}
		s = s[:i]
	}
	if a, ok := inetAton(s); ok {
		if mask > 32 {
			mask = badMask
		}
		return conntrack.FamilyIPv4, a, mask
	}
	if a, ok := inetPton6(s); ok {
		if mask > 128 {
			mask = badMask
		}
		return conntrack.FamilyIPv6, a, mask
	}
	return 0, netip.Addr{}, mask
}

// netmask returns the mask of a prefix length in the family.
func netmask(fam conntrack.Family, bits int) netip.Addr {
	n := 4
	if fam == conntrack.FamilyIPv6 {
		n = 16
	}
	var b [16]byte
	for i := 0; i < n; i++ {
		switch {
		case bits >= 8:
			b[i] = 0xff
			bits -= 8
		case bits > 0:
			b[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	if n == 4 {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16(b)
}

// maskAddr returns a & m (both of the same family).
func maskAddr(a, m netip.Addr) netip.Addr {
	if a.Is4() && m.Is4() {
		x, y := a.As4(), m.As4()
		for i := range x {
			x[i] &= y[i]
		}
		return netip.AddrFrom4(x)
	}
	x, y := a.As16(), m.As16()
	for i := range x {
		x[i] &= y[i]
	}
	return netip.AddrFrom16(x)
}

// validPort reports whether s is a port as conntrack's NAT option takes it:
// digits only, at most 65535.
func validPort(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	v, _, _ := strtoul(s, 10)
	return v <= 65535
}

// splitNAT splits the argument of --src-nat, --dst-nat and --any-nat into
// the address and the port: "1.2.3.4:80", "[2001:db8::1]:80", or an
// address alone.
func splitNAT(arg string) (addr, port string, hasPort bool, err error) {
	if i := strings.IndexByte(arg, '['); i >= 0 {
		start := arg[i+1:]
		j := strings.IndexByte(start, ']')
		switch {
		case j == 0:
			return "", "", false, paramErr("No IPv6 address specified")
		case j < 0:
			return "", "", false, paramErr("No closing ']' around IPv6 address")
		}
		rest := start[j:]
		if k := strings.IndexByte(rest, ':'); k >= 0 {
			addr, port, hasPort = start[:j], rest[k+1:], true
		} else {
			addr = arg
		}
	} else if k := strings.IndexByte(arg, ':'); k >= 0 && !strings.Contains(arg[k+1:], ":") {
		addr, port, hasPort = arg[:k], arg[k+1:], true
	} else {
		addr = arg
	}
	if hasPort {
		if port == "" {
			return "", "", false, paramErr("No port specified after `:'")
		}
		if !validPort(port) {
			return "", "", false, paramErr("Invalid port `%s'", port)
		}
	}
	return addr, port, hasPort, nil
}
