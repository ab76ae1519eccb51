package conntrack

import (
	"github.com/ctwire/ctwire/nla"
)

// StatsCPU is one CPU's conntrack statistics: the body of an
// IPCTNL_MSG_CT_GET_STATS_CPU reply (type 0x0104, one message per CPU,
// the CPU number in nfgenmsg.res_id). Every counter is a u32. Present has
// bit 1<<T for each StatsCPUAttr* type T present: current kernels send FOUND,
// INVALID, INSERT, INSERT_FAILED, DROP, EARLY_DROP, ERROR, SEARCH_RESTART,
// CLASH_RESOLVE and CHAIN_TOOLONG; the others (SEARCHED, NEW, IGNORE,
// DELETE, DELETE_LIST) are no longer sent but are decoded when present.
type StatsCPU struct {
	// CPU is nfgenmsg.res_id of the message (the message layer fills it).
	CPU uint16

	Searched      uint32 // CTA_STATS_SEARCHED (no longer sent)
	Found         uint32 // CTA_STATS_FOUND
	New           uint32 // CTA_STATS_NEW (no longer sent)
	Invalid       uint32 // CTA_STATS_INVALID
	Ignore        uint32 // CTA_STATS_IGNORE (no longer sent)
	Delete        uint32 // CTA_STATS_DELETE (no longer sent)
	DeleteList    uint32 // CTA_STATS_DELETE_LIST (no longer sent)
	Insert        uint32 // CTA_STATS_INSERT
	InsertFailed  uint32 // CTA_STATS_INSERT_FAILED
	Drop          uint32 // CTA_STATS_DROP
	EarlyDrop     uint32 // CTA_STATS_EARLY_DROP
	Error         uint32 // CTA_STATS_ERROR
	SearchRestart uint32 // CTA_STATS_SEARCH_RESTART
	ClashResolve  uint32 // CTA_STATS_CLASH_RESOLVE
	ChainTooLong  uint32 // CTA_STATS_CHAIN_TOOLONG

	Present AttrSet
}

// decodeAttrs decodes the attributes read by sc into s, replacing every
// field but s.CPU. Unknown and zero-length attributes are skipped, the
// last duplicate wins, and a counter that is not 4 bytes is an [*Error]
// (path read in [SpaceStatsCPU]). On error s is unchanged. It allocates
// nothing.
func (s *StatsCPU) decodeAttrs(sc nla.Scanner) error {
	if err := sc.Err(); err != nil {
		return wrapErr(SpaceStatsCPU, err)
	}
	t := StatsCPU{CPU: s.CPU}
	d := dec{big: bigOrder(sc.Order())}
	if err := d.decStatsCPU(sc.Rest(), sc.Offset(), &t); err != nil {
		return wrapErr(SpaceStatsCPU, withinPath(err, sc.Path()))
	}
	*s = t
	return nil
}

// StatsGlobal is the body of an IPCTNL_MSG_CT_GET_STATS reply (type
// 0x0105): the number of entries and the table's limit. Present has bit
// 1<<T for each StatsGlobalAttr* type T present.
type StatsGlobal struct {
	Entries    uint32 // CTA_STATS_GLOBAL_ENTRIES: nf_conntrack_count
	MaxEntries uint32 // CTA_STATS_GLOBAL_MAX_ENTRIES: nf_conntrack_max
	Present    AttrSet
}

// decodeAttrs decodes the attributes read by sc into s, as
// [StatsCPU.DecodeAttrs] does.
func (s *StatsGlobal) decodeAttrs(sc nla.Scanner) error {
	if err := sc.Err(); err != nil {
		return wrapErr(SpaceStatsGlobal, err)
	}
	var t StatsGlobal
	d := dec{big: bigOrder(sc.Order())}
	if err := d.decStatsGlobal(sc.Rest(), sc.Offset(), &t); err != nil {
		return wrapErr(SpaceStatsGlobal, withinPath(err, sc.Path()))
	}
	*s = t
	return nil
}

// StatsExp is one CPU's expectation statistics: the body of an
// IPCTNL_MSG_EXP_GET_STATS_CPU reply. The kernel sends it with type
// 0x0103 in subsystem 1 (see [KindStatsExp]), the CPU in
// nfgenmsg.res_id. Present has bit 1<<T for each StatsExpAttr* type T.
type StatsExp struct {
	// CPU is nfgenmsg.res_id of the message (the message layer fills it).
	CPU     uint16
	New     uint32 // CTA_STATS_EXP_NEW
	Create  uint32 // CTA_STATS_EXP_CREATE
	Delete  uint32 // CTA_STATS_EXP_DELETE
	Present AttrSet
}

// decodeAttrs decodes the attributes read by sc into s, replacing every
// field but s.CPU, as [StatsCPU.DecodeAttrs] does.
func (s *StatsExp) decodeAttrs(sc nla.Scanner) error {
	if err := sc.Err(); err != nil {
		return wrapErr(SpaceStatsExp, err)
	}
	t := StatsExp{CPU: s.CPU}
	d := dec{big: bigOrder(sc.Order())}
	if err := d.decStatsExp(sc.Rest(), sc.Offset(), &t); err != nil {
		return wrapErr(SpaceStatsExp, withinPath(err, sc.Path()))
	}
	*s = t
	return nil
}

// appendStatsAttrs appends the present attributes of r's statistics
// body, if it has one, in the kernel's order.
func appendStatsAttrs(dst []byte, r *Record) []byte {
	e := enc{dst: dst}
	var top level
	switch r.Kind {
	case KindStatsCPU:
		e.bodyStatsCPU(&top, &r.StatsCPU, presentStatsCPU(&r.StatsCPU))
	case KindStatsGlobal:
		e.bodyStatsGlobal(&top, &r.StatsGlobal, presentStatsGlobal(&r.StatsGlobal))
	case KindStatsExp:
		e.bodyStatsExp(&top, &r.StatsExp, presentStatsExp(&r.StatsExp))
	}
	return e.dst
}
