package nlsock_test

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/ctmini"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

// liveNS returns a fresh namespace and a request socket in it, skipping
// when namespaces or ctnetlink are unavailable.
func liveNS(t *testing.T) (*netns.NS, *nlsock.Conn) {
	t.Helper()
	ns := netns.New(t)
	netns.RequireTool(t, "conntrack")
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable: %v", err)
	}
	return ns, open(t, ns, nlsock.Options{})
}

func open(t *testing.T, ns *netns.NS, o nlsock.Options) *nlsock.Conn {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	c, err := nlsock.OpenIn(ns.Path(), o)
	if errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Skipf("NETLINK_NETFILTER sockets unavailable (emulated?): %v", err)
	}
	if err != nil {
		t.Fatalf("open socket in %s: %v", ns.Name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustExec(t *testing.T, ns *netns.NS, args ...string) string {
	t.Helper()
	out, err := ns.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// insertCLI creates 1.1.1.1:1 -> 2.2.2.2:2 tcp ESTABLISHED with conntrack(8).
func insertCLI(t *testing.T, ns *netns.NS) {
	mustExec(t, ns, "conntrack", "-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2",
		"--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "100", "-u", "SEEN_REPLY")
}

var cliTuple = ctmini.Tuple{
	Src: netip.MustParseAddr("1.1.1.1"), Dst: netip.MustParseAddr("2.2.2.2"),
	Proto: 6, SrcPort: 1, DstPort: 2,
}

// messages parses every datagram of a reply.
func messages(t *testing.T, dgs [][]byte) []codec.Message {
	t.Helper()
	var ms []codec.Message
	for _, dg := range dgs {
		for m, err := range codec.Messages(dg, nla.HostOrder) {
			if err != nil {
				t.Fatalf("framing: %v", err)
			}
			ms = append(ms, m)
		}
	}
	return ms
}

func dumpTable(t *testing.T, c *nlsock.Conn, family uint8) (nlsock.Reply, []ctmini.Flow) {
	t.Helper()
	r, err := c.Execute(c.NewRequest(ctmini.TypeCTGet, codec.FlagDump, family, nil))
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	if !r.Done {
		t.Fatalf("dump not ended by NLMSG_DONE: %+v", r)
	}
	var fs []ctmini.Flow
	for _, m := range messages(t, r.Datagrams) {
		if m.Header.Type == codec.TypeDone {
			continue
		}
		if m.Header.Type != ctmini.TypeCTNew || m.Header.Flags&codec.FlagMulti == 0 {
			t.Errorf("dump part %v: want type 0x0100 with NLM_F_MULTI", m.Header)
		}
		f, err := ctmini.ParseFlow(m)
		if err != nil {
			t.Fatalf("dump part at %d: %v", m.Offset, err)
		}
		fs = append(fs, f)
	}
	return r, fs
}

func TestOpenOptions(t *testing.T) {
	ns := netns.New(t)
	c := open(t, ns, nlsock.Options{})
	if c.PortID() == 0 {
		t.Error("port id 0 after bind")
	}
	for _, opt := range []int{unix.NETLINK_EXT_ACK, unix.NETLINK_CAP_ACK} {
		if v, err := c.SockOpt(opt); err != nil || v != 1 {
			t.Errorf("SOL_NETLINK option %d = %d, %v; want 1", opt, v, err)
		}
	}
	// SO_RCVBUFFORCE as root: the kernel doubles and reports the size.
	if n, err := c.RcvBuf(); err != nil || n < nlsock.DefaultRcvBuf {
		t.Errorf("SO_RCVBUF = %d, %v; want at least %d", n, err, nlsock.DefaultRcvBuf)
	}
	if got, want := c.NextSeq(), uint32(1); got != want {
		t.Errorf("first NextSeq = %d, want %d", got, want)
	}
}

func TestDumpCLIEntry(t *testing.T) {
	ns, c := liveNS(t)
	insertCLI(t, ns)
	r, fs := dumpTable(t, c, 0)
	if len(fs) != 1 || r.Messages != 1 {
		t.Fatalf("dump returned %d flows (%d messages), want 1", len(fs), r.Messages)
	}
	f := fs[0]
	if f.Family != 2 || f.Orig != cliTuple || f.Reply.Src != cliTuple.Dst || f.Reply.SrcPort != 2 {
		t.Errorf("flow = %+v, want %v and its reverse", f, cliTuple)
	}
	if want := ctmini.StatusSeenReply | ctmini.StatusConfirmed; f.Status&want != want {
		t.Errorf("status %#x lacks SEEN_REPLY|CONFIRMED", f.Status)
	}
	if f.Timeout == 0 || f.Timeout > 100 {
		t.Errorf("timeout %d, want 1..100", f.Timeout)
	}
	if !f.HasTCPState || f.TCPState != 3 {
		t.Errorf("tcp state %d (present %v), want 3 ESTABLISHED", f.TCPState, f.HasTCPState)
	}
	// ctnetlink ends its table dump in a datagram of its own: 20 bytes of
	// NLMSG_DONE with NLM_F_MULTI and error 0.
	last := r.Datagrams[len(r.Datagrams)-1]
	if len(r.Datagrams) != 2 || len(last) != 20 {
		t.Errorf("reply datagrams %d, last %d bytes; want 2 and 20", len(r.Datagrams), len(last))
	}
	h, _ := codec.ParseHeader(last, nla.HostOrder)
	if h.Type != codec.TypeDone || h.Flags != codec.FlagMulti || h.PID != c.PortID() {
		t.Errorf("DONE header %v", h)
	}
	// Recording: the request went out first, then both reply datagrams.
	recs := c.Recording().Records()
	n := len(recs)
	if n < 3 || recs[n-3].Dir != nlsock.DirOut || recs[n-2].Dir != nlsock.DirIn || recs[n-1].Dir != nlsock.DirIn {
		t.Fatalf("recording ends with %d records, want out,in,in", n)
	}
	if rh, _ := codec.ParseHeader(recs[n-3].Data, nla.HostOrder); rh.Type != ctmini.TypeCTGet ||
		rh.Flags != codec.FlagRequest|codec.FlagDump || rh.Len != 20 {
		t.Errorf("recorded request %v, want a 20-byte CT_GET with REQUEST|DUMP", rh)
	}
	if string(recs[n-1].Data) != string(last) || recs[n-1].Time.Before(recs[n-3].Time) {
		t.Error("recording does not match the reply")
	}
}

// The socket talks to the namespace it was opened in, not the caller's
// nor any other.
func TestNamespaceIsolation(t *testing.T) {
	ns1, c1 := liveNS(t)
	ns2 := netns.New(t)
	c2 := open(t, ns2, nlsock.Options{})
	insertCLI(t, ns1)
	if _, fs := dumpTable(t, c1, 0); len(fs) != 1 {
		t.Errorf("namespace with the entry dumped %d flows, want 1", len(fs))
	}
	if _, fs := dumpTable(t, c2, 0); len(fs) != 0 {
		t.Errorf("other namespace dumped %d flows, want 0", len(fs))
	}
}

func TestGetMissingENOENT(t *testing.T) {
	_, c := liveNS(t)
	missing := ctmini.Tuple{Src: netip.MustParseAddr("9.9.9.9"), Dst: netip.MustParseAddr("8.8.8.8"),
		Proto: 17, SrcPort: 7, DstPort: 9}
	attrs, err := ctmini.AppendTuple(nil, ctmini.CTATupleOrig, missing)
	if err != nil {
		t.Fatal(err)
	}
	req := c.NewRequest(ctmini.TypeCTGet, codec.FlagAck, 2, attrs)
	r, err := c.Execute(req)
	var ke *codec.KernelError
	if !errors.As(err, &ke) || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("GET of a missing tuple: %v, want a KernelError with ENOENT", err)
	}
	// NETLINK_CAP_ACK: only the request header is echoed.
	reqHdr, _ := codec.ParseHeader(req, nla.HostOrder)
	if !ke.Capped || ke.Request != reqHdr || len(ke.RequestPayload) != 0 {
		t.Errorf("error echo capped=%v header=%v payload=%d bytes; want capped echo of %v",
			ke.Capped, ke.Request, len(ke.RequestPayload), reqHdr)
	}
	if len(r.Datagrams) != 1 || r.Messages != 0 {
		t.Errorf("reply %d datagrams %d messages, want the error datagram only", len(r.Datagrams), r.Messages)
	}
}

func TestAckAndPolicyError(t *testing.T) {
	ns, c := liveNS(t)
	insertCLI(t, ns)
	attrs, err := ctmini.AppendTuple(nil, ctmini.CTATupleOrig, cliTuple)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Execute(c.NewRequest(ctmini.TypeCTDelete, codec.FlagAck, 2, attrs))
	if err != nil || !r.Ack {
		t.Fatalf("DELETE by tuple: %+v, %v; want an ACK", r, err)
	}
	if len(r.Datagrams[0]) != 36 {
		t.Errorf("ACK datagram %d bytes, want 36 (header, error 0, echoed header)", len(r.Datagrams[0]))
	}
	if out := mustExec(t, ns, "conntrack", "-L"); strings.Contains(out, "1.1.1.1") {
		t.Errorf("entry still listed after delete:\n%s", out)
	}

	// CTA_TIMEOUT is NLA_U32: two bytes fail policy validation, and the
	// extended ack points at the attribute.
	bad, err := ctmini.NewFlowAttrs(cliTuple, 0)
	if err != nil {
		t.Fatal(err)
	}
	off := codec.AttrOffset + len(bad) - 8 // CTA_TIMEOUT is last
	bad = append(bad[:len(bad)-8], 6, 0, byte(ctmini.CTATimeout), 0, 0, 30, 0, 0)
	_, err = c.Execute(c.NewRequest(ctmini.TypeCTNew, codec.FlagAck|codec.FlagCreate, 2, bad))
	var ke *codec.KernelError
	if !errors.As(err, &ke) {
		t.Fatalf("NEW with a short CTA_TIMEOUT: %v, want a KernelError", err)
	}
	t.Logf("policy error: %v", ke)
	if ke.Errno != syscall.ERANGE || len(ke.Msg) == 0 || !ke.HasOffset || int(ke.Offset) != off {
		t.Errorf("policy error %v: errno %d msg %q offset %d (has %v); want ERANGE with a message and offset %d",
			ke, ke.Errno, ke.Msg, ke.Offset, ke.HasOffset, off)
	}
}

func TestEvents(t *testing.T) {
	ns, _ := liveNS(t)
	ev := open(t, ns, nlsock.Options{Groups: nlsock.EventGroups()})
	insertCLI(t, ns)
	mustExec(t, ns, "conntrack", "-D", "-p", "tcp", "-s", "1.1.1.1")
	want := []struct {
		typ, flags uint16
	}{
		{ctmini.TypeCTNew, codec.FlagCreate | codec.FlagExcl}, // NEW event
		{ctmini.TypeCTDelete, 0},                              // DESTROY event
	}
	for i, w := range want {
		dg, err := ev.Receive()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		ms := messages(t, [][]byte{dg})
		if len(ms) != 1 {
			t.Fatalf("event %d: %d messages in one datagram, want 1", i, len(ms))
		}
		m := ms[0]
		if m.Header.Type != w.typ || m.Header.Flags != w.flags || m.Header.Seq != 0 {
			t.Errorf("event %d header %v, want type %#04x flags %#x seq 0", i, m.Header, w.typ, w.flags)
		}
		f, err := ctmini.ParseFlow(m)
		if err != nil || f.Orig != cliTuple {
			t.Errorf("event %d flow %+v, %v; want %v", i, f.Orig, err, cliTuple)
		}
	}
}

// Execute keeps what it reads for nobody (an event on a subscribed request
// socket) for the next Receive.
func TestExecuteKeepsEvents(t *testing.T) {
	_, c := liveNS(t)
	if err := c.JoinGroup(exchange.GroupNew); err != nil {
		t.Fatal(err)
	}
	attrs, err := ctmini.NewFlowAttrs(cliTuple, 100)
	if err != nil {
		t.Fatal(err)
	}
	req := c.NewRequest(ctmini.TypeCTNew, codec.FlagAck|codec.FlagCreate|codec.FlagExcl, 2, attrs)
	r, err := c.Execute(req)
	if err != nil || !r.Ack {
		t.Fatalf("create: %+v, %v", r, err)
	}
	dg, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := codec.ParseHeader(dg, nla.HostOrder)
	if h.Type != ctmini.TypeCTNew || h.Seq != 0 || h.PID != c.PortID() {
		t.Errorf("kept datagram %v, want the NEW event with seq 0 and our port id", h)
	}
}

func TestReceiveTimeout(t *testing.T) {
	ns := netns.New(t)
	c := open(t, ns, nlsock.Options{Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := c.Receive()
	if !errors.Is(err, nlsock.ErrTimeout) {
		t.Fatalf("Receive on an idle socket: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("timed out after %v, before the 50ms timeout", d)
	}
}

func TestExecuteNeedsTerminator(t *testing.T) {
	ns := netns.New(t)
	c := open(t, ns, nlsock.Options{})
	_, err := c.Execute(c.NewRequest(ctmini.TypeCTStats, 0, 0, nil))
	if !errors.Is(err, nlsock.ErrNoTerminator) {
		t.Errorf("Execute without DUMP or ACK: %v, want ErrNoTerminator", err)
	}
	_, err = c.Execute([]byte{1, 2, 3})
	if !errors.Is(err, nlsock.ErrBadRequest) {
		t.Errorf("Execute of 3 bytes: %v, want ErrBadRequest", err)
	}
}

// A small receive buffer overflows with events; the overrun is reported
// as a typed error, not hidden, and the socket keeps working.
func TestOverrunReported(t *testing.T) {
	ns, c := liveNS(t)
	ev := open(t, ns, nlsock.Options{Groups: []uint32{exchange.GroupNew}, RcvBuf: 4096})
	for i := range 200 {
		tu := cliTuple
		tu.SrcPort = uint16(1000 + i)
		attrs, err := ctmini.NewFlowAttrs(tu, 100)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(c.NewRequest(ctmini.TypeCTNew, codec.FlagAck|codec.FlagCreate, 2, attrs)); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	ev.SetTimeout(time.Second)
	var got, overruns int
	for {
		_, err := ev.Receive()
		if errors.Is(err, nlsock.ErrTimeout) {
			break
		}
		if err != nil {
			var oe *nlsock.OpError
			if !errors.Is(err, nlsock.ErrOverrun) || !errors.Is(err, syscall.ENOBUFS) || !errors.As(err, &oe) {
				t.Fatalf("receive: %v, want an OpError matching ErrOverrun and ENOBUFS", err)
			}
			overruns++
			continue
		}
		got++
	}
	if overruns == 0 || got == 0 || got >= 200 {
		t.Errorf("received %d of 200 events with %d overruns; want some events and an overrun", got, overruns)
	}
}

// EventGroups is exchange's six groups.
func TestEventGroups(t *testing.T) {
	want := []uint32{exchange.GroupNew, exchange.GroupUpdate, exchange.GroupDestroy,
		exchange.GroupExpectNew, exchange.GroupExpectUpdate, exchange.GroupExpectDelete}
	if got := nlsock.EventGroups(); !slices.Equal(got, want) {
		t.Errorf("EventGroups() = %v, want exchange's %v", got, want)
	}
}
