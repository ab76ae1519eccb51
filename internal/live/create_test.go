package live_test

import (
	"net/netip"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/conntrack"
)

// protoTuples returns one original tuple per protocol the kernel tracks
// on its own, over IPv4 and IPv6.
func protoTuples() []conntrack.Tuple {
	var ts []conntrack.Tuple
	for _, p := range [][2]netip.Addr{{a4, b4}, {a6, b6}} {
		src, dst := p[0], p[1]
		ts = append(ts,
			conntrack.PortTuple(conntrack.ProtoTCP, src, dst, 40001, 80),
			conntrack.PortTuple(conntrack.ProtoUDP, src, dst, 40002, 53),
			conntrack.PortTuple(conntrack.ProtoUDPLite, src, dst, 40003, 5000),
			conntrack.PortTuple(conntrack.ProtoSCTP, src, dst, 40004, 3868),
			conntrack.PortTuple(conntrack.ProtoGRE, src, dst, 0x1234, 0x5678),
		)
		typ := uint8(8)
		if src.Is6() {
			typ = 128
		}
		ts = append(ts, conntrack.ICMPTuple(src, dst, 0x4242, typ, 0))
	}
	return ts
}

// TestLiveCreateGet creates one flow per protocol and family with a mark,
// a zone, status bits, a timeout and protocol state, reads each back by
// its original tuple and compares the fields the kernel keeps.
func TestLiveCreateGet(t *testing.T) {
	_, c := liveNS(t)
	for i, orig := range protoTuples() {
		zone := uint16(i%3) * 7
		t.Run(key(&orig), func(t *testing.T) {
			f := withZone(withMark(newFlow(orig, 300+uint32(i)), 0x1000+uint32(i)), zone)
			f = withStatus(f, conntrack.StatusSeenReply|conntrack.StatusAssured)
			switch orig.Proto {
			case conntrack.ProtoTCP:
				f = withTCPState(f, conntrack.TCPStateEstablished)
			case conntrack.ProtoSCTP:
				f.ProtoInfo.SCTP = conntrack.SCTPInfo{State: conntrack.SCTPStateEstablished, VTagOrig: 0x11223344, VTagReply: 0x55667788}
				f.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrState)
				f.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrVTagOrig)
				f.ProtoInfo.SCTP.Present.Add(conntrack.SCTPAttrVTagReply)
				f.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrSCTP)
				f.Present.Add(conntrack.AttrProtoInfo)
			}
			create(t, c, f)
			got := get(t, c, orig, &zone)
			if diff := cmp.Diff(f.Orig, got.Orig, addrCmp); diff != "" {
				t.Errorf("original tuple (-sent +got):\n%s", diff)
			}
			if diff := cmp.Diff(f.Reply, got.Reply, addrCmp); diff != "" {
				t.Errorf("reply tuple (-sent +got):\n%s", diff)
			}
			wantStatus := f.Status | conntrack.StatusConfirmed
			if got.Status != wantStatus {
				t.Errorf("status %v, want %v", got.Status, wantStatus)
			}
			if !got.Present.Has(conntrack.AttrMark) || got.Mark != f.Mark {
				t.Errorf("mark %#x (present %v), want %#x", got.Mark, got.Present.Has(conntrack.AttrMark), f.Mark)
			}
			if zone != 0 && (!got.Present.Has(conntrack.AttrZone) || got.Zone != zone) {
				t.Errorf("zone %d (present %v), want %d", got.Zone, got.Present.Has(conntrack.AttrZone), zone)
			}
			if zone == 0 && got.Present.Has(conntrack.AttrZone) {
				t.Errorf("zone %d present for the default zone", got.Zone)
			}
			if got.Timeout > f.Timeout || got.Timeout+3 < f.Timeout {
				t.Errorf("timeout %d, want about %d", got.Timeout, f.Timeout)
			}
			if want := famOf(orig.Src); got.Family != want {
				t.Errorf("family %v, want %v", got.Family, want)
			}
			switch orig.Proto {
			case conntrack.ProtoTCP:
				if got.ProtoInfo.TCP.State != conntrack.TCPStateEstablished {
					t.Errorf("tcp state %v", got.ProtoInfo.TCP.State)
				}
			case conntrack.ProtoSCTP:
				if diff := cmp.Diff(f.ProtoInfo.SCTP, got.ProtoInfo.SCTP); diff != "" {
					t.Errorf("sctp info (-sent +got):\n%s", diff)
				}
			}
			t.Logf("created and read back: %s", got.AppendText(nil, conntrack.TextOptions{Extended: true}))
		})
	}
}

func famOf(a netip.Addr) conntrack.Family {
	if a.Is4() {
		return conntrack.FamilyIPv4
	}
	return conntrack.FamilyIPv6
}

