// Package fuzzcheck holds the helpers shared by the fuzz targets of
// ctwire (in fuzz/): seed corpora taken from the real recordings in
// testdata/live and from the encoders, an allocation budget check
// ([CheckAlloc]), and a check that every error is one of the project's
// typed errors with an offset inside the input ([CheckError]).
//
// It imports testing and is for tests only; being internal, nothing
// outside the module can import it.
package fuzzcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"testing"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// LiveDir is the directory of the real recordings, relative to the
// directory of a package one level below the module root, such as fuzz/
// (go test runs a package's tests in its directory).
const LiveDir = "../testdata/live"

// Datagram is one datagram of a live recording.
type Datagram struct {
	Name  string    // recording name and record index, "dump#3"
	In    bool      // received from the kernel (dir "in")
	Order nla.Order // byte order of the recording host's headers
	Data  []byte
}

// liveIndex is the part of a recording's NAME.json index read here
// (format ctwire-live-raw-1, see testdata/live/README.md).
type liveIndex struct {
	Format    string `json:"format"`
	ByteOrder string `json:"byte_order"`
	Records   []struct {
		Dir    string `json:"dir"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	} `json:"records"`
}

// LiveDatagrams reads every recording NAME.bin of dir, split into its
// datagrams by NAME.json, in name order.
func LiveDatagrams(dir string) ([]Datagram, error) {
	idx, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(idx)
	var out []Datagram
	for _, p := range idx {
		j, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var x liveIndex
		if err := json.Unmarshal(j, &x); err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if x.Format != "ctwire-live-raw-1" {
			continue
		}
		order := nla.LittleEndian
		if x.ByteOrder == "big" {
			order = nla.BigEndian
		}
		bin := p[:len(p)-len(".json")] + ".bin"
		b, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(bin[:len(bin)-len(".bin")])
		for i, r := range x.Records {
			if r.Offset < 0 || r.Length < 0 || r.Offset+r.Length > len(b) {
				return nil, fmt.Errorf("%s: record %d out of range", bin, i)
			}
			out = append(out, Datagram{
				Name:  fmt.Sprintf("%s#%d", name, i),
				In:    r.Dir == "in",
				Order: order,
				Data:  b[r.Offset : r.Offset+r.Length : r.Offset+r.Length],
			})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no recordings in %s", dir)
	}
	return out, nil
}

// LiveBinaries returns the whole NAME.bin files of dir: raw netlink
// streams, as capture.NewReader reads them.
func LiveBinaries(dir string) ([][]byte, error) {
	bins, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	if err != nil {
		return nil, err
	}
	sort.Strings(bins)
	var out [][]byte
	for _, p := range bins {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Captures writes the datagrams to a capture of every format the capture
// package writes (pcap, pcap with ns timestamps, pcapng, raw), one file
// per format.
func Captures(ds []Datagram) ([][]byte, error) {
	var out [][]byte
	for _, f := range []capture.Format{capture.FormatPcap, capture.FormatPcapNano, capture.FormatPcapNG, capture.FormatRaw} {
		var buf bytes.Buffer
		w, err := capture.NewWriter(&buf, f)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			dir := capture.ToKernel
			if d.In {
				dir = capture.FromKernel
			}
			if err := w.WriteDatagram(capture.Datagram{Data: d.Data, OrigLen: len(d.Data), Family: 12, Direction: dir}); err != nil {
				return nil, err
			}
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

// Messages returns every message of the datagrams, each as a copy, read
// in each datagram's byte order.
func Messages(ds []Datagram) [][]byte {
	var out [][]byte
	for _, d := range ds {
		for m, err := range codec.Messages(d.Data, d.Order) {
			if err != nil {
				break
			}
			n := min(codec.Align(int(m.Header.Len)), len(d.Data)-m.Offset)
			out = append(out, bytes.Clone(d.Data[m.Offset:m.Offset+n]))
		}
	}
	return out
}

// AttrBytes returns the attribute area (after nfgenmsg) of every
// nfnetlink message of the datagrams, each as a copy, read in each
// datagram's byte order.
func AttrBytes(ds []Datagram) [][]byte {
	var out [][]byte
	for _, d := range ds {
		for m, err := range codec.Messages(d.Data, d.Order) {
			if err != nil {
				break
			}
			if m.HasNFGen() && len(m.Data) > 0 {
				out = append(out, bytes.Clone(m.Data))
			}
		}
	}
	return out
}

// tuple4 and tuple6 are tuples for the encoder seeds.
func tuple4() conntrack.Tuple {
	return conntrack.Tuple{
		Src: netip.MustParseAddr("198.51.100.1"), Dst: netip.MustParseAddr("198.51.100.2"),
		Proto: conntrack.ProtoTCP, SrcPort: 40000, DstPort: 443,
		Present: 1<<conntrack.ProtoAttrNum | 1<<conntrack.ProtoAttrSrcPort | 1<<conntrack.ProtoAttrDstPort,
	}
}

func tuple6() conntrack.Tuple {
	return conntrack.Tuple{
		Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"),
		Proto: conntrack.ProtoICMPv6, ICMPID: 0x4301, ICMPType: 128,
		Present: 1<<conntrack.ProtoAttrNum | 1<<conntrack.ProtoAttrICMPv6ID |
			1<<conntrack.ProtoAttrICMPv6Type | 1<<conntrack.ProtoAttrICMPv6Code,
	}
}

// SeedFlow returns a flow with many attributes set, for the encoder
// seeds: both tuples, status, timeout, mark, zone, counters, timestamps,
// labels, TCP protocol info, a helper.
func SeedFlow() conntrack.Flow {
	f := conntrack.Flow{Family: conntrack.FamilyIPv4, Orig: tuple4()}
	r := tuple4()
	r.Src, r.Dst = r.Dst, r.Src
	r.SrcPort, r.DstPort = r.DstPort, r.SrcPort
	f.Reply = r
	f.Status = conntrack.StatusConfirmed | conntrack.StatusAssured | conntrack.StatusSeenReply
	f.Timeout, f.Mark, f.Use, f.ID, f.Zone = 120, 7, 1, 0xdeadbeef, 3
	f.CountersOrig = conntrack.Counters{Packets: 3, Bytes: 180, Present: 1<<conntrack.CounterAttrPackets | 1<<conntrack.CounterAttrBytes}
	f.CountersReply = f.CountersOrig
	f.Timestamp = conntrack.Timestamp{Start: 1700000000000000000, Present: 1 << conntrack.TimestampAttrStart}
	f.Labels.SetBit(1)
	f.Labels.SetBit(127)
	f.ProtoInfo.TCP = conntrack.TCPInfo{State: conntrack.TCPStateEstablished, WScaleOrig: 7, WScaleReply: 7,
		Present: 1<<conntrack.TCPAttrState | 1<<conntrack.TCPAttrWScaleOrig | 1<<conntrack.TCPAttrWScaleReply}
	f.ProtoInfo.Present.Add(conntrack.ProtoInfoAttrTCP)
	if n, err := conntrack.MakeHelperName("ftp"); err == nil {
		f.Helper.Name = n
		f.Helper.Present.Add(conntrack.HelpAttrName)
	}
	for _, a := range []conntrack.AttrType{conntrack.AttrTupleOrig, conntrack.AttrTupleReply, conntrack.AttrStatus,
		conntrack.AttrTimeout, conntrack.AttrMark, conntrack.AttrUse, conntrack.AttrID, conntrack.AttrZone,
		conntrack.AttrCountersOrig, conntrack.AttrCountersReply, conntrack.AttrTimestamp, conntrack.AttrLabels,
		conntrack.AttrProtoInfo, conntrack.AttrHelp} {
		f.Present.Add(a)
	}
	return f
}

// EncoderSeeds returns datagrams built by the encoders: one message of
// every request op, a flow in both layouts, an expectation, acks, errors
// with extended acks, and NLMSG_DONE with and without an error.
func EncoderSeeds() [][]byte {
	var out [][]byte
	add := func(b []byte, err error) {
		if err == nil {
			out = append(out, b)
		}
	}
	flow := SeedFlow()
	add(flow.MarshalBinary())
	ev := conntrack.Record{Kind: conntrack.KindEvent, Flow: flow,
		Header: codec.Header{Type: uint16(conntrack.MsgCTNew), Flags: codec.FlagCreate | codec.FlagExcl},
		NFGen:  codec.NFGen{Family: uint8(conntrack.FamilyIPv4)}}
	add(ev.AppendBinary(nil))

	exp := conntrack.Expect{Family: conntrack.FamilyIPv6, Master: tuple6(), Tuple: tuple6(), Mask: tuple6(), Timeout: 300, ID: 9}
	for _, a := range []conntrack.AttrType{conntrack.ExpectAttrMaster, conntrack.ExpectAttrTuple, conntrack.ExpectAttrMask,
		conntrack.ExpectAttrTimeout, conntrack.ExpectAttrID} {
		exp.Present.Add(a)
	}
	er := conntrack.Record{Kind: conntrack.KindExpect, Expect: exp,
		Header: codec.Header{Type: uint16(conntrack.MsgExpNew), Flags: codec.FlagMulti},
		NFGen:  codec.NFGen{Family: uint8(conntrack.FamilyIPv6)}}
	add(er.AppendBinary(nil))

	reqs := []conntrack.Request{
		conntrack.GetRequest(1, tuple4()),
		conntrack.GetReplyRequest(2, tuple4()),
		conntrack.DumpRequest(3, conntrack.FamilyIPv4),
		conntrack.DumpCtrZeroRequest(4, conntrack.FamilyUnspec),
		conntrack.CreateRequest(5, &flow),
		conntrack.UpdateRequest(6, &flow),
		conntrack.DeleteRequest(7, tuple6()),
		conntrack.FlushRequest(8, conntrack.FamilyIPv6),
		conntrack.GetCtrZeroRequest(9, tuple4()),
		conntrack.StatsCPURequest(10),
		conntrack.StatsRequest(11),
		conntrack.DyingRequest(12),
		conntrack.UnconfirmedRequest(13),
		conntrack.ExpGetRequest(14, tuple6()),
		conntrack.ExpDumpRequest(15, conntrack.FamilyIPv6),
		conntrack.ExpCreateRequest(16, &exp),
		conntrack.ExpDeleteRequest(17, tuple6()),
		conntrack.ExpFlushRequest(18),
		conntrack.ExpMasterDumpRequest(19, tuple4()),
		conntrack.ExpStatsCPURequest(20),
	}
	filtered := conntrack.DumpRequest(21, conntrack.FamilyIPv4)
	filtered.SetMark(1, 0xff)
	filtered.SetZone(3)
	filtered.SetFilter(tuple4(), conntrack.FilterFlags(0xff), tuple4(), conntrack.FilterFlags(0x3))
	reqs = append(reqs, filtered)
	if r, err := conntrack.ExpDeleteHelperRequest(22, "ftp"); err == nil {
		reqs = append(reqs, r)
	}
	for i := range reqs {
		add(reqs[i].AppendBinary(nil))
	}

	req, _ := reqs[4].AppendBinary(nil)
	reqHdr, _ := codec.ParseHeader(req, nla.HostOrder)
	x := codec.ExtAck{Msg: []byte("Attribute failed policy validation"), Offset: 36, HasOffset: true,
		Cookie: []byte{1, 2, 3}, MissType: 7, HasMissType: true, MissNest: 20, HasMissNest: true}
	tlvs := codec.AppendExtAck(nil, &x)
	add(codec.AppendError(nil, codec.Header{Seq: 5}, &codec.KernelError{Code: -34, Request: reqHdr, Capped: true, ExtAck: codec.ExtAck{TLVs: tlvs}}))
	add(codec.AppendError(nil, codec.Header{Seq: 5}, &codec.KernelError{Code: -2, Request: reqHdr, RequestPayload: req[codec.HeaderLen:]}))
	add(codec.AppendError(nil, codec.Header{Seq: 5}, &codec.KernelError{Code: 0, Request: reqHdr, Capped: true}))
	add(codec.AppendDone(nil, codec.Header{Flags: codec.FlagMulti, Seq: 3}, 0, nil))
	add(codec.AppendDone(nil, codec.Header{Flags: codec.FlagMulti | codec.FlagDumpIntr, Seq: 3}, -4, tlvs))

	// Everything at once: one datagram holding several messages.
	var all []byte
	for _, b := range out[:4] {
		all = append(all, b...)
	}
	out = append(out, all)
	return out
}

// Budget bounds the heap allocation of one call: at most PerByte bytes
// per input byte plus Const bytes.
type Budget struct {
	PerByte uint64
	Const   uint64
}

// Limit returns the allowance for an input of n bytes.
func (b Budget) Limit(n int) uint64 { return b.PerByte*uint64(n) + b.Const }

// Allocated returns the bytes allocated on the heap while fn ran. It reads
// runtime.MemStats, which stops the world and flushes every P's allocation
// cache, so the figure is exact for a single goroutine (other goroutines
// allocating at the same time are counted too).
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocMetric is the runtime metric read by [CheckAlloc]'s fast path.
const allocMetric = "/gc/heap/allocs:bytes"

// allocatedFast is [Allocated] read from runtime/metrics, which does not
// stop the world. Large objects are counted when allocated; small ones
// when their span is handed to the allocating P, a span at a time, so the
// figure can be over by a few spans (tens of KiB) or under by what a
// cached span still held.
func allocatedFast(fn func()) uint64 {
	s := []metrics.Sample{{Name: allocMetric}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	fn()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

// CheckAlloc runs fn and fails tb if it allocated more than budget allows
// for an input of n bytes. The first run is measured with runtime/metrics,
// which is cheap; when that figure is over the limit, fn runs again under
// the exact [Allocated], twice, and the smaller figure decides, so that
// neither span-at-a-time accounting nor a stray allocation of another
// goroutine (the fuzzing engine's) fails an input. Allocations sized by a
// forged length are large objects, counted exactly by either measure.
// fn must be safe to run several times.
func CheckAlloc(tb testing.TB, n int, budget Budget, fn func()) {
	tb.Helper()
	lim := budget.Limit(n)
	if allocatedFast(fn) <= lim {
		return
	}
	got := Allocated(fn)
	if got <= lim {
		return
	}
	if again := Allocated(fn); again < got {
		got = again
	}
	if got > lim {
		tb.Fatalf("allocated %d bytes for %d input bytes (limit %d)", got, n, lim)
	}
}

// ErrorOffset returns the offset carried by err's typed error, looking for
// a *conntrack.Error, a *conntrack.JSONError, a *codec.Error, an
// *nla.Error and a *capture.RecordError in that order. ok is false for an error of none of
// these types.
func ErrorOffset(err error) (off int64, ok bool) {
	var ce *conntrack.Error
	if errors.As(err, &ce) {
		return int64(ce.Offset), true
	}
	var je *conntrack.JSONError
	if errors.As(err, &je) {
		return int64(je.Offset), true
	}
	var me *codec.Error
	if errors.As(err, &me) {
		return int64(me.Offset), true
	}
	var ne *nla.Error
	if errors.As(err, &ne) {
		return int64(ne.Offset), true
	}
	var re *capture.RecordError
	if errors.As(err, &re) {
		return re.Offset, true
	}
	return 0, false
}

// Sentinels lists every sentinel error a decoder of the project may
// return; a typed error must unwrap to one of them.
var Sentinels = []error{
	nla.ErrTruncated, nla.ErrLength, nla.ErrSize, nla.ErrDepth, nla.ErrNestTooLong, nla.ErrValue,
	codec.ErrTruncated, codec.ErrLength, codec.ErrShort, codec.ErrType,
	conntrack.ErrTooLong, conntrack.ErrLabelsSize, conntrack.ErrExtras, conntrack.ErrOp,
	conntrack.ErrJSONSyntax, conntrack.ErrJSONType, conntrack.ErrJSONValue, conntrack.ErrJSONKey,
	conntrack.ErrJSONMissing, conntrack.ErrJSONDepth,
	capture.ErrFormat, capture.ErrTruncated, capture.ErrBlockLength, capture.ErrByteOrderMagic,
	capture.ErrTooLong, capture.ErrCapLen, capture.ErrInterface, capture.ErrMessageLength,
}

// CheckError fails tb unless err is one of the typed errors of
// [ErrorOffset], unwraps to one of [Sentinels], and has an offset in
// [lo, hi]: the input the decoder was given.
func CheckError(tb testing.TB, err error, lo, hi int64) {
	tb.Helper()
	off, ok := ErrorOffset(err)
	if !ok {
		tb.Fatalf("untyped error %T: %v", err, err)
	}
	if off < lo || off > hi {
		tb.Fatalf("error offset %d outside the input [%d, %d]: %v", off, lo, hi, err)
	}
	for _, s := range Sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	tb.Fatalf("error unwraps to no known sentinel: %v", err)
}
