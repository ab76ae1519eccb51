package mdglue_test

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/examples/mdglue"
	"github.com/ctwire/ctwire/exchange"
)

// TestMessage converts a netlink.Message built by hand: header fields,
// nfgenmsg and attributes land where codec.Parser puts them.
func TestMessage(t *testing.T) {
	f := flow(1)
	r := conntrack.CreateRequest(7, &f)
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want, err := codec.ParseMessage(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := mdglue.Message(m)
	if got.Header != want.Header || got.NFGen != want.NFGen || string(got.Data) != string(want.Data) || string(got.Payload) != string(want.Payload) {
		t.Fatalf("Message:\n got  %+v\n want %+v", got, want)
	}
	var rec conntrack.Record
	if err := mdglue.Decode(m, &rec); err != nil || rec.Kind != conntrack.KindRequest || rec.Flow.Orig != f.Orig {
		t.Fatalf("Decode: %v, kind %s, orig %v", err, rec.Kind, rec.Flow.Orig)
	}
}

// TestKernelErrorNotKernel: errors that carry no kernel errno give nil.
func TestKernelErrorNotKernel(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), &netlink.OpError{Op: "receive", Err: os.NewSyscallError("recvmsg", unix.ENOBUFS)}, &netlink.OpError{Op: "receive", Err: os.ErrDeadlineExceeded}} {
		if ke := mdglue.KernelError(err); ke != nil {
			t.Errorf("KernelError(%v) = %v, want nil", err, ke)
		}
	}
}

var (
	src = netip.MustParseAddr("192.0.2.1")
	dst = netip.MustParseAddr("192.0.2.2")
)

func flow(i int) conntrack.Flow {
	return conntrack.Flow{
		Orig:    conntrack.PortTuple(conntrack.ProtoUDP, src, dst, uint16(41000+i), 53),
		Reply:   conntrack.PortTuple(conntrack.ProtoUDP, dst, src, 53, uint16(41000+i)),
		Timeout: 120,
		Mark:    uint32(i),
	}
}

// dial opens a socket with extended acks in a fresh namespace that the
// test deletes, skipping unless root with ip(8) and ctnetlink.
func dial(t *testing.T) *netlink.Conn {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live: needs root, to run in a namespace the test creates")
	}
	name := fmt.Sprintf("ctwglue-%d-%s", os.Getpid(), t.Name())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("delete namespace %s: %v\n%s", name, err, out)
		}
	})
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: int(f.Fd())})
	if err != nil {
		t.Skipf("no NETLINK_NETFILTER socket in a namespace: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		t.Fatal(err)
	}
	deadline(t, c, 5*time.Second)
	return c
}

func deadline(t *testing.T, c *netlink.Conn, d time.Duration) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

