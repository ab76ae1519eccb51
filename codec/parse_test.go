package codec_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// node is an attribute tree for comparisons: nests (NLA_F_NESTED) have
// Kids, leaves have Data.
type node struct {
	Type   uint16
	Flags  uint16
	Offset int
	Data   []byte
	Kids   []node
}

// tree decodes s and every nest below it, failing the test on a malformed
// attribute.
func tree(t testing.TB, s nla.Scanner) []node {
	t.Helper()
	var out []node
	for s.Next() {
		a := s.Attr()
		n := node{Type: a.Type, Flags: a.Flags, Offset: a.Offset}
		if a.Nested() {
			n.Kids = tree(t, s.Nested())
		} else {
			n.Data = a.Payload
		}
		out = append(out, n)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("attributes: %v", err)
	}
	return out
}

// topTypes lists the top-level attribute types of m in order.
func topTypes(t testing.TB, m codec.Message) []uint16 {
	t.Helper()
	var ts []uint16
	s := m.Attrs()
	for s.Next() {
		ts = append(ts, s.Type())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("attributes: %v", err)
	}
	return ts
}

// attr returns the payload of the first top-level attribute of type typ.
func attr(t testing.TB, m codec.Message, typ uint16) []byte {
	t.Helper()
	s := m.Attrs()
	for s.Next() {
		if s.Type() == typ {
			return s.Payload()
		}
	}
	t.Fatalf("no attribute %d (err %v)", typ, s.Err())
	return nil
}

func mustError(t testing.TB, m codec.Message) codec.KernelError {
	t.Helper()
	var ke codec.KernelError
	if err := codec.ParseError(m, &ke); err != nil {
		t.Fatalf("ParseError: %v", err)
	}
	return ke
}

func mustDone(t testing.TB, m codec.Message) codec.Done {
	t.Helper()
	var d codec.Done
	if err := codec.ParseDone(m, &d); err != nil {
		t.Fatalf("ParseDone: %v", err)
	}
	return d
}

const (
	ctNew      = 0x0100 // IPCTNL_MSG_CT_NEW
	ctGet      = 0x0101 // IPCTNL_MSG_CT_GET
	ctStatsCPU = 0x0104 // IPCTNL_MSG_CT_GET_STATS_CPU
	expGet     = 0x0201 // IPCTNL_MSG_EXP_GET
	pid        = 0x26bc // the test socket's port id
	afInet     = 2
	afInet6    = 10
)

// appendGet builds the request of getRequest with the package's builders.
func appendGet(dst []byte, seq uint32) ([]byte, error) {
	dst, msg := codec.AppendMessage(dst, codec.Header{
		Type:  codec.MsgType(codec.SubsysConntrack, 1),
		Flags: codec.FlagRequest | codec.FlagAck,
		Seq:   seq,
	}, codec.NFGen{Family: afInet})
	dst, orig := nla.BeginNest(dst, 1)
	dst, ip := nla.BeginNest(dst, 1)
	dst = nla.AppendAddr(dst, 1, netip.AddrFrom4([4]byte{10, 0, 0, 1}))
	dst = nla.AppendAddr(dst, 2, netip.AddrFrom4([4]byte{10, 0, 0, 2}))
	dst, err := nla.EndNest(dst, ip)
	if err != nil {
		return dst, err
	}
	dst, proto := nla.BeginNest(dst, 2)
	dst = nla.AppendUint8(dst, 1, 6)
	dst = nla.AppendUint16BE(dst, 2, 12345)
	dst = nla.AppendUint16BE(dst, 3, 80)
	if dst, err = nla.EndNest(dst, proto); err != nil {
		return dst, err
	}
	if dst, err = nla.EndNest(dst, orig); err != nil {
		return dst, err
	}
	return codec.EndMessage(dst, msg)
}

// getRequestHex is the request of getRequest as plain little-endian hex,
// written out independently of the fixture notation.
const getRequestHex = "48000000 0101 0500 01000000 00000000 02000000" +
	"34000180 14000180 08000100 0a000001 08000200 0a000002" +
	"1c000280 05000100 06000000 06000200 30390000 06000300 00500000"

