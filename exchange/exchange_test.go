package exchange

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
	"pgregory.net/rapid"
)

const testPID = 4242

// A plan says how the simulated kernel answers one request.
type plan struct {
	records int           // data messages before the end
	errno   syscall.Errno // 0: the request succeeds
	intr    bool          // a dump's messages carry NLM_F_DUMP_INTR
}

// An event of the answer stream, as the reference model sees it.
type event struct {
	kind  int // evRecord, evEnd, evForeign
	req   int
	mark  uint32
	errno syscall.Errno
	intr  bool
}

const (
	evRecord = iota
	evEnd
	evForeign
)

// kernel is a simulated ctnetlink: it reads the datagrams an exchange
// sends, checks the exchange's flow control, and queues answers.
type kernel struct {
	t        *rapid.T
	plans    []plan
	ops      []conntrack.Op
	window   int
	maxDgram int

	accepted int // requests received
	ended    int // requests whose last message was queued
	seen     int // requests whose last message reached the exchange
	queue    [][]byte
	events   []event
	mark     uint32
}

func flowMsg(seq, pid uint32, mark uint32, flags uint16) []byte {
	b, start := codec.AppendMessage(nil, codec.Header{Type: uint16(conntrack.MsgCTNew), Flags: flags, Seq: seq, PID: pid},
		codec.NFGen{Family: uint8(conntrack.FamilyIPv4)})
	f := conntrack.Flow{Family: conntrack.FamilyIPv4, Mark: mark}
	f.Orig = conntrack.Tuple{Src: netip.AddrFrom4([4]byte{10, 0, 0, 1}), Dst: netip.AddrFrom4([4]byte{10, 0, 0, 2}), Proto: conntrack.ProtoUDP, SrcPort: 1, DstPort: 2}
	b, err := f.AppendAttrs(b)
	if err != nil {
		panic(err)
	}
	b, err = codec.EndMessage(b, start)
	if err != nil {
		panic(err)
	}
	return b
}

func (k *kernel) accept(dgram []byte) {
	t := k.t
	if len(dgram) > k.maxDgram {
		// Only a single request may exceed the size.
		if n := countMessages(dgram); n != 1 {
			t.Fatalf("datagram of %d bytes holds %d requests (max %d)", len(dgram), n, k.maxDgram)
		}
	}
	p := codec.NewParser(dgram, nla.HostOrder)
	n := 0
	for p.Next() {
		m := p.Message()
		i := k.accepted
		k.accepted++
		n++
		if m.Header.PID != testPID {
			t.Fatalf("request %d: pid %d", i, m.Header.PID)
		}
		dump := m.Header.Flags&codec.FlagDump == codec.FlagDump
		if k.ops[i].IsDump() != dump {
			t.Fatalf("request %d (%v): dump flag %v", i, k.ops[i], dump)
		}
		if !dump && m.Header.Flags&codec.FlagAck == 0 {
			t.Fatalf("request %d: no NLM_F_ACK", i)
		}
		if dump && (k.seen != i || n != 1) {
			t.Fatalf("dump %d sent with %d requests unanswered, %d in its datagram", i, i-k.seen, n)
		}
		if k.accepted-k.seen > k.window {
			t.Fatalf("%d requests unanswered, window %d", k.accepted-k.seen, k.window)
		}
		k.answer(i, m.Header)
	}
	if p.Err() != nil {
		t.Fatalf("sent datagram: %v", p.Err())
	}
}

func countMessages(b []byte) int {
	n := 0
	for p := codec.NewParser(b, nla.HostOrder); p.Next(); {
		n++
	}
	return n
}

