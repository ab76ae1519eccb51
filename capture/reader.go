package capture

import (
	"bytes"
	"compress/gzip"
	"io"
	"iter"
	"strconv"

	"github.com/ctwire/ctwire/nla"
)

// Format is a capture container.
type Format uint8

const (
	// FormatPcap is classic pcap with microsecond timestamps.
	FormatPcap Format = iota
	// FormatPcapNano is classic pcap with nanosecond timestamps.
	FormatPcapNano
	// FormatPcapNG is pcapng.
	FormatPcapNG
	// FormatRaw is a raw stream of netlink messages with no container.
	FormatRaw
)

// String returns "pcap", "pcap-ns", "pcapng" or "raw".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapNano:
		return "pcap-ns"
	case FormatPcapNG:
		return "pcapng"
	case FormatRaw:
		return "raw"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Option configures a [Reader].
type Option func(*config)

type config struct {
	family           int
	headerlessFamily int
	order            nla.Order
	orderSet         bool
}

// WithFamily keeps only datagrams of netlink family f (for example
// [FamilyNetfilter]); datagrams of other families are skipped and counted
// in [Stats.SkippedFamily]. Datagrams whose family is unknown are kept.
func WithFamily(f int) Option { return func(c *config) { c.family = f } }

// WithHeaderlessFamily sets the family reported for datagrams whose record
// carries none: raw streams and LINKTYPE_NETLINK records without the cooked
// header. The default is [FamilyUnknown].
func WithHeaderlessFamily(f int) Option { return func(c *config) { c.headerlessFamily = f } }

// WithOrder makes every datagram report o (resolved) as its header byte
// order instead of the per-datagram guess of [GuessOrder].
func WithOrder(o nla.Order) Option {
	return func(c *config) { c.order, c.orderSet = o.Resolve(), true }
}

// Stats counts what a [Reader] has read so far.
type Stats struct {
	// Records is the number of intact packet records read.
	Records int
	// Datagrams is the number of datagrams returned.
	Datagrams int
	// Truncated is the number of returned datagrams the capture cut short.
	Truncated int
	// SkippedLinkType counts records of link types that do not carry
	// netlink.
	SkippedLinkType int
	// SkippedHardware counts LINUX_SLL/SLL2 records whose ARPHRD type is
	// not ARPHRD_NETLINK (other traffic of an "any" capture).
	SkippedHardware int
	// SkippedShort counts records too short for their link-layer header.
	SkippedShort int
	// SkippedFamily counts datagrams dropped by [WithFamily].
	SkippedFamily int
	// Damaged counts the errors returned for damaged records.
	Damaged int
	// SkippedBytes counts bytes passed over while looking for the next
	// sound pcapng block after a damaged one.
	SkippedBytes int64
}

// source is a container parser: it yields packet records, io.EOF at the
// end, or a *RecordError.
type source interface {
	next(rec *record) error
}

// Reader reads netlink datagrams from a capture. It is not safe for
// concurrent use.
type Reader struct {
	src    source
	cfg    config
	format Format
	gzip   bool
	done   bool
	stats  Stats
	rec    record // kept here: passed to an interface method, a local would escape
}

// Magic numbers as they appear in the first four bytes of a file.
var (
	magicPcapLE   = []byte{0xd4, 0xc3, 0xb2, 0xa1}
	magicPcapBE   = []byte{0xa1, 0xb2, 0xc3, 0xd4}
	magicPcapNsLE = []byte{0x4d, 0x3c, 0xb2, 0xa1}
	magicPcapNsBE = []byte{0xa1, 0xb2, 0x3c, 0x4d}
	magicPcapNG   = []byte{0x0a, 0x0d, 0x0d, 0x0a}
	magicGzip     = []byte{0x1f, 0x8b, 0x08} // with CM = deflate
)

// NewReader detects the container of r (pcap, pcapng, a raw netlink stream,
// any of them gzip-compressed) and returns a reader of its datagrams. It
// reads the file header; an error is a [*RecordError] that unwraps to
// [ErrFormat] or [ErrTruncated]. Empty input is an empty raw stream.
func NewReader(r io.Reader, opts ...Option) (*Reader, error) {
	rd := &Reader{cfg: config{family: FamilyUnknown, headerlessFamily: FamilyUnknown}}
	for _, o := range opts {
		o(&rd.cfg)
	}
	w := newWindow(r, nil)
	n := w.ensure(4)
	if n >= len(magicGzip) && bytes.Equal(w.peek(len(magicGzip)), magicGzip) {
		zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(w.peek(w.avail())), r))
		if err != nil {
			return nil, &RecordError{Err: headerErr(err), Cause: err, Fatal: true}
		}
		rd.gzip = true
		w = newWindow(zr, nil)
		n = w.ensure(4)
	}
	if n == 0 {
		if err := w.readErr(); err != nil {
			return nil, &RecordError{Err: headerErr(err), Cause: err, Fatal: true}
		}
	}
	head := w.peek(n)
	switch {
	case bytes.Equal(head, magicPcapLE), bytes.Equal(head, magicPcapBE),
		bytes.Equal(head, magicPcapNsLE), bytes.Equal(head, magicPcapNsBE):
		rd.format = FormatPcap
		if head[0] == 0x4d || head[3] == 0x4d {
			rd.format = FormatPcapNano
		}
		src, err := newPcapSource(w)
		if err != nil {
			return nil, err
		}
		rd.src = src
	case bytes.Equal(head, magicPcapNG):
		rd.format = FormatPcapNG
		rd.src = &pcapngSource{w: w, stats: &rd.stats}
	default:
		rd.format = FormatRaw
		rd.src = &rawSource{w: w}
	}
	return rd, nil
}

// headerErr classifies an error met while reading a file header.
func headerErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return ErrFormat
}

// Format returns the container of the input.
func (r *Reader) Format() Format { return r.format }

// Compressed reports whether the input was gzip-compressed.
func (r *Reader) Compressed() bool { return r.gzip }

// Stats returns the counters so far.
func (r *Reader) Stats() Stats { return r.stats }

// Next returns the next netlink datagram. It returns io.EOF at the end of
// the input. A damaged record yields a [*RecordError]; unless its Fatal
// field is set the reader has skipped the record and the next call goes on
// with the following one, and after a fatal error Next returns io.EOF.
// Records that carry no netlink datagram (other link types, other hardware
// types, other families) are skipped and counted in [Stats].
func (r *Reader) Next() (Datagram, error) {
	for !r.done {
		rec := &r.rec
		if err := r.src.next(rec); err != nil {
			if err == io.EOF {
				r.done = true
				break
			}
			if re, ok := err.(*RecordError); ok && re.Fatal {
				r.done = true
			}
			r.stats.Damaged++
			return Datagram{}, err
		}
		r.stats.Records++
		var d Datagram
		switch frame(rec, &d, &r.cfg) {
		case keep:
			r.stats.Datagrams++
			if d.Truncated() {
				r.stats.Truncated++
			}
			return d, nil
		case skipLinkType:
			r.stats.SkippedLinkType++
		case skipHardware:
			r.stats.SkippedHardware++
		case skipShort:
			r.stats.SkippedShort++
		case skipFamily:
			r.stats.SkippedFamily++
		}
	}
	return Datagram{}, io.EOF
}

// All returns an iterator over the remaining datagrams and errors, ending
// at the end of the input. Each Datagram's Data is valid only until the
// iteration continues.
func (r *Reader) All() iter.Seq2[Datagram, error] {
	return func(yield func(Datagram, error) bool) {
		for {
			d, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(d, err) {
				return
			}
		}
	}
}
