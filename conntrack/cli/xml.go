package cli

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/ctwire/ctwire/conntrack"
)

// XMLHeader and the footers frame conntrack's -o xml output: the header
// before the first entry shown, the footer after the last (only when an
// entry was shown).
const (
	XMLHeader       = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n"
	XMLFooter       = "</conntrack>\n"
	XMLExpectHeader = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<expect>\n"
	XMLExpectFooter = "</expect>\n"
)

// XMLOptions are the choices of -o that change the XML of a flow.
type XMLOptions struct {
	// KTimestamp is -o ktimestamp: the start and stop times in
	// nanoseconds.
	KTimestamp bool
	// Time is -o timestamp: the time of printing in a <when> element.
	Time bool
	// LabelNames names the labels (-o labels, -l); nil prints none.
	LabelNames *conntrack.LabelNames
	// Now is the time of printing (delta-time, <when>); zero means
	// time.Now().
	Now time.Time
	// Location is the time zone of <when>; nil means UTC.
	Location *time.Location
}

// AppendXML appends the XML element conntrack prints for the flow f with
// -o xml (one line, without the newline), as libnetfilter_conntrack
// 1.0.9 writes it: the two directions (layer 3 and 4, the directional
// zone, the counters), then the entry's own data (state, timeout, mark,
// labels, secmark, security context, zone, use, id, assured and
// unreplied, times, delta-time), the time of printing, the helper. kind
// is the event kind, 0 for a dump entry.
func AppendXML(dst []byte, f *conntrack.Flow, kind conntrack.EventKind, opt XMLOptions) []byte {
	switch kind {
	case conntrack.EventNew:
		dst = append(dst, `<flow type="new">`...)
	case conntrack.EventUpdate:
		dst = append(dst, `<flow type="update">`...)
	case conntrack.EventDestroy:
		dst = append(dst, `<flow type="destroy">`...)
	default:
		dst = append(dst, "<flow>"...)
	}
	counters := f.Present.Has(conntrack.AttrCountersOrig) &&
		f.CountersOrig.Present.Has(conntrack.CounterAttrPackets) && f.CountersOrig.Present.Has(conntrack.CounterAttrBytes)
	dst = xmlTuple(dst, f, &f.Orig, "original", counters, &f.CountersOrig)
	dst = xmlTuple(dst, f, &f.Reply, "reply", counters, &f.CountersReply)
	pi := &f.ProtoInfo
	tcpState := pi.TCP.Present.Has(conntrack.TCPAttrState)
	sctpState := pi.SCTP.Present.Has(conntrack.SCTPAttrState)
	dccpState := pi.DCCP.Present.Has(conntrack.DCCPAttrState)
	has := func(a conntrack.AttrType) bool { return f.Present.Has(a) }
	tsStart := has(conntrack.AttrTimestamp) && f.Timestamp.Present.Has(conntrack.TimestampAttrStart)
	tsStop := has(conntrack.AttrTimestamp) && f.Timestamp.Present.Has(conntrack.TimestampAttrStop)
	indep := tcpState || sctpState || dccpState || has(conntrack.AttrTimeout) || has(conntrack.AttrMark) ||
		has(conntrack.AttrSecMark) || has(conntrack.AttrZone) || has(conntrack.AttrUse) ||
		has(conntrack.AttrStatus) || has(conntrack.AttrID) || has(conntrack.AttrLabels) || tsStart || tsStop
	if indep {
		dst = append(dst, `<meta direction="independent">`...)
	}
	state := func(s uint8) {
		dst = append(dst, "<state>"...)
		if s >= 10 {
			s = 0
		}
		dst = append(dst, conntrack.TCPState(s).String()...)
		dst = append(dst, "</state>"...)
	}
	if tcpState {
		state(uint8(pi.TCP.State))
	}
	if sctpState {
		state(uint8(pi.SCTP.State))
	}
	if dccpState {
		state(uint8(pi.DCCP.State))
	}
	num := func(tag string, v uint64) { dst = xmlNum(dst, tag, v) }
	if has(conntrack.AttrTimeout) {
		num("timeout", uint64(f.Timeout))
	}
	if has(conntrack.AttrMark) {
		num("mark", uint64(f.Mark))
	}
	if opt.LabelNames != nil && has(conntrack.AttrLabels) {
		dst = append(dst, "<labels>"...)
		for i := 0; i <= conntrack.MaxLabelBit; i++ {
			if f.Labels.Bit(i) && opt.LabelNames[i] != "" {
				dst = append(dst, "<label>"...)
				dst = append(dst, opt.LabelNames[i]...)
				dst = append(dst, "</label>"...)
			}
		}
		dst = append(dst, "</labels>"...)
	}
	if has(conntrack.AttrSecMark) {
		num("secmark", uint64(f.SecMark))
	}
	if has(conntrack.AttrSecCtx) {
		dst = append(dst, "<secctx>"...)
		dst = append(dst, f.SecCtx.String()...)
		dst = append(dst, "</secctx>"...)
	}
	if has(conntrack.AttrZone) {
		num("zone", uint64(f.Zone))
	}
	if has(conntrack.AttrUse) {
		num("use", uint64(f.Use))
	}
	if has(conntrack.AttrID) {
		num("id", uint64(f.ID))
	}
	if has(conntrack.AttrStatus) && f.Status&conntrack.StatusAssured != 0 {
		dst = append(dst, "<assured/>"...)
	}
	if has(conntrack.AttrStatus) && f.Status&conntrack.StatusSeenReply == 0 {
		dst = append(dst, "<unreplied/>"...)
	}
	if opt.KTimestamp && (tsStart || tsStop) {
		dst = append(dst, "<timestamp>"...)
		if tsStart {
			num("start", f.Timestamp.Start)
		}
		if tsStop {
			num("stop", f.Timestamp.Stop)
		}
		dst = append(dst, "</timestamp>"...)
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	if tsStart && tsStop {
		num("deltatime", uint64(int64(f.Timestamp.Stop-f.Timestamp.Start)/1e9))
	} else if tsStart {
		num("deltatime", uint64(now.Unix()-int64(f.Timestamp.Start/1e9)))
	}
	if indep {
		dst = append(dst, "</meta>"...)
	}
	if opt.Time {
		dst = xmlWhen(dst, now, opt.Location)
	}
	if has(conntrack.AttrHelp) && f.Helper.Present.Has(conntrack.HelpAttrName) {
		dst = append(dst, "<helper>"...)
		dst = append(dst, f.Helper.Name.String()...)
		dst = append(dst, "</helper>"...)
	}
	return append(dst, "</flow>"...)
}

// xmlWhen is the <when> element of -o timestamp: the time now in loc (nil
// means UTC).
func xmlWhen(dst []byte, now time.Time, loc *time.Location) []byte {
	if loc == nil {
		loc = time.UTC
	}
	t := now.In(loc)
	dst = append(dst, "<when>"...)
	dst = xmlNum(dst, "hour", uint64(t.Hour()))
	dst = append(dst, "<min>"...)
	dst = append2(dst, t.Minute())
	dst = append(dst, "</min><sec>"...)
	dst = append2(dst, t.Second())
	dst = append(dst, "</sec>"...)
	dst = xmlNum(dst, "wday", uint64(t.Weekday())+1)
	dst = xmlNum(dst, "day", uint64(t.Day()))
	dst = xmlNum(dst, "month", uint64(t.Month()))
	dst = xmlNum(dst, "year", uint64(t.Year()))
	return append(dst, "</when>"...)
}

func xmlNum(dst []byte, tag string, v uint64) []byte {
	dst = append(dst, '<')
	dst = append(dst, tag...)
	dst = append(dst, '>')
	dst = strconv.AppendUint(dst, v, 10)
	dst = append(dst, "</"...)
	dst = append(dst, tag...)
	return append(dst, '>')
}

func append2(dst []byte, v int) []byte {
	if v < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(v), 10)
}