func (k *kernel) answer(i int, req codec.Header) {
	pl := k.plans[i]
	h := codec.Header{Seq: req.Seq, PID: testPID}
	for range pl.records {
		k.mark++
		flags := codec.FlagMulti
		if pl.intr {
			flags |= codec.FlagDumpIntr
		}
		k.queue = append(k.queue, flowMsg(req.Seq, testPID, k.mark, flags))
		k.events = append(k.events, event{kind: evRecord, req: i, mark: k.mark})
	}
	var b []byte
	var err error
	dump := k.ops[i].IsDump()
	switch {
	case pl.errno != 0 && (!dump || pl.records == 0):
		h.Flags = codec.FlagCapped | codec.FlagAckTLVs
		ke := codec.KernelError{Code: -int32(pl.errno), Request: req, Capped: true}
		ke.TLVs = nla.AppendString(nil, codec.ExtAckMsg, "refused by the test")
		b, err = codec.AppendError(nil, h, &ke)
	case dump:
		h.Flags = codec.FlagMulti
		if pl.intr {
			h.Flags |= codec.FlagDumpIntr
		}
		b, err = codec.AppendDone(nil, h, -int32(pl.errno), nil)
	default:
		h.Flags = codec.FlagCapped
		b, err = codec.AppendError(nil, h, &codec.KernelError{Request: req, Capped: true})
	}
	if err != nil {
		k.t.Fatal(err)
	}
	k.queue = append(k.queue, b)
	k.events = append(k.events, event{kind: evEnd, req: i, errno: pl.errno, intr: pl.intr && dump})
	k.ended++
}

// model runs the reference semantics over the events delivered before a
// truncation: the records each request gets, and its result.
type outcome struct {
	records []string
	results []string
}

func model(evs []event, n int, truncated bool) outcome {
	var o outcome
	o.results = make([]string, n)
	for i := range o.results {
		o.results[i] = "pending"
	}
	for _, e := range evs {
		switch e.kind {
		case evRecord:
			o.records = append(o.records, fmt.Sprintf("%d:%d", e.req, e.mark))
		case evEnd:
			switch {
			case e.errno != 0:
				o.results[e.req] = "errno " + e.errno.Error()
			case e.intr:
				o.results[e.req] = "interrupted"
			default:
				o.results[e.req] = "ok"
			}
		}
	}
	if truncated {
		for i, r := range o.results {
			if r == "pending" {
				o.results[i] = "truncated"
			}
		}
	}
	return o
}

func describe(err error) string {
	var re *RequestError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &re):
		return "errno " + re.Kernel.Errno.Error()
	case errors.Is(err, ErrInterrupted):
		return "interrupted"
	case errors.Is(err, codec.ErrTruncated):
		return "truncated"
	case errors.Is(err, ErrPending):
		return "pending"
	}
	return "other: " + err.Error()
}

var drawOps = []conntrack.Op{conntrack.OpGet, conntrack.OpDump, conntrack.OpCreate, conntrack.OpUpdate,
	conntrack.OpDelete, conntrack.OpFlush, conntrack.OpStats, conntrack.OpStatsCPU, conntrack.OpExpDump}

