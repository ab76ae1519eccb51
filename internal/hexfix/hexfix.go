// Package hexfix lays out hex test fixtures of netlink messages for either
// byte order, so that one fixture text serves little- and big-endian hosts.
// It is used by tests only.
//
// Fixtures are written as the bytes a little-endian host sends or receives,
// in a notation that lets the same text be laid out for either byte order:
//
//	[48 00 00 00 01 01 05 00 01 00 00 00 00 00 00 00]
//	                a netlink header: u32 len, u16 type, u16 flags, u32 seq,
//	                u32 pid, each written little-endian; on a big-endian
//	                layout each field is reversed
//	<34 00 01 80>   an attribute header: u16 len and u16 type, likewise
//	{fe ff ff ff}   a host-order integer (2, 4 or 8 bytes): the error code
//	                of NLMSG_ERROR/NLMSG_DONE, a u32 extack TLV
//	0a 00 00 01     plain bytes, kept as they are (nfgenmsg, big-endian
//	                attribute payloads)
//	// ...          a comment to the end of the line
package hexfix

import (
	"fmt"
	"strings"

	"github.com/ctwire/ctwire/nla"
)

// Layout lays out text in byte order o (HostOrder meaning the running
// host's order). A malformed fixture is a bug in the test and panics.
func Layout(o nla.Order, text string) []byte {
	swap := o.Resolve() == nla.BigEndian
	var out, group []byte
	kind := byte(0) // 0 outside a group, else the opening bracket
	closer := map[byte]byte{'[': ']', '<': '>', '{': '}'}
	for line := range strings.SplitSeq(text, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		for f := range strings.FieldsSeq(line) {
			for len(f) > 0 {
				switch c := f[0]; c {
				case '[', '<', '{':
					if kind != 0 {
						panic("fixture: nested group")
					}
					kind, group, f = c, group[:0], f[1:]
					continue
				case ']', '>', '}':
					if kind == 0 || closer[kind] != c {
						panic("fixture: unbalanced group")
					}
					out = append(out, layout(kind, group, swap)...)
					kind, f = 0, f[1:]
					continue
				}
				if len(f) < 2 {
					panic("fixture: odd hex digit in " + f)
				}
				v := hexNibble(f[0])<<4 | hexNibble(f[1])
				f = f[2:]
				if kind != 0 {
					group = append(group, v)
				} else {
					out = append(out, v)
				}
			}
		}
	}
	if kind != 0 {
		panic("fixture: unterminated group")
	}
	return out
}

// layout returns group g in the requested order, reversing each field
// when swap is set.
func layout(kind byte, g []byte, swap bool) []byte {
	var widths []int
	switch kind {
	case '[':
		widths = []int{4, 2, 2, 4, 4}
	case '<':
		widths = []int{2, 2}
	case '{':
		widths = []int{len(g)}
		if len(g) != 2 && len(g) != 4 && len(g) != 8 {
			panic("fixture: a host integer has 2, 4 or 8 bytes")
		}
	}
	total := 0
	for _, w := range widths {
		total += w
	}
	if len(g) != total {
		panic(fmt.Sprintf("fixture: group %c has %d bytes, want %d", kind, len(g), total))
	}
	g = append([]byte(nil), g...)
	if swap {
		at := 0
		for _, w := range widths {
			f := g[at : at+w]
			for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
				f[i], f[j] = f[j], f[i]
			}
			at += w
		}
	}
	return g
}

func hexNibble(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	panic("fixture: not a hex digit: " + string(c))
}
