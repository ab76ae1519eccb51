package main

import (
	"bytes"
	"fmt"
	"log"

	"github.com/ctwire/ctwire/internal/schema"
)

// ---------------------------------------------------------------------
// json_gen.go
//
// For every set: one table of JSON keys (constants, used by both the
// writer and the reader), attrs<Ident> (the writer: the members of the
// attributes present, in the kernel's order), attr<Ident> (the reader of
// one member) and, for nested sets, nest<Ident> (the reader of a whole
// object). They are methods of conntrack's jw and jr, which embed the
// writer and reader of internal/jsonx (tokenizer, value forms, errors);
// the envelope and the members that are not attributes ("family", "cpu",
// "extra") are hand-written in conntrack/json.go.

func genJSON(b *bytes.Buffer) {
	if err := checkJSON(); err != nil {
		log.Fatal(err)
	}
	for i := range schema.Sets {
		if schema.Sets[i].JSONNameKeys {
			b.WriteString("import \"github.com/ctwire/ctwire/internal/jsonx\"\n\n")
			break
		}
	}
	for i := range schema.Sets {
		s := &schema.Sets[i]
		genJSONKeys(b, s)
		genJSONWriter(b, s)
		genJSONReader(b, s)
	}
}

// jsonForm splits a's JSON hint into its form ("", "enum", "bits",
// "text", "hex", "addr", "tcpflags") and the name tables it names (Go
// expressions, which may hold a colon inside brackets: "names[:]").
func jsonForm(a *schema.Attr) (form, names, alt string) {
	var parts []string
	depth, start := 0, 0
	for i, c := range a.JSON {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case ':':
			if depth == 0 {
				parts = append(parts, a.JSON[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, a.JSON[start:])
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}

// checkJSON refuses JSON hints that do not fit their attribute's kind.
func checkJSON() error {
	for i := range schema.Sets {
		s := &schema.Sets[i]
		for j := range s.Attrs {
			a := &s.Attrs[j]
			if a.Kind == schema.Pad {
				continue
			}
			form, names, alt := jsonForm(a)
			ok := false
			switch form {
			case "":
				ok = isInt(a) || a.Kind == schema.Nest || a.Kind == schema.Flat
			case "enum":
				ok = isInt(a) && names != "" && alt == ""
			case "bits":
				ok = isInt(a) && names != ""
			case "text":
				ok = a.Kind == schema.String
			case "hex":
				ok = a.Kind == schema.Binary || a.Kind == schema.Labels
			case "addr":
				ok = a.Kind == schema.Addr4 || a.Kind == schema.Addr6
			case "tcpflags":
				ok = a.Kind == schema.TCPFlags
			}
			if !ok {
				return fmt.Errorf("%s/%s: JSON hint %q does not fit the kind", s.Name, a.Kernel, a.JSON)
			}
		}
	}
	return nil
}

// jsonKey returns the constant holding a's JSON key.
func jsonKey(s *schema.Set, a *schema.Attr) string { return "jsonKey" + ident(s) + a.Const }

// jsonKeyHex returns the constant of the key of a "text" attribute's
// value when it is not UTF-8 (the key with "-hex" appended).
func jsonKeyHex(s *schema.Set, a *schema.Attr) string { return jsonKey(s, a) + "Hex" }

func genJSONKeys(b *bytes.Buffer, s *schema.Set) {
	printf(b, "// JSON keys of the %s attributes (the YNL spec names), shared by\n// attrs%s and attr%s.\nconst (\n", s.Enum, ident(s), ident(s))
	for j := range s.Attrs {
		a := &s.Attrs[j]
		if a.Kind == schema.Pad {
			continue
		}
		printf(b, "\t%s = %q // %s\n", jsonKey(s, a), a.Spec, a.Kernel)
		if form, _, _ := jsonForm(a); form == "text" {
			printf(b, "\t%s = %s + \"-hex\"\n", jsonKeyHex(s, a), jsonKey(s, a))
		}
	}
	b.WriteString(")\n\n")
	printf(b, "// JSON texts starting the members of the %s attributes in attrs%s\n// (jsonx.Writer.Member): the key, quoted, between a comma and the colon,\n// and the brace of an object.\nconst (\n", s.Enum, ident(s))
	for j := range s.Attrs {
		a := &s.Attrs[j]
		if a.Kind == schema.Pad {
			continue
		}
		form, _, _ := jsonForm(a)
		open := ""
		if a.Kind == schema.Nest || a.Kind == schema.Flat || form == "tcpflags" {
			open = "{"
		}
		printf(b, "\t%s = `,\"%s\":%s`\n", jsonMem(s, a), a.Spec, open)
		if form == "text" {
			printf(b, "\t%s = `,\"%s-hex\":`\n", jsonMemHex(s, a), a.Spec)
		}
	}
	b.WriteString(")\n\n")
}

// jsonMem returns the constant holding the text that starts a's member:
// `,"key":`, or `,"key":{` for an object.
func jsonMem(s *schema.Set, a *schema.Attr) string { return "jsonMem" + ident(s) + a.Const }

// jsonMemHex returns the constant of the member of a "text" attribute's
// value when it is not UTF-8.
func jsonMemHex(s *schema.Set, a *schema.Attr) string { return jsonMem(s, a) + "Hex" }

// jsonMax returns the largest number a's field holds, as a Go
// expression.
func jsonMax(a *schema.Attr) string {
	switch fieldType(a) {
	case "uint8":
		return "0xff"
	case "uint16":
		return "0xffff"
	case "uint32":
		return "1<<32 - 1"
	case "uint64":
		return "1<<64 - 1"
	}
	switch a.Kind {
	case schema.U8:
		return "0xff"
	case schema.U16:
		return "0xffff"
	case schema.U64:
		return "1<<64 - 1"
	}
	return "1<<32 - 1"
}

// addrKeys returns the IPv4 and IPv6 attributes of an address attribute
// and its alternative (nil when there is none).
func addrKeys(s *schema.Set, a *schema.Attr) (v4, v6 *schema.Attr) {
	var alt *schema.Attr
	if a.Alt != 0 {
		alt = s.Attr(a.Alt)
	}
	if a.Kind == schema.Addr4 {
		return a, alt
	}
	return alt, a
}

// genJSONWrite writes the JSON member of a, present in record r.
func genJSONWrite(b *bytes.Buffer, s *schema.Set, a *schema.Attr, in string) {
	f := field("r", a)
	m := jsonMem(s, a)
	form, names, _ := jsonForm(a)
	u64 := "uint64(" + f + ")"
	if fieldType(a) == "uint64" {
		u64 = f
	}
	switch {
	case a.Kind == schema.Addr4 || a.Kind == schema.Addr6:
		m4, m6 := m, m
		if v4, v6 := addrKeys(s, a); v4 != nil && v6 != nil {
			m4, m6 = jsonMem(s, v4), jsonMem(s, v6)
		}
		printf(b, "%sw.MemberAddr(%s, %s, %s)\n", in, m4, m6, f)
	case a.Kind == schema.Nest:
		printf(b, "%sw.Member(%s)\n%sw.attrs%s(&%s)\n%sw.Close()\n", in, m, in, ident(schema.Lookup(a.Nest)), f, in)
	case a.Kind == schema.Flat:
		printf(b, "%sw.Member(%s)\n%sw.attrs%s(r)\n%sw.Close()\n", in, m, in, ident(schema.Lookup(a.Nest)), in)
	case form == "enum":
		printf(b, "%sw.MemberEnum(%s, %s, %s)\n", in, m, names, u64)
	case form == "bits":
		printf(b, "%sw.MemberBits(%s, %s, %s)\n", in, m, names, u64)
	case form == "text":
		printf(b, "%sw.MemberText(%s, %s, %s.b[:%s.n])\n", in, m, jsonMemHex(s, a), f, f)
	case a.Kind == schema.Labels:
		printf(b, "%sw.Member(%s)\n%sw.Hex(%s[:labelsSize(r.%s)])\n", in, m, in, f, a.SizeField)
	case form == "hex":
		printf(b, "%sw.Member(%s)\n%sw.Hex(%s.b[:%s.n])\n", in, m, in, f, f)
	case form == "tcpflags":
		printf(b, "%sw.tcpFlags(%s, %s)\n", in, m, f)
	default:
		printf(b, "%sw.MemberUint(%s, %s)\n", in, m, u64)
	}
}

// genJSONWriter writes attrs<Ident>: the members of the attributes of r
// that present<Ident> reports (the rule of the encoder), in the set's
// order.
func genJSONWriter(b *bytes.Buffer, s *schema.Set) {
	id := ident(s)
	printf(b, "// attrs%s writes the JSON members of the %s attributes present in\n// r (present%s, as the encoder), in the kernel's order.\n", id, s.Enum, id)
	printf(b, "func (w *jw) attrs%s(r *%s) {\n\tm := present%s(r)\n", id, s.Record, id)
	for _, n := range s.Order {
		a := s.Attr(n)
		addr := a.Kind == schema.Addr4 || a.Kind == schema.Addr6
		cond := fmt.Sprintf("m&(1<<%d) != 0", n)
		if a.Alt != 0 && addr {
			cond = fmt.Sprintf("m&(1<<%d|1<<%d) != 0", n, a.Alt)
		}
		printf(b, "\tif %s {\n", cond)
		genJSONWrite(b, s, a, "\t\t")
		b.WriteString("\t}\n")
		if a.Alt != 0 && !addr {
			if alt := s.Attr(a.Alt); isAltOf(s, alt) {
				printf(b, "\tif m&(1<<%d) != 0 {\n", alt.Num)
				genJSONWrite(b, s, alt, "\t\t")
				b.WriteString("\t}\n")
			}
		}
	}
	b.WriteString("}\n\n")
}

// genJSONRead writes the reading of the value of a into record x and the
// marking of a as present.
func genJSONRead(b *bytes.Buffer, s *schema.Set, a *schema.Attr, hex bool) {
	f := field("x", a)
	ptr := "&" + f
	if a.Field == "" {
		ptr = "x"
	}
	form, names, alt := jsonForm(a)
	if alt == "" {
		alt = "nil"
	}
	conv := func(v string) string {
		if t := fieldType(a); t != "uint64" {
			return t + "(" + v + ")"
		}
		return v
	}
	switch {
	case a.Kind == schema.Addr4 || a.Kind == schema.Addr6:
		printf(b, "\t\t%s = r.Addr(%t)\n", f, a.Kind == schema.Addr4)
	case a.Kind == schema.Nest:
		printf(b, "\t\tr.nest%s(%s)\n", ident(schema.Lookup(a.Nest)), ptr)
	case a.Kind == schema.Flat:
		printf(b, "\t\tr.nest%s(x)\n", ident(schema.Lookup(a.Nest)))
	case form == "enum":
		printf(b, "\t\t%s = %s\n", f, conv(fmt.Sprintf("r.Enum(%s, nil, %s)", names, jsonMax(a))))
	case form == "bits":
		printf(b, "\t\t%s = %s\n", f, conv(fmt.Sprintf("r.Bits(%s, %s, %s)", names, alt, jsonMax(a))))
	case form == "text":
		printf(b, "\t\tr.text(%s, %t)\n", ptr, hex)
	case a.Kind == schema.Labels:
		printf(b, "\t\tr.labels(%s, &x.%s)\n", ptr, a.SizeField)
	case form == "hex":
		printf(b, "\t\tr.text(%s, true)\n", ptr)
	case form == "tcpflags":
		printf(b, "\t\tr.tcpFlags(%s)\n", ptr)
	default:
		printf(b, "\t\t%s = %s\n", f, conv(fmt.Sprintf("r.Uint(%s)", jsonMax(a))))
	}
	switch a.Presence {
	case schema.ByBit:
		// Unlike the wire decoder, an exclusive alternative keeps its
		// bit: the JSON names each attribute on its own.
		printf(b, "\t\tx.%s |= 1 << %d\n", s.Present, a.Num)
	case schema.ByBool:
		printf(b, "\t\tx.%s = true\n", a.Has)
	}
}

// genJSONReader writes attr<Ident>, the reader of the member r.Key when
// it is one of the set's keys, and, for nested sets, nest<Ident>, the
// reader of a whole object.
func genJSONReader(b *bytes.Buffer, s *schema.Set) {
	id := ident(s)
	printf(b, "// attr%s reads the value of the member r.Key into x, marking its\n// attribute present, when r.Key is the JSON key of a %s attribute,\n// and reports whether it was.\n", id, s.Enum)
	printf(b, "func (r *jr) attr%s(x *%s) bool {\n", id, s.Record)
	caseOf := func(k string) string { return k }
	if s.JSONNameKeys {
		b.WriteString("\tswitch {\n")
		caseOf = func(k string) string { return "jsonx.NameEq(" + k + ", r.Key)" }
	} else {
		b.WriteString("\tswitch string(r.Key) {\n")
	}
	for j := range s.Attrs {
		a := &s.Attrs[j]
		if a.Kind == schema.Pad {
			continue
		}
		printf(b, "\tcase %s:\n", caseOf(jsonKey(s, a)))
		genJSONRead(b, s, a, false)
		if form, _, _ := jsonForm(a); form == "text" {
			printf(b, "\tcase %s:\n", caseOf(jsonKeyHex(s, a)))
			genJSONRead(b, s, a, true)
		}
	}
	b.WriteString("\tdefault:\n\t\treturn false\n\t}\n\treturn true\n}\n\n")
	if s.Top {
		return
	}
	printf(b, "// nest%s reads a JSON object of %s attributes into x.\n", id, s.Enum)
	printf(b, "func (r *jr) nest%s(x *%s) {\n", id, s.Record)
	if s.Reset {
		printf(b, "\t*x = %s{}\n", s.Record)
	}
	printf(b, "\tr.BeginObject()\n\tfor r.More() {\n\t\tif !r.attr%s(x) {\n\t\t\tr.Unknown()\n\t\t}\n\t}\n}\n\n", id)
}
