package conntrack

import (
	"strconv"

	"github.com/ctwire/ctwire/nla"
)

// nameTable names the attributes of one nest, indexed by type, and points
// at the tables of nested attributes. The tables are read-only.
type nameTable struct {
	names []string
	sub   []*nameTable // by type; nil for non-nests
}

func (t *nameTable) name(typ uint16) (string, bool) {
	if t != nil && int(typ) < len(t.names) && t.names[typ] != "" {
		return t.names[typ], true
	}
	return "", false
}

func (t *nameTable) child(typ uint16) *nameTable {
	if t != nil && int(typ) < len(t.sub) {
		return t.sub[typ]
	}
	return nil
}

func tableString(t *nameTable, typ uint16) string {
	if s, ok := t.name(typ); ok {
		return s
	}
	return strconv.FormatUint(uint64(typ), 10)
}

// Space says which top-level attribute enumeration a path starts in: the
// same numbers mean different attributes in a flow and in an expectation.
type Space uint8

// Attribute spaces of the ctnetlink messages.
const (
	SpaceFlow        Space = iota // enum ctattr_type: flows (IPCTNL_MSG_CT_NEW/GET/DELETE)
	SpaceExpect                   // enum ctattr_expect: expectations (IPCTNL_MSG_EXP_*)
	SpaceStatsCPU                 // enum ctattr_stats_cpu: IPCTNL_MSG_CT_GET_STATS_CPU
	SpaceStatsGlobal              // enum ctattr_stats_global: IPCTNL_MSG_CT_GET_STATS
	SpaceStatsExp                 // enum ctattr_expect_stats: IPCTNL_MSG_EXP_GET_STATS_CPU
)

func (sp Space) table() *nameTable {
	switch sp {
	case SpaceFlow:
		return flowNames
	case SpaceExpect:
		return expectNames
	case SpaceStatsCPU:
		return statsCPUNames
	case SpaceStatsGlobal:
		return statsGlobalNames
	case SpaceStatsExp:
		return statsExpNames
	}
	return nil
}

// String returns "flow", "expect", "stats-cpu", "stats-global" or
// "stats-exp", or the number.
func (sp Space) String() string {
	switch sp {
	case SpaceFlow:
		return "flow"
	case SpaceExpect:
		return "expect"
	case SpaceStatsCPU:
		return "stats-cpu"
	case SpaceStatsGlobal:
		return "stats-global"
	case SpaceStatsExp:
		return "stats-exp"
	}
	return strconv.Itoa(int(sp))
}

// AppendPath appends the kernel names of the types in p, separated by '/'
// ("CTA_TUPLE_ORIG/CTA_TUPLE_IP/CTA_IP_V4_SRC"), reading the outermost type
// in space sp. A type without a name, or below an attribute that is not a
// known nest, is written as its number.
func AppendPath(dst []byte, sp Space, p nla.Path) []byte {
	t := sp.table()
	for i := 0; i < p.Len(); i++ {
		if i > 0 {
			dst = append(dst, '/')
		}
		typ := p.At(i)
		if s, ok := t.name(typ); ok {
			dst = append(dst, s...)
		} else {
			dst = strconv.AppendUint(dst, uint64(typ), 10)
		}
		t = t.child(typ)
	}
	return dst
}

// PathString is [AppendPath] as a string.
func PathString(sp Space, p nla.Path) string { return string(AppendPath(nil, sp, p)) }
