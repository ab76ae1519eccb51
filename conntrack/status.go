package conntrack

// Masks of status bits.
const (
	// StatusNATMask is IPS_NAT_MASK.
	StatusNATMask = StatusSrcNAT | StatusDstNAT
	// StatusNATDoneMask is IPS_NAT_DONE_MASK.
	StatusNATDoneMask = StatusSrcNATDone | StatusDstNATDone
	// StatusUnchangeable is IPS_UNCHANGEABLE_MASK: bits a ctnetlink update
	// cannot change.
	StatusUnchangeable = StatusNATDoneMask | StatusNATMask | StatusExpected | StatusConfirmed |
		StatusDying | StatusSeqAdjust | StatusTemplate | StatusUntracked | StatusOffload | StatusHWOffload
)

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
