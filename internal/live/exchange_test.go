package live_test

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/netns"
)

// The tests of this file drive every ctnetlink operation through
// package exchange over a plain golang.org/x/sys/unix socket: the exchange
// builds the datagrams and reads the answers, the test only moves bytes.
// Every receive is bounded by SO_RCVTIMEO; a receive that times out fails
// the exchange, and so the test, instead of waiting.

// xdeadline bounds every receive of the exchange tests.
const xdeadline = 5 * time.Second

// xsock is a NETLINK_NETFILTER socket opened in a test namespace.
type xsock struct {
	fd       int
	pid      uint32
	in, out  []byte
	timeouts int
}

// openX opens a socket in ns with NETLINK_EXT_ACK set (when extAck) and
// a receive deadline, skipping when NETLINK_NETFILTER is unavailable.
func openX(t *testing.T, ns *netns.NS, extAck bool) *xsock {
	t.Helper()
	s := &xsock{fd: -1, in: make([]byte, 1<<16), out: make([]byte, 0, exchange.DefaultMaxDatagram)}
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
		s.fd = fd
		return err
	})
	if errors.Is(err, syscall.EPROTONOSUPPORT) {
		t.Skipf("NETLINK_NETFILTER sockets unavailable (emulated?): %v", err)
	}
	if err != nil {
		t.Fatalf("socket in %s: %v", ns.Name, err)
	}
	t.Cleanup(func() { unix.Close(s.fd) })
	if err := unix.Bind(s.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(s.fd)
	if err != nil {
		t.Fatal(err)
	}
	s.pid = sa.(*unix.SockaddrNetlink).Pid
	if extAck {
		if err := unix.SetsockoptInt(s.fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1); err != nil {
			t.Fatal(err)
		}
	}
	s.setDeadline(t, xdeadline)
	return s
}

func (s *xsock) setDeadline(t *testing.T, d time.Duration) {
	tv := unix.NsecToTimeval(d.Nanoseconds())
	if err := unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
}

// errDeadline is what a receive that timed out fails the exchange with.
var errDeadline = errors.New("receive deadline passed (SO_RCVTIMEO)")

// exchange returns an exchange for requests sent on s.
func (s *xsock) exchange() *exchange.Exchange { return &exchange.Exchange{PID: s.pid} }

// run sends and receives until x is done, calling each for every record,
// and returns x.Err(). A receive that times out fails x with errDeadline.
func (s *xsock) run(x *exchange.Exchange, each func(x *exchange.Exchange)) error {
	kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	for !x.Done() {
		if out := x.AppendOutgoing(s.out[:0]); len(out) > 0 {
			x.Fail(unix.Sendto(s.fd, out, 0, kernel))
			continue
		}
		n, _, err := unix.Recvfrom(s.fd, s.in, unix.MSG_TRUNC)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			s.timeouts++
			x.Fail(errDeadline)
			continue
		case err != nil:
			x.Fail(err) // ENOBUFS: answers were dropped
			continue
		case n > len(s.in):
			x.Fail(fmt.Errorf("datagram of %d bytes truncated to %d", n, len(s.in)))
			continue
		}
		for x.Receive(s.in[:n]); x.Next(); {
			if each != nil {
				each(x)
			}
		}
	}
	if err := x.RecordErr(); err != nil {
		return err
	}
	return x.Err()
}

// do runs the requests in one exchange, fails the test on any refusal
// or failure, and returns the records of each request.
func (s *xsock) do(t *testing.T, reqs ...conntrack.Request) [][]conntrack.Record {
	t.Helper()
	recs, x, err := s.try(t, reqs...)
	if err != nil {
		t.Fatalf("%s: %v", opsOf(reqs), err)
	}
	if x.Foreign() != 0 {
		t.Errorf("%s: %d foreign messages", opsOf(reqs), x.Foreign())
	}
	return recs
}

