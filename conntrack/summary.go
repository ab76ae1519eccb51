package conntrack

import (
	"strconv"
	"syscall"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/jsonx"
)

// AppendText appends the text of any record, without a newline: for a
// [KindFlow] the line `conntrack -L` prints ([Flow.AppendText]), for a
// [KindEvent] the line `conntrack -E` prints ([Flow.AppendEventText], with
// the nlmsg_pid as port id), both with the options opt. Every other kind
// gets one line starting with "# " that names its fields key=value, so
// that it stays greppable next to conntrack's lines:
//
//	# request dump seq=1 flags=REQUEST|ACK|DUMP family=ipv4 attrs=CTA_MARK,CTA_MARK_MASK
//	# ack seq=1 request=0x0101
//	# error ENOENT (no such file or directory) seq=2 request=0x0101 offset=20 msg="..."
//	# done seq=1
//	# stats cpu=0 found=0 invalid=3 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0
//	# stats entries=18 max=262144
//	# expect-stats cpu=0 new=0 create=2 delete=1
//	# expect 299 proto=6 src=192.0.2.1 ... flags=PERMANENT class=0 helper=ftp
//	# expect [DESTROY] 299 proto=6 src=192.0.2.1 ...
//	# control type=0x0001 len=16
//	# unknown type=0x0a00 flags=REQUEST|DUMP len=20
//
// Expectations read as [Expect.AppendText] prints them, but with the flags
// as "flags=" and the event in brackets without padding. Errno names are
// Linux's (ENOENT, ENOTSUP, ...), followed by the message in parentheses.
func (r *Record) AppendText(dst []byte, opt TextOptions) []byte {
	switch r.Kind {
	case KindFlow:
		return r.Flow.AppendText(dst, opt)
	case KindEvent:
		return r.Flow.AppendEventText(dst, r.Event, r.Header.PID, opt)
	}
	dst = append(dst, "# "...)
	h := r.Header
	switch r.Kind {
	case KindRequest:
		dst = append(dst, "request "...)
		dst = append(dst, r.Op.String()...)
		dst = appendKV(dst, "seq", uint64(h.Seq))
		dst = append(dst, " flags="...)
		dst = h.AppendFlags(dst)
		dst = appendSummaryFamily(dst, r.NFGen.Family)
		if r.NFGen.Version != 0 {
			dst = appendKV(dst, "version", uint64(r.NFGen.Version))
		}
		dst = r.appendRequestAttrs(dst)
	case KindAck:
		dst = append(dst, "ack"...)
		dst = appendKV(dst, "seq", uint64(h.Seq))
		dst = appendHexKV(dst, " request=0x", r.Error.Request.Type)
		dst = appendExtAck(dst, &r.Error.ExtAck)
	case KindError:
		dst = append(dst, "error "...)
		dst = appendErrno(dst, r.Error.Errno)
		dst = appendKV(dst, "seq", uint64(h.Seq))
		dst = appendHexKV(dst, " request=0x", r.Error.Request.Type)
		dst = appendExtAck(dst, &r.Error.ExtAck)
	case KindDone:
		dst = append(dst, "done"...)
		dst = appendKV(dst, "seq", uint64(h.Seq))
		if r.Done.Errno != 0 {
			dst = append(dst, " error="...)
			dst = appendErrno(dst, r.Done.Errno)
		}
		dst = appendExtAck(dst, &r.Done.ExtAck)
	case KindStatsCPU:
		// conntrack -S's columns of current kernels, always all of them.
		s := &r.StatsCPU
		dst = append(dst, "stats cpu="...)
		dst = strconv.AppendUint(dst, uint64(s.CPU), 10)
		for a := StatsCPUAttrFound; a <= StatsCPUAttrChainTooLong; a++ {
			switch a {
			case StatsCPUAttrNew, StatsCPUAttrIgnore, StatsCPUAttrDelete, StatsCPUAttrDeleteList:
				continue
			}
			dst = appendKV(dst, statsCPUText[a], uint64(*s.field(a)))
		}
	case KindStatsGlobal:
		dst = append(dst, "stats"...)
		dst = appendKV(dst, "entries", uint64(r.StatsGlobal.Entries))
		dst = appendKV(dst, "max", uint64(r.StatsGlobal.MaxEntries))
	case KindStatsExp:
		s := &r.StatsExp
		dst = append(dst, "expect-stats cpu="...)
		dst = strconv.AppendUint(dst, uint64(s.CPU), 10)
		dst = appendKV(dst, "new", uint64(s.New))
		dst = appendKV(dst, "create", uint64(s.Create))
		dst = appendKV(dst, "delete", uint64(s.Delete))
	case KindExpect, KindExpectEvent:
		dst = append(dst, "expect "...)
		if r.Kind == KindExpectEvent {
			dst = append(dst, '[')
			dst = append(dst, r.Event.String()...)
			dst = append(dst, "] "...)
		}
		dst = r.Expect.appendText(dst, true)
		if dst[len(dst)-1] == ' ' {
			dst = dst[:len(dst)-1]
		}
	case KindControl:
		dst = append(dst, "control"...)
		dst = appendHexKV(dst, " type=0x", h.Type)
		dst = appendKV(dst, "len", uint64(h.Len))
	default:
		dst = append(dst, "unknown"...)
		dst = appendHexKV(dst, " type=0x", h.Type)
		dst = append(dst, " flags="...)
		dst = h.AppendFlags(dst)
		dst = appendKV(dst, "len", uint64(h.Len))
	}
	return dst
}