// run runs reqs in one exchange over c and returns the exchange and the
// records per request.
func run(t *testing.T, c *netlink.Conn, reqs ...conntrack.Request) (*exchange.Exchange, [][]conntrack.Record) {
	t.Helper()
	deadline(t, c, 5*time.Second)
	x := &exchange.Exchange{PID: c.PID()}
	for i := range reqs {
		if _, err := x.Add(&reqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	recs := make([][]conntrack.Record, len(reqs))
	err := mdglue.Run(c, x, func(x *exchange.Exchange) { recs[x.Index()] = append(recs[x.Index()], *x.Record()) })
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("exchange over mdlayher: no answer within the deadline: %v", err)
	}
	return x, recs
}

func send(t *testing.T, c *netlink.Conn, r conntrack.Request) netlink.Message {
	t.Helper()
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	m, err = c.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLiveRun drives creates, a GET, a dump, deletes and refusals through
// the exchange over a mdlayher Conn with Run (raw send and receive): the GET
// ends on its ACK, the dump on its NLMSG_DONE, and each refusal lands on
// its request.
func TestLiveRun(t *testing.T) {
	c := dial(t)
	f1, f2 := flow(1), flow(2)
	x, recs := run(t, c,
		conntrack.CreateRequest(0, &f1), conntrack.CreateRequest(0, &f2), conntrack.CreateRequest(0, &f1), // 2: EEXIST
		conntrack.GetRequest(0, f1.Orig), conntrack.DumpRequest(0, 0), conntrack.DeleteRequest(0, f2.Orig),
		conntrack.DeleteRequest(0, f2.Orig), // 6: ENOENT
		conntrack.StatsRequest(0))
	for i := range x.Len() {
		want := map[int]syscall.Errno{2: syscall.EEXIST, 6: syscall.ENOENT}[i]
		if err := x.Result(i); (want == 0) != (err == nil) || (want != 0 && !errors.Is(err, want)) {
			t.Errorf("request %d: %v, want %v", i, err, want)
		}
	}
	if len(recs[3]) != 1 || recs[3][0].Flow.Mark != 1 {
		t.Errorf("get: %+v", recs[3])
	}
	if len(recs[4]) != 2 || len(recs[7]) != 1 || recs[7][0].StatsGlobal.Entries != 1 {
		t.Errorf("dump: %d flows, stats %+v", len(recs[4]), recs[7])
	}
	t.Logf("8 requests over mdlayher with Run: %d refused as expected (%v), get and dump complete", x.Refused(), x.Err())
}

// TestLiveReceiveAfterGet shows the trap: after a GET, Conn.Receive reads
// the NLM_F_MULTI reply, then the ACK, and goes on reading; it returns only
// when the read deadline passes, with a timeout error and without the
// flow. (Without a deadline it never returns.) Recv sees both datagrams.
func TestLiveReceiveAfterGet(t *testing.T) {
	c := dial(t)
	f := flow(1)
	if x, _ := run(t, c, conntrack.CreateRequest(0, &f)); x.Err() != nil {
		t.Fatal(x.Err())
	}
	send(t, c, conntrack.GetRequest(0, f.Orig))
	deadline(t, c, time.Second)
	start := time.Now()
	msgs, err := c.Receive()
	if !errors.Is(err, os.ErrDeadlineExceeded) || len(msgs) != 0 {
		t.Fatalf("Conn.Receive after a GET: %d messages, %v; want a timeout after reading on", len(msgs), err)
	}
	t.Logf("Conn.Receive after a GET returned only at the deadline (%v): %v", time.Since(start).Round(time.Millisecond), err)

	send(t, c, conntrack.GetRequest(0, f.Orig))
	deadline(t, c, 5*time.Second)
	buf := make([]byte, 1<<16)
	var kinds []string
	for len(kinds) < 2 {
		n, err := mdglue.Recv(c, buf)
		if err != nil {
			t.Fatal(err)
		}
		for m, err := range codec.Messages(buf[:n], 0) {
			if err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, fmt.Sprintf("%s%s", conntrack.Classify(m), map[bool]string{true: "(MULTI)"}[m.Header.Flags&codec.FlagMulti != 0]))
		}
	}
	if strings.Join(kinds, " ") != "flow(MULTI) ack" {
		t.Errorf("raw receive after a GET: %v, want a flow with NLM_F_MULTI then an ACK", kinds)
	}
	t.Logf("raw receive after a GET: %v, no NLMSG_DONE", kinds)
}

// TestLiveReceiveDropsDone shows that Conn.Receive hands back a dump's
// records without the NLMSG_DONE that ends it, which Recv delivers.
func TestLiveReceiveDropsDone(t *testing.T) {
	c := dial(t)
	f1, f2 := flow(1), flow(2)
	if x, _ := run(t, c, conntrack.CreateRequest(0, &f1), conntrack.CreateRequest(0, &f2)); x.Err() != nil {
		t.Fatal(x.Err())
	}
	send(t, c, conntrack.DumpRequest(0, 0))
	msgs, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	var rec conntrack.Record
	for _, m := range msgs {
		if err := mdglue.Decode(m, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Kind != conntrack.KindFlow {
			t.Errorf("Conn.Receive of a dump gave a %s", rec.Kind)
		}
	}
	if len(msgs) != 2 {
		t.Fatalf("Conn.Receive of a dump: %d messages, want the 2 flows", len(msgs))
	}
	send(t, c, conntrack.DumpRequest(0, 0))
	buf := make([]byte, 1<<16)
	var done bool
	for !done {
		n, err := mdglue.Recv(c, buf)
		if err != nil {
			t.Fatal(err)
		}
		for m := range codec.Messages(buf[:n], 0) {
			done = done || m.Header.Type == codec.TypeDone
		}
	}
	t.Logf("Conn.Receive of a dump: 2 flows, no NLMSG_DONE; raw receive: the flows and NLMSG_DONE")
}

// TestLiveKernelError provokes a policy violation with extended acks on:
// Conn.Execute's *netlink.OpError converts to the same errno, message and
// offset as the exchange reads from the raw NLMSG_ERROR.
func TestLiveKernelError(t *testing.T) {
	c := dial(t)
	f := flow(1)
	ones := netip.AddrFrom4([4]byte{255, 255, 255, 255})
	e := conntrack.Expect{Tuple: conntrack.PortTuple(conntrack.ProtoUDP, dst, src, 0, 20), Mask: conntrack.PortTuple(conntrack.ProtoUDP, ones, ones, 0, 0xffff),
		Master: f.Orig, Flags: 0x80} // beyond NF_CT_EXPECT_MASK
	r := conntrack.ExpCreateRequest(0, &e)
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(m)
	ke := mdglue.KernelError(err)
	if ke == nil || !errors.Is(ke, syscall.EINVAL) || len(ke.Msg) == 0 || !ke.HasOffset {
		t.Fatalf("Execute: %v; KernelError %v: want EINVAL with an extack message and offset", err, ke)
	}
	t.Logf("mdlayher: %v\nmdglue.KernelError: %v", err, ke)

	x, _ := run(t, c, r)
	var re *exchange.RequestError
	if !errors.As(x.Err(), &re) {
		t.Fatalf("exchange: %v", x.Err())
	}
	if re.Kernel.Errno != ke.Errno || string(re.Kernel.Msg) != string(ke.Msg) || re.Kernel.Offset != ke.Offset {
		t.Errorf("exchange %v, glue %v: errno, message or offset differ", re, ke)
	}
	t.Logf("exchange: %v", re)
}
