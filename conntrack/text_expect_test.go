package conntrack

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// liveRecords decodes every message of the live recording name (a
// little-endian host's), or skips on a big-endian host. Requests that do
// not decode (those sent to see the kernel refuse them) are left out.
func liveRecords(t *testing.T, name string) []Record {
	t.Helper()
	if !mLittleEndian {
		t.Skip("the live recordings are little-endian")
	}
	b, err := os.ReadFile(filepath.Join("..", "testdata", "live", name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for m, err := range codec.Messages(b, nla.LittleEndian) {
		if err != nil {
			t.Fatal(err)
		}
		var r Record
		if err := (Decoder{}).Decode(m, &r); err != nil {
			if Classify(m) == KindRequest {
				continue
			}
			t.Fatalf("%s: %v", name, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// liveText returns the lines of conntrack's listing NAME.conntrack.txt.
func liveText(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "live", name+".conntrack.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// TestExpectTextRecorded prints the expectations of the recorded dumps and
// compares them with what `conntrack -L expect` listed right after, line
// for line (in any order).
func TestExpectTextRecorded(t *testing.T) {
	for _, name := range []string{"exp-dump", "full-exp-dump"} {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, r := range liveRecords(t, name) {
				if r.Kind == KindExpect {
					got = append(got, string(r.Expect.AppendText(nil, 0)))
				}
			}
			want := liveText(t, name)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("ctwire:\n%s\nconntrack -L expect:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// ftpExpect is an expectation as the kernel dumps one for the ftp helper.
func ftpExpect() Expect {
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	e := Expect{
		Family:  FamilyIPv4,
		Tuple:   PortTuple(ProtoTCP, a, b, 0, 10000),
		Mask:    PortTuple(ProtoTCP, netip.MustParseAddr("255.255.255.255"), netip.MustParseAddr("255.255.255.255"), 0, 0xffff),
		Master:  PortTuple(ProtoTCP, a, b, 33350, 21),
		Timeout: 299, ID: 7, Class: 0,
	}
	e.Helper, _ = MakeHelperName("ftp")
	for _, t := range []AttrType{ExpectAttrTuple, ExpectAttrMask, ExpectAttrMaster, ExpectAttrTimeout,
		ExpectAttrID, ExpectAttrFlags, ExpectAttrClass, ExpectAttrHelpName} {
		e.Present.Add(t)
	}
	return e
}

func TestExpectText(t *testing.T) {
	const tuples = "src=192.0.2.1 dst=192.0.2.2 sport=0 dport=10000 " +
		"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 " +
		"master-src=192.0.2.1 master-dst=192.0.2.2 sport=33350 dport=21"
	v6 := ftpExpect()
	v6.Family = FamilyIPv6
	v6.Tuple.Src, v6.Tuple.Dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::192.0.2.2")
	for _, tc := range []struct {
		name string
		edit func(*Expect)
		kind EventKind
		want string
	}{
		{"dump", nil, 0, "299 proto=6 " + tuples + " class=0 helper=ftp"},
		{"new", nil, EventNew, "    [NEW] 299 proto=6 " + tuples + " class=0 helper=ftp"},
		{"destroy", nil, EventDestroy, "[DESTROY] 299 proto=6 " + tuples + " class=0 helper=ftp"},
		{"update", nil, EventUpdate, " [UPDATE] 299 proto=6 " + tuples + " class=0 helper=ftp"},
		{"permanent", func(e *Expect) { e.Flags = ExpectPermanent }, 0,
			"299 proto=6 " + tuples + " PERMANENT class=0 helper=ftp"},
		{"all flags", func(e *Expect) { e.Flags = ExpectFlagsAll | 0x80 }, 0,
			"299 proto=6 " + tuples + " PERMANENT,INACTIVE,USERSPACE class=0 helper=ftp"},
		{"inactive and userspace", func(e *Expect) { e.Flags = ExpectInactive | ExpectUserspace }, 0,
			"299 proto=6 " + tuples + " INACTIVE,USERSPACE class=0 helper=ftp"},
		// Unknown bits only: no name, but the separating space.
		{"unknown flag", func(e *Expect) { e.Flags = 0x80 }, 0, "299 proto=6 " + tuples + "  class=0 helper=ftp"},
		{"flags absent", func(e *Expect) { e.Flags = ExpectPermanent; e.Present.Remove(ExpectAttrFlags) }, 0,
			"299 proto=6 " + tuples + " class=0 helper=ftp"},
		{"zone", func(e *Expect) { e.Zone = 5; e.Present.Add(ExpectAttrZone) }, 0,
			"299 proto=6 " + tuples + " zone=5 class=0 helper=ftp"},
		{"no timeout, class, helper", func(e *Expect) {
			e.Present.Remove(ExpectAttrTimeout)
			e.Present.Remove(ExpectAttrClass)
			e.Present.Remove(ExpectAttrHelpName)
		}, 0, "proto=6 " + tuples},
		{"empty helper", func(e *Expect) { e.Helper = HelperName{} }, 0, "299 proto=6 " + tuples + " class=0 helper="},
		// Each tuple's family comes with another attribute.
		{"no master", func(e *Expect) { e.Present.Remove(ExpectAttrMaster) }, 0,
			"299 proto=6 sport=0 dport=10000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 " +
				"master-src=192.0.2.1 master-dst=192.0.2.2 sport=33350 dport=21 class=0 helper=ftp"},
		{"no mask", func(e *Expect) { e.Present.Remove(ExpectAttrMask) }, 0,
			"299 proto=6 src=192.0.2.1 dst=192.0.2.2 sport=0 dport=10000 " +
				"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 sport=33350 dport=21 class=0 helper=ftp"},
		{"no protocol", func(e *Expect) { e.Tuple.Present = 0 }, 0,
			"299 proto=0 src=192.0.2.1 dst=192.0.2.2 " +
				"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 " +
				"master-src=192.0.2.1 master-dst=192.0.2.2 sport=33350 dport=21 class=0 helper=ftp"},
		{"icmp", func(e *Expect) {
			e.Tuple = ICMPTuple(e.Tuple.Src, e.Tuple.Dst, 9, 8, 0)
		}, 0, "299 proto=1 src=192.0.2.1 dst=192.0.2.2 type=8 code=0 id=9 " +
			"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 " +
			"master-src=192.0.2.1 master-dst=192.0.2.2 sport=33350 dport=21 class=0 helper=ftp"},
		// An IPv4 address printed as IPv6 fills the first four bytes, as in
		// libnetfilter_conntrack's address union.
		{"ipv6", func(e *Expect) { *e = v6 }, 0, "299 proto=6 src=2001:db8::1 dst=::192.0.2.2 sport=0 dport=10000 " +
			"mask-src=ffff:ffff:: mask-dst=ffff:ffff:: sport=0 dport=65535 " +
			"master-src=c000:201:: master-dst=c000:202:: sport=33350 dport=21 class=0 helper=ftp"},
		{"empty", func(e *Expect) { *e = Expect{} }, 0, "proto=0"},
		{"empty event", func(e *Expect) { *e = Expect{} }, EventDestroy, "[DESTROY] proto=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ftpExpect()
			if tc.edit != nil {
				tc.edit(&e)
			}
			if got := string(e.AppendText([]byte("x"), tc.kind)); got != "x"+tc.want {
				t.Errorf("got  %q\nwant %q", got, "x"+tc.want)
			}
		})
	}
}

func TestExpectTextNoAllocs(t *testing.T) {
	e := ftpExpect()
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf = e.AppendText(buf[:0], EventNew) }); n != 0 {
		t.Errorf("AppendText allocates %v times", n)
	}
}