// appendKV appends " k=v".
func appendKV(dst []byte, k string, v uint64) []byte {
	dst = append(dst, ' ')
	dst = append(dst, k...)
	dst = append(dst, '=')
	return strconv.AppendUint(dst, v, 10)
}

// appendHexKV appends key and v as four hex digits.
func appendHexKV(dst []byte, key string, v uint16) []byte {
	const digits = "0123456789abcdef"
	dst = append(dst, key...)
	return append(dst, digits[v>>12&0xf], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
}

// appendSummaryFamily appends " family=" and the family's name, "unspec"
// for AF_UNSPEC.
func appendSummaryFamily(dst []byte, f uint8) []byte {
	dst = append(dst, " family="...)
	if f == 0 {
		return append(dst, "unspec"...)
	}
	return append(dst, Family(f).String()...)
}

// appendRequestAttrs appends " attrs=" and the kernel names of the
// top-level attributes a request carries, if any.
func (r *Record) appendRequestAttrs(dst []byte) []byte {
	sep := " attrs="
	if r.Op.IsExpect() {
		for t := AttrType(1); t <= ExpectAttrMax; t++ {
			if r.Expect.Present.Has(t) {
				dst = append(append(dst, sep...), tableString(expectNames, uint16(t))...)
				sep = ","
			}
		}
		return dst
	}
	for t := AttrType(1); t <= AttrMax; t++ {
		if r.Flow.Present.Has(t) {
			dst = append(append(dst, sep...), tableString(flowNames, uint16(t))...)
			sep = ","
		}
	}
	return dst
}

// appendErrno appends the errno's name (or "errnoN") and its message in
// parentheses: "ENOENT (no such file or directory)". EOPNOTSUPP is named
// ENOTSUP, its other name on Linux, as golang.org/x/sys/unix names it.
func appendErrno(dst []byte, e syscall.Errno) []byte {
	name := jsonx.ErrnoName(e)
	if e == syscall.ENOTSUP {
		name = "ENOTSUP"
	}
	if name != "" {
		dst = append(dst, name...)
	} else {
		dst = append(dst, "errno"...)
		dst = strconv.AppendUint(dst, uint64(e), 10)
	}
	dst = append(dst, " ("...)
	dst = append(dst, e.Error()...)
	return append(dst, ')')
}

// appendExtAck appends the extended acknowledgement's offset, missing
// attribute type and message, those present.
func appendExtAck(dst []byte, x *codec.ExtAck) []byte {
	if x.HasOffset {
		dst = appendKV(dst, "offset", uint64(x.Offset))
	}
	if x.HasMissType {
		dst = appendKV(dst, "missing-type", uint64(x.MissType))
	}
	if len(x.Msg) > 0 {
		dst = append(dst, " msg="...)
		dst = strconv.AppendQuote(dst, string(x.Msg))
	}
	return dst
}