// try runs the requests in one exchange and returns the records of each
// request, the finished exchange and its error.
func (s *xsock) try(t *testing.T, reqs ...conntrack.Request) ([][]conntrack.Record, *exchange.Exchange, error) {
	t.Helper()
	x := s.exchange()
	for i := range reqs {
		if _, err := x.Add(&reqs[i]); err != nil {
			t.Fatalf("add %s: %v", reqs[i].Op, err)
		}
	}
	recs := make([][]conntrack.Record, len(reqs))
	start := time.Now()
	err := s.run(x, func(x *exchange.Exchange) {
		recs[x.Index()] = append(recs[x.Index()], *x.Record())
	})
	if errors.Is(err, errDeadline) {
		t.Fatalf("%s: no answer within %v: %v", opsOf(reqs), xdeadline, err)
	}
	if d := time.Since(start); d > xdeadline {
		t.Errorf("%s took %v", opsOf(reqs), d)
	}
	return recs, x, err
}

func opsOf(reqs []conntrack.Request) string {
	var ops []string
	for _, r := range reqs {
		ops = append(ops, r.Op.String())
	}
	if len(ops) > 4 {
		return fmt.Sprintf("%d requests (%s, ...)", len(ops), strings.Join(ops[:4], ", "))
	}
	return strings.Join(ops, ", ")
}

// flowsIn returns the flows among recs.
func flowsIn(recs []conntrack.Record) []conntrack.Flow {
	var fs []conntrack.Flow
	for i := range recs {
		if recs[i].Kind == conntrack.KindFlow {
			fs = append(fs, recs[i].Flow)
		}
	}
	return fs
}

// refusal checks that err is a *exchange.RequestError for request i
// matching errno, and returns it.
func refusal(t *testing.T, what string, err error, i int, errno syscall.Errno) *exchange.RequestError {
	t.Helper()
	var re *exchange.RequestError
	if !errors.As(err, &re) || re.Index != i || !errors.Is(err, errno) {
		t.Fatalf("%s: %v, want a RequestError for request %d matching %v", what, err, i, errno)
	}
	t.Logf("%s: %v", what, err)
	return re
}

