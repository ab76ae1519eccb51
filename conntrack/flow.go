package conntrack

// AttrSet is a set of the attribute types of one nest: bit 1<<T for each
// type T. It is the Present field of every record. A field holding a
// non-zero value counts as present without its bit; the bit says that an
// attribute is present whatever its value, and is needed only to send a
// zero (decoding sets it for every attribute found).
type AttrSet uint32

// AllAttrs holds every top-level attribute type.
const AllAttrs AttrSet = (1<<(AttrMax+1) - 1) &^ 1

// Attrs returns the set holding the given types.
func Attrs(types ...AttrType) AttrSet {
	var s AttrSet
	for _, t := range types {
		s.Add(t)
	}
	return s
}

// Has reports whether t is in s.
func (s AttrSet) Has(t AttrType) bool { return t < 32 && s&(1<<t) != 0 }

// Add adds t to s.
func (s *AttrSet) Add(t AttrType) {
	if t < 32 {
		*s |= 1 << t
	}
}

// Remove removes t from s.
func (s *AttrSet) Remove(t AttrType) {
	if t < 32 {
		*s &^= 1 << t
	}
}

// Filter is the CTA_FILTER nest of a dump or flush request: which fields
// of the original and reply tuples must match. The flags travel in host
// byte order. Present has bit 1<<T for each FilterAttr* type T.
type Filter struct {
	OrigFlags  FilterFlags
	ReplyFlags FilterFlags
	Present    AttrSet
}

// Flow is one conntrack entry: the body of a dump or GET reply, of an
// event, or of a NEW/GET/DELETE request. It is a comparable value; the
// zero Flow is empty.
//
// An attribute is present when its field holds a non-zero value, or when
// its bit is in Present whatever the value (a mark of 0 is still a mark);
// nested records carry their own Present. Fields marked "input only" are attributes the
// kernel accepts but never sends.
type Flow struct {
	// Family is the layer-3 family from the nfgenmsg header (not an
	// attribute; the message layer fills it).
	Family Family

	Orig   Tuple // CTA_TUPLE_ORIG
	Reply  Tuple // CTA_TUPLE_REPLY
	Master Tuple // CTA_TUPLE_MASTER: the master's original tuple, for expected flows

	Status     Status // CTA_STATUS
	StatusMask Status // CTA_STATUS_MASK: dump/flush filter mask (input only)
	Timeout    uint32 // CTA_TIMEOUT: remaining lifetime in seconds
	Mark       uint32 // CTA_MARK
	MarkMask   uint32 // CTA_MARK_MASK (input only)
	Use        uint32 // CTA_USE: reference count
	// ID is CTA_ID, an opaque 32-bit hash identifying the entry (read as
	// big-endian, as conntrack-tools prints it).
	ID      uint32
	Zone    uint16 // CTA_ZONE
	SecMark uint32 // CTA_SECMARK (obsolete; never sent)

	ProtoInfo ProtoInfo // CTA_PROTOINFO
	Helper    Helper    // CTA_HELP
	NATSrc    NAT       // CTA_NAT_SRC (input only)
	NATDst    NAT       // CTA_NAT_DST (input only)

	SeqAdjOrig    SeqAdj   // CTA_SEQ_ADJ_ORIG
	SeqAdjReply   SeqAdj   // CTA_SEQ_ADJ_REPLY
	CountersOrig  Counters // CTA_COUNTERS_ORIG
	CountersReply Counters // CTA_COUNTERS_REPLY
	Timestamp     Timestamp
	// TimestampEvent is CTA_TIMESTAMP_EVENT: wall-clock nanoseconds at
	// which an event was generated (events only, Linux 6.14+).
	TimestampEvent uint64

	SecCtx SecCtx // CTA_SECCTX

	Labels     Labels // CTA_LABELS
	LabelsMask Labels // CTA_LABELS_MASK (input only)
	// LabelsSize and LabelsMaskSize are the payload sizes of CTA_LABELS and
	// CTA_LABELS_MASK when shorter than [LabelsLen] (4, 8 or 12: the kernel
	// clears the words not sent); 0 means the full 16 bytes.
	LabelsSize     uint8
	LabelsMaskSize uint8

	Synproxy Synproxy // CTA_SYNPROXY
	Filter   Filter   // CTA_FILTER (input only)

	// Present is the set of top-level attributes present.
	Present AttrSet
	// Extra holds attributes the decoder did not interpret, kept when
	// [Decoder.Keep] is set, and re-emitted by the encoder at their
	// original positions.
	Extra Extras
}

// Layout is an attribute order of the kernel's, chosen for encoding.
type Layout uint8

const (
	// LayoutDump is the order of ctnetlink_fill_info: dump, GET and
	// CTRZERO replies and the dying list.
	LayoutDump Layout = iota
	// LayoutEvent is the order of ctnetlink_conntrack_event: new, update
	// and destroy events.
	LayoutEvent
)

// String returns "dump" or "event", or the number.
func (l Layout) String() string {
	switch l {
	case LayoutDump:
		return "dump"
	case LayoutEvent:
		return "event"
	}
	return enumString(nil, int(l))
}
