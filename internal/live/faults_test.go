package live_test

// Faults forced on a live kernel, each in a namespace of its own: an event
// socket overflowed by a storm (ENOBUFS), dumps raced by table changes,
// and a non-empty dying list. The sockets are plain x/sys/unix sockets
// driven by package exchange, as an embedding program would drive them.

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

// faultSock is a NETLINK_NETFILTER socket opened in a namespace, with a
// receive timeout so that no test waits forever.
type faultSock struct {
	fd    int
	pid   uint32
	inode uint64
}

func openFaultSock(t *testing.T, ns *netns.NS, rcvbuf int, groups ...int) *faultSock {
	t.Helper()
	s := &faultSock{fd: -1}
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
		if err != nil {
			return err
		}
		s.fd = fd
		if rcvbuf > 0 {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvbuf); err != nil {
				return err
			}
		}
		if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return err
		}
		for _, g := range groups {
			if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, g); err != nil {
				return err
			}
		}
		return nil
	})
	if s.fd >= 0 {
		t.Cleanup(func() { unix.Close(s.fd) })
	}
	if errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Skipf("NETLINK_NETFILTER sockets unavailable: %v", err)
	}
	if err != nil {
		t.Fatalf("socket in %s: %v", ns.Name, err)
	}
	if err := unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(s.fd)
	if err != nil {
		t.Fatal(err)
	}
	s.pid = sa.(*unix.SockaddrNetlink).Pid
	var st unix.Stat_t
	if err := unix.Fstat(s.fd, &st); err != nil {
		t.Fatal(err)
	}
	s.inode = st.Ino
	return s
}

// run drives x to its end over s; a receive timeout fails the exchange
// (and so the test) instead of waiting.
func (s *faultSock) run(x *exchange.Exchange, each func(*conntrack.Record)) error {
	x.PID = s.pid
	buf := make([]byte, 1<<16)
	for !x.Done() {
		if out := x.AppendOutgoing(buf[:0]); len(out) > 0 {
			if err := unix.Sendto(s.fd, out, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
				x.Fail(err)
			}
			continue
		}
		n, _, err := unix.Recvfrom(s.fd, buf, 0)
		if err != nil {
			x.Fail(fmt.Errorf("receive: %w", err))
			continue
		}
		for x.Receive(buf[:n]); x.Next(); {
			if each != nil {
				each(x.Record())
			}
		}
	}
	return x.Err()
}

// faultFlow returns a create request for TCP flow number i of a /16.
func faultFlow(i int) conntrack.Request {
	src := netip.AddrFrom4([4]byte{10, 77, byte(i >> 8), byte(i)})
	dst := netip.AddrFrom4([4]byte{10, 78, 0, 1})
	r := conntrack.Request{Op: conntrack.OpCreate, Family: conntrack.FamilyIPv4}
	r.Flow.Orig = conntrack.PortTuple(conntrack.ProtoTCP, src, dst, 40000, 80)
	r.Flow.Reply = conntrack.PortTuple(conntrack.ProtoTCP, dst, src, 80, 40000)
	r.Flow.Timeout = 300
	r.Flow.ProtoInfo.TCP.State = conntrack.TCPStateEstablished
	r.Flow.Present.Add(conntrack.AttrProtoInfo)
	return r
}

