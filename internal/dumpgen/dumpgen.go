// Package dumpgen generates the large dump captures the offline
// benchmarks decode (cmd/ctwire's BenchmarkDecodeCapture1M and
// bench/offline's mkdump): the flows of a recorded kernel dump in turn,
// each made distinct as the kernel would make it, packed into datagrams
// of about 16 KiB as ctnetlink packs dump replies, then NLMSG_DONE.
package dumpgen

import (
	"errors"
	"io"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// Time is the capture time of every datagram: after the recorded flows
// started (testdata/captures/dump.pcap), so that delta-time counts
// minutes, as in a real capture.
var Time = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

// Flows reads the flows of the dump replies in a capture.
func Flows(in io.Reader) ([]conntrack.Flow, error) {
	r, err := capture.NewReader(in)
	if err != nil {
		return nil, err
	}
	var flows []conntrack.Flow
	for dg, err := range r.All() {
		if err != nil {
			return nil, err
		}
		for m, err := range codec.Messages(dg.Data, dg.Order) {
			if err != nil {
				return nil, err
			}
			var rec conntrack.Record
			if err := (conntrack.Decoder{}).Decode(m, &rec); err != nil {
				return nil, err
			}
			if rec.Kind == conntrack.KindFlow {
				flows = append(flows, rec.Flow)
			}
		}
	}
	if len(flows) == 0 {
		return nil, errors.New("no flows in the capture")
	}
	return flows, nil
}

// Write writes a pcap capture of a dump of n flows, taken from flows in
// turn. Each gets id i and a new source port (or ICMP id) i, mirrored in
// the reply where the recorded flow mirrors it, so every line differs and
// each tuple keeps the attributes the kernel sends for its protocol.
func Write(out io.Writer, flows []conntrack.Flow, n int) error {
	w, err := capture.NewWriter(out, capture.FormatPcap)
	if err != nil {
		return err
	}
	var dg []byte
	flush := func() error {
		if len(dg) == 0 {
			return nil
		}
		err := w.WriteDatagram(capture.Datagram{Data: dg, Time: Time, Family: capture.FamilyNetfilter, Direction: capture.FromKernel})
		dg = dg[:0]
		return err
	}
	for i := range n {
		f := flows[i%len(flows)]
		switch {
		case f.Orig.Present.Has(conntrack.ProtoAttrSrcPort):
			if f.Reply.DstPort == f.Orig.SrcPort {
				f.Reply.DstPort = uint16(i)
			}
			f.Orig.SrcPort = uint16(i)
		case f.Orig.Present.Has(conntrack.ProtoAttrICMPID) || f.Orig.Present.Has(conntrack.ProtoAttrICMPv6ID):
			if f.Reply.ICMPID == f.Orig.ICMPID {
				f.Reply.ICMPID = uint16(i)
			}
			f.Orig.ICMPID = uint16(i)
		}
		f.ID = uint32(i)
		if dg, err = f.AppendBinary(dg); err != nil {
			return err
		}
		if len(dg) >= 16<<10 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if dg, err = codec.AppendDone(dg, codec.Header{Flags: codec.FlagMulti}, 0, nil); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return w.Flush()
}
