package main

import (
	"net/netip"
	"strconv"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"golang.org/x/sys/unix"
)

// appendSummary appends the "# " line of a message that conntrack-tools
// would not print as a flow: requests, acknowledgements, kernel errors,
// dump ends, statistics, expectations, and anything unknown. Lines name
// their fields with key=value so they stay greppable.
func appendSummary(b []byte, r *conntrack.Record) []byte {
	b = append(b, "# "...)
	h := r.Header
	switch r.Kind {
	case conntrack.KindRequest:
		b = append(b, "request "...)
		b = append(b, r.Op.String()...)
		b = appendKV(b, "seq", uint64(h.Seq))
		b = appendFlags(b, h.Type, h.Flags)
		b = appendFamily(b, r.NFGen.Family)
		if r.NFGen.Version != 0 {
			b = appendKV(b, "version", uint64(r.NFGen.Version))
		}
		b = appendRequestAttrs(b, r)
	case conntrack.KindAck:
		b = append(b, "ack"...)
		b = appendKV(b, "seq", uint64(h.Seq))
		b = appendRequestType(b, r.Error.Request.Type)
		b = appendExtAck(b, &r.Error.ExtAck)
	case conntrack.KindError:
		b = append(b, "error "...)
		b = appendErrno(b, r.Error.Errno)
		b = appendKV(b, "seq", uint64(h.Seq))
		b = appendRequestType(b, r.Error.Request.Type)
		b = appendExtAck(b, &r.Error.ExtAck)
	case conntrack.KindDone:
		b = append(b, "done"...)
		b = appendKV(b, "seq", uint64(h.Seq))
		if r.Done.Errno != 0 {
			b = append(b, " error="...)
			b = appendErrno(b, r.Done.Errno)
		}
		b = appendExtAck(b, &r.Done.ExtAck)
	case conntrack.KindStatsCPU:
		s := &r.StatsCPU
		// conntrack -S's columns.
		b = append(b, "stats cpu="...)
		b = strconv.AppendUint(b, uint64(s.CPU), 10)
		for _, c := range []struct {
			k string
			v uint32
		}{
			{"found", s.Found}, {"invalid", s.Invalid}, {"insert", s.Insert},
			{"insert_failed", s.InsertFailed}, {"drop", s.Drop}, {"early_drop", s.EarlyDrop},
			{"error", s.Error}, {"search_restart", s.SearchRestart},
			{"clash_resolve", s.ClashResolve}, {"chaintoolong", s.ChainTooLong},
		} {
			b = appendKV(b, c.k, uint64(c.v))
		}
	case conntrack.KindStatsGlobal:
		b = append(b, "stats"...)
		b = appendKV(b, "entries", uint64(r.StatsGlobal.Entries))
		b = appendKV(b, "max", uint64(r.StatsGlobal.MaxEntries))
	case conntrack.KindStatsExp:
		s := &r.StatsExp
		b = append(b, "expect-stats cpu="...)
		b = strconv.AppendUint(b, uint64(s.CPU), 10)
		b = appendKV(b, "new", uint64(s.New))
		b = appendKV(b, "create", uint64(s.Create))
		b = appendKV(b, "delete", uint64(s.Delete))
	case conntrack.KindExpect:
		b = append(b, "expect "...)
		b = appendExpect(b, &r.Expect)
	case conntrack.KindExpectEvent:
		b = append(b, "expect ["...)
		b = append(b, r.Event.String()...)
		b = append(b, "] "...)
		b = appendExpect(b, &r.Expect)
	case conntrack.KindControl:
		b = append(b, "control"...)
		b = appendType(b, h.Type)
		b = appendKV(b, "len", uint64(h.Len))
	default:
		b = append(b, "unknown"...)
		b = appendType(b, h.Type)
		b = appendFlags(b, h.Type, h.Flags)
		b = appendKV(b, "len", uint64(h.Len))
	}
	return b
}

func appendKV(b []byte, k string, v uint64) []byte {
	b = append(b, ' ')
	b = append(b, k...)
	b = append(b, '=')
	return strconv.AppendUint(b, v, 10)
}

func appendType(b []byte, t uint16) []byte {
	b = append(b, " type=0x"...)
	return appendHex4(b, t)
}

func appendRequestType(b []byte, t uint16) []byte {
	b = append(b, " request=0x"...)
	return appendHex4(b, t)
}