// TestExchangeModel draws request batches and kernel answers (any split
// across datagrams, foreign messages anywhere, refusals, interrupted
// dumps, a truncated datagram) and checks the exchange against the
// reference model: the same records in the same order, the same result
// for every request, and the flow control the simulated kernel checks.
func TestExchangeModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "requests")
		x := Exchange{PID: testPID, Seq: rapid.Uint32().Draw(t, "seq"),
			Window: rapid.IntRange(0, 8).Draw(t, "window"), MaxDatagram: rapid.IntRange(0, 400).Draw(t, "maxDatagram")}
		k := &kernel{t: t, window: x.Window, maxDgram: x.MaxDatagram}
		if k.window == 0 {
			k.window = DefaultWindow
		}
		if k.maxDgram == 0 {
			k.maxDgram = DefaultMaxDatagram
		}
		for i := range n {
			op := rapid.SampledFrom(drawOps).Draw(t, "op")
			pl := plan{}
			switch {
			case op.IsDump():
				pl.records = rapid.IntRange(0, 6).Draw(t, "records")
				pl.intr = rapid.IntRange(0, 4).Draw(t, "intr") == 0
			case op == conntrack.OpGet || op == conntrack.OpStats:
				pl.records = 1
			}
			if rapid.IntRange(0, 3).Draw(t, "refuse") == 0 {
				pl.errno = rapid.SampledFrom([]syscall.Errno{syscall.ENOENT, syscall.EEXIST, syscall.EINVAL, syscall.EBUSY}).Draw(t, "errno")
				if op.IsDump() && pl.records > 0 {
					pl.errno = syscall.EINTR // a dump's error comes in its NLMSG_DONE
				}
			}
			k.plans, k.ops = append(k.plans, pl), append(k.ops, op)
			r := conntrack.Request{Op: op}
			if op == conntrack.OpCreate {
				src, dst := netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), netip.AddrFrom4([4]byte{10, 0, 0, 2})
				r.Flow.Orig = conntrack.PortTuple(conntrack.ProtoTCP, src, dst, uint16(i), 80)
				r.Flow.Reply = conntrack.PortTuple(conntrack.ProtoTCP, dst, src, 80, uint16(i))
				r.Flow.Timeout = 30
			}
			if idx, err := x.Add(&r); err != nil || idx != i {
				t.Fatalf("Add %d: %d, %v", i, idx, err)
			}
		}
		truncateAt := -1
		if rapid.IntRange(0, 5).Draw(t, "truncate?") == 0 {
			truncateAt = rapid.IntRange(0, 3*n).Draw(t, "truncateAt")
		}
		var got outcome
		var delivered []event
		truncated := false
		buf := make([]byte, 0, 1<<16)
		for dg := 0; !x.Done(); dg++ {
			if out := x.AppendOutgoing(buf[:0]); len(out) > 0 {
				k.accept(out)
				continue
			}
			if len(k.queue) == 0 {
				t.Fatalf("exchange waits for answers the kernel does not owe (sent %d, %d requests)", k.accepted, n)
			}
			take := rapid.IntRange(1, len(k.queue)).Draw(t, "take")
			var dgram []byte
			lastLen := len(k.queue[take-1])
			evs := k.events[:take]
			for _, m := range k.queue[:take] {
				if rapid.IntRange(0, 4).Draw(t, "foreign") == 0 {
					seq := x.seqOf(n + rapid.IntRange(0, 3).Draw(t, "fseq")) // after the last request
					pid := uint32(testPID)
					if rapid.Bool().Draw(t, "fpid") {
						pid, seq = 0, 0 // an event
					}
					dgram = append(dgram, flowMsg(seq, pid, 999, 0)...)
				}
				dgram = append(dgram, m...)
			}
			k.queue, k.events = k.queue[take:], k.events[take:]
			if dg == truncateAt {
				// Cut inside the last message: the ones before it still count.
				dgram = dgram[:len(dgram)-rapid.IntRange(1, lastLen-1).Draw(t, "cut")]
				evs = evs[:take-1]
				truncated = true
			}
			delivered = append(delivered, evs...)
			for _, e := range evs {
				if e.kind == evEnd {
					k.seen++
				}
			}
			x.Receive(dgram)
			for x.Next() {
				if x.Index() < 0 {
					t.Fatalf("foreign message delivered")
				}
				got.records = append(got.records, fmt.Sprintf("%d:%d", x.Index(), x.Record().Flow.Mark))
			}
			if truncated && !x.Done() {
				t.Fatalf("a truncated datagram left the exchange running")
			}
		}
		for i := range n {
			got.results = append(got.results, describe(x.Result(i)))
		}
		want := model(delivered, n, truncated)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("exchange:\n%v\nmodel:\n%v", got, want)
		}
		if out := x.AppendOutgoing(nil); len(out) != 0 {
			t.Fatalf("finished exchange still sends %d bytes", len(out))
		}
		if x.Foreign() < 0 || x.RecordErr() != nil {
			t.Fatalf("foreign %d, record error %v", x.Foreign(), x.RecordErr())
		}
	})
}

// dumpAnswer returns datagrams answering a dump of seq with n flows and
// its NLMSG_DONE.
func dumpAnswer(seq uint32, n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, flowMsg(seq, testPID, uint32(i+1), codec.FlagMulti)...)
	}
	b, _ = codec.AppendDone(b, codec.Header{Seq: seq, PID: testPID, Flags: codec.FlagMulti}, 0, nil)
	return b
}