// labelRules makes the namespace's conntrack entries carry a labels
// extension: the kernel attaches it only while some rule uses labels.
const labelRules = `
table inet ctwire_labels {
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		ct label 100 counter
	}
}
`

// TestLiveCreateExtras creates flows with tuple zones, labels, a helper
// and the FIXED_TIMEOUT status bit, and reads each back.
func TestLiveCreateExtras(t *testing.T) {
	ns, c := liveNS(t)

	// A tuple zone applies the zone to one direction only; the kernel
	// takes one zone per request, so at most one tuple carries it and
	// CTA_ZONE stays out.
	t.Run("tuple zones", func(t *testing.T) {
		for _, dir := range []string{"orig", "reply"} {
			f := newFlow(tcp(a4, b4, 41000, 443), 200)
			z := &f.Orig
			if dir == "reply" {
				f.Orig.SrcPort++
				f.Reply = reverse(f.Orig)
				z = &f.Reply
			}
			z.Zone, z.HasZone = 5, true
			create(t, c, f)
			got := get(t, c, f.Orig, nil)
			if dir == "reply" {
				// Looked up in the original direction without a zone: the
				// reply-only zone does not apply to it.
				if got.Orig.HasZone || !got.Reply.HasZone || got.Reply.Zone != 5 {
					t.Errorf("%s: tuple zones orig %v/%d reply %v/%d", dir,
						got.Orig.HasZone, got.Orig.Zone, got.Reply.HasZone, got.Reply.Zone)
				}
			} else if !got.Orig.HasZone || got.Orig.Zone != 5 || got.Reply.HasZone {
				t.Errorf("%s: tuple zones orig %v/%d reply %v/%d", dir,
					got.Orig.HasZone, got.Orig.Zone, got.Reply.HasZone, got.Reply.Zone)
			}
			t.Logf("%s zone: %s", dir, got.AppendText(nil, conntrack.TextOptions{}))
		}
		both := newFlow(tcp(a4, b4, 41100, 443), 200)
		both.Orig.Zone, both.Orig.HasZone = 5, true
		both.Reply.Zone, both.Reply.HasZone = 6, true
		_, err := c.Do(conntrack.CreateRequest(0, &both))
		wantErrno(t, "create with a zone in both tuples", err, syscall.EINVAL)
	})

	t.Run("labels", func(t *testing.T) {
		if err := ns.Nft(labelRules); err != nil {
			t.Skipf("nft ct label rule: %v", err)
		}
		f := newFlow(udp(a4, b4, 41001, 5060), 200)
		f.Labels.SetBit(1)
		f.Labels.SetBit(70)
		f.Labels.SetBit(127)
		f.Present.Add(conntrack.AttrLabels)
		create(t, c, f)
		got := get(t, c, f.Orig, nil)
		if !got.Present.Has(conntrack.AttrLabels) || got.Labels != f.Labels {
			t.Errorf("labels %x (present %v), want %x", got.Labels, got.Present.Has(conntrack.AttrLabels), f.Labels)
		}
	})

	t.Run("helper ftp", func(t *testing.T) {
		f := withTCPState(newFlow(tcp(a4, b4, 41002, 21), 200), conntrack.TCPStateEstablished)
		var err error
		if f.Helper.Name, err = conntrack.MakeHelperName("ftp"); err != nil {
			t.Fatal(err)
		}
		f.Helper.Present.Add(conntrack.HelpAttrName)
		f.Present.Add(conntrack.AttrHelp)
		create(t, c, f)
		got := get(t, c, f.Orig, nil)
		if got.Helper.Name.String() != "ftp" || !got.Status.Has(conntrack.StatusHelper) {
			t.Errorf("helper %q status %v, want ftp and HELPER", got.Helper.Name, got.Status)
		}
		t.Logf("%s", got.AppendText(nil, conntrack.TextOptions{}))
	})

	t.Run("fixed timeout", func(t *testing.T) {
		f := withStatus(newFlow(udp(a4, b4, 41003, 123), 200), conntrack.StatusFixedTimeout)
		create(t, c, f)
		got := get(t, c, f.Orig, nil)
		if !got.Status.Has(conntrack.StatusFixedTimeout) {
			t.Errorf("status %v lacks FIXED_TIMEOUT", got.Status)
		}
		u := conntrack.Flow{Orig: f.Orig, Timeout: 50}
		u.Present.Add(conntrack.AttrTupleOrig)
		u.Present.Add(conntrack.AttrTimeout)
		_, err := c.Do(conntrack.UpdateRequest(0, &u))
		wantErrno(t, "timeout update of a FIXED_TIMEOUT entry", err, syscall.EPERM)
	})
}