func TestGetRequestBytes(t *testing.T) {
	want, err := hex.DecodeString(strings.ReplaceAll(getRequestHex, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	if le := fixture(nla.LittleEndian, getRequest); string(le) != string(want) {
		t.Fatalf("getRequest fixture differs from getRequestHex:\n got % x\nwant % x", le, want)
	}
	if nla.HostOrder.Resolve() == nla.BigEndian {
		// Same message from a big-endian host: only the header fields and
		// attribute headers change.
		want = fixture(nla.BigEndian, getRequest)
	}
	got, err := appendGet(nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("built request:\n got % x\nwant % x", got, want)
	}
	// The same into a buffer that already holds a message.
	prefix := hostFixture(dumpDone)
	got2, err := appendGet(append([]byte(nil), prefix...), 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got2[:20]) != string(prefix) || string(got2[20:]) != string(want) {
		t.Errorf("request after a message:\n got % x\nwant % x + % x", got2, prefix, want)
	}
}

func TestGetRequestParse(t *testing.T) {
	m := mustOne(t, hostFixture(getRequest), nla.HostOrder)
	wantHdr := codec.Header{Len: 72, Type: ctGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 1}
	if diff := cmp.Diff(wantHdr, m.Header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if m.NFGen != (codec.NFGen{Family: afInet}) || !m.HasNFGen() {
		t.Errorf("nfgen %+v (has %v), want AF_INET", m.NFGen, m.HasNFGen())
	}
	if m.Header.Subsystem() != codec.SubsysConntrack || m.Header.Msg() != 1 || m.Header.IsControl() {
		t.Errorf("type 0x%04x: subsystem %d msg %d control %v", m.Header.Type, m.Header.Subsystem(), m.Header.Msg(), m.Header.IsControl())
	}
	want := []node{{Type: 1, Flags: nla.FlagNested, Offset: 20, Kids: []node{
		{Type: 1, Flags: nla.FlagNested, Offset: 24, Kids: []node{
			{Type: 1, Offset: 28, Data: []byte{10, 0, 0, 1}},
			{Type: 2, Offset: 36, Data: []byte{10, 0, 0, 2}},
		}},
		{Type: 2, Flags: nla.FlagNested, Offset: 44, Kids: []node{
			{Type: 1, Offset: 48, Data: []byte{6}},
			{Type: 2, Offset: 56, Data: []byte{0x30, 0x39}},
			{Type: 3, Offset: 64, Data: []byte{0, 80}},
		}},
	}}}
	if diff := cmp.Diff(want, tree(t, m.Attrs())); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if s := m.Header.String(); s != "len=72 type=0x0101 flags=0x0005 seq=1 pid=0" {
		t.Errorf("Header.String() = %q", s)
	}
}

func TestGetReplyAndAck(t *testing.T) {
	m := mustOne(t, hostFixture(getReply), nla.HostOrder)
	wantHdr := codec.Header{Len: 240, Type: ctNew, Flags: codec.FlagMulti, Seq: 1, PID: pid}
	if diff := cmp.Diff(wantHdr, m.Header); diff != "" {
		t.Errorf("reply header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint16{1, 2, 3, 8, 12, 11, 7, 4, 24}, topTypes(t, m)); diff != "" {
		t.Errorf("attribute order (-want +got):\n%s", diff)
	}
	if got := attr(t, m, 11); string(got) != "\x00\x00\x00\x02" {
		t.Errorf("CTA_USE % x, want 00 00 00 02", got)
	}

	ack := mustOne(t, hostFixture(getAck), nla.HostOrder)
	if ack.Header.Type != codec.TypeError || !ack.Header.IsControl() || ack.HasNFGen() || ack.Data != nil {
		t.Errorf("ack: type 0x%04x control %v nfgen %v data %x", ack.Header.Type, ack.Header.IsControl(), ack.HasNFGen(), ack.Data)
	}
	ke := mustError(t, ack)
	want := codec.KernelError{
		Request: codec.Header{Len: 72, Type: ctGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 1},
		Capped:  true,
	}
	if diff := cmp.Diff(want, ke); diff != "" {
		t.Errorf("ack (-want +got):\n%s", diff)
	}
	if !ke.IsAck() {
		t.Error("IsAck() = false for error 0")
	}
	if err := ke.Unwrap(); err != nil {
		t.Errorf("ack unwraps to %v, want nil", err)
	}
	if errors.Is(&ke, syscall.ENOENT) {
		t.Error("ack matches ENOENT")
	}
	if s := ke.Error(); s != "netlink: ack (request type 0x0101 seq 1)" {
		t.Errorf("Error() = %q", s)
	}
}

func TestENOENT(t *testing.T) {
	b := hostFixture(enoentError)
	m := mustOne(t, b, nla.HostOrder)
	ke := mustError(t, m)
	want := codec.KernelError{
		Code:           -2,
		Errno:          syscall.ENOENT,
		Request:        codec.Header{Len: 72, Type: ctGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 2},
		RequestPayload: b[36:92],
	}
	if diff := cmp.Diff(want, ke); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if ke.IsAck() {
		t.Error("IsAck() = true for -ENOENT")
	}
	var err error = &ke
	if !errors.Is(err, syscall.ENOENT) {
		t.Error("errors.Is(err, ENOENT) = false")
	}
	if errors.Is(err, syscall.EINVAL) {
		t.Error("errors.Is(err, EINVAL) = true")
	}
	wrapped := fmt.Errorf("get flow: %w", err)
	var kp *codec.KernelError
	if !errors.As(wrapped, &kp) || kp != &ke {
		t.Errorf("errors.As through a wrap: %v %p", kp, kp)
	}
	if !errors.Is(wrapped, syscall.ENOENT) {
		t.Error("errors.Is through a wrap = false")
	}
	if s := ke.Error(); s != "netlink: no such file or directory (request type 0x0101 seq 2)" {
		t.Errorf("Error() = %q", s)
	}
	// The echo is the whole request: it parses as one.
	req := append(codec.AppendHeader(nil, ke.Request), ke.RequestPayload...)
	rm := mustOne(t, req, nla.HostOrder)
	if got := rm.Attrs(); tree(t, got)[0].Kids[1].Kids[1].Data[1] != 0x3a {
		t.Error("echoed request does not carry source port 12346")
	}
}

func TestDumpReply(t *testing.T) {
	ms := mustParse(t, hostFixture(dumpReply), nla.HostOrder)
	type view struct {
		Offset int
		Header codec.Header
		NFGen  codec.NFGen
		Types  []uint16
	}
	var got []view
	for _, m := range ms {
		if m.DumpFiltered() || m.DumpInterrupted() {
			t.Errorf("message @%d: filtered %v interrupted %v", m.Offset, m.DumpFiltered(), m.DumpInterrupted())
		}
		tree(t, m.Attrs()) // every nest well-formed
		got = append(got, view{m.Offset, m.Header, m.NFGen, topTypes(t, m)})
	}
	hdr := func(n uint32) codec.Header {
		return codec.Header{Len: n, Type: ctNew, Flags: codec.FlagMulti, Seq: 3, PID: pid}
	}
	tcp := []uint16{1, 2, 3, 8, 12, 11, 7, 4, 24}
	want := []view{
		{0, hdr(240), codec.NFGen{Family: afInet}, tcp},
		{240, hdr(288), codec.NFGen{Family: afInet6}, tcp},
		{528, hdr(192), codec.NFGen{Family: afInet}, []uint16{1, 2, 3, 8, 12, 11, 7, 24}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dump (-want +got):\n%s", diff)
	}
	if got := attr(t, ms[1], 12); string(got) != "\xe2\x63\xbf\xbd" {
		t.Errorf("IPv6 CTA_ID % x", got)
	}

	// NLMSG_DONE comes in a datagram of its own.
	done := mustOne(t, hostFixture(dumpDone), nla.HostOrder)
	if want := (codec.Header{Len: 20, Type: codec.TypeDone, Flags: codec.FlagMulti, Seq: 3, PID: pid}); done.Header != want {
		t.Errorf("done header %v, want %v", done.Header, want)
	}
	d := mustDone(t, done)
	if diff := cmp.Diff(codec.Done{}, d); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
	if err := d.Err(); err != nil {
		t.Errorf("Done.Err() = %v", err)
	}
}

func TestFilteredDump(t *testing.T) {
	ms := mustParse(t, hostFixture(filteredDump), nla.HostOrder)
	if len(ms) != 2 {
		t.Fatalf("%d messages, want 2", len(ms))
	}
	for _, m := range ms {
		if !m.DumpFiltered() || m.DumpInterrupted() {
			t.Errorf("message @%d flags 0x%04x: filtered %v interrupted %v", m.Offset, m.Header.Flags, m.DumpFiltered(), m.DumpInterrupted())
		}
		if m.Header.Flags != codec.FlagMulti|codec.FlagDumpFiltered {
			t.Errorf("flags 0x%04x", m.Header.Flags)
		}
	}
}

func TestDumpInterrupted(t *testing.T) {
	// Synthetic: a dump part flagged NLM_F_DUMP_INTR and NLM_F_DUMP_FILTERED.
	m := mustOne(t, hostFixture(`
[18 00 00 00 00 01 32 00 08 00 00 00 bc 26 00 00] // len=24 flags=MULTI|DUMP_INTR|DUMP_FILTERED
02 00 00 00
<04 00 05 00>                                     // an empty attribute
`), nla.HostOrder)
	if !m.DumpInterrupted() || !m.DumpFiltered() {
		t.Errorf("interrupted %v filtered %v, want both", m.DumpInterrupted(), m.DumpFiltered())
	}
	if diff := cmp.Diff([]node{{Type: 5, Offset: 20, Data: []byte{}}}, tree(t, m.Attrs())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUnalignedFinalMessage(t *testing.T) {
	b := hostFixture(unalignedDump)
	p := codec.NewParser(b, nla.HostOrder)
	var offs []int
	var last codec.Message
	for p.Next() {
		last = p.Message()
		offs = append(offs, last.Offset)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	if diff := cmp.Diff([]int{0, 240, 432}, offs); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	if last.Header.Len != 26 || len(b) != 458 || p.Offset() != len(b) {
		t.Errorf("last len %d, datagram %d, parser at %d", last.Header.Len, len(b), p.Offset())
	}
	want := []node{{Type: 18, Offset: 452, Data: []byte{0, 5}}}
	if diff := cmp.Diff(want, tree(t, last.Attrs())); diff != "" {
		t.Errorf("final attributes (-want +got):\n%s", diff)
	}
	if p.Next() || p.Err() != nil {
		t.Error("parser moved past the end")
	}
}

func TestStatsCPU(t *testing.T) {
	ms := mustParse(t, hostFixture(statsCPU), nla.HostOrder)
	if len(ms) != 2 {
		t.Fatalf("%d messages, want 2", len(ms))
	}
	for cpu, m := range ms {
		if m.Header.Type != ctStatsCPU || m.Header.Msg() != 4 || m.Header.Subsystem() != codec.SubsysConntrack {
			t.Errorf("type 0x%04x", m.Header.Type)
		}
		// res_id is htons(cpu): read as the CPU number on any host.
		if want := (codec.NFGen{ResID: uint16(cpu)}); m.NFGen != want {
			t.Errorf("message %d nfgen %+v, want %+v", cpu, m.NFGen, want)
		}
		if diff := cmp.Diff([]uint16{2, 4, 8, 9, 10, 11, 12, 13, 14, 15}, topTypes(t, m)); diff != "" {
			t.Errorf("cpu %d order (-want +got):\n%s", cpu, diff)
		}
		insert, err := nla.Uint32BE(attr(t, m, 8))
		if err != nil || insert != uint32(2-cpu) {
			t.Errorf("cpu %d CTA_STATS_INSERT %d %v, want %d", cpu, insert, err, 2-cpu)
		}
	}
}

func TestPolicyError(t *testing.T) {
	b := hostFixture(policyError)
	m := mustOne(t, b, nla.HostOrder)
	ke := mustError(t, m)
	msg := "Attribute failed policy validation"
	want := codec.KernelError{
		Code:           -22,
		Errno:          syscall.EINVAL,
		Request:        codec.Header{Len: 41, Type: expGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 6},
		RequestPayload: b[36:61],
		ExtAck: codec.ExtAck{
			Msg:       []byte(msg),
			Offset:    20,
			HasOffset: true,
			Policy:    b[116:132],
			TLVs:      b[64:132],
		},
	}
	if diff := cmp.Diff(want, ke); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if !errors.Is(&ke, syscall.EINVAL) {
		t.Error("errors.Is(err, EINVAL) = false")
	}
	wantText := "netlink: invalid argument: " + msg + " (attribute at offset 20) (request type 0x0201 seq 6)"
	if s := ke.Error(); s != wantText {
		t.Errorf("Error() = %q, want %q", s, wantText)
	}
	// The policy nest is in host order like everything else in the TLVs.
	pol := tree(t, nla.NewScannerOrder(ke.Policy, m.Order, 116))
	if len(pol) != 2 || pol[0].Type != 7 || pol[1].Type != 1 {
		t.Fatalf("policy %+v", pol)
	}
	if n, _ := nla.Uint32Host(pol[0].Data); n != 15 {
		t.Errorf("NL_POLICY_TYPE_ATTR_MAX_LENGTH %d, want 15", n)
	}
	if n, _ := nla.Uint32Host(pol[1].Data); n != 12 {
		t.Errorf("NL_POLICY_TYPE_ATTR_TYPE %d, want 12 (NUL_STRING)", n)
	}
	// OFFS points at the offending attribute of the echoed request.
	req := append(codec.AppendHeader(nil, ke.Request), ke.RequestPayload...)
	rm := mustOne(t, req, nla.HostOrder)
	s := rm.Attrs()
	found := false
	for s.Next() {
		if a := s.Attr(); a.Offset == int(ke.Offset) {
			found = a.Type == 6 && string(a.Payload) == strings.Repeat("a", 17)
		}
	}
	if !found {
		t.Errorf("no CTA_EXPECT_HELP_NAME at request offset %d", ke.Offset)
	}
}

func TestRejectError(t *testing.T) {
	b := hostFixture(rejectError)
	ke := mustError(t, mustOne(t, b, nla.HostOrder))
	want := codec.KernelError{
		Code:           -22,
		Errno:          syscall.EINVAL,
		Request:        codec.Header{Len: 32, Type: ctGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 7},
		RequestPayload: b[36:52],
		ExtAck: codec.ExtAck{
			Msg:       []byte("Attribute failed policy validation"),
			Offset:    20,
			HasOffset: true,
			TLVs:      b[52:100],
		},
	}
	if diff := cmp.Diff(want, ke); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestMissingAttributeError(t *testing.T) {
	b := hostFixture(missError)
	ke := mustError(t, mustOne(t, b, nla.HostOrder))
	want := codec.KernelError{
		Code:    -22,
		Errno:   syscall.EINVAL,
		Request: codec.Header{Len: 44, Type: ctGet, Flags: codec.FlagRequest | codec.FlagAck, Seq: 9},
		Capped:  true,
		ExtAck: codec.ExtAck{
			Cookie:      []byte{0xde, 0xad, 0xbe, 0xef},
			MissType:    2,
			HasMissType: true,
			MissNest:    20,
			HasMissNest: true,
			TLVs:        b[36:60],
		},
	}
	if diff := cmp.Diff(want, ke); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestDoneWithTLVs(t *testing.T) {
	b := hostFixture(doneTLVs)
	m := mustOne(t, b, nla.HostOrder)
	if !m.DumpInterrupted() {
		t.Error("DONE lost NLM_F_DUMP_INTR")
	}
	d := mustDone(t, m)
	want := codec.Done{
		Code:   -16,
		Errno:  syscall.EBUSY,
		ExtAck: codec.ExtAck{Msg: []byte("table resize"), TLVs: b[20:40]},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
	if err := d.Err(); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("Done.Err() = %v, want EBUSY", err)
	}
}

// TestAppendExtAck rebuilds the TLVs of every fixture from the typed
// fields: the encoder writes the kernel's order and padding.
func TestAppendExtAck(t *testing.T) {
	for name, text := range map[string]string{
		"policyError": policyError,
		"rejectError": rejectError,
		"missError":   missError,
	} {
		ke := mustError(t, mustOne(t, hostFixture(text), nla.HostOrder))
		if got := codec.AppendExtAck(nil, &ke.ExtAck); string(got) != string(ke.TLVs) {
			t.Errorf("%s: AppendExtAck\n got % x\nwant % x", name, got, ke.TLVs)
		}
	}
	d := mustDone(t, mustOne(t, hostFixture(doneTLVs), nla.HostOrder))
	if got := codec.AppendExtAck(nil, &d.ExtAck); string(got) != string(d.TLVs) {
		t.Errorf("doneTLVs: AppendExtAck\n got % x\nwant % x", got, d.TLVs)
	}
	// Appended after an odd number of bytes, the TLVs are the same bytes.
	x := codec.ExtAck{Msg: []byte("abc de"), HasOffset: true, Offset: 9}
	if got, want := codec.AppendExtAck([]byte{0xee}, &x)[1:], codec.AppendExtAck(nil, &x); string(got) != string(want) {
		t.Errorf("AppendExtAck after one byte\n got % x\nwant % x", got, want)
	}
	if got := codec.AppendExtAck(nil, &codec.ExtAck{}); len(got) != 0 {
		t.Errorf("empty ExtAck appends % x", got)
	}
}

// TestMessagesIterator checks the iter.Seq2 form against the Parser and
// that breaking out early stops it.
func TestMessagesIterator(t *testing.T) {
	b := hostFixture(dumpReply)
	var fromParser []codec.Message
	p := codec.NewParser(b, nla.HostOrder)
	for p.Next() {
		fromParser = append(fromParser, p.Message())
	}
	fromIter := mustParse(t, b, nla.HostOrder)
	if diff := cmp.Diff(fromParser, fromIter, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("iterator vs parser (-parser +iter):\n%s", diff)
	}
	n := 0
	for range codec.Messages(b, nla.HostOrder) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("break after first: %d iterations", n)
	}
	// A framing error is yielded once, last, with a zero Message.
	var errs int
	var zero codec.Message
	for m, err := range codec.Messages(b[:300], nla.HostOrder) {
		if err != nil {
			errs++
			if diff := cmp.Diff(zero, m); diff != "" {
				t.Errorf("message with error (-want +got):\n%s", diff)
			}
		}
	}
	if errs != 1 {
		t.Errorf("%d errors, want 1", errs)
	}
}