func TestExchangeAllocs(t *testing.T) {
	var x Exchange
	x.PID = testPID
	buf := make([]byte, 0, 4096)
	dgram := dumpAnswer(1, 64)
	run := func() {
		x.Reset()
		x.Seq = 1
		if _, err := x.Add(&conntrack.Request{Op: conntrack.OpDump}); err != nil {
			t.Fatal(err)
		}
		if out := x.AppendOutgoing(buf[:0]); len(out) == 0 {
			t.Fatal("nothing to send")
		}
		x.Receive(dgram)
		n := 0
		for x.Next() {
			n++
		}
		if n != 64 || !x.Done() || x.Err() != nil {
			t.Fatalf("%d records, done %v, err %v", n, x.Done(), x.Err())
		}
	}
	run()
	if a := testing.AllocsPerRun(100, run); a != 0 {
		t.Fatalf("%v allocations per 64-flow dump", a)
	}
}

func TestExchangeForeignAndErrors(t *testing.T) {
	x := Exchange{PID: testPID, KeepForeign: true, Validate: true}
	// Validate refuses a get without a tuple before anything is sent.
	if _, err := x.Add(&conntrack.Request{Op: conntrack.OpGet}); err == nil || x.Len() != 0 {
		t.Fatalf("invalid get added: %v, %d", err, x.Len())
	}
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	get := conntrack.Request{Op: conntrack.OpGet, Family: conntrack.FamilyIPv4}
	get.Flow.Orig = conntrack.PortTuple(conntrack.ProtoUDP, src, dst, 1, 2)
	if _, err := x.Add(&get); err != nil {
		t.Fatal(err)
	}
	out := x.AppendOutgoing(nil)
	req, err := codec.ParseMessage(out, nla.HostOrder)
	if err != nil || req.Header.Flags != codec.FlagRequest|codec.FlagAck || req.Header.Seq != 1 {
		t.Fatalf("sent %+v, %v", req.Header, err)
	}
	// An event (pid 0), then the refusal with an extended ack.
	dgram := flowMsg(0, 0, 7, 0)
	ke := codec.KernelError{Code: -int32(syscall.ENOENT), Request: req.Header, Capped: true}
	ke.TLVs = nla.AppendString(nil, codec.ExtAckMsg, "no such entry")
	dgram, _ = codec.AppendError(dgram, codec.Header{Seq: 1, PID: testPID, Flags: codec.FlagCapped | codec.FlagAckTLVs}, &ke)
	x.Receive(dgram)
	if !x.Next() || x.Index() != -1 || x.Record().Flow.Mark != 7 {
		t.Fatalf("foreign message not delivered: %d", x.Index())
	}
	if x.Next() || !x.Done() || x.Foreign() != 1 {
		t.Fatalf("done %v foreign %d", x.Done(), x.Foreign())
	}
	dgram[len(dgram)-1] = 'X' // the caller reuses its buffer: the error must not change
	err = x.Err()
	var re *RequestError
	if !errors.As(err, &re) || !errors.Is(err, syscall.ENOENT) || string(re.Kernel.Msg) != "no such entry" || re.Index != 0 || re.Op != conntrack.OpGet {
		t.Fatalf("error %v", err)
	}
	if got, want := err.Error(), "exchange: request 0 (get, seq 1): "; len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("message %q", got)
	}
	// Fail after the end changes nothing; Reset keeps the numbering.
	x.Fail(errors.New("late"))
	if !errors.Is(x.Err(), syscall.ENOENT) {
		t.Fatalf("Fail after Done replaced the outcome: %v", x.Err())
	}
	x.Reset()
	if i, err := x.Add(&get); err != nil || i != 0 || x.Seq != 3 {
		t.Fatalf("after Reset: %d %v seq %d", i, err, x.Seq)
	}
	x.AppendOutgoing(nil)
	x.Fail(syscall.ENOBUFS)
	if !x.Done() || !errors.Is(x.Result(0), syscall.ENOBUFS) {
		t.Fatalf("Fail: done %v result %v", x.Done(), x.Result(0))
	}
}