func xmlTuple(dst []byte, f *conntrack.Flow, t *conntrack.Tuple, dir string, counters bool, c *conntrack.Counters) []byte {
	dst = append(dst, `<meta direction="`...)
	dst = append(dst, dir...)
	dst = append(dst, `"><layer3 protonum="`...)
	dst = strconv.AppendUint(dst, uint64(f.Family), 10)
	dst = append(dst, `" protoname="`...)
	dst = append(dst, f.Family.String()...)
	dst = append(dst, `">`...)
	dst = xmlAddr(dst, "src", f.Family, t.Src)
	dst = xmlAddr(dst, "dst", f.Family, t.Dst)
	dst = append(dst, `</layer3><layer4 protonum="`...)
	dst = strconv.AppendUint(dst, uint64(t.Proto), 10)
	dst = append(dst, `" protoname="`...)
	dst = append(dst, t.Proto.String()...)
	dst = append(dst, `">`...)
	dst = xmlPort(dst, t, true)
	dst = xmlPort(dst, t, false)
	dst = append(dst, "</layer4>"...)
	if t.HasZone {
		dst = append(dst, "<zone>"...)
		dst = strconv.AppendUint(dst, uint64(t.Zone), 10)
		dst = append(dst, "</zone>"...)
	}
	if counters {
		dst = append(dst, "<counters><packets>"...)
		dst = strconv.AppendUint(dst, c.Packets, 10)
		dst = append(dst, "</packets><bytes>"...)
		dst = strconv.AppendUint(dst, c.Bytes, 10)
		dst = append(dst, "</bytes></counters>"...)
	}
	return append(dst, "</meta>"...)
}

// xmlPort is the source (or destination) port or GRE key of t.
func xmlPort(dst []byte, t *conntrack.Tuple, src bool) []byte {
	v := t.DstPort
	if src {
		v = t.SrcPort
	}
	switch t.Proto {
	case conntrack.ProtoTCP, conntrack.ProtoUDP, conntrack.ProtoUDPLite, conntrack.ProtoSCTP, conntrack.ProtoDCCP:
		tag := "dport"
		if src {
			tag = "sport"
		}
		dst = xmlNum(dst, tag, uint64(v))
	case conntrack.ProtoGRE:
		tag := "dstkey"
		if src {
			tag = "srckey"
		}
		dst = append(dst, '<')
		dst = append(dst, tag...)
		dst = append(dst, ">0x"...)
		dst = strconv.AppendUint(dst, uint64(v), 16)
		dst = append(dst, "</"...)
		dst = append(dst, tag...)
		dst = append(dst, '>')
	}
	return dst
}

func xmlAddr(dst []byte, tag string, fam conntrack.Family, a netip.Addr) []byte {
	dst = append(dst, '<')
	dst = append(dst, tag...)
	dst = append(dst, '>')
	switch fam {
	case conntrack.FamilyIPv4:
		if !a.Is4() {
			a = netip.IPv4Unspecified()
		}
		dst = a.AppendTo(dst)
	case conntrack.FamilyIPv6:
		if !a.Is6() {
			a = netip.IPv6Unspecified()
		}
		dst = a.AppendTo(dst)
	}
	dst = append(dst, "</"...)
	dst = append(dst, tag...)
	return append(dst, '>')
}
