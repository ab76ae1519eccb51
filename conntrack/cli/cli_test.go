package cli

import (
	"fmt"
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
		{"-L -p tcp --state 3", "unknown TCP state `3'", 2},
		{"-L -p tcp --state SYN_SENT3", "unknown TCP state `SYN_SENT3'", 2},
		{"-L -p sctp --state 0", "unknown SCTP state `0'", 2},
		{"-L -p dccp --state TIME_WAIT", "unknown DCCP state `TIME_WAIT'", 2},
	}
	var p Parser
	for _, c := range cases {
		_, err := p.Parse(strings.Fields(c.args))
		if err == nil || err.Error() != c.msg || ExitStatus(err) != c.status {
			t.Errorf("%s: got %v (status %d), want %q (%d)", c.args, err, ExitStatus(err), c.msg, c.status)
		}
	}
}

// TestStates: --state takes the ten names of each protocol, in any case.
func TestStates(t *testing.T) {
	var p Parser
	for _, c := range []struct {
		args  string
		state func(*Cmd) (uint8, bool)
	}{
		{"-L -p tcp --state syn_sent2", func(c *Cmd) (uint8, bool) { return c.T.TCPState, c.T.HasTCPState }},
		{"-L -p sctp --state HEARTBEAT_ACKED", func(c *Cmd) (uint8, bool) { return c.T.SCTPState, c.T.HasSCTPState }},
		{"-L -p dccp --state Invalid", func(c *Cmd) (uint8, bool) { return c.T.DCCPState, c.T.HasDCCPState }},
	} {
		cmd, err := p.Parse(strings.Fields(c.args))
		if err != nil {
			t.Fatalf("%s: %v", c.args, err)
		}
		if s, ok := c.state(cmd); !ok || s != 9 {
			t.Errorf("%s: state %d (set %v), want 9", c.args, s, ok)
		}
	}
}

// TestStatusAfterMark: -u after -m leaves the mark alone (conntrack 1.4.7
// writes the status bits into the mark's value).
func TestStatusAfterMark(t *testing.T) {
	var p Parser
	for _, args := range []string{"-L -m 1/0xff -u ASSURED", "-L -u ASSURED -m 1/0xff"} {
		c, err := p.Parse(strings.Fields(args))
		if err != nil {
			t.Fatal(err)
		}
		if c.T.Mark != 1 || c.T.MarkMask != 0xff || c.T.Status != conntrack.StatusAssured {
			t.Fatalf("%s: %+v", args, c.T)
		}
		if r := c.DumpRequest(1); r.Flow.Mark != 1 || r.Flow.MarkMask != 0xff || r.Flow.Status != conntrack.StatusAssured {
			t.Fatalf("%s: request %+v", args, r.Flow)
		}
		f := conntrack.Flow{Family: conntrack.FamilyIPv4, Mark: 0x101, Status: conntrack.StatusAssured | conntrack.StatusSeenReply}
		f.Present.Add(conntrack.AttrMark)
		f.Present.Add(conntrack.AttrStatus)
		if !c.Match(&f) {
			t.Fatalf("%s: mark-1 ASSURED entry not matched", args)
		}
		f.Status = conntrack.StatusSeenReply
		if c.Match(&f) {
			t.Fatalf("%s: entry without ASSURED matched", args)
		}
	}
	c, err := p.Parse(strings.Fields("-I -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 10 -m 7 -u ASSURED"))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.CreateRequest(1); r.Flow.Mark != 7 || r.Flow.Status != conntrack.StatusAssured {
		t.Fatalf("create %+v", r.Flow)
	}
}

func labelled(fam conntrack.Family, bits ...int) conntrack.Flow {
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	if fam == conntrack.FamilyIPv6 {
		src, dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	}
	f := conntrack.Flow{Family: fam, Orig: conntrack.PortTuple(conntrack.ProtoUDP, src, dst, 1, 2), LabelsSize: conntrack.LabelsLen}
	f.Present.Add(conntrack.AttrTupleOrig)
	for _, b := range bits {
		f.Labels.SetBit(b)
	}
	if len(bits) > 0 {
		f.Present.Add(conntrack.AttrLabels)
	}
	return f
}

// TestUpdateFamily: -U sends each change with the entry's own family, -f
// given or not.
func TestUpdateFamily(t *testing.T) {
	var p Parser
	for _, args := range []string{"-U -m 9", "-U -f ipv6 -m 9", "-U -p udp -m 9"} {
		c, err := p.Parse(strings.Fields(args))
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range []conntrack.Family{conntrack.FamilyIPv4, conntrack.FamilyIPv6} {
			f := labelled(fam)
			r, ok := c.UpdateRequest(1, &f)
			if !ok || r.Family != fam || r.Flow.Mark != 9 {
				t.Fatalf("%s, family %d: %v %+v", args, fam, ok, r)
			}
		}
	}
}

