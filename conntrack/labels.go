package conntrack

// LabelsLen is the size of a label bitmap (NF_CT_LABELS_MAX_SIZE): 128
// labels.
const LabelsLen = 16

// Labels is a CTA_LABELS or CTA_LABELS_MASK bitmap exactly as the kernel
// sends it: the raw bytes of an array of unsigned long in the sending
// host's memory order, label n being bit n%W of word n/W (W the host's
// word size in bits). On a little-endian host that is bit n%8 of byte n/8,
// which is what [Labels.Bit] and [Labels.SetBit] use; the bytes of a
// big-endian capture are kept as they are.
type Labels [LabelsLen]byte

// Bit reports whether label n (0..127) is set, reading the bitmap as a
// little-endian host sends it.
func (l Labels) Bit(n int) bool {
	if n < 0 || n >= 8*LabelsLen {
		return false
	}
	return l[n/8]&(1<<(n%8)) != 0
}

// SetBit sets label n (0..127), writing the bitmap as a little-endian host
// sends it. Other values of n are ignored.
func (l *Labels) SetBit(n int) {
	if n >= 0 && n < 8*LabelsLen {
		l[n/8] |= 1 << (n % 8)
	}
}
