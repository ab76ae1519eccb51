package cli

import (
	"net/netip"
	"testing"

	"github.com/ctwire/ctwire/conntrack"
)

// The wanted lines are what conntrack 1.4.7 printed with -L -o save (and
// -D, -E) for entries of the same kind.
func TestSave(t *testing.T) {
	a := netip.MustParseAddr
	flow := func(fam conntrack.Family, o, r conntrack.Tuple, timeout uint32, st conntrack.Status) conntrack.Flow {
		f := conntrack.Flow{Family: fam, Orig: o, Reply: r, Timeout: timeout, Status: st | conntrack.StatusConfirmed, Mark: 7, Use: 1}
		for _, at := range []conntrack.AttrType{conntrack.AttrTupleOrig, conntrack.AttrTupleReply, conntrack.AttrTimeout,
			conntrack.AttrStatus, conntrack.AttrMark, conntrack.AttrUse} {
			f.Present.Add(at)
		}
		return f
	}
	v4, v6 := conntrack.FamilyIPv4, conntrack.FamilyIPv6
	tcp := flow(v4, conntrack.PortTuple(conntrack.ProtoTCP, a("10.0.0.1"), a("10.0.0.2"), 5000, 80),
		conntrack.PortTuple(conntrack.ProtoTCP, a("10.0.0.2"), a("10.0.0.1"), 80, 5000), 499, conntrack.StatusSeenReply|conntrack.StatusAssured)
	tcp.Present.Add(conntrack.AttrProtoInfo)
	tcp.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
	tcp.ProtoInfo.TCP.Present.Add(conntrack.TCPAttrState)
	tcp.ProtoInfo.TCP.State = conntrack.TCPState(3)

	tcp6 := flow(v6, conntrack.PortTuple(conntrack.ProtoTCP, a("2001:db8::1"), a("2001:db8::2"), 1, 2),
		conntrack.PortTuple(conntrack.ProtoTCP, a("2001:db8::2"), a("2001:db8::1"), 2, 1), 99, 0)
	tcp6.Zone = 5
	tcp6.Present.Add(conntrack.AttrZone)
	tcp6.Present.Add(conntrack.AttrProtoInfo)
	tcp6.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
	tcp6.ProtoInfo.TCP.Present.Add(conntrack.TCPAttrState)
	tcp6.ProtoInfo.TCP.State = conntrack.TCPState(1)

	snat := flow(v4, conntrack.PortTuple(conntrack.ProtoUDP, a("10.1.0.1"), a("10.1.0.4"), 10, 20),
		conntrack.PortTuple(conntrack.ProtoUDP, a("192.168.0.6"), a("192.168.0.5"), 20, 77), 99,
		conntrack.StatusSrcNAT|conntrack.StatusDstNAT|conntrack.StatusFixedTimeout)
	dnat := flow(v6, conntrack.PortTuple(conntrack.ProtoUDP, a("2001:db8::1"), a("2001:db8::2"), 7, 80),
		conntrack.PortTuple(conntrack.ProtoUDP, a("2001:db8::98"), a("2001:db8::1"), 44, 7), 499, conntrack.StatusDstNAT)
	dnat.Orig.Zone, dnat.Orig.HasZone = 21, true

	icmp := flow(v4, conntrack.ICMPTuple(a("10.0.0.3"), a("10.0.0.4"), 42, 8, 0),
		conntrack.ICMPTuple(a("10.0.0.4"), a("1.1.1.1"), 42, 0, 0), 29, conntrack.StatusSrcNAT)
	icmp6 := flow(v6, conntrack.ICMPTuple(a("2001:db8::1"), a("2001:db8::2"), 9, 128, 0),
		conntrack.ICMPTuple(a("2001:db8::2"), a("2001:db8::1"), 9, 129, 0), 29, 0)
	icmp6.Reply.Zone, icmp6.Reply.HasZone = 22, true

	sctp := flow(v4, conntrack.PortTuple(conntrack.ProtoSCTP, a("10.0.0.5"), a("10.0.0.6"), 1, 2),
		conntrack.PortTuple(conntrack.ProtoSCTP, a("10.0.0.6"), a("10.0.0.5"), 2, 1), 99, 0)
	sctp.Present.Add(conntrack.AttrProtoInfo)
	sctp.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrSCTP)
	s := &sctp.ProtoInfo.SCTP
	s.State, s.VTagOrig, s.VTagReply = conntrack.SCTPState(4), 1<<24, 2<<24
	for _, at := range []conntrack.AttrType{conntrack.SCTPAttrState, conntrack.SCTPAttrVTagOrig, conntrack.SCTPAttrVTagReply} {
		s.Present.Add(at)
	}

	gre := flow(v4, conntrack.PortTuple(conntrack.ProtoGRE, a("10.0.0.7"), a("10.0.0.8"), 16, 32),
		conntrack.PortTuple(conntrack.ProtoGRE, a("10.0.0.8"), a("10.0.0.7"), 32, 16), 99, 0)
	gen := flow(v4, conntrack.ProtoTuple(99, a("10.0.0.9"), a("10.0.0.10")), conntrack.ProtoTuple(99, a("10.0.0.10"), a("10.0.0.9")), 99, 0)
	dccp := flow(v4, conntrack.PortTuple(conntrack.ProtoDCCP, a("10.0.0.9"), a("10.0.0.11"), 0, 0),
		conntrack.PortTuple(conntrack.ProtoDCCP, a("10.0.0.11"), a("10.0.0.9"), 0, 0), 99, 0)

	for _, c := range []struct {
		f    *conntrack.Flow
		kind conntrack.EventKind
		want string
	}{
		{&tcp, 0, "-A -t 499 -u SEEN_REPLY,ASSURED -s 10.0.0.1 -d 10.0.0.2 -r 10.0.0.2 -q 10.0.0.1 -p tcp --sport 5000 --dport 80 --reply-port-src 80 --reply-port-dst 5000 --state ESTABLISHED"},
		{&tcp, conntrack.EventUpdate, "-U -t 499 -u SEEN_REPLY,ASSURED -s 10.0.0.1 -d 10.0.0.2 -r 10.0.0.2 -q 10.0.0.1 -p tcp --sport 5000 --dport 80 --reply-port-src 80 --reply-port-dst 5000 --state ESTABLISHED"},
		{&tcp6, conntrack.EventNew, "-A -t 99 -u UNSET -w 5 -s 2001:db8::1 -d 2001:db8::2 -r 2001:db8::2 -q 2001:db8::1 -p tcp --sport 1 --dport 2 --reply-port-src 2 --reply-port-dst 1 --state SYN_SENT"},
		{&snat, conntrack.EventDestroy, "-D -t 99 -u FIXED_TIMEOUT -s 10.1.0.1 -d 10.1.0.4 -g 192.168.0.6 -n 192.168.0.5 -p udp --sport 10 --dport 20 --reply-port-src 20 --reply-port-dst 77"},
		{&dnat, 0, "-A -t 499 -u UNSET --orig-zone 21 -s 2001:db8::1 -d 2001:db8::2 -g 2001:db8::98 -q 2001:db8::1 -p udp --sport 7 --dport 80 --reply-port-src 44 --reply-port-dst 7"},
		{&icmp, 0, "-A -t 29 -u UNSET -s 10.0.0.3 -d 10.0.0.4 -r 10.0.0.4 -n 1.1.1.1 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 42"},
		{&icmp6, 0, "-A -t 29 -u UNSET --reply-zone 22 -s 2001:db8::1 -d 2001:db8::2 -r 2001:db8::2 -q 2001:db8::1 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 9"},
		{&sctp, 0, "-A -t 99 -u UNSET -s 10.0.0.5 -d 10.0.0.6 -r 10.0.0.6 -q 10.0.0.5 -p sctp --sport 1 --dport 2 --reply-port-src 2 --reply-port-dst 1 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2"},
		{&gre, 0, "-A -t 99 -u UNSET -s 10.0.0.7 -d 10.0.0.8 -r 10.0.0.8 -q 10.0.0.7 -p gre --srckey 16 --dstkey 32 --reply-key-src 32 --reply-key-dst 16"},
		{&gen, 0, "-A -t 99 -u UNSET -s 10.0.0.9 -d 10.0.0.10 -r 10.0.0.10 -q 10.0.0.9 -p 99"},
		{&dccp, 0, "-A -t 99 -u UNSET -s 10.0.0.9 -d 10.0.0.11 -r 10.0.0.11 -q 10.0.0.9 -p dccp"},
	} {
		if got := string(AppendSave(nil, c.f, c.kind)); got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	}
}
