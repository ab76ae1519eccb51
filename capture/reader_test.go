package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"testing"
	"time"

	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

var host = nla.HostOrder.Resolve()

// expect returns what reading ds back from a container of link type 253
// should give, with times cut to prec.
func expect(ds []Datagram, prec time.Duration) []Datagram {
	var want []Datagram
	for i, d := range ds {
		want = append(want, Datagram{
			Data:      d.Data,
			OrigLen:   len(d.Data),
			Time:      d.Time.Truncate(prec),
			Family:    d.Family,
			Direction: d.Direction,
			Index:     i,
			Order:     host,
			LinkType:  LinkTypeNetlink,
		})
	}
	return want
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	for _, tc := range []struct {
		f    Format
		prec time.Duration
	}{
		{FormatPcap, time.Microsecond},
		{FormatPcapNano, time.Nanosecond},
		{FormatPcapNG, time.Nanosecond},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			got, errs, r := readAll(t, write(t, tc.f, in))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if diff := cmp.Diff(expect(in, tc.prec), got); diff != "" {
				t.Errorf("datagrams (-want +got):\n%s", diff)
			}
			if r.Format() != tc.f || r.Compressed() {
				t.Errorf("Format, Compressed = %v, %v", r.Format(), r.Compressed())
			}
			if want := (Stats{Records: 4, Datagrams: 4}); r.Stats() != want {
				t.Errorf("Stats = %+v, want %+v", r.Stats(), want)
			}
		})
	}
}

// TestRawStream reads a raw stream: no container, one datagram per
// message, no time, no family unless configured.
func TestRawStream(t *testing.T) {
	in := sample()
	file := write(t, FormatRaw, in)
	if want := len(in[0].Data) + len(in[1].Data) + len(in[2].Data) + len(in[3].Data); len(file) != want {
		t.Fatalf("raw stream is %d bytes, want %d", len(file), want)
	}
	msgs := [][]byte{in[0].Data, in[1].Data[:len(in[1].Data)/2], in[1].Data[len(in[1].Data)/2:], in[2].Data, in[3].Data}
	dirs := []Direction{ToKernel, FromKernel, FromKernel, FromKernel, FromKernel}
	for _, family := range []int{FamilyUnknown, FamilyNetfilter} {
		var want []Datagram
		for i, m := range msgs {
			want = append(want, Datagram{Data: m, OrigLen: len(m), Family: family, Direction: dirs[i],
				Index: i, Order: host, LinkType: LinkTypeNone})
		}
		got, errs, r := readAll(t, file, WithHeaderlessFamily(family))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("family %d: datagrams (-want +got):\n%s", family, diff)
		}
		if r.Format() != FormatRaw {
			t.Errorf("Format = %v", r.Format())
		}
	}

	// The same stream with big-endian headers.
	be := swapped(t, file)
	got, errs, _ := readAll(t, be)
	if len(errs) > 0 || len(got) != len(msgs) {
		t.Fatalf("big-endian stream: %d datagrams, errors %v", len(got), errs)
	}
	for i, d := range got {
		if d.Order != otherOrder() || d.Direction != dirs[i] || len(d.Data) != len(msgs[i]) {
			t.Errorf("big-endian message %d: order %v direction %v len %d", i, d.Order, d.Direction, len(d.Data))
		}
	}
}

func otherOrder() nla.Order {
	if host == nla.LittleEndian {
		return nla.BigEndian
	}
	return nla.LittleEndian
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	in := sample()
	for _, f := range []Format{FormatPcap, FormatPcapNano, FormatPcapNG, FormatRaw} {
		plain := write(t, f, in)
		want, _, _ := readAll(t, plain)
		got, errs, r := readAll(t, gz(t, plain))
		if len(errs) > 0 {
			t.Fatalf("%v: %v", f, errs)
		}
		if !r.Compressed() || r.Format() != f {
			t.Errorf("%v: Compressed, Format = %v, %v", f, r.Compressed(), r.Format())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: gzip differs from plain (-plain +gzip):\n%s", f, diff)
		}
	}
}

