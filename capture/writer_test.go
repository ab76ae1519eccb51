package capture

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// unhex decodes a commented hex fixture: everything after '#' on a line is
// a comment, whitespace is ignored.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// done is an NLMSG_DONE written on a little-endian host, as literal bytes
// so that the fixtures hold on any host.
var doneLE = []byte{
	0x14, 0, 0, 0, // nlmsg_len 20
	0x03, 0, // NLMSG_DONE
	0x02, 0, // NLM_F_MULTI
	0x07, 0, 0, 0, // seq 7
	0, 0, 0, 0, // pid 0
	0, 0, 0, 0, // error 0
}

var doneAt = time.Unix(1, 5000) // 1 s + 5 µs

func TestWriterPcapGolden(t *testing.T) {
	got := write(t, FormatPcap, []Datagram{{Data: doneLE, Time: doneAt, Family: FamilyNetfilter, Direction: FromKernel}})
	want := unhex(t, `
		d4c3b2a1 0200 0400           # magic (µs, little-endian), version 2.4
		00000000 00000000            # reserved
		00000400                     # snaplen 262144
		fd000000                     # LINKTYPE_NETLINK
		01000000 05000000            # 1 s, 5 µs
		24000000 24000000            # captured and original length 36
		0000                         # pkttype PACKET_HOST: kernel to user
		0338                         # ARPHRD_NETLINK
		0000 0000000000000000        # halen, address
		000c                         # NETLINK_NETFILTER
		14000000 0300 0200 07000000 00000000 00000000 # NLMSG_DONE
	`)
	if !bytes.Equal(got, want) {
		t.Errorf("pcap:\n got %x\nwant %x", got, want)
	}
}

func TestWriterPcapNGGolden(t *testing.T) {
	got := write(t, FormatPcapNG, []Datagram{
		{Data: doneLE, Time: doneAt, Family: FamilyNetfilter, Direction: FromKernel},
		{Data: doneLE, Time: doneAt, Family: FamilyNetfilter, Direction: DirectionUnknown},
	})
	want := unhex(t, `
		0a0d0d0a 2c000000            # SHB, 44 bytes
		4d3c2b1a 0100 0000           # byte-order magic, version 1.0
		ffffffffffffffff             # section length unknown
		0400 0600 637477697265 0000  # shb_userappl "ctwire"
		0000 0000                    # opt_endofopt
		2c000000
		01000000 20000000            # IDB, 32 bytes
		fd00 0000 00000000           # LINKTYPE_NETLINK, snaplen unlimited
		0900 0100 09000000           # if_tsresol 9 (ns)
		0000 0000
		20000000
		06000000 50000000            # EPB, 80 bytes
		00000000                     # interface 0
		00000000 88dd9a3b            # 1000005000 ns
		24000000 24000000            # captured and original length 36
		0000 0338 0000 0000000000000000 000c # cooked header, PACKET_HOST
		14000000 0300 0200 07000000 00000000 00000000
		0200 0400 01000000           # epb_flags: inbound
		0000 0000
		50000000
		06000000 44000000            # EPB, 68 bytes: no flags for unknown direction
		00000000 00000000 88dd9a3b 24000000 24000000
		0004 0338 0000 0000000000000000 000c # PACKET_OUTGOING, as nlmon writes
		14000000 0300 0200 07000000 00000000 00000000
		44000000
	`)
	if !bytes.Equal(got, want) {
		t.Errorf("pcapng:\n got %x\nwant %x", got, want)
	}
}

func TestWriterRaw(t *testing.T) {
	odd := []byte{0x11, 0, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	got := write(t, FormatRaw, []Datagram{{Data: doneLE}, {Data: odd}, {Data: doneLE}})
	want := cat(doneLE, odd, []byte{0, 0, 0}, doneLE) // padded to 4
	if !bytes.Equal(got, want) {
		t.Errorf("raw:\n got %x\nwant %x", got, want)
	}
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewWriter(&buf, Format(9)); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown format: %v", err)
	}
	w, err := NewWriter(&buf, FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteDatagram(Datagram{Data: doneLE, Family: FamilyUnknown}); !errors.Is(err, ErrFamily) {
		t.Errorf("unknown family: %v", err)
	}
	if err := w.WriteDatagram(Datagram{Data: make([]byte, MaxRecordLen), Family: 12}); !errors.Is(err, ErrTooLong) {
		t.Errorf("too long: %v", err)
	}
}

// TestWriterKeepsTruncation: a truncated datagram keeps its original
// length through a write and a read.
func TestWriterKeepsTruncation(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapNG} {
		got, errs, _ := readAll(t, write(t, f, []Datagram{{Data: event[:24], OrigLen: len(event), Family: 12}}))
		if len(errs) > 0 || len(got) != 1 || got[0].OrigLen != len(event) || !got[0].Truncated() {
			t.Errorf("%v: %+v %v", f, got, errs)
		}
	}
}

// TestDirectionConvention: what the writer stores for each direction, and
// what the reader makes of it, when the content says otherwise.
func TestDirectionConvention(t *testing.T) {
	// A user-to-kernel datagram without NLM_F_REQUEST (the kernel would
	// ignore it, but a capture may hold it) and a kernel-to-user one with it.
	noReq := appendNlmsg(nil, msgCTNew, 0, 0, nil)
	withReq := appendNlmsg(nil, msgCTNew, 1, 0, nil)
	in := []Datagram{
		{Data: noReq, Family: 12, Direction: ToKernel},
		{Data: withReq, Family: 12, Direction: FromKernel},
		{Data: noReq, Family: 12, Direction: DirectionUnknown},
	}
	for _, tc := range []struct {
		f    Format
		want []Direction
	}{
		// pcapng: epb_flags carry both directions.
		{FormatPcapNG, []Direction{ToKernel, FromKernel, FromKernel}},
		// pcap: PACKET_HOST is trusted, PACKET_OUTGOING is what nlmon
		// always writes, so the content decides.
		{FormatPcap, []Direction{FromKernel, FromKernel, FromKernel}},
	} {
		got, errs, _ := readAll(t, write(t, tc.f, in))
		if len(errs) > 0 || len(got) != len(in) {
			t.Fatalf("%v: %d datagrams, %v", tc.f, len(got), errs)
		}
		for i, d := range got {
			if d.Direction != tc.want[i] {
				t.Errorf("%v datagram %d (written %v): read %v, want %v", tc.f, i, in[i].Direction, d.Direction, tc.want[i])
			}
		}
	}
}
