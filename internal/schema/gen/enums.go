package main

import (
	"bytes"
	"fmt"
	"math/bits"
	"strings"

	"github.com/ctwire/ctwire/internal/schema"
)

// genEnums writes enums_gen.go: the value enumerations, their name
// tables and String methods.
func genEnums(b *bytes.Buffer) {
	for i := range schema.Enums {
		e := &schema.Enums[i]
		printf(b, "// %s %s\ntype %s %s\n\n", e.Name, e.Doc, e.Name, e.Base)
		printf(b, "// Values of %s.\nconst (\n", e.Name)
		for _, v := range e.Values {
			doc := v.Kernel
			if v.Doc != "" {
				doc += " (" + v.Doc + ")"
			}
			if e.Bits {
				printf(b, "\t%s %s = %#x // %s\n", v.Const, e.Name, v.Value, doc)
			} else {
				printf(b, "\t%s %s = %d // %s\n", v.Const, e.Name, v.Value, doc)
			}
		}
		b.WriteString(")\n\n")
		var names []string
		for _, v := range e.Values {
			if v.Name == "" {
				continue
			}
			k := v.Value
			if e.Bits {
				if bits.OnesCount64(v.Value) != 1 {
					panic(fmt.Sprintf("%s: named value %s is not one bit", e.Name, v.Const))
				}
				k = uint64(bits.TrailingZeros64(v.Value))
			}
			names = append(names, fmt.Sprintf("%d: %q", k, v.Name))
		}
		printf(b, "// %s names the values of %s, by %s.\nvar %s = []string{%s}\n\n", e.Names, e.Name,
			map[bool]string{false: "value", true: "bit number"}[e.Bits], e.Names, strings.Join(names, ", "))
		if e.OwnString {
			continue
		}
		printf(b, "// String returns %s\nfunc (v %s) String() string {\n", e.StringDoc, e.Name)
		switch {
		case e.Bits:
			printf(b, "\treturn string(appendBits(nil, uint64(v), %s))\n", e.Names)
		case e.Other != "":
			printf(b, "\tif int(v) < len(%s) && %s[v] != \"\" {\n\t\treturn %s[v]\n\t}\n\treturn %q\n", e.Names, e.Names, e.Names, e.Other)
		default:
			printf(b, "\treturn enumString(%s, int(v))\n", e.Names)
		}
		b.WriteString("}\n\n")
	}
}
