package conntrack

import "strconv"

// appendCPU appends conntrack's "cpu=%-4u\t" column.
func appendCPU(dst []byte, cpu uint16) []byte {
	start := len(dst)
	dst = append(dst, "cpu="...)
	dst = strconv.AppendUint(dst, uint64(cpu), 10)
	for len(dst)-start < 8 {
		dst = append(dst, ' ')
	}
	return append(dst, '\t')
}

// appendStat appends "name=value ".
func appendStat(dst []byte, name string, v uint32) []byte {
	dst = append(dst, name...)
	dst = append(dst, '=')
	return appendUint(dst, uint64(v))
}

// AppendText appends the line `conntrack -S` prints for s, without the
// newline: "cpu=0   \tfound=0 invalid=3 ... chaintoolong=0 ", the CPU
// left-aligned in four columns and a tab, then "name=value " for each
// counter present in attribute order (the line ends in a space, as
// conntrack's does). It allocates nothing when dst has room.
func (s *StatsCPU) AppendText(dst []byte) []byte {
	dst = appendCPU(dst, s.CPU)
	for a := StatsCPUAttrSearched; a <= StatsCPUAttrChainTooLong; a++ {
		if s.Present.Has(a) {
			dst = appendStat(dst, statsCPUText[a], *s.field(a))
		}
	}
	return dst
}

// AppendText appends the line `conntrack -S expect` prints for s, without
// the newline: "cpu=0   \texpect_new=0 expect_create=1 expect_delete=0 ",
// the counters present in attribute order.
func (s *StatsExp) AppendText(dst []byte) []byte {
	dst = appendCPU(dst, s.CPU)
	for a := StatsExpAttrNew; a <= StatsExpAttrDelete; a++ {
		if s.Present.Has(a) {
			dst = appendStat(dst, statsExpText[a], *s.field(a))
		}
	}
	return dst
}

// AppendText appends what `conntrack -C` prints for s, without the
// newline: the number of entries (CTA_STATS_GLOBAL_ENTRIES) as printf's
// "%d" of the u32, or nothing when the attribute is absent.
func (s *StatsGlobal) AppendText(dst []byte) []byte {
	if s.Present.Has(StatsGlobalAttrEntries) {
		dst = strconv.AppendInt(dst, int64(int32(s.Entries)), 10)
	}
	return dst
}
