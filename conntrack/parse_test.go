package conntrack

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	named := 0
	for p := 0; p < 256; p++ {
		s := Proto(p).String()
		if s == "unknown" {
			continue
		}
		named++
		for _, in := range []string{s, strings.ToUpper(s)} {
			if got, err := ParseProto(in); err != nil || got != Proto(p) {
				t.Errorf("ParseProto(%q) = %v, %v; want %d", in, got, err, p)
			}
		}
	}
	if named != 8 {
		t.Errorf("%d named protocols, want 8", named)
	}
	for s := 0; s < 256; s++ {
		if got, err := ParseTCPState(TCPState(s).String()); err != nil || got != TCPState(s) {
			t.Errorf("ParseTCPState(%q) = %v, %v", TCPState(s), got, err)
		}
		if got, err := ParseSCTPState(SCTPState(s).String()); err != nil || got != SCTPState(s) {
			t.Errorf("ParseSCTPState(%q) = %v, %v", SCTPState(s), got, err)
		}
	}
	for b := 0; b < 32; b++ {
		for _, st := range []Status{1 << b, 1<<b | StatusAssured, 1<<b | StatusSeenReply | StatusConfirmed | 1<<20} {
			if got, err := ParseStatus(st.String()); err != nil || got != st {
				t.Errorf("ParseStatus(%q) = %v, %v; want %#x", st, got, err, uint32(st))
			}
		}
	}
	if got, err := ParseStatus(Status(0).String()); err != nil || got != 0 {
		t.Errorf("ParseStatus(%q) = %v, %v", Status(0), got, err)
	}
}

func TestParseNames(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Proto
	}{{"ipv6-icmp", ProtoICMPv6}, {"IPV6-ICMP", ProtoICMPv6}, {"41", 41}, {"0", 0}, {"255", 255}, {"UdpLite", ProtoUDPLite}} {
		if got, err := ParseProto(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseProto(%q) = %v, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want Status
	}{
		{"ASSURED", StatusAssured},
		{"seen_reply,assured", StatusSeenReply | StatusAssured},
		{"SEEN_REPLY|ASSURED|0x10000", StatusSeenReply | StatusAssured | 1<<16},
		{"hw_offload", StatusHWOffload},
	} {
		if got, err := ParseStatus(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if got, err := ParseTCPState("established"); err != nil || got != TCPStateEstablished {
		t.Errorf("ParseTCPState(established) = %v, %v", got, err)
	}
	if got, err := ParseSCTPState("Cookie_Wait"); err != nil || got != SCTPStateCookieWait {
		t.Errorf("ParseSCTPState(Cookie_Wait) = %v, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		msg  string
	}{
		{"proto", func() error { _, err := ParseProto("tcpp"); return err }(), `conntrack: unknown protocol "tcpp"`},
		{"proto 256", func() error { _, err := ParseProto("256"); return err }(), `conntrack: unknown protocol "256"`},
		{"proto empty", func() error { _, err := ParseProto(""); return err }(), `conntrack: unknown protocol ""`},
		{"status", func() error { _, err := ParseStatus("ASSURED,BOGUS"); return err }(), `conntrack: unknown status "BOGUS"`},
		{"status empty element", func() error { _, err := ParseStatus("ASSURED,"); return err }(), `conntrack: unknown status ""`},
		{"status empty", func() error { _, err := ParseStatus(""); return err }(), `conntrack: unknown status ""`},
		{"tcp", func() error { _, err := ParseTCPState("LISTEN"); return err }(), `conntrack: unknown TCP state "LISTEN"`},
		{"sctp", func() error { _, err := ParseSCTPState("256"); return err }(), `conntrack: unknown SCTP state "256"`},
	} {
		if !errors.Is(tc.err, ErrName) || tc.err.Error() != tc.msg {
			t.Errorf("%s: error %v, want %q wrapping ErrName", tc.name, tc.err, tc.msg)
		}
	}
}