// TestLiveExchangeOps runs every conntrack and expectation operation
// through the exchange in a fresh namespace: creates, GET (finished by
// its ACK, not waited on), updates, dumps (plain, CTRZERO, dying,
// unconfirmed), statistics, expectations, deletes and flush, and a mixed
// batch whose refusals land on the right requests.
func TestLiveExchangeOps(t *testing.T) {
	ns, _ := liveNS(t)
	if err := ns.Sysctl("net.netfilter.nf_conntrack_acct", "1"); err != nil {
		t.Fatalf("accounting on: %v", err)
	}
	s := openX(t, ns, true)
	f1 := withMark(newFlow(tcp(a4, b4, 5001, 80), 300), 7)
	f2 := newFlow(udp(a6, b6, 5002, 53), 300)
	f3 := newFlow(conntrack.ICMPTuple(a4, c4, 99, 8, 0), 300)

	// Three creates in one exchange: one datagram, three ACKs.
	s.do(t, conntrack.CreateRequest(0, &f1), conntrack.CreateRequest(0, &f2), conntrack.CreateRequest(0, &f3))

	// GET: the kernel answers with one NLM_F_MULTI message and an ACK,
	// no NLMSG_DONE; the exchange ends on the ACK.
	start := time.Now()
	recs := s.do(t, conntrack.GetRequest(0, f1.Orig))
	if fs := flowsIn(recs[0]); len(fs) != 1 || fs[0].Orig != f1.Orig || fs[0].Mark != 7 {
		t.Fatalf("get: %+v", recs[0])
	}
	t.Logf("get answered and finished in %v", time.Since(start))
	if recs[0][0].Header.Flags&codec.FlagMulti == 0 {
		t.Errorf("get reply flags %#x: the kernel no longer sets NLM_F_MULTI", recs[0][0].Header.Flags)
	}

	// Update the mark, then read it back.
	u := withMark(origOnly(f1), 0x99)
	recs = s.do(t, conntrack.UpdateRequest(0, &u), conntrack.GetRequest(0, f1.Orig))
	if fs := flowsIn(recs[1]); len(fs) != 1 || fs[0].Mark != 0x99 {
		t.Fatalf("get after update: %+v", fs)
	}

	// Dump, and a dump with CTRZERO.
	recs = s.do(t, conntrack.DumpRequest(0, conntrack.FamilyUnspec))
	sameKeys(t, "dump", keys(flowsIn(recs[0])), keysOf(f1, f2, f3))
	recs = s.do(t, conntrack.DumpCtrZeroRequest(0, conntrack.FamilyIPv4), conntrack.GetCtrZeroRequest(0, f2.Orig))
	sameKeys(t, "dump ipv4 with CTRZERO", keys(flowsIn(recs[0])), keysOf(f1, f3))
	sameKeys(t, "get with CTRZERO", keys(flowsIn(recs[1])), keysOf(f2))
	for _, f := range flowsIn(recs[0]) {
		if !f.Present.Has(conntrack.AttrCountersOrig) {
			t.Errorf("%s: no counters with accounting on", key(&f.Orig))
		}
	}

	// Statistics: global, per CPU, expectations per CPU.
	recs = s.do(t, conntrack.StatsRequest(0), conntrack.StatsCPURequest(0), conntrack.ExpStatsCPURequest(0))
	if len(recs[0]) != 1 || recs[0][0].Kind != conntrack.KindStatsGlobal || recs[0][0].StatsGlobal.Entries != 3 {
		t.Errorf("stats: %+v, want one global record with 3 entries", recs[0])
	} else {
		t.Logf("stats: %d entries, max %d", recs[0][0].StatsGlobal.Entries, recs[0][0].StatsGlobal.MaxEntries)
	}
	if len(recs[1]) == 0 || len(recs[2]) != len(recs[1]) {
		t.Errorf("stats-cpu: %d records, exp-stats-cpu: %d", len(recs[1]), len(recs[2]))
	}
	for _, r := range recs[1] {
		if r.Kind != conntrack.KindStatsCPU {
			t.Errorf("stats-cpu record of kind %s", r.Kind)
		}
	}
	for _, r := range recs[2] {
		if r.Kind != conntrack.KindStatsExp {
			t.Errorf("exp-stats-cpu record of kind %s", r.Kind)
		}
	}
	t.Logf("stats-cpu and exp-stats-cpu: %d CPUs", len(recs[1]))

	// The dying and unconfirmed lists (empty here: nothing dies or
	// waits for confirmation), each ended by its NLMSG_DONE.
	recs = s.do(t, conntrack.DyingRequest(0), conntrack.UnconfirmedRequest(0))
	t.Logf("dying: %d records, unconfirmed: %d", len(recs[0]), len(recs[1]))

	// Expectations: a master with the ftp helper, then create, get, dump,
	// delete, and flush.
	master := withTCPState(newFlow(tcp(a4, b4, 5021, 21), 300), conntrack.TCPStateEstablished)
	master.Helper.Name, _ = conntrack.MakeHelperName("ftp")
	master.Helper.Present.Add(conntrack.HelpAttrName)
	master.Present.Add(conntrack.AttrHelp)
	if _, _, err := s.try(t, conntrack.CreateRequest(0, &master)); err != nil {
		t.Skipf("a master entry with the ftp helper: %v (nf_conntrack_ftp unavailable?)", err)
	}
	exp := func(port uint16) conntrack.Expect {
		e := conntrack.Expect{Tuple: tcp(b4, a4, 0, port), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff), Master: master.Orig, Timeout: 200}
		e.Present.Add(conntrack.ExpectAttrTuple)
		e.Present.Add(conntrack.ExpectAttrMask)
		e.Present.Add(conntrack.ExpectAttrMaster)
		e.Present.Add(conntrack.ExpectAttrTimeout)
		return e
	}
	// The ftp helper allows one expectation per master (max_expected
	// 1): a second replaces the first.
	e1, e2 := exp(20001), exp(20002)
	recs = s.do(t, conntrack.ExpCreateRequest(0, &e1), conntrack.ExpCreateRequest(0, &e2),
		conntrack.ExpDumpRequest(0, conntrack.FamilyUnspec), conntrack.ExpMasterDumpRequest(0, master.Orig))
	if len(recs[2]) != 1 || len(recs[3]) != 1 || recs[2][0].Expect.Tuple.DstPort != 20002 {
		t.Fatalf("expectation dump: %+v, by master %d records, want the second expectation", recs[2], len(recs[3]))
	}
	got := recs[2][0].Expect // the tuple as the kernel keeps it
	recs = s.do(t, conntrack.ExpGetRequest(0, got.Tuple))
	if len(recs[0]) != 1 || recs[0][0].Kind != conntrack.KindExpect || recs[0][0].Expect.ID != got.ID {
		t.Errorf("expectation get: %+v", recs[0])
	}
	t.Logf("expectations created: dump 1, dump by master 1, get 1 (%s)", key(&got.Tuple))
	_, x, _ := s.try(t, conntrack.ExpDeleteRequest(0, got.Tuple), conntrack.ExpGetRequest(0, got.Tuple),
		conntrack.ExpFlushRequest(0), conntrack.ExpDumpRequest(0, conntrack.FamilyUnspec))
	if x.Result(0) != nil || x.Result(2) != nil || x.Result(3) != nil || x.Refused() != 1 {
		t.Errorf("expectation delete, flush, dump: %v, %v, %v (%d refused)", x.Result(0), x.Result(2), x.Result(3), x.Refused())
	}
	refusal(t, "expectation get after its delete", x.Result(1), 1, syscall.ENOENT)
	if recs := s.do(t, conntrack.ExpDumpRequest(0, conntrack.FamilyUnspec)); len(recs[0]) != 0 {
		t.Errorf("expectations after flush: %d", len(recs[0]))
	}

	// A mixed batch: refusals are reported per request and stop nothing;
	// the dump waits for the requests before it.
	f4 := newFlow(tcp(a4, c4, 5004, 443), 300)
	missing := tcp(a4, c4, 5999, 443)
	recs, x, err := s.try(t,
		conntrack.CreateRequest(0, &f4),         // 0
		conntrack.CreateRequest(0, &f4),         // 1: EEXIST
		conntrack.GetRequest(0, f4.Orig),        // 2
		conntrack.DeleteRequest(0, missing),     // 3: ENOENT
		conntrack.DeleteRequest(0, f3.Orig),     // 4
		conntrack.DumpRequest(0, 0),             // 5
		conntrack.GetRequest(0, f3.Orig),        // 6: ENOENT
		conntrack.UpdateRequest(0, ptr(u)),      // 7
		conntrack.FlushRequest(0, 0),            // 8
		conntrack.DumpRequest(0, 0),             // 9
		conntrack.GetRequest(0, missing),        // 10: ENOENT
		conntrack.StatsRequest(0),               // 11
		conntrack.DeleteRequest(0, f1.Orig),     // 12: ENOENT after the flush
		conntrack.CreateRequest(0, ptr(f1)),     // 13
		conntrack.DumpRequest(0, 0),             // 14
		conntrack.FlushRequest(0, 0),            // 15
		conntrack.DumpCtrZeroRequest(0, 0),      // 16
		conntrack.UpdateRequest(0, ptr(u)),      // 17: ENOENT
		conntrack.DyingRequest(0),               // 18
		conntrack.UnconfirmedRequest(0),         // 19
		conntrack.StatsCPURequest(0),            // 20
		conntrack.ExpStatsCPURequest(0),         // 21
		conntrack.ExpDumpRequest(0, 0),          // 22
		conntrack.GetCtrZeroRequest(0, missing), // 23: ENOENT
	)
	want := map[int]syscall.Errno{1: syscall.EEXIST, 3: syscall.ENOENT, 6: syscall.ENOENT, 10: syscall.ENOENT,
		12: syscall.ENOENT, 17: syscall.ENOENT, 23: syscall.ENOENT}
	for i := range x.Len() {
		if errno, ok := want[i]; ok {
			refusal(t, fmt.Sprintf("mixed batch request %d", i), x.Result(i), i, errno)
		} else if x.Result(i) != nil {
			t.Errorf("mixed batch request %d: %v", i, x.Result(i))
		}
	}
	if x.Refused() != len(want) || err == nil {
		t.Errorf("mixed batch: %d refused (Err %v), want %d", x.Refused(), err, len(want))
	}
	sameKeys(t, "mixed batch: get", keys(flowsIn(recs[2])), keysOf(f4))
	sameKeys(t, "mixed batch: first dump", keys(flowsIn(recs[5])), keysOf(f1, f2, master, f4))
	sameKeys(t, "mixed batch: dump after the flush", keys(flowsIn(recs[9])), nil)
	sameKeys(t, "mixed batch: dump after the create", keys(flowsIn(recs[14])), keysOf(f1))
	sameKeys(t, "mixed batch: CTRZERO dump after the second flush", keys(flowsIn(recs[16])), nil)
	if len(recs[11]) != 1 || recs[11][0].StatsGlobal.Entries != 0 {
		t.Errorf("mixed batch: stats after the flush: %+v", recs[11])
	}
	for i, rs := range recs {
		for _, r := range rs {
			if want[i] != 0 || r.Kind == conntrack.KindAck || r.Kind == conntrack.KindDone || r.Kind == conntrack.KindError {
				t.Errorf("mixed batch request %d: record of kind %s", i, r.Kind)
			}
		}
	}
	if recs := s.do(t, conntrack.DumpRequest(0, 0)); len(recs[0]) != 0 {
		t.Errorf("table after the batch: %d entries", len(recs[0]))
	}
}

