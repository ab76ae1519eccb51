package cli

import (
	"strconv"
	"time"

	"github.com/ctwire/ctwire/conntrack"
)

// AppendExpectXML appends the XML element conntrack prints for the
// expectation e with -o xml (one line, without the newline), as
// libnetfilter_conntrack 1.0.9 writes it: layer 3 and layer 4 each with the
// expected tuple, the mask and the master, then the helper, timeout, class
// and zone, the time of printing (when opt.Time) and the flags. kind is
// the event kind, 0 for a dump entry. Only opt.Time and opt.Now and
// opt.Location are read.
func AppendExpectXML(dst []byte, e *conntrack.Expect, kind conntrack.EventKind, opt XMLOptions) []byte {
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
	parts := [3]struct {
		tag string
		t   *conntrack.Tuple
	}{{"expected", &e.Tuple}, {"mask", &e.Mask}, {"master", &e.Master}}
	dst = append(dst, `<layer3 protonum="`...)
	dst = strconv.AppendUint(dst, uint64(e.Family), 10)
	dst = append(dst, `" protoname="`...)
	dst = append(dst, e.Family.String()...)
	dst = append(dst, `">`...)
	for _, p := range parts {
		dst = append(dst, '<')
		dst = append(dst, p.tag...)
		dst = append(dst, '>')
		dst = xmlAddr(dst, "src", e.Family, p.t.Src)
		dst = xmlAddr(dst, "dst", e.Family, p.t.Dst)
		dst = append(dst, "</"...)
		dst = append(dst, p.tag...)
		dst = append(dst, '>')
	}
	dst = append(dst, `</layer3><layer4 protonum="`...)
	dst = strconv.AppendUint(dst, uint64(e.Tuple.Proto), 10)
	dst = append(dst, `" protoname="`...)
	dst = append(dst, e.Tuple.Proto.String()...)
	dst = append(dst, `">`...)
	for _, p := range parts {
		dst = append(dst, '<')
		dst = append(dst, p.tag...)
		dst = append(dst, '>')
		dst = xmlPort(dst, p.t, true)
		dst = xmlPort(dst, p.t, false)
		dst = append(dst, "</"...)
		dst = append(dst, p.tag...)
		dst = append(dst, '>')
	}
	dst = append(dst, "</layer4><meta>"...)
	has := func(a conntrack.AttrType) bool { return e.Present.Has(a) }
	if has(conntrack.ExpectAttrHelpName) {
		dst = append(dst, "<helper-name>"...)
		dst = append(dst, e.Helper.String()...)
		dst = append(dst, "</helper-name>"...)
	}
	if has(conntrack.ExpectAttrTimeout) {
		dst = xmlNum(dst, "timeout", uint64(e.Timeout))
	}
	if has(conntrack.ExpectAttrClass) {
		dst = xmlNum(dst, "class", uint64(e.Class))
	}
	if has(conntrack.ExpectAttrZone) {
		dst = xmlNum(dst, "zone", uint64(e.Zone))
	}
	if opt.Time {
		now := opt.Now
		if now.IsZero() {
			now = time.Now()
		}
		dst = xmlWhen(dst, now, opt.Location)
	}
	for _, fl := range []struct {
		bit conntrack.ExpectFlags
		tag string
	}{{conntrack.ExpectPermanent, "<permanent/>"}, {conntrack.ExpectInactive, "<inactive/>"}, {conntrack.ExpectUserspace, "<userspace/>"}} {
		if e.Flags&fl.bit != 0 {
			dst = append(dst, fl.tag...)
		}
	}
	return append(dst, "</meta></flow>"...)
}