// TestUpdateLabelDel: --label-del sends the named labels as the mask and
// no label, both 16 bytes: the kernel's (old &^ mask) ^ labels (no mask:
// all ones; words past the size cleared) keeps the other labels, whatever
// the highest label named.
func TestUpdateLabelDel(t *testing.T) {
	names := conntrack.ParseLabelNames([]byte("0 red\n1 blue\n64 far\n127 last\n"))
	p := Parser{LabelNames: func() (*conntrack.LabelNames, error) { return names, nil }}
	kernel := func(old conntrack.Flow, r conntrack.Request) conntrack.Labels {
		n := r.Flow
		if !n.Present.Has(conntrack.AttrLabels) {
			return old.Labels
		}
		size := int(n.LabelsSize)
		if size == 0 {
			size = conntrack.LabelsLen
		}
		mask := conntrack.Labels{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		if n.Present.Has(conntrack.AttrLabelsMask) {
			if n.LabelsMaskSize != n.LabelsSize {
				t.Fatalf("mask size %d, labels size %d", n.LabelsMaskSize, n.LabelsSize)
			}
			mask = n.LabelsMask
		}
		var got conntrack.Labels
		for i := range got {
			if i < size {
				got[i] = (old.Labels[i] &^ mask[i]) ^ n.Labels[i]
			}
		}
		return got
	}
	for _, c := range []struct {
		args      string
		old, want []int
		sent      bool
	}{
		{"-U --label-del last", []int{0, 64, 127}, []int{0, 64}, true},
		{"-U --label-del red", []int{0, 64, 127}, []int{64, 127}, true},
		{"-U --label-del far", []int{0, 1, 64}, []int{0, 1}, true},
		{"-U --label-del red,last", []int{0, 1, 127}, []int{1}, true},
		{"-U --label-del last", []int{0}, []int{0}, false},
		{"-U --label-del", []int{0, 127}, nil, true},
		{"-U --label-add blue", []int{0, 127}, []int{0, 1, 127}, true},
	} {
		cmd, err := p.Parse(strings.Fields(c.args))
		if err != nil {
			t.Fatal(err)
		}
		f := labelled(conntrack.FamilyIPv4, c.old...)
		r, ok := cmd.UpdateRequest(1, &f)
		if ok != c.sent {
			t.Fatalf("%s on %v: sent %v", c.args, c.old, ok)
		}
		if !ok {
			continue
		}
		want := labelled(conntrack.FamilyIPv4, c.want...).Labels
		if got := kernel(f, r); got != want {
			t.Errorf("%s on %v: %v, want %v", c.args, c.old, got, want)
		}
	}
}

// TestNATv6: --src-nat/--dst-nat compare an IPv6 address.
func TestNATv6(t *testing.T) {
	var p Parser
	f := conntrack.Flow{Family: conntrack.FamilyIPv6,
		Orig:  conntrack.PortTuple(conntrack.ProtoUDP, netip.MustParseAddr("2001:db8::3"), netip.MustParseAddr("2001:db8::9"), 7, 8),
		Reply: conntrack.PortTuple(conntrack.ProtoUDP, netip.MustParseAddr("2001:db8::9"), netip.MustParseAddr("2001:db8::2"), 8, 7)}
	for args, want := range map[string]bool{"-L --src-nat 2001:db8::2": true, "-L --src-nat 2001:db8::5": false,
		"-L --src-nat": true, "-L --dst-nat 2001:db8::9": false, "-L --any-nat 2001:db8::2": true} {
		c, err := p.Parse(strings.Fields(args))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Match(&f); got != want {
			t.Errorf("%s: %v, want %v", args, got, want)
		}
	}
}

// TestGetByReply: -G by the reply tuple alone sends CTA_TUPLE_REPLY.
func TestGetByReply(t *testing.T) {
	var p Parser
	c, err := p.Parse(strings.Fields("-G -p udp -r 10.1.0.4 -q 10.1.0.3 --reply-port-src 5353 --reply-port-dst 53"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.GetRequest(1)
	if r.Family != conntrack.FamilyIPv4 || r.Flow.Present.Has(conntrack.AttrTupleOrig) || !r.Flow.Present.Has(conntrack.AttrTupleReply) ||
		r.Flow.Reply.Src != netip.MustParseAddr("10.1.0.4") || r.Flow.Reply.SrcPort != 5353 || r.Flow.Reply.Proto != conntrack.ProtoUDP {
		t.Fatalf("%+v", r)
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
	// The layer 3 and 4 names, as libnetfilter_conntrack's tables
	// have them ("unknown" for the rest).
	for proto, name := range map[conntrack.Proto]string{6: "tcp", 17: "udp", 136: "udplite", 132: "sctp",
		33: "dccp", 1: "icmp", 58: "icmpv6", 47: "gre", 99: "unknown"} {
		g := f
		g.Family, g.Orig.Proto = 3, proto
		x := string(AppendXML(nil, &g, 0, XMLOptions{}))
		if w := `protonum="3" protoname="unknown"`; !strings.Contains(x, w) {
			t.Errorf("family 3: %s lacks %s", x, w)
		}
		if w := fmt.Sprintf(`protonum="%d" protoname="%s"`, proto, name); !strings.Contains(x, w) {
			t.Errorf("protocol %d: %s lacks %s", proto, x, w)
		}
	}
}
