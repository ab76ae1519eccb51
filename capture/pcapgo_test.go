package capture_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// gopacket's pcapgo is an independent reader and writer of the same
// containers: files written here must read back identically there, and
// files pcapgo writes must read here. (The package parses containers
// itself rather than through pcapgo because it must resynchronise after
// damaged pcapng blocks, read several sections of either byte order and
// never size a buffer from a length read off the file.)

const linkTypeNetlink = layers.LinkType(253)

func interopDatagrams(t *testing.T) []capture.Datagram {
	t.Helper()
	raw, err := os.ReadFile("../testdata/captures/live.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	r, err := capture.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out []capture.Datagram
	for d, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Clone())
	}
	if len(out) < 10 {
		t.Fatalf("only %d datagrams in live.pcapng", len(out))
	}
	return out
}

type pcapgoPacket struct {
	data []byte
	ci   gopacket.CaptureInfo
}

func TestPcapgoReadsOurFiles(t *testing.T) {
	dgs := interopDatagrams(t)
	for _, f := range []capture.Format{capture.FormatPcap, capture.FormatPcapNano, capture.FormatPcapNG} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := capture.NewWriter(&buf, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range dgs {
				if err := w.WriteDatagram(d); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			var pkts []pcapgoPacket
			var lt layers.LinkType
			if f == capture.FormatPcapNG {
				r, err := pcapgo.NewNgReader(bytes.NewReader(buf.Bytes()), pcapgo.DefaultNgReaderOptions)
				if err != nil {
					t.Fatal(err)
				}
				lt = r.LinkType()
				for {
					data, ci, err := r.ReadPacketData()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					pkts = append(pkts, pcapgoPacket{bytes.Clone(data), ci})
				}
			} else {
				r, err := pcapgo.NewReader(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				lt = r.LinkType()
				for {
					data, ci, err := r.ReadPacketData()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					pkts = append(pkts, pcapgoPacket{bytes.Clone(data), ci})
				}
			}
			if lt != linkTypeNetlink {
				t.Fatalf("pcapgo sees link type %d, want 253", lt)
			}
			if len(pkts) != len(dgs) {
				t.Fatalf("pcapgo read %d packets, wrote %d", len(pkts), len(dgs))
			}
			for i, p := range pkts {
				d := dgs[i]
				want := append(capture.AppendCooked(nil, uint16(d.Family), d.Direction), d.Data...)
				if !bytes.Equal(p.data, want) {
					t.Fatalf("packet %d: bytes differ", i)
				}
				prec := time.Microsecond
				if f != capture.FormatPcap {
					prec = time.Nanosecond
				}
				if !p.ci.Timestamp.Equal(d.Time.Truncate(prec)) {
					t.Fatalf("packet %d: pcapgo time %v, wrote %v", i, p.ci.Timestamp, d.Time)
				}
			}
		})
	}
}

func TestWeReadPcapgoFiles(t *testing.T) {
	dgs := interopDatagrams(t)
	var buf bytes.Buffer
	w := pcapgo.NewWriterNanos(&buf)
	if err := w.WriteFileHeader(262144, linkTypeNetlink); err != nil {
		t.Fatal(err)
	}
	for _, d := range dgs {
		pkt := append(capture.AppendCooked(nil, uint16(d.Family), capture.DirectionUnknown), d.Data...)
		ci := gopacket.CaptureInfo{Timestamp: d.Time, CaptureLength: len(pkt), Length: len(pkt)}
		if err := w.WritePacket(ci, pkt); err != nil {
			t.Fatal(err)
		}
	}
	r, err := capture.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for d, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(dgs) {
			t.Fatal("more datagrams than pcapgo wrote")
		}
		if !bytes.Equal(d.Data, dgs[i].Data) || !d.Time.Equal(dgs[i].Time) || d.Family != capture.FamilyNetfilter {
			t.Fatalf("datagram %d differs", i)
		}
		// Without a recorded direction it comes from NLM_F_REQUEST, which
		// agrees with what the recording socket saw.
		if d.Direction != dgs[i].Direction {
			t.Fatalf("datagram %d: direction %v, want %v", i, d.Direction, dgs[i].Direction)
		}
		i++
	}
	if i != len(dgs) {
		t.Fatalf("read %d datagrams, pcapgo wrote %d", i, len(dgs))
	}
}
