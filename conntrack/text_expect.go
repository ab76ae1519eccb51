package conntrack

// The text form of an expectation is the line `conntrack -L expect` (a
// dump) or `conntrack -E expect` (an event) prints for it: the default
// output of libnetfilter_conntrack's nfexp_snprintf
// (src/expect/snprintf_default.c), which conntrack-tools 1.4.7 calls with
// NFCT_O_DEFAULT and no flags:
//
//	[EVENT ]                       events only: "    [NEW] ", "[DESTROY] "
//	[timeout ]                     CTA_EXPECT_TIMEOUT
//	proto=N                        CTA_PROTO_NUM of the expected tuple (0 if absent)
//	src= dst= (sport= dport= | ...)                the expected tuple
//	mask-src= mask-dst= (sport= dport= | ...)      the mask
//	master-src= master-dst= (sport= dport= | ...)  the master's original tuple
//	[zone= ]                       CTA_EXPECT_ZONE
//	[PERMANENT,INACTIVE,USERSPACE ] the flags that are set
//	[class= ] [helper=]            CTA_EXPECT_CLASS, CTA_EXPECT_HELP_NAME
//
// every column followed by one space, the last space dropped. The layer-4
// columns are those of a flow's tuple, chosen by each tuple's own
// CTA_PROTO_NUM. The addresses of a tuple print as the message's family,
// and libnetfilter_conntrack's nfexp_nlmsg_parse sets that family on each
// tuple when another attribute is present: the expected tuple's with
// CTA_EXPECT_MASTER, the mask's with CTA_EXPECT_TUPLE, the master's with
// CTA_EXPECT_MASK (the kernel always sends all three, so this only shows
// on hand-made messages: a tuple without a family prints no addresses).

// AppendText appends the line conntrack prints for e, without a newline:
// with kind 0 the line of `conntrack -L expect`, with [EventNew] or
// [EventDestroy] that of `conntrack -E expect` for such an event. (With
// -o timestamp conntrack puts the time of printing first, as
// "[%-8ld.%-6ld]\t" of gettimeofday; that is the caller's to add.) It
// allocates nothing when dst has room.
func (e *Expect) AppendText(dst []byte, kind EventKind) []byte {
	start := len(dst)
	if kind != 0 && int(kind) < len(eventPrefix) {
		dst = append(dst, eventPrefix[kind]...)
	}
	dst = e.appendText(dst, false)
	if len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendText appends the columns of e, each followed by a space. With
// summary set, the flags column is "flags=PERMANENT,INACTIVE " (the form
// of [Record.AppendText]) instead of conntrack's bare names.
func (e *Expect) appendText(dst []byte, summary bool) []byte {
	var expFam, maskFam, masterFam Family
	if e.Present.Has(ExpectAttrMaster) {
		expFam = e.Family
	}
	if e.Present.Has(ExpectAttrTuple) {
		maskFam = e.Family
	}
	if e.Present.Has(ExpectAttrMask) {
		masterFam = e.Family
	}
	if e.Present.Has(ExpectAttrTimeout) {
		dst = appendUint(dst, uint64(e.Timeout))
	}
	dst = append(dst, "proto="...)
	dst = appendUint(dst, uint64(tupleProto(&e.Tuple)))
	dst = appendExpTuple(dst, &e.Tuple, expFam, "src=", " dst=")
	dst = appendExpTuple(dst, &e.Mask, maskFam, "mask-src=", " mask-dst=")
	dst = appendExpTuple(dst, &e.Master, masterFam, "master-src=", " master-dst=")
	if e.Present.Has(ExpectAttrZone) {
		dst = append(dst, "zone="...)
		dst = appendUint(dst, uint64(e.Zone))
	}
	if f := e.Flags; e.Present.Has(ExpectAttrFlags) && f != 0 {
		if summary {
			dst = append(dst, "flags="...)
			dst = append(dst, f.String()...)
		} else {
			// The three known flags only, each after a comma but the
			// first; unknown bits still earn the closing space.
			sep := ""
			for i, name := range expectFlagNames {
				if f&(1<<i) != 0 {
					dst = append(dst, sep...)
					dst = append(dst, name...)
					sep = ","
				}
			}
		}
		dst = append(dst, ' ')
	}
	if e.Present.Has(ExpectAttrClass) {
		dst = append(dst, "class="...)
		dst = appendUint(dst, uint64(e.Class))
	}
	if e.Present.Has(ExpectAttrHelpName) {
		dst = append(dst, "helper="...)
		dst = append(dst, e.Helper.b[:e.Helper.n]...)
	}
	return dst
}

// tupleProto returns the protocol of t, zero when CTA_PROTO_NUM is absent.
func tupleProto(t *Tuple) Proto {
	if t.Present.Has(ProtoAttrNum) {
		return t.Proto
	}
	return 0
}

// appendExpTuple appends the addresses of t under the keys src and dstKey
// when fam is IPv4 or IPv6, then its layer-4 columns.
func appendExpTuple(dst []byte, t *Tuple, fam Family, src, dstKey string) []byte {
	if fam == FamilyIPv4 || fam == FamilyIPv6 {
		dst = append(dst, src...)
		dst = appendTextAddr(dst, fam, t.Src)
		dst = append(dst, dstKey...)
		dst = appendTextAddr(dst, fam, t.Dst)
		dst = append(dst, ' ')
	}
	return appendTuple(dst, t, 0, tupleProto(t), nil, false)
}
