package live_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

var (
	a4, b4 = netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2")
	c4     = netip.MustParseAddr("203.0.113.7")
	a6, b6 = netip.MustParseAddr("2001:db8:1::1"), netip.MustParseAddr("2001:db8:2::2")
	c6     = netip.MustParseAddr("2001:db8:3::7")
)

// liveNS returns a fresh namespace and a client in it, skipping with the
// reason when namespaces or ctnetlink are unavailable.
func liveNS(t *testing.T) (*netns.NS, *live.Client) {
	t.Helper()
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	return ns, open(t, ns, nlsock.Options{})
}

func open(t *testing.T, ns *netns.NS, o nlsock.Options) *live.Client {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	c, err := live.Open(ns.Path(), o)
	if errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Skipf("NETLINK_NETFILTER sockets unavailable (emulated?): %v", err)
	}
	if err != nil {
		t.Fatalf("open socket in %s: %v", ns.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// events returns an event client subscribed to every conntrack and
// expectation group.
func events(t *testing.T, ns *netns.NS) *live.Client {
	t.Helper()
	return open(t, ns, nlsock.Options{Groups: nlsock.EventGroups()})
}

// reverse returns the reply tuple the kernel derives from orig: addresses
// and ports swapped, ICMP echo requests answered by echo replies.
func reverse(orig conntrack.Tuple) conntrack.Tuple {
	r := orig
	r.Src, r.Dst = orig.Dst, orig.Src
	r.SrcPort, r.DstPort = orig.DstPort, orig.SrcPort
	switch orig.Proto {
	case conntrack.ProtoICMP:
		if orig.ICMPType == 8 {
			r.ICMPType = 0
		}
	case conntrack.ProtoICMPv6:
		if orig.ICMPType == 128 {
			r.ICMPType = 129
		}
	}
	r.HasZone, r.Zone = false, 0
	return r
}

// newFlow returns a flow to create: both tuples and a timeout.
func newFlow(orig conntrack.Tuple, timeout uint32) conntrack.Flow {
	f := conntrack.Flow{Orig: orig, Reply: reverse(orig), Timeout: timeout}
	f.Present.Add(conntrack.AttrTupleOrig)
	f.Present.Add(conntrack.AttrTupleReply)
	f.Present.Add(conntrack.AttrTimeout)
	return f
}

func withMark(f conntrack.Flow, mark uint32) conntrack.Flow {
	f.Mark = mark
	f.Present.Add(conntrack.AttrMark)
	return f
}

func withZone(f conntrack.Flow, zone uint16) conntrack.Flow {
	f.Zone = zone
	f.Present.Add(conntrack.AttrZone)
	return f
}

func withStatus(f conntrack.Flow, s conntrack.Status) conntrack.Flow {
	f.Status = s
	f.Present.Add(conntrack.AttrStatus)
	return f
}

func withTCPState(f conntrack.Flow, s conntrack.TCPState) conntrack.Flow {
	f.ProtoInfo.TCP.State = s
	f.ProtoInfo.TCP.Present.Add(conntrack.TCPAttrState)
	f.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
	f.Present.Add(conntrack.AttrProtoInfo)
	return f
}

func tcp(src, dst netip.Addr, sport, dport uint16) conntrack.Tuple {
	return conntrack.PortTuple(conntrack.ProtoTCP, src, dst, sport, dport)
}

func udp(src, dst netip.Addr, sport, dport uint16) conntrack.Tuple {
	return conntrack.PortTuple(conntrack.ProtoUDP, src, dst, sport, dport)
}

// create creates f and fails the test on error.
func create(t *testing.T, c *live.Client, f conntrack.Flow) {
	t.Helper()
	if _, err := c.Do(conntrack.CreateRequest(0, &f)); err != nil {
		t.Fatalf("create %s: %v", key(&f.Orig), err)
	}
}

// get returns the entry with original tuple orig in zone (nil for the
// default zone).
func get(t *testing.T, c *live.Client, orig conntrack.Tuple, zone *uint16) conntrack.Flow {
	t.Helper()
	r := conntrack.GetRequest(0, orig)
	if zone != nil {
		r.SetZone(*zone)
	}
	fs, err := c.Flows(r)
	if err != nil {
		t.Fatalf("get %s: %v", key(&orig), err)
	}
	if len(fs) != 1 {
		t.Fatalf("get %s: %d flows, want 1", key(&orig), len(fs))
	}
	return fs[0]
}

// dump returns the flows of a dump request.
func dump(t *testing.T, c *live.Client, r conntrack.Request) []conntrack.Flow {
	t.Helper()
	fs, err := c.Flows(r)
	if err != nil {
		t.Fatalf("%s: %v", r.Op, err)
	}
	return fs
}

// key names a tuple: "tcp 198.51.100.1:1000->198.51.100.2:80 z0".
func key(t *conntrack.Tuple) string {
	s := fmt.Sprintf("%s %v", t.Proto, t.Src)
	if t.Proto.HasPorts() {
		s += fmt.Sprintf(":%d", t.SrcPort)
	}
	s += fmt.Sprintf("->%v", t.Dst)
	if t.Proto.HasPorts() {
		s += fmt.Sprintf(":%d", t.DstPort)
	}
	if t.Proto == conntrack.ProtoICMP || t.Proto == conntrack.ProtoICMPv6 {
		s += fmt.Sprintf(" id=%d type=%d", t.ICMPID, t.ICMPType)
	}
	return s
}

// keys returns the sorted keys of the flows' original tuples.
func keys(fs []conntrack.Flow) []string {
	var ks []string
	for i := range fs {
		ks = append(ks, key(&fs[i].Orig))
	}
	sort.Strings(ks)
	return ks
}

func keysOf(fs ...conntrack.Flow) []string { return keys(fs) }

// sameKeys reports a difference between two key lists.
func sameKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(got, "; "), strings.Join(want, "; "))
	} else {
		t.Logf("%s: %d flows as expected", what, len(got))
	}
}

// wantErrno checks that err is a kernel error matching errno.
func wantErrno(t *testing.T, what string, err error, errno syscall.Errno) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Errorf("%s: %v, want %v", what, err, errno)
		return
	}
	t.Logf("%s: %v", what, err)
}

// addrCmp lets go-cmp compare netip.Addr values.
var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func netip4ones() netip.Addr { return netip.AddrFrom4([4]byte{255, 255, 255, 255}) }
