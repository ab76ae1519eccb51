package conntrack

// Counters are the packet and byte counters of one direction
// (CTA_COUNTERS_ORIG or CTA_COUNTERS_REPLY). Present has bit 1<<T for each
// CounterAttr* type T: the kernel sends the 64-bit CTA_COUNTERS_PACKETS and
// CTA_COUNTERS_BYTES; the obsolete 32-bit CTA_COUNTERS32_* are accepted on
// decode into the same fields, and re-encoded as 32-bit if marked so.
type Counters struct {
	Packets uint64
	Bytes   uint64
	Present AttrSet
}

// Timestamp holds the wall-clock start and stop times of a flow in
// nanoseconds since the Unix epoch (CTA_TIMESTAMP). Stop is sent only once
// the flow has been deleted. Present has bit 1<<T for each TimestampAttr*
// T.
type Timestamp struct {
	Start   uint64
	Stop    uint64
	Present AttrSet
}

// SeqAdj is the TCP sequence adjustment of one direction, used by NAT
// helpers that change payload lengths (CTA_SEQ_ADJ_ORIG / _REPLY). Present
// has bit 1<<T for each SeqAdjAttr* type T.
type SeqAdj struct {
	CorrectionPos uint32
	OffsetBefore  uint32
	OffsetAfter   uint32
	Present       AttrSet
}

// Synproxy is the SYN proxy state of a flow (CTA_SYNPROXY). Present has
// bit 1<<T for each SynproxyAttr* type T.
type Synproxy struct {
	ISN     uint32
	ITS     uint32
	TSOff   uint32
	Present AttrSet
}
