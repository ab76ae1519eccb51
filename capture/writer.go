package capture

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
	"time"
)

// writerSnaplen is the snapshot length a [Writer] declares in a classic
// pcap header: libpcap's maximum, as tcpdump writes.
const writerSnaplen = 262144

// Writer writes netlink datagrams as pcap, pcapng or a raw stream.
//
// pcap and pcapng records use LINKTYPE_NETLINK (253) with the 16-byte
// cooked header that Wireshark requires: packet type, ARPHRD_NETLINK (824),
// a zero address and the netlink family, big-endian, at bytes 14-15. The
// packet type follows the package's direction convention: [PacketHost] for
// [FromKernel], [PacketOutgoing] otherwise; pcapng records of known
// direction also carry epb_flags (inbound for FromKernel, outbound for
// ToKernel). pcapng files have one little-endian section and one
// interface with if_tsresol 9 (nanoseconds). Output is deterministic: the
// same datagrams give the same bytes.
//
// Output is buffered; call [Writer.Flush] when done. A Writer is not safe
// for concurrent use.
type Writer struct {
	bw     *bufio.Writer
	format Format
	buf    []byte
}

// NewWriter returns a writer of format f and writes the file header (none
// for [FormatRaw]).
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	wr := &Writer{bw: bufio.NewWriter(w), format: f}
	b := wr.buf[:0]
	switch f {
	case FormatPcap, FormatPcapNano:
		magic := uint32(0xa1b2c3d4)
		if f == FormatPcapNano {
			magic = 0xa1b23c4d
		}
		b = binary.LittleEndian.AppendUint32(b, magic)
		b = binary.LittleEndian.AppendUint16(b, pcapVersionMajor)
		b = binary.LittleEndian.AppendUint16(b, pcapVersionMinor)
		b = binary.LittleEndian.AppendUint32(b, 0) // reserved (thiszone)
		b = binary.LittleEndian.AppendUint32(b, 0) // reserved (sigfigs)
		b = binary.LittleEndian.AppendUint32(b, writerSnaplen)
		b = binary.LittleEndian.AppendUint32(b, uint32(LinkTypeNetlink))
	case FormatPcapNG:
		b = appendSHB(b)
		b = appendIDB(b)
	case FormatRaw:
	default:
		return nil, ErrFormat
	}
	wr.buf = b
	if _, err := wr.bw.Write(b); err != nil {
		return nil, err
	}
	return wr, nil
}

// Format returns the format the writer writes.
func (w *Writer) Format() Format { return w.format }

// appendSHB appends a little-endian section header block with
// shb_userappl "ctwire".
func appendSHB(b []byte) []byte {
	const app = "ctwire"
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, blockSHB)
	b = binary.LittleEndian.AppendUint32(b, 0) // patched below
	b = binary.LittleEndian.AppendUint32(b, byteOrderBE)
	b = binary.LittleEndian.AppendUint16(b, 1) // major
	b = binary.LittleEndian.AppendUint16(b, 0) // minor
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0))
	b = appendOption(b, 4, []byte(app)) // shb_userappl
	b = binary.LittleEndian.AppendUint32(b, optEnd)
	return endBlock(b, start)
}

// appendIDB appends an interface description block for LINKTYPE_NETLINK,
// no snapshot limit, with if_tsresol 9.
func appendIDB(b []byte) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, blockIDB)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(LinkTypeNetlink))
	b = binary.LittleEndian.AppendUint16(b, 0) // reserved
	b = binary.LittleEndian.AppendUint32(b, 0) // snaplen: no limit
	b = appendOption(b, optTSResol, []byte{9})
	b = binary.LittleEndian.AppendUint32(b, optEnd)
	return endBlock(b, start)
}

// appendOption appends a little-endian option with its value padded to 4.
func appendOption(b []byte, code uint16, v []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return pad4(b)
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// endBlock appends the trailing length and patches the leading one.
func endBlock(b []byte, start int) []byte {
	n := uint32(len(b) - start + 4)
	binary.LittleEndian.PutUint32(b[start+4:], n)
	return binary.LittleEndian.AppendUint32(b, n)
}

// AppendCooked appends the 16-byte LINKTYPE_NETLINK cooked header for a
// datagram of netlink family family and direction dir (see the package's
// direction convention).
func AppendCooked(dst []byte, family uint16, dir Direction) []byte {
	pkttype := uint16(PacketOutgoing)
	if dir == FromKernel {
		pkttype = PacketHost
	}
	dst = binary.BigEndian.AppendUint16(dst, pkttype)
	dst = binary.BigEndian.AppendUint16(dst, ARPHRDNetlink)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // halen 0, address
	return binary.BigEndian.AppendUint16(dst, family)
}

// WriteDatagram writes one datagram: its Data, Time, Family (not used by
// [FormatRaw]), Direction and, when larger than len(Data), OrigLen.
// Times before 1970 are written as 0; classic pcap keeps the seconds
// modulo 2^32.
func (w *Writer) WriteDatagram(d Datagram) error {
	if len(d.Data) > MaxRecordLen-sll2Len {
		return ErrTooLong
	}
	if w.format != FormatRaw && (d.Family < 0 || d.Family > 0xffff) {
		return ErrFamily
	}
	orig := uint32(min(uint64(max(d.OrigLen, len(d.Data)))+cookedLen, math.MaxUint32))
	var ns uint64
	if !d.Time.IsZero() && d.Time.After(time.Unix(0, 0)) {
		ns = uint64(d.Time.UnixNano())
	}
	b := w.buf[:0]
	switch w.format {
	case FormatPcap, FormatPcapNano:
		frac := ns % 1e9
		if w.format == FormatPcap {
			frac /= 1000
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(ns/1e9))
		b = binary.LittleEndian.AppendUint32(b, uint32(frac))
		b = binary.LittleEndian.AppendUint32(b, uint32(cookedLen+len(d.Data)))
		b = binary.LittleEndian.AppendUint32(b, orig)
		b = AppendCooked(b, uint16(d.Family), d.Direction)
		b = append(b, d.Data...)
	case FormatPcapNG:
		start := len(b)
		b = binary.LittleEndian.AppendUint32(b, blockEPB)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, 0) // interface 0
		b = binary.LittleEndian.AppendUint32(b, uint32(ns>>32))
		b = binary.LittleEndian.AppendUint32(b, uint32(ns))
		b = binary.LittleEndian.AppendUint32(b, uint32(cookedLen+len(d.Data)))
		b = binary.LittleEndian.AppendUint32(b, orig)
		b = AppendCooked(b, uint16(d.Family), d.Direction)
		b = pad4(append(b, d.Data...))
		var flags uint32
		switch d.Direction {
		case FromKernel:
			flags = flagsInbound
		case ToKernel:
			flags = flagsOutbound
		}
		if flags != 0 {
			var v [4]byte
			binary.LittleEndian.PutUint32(v[:], flags)
			b = appendOption(b, optFlags, v[:])
			b = binary.LittleEndian.AppendUint32(b, optEnd)
		}
		b = endBlock(b, start)
	case FormatRaw:
		b = pad4(append(b, d.Data...))
	}
	w.buf = b
	_, err := w.bw.Write(b)
	return err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error { return w.bw.Flush() }