// Netlink messages used by the hand-built files below.
var (
	request = appendNlmsg(nil, msgCTGet, 0x1|flagDump, 1, nil)                           // flags 0x301
	event   = appendNlmsg(nil, msgCTNew, 0x600, 0, ctFlow("10.1.1.1", "10.2.2.2", 1, 2)) // from kernel
)

func TestPcapVariants(t *testing.T) {
	reqBE := swapped(t, request)
	evBE := swapped(t, event)
	type row struct {
		name  string
		file  []byte
		opts  []Option
		want  []Datagram
		stats Stats
	}
	rows := []row{
		{
			name: "big-endian file, microseconds, cooked",
			file: pcapFile(true, false, 253, pcapRec{sec: 1000, frac: 5, data: cat(sllHeader(4, 824, 12), request)}),
			want: []Datagram{{Data: request, OrigLen: len(request), Time: time.Unix(1000, 5000).UTC(),
				Family: 12, Direction: ToKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
		{
			name: "big-endian file, nanoseconds",
			file: pcapFile(true, true, 253, pcapRec{sec: 1000, frac: 5, data: cat(sllHeader(4, 824, 12), event)}),
			want: []Datagram{{Data: event, OrigLen: len(event), Time: time.Unix(1000, 5).UTC(),
				Family: 12, Direction: FromKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
		{
			name: "little-endian file, nanoseconds, FCS bits in the link type field",
			file: pcapFile(false, true, 253|1<<28, pcapRec{sec: 7, frac: 999999999, data: cat(sllHeader(4, 824, 12), event)}),
			want: []Datagram{{Data: event, OrigLen: len(event), Time: time.Unix(7, 999999999).UTC(),
				Family: 12, Direction: FromKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
		{
			name: "LINKTYPE_NETLINK without the cooked header",
			file: pcapFile(false, false, 253, pcapRec{data: request}, pcapRec{data: event}),
			want: []Datagram{
				{Data: request, OrigLen: len(request), Time: time.Unix(0, 0).UTC(), Family: FamilyUnknown,
					Direction: ToKernel, Order: host, LinkType: LinkTypeNetlink},
				{Data: event, OrigLen: len(event), Time: time.Unix(0, 0).UTC(), Family: FamilyUnknown,
					Direction: FromKernel, Index: 1, Order: host, LinkType: LinkTypeNetlink},
			},
			stats: Stats{Records: 2, Datagrams: 2},
		},
		{
			name: "LINKTYPE_NETLINK without the cooked header, family configured",
			file: pcapFile(false, false, 253, pcapRec{data: request}),
			opts: []Option{WithHeaderlessFamily(FamilyNetfilter)},
			want: []Datagram{{Data: request, OrigLen: len(request), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: ToKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
		{
			name: "LINUX_SLL, netlink and ethernet records",
			file: pcapFile(false, false, 113,
				pcapRec{data: cat(sllHeader(0, 1, 0x0800), make([]byte, 20))}, // IPv4 over ethernet
				pcapRec{data: cat(sllHeader(4, 824, 12), event)},
				pcapRec{data: []byte{0, 4, 3, 56}}), // too short for the header
			want: []Datagram{{Data: event, OrigLen: len(event), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: FromKernel, Index: 1, Order: host, LinkType: LinkTypeLinuxSLL}},
			stats: Stats{Records: 3, Datagrams: 1, SkippedHardware: 1, SkippedShort: 1},
		},
		{
			name: "LINUX_SLL2, netlink and loopback records",
			file: pcapFile(false, false, 276,
				pcapRec{data: cat(sll2Header(4, 824, 12), request)},
				pcapRec{data: cat(sll2Header(0, 772, 0x0800), make([]byte, 20))}), // ARPHRD_LOOPBACK
			want: []Datagram{{Data: request, OrigLen: len(request), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: ToKernel, Order: host, LinkType: LinkTypeLinuxSLL2}},
			stats: Stats{Records: 2, Datagrams: 1, SkippedHardware: 1},
		},
		{
			name:  "ethernet file",
			file:  pcapFile(false, false, 1, pcapRec{data: make([]byte, 60)}),
			stats: Stats{Records: 1, SkippedLinkType: 1},
		},
		{
			name: "snaplen cut the record",
			file: pcapFile(false, false, 253, pcapRec{data: cat(sllHeader(4, 824, 12), event[:40]), orig: uint32(16 + len(event))}),
			want: []Datagram{{Data: event[:40], OrigLen: len(event), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: FromKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1, Truncated: 1},
		},
		{
			name: "family filter",
			file: pcapFile(false, false, 253,
				pcapRec{data: cat(sllHeader(4, 824, 0), event)}, // NETLINK_ROUTE
				pcapRec{data: cat(sllHeader(4, 824, 12), event)}),
			opts: []Option{WithFamily(FamilyNetfilter)},
			want: []Datagram{{Data: event, OrigLen: len(event), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: FromKernel, Index: 1, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 2, Datagrams: 1, SkippedFamily: 1},
		},
		{
			// Headers of a big-endian host: the guess must find it, and
			// the direction must be read with it (flags 0x0301 read the
			// wrong way round are 0x0103, which still has bit 0 set, so
			// the event is the telling case: 0x0600 would read 0x0006).
			name: "big-endian netlink headers",
			file: pcapFile(false, false, 253,
				pcapRec{data: cat(sllHeader(4, 824, 12), reqBE)},
				pcapRec{data: cat(sllHeader(4, 824, 12), evBE)}),
			want: []Datagram{
				{Data: reqBE, OrigLen: len(reqBE), Time: time.Unix(0, 0).UTC(), Family: 12,
					Direction: ToKernel, Order: otherOrder(), LinkType: LinkTypeNetlink},
				{Data: evBE, OrigLen: len(evBE), Time: time.Unix(0, 0).UTC(), Family: 12,
					Direction: FromKernel, Index: 1, Order: otherOrder(), LinkType: LinkTypeNetlink},
			},
			stats: Stats{Records: 2, Datagrams: 2},
		},
		{
			name: "forced order",
			file: pcapFile(false, false, 253, pcapRec{data: cat(sllHeader(4, 824, 12), event)}),
			opts: []Option{WithOrder(otherOrder())},
			want: []Datagram{{Data: event, OrigLen: len(event), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: contentDirection(event, otherOrder()), Order: otherOrder(), LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
		{
			// PACKET_HOST is never written by nlmon: it is the writer
			// convention for kernel-to-user and wins over the content.
			name: "PACKET_HOST wins over NLM_F_REQUEST",
			file: pcapFile(false, false, 253, pcapRec{data: cat(sllHeader(0, 824, 12), request)}),
			want: []Datagram{{Data: request, OrigLen: len(request), Time: time.Unix(0, 0).UTC(), Family: 12,
				Direction: FromKernel, Order: host, LinkType: LinkTypeNetlink}},
			stats: Stats{Records: 1, Datagrams: 1},
		},
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			got, errs, r := readAll(t, tc.file, tc.opts...)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("datagrams (-want +got):\n%s", diff)
			}
			if r.Stats() != tc.stats {
				t.Errorf("Stats = %+v, want %+v", r.Stats(), tc.stats)
			}
		})
	}
}

// TestPcapNGVariants reads a hand-built file with two sections of opposite
// byte order, several interfaces of different link types and timestamp
// resolutions, an SPB, blocks to skip, and a packet for an interface that
// does not exist.
func TestPcapNGVariants(t *testing.T) {
	reply := sample()[1].Data
	replyBE := swapped(t, reply)
	g := &ngBuilder{}
	g.shb(false)
	g.idb(LinkTypeNetlink, 0, g.opt(2, []byte("nlmon0")), g.opt(optTSResol, []byte{9})) // if 0: ns
	g.idb(LinkTypeLinuxSLL, 0)                                                          // if 1: µs by default
	g.block(blockNRB, []byte{0, 0, 0, 0})                                               // nrb_record_end
	g.block(0x80000001, []byte("local use"))                                            // unknown, skipped
	g.block(blockCustom, cat(g.u32(32473), []byte("custom")))
	g.epb(0, 1_700_000_000_123456789, cat(sllHeader(4, 824, 12), request), uint32(16+len(request)))
	g.epb(1, 1_700_000_000_000_001, cat(sllHeader(4, 824, 12), event), uint32(16+len(event)))
	g.spb(cat(sllHeader(4, 824, 12), reply), uint32(16+len(reply)))
	g.block(blockISB, cat(g.u32(0), g.u32(0), g.u32(0)))
	g.shb(true) // a second section, big-endian, interface IDs from 0 again
	g.idb(LinkTypeNetlink, 0, g.opt(optTSResol, []byte{0x80 | 20}), g.opt(optTSOffset, g.u64(100)))
	badOffset := int64(len(g.b))
	g.epb(1, 0, cat(sllHeader(4, 824, 12), request), 32) // no interface 1 in this section
	g.epb(0, 3<<20|1<<19, cat(sllHeader(4, 824, 12), replyBE), uint32(16+len(replyBE)),
		g.opt(optFlags, g.u32(flagsOutbound))) // the file says user-to-kernel: trusted
	g.epb(0, 1<<20, cat(sllHeader(0, 824, 12), event), uint32(16+len(event)),
		g.opt(optFlags, g.u32(0))) // no direction in the flags: pkttype 0 decides

	want := []Datagram{
		{Data: request, OrigLen: len(request), Time: time.Unix(1_700_000_000, 123456789).UTC(), Family: 12,
			Direction: ToKernel, Index: 0, Order: host, LinkType: LinkTypeNetlink},
		{Data: event, OrigLen: len(event), Time: time.Unix(1_700_000_000, 1000).UTC(), Family: 12,
			Direction: FromKernel, Index: 1, Interface: 1, Order: host, LinkType: LinkTypeLinuxSLL},
		{Data: reply, OrigLen: len(reply), Family: 12,
			Direction: FromKernel, Index: 2, Order: host, LinkType: LinkTypeNetlink},
		{Data: replyBE, OrigLen: len(replyBE), Time: time.Unix(103, 500_000_000).UTC(), Family: 12,
			Direction: ToKernel, Index: 4, Order: otherOrder(), LinkType: LinkTypeNetlink},
		{Data: event, OrigLen: len(event), Time: time.Unix(101, 0).UTC(), Family: 12,
			Direction: FromKernel, Index: 5, Order: host, LinkType: LinkTypeNetlink},
	}
	for _, compress := range []bool{false, true} {
		file := g.b
		if compress {
			file = gz(t, file)
		}
		got, errs, r := readAll(t, file)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("gzip %v: datagrams (-want +got):\n%s", compress, diff)
		}
		var re *RecordError
		if len(errs) != 1 || !errors.As(errs[0], &re) || !errors.Is(re, ErrInterface) ||
			re.Index != 3 || re.Offset != badOffset || re.Fatal {
			t.Errorf("gzip %v: errors = %v, want one ErrInterface for record 3 at offset %d", compress, errs, badOffset)
		}
		if want := (Stats{Records: 5, Datagrams: 5, Damaged: 1}); r.Stats() != want {
			t.Errorf("gzip %v: Stats = %+v, want %+v", compress, r.Stats(), want)
		}
	}
}

func TestTimestampResolution(t *testing.T) {
	for _, tc := range []struct {
		ts   uint64
		res  uint8
		off  int64
		want time.Time
	}{
		{1_500_000_000_123456789, 9, 0, time.Unix(1_500_000_000, 123456789)},
		{1_500_000_000_123456, 6, 0, time.Unix(1_500_000_000, 123456000)},
		{1_500_000_000_123, 3, 0, time.Unix(1_500_000_000, 123000000)},
		{42, 0, 0, time.Unix(42, 0)},
		{12_345678901_2, 10, 0, time.Unix(12, 345678901)},                // 10^-10: below a nanosecond, truncated
		{18_000_000_000_000_000_000 - 1, 19, 0, time.Unix(1, 799999999)}, // the largest decimal unit that fits
		{5, 30, 0, time.Unix(0, 0)},                                      // 10^-30 never reaches a nanosecond
		{3<<20 | 1<<19, 0x80 | 20, 0, time.Unix(3, 500_000_000)},         // 2^-20
		{1<<30 | 1<<29 | 1<<28, 0x80 | 30, 0, time.Unix(1, 750_000_000)}, // 2^-30
		{1 << 63, 0x80 | 64, 0, time.Unix(0, 500_000_000)},               // 2^-64
		{7, 0x80, 0, time.Unix(7, 0)},                                    // 2^0
		{1_000_000, 6, -3600, time.Unix(-3599, 0)},                       // if_tsoffset, negative
		{1_000_000_000, 9, 1_700_000_000, time.Unix(1_700_000_001, 0)},   // if_tsoffset
		{1<<64 - 1, 0x80 | 127, 0, time.Unix(0, 0)},                      // absurd, not a panic
		{1<<64 - 1, 9, 0, time.Unix(18446744073, 709551615)},             // u64 max, decimal
		{1<<64 - 1, 0x80 | 1, 0, time.Unix(1<<63-1, 500_000_000)},        // u64 max, binary
	} {
		if got := tsTime(tc.ts, tc.res, tc.off); !got.Equal(tc.want) {
			t.Errorf("tsTime(%d, %#x, %d) = %v, want %v", tc.ts, tc.res, tc.off, got, tc.want.UTC())
		}
	}
}

func TestGuessOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want nla.Order
	}{
		{"little-endian length exact", cat([]byte{20, 0, 0, 0}, make([]byte, 16)), nla.LittleEndian},
		{"big-endian length exact", cat([]byte{0, 0, 0, 20}, make([]byte, 16)), nla.BigEndian},
		{"big-endian length of the first of two", cat([]byte{0, 0, 0, 20}, make([]byte, 36)), nla.BigEndian},
		{"tie goes to little-endian", []byte{1, 0, 0, 1, 0, 0, 0, 0}, nla.LittleEndian},
		{"short", []byte{0, 0, 0}, nla.LittleEndian},
		{"empty", nil, nla.LittleEndian},
		// Both readings wrong: the closer one wins.
		{"garbage closer as big-endian", cat([]byte{0, 0, 1, 0xff}, make([]byte, 16)), nla.BigEndian},
	} {
		if got := GuessOrder(tc.b); got != tc.want {
			t.Errorf("%s: GuessOrder = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDirectionFromContent(t *testing.T) {
	for _, tc := range []struct {
		flags uint16
		want  Direction
	}{
		{0x0001, ToKernel},   // NLM_F_REQUEST
		{0x0301, ToKernel},   // dump request
		{0x0002, FromKernel}, // NLM_F_MULTI reply
		{0x0600, FromKernel}, // NEW event
		{0x0000, FromKernel}, // ack, DESTROY event
	} {
		m := appendNlmsg(nil, msgCTNew, tc.flags, 0, nil)
		if got := contentDirection(m, host); got != tc.want {
			t.Errorf("flags %#04x: %v, want %v", tc.flags, got, tc.want)
		}
	}
	if got := contentDirection([]byte{16, 0, 0, 0, 0, 1}, host); got != DirectionUnknown {
		t.Errorf("6-byte datagram: %v, want unknown", got)
	}
}

func TestEmptyInput(t *testing.T) {
	got, errs, r := readAll(t, nil)
	if len(got) != 0 || len(errs) != 0 || r.Format() != FormatRaw {
		t.Errorf("empty input: %d datagrams, errors %v, format %v", len(got), errs, r.Format())
	}
}

func TestAllIterator(t *testing.T) {
	file := write(t, FormatPcapNG, sample())
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var types []uint16
	for d, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, d.Order.Uint16(d.Data[4:6]))
	}
	if want := []uint16{msgCTGet, msgCTNew, msgDone, msgCTNew}; !cmp.Equal(types, want) {
		t.Errorf("first message types %#04x, want %#04x", types, want)
	}
	// Stopping early stops.
	r, _ = NewReader(bytes.NewReader(file))
	n := 0
	for range r.All() {
		n++
		break
	}
	if d, err := r.Next(); err != nil || d.Index != 1 {
		t.Errorf("after break: Next = record %d, %v; want record 1", d.Index, err)
	}
}

// TestNoAllocPerRecord: reading allocates nothing per record once the
// reader is set up.
func TestNoAllocPerRecord(t *testing.T) {
	var ds []Datagram
	for range 250 {
		ds = append(ds, sample()...)
	}
	for _, f := range []Format{FormatPcap, FormatPcapNG, FormatRaw} {
		file := write(t, f, ds)
		allocs := testing.AllocsPerRun(5, func() {
			r, err := NewReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				if _, err := r.Next(); err != nil {
					break
				}
				n++
			}
			if n < len(ds) {
				t.Fatalf("%v: read %d datagrams", f, n)
			}
		})
		if allocs > 10 {
			t.Errorf("%v: %v allocations to read %d records", f, allocs, len(ds))
		}
	}
}

func TestCloneAndMessages(t *testing.T) {
	r, err := NewReader(bytes.NewReader(write(t, FormatPcapNG, sample())))
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	d, err := r.Next() // the two-flow reply
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clone()
	c.Data[0] ^= 0xff
	if bytes.Equal(c.Data, d.Data) {
		t.Error("Clone shares Data with the reader's buffer")
	}
	var offs []int
	for m, err := range d.Messages() {
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, m.Offset)
	}
	if want := []int{0, len(d.Data) / 2}; !cmp.Equal(offs, want) {
		t.Errorf("message offsets %v, want %v", offs, want)
	}
	// A datagram cut inside its second message ends with an error.
	d.Data = d.Data[:len(d.Data)-8]
	var errs int
	for _, err := range d.Messages() {
		if err != nil {
			errs++
		}
	}
	if errs != 1 {
		t.Errorf("truncated datagram: %d errors, want 1", errs)
	}
}

// TestSnaplen: a zero snapshot length (classic pcap) does not limit
// records, and an SPB is cut to its interface's snapshot length.
func TestSnaplen(t *testing.T) {
	rec := cat(sllHeader(4, 824, 12), event)
	pcap := pcapFile(false, false, 253, pcapRec{data: rec})
	copy(pcap[16:20], []byte{0, 0, 0, 0}) // snaplen 0
	got, errs, _ := readAll(t, pcap)
	if len(errs) > 0 || len(got) != 1 || !bytes.Equal(got[0].Data, event) {
		t.Errorf("pcap with snaplen 0: %d datagrams, %v", len(got), errs)
	}

	g := &ngBuilder{}
	g.shb(false)
	g.idb(LinkTypeNetlink, 40)
	g.spb(rec, uint32(len(rec))) // an SPB holding more than the snaplen
	got, errs, r := readAll(t, g.b)
	if len(errs) > 0 || len(got) != 1 || !bytes.Equal(got[0].Data, event[:24]) || got[0].OrigLen != len(event) {
		t.Errorf("SPB beyond snaplen: %+v, %v", got, errs)
	}
	if r.Stats().Truncated != 1 {
		t.Errorf("Stats = %+v", r.Stats())
	}
}
