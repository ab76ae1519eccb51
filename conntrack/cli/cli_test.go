package cli

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/conntrack"
)

func TestParseRefusals(t *testing.T) {
	cases := []struct {
		args, msg string
		status    int
	}{
		{"-L -x", "unknown option `-x'", 2},
		{"-L -w", "option `-w' requires an argument", 2},
		{"-L -L", "Invalid commands combination", 2},
		{"-L foo", "unknown type `foo'", 2},
		{"-L --sport 1", "unknown option `--sport'", 2},
		{"-L -p gre --dport 2", "unknown option `--dport'", 2},
		{"-L --orig", "unknown option `--orig'", 2},
		{"-L --sr=1.1.1.1", "unknown option `--sr=1.1.1.1'", 2},
		{"-L -u CONFIRMED", "Bad parameter `CONFIRMED'", 2},
		{"-L -e NEW", "Illegal option `--event-mask' with this command", 2},
		{"-S -p tcp", "Illegal option `--protonum' with this command", 2},
		{"-p tcp", "Illegal option `--protonum' with this command", 2},
		{"-A", "You need to supply the `--protonum' option for this command", 2},
		{"-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 3 -t 10", "You need to supply the `--state' option for this command", 2},
		{"-I -s 1.1.1.1 -d 2.2.2.2 -p tcp -t 10 --state SYN_SENT", "you have to specify `--sport' and `--dport'", 2},
		{"-G -s 1.1.1.1 -p tcp", "you have to specify `--src' and `--dst'", 2},
		{"-L -f ipv5", "`ipv5' unsupported protocol", 2},
		{"-L -s 1.1.1.1 -f ipv6", "mismatched address family", 2},
		{"-L -r 1.1.1.0/24", "CIDR notation unavailable for `--reply-src'", 2},
		{"-L -l foo", "unknown label 'foo'", 2},
		{"-E -o save,id", "cannot combine save output with any other output type, use -o save only", 1},
		{"-D expect", "You need to supply the `--src' option for this command", 2},
		{"-U expect", "Can't do --update on expectations", 2},
		{"-I dying", "Can't do that command with tables `dying' and `unconfirmed'", 2},
	}
	var p Parser
	for _, c := range cases {
		_, err := p.Parse(strings.Fields(c.args))
		if err == nil || err.Error() != c.msg || ExitStatus(err) != c.status {
			t.Errorf("%s: got %v (status %d), want %q (%d)", c.args, err, ExitStatus(err), c.msg, c.status)
		}
	}
}

// TestStatusOverMark: conntrack 1.4.7's -u writes the status bits into the
// value of -m given before it (the kernel's dump filter keeps -m's).
func TestStatusOverMark(t *testing.T) {
	var p Parser
	c, err := p.Parse(strings.Fields("-L -m 1/0xff -u ASSURED"))
	if err != nil {
		t.Fatal(err)
	}
	if c.T.Mark != uint32(conntrack.StatusAssured) || c.T.MarkMask != 0xff || c.T.KernelMark != 1 || c.T.KernelMarkMask != 0xff {
		t.Fatalf("%+v", c.T)
	}
	if r := c.DumpRequest(1); r.Flow.Mark != 1 || r.Flow.MarkMask != 0xff {
		t.Fatalf("request %+v", r.Flow)
	}
}

func TestParseList(t *testing.T) {
	var p Parser
	c, err := p.Parse(strings.Fields("-L -p tcp --sp 80 -s 10.0.0.0/8 -u !ASSURED,SEEN -m 0x10/0x30 -o ext,id -w 3"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Command != CmdList || c.Family != conntrack.FamilyIPv4 || c.T.Orig.SrcPort != 80 ||
		c.T.Mask.Src != netip.MustParseAddr("255.0.0.0") || c.T.Mark != 0x10 || c.T.MarkMask != 0x30 ||
		c.T.StatusValue != conntrack.StatusSeenReply || c.T.StatusMask != conntrack.StatusAssured ||
		!c.Output.Extended || !c.Output.ID || !c.T.HasZone {
		t.Fatalf("%+v", c)
	}
	r := c.DumpRequest(1)
	if r.Flow.Mark != 0x10 || r.Flow.MarkMask != 0x30 || r.Family != conntrack.FamilyIPv4 {
		t.Fatalf("request %+v", r)
	}
	in := conntrack.Flow{Family: conntrack.FamilyIPv4, Zone: 3, Mark: 0x11, Status: conntrack.StatusSeenReply,
		Orig: conntrack.PortTuple(conntrack.ProtoTCP, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("1.1.1.1"), 80, 5)}
	in.Present.Add(conntrack.AttrZone)
	in.Present.Add(conntrack.AttrMark)
	if !c.Match(&in) {
		t.Fatal("no match")
	}
	out := in
	out.Orig.Src = netip.MustParseAddr("11.1.2.3")
	if c.Match(&out) {
		t.Fatal("match outside the network")
	}
	z := in
	z.Zone = 0
	if c.Match(&z) {
		t.Fatal("-w 3 matched zone 0")
	}
	if s, _ := c.Summary(5); s != "5 flow entries have been shown." {
		t.Fatal(s)
	}
}

func TestWarnings(t *testing.T) {
	var p Parser
	c, err := p.Parse([]string{"-E", "-e", "D", "-o", "s"})
	if err != nil || len(c.Warnings) != 2 || c.Warnings[0] != "WARNING: ignoring DST_NAT, use --dst-nat instead" {
		t.Fatalf("%v %q", err, c.Warnings)
	}
	if got := ErrorText(paramErr("x")); got != Prefix+"x\nTry `conntrack -h' or 'conntrack --help' for more information.\n" {
		t.Fatal(got)
	}
}

func TestXML(t *testing.T) {
	f := conntrack.Flow{Family: conntrack.FamilyIPv4, Timeout: 99, ID: 7, Use: 1,
		Orig:  conntrack.PortTuple(conntrack.ProtoUDP, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), 1000, 53),
		Reply: conntrack.PortTuple(conntrack.ProtoUDP, netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1"), 53, 1000)}
	f.Orig.Zone, f.Orig.HasZone = 7, true
	for _, a := range []conntrack.AttrType{conntrack.AttrTimeout, conntrack.AttrMark, conntrack.AttrUse, conntrack.AttrID, conntrack.AttrStatus} {
		f.Present.Add(a)
	}
	got := string(AppendXML(nil, &f, 0, XMLOptions{}))
	want := `<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>10.0.0.1</src><dst>10.0.0.2</dst></layer3><layer4 protonum="17" protoname="udp"><sport>1000</sport><dport>53</dport></layer4><zone>7</zone></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>10.0.0.2</src><dst>10.0.0.1</dst></layer3><layer4 protonum="17" protoname="udp"><sport>53</sport><dport>1000</dport></layer4></meta><meta direction="independent"><timeout>99</timeout><mark>0</mark><use>1</use><id>7</id><unreplied/></meta></flow>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
