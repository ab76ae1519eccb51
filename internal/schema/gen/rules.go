package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/ctwire/ctwire/internal/schema"
)

// genRules writes rules_gen.go: the kernel's built-in helpers, the names
// of the message types, the ICMP and ICMPv6 types a tuple may carry, and
// the statistics names of conntrack -S.
func genRules(b *bytes.Buffer) {
	b.WriteString("import \"github.com/ctwire/ctwire/codec\"\n\n")
	b.WriteString(`// KernelHelper is a conntrack helper as the kernel registers it: a name,
// and the family (FamilyUnspec for any) and layer-4 protocol of the
// entries it may be attached to
// (net/netfilter/nf_conntrack_helper.c: __nf_conntrack_helper_find).
type KernelHelper struct {
	Name   string
	Family Family
	Proto  Proto
}

`)
	printf(b, "var (\n\tctMsgNames  = %#v\n\texpMsgNames = %#v\n)\n\n", schema.CTMessages, schema.ExpMessages)
	b.WriteString("// BuiltinHelpers are the conntrack helpers of the kernel tree and the\n" +
		"// layer-3 and layer-4 protocols each is registered for; [ValidateTarget]\n" +
		"// and [Validate] check helper names against this list, which a caller\n" +
		"// may replace (userspace helpers added with nfnetlink_cthelper, or a\n" +
		"// kernel built without some).\nvar BuiltinHelpers = []KernelHelper{\n")
	for _, h := range schema.Helpers {
		fam := h.Family
		if fam == "" {
			fam = "FamilyUnspec"
		}
		printf(b, "\t{%q, %s, %s},\n", h.Name, fam, h.Proto)
	}
	b.WriteString("}\n\n")
	var ops []string
	for _, e := range schema.Enums {
		for _, v := range e.Values {
			if e.Name != "Op" {
				continue
			}
			msg, _, _ := strings.Cut(v.Kernel, " ")
			msg = strings.TrimSuffix(msg, ":")
			if i := slices.Index(schema.CTMessages, msg); i >= 0 {
				ops = append(ops, fmt.Sprintf("%s: %#04x", v.Const, 0x100|i))
			} else if i := slices.Index(schema.ExpMessages, msg); i >= 0 {
				ops = append(ops, fmt.Sprintf("%s: %#04x", v.Const, 0x200|i))
			}
		}
	}
	printf(b, "// opTypes are the message types of the ops, named first in their\n// comments.\nvar opTypes = [...]MessageType{%s}\n\n", strings.Join(ops, ", "))
	flagNames := map[string]string{"REQUEST": "codec.FlagRequest", "ACK": "codec.FlagAck", "DUMP": "codec.FlagDump",
		"CREATE": "codec.FlagCreate", "EXCL": "codec.FlagExcl"}
	var flags []string
	for _, e := range schema.Enums {
		for _, v := range e.Values {
			_, after, ok := strings.Cut(v.Kernel, ": ")
			if e.Name != "Op" || !ok {
				continue
			}
			var fs []string
			for _, f := range strings.Split(strings.Fields(after)[0], "|") {
				if flagNames[f] == "" {
					panic(fmt.Sprintf("%s: unknown flag %q", v.Const, f))
				}
				fs = append(fs, flagNames[f])
			}
			flags = append(flags, v.Const+": "+strings.Join(fs, " | "))
		}
	}
	printf(b, "// opFlags are the flags of the ops, listed in their comments after the\n// message type.\nvar opFlags = [...]uint16{%s}\n\n", strings.Join(flags, ", "))
	printf(b, "// expectFns are the expectation functions CTA_EXPECT_FN may name.\nvar expectFns = %#v\n\n", schema.ExpectFns)
	invertible := func(name, doc string, types []uint8) {
		var rows []string
		for _, t := range types {
			rows = append(rows, fmt.Sprintf("%d: true", t))
		}
		printf(b, "// %s %s\nvar %s = [...]bool{%s}\n\n", name, doc, name, strings.Join(rows, ", "))
	}
	invertible("icmpInvertible", "are the ICMP types with a reply type (nf_conntrack_proto_icmp.c: invmap).", schema.ICMPInvertible)
	invertible("icmpv6Invertible", "are the ICMPv6 types with a reply type (nf_conntrack_proto_icmpv6.c: invmap).", schema.ICMPv6Invertible)
	for _, set := range []string{"statscpu", "statsexp"} {
		s := schema.Lookup(set)
		var rows []string
		for n, text := range schema.StatsText[set] {
			if a := s.Attr(uint16(n)); a != nil {
				rows = append(rows, fmt.Sprintf("%s: %q", constName(s, a), text))
			}
		}
		name := map[string]string{"statscpu": "statsCPUText", "statsexp": "statsExpText"}[set]
		printf(b, "// %s are the names conntrack -S prints for the attributes of %s.\nvar %s = [...]string{%s}\n\n",
			name, s.Record, name, strings.Join(rows, ", "))
	}
}
