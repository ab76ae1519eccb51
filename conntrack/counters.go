package conntrack

// Counters are the packet and byte counters of one direction
// (CTA_COUNTERS_ORIG or CTA_COUNTERS_REPLY). Present has bit 1<<T for each
// [CounterAttr] T: the kernel sends the 64-bit CTA_COUNTERS_PACKETS and
// CTA_COUNTERS_BYTES; the obsolete 32-bit CTA_COUNTERS32_* are accepted on
// decode into the same fields, and re-encoded as 32-bit if marked so.
type Counters struct {
	Packets uint64
	Bytes   uint64
	Present uint8
}

// Has reports whether the attribute a is present.
func (c Counters) Has(a CounterAttr) bool { return a < 8 && c.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (c *Counters) Set(a CounterAttr) {
	if a < 8 {
		c.Present |= 1 << a
	}
}

// Timestamp holds the wall-clock start and stop times of a flow in
// nanoseconds since the Unix epoch (CTA_TIMESTAMP). Stop is sent only once
// the flow has been deleted. Present has bit 1<<T for each [TimestampAttr]
// T.
type Timestamp struct {
	Start   uint64
	Stop    uint64
	Present uint8
}

// Has reports whether the attribute a is present.
func (t Timestamp) Has(a TimestampAttr) bool { return a < 8 && t.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (t *Timestamp) Set(a TimestampAttr) {
	if a < 8 {
		t.Present |= 1 << a
	}
}

// SeqAdj is the TCP sequence adjustment of one direction, used by NAT
// helpers that change payload lengths (CTA_SEQ_ADJ_ORIG / _REPLY). Present
// has bit 1<<T for each [SeqAdjAttr] T.
type SeqAdj struct {
	CorrectionPos uint32
	OffsetBefore  uint32
	OffsetAfter   uint32
	Present       uint8
}

// Has reports whether the attribute a is present.
func (s SeqAdj) Has(a SeqAdjAttr) bool { return a < 8 && s.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (s *SeqAdj) Set(a SeqAdjAttr) {
	if a < 8 {
		s.Present |= 1 << a
	}
}

// Synproxy is the SYN proxy state of a flow (CTA_SYNPROXY). Present has
// bit 1<<T for each [SynproxyAttr] T.
type Synproxy struct {
	ISN     uint32
	ITS     uint32
	TSOff   uint32
	Present uint8
}

// Has reports whether the attribute a is present.
func (s Synproxy) Has(a SynproxyAttr) bool { return a < 8 && s.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (s *Synproxy) Set(a SynproxyAttr) {
	if a < 8 {
		s.Present |= 1 << a
	}
}