// TestLiveExchangeBatch creates 10,000 entries in one exchange, with
// duplicates mixed in that the kernel refuses with EEXIST, then deletes
// them in one exchange with deletes of absent entries mixed in (ENOENT):
// exactly the refused requests have a non-nil Result, and the table
// holds what the accepted requests left.
func TestLiveExchangeBatch(t *testing.T) {
	const n = 10000
	ns, _ := liveNS(t)
	s := openX(t, ns, true)
	flow := func(i int) conntrack.Flow { return newFlow(udp(a4, b4, uint16(10000+i), 53), 600) }

	x := s.exchange()
	wantRefused := map[int]bool{}
	for i := range n {
		f := flow(i)
		if _, err := x.Add(ptr(conntrack.CreateRequest(0, &f))); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 999 { // a duplicate of an entry created earlier
			f := flow(i - 500)
			j, err := x.Add(ptr(conntrack.CreateRequest(0, &f)))
			if err != nil {
				t.Fatal(err)
			}
			wantRefused[j] = true
		}
	}
	start := time.Now()
	err := s.run(x, nil)
	t.Logf("%d creates in one exchange: %v, %d refused (%v)", x.Len(), time.Since(start), x.Refused(), err)
	checkRefused(t, x, wantRefused, syscall.EEXIST)

	got := map[uint16]int{}
	x = s.exchange()
	x.Add(ptr(conntrack.DumpRequest(0, 0)))
	x.Add(ptr(conntrack.StatsRequest(0)))
	var entries uint32
	if err := s.run(x, func(x *exchange.Exchange) {
		switch r := x.Record(); r.Kind {
		case conntrack.KindFlow:
			got[r.Flow.Orig.SrcPort]++
		case conntrack.KindStatsGlobal:
			entries = r.StatsGlobal.Entries
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != n || entries != n {
		t.Fatalf("after the creates: %d distinct entries dumped, stats %d, want %d", len(got), entries, n)
	}
	for p, c := range got {
		if c != 1 || p < 10000 || p >= 10000+n {
			t.Fatalf("after the creates: port %d dumped %d times", p, c)
		}
	}
	t.Logf("dump after the creates: %d entries, each once; stats: %d", len(got), entries)

	x = s.exchange()
	wantRefused = map[int]bool{}
	for i := range n {
		if _, err := x.Add(ptr(conntrack.DeleteRequest(0, flow(i).Orig))); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 { // an entry never created, and one deleted already
			for _, f := range []conntrack.Flow{flow(n + i), flow(i)} {
				j, err := x.Add(ptr(conntrack.DeleteRequest(0, f.Orig)))
				if err != nil {
					t.Fatal(err)
				}
				wantRefused[j] = true
			}
		}
	}
	start = time.Now()
	err = s.run(x, nil)
	t.Logf("%d deletes in one exchange: %v, %d refused (%v)", x.Len(), time.Since(start), x.Refused(), err)
	checkRefused(t, x, wantRefused, syscall.ENOENT)

	recs := s.do(t, conntrack.DumpRequest(0, 0), conntrack.StatsRequest(0))
	if len(recs[0]) != 0 || len(recs[1]) != 1 || recs[1][0].StatsGlobal.Entries != 0 {
		t.Fatalf("after the deletes: %d entries dumped, stats %+v", len(recs[0]), recs[1])
	}
	t.Logf("after the deletes: the table is empty")
}

// checkRefused checks that the requests of x with a non-nil Result are
// exactly those of want, each a RequestError matching errno.
func checkRefused(t *testing.T, x *exchange.Exchange, want map[int]bool, errno syscall.Errno) {
	t.Helper()
	if !x.Done() {
		t.Fatal("exchange not done")
	}
	var got []int
	for i := range x.Len() {
		err := x.Result(i)
		if err == nil {
			continue
		}
		got = append(got, i)
		var re *exchange.RequestError
		if !want[i] || !errors.As(err, &re) || re.Index != i || !errors.Is(err, errno) {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if len(got) != len(want) || x.Refused() != len(want) {
		t.Fatalf("refused requests %v (Refused %d), want %d of them", got, x.Refused(), len(want))
	}
	if x.Foreign() != 0 {
		t.Errorf("%d foreign messages", x.Foreign())
	}
	t.Logf("refused exactly requests %v, each with %v", got, errno)
}

// TestLiveExchangeExtAck provokes a kernel error on a socket with
// NETLINK_EXT_ACK set: the request's RequestError carries the errno, the
// kernel's message and the offset of the offending attribute. Without
// NETLINK_EXT_ACK the same refusal carries no message.
func TestLiveExchangeExtAck(t *testing.T) {
	ns, _ := liveNS(t)
	f := newFlow(tcp(a4, b4, 6001, 80), 300)
	e := conntrack.Expect{Tuple: tcp(a4, b4, 0, 20), Mask: tcp(netip4ones(), netip4ones(), 0, 0xffff), Master: f.Orig, Flags: 0x80}
	e.Present.Add(conntrack.ExpectAttrTuple)
	e.Present.Add(conntrack.ExpectAttrMask)
	e.Present.Add(conntrack.ExpectAttrMaster)
	e.Present.Add(conntrack.ExpectAttrFlags)
	for _, extAck := range []bool{true, false} {
		s := openX(t, ns, extAck)
		_, x, err := s.try(t, conntrack.CreateRequest(0, &f), conntrack.ExpCreateRequest(0, &e))
		if extAck && (x.Result(0) != nil || err == nil) {
			t.Fatalf("create: %v", x.Result(0))
		}
		re := refusal(t, fmt.Sprintf("expectation flags 0x80, NETLINK_EXT_ACK %v", extAck), x.Result(1), 1, syscall.EINVAL)
		if re.Op != conntrack.OpExpCreate {
			t.Errorf("op %s", re.Op)
		}
		msg := string(re.Kernel.Msg)
		switch {
		case extAck && (msg == "" || !re.Kernel.HasOffset || !strings.Contains(err.Error(), msg)):
			t.Errorf("extack message %q, offset %d (%v), in the error text: %v", msg, re.Kernel.Offset, re.Kernel.HasOffset, strings.Contains(err.Error(), msg))
		case !extAck && (msg != "" || re.Kernel.HasOffset):
			t.Errorf("without NETLINK_EXT_ACK: message %q, offset %v", msg, re.Kernel.HasOffset)
		case extAck:
			t.Logf("extack %q at offset %d, in %q", msg, re.Kernel.Offset, err)
		}
	}
}

// TestLiveExchangeDeadline checks the deadline path: a request whose
// datagram is never sent gets no answer, the receive times out, and the
// request's result is the failure instead of a wait.
func TestLiveExchangeDeadline(t *testing.T) {
	ns, _ := liveNS(t)
	s := openX(t, ns, true)
	s.setDeadline(t, 200*time.Millisecond)
	x := s.exchange()
	x.Add(ptr(conntrack.GetRequest(0, tcp(a4, b4, 7001, 80))))
	_ = x.AppendOutgoing(nil) // lost: the kernel never sees it
	start := time.Now()
	err := s.run(x, nil)
	if !errors.Is(err, errDeadline) || !errors.Is(x.Result(0), errDeadline) || !x.Done() || s.timeouts != 1 {
		t.Fatalf("unanswered get: %v (result %v, %d timeouts)", err, x.Result(0), s.timeouts)
	}
	t.Logf("unanswered get failed after %v: %v", time.Since(start), err)
}
