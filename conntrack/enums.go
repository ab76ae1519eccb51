package conntrack

import "strconv"

// HasPorts reports whether the kernel's tracker for p puts ports (or, for
// GRE, keys) in its tuples: TCP, UDP, UDP-Lite, SCTP, DCCP and GRE.
func (p Proto) HasPorts() bool {
	switch p {
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP, ProtoGRE:
		return true
	}
	return false
}

func enumString(names []string, v int) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return strconv.Itoa(v)
}

// appendBits appends the names of the set bits of v joined by '|'; bits
// without a name are collected into one trailing hex number.
func appendBits(dst []byte, v uint64, names []string) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	start := len(dst)
	var rest uint64
	for i := 0; i < 64; i++ {
		bit := uint64(1) << i
		if v&bit == 0 {
			continue
		}
		if i >= len(names) || names[i] == "" {
			rest |= bit
			continue
		}
		if len(dst) > start {
			dst = append(dst, '|')
		}
		dst = append(dst, names[i]...)
	}
	if rest != 0 {
		if len(dst) > start {
			dst = append(dst, '|')
		}
		dst = append(dst, "0x"...)
		dst = strconv.AppendUint(dst, rest, 16)
	}
	return dst
}