// BenchmarkExchangeDump receives a dump answer of 64 flows per datagram
// through an exchange: the cost per flow of matching and decoding, and
// the allocations (none).
func BenchmarkExchangeDump(b *testing.B) {
	var x Exchange
	x.PID = testPID
	dgram := dumpAnswer(1, 64)
	body := dgram[:len(dgram)-20] // the flows, without NLMSG_DONE
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	x.Seq = 1
	x.Add(&conntrack.Request{Op: conntrack.OpDump})
	x.AppendOutgoing(buf[:0])
	for b.Loop() {
		x.Receive(body)
		for x.Next() {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/flow")
}

// TestSeqWrap checks that sequence numbers skip 0 when they wrap inside a
// run (0 is the sequence number of events), and that the answers to the
// requests on both sides of the wrap are matched to them.
func TestSeqWrap(t *testing.T) {
	x := Exchange{PID: testPID, Seq: 0xfffffffe}
	get := conntrack.GetRequest(0, conntrack.PortTuple(conntrack.ProtoTCP, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), 1, 2))
	for range 3 {
		if _, err := x.Add(&get); err != nil {
			t.Fatal(err)
		}
	}
	if x.Seq != 2 {
		t.Fatalf("next seq %d, want 2", x.Seq)
	}
	var seqs []uint32
	for p := codec.NewParser(x.AppendOutgoing(nil), nla.HostOrder); p.Next(); {
		seqs = append(seqs, p.Message().Header.Seq)
	}
	if !slices.Equal(seqs, []uint32{0xfffffffe, 0xffffffff, 1}) {
		t.Fatalf("sequence numbers %#x, want 0xfffffffe 0xffffffff 1", seqs)
	}
	var dgram []byte
	dgram, _ = codec.AppendError(dgram, codec.Header{Seq: 0, PID: testPID}, &codec.KernelError{}) // foreign: seq 0
	for _, seq := range []uint32{1, 0xffffffff} {                                                 // refused: ENOENT
		dgram, _ = codec.AppendError(dgram, codec.Header{Seq: seq, PID: testPID}, &codec.KernelError{Code: -2, Errno: 2})
	}
	dgram, _ = codec.AppendError(dgram, codec.Header{Seq: 0xfffffffe, PID: testPID}, &codec.KernelError{})
	for x.Receive(dgram); x.Next(); {
	}
	if !x.Done() || x.Foreign() != 1 || x.Result(0) != nil || x.Refused() != 2 {
		t.Fatalf("done %v, foreign %d, results %v %v %v", x.Done(), x.Foreign(), x.Result(0), x.Result(1), x.Result(2))
	}
	var re *RequestError
	if !errors.As(x.Result(2), &re) || re.Index != 2 || re.Seq != 1 || !errors.As(x.Result(1), &re) || re.Seq != 0xffffffff {
		t.Fatalf("results %v, %v", x.Result(1), x.Result(2))
	}
}

func TestRun(t *testing.T) {
	var x Exchange
	x.Add(&conntrack.Request{Op: conntrack.OpDump})
	x.Add(&conntrack.Request{Op: conntrack.OpStats})
	var sent [][]byte
	answers := [][]byte{dumpAnswer(1, 3)}
	recv := func(b []byte) (int, error) {
		if len(answers) == 0 {
			return 0, syscall.EAGAIN // the receive timeout
		}
		n := copy(b, answers[0])
		answers = answers[1:]
		return n, nil
	}
	send := func(b []byte) error { sent = append(sent, append([]byte(nil), b...)); return nil }
	var marks []uint32
	err := x.Run(send, recv, func(x *Exchange) { marks = append(marks, x.Record().Flow.Mark) })
	if len(sent) != 2 || fmt.Sprint(marks) != "[1 2 3]" || x.Result(0) != nil || !errors.Is(err, syscall.EAGAIN) || !errors.Is(x.Result(1), syscall.EAGAIN) {
		t.Fatalf("sent %d datagrams, records %v, results %v %v, err %v", len(sent), marks, x.Result(0), x.Result(1), err)
	}
}
