package conntrack

import (
	"errors"
	"strconv"
	"strings"
)

// ErrName reports a name that [ParseProto], [ParseStatus],
// [ParseTCPState] or [ParseSCTPState] does not know. The error returned
// wraps it and quotes the name.
var ErrName = errors.New("conntrack: unknown name")

// nameError is an unknown name of some kind ("protocol", "status").
type nameError struct{ kind, name string }

func (e *nameError) Error() string {
	return "conntrack: unknown " + e.kind + " " + strconv.Quote(e.name)
}

func (e *nameError) Unwrap() error { return ErrName }

// ParseProto parses a layer-4 protocol as `conntrack -p` takes it: a name
// [Proto.String] prints ("tcp", "udp", "udplite", "icmp", "icmpv6",
// "sctp", "gre", "dccp"), or "ipv6-icmp" (the /etc/protocols name of
// ICMPv6), in any case, or a number from 0 to 255. ParseProto(p.String())
// is p for every named protocol. An unknown name is an error wrapping
// [ErrName].
func ParseProto(s string) (Proto, error) {
	for p, name := range protocolNames {
		if name != "" && strings.EqualFold(name, s) {
			return Proto(p), nil
		}
	}
	if strings.EqualFold(s, "ipv6-icmp") {
		return ProtoICMPv6, nil
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, &nameError{"protocol", s}
	}
	return Proto(n), nil
}

// ParseStatus parses a set of status bits: names as [Status.String]
// prints them (the IPS_ names without the prefix, "ASSURED", "SEEN_REPLY"),
// in any case, separated by ',' (as `conntrack -u` takes them) or '|' (as
// String joins them), and numbers (decimal, or hex with "0x") for bits
// without a name. ParseStatus(s.String()) is s for every s. An empty
// element or an unknown name is an error wrapping [ErrName].
func ParseStatus(s string) (Status, error) {
	var st Status
	for {
		i := strings.IndexAny(s, ",|")
		name := s
		if i >= 0 {
			name = s[:i]
		}
		b, ok := statusBit(name)
		if !ok {
			return 0, &nameError{"status", name}
		}
		st |= b
		if i < 0 {
			return st, nil
		}
		s = s[i+1:]
	}
}

// statusBit returns the bits of one element of a status list.
func statusBit(name string) (Status, bool) {
	for i, n := range statusNames {
		if strings.EqualFold(n, name) {
			return 1 << i, true
		}
	}
	n, err := strconv.ParseUint(name, 0, 32)
	return Status(n), err == nil
}

// ParseTCPState parses a TCP conntrack state as [TCPState.String] prints
// it ("ESTABLISHED", "SYN_SENT2"), in any case, or its number.
// ParseTCPState(s.String()) is s for every s. An unknown name is an error
// wrapping [ErrName].
func ParseTCPState(s string) (TCPState, error) {
	v, ok := parseEnum(tcpStateNames, s)
	if !ok {
		return 0, &nameError{"TCP state", s}
	}
	return TCPState(v), nil
}

// ParseSCTPState parses an SCTP conntrack state as [SCTPState.String]
// prints it ("ESTABLISHED", "COOKIE_WAIT"), in any case, or its number.
// ParseSCTPState(s.String()) is s for every s. An unknown name is an error
// wrapping [ErrName].
func ParseSCTPState(s string) (SCTPState, error) {
	v, ok := parseEnum(sctpStateNames, s)
	if !ok {
		return 0, &nameError{"SCTP state", s}
	}
	return SCTPState(v), nil
}

// parseEnum is the inverse of enumString for a uint8 enumeration.
func parseEnum(names []string, s string) (uint8, bool) {
	for i, n := range names {
		if n != "" && strings.EqualFold(n, s) {
			return uint8(i), true
		}
	}
	n, err := strconv.ParseUint(s, 10, 8)
	return uint8(n), err == nil
}
