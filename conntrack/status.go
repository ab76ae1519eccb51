package conntrack

// Status is the CTA_STATUS bit set (enum ip_conntrack_status, IPS_*).
type Status uint32

// Status bits.
const (
	StatusExpected     Status = 1 << 0  // IPS_EXPECTED
	StatusSeenReply    Status = 1 << 1  // IPS_SEEN_REPLY
	StatusAssured      Status = 1 << 2  // IPS_ASSURED
	StatusConfirmed    Status = 1 << 3  // IPS_CONFIRMED
	StatusSrcNAT       Status = 1 << 4  // IPS_SRC_NAT
	StatusDstNAT       Status = 1 << 5  // IPS_DST_NAT
	StatusSeqAdjust    Status = 1 << 6  // IPS_SEQ_ADJUST
	StatusSrcNATDone   Status = 1 << 7  // IPS_SRC_NAT_DONE
	StatusDstNATDone   Status = 1 << 8  // IPS_DST_NAT_DONE
	StatusDying        Status = 1 << 9  // IPS_DYING
	StatusFixedTimeout Status = 1 << 10 // IPS_FIXED_TIMEOUT
	StatusTemplate     Status = 1 << 11 // IPS_TEMPLATE
	StatusUntracked    Status = 1 << 12 // IPS_UNTRACKED (kernel alias IPS_NAT_CLASH)
	StatusHelper       Status = 1 << 13 // IPS_HELPER
	StatusOffload      Status = 1 << 14 // IPS_OFFLOAD
	StatusHWOffload    Status = 1 << 15 // IPS_HW_OFFLOAD

	// StatusNATMask is IPS_NAT_MASK.
	StatusNATMask = StatusSrcNAT | StatusDstNAT
	// StatusNATDoneMask is IPS_NAT_DONE_MASK.
	StatusNATDoneMask = StatusSrcNATDone | StatusDstNATDone
	// StatusUnchangeable is IPS_UNCHANGEABLE_MASK: bits a ctnetlink update
	// cannot change.
	StatusUnchangeable = StatusNATDoneMask | StatusNATMask | StatusExpected | StatusConfirmed |
		StatusDying | StatusSeqAdjust | StatusTemplate | StatusUntracked | StatusOffload | StatusHWOffload
)

var statusNames = []string{"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT",
	"SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE",
	"UNTRACKED", "HELPER", "OFFLOAD", "HW_OFFLOAD"}

// String returns the set bits by their conntrack-tools names (the IPS_
// names without the prefix) joined by '|', as in
// "SEEN_REPLY|ASSURED|CONFIRMED"; bits 16 and up appear as one hex number;
// no bits give "0".
func (s Status) String() string { return string(appendBits(nil, uint64(s), statusNames)) }

// AppendText appends [Status.String] to b. It never fails.
func (s Status) AppendText(b []byte) ([]byte, error) {
	return appendBits(b, uint64(s), statusNames), nil
}

// Has reports whether every bit of x is set in s.
func (s Status) Has(x Status) bool { return s&x == x }