func appendHex4(b []byte, v uint16) []byte {
	const digits = "0123456789abcdef"
	return append(b, digits[v>>12&0xf], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
}

var flagNames = []struct {
	bit  uint16
	name string
}{
	{codec.FlagRequest, "REQUEST"}, {codec.FlagMulti, "MULTI"}, {codec.FlagAck, "ACK"},
	{codec.FlagEcho, "ECHO"}, {codec.FlagDumpIntr, "DUMP_INTR"}, {codec.FlagDumpFiltered, "DUMP_FILTERED"},
}

// appendFlags names the flags of a message of type typ: the common ones,
// then the modifier bits (0x0f00) by the meaning they have for that type.
func appendFlags(b []byte, typ, f uint16) []byte {
	b = append(b, " flags="...)
	var mods []struct {
		bit  uint16
		name string
	}
	switch {
	case typ == codec.TypeError || typ == codec.TypeDone:
		mods = errorMods
	case typ&0xff == 0 || typ&0xff == 2 && f&codec.FlagRequest == 0: // NEW, or an event
		mods = newMods
	case typ&0xff == 2: // DELETE request
		mods = deleteMods
	default: // GET and the other read requests
		mods = getMods
	}
	first := true
	for _, set := range [][]struct {
		bit  uint16
		name string
	}{flagNames, mods} {
		for _, n := range set {
			if f&n.bit == n.bit {
				if !first {
					b = append(b, '|')
				}
				b = append(b, n.name...)
				first = false
				f &^= n.bit
			}
		}
	}
	if f != 0 || first {
		if !first {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = appendHex4(b, f)
	}
	return b
}

var (
	getMods = []struct {
		bit  uint16
		name string
	}{{codec.FlagDump, "DUMP"}, {codec.FlagRoot, "ROOT"}, {codec.FlagMatch, "MATCH"}, {codec.FlagAtomic, "ATOMIC"}}
	newMods = []struct {
		bit  uint16
		name string
	}{{codec.FlagReplace, "REPLACE"}, {codec.FlagExcl, "EXCL"}, {codec.FlagCreate, "CREATE"}, {codec.FlagAppend, "APPEND"}}
	deleteMods = []struct {
		bit  uint16
		name string
	}{{codec.FlagNonrec, "NONREC"}, {codec.FlagBulk, "BULK"}}
	errorMods = []struct {
		bit  uint16
		name string
	}{{codec.FlagCapped, "CAPPED"}, {codec.FlagAckTLVs, "ACK_TLVS"}}
)

// appendRequestAttrs lists the top-level attributes a request carries,
// by their kernel names.
func appendRequestAttrs(b []byte, r *conntrack.Record) []byte {
	sep := " attrs="
	if r.Op.IsExpect() {
		for t := conntrack.ExpectAttr(1); t <= conntrack.ExpectAttrMax; t++ {
			if r.Expect.Present.Has(t) {
				b = append(append(b, sep...), t.String()...)
				sep = ","
			}
		}
		return b
	}
	for t := conntrack.AttrType(1); t <= conntrack.AttrMax; t++ {
		if r.Flow.Present.Has(t) {
			b = append(append(b, sep...), t.String()...)
			sep = ","
		}
	}
	return b
}

func appendErrno(b []byte, e unix.Errno) []byte {
	if name := unix.ErrnoName(e); name != "" {
		b = append(b, name...)
	} else {
		b = append(b, "errno"...)
		b = strconv.AppendUint(b, uint64(e), 10)
	}
	b = append(b, " ("...)
	b = append(b, e.Error()...)
	return append(b, ')')
}

func appendExtAck(b []byte, x *codec.ExtAck) []byte {
	if x.HasOffset {
		b = appendKV(b, "offset", uint64(x.Offset))
	}
	if x.HasMissType {
		b = appendKV(b, "missing-type", uint64(x.MissType))
	}
	if len(x.Msg) > 0 {
		b = append(b, " msg="...)
		b = strconv.AppendQuote(b, string(x.Msg))
	}
	return b
}

// appendExpect appends an expectation the way `conntrack -L expect` prints
// it: timeout, protocol, tuple, mask, master tuple, class and helper.
func appendExpect(b []byte, e *conntrack.Expect) []byte {
	if e.Has(conntrack.ExpectAttrTimeout) {
		b = strconv.AppendUint(b, uint64(e.Timeout), 10)
		b = append(b, ' ')
	}
	b = append(b, "proto="...)
	b = strconv.AppendUint(b, uint64(e.Tuple.Proto), 10)
	b = appendExpTuple(b, "", &e.Tuple)
	b = appendExpTuple(b, "mask-", &e.Mask)
	b = appendExpTuple(b, "master-", &e.Master)
	if e.Has(conntrack.ExpectAttrFlags) && e.Flags != 0 {
		b = append(b, " flags="...)
		b = append(b, e.Flags.String()...)
	}
	if e.Has(conntrack.ExpectAttrClass) {
		b = appendKV(b, "class", uint64(e.Class))
	}
	if e.Helper.Len() > 0 {
		b = append(b, " helper="...)
		b = append(b, e.Helper.String()...)
	}
	return b
}

func appendExpTuple(b []byte, prefix string, t *conntrack.Tuple) []byte {
	b = appendAddr(b, " "+prefix+"src=", t.Src)
	b = appendAddr(b, " "+prefix+"dst=", t.Dst)
	switch {
	case t.Has(conntrack.ProtoAttrSrcPort) || t.Has(conntrack.ProtoAttrDstPort):
		b = appendKV(b, "sport", uint64(t.SrcPort))
		b = appendKV(b, "dport", uint64(t.DstPort))
	case t.Has(conntrack.ProtoAttrICMPType) || t.Has(conntrack.ProtoAttrICMPv6Type):
		b = appendKV(b, "type", uint64(t.ICMPType))
		b = appendKV(b, "code", uint64(t.ICMPCode))
		b = appendKV(b, "id", uint64(t.ICMPID))
	}
	return b
}

func appendAddr(b []byte, key string, a netip.Addr) []byte {
	if !a.IsValid() {
		return b
	}
	b = append(b, key...)
	return a.AppendTo(b)
}

func appendFamily(b []byte, f uint8) []byte {
	b = append(b, " family="...)
	if f == 0 {
		return append(b, "unspec"...)
	}
	return append(b, conntrack.Family(f).String()...)
}

// appendBadRequest appends the "# " line of a request whose attributes do
// not decode: its type and header, and why.
func appendBadRequest(b []byte, m codec.Message, err error) []byte {
	b = append(b, "# request"...)
	b = appendType(b, m.Header.Type)
	b = appendKV(b, "seq", uint64(m.Header.Seq))
	b = appendFlags(b, m.Header.Type, m.Header.Flags)
	b = appendFamily(b, m.NFGen.Family)
	b = append(b, " malformed: "...)
	b = append(b, err.Error()...)
	return append(b, '\n')
}