func createFlows(t *testing.T, s *faultSock, from, to int) {
	t.Helper()
	var x exchange.Exchange
	for i := from; i < to; i++ {
		r := faultFlow(i)
		if _, err := x.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.run(&x, nil); err != nil {
		t.Fatalf("creating flows %d..%d: %v (%d refused)", from, to, err, x.Refused())
	}
}

// netlinkDrops reads the Drops column of /proc/net/netlink for the socket
// with the given inode, as seen from inside the namespace.
func netlinkDrops(t *testing.T, ns *netns.NS, inode uint64) int {
	t.Helper()
	var text []byte
	if err := ns.Do(func() (err error) {
		text, err = os.ReadFile("/proc/thread-self/net/netlink")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	head := strings.Fields(lines[0])
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != len(head) || f[col["Inode"]] != strconv.FormatUint(inode, 10) {
			continue
		}
		n, err := strconv.Atoi(f[col["Drops"]])
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatalf("socket inode %d not in /proc/net/netlink:\n%s", inode, text)
	return 0
}

// TestFaultEventStorm overflows a small event socket: the kernel drops
// NEW events and says so with ENOBUFS on the next receive; the reader
// reports the loss, keeps reading, and receives every later event. What it
// received plus what the kernel counted as dropped is exactly what was
// created.
func TestFaultEventStorm(t *testing.T) {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	ev := openFaultSock(t, ns, 8192, exchange.GroupNew)
	ctl := openFaultSock(t, ns, 0)
	const storm = 3000
	createFlows(t, ctl, 0, storm) // nobody reads ev meanwhile

	received, enobufs := 0, 0
	var dec conntrack.Decoder
	var rec conntrack.Record
	buf := make([]byte, 1<<16)
	read := func() bool {
		n, _, err := unix.Recvfrom(ev.fd, buf, unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.ENOBUFS):
			enobufs++
			return true
		case errors.Is(err, unix.EAGAIN):
			return false
		case err != nil:
			t.Fatal(err)
		}
		for p := codec.NewParser(buf[:n], nla.HostOrder); p.Next(); {
			if err := dec.Decode(p.Message(), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.Kind != conntrack.KindEvent || rec.Event != conntrack.EventNew {
				t.Fatalf("unexpected %v %v", rec.Kind, rec.Event)
			}
			received++
		}
		return true
	}
	for read() {
	}
	if enobufs == 0 || received >= storm {
		t.Fatalf("no overflow: %d events received of %d, %d ENOBUFS", received, storm, enobufs)
	}
	drops := netlinkDrops(t, ns, ev.inode)
	if received+drops != storm {
		t.Fatalf("received %d + dropped %d (kernel count) != %d created", received, drops, storm)
	}
	t.Logf("storm of %d: %d received, %d dropped by the kernel, ENOBUFS reported %d time(s)", storm, received, drops, enobufs)

	// Recovered: later events all arrive once the reader keeps up (a
	// burst smaller than what the buffer holds: it held `received`).
	before, burst := received, max(1, received/2)
	createFlows(t, ctl, storm, storm+burst)
	deadline := time.Now().Add(5 * time.Second)
	for received-before < burst && time.Now().Before(deadline) {
		if !read() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if received-before != burst || netlinkDrops(t, ns, ev.inode) != drops {
		t.Fatalf("after the overflow: %d of %d events, drops %d -> %d", received-before, burst, drops, netlinkDrops(t, ns, ev.inode))
	}
}

// TestFaultDumpRace dumps a table while another socket creates and deletes
// entries in it. ctnetlink never marks a conntrack dump NLM_F_DUMP_INTR
// (net/netfilter/nf_conntrack_netlink.c: ctnetlink_dump_table resumes by
// bucket and entry id and does not track a generation), so every dump must
// end with NLMSG_DONE and no ErrInterrupted, and every entry that existed
// throughout must be in every dump.
func TestFaultDumpRace(t *testing.T) {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	dumper := openFaultSock(t, ns, 0)
	writer := openFaultSock(t, ns, 0)
	const stable = 5000
	createFlows(t, writer, 0, stable)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var churnErr error
	churned := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var x exchange.Exchange
			for j := range 200 {
				r := faultFlow(stable + j)
				x.Add(&r)
			}
			for j := range 200 {
				r := faultFlow(stable + j)
				d := conntrack.Request{Op: conntrack.OpDelete, Family: conntrack.FamilyIPv4}
				d.Flow.Orig = r.Flow.Orig
				x.Add(&d)
			}
			if err := writer.run(&x, nil); err != nil {
				churnErr = err
				return
			}
			churned += 200
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	for round := range 10 {
		seen := make(map[netip.Addr]int, stable+200)
		var x exchange.Exchange
		x.Decoder.Only.Add(conntrack.AttrTupleOrig)
		x.Add(&conntrack.Request{Op: conntrack.OpDump, Family: conntrack.FamilyIPv4})
		err := dumper.run(&x, func(r *conntrack.Record) { seen[r.Flow.Orig.Src]++ })
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for i := range stable {
			if src := faultFlow(i).Flow.Orig.Src; seen[src] != 1 {
				t.Fatalf("round %d: stable entry %v seen %d times", round, src, seen[src])
			}
		}
		t.Logf("round %d: %d entries, %d racing ones", round, len(seen), len(seen)-stable)
	}
	close(stop)
	wg.Wait()
	stop = make(chan struct{})
	if churnErr != nil {
		t.Fatalf("churn: %v", churnErr)
	}
	if churned == 0 {
		t.Fatal("no entries churned during the dumps")
	}
}

// TestFaultDyingList makes the dying list non-empty: a DESTROY listener
// that asks for delivery errors (NETLINK_BROADCAST_ERROR) and does not
// read makes the kernel keep deleted entries on the dying list until their
// DESTROY event is delivered (net/netfilter/nf_conntrack_ecache.c). A dump
// of the dying list shows them; once the listener reads, the list drains.
func TestFaultDyingList(t *testing.T) {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	ev := openFaultSock(t, ns, 4096, exchange.GroupDestroy)
	if err := unix.SetsockoptInt(ev.fd, unix.SOL_NETLINK, unix.NETLINK_BROADCAST_ERROR, 1); err != nil {
		t.Fatal(err)
	}
	ctl := openFaultSock(t, ns, 0)
	const n = 500
	createFlows(t, ctl, 0, n)
	var flush exchange.Exchange
	flush.Add(&conntrack.Request{Op: conntrack.OpFlush})
	if err := ctl.run(&flush, nil); err != nil {
		t.Fatal(err)
	}
	dying := func() int {
		var x exchange.Exchange
		count := 0
		x.Add(&conntrack.Request{Op: conntrack.OpDumpDying})
		if err := ctl.run(&x, func(r *conntrack.Record) {
			if r.Kind != conntrack.KindFlow || r.Flow.Orig.Proto != conntrack.ProtoTCP {
				t.Fatalf("dying list record %v", r.Kind)
			}
			count++
		}); err != nil {
			t.Fatal(err)
		}
		return count
	}
	held := dying()
	if held == 0 {
		t.Fatal("dying list empty with an undrained DESTROY listener")
	}
	// Drain the listener: the kernel redelivers and empties the list.
	buf := make([]byte, 1<<16)
	deadline := time.Now().Add(30 * time.Second)
	left := held
	for left > 0 && time.Now().Before(deadline) {
		for {
			if _, _, err := unix.Recvfrom(ev.fd, buf, unix.MSG_DONTWAIT); err != nil && !errors.Is(err, unix.ENOBUFS) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		left = dying()
	}
	if left != 0 {
		t.Fatalf("dying list still holds %d of %d entries after the listener drained", left, held)
	}
	t.Logf("%d of %d deleted entries waited on the dying list for their DESTROY event", held, n)
}

// TestFaultExchangeOverflow runs a batch whose window is wider than the
// socket's receive buffer: the kernel drops acknowledgements (ENOBUFS),
// the exchange fails every request it cannot account for, and a next
// exchange on the same socket (numbering on from the first) works,
// counting the late answers of the first as foreign.
func TestFaultExchangeOverflow(t *testing.T) {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	s := openFaultSock(t, ns, 4096)
	x := exchange.Exchange{Window: 100000, MaxDatagram: 1 << 16}
	const n = 2000
	for i := range n {
		r := faultFlow(i)
		x.Add(&r)
	}
	err := s.run(&x, nil)
	if !errors.Is(err, unix.ENOBUFS) {
		t.Fatalf("overflowed batch: %v, want ENOBUFS", err)
	}
	failed := 0
	for i := range n {
		if errors.Is(x.Result(i), unix.ENOBUFS) {
			failed++
		} else if x.Result(i) != nil {
			t.Fatalf("request %d: %v", i, x.Result(i))
		}
	}
	if failed == 0 {
		t.Fatalf("%d of %d requests failed with ENOBUFS", failed, n)
	}
	// Recover: drain what is queued (late acks of the first exchange, and
	// the ENOBUFS of later overflows) through the next exchange, which
	// counts them as foreign, then run it.
	next := exchange.Exchange{Seq: x.Seq, PID: s.pid}
	buf := make([]byte, 1<<16)
	for {
		m, _, err := unix.Recvfrom(s.fd, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.ENOBUFS) {
			continue
		}
		if err != nil {
			break
		}
		for next.Receive(buf[:m]); next.Next(); {
			t.Fatal("a late answer delivered as a record")
		}
	}
	late := next.Foreign()
	entries := 0
	next.Add(&conntrack.Request{Op: conntrack.OpDump})
	if err := s.run(&next, func(*conntrack.Record) { entries++ }); err != nil {
		t.Fatalf("exchange after the overflow: %v", err)
	}
	if entries != n {
		t.Fatalf("%d entries after the batch, want %d (every create took effect, only acks were lost)", entries, n)
	}
	if late == 0 || next.Foreign() != late {
		t.Fatalf("late answers: %d drained, %d foreign in all", late, next.Foreign())
	}
	t.Logf("%d of %d requests failed with ENOBUFS; %d late acks skipped as foreign; next exchange: %d entries", failed, n, late, entries)
}
