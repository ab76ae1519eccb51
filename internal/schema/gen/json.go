package main

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	"github.com/ctwire/ctwire/internal/schema"
)

// ---------------------------------------------------------------------
// json_gen.go
//
// For every set: one table of JSON keys (constants, used by both the
// writer and the reader), one of the key texts of the writer,
// members<Ident> (the writer: the members of the attributes present, in
// the kernel's order) with attrs<Ident> (top-level sets: a method of
// conntrack's jw, for the hand-written writer) or object<Ident> (nested
// sets), attr<Ident> (the reader of one member) and, for nested sets,
// nest<Ident> (the reader of a whole object). The readers are methods of
// conntrack's jr, which embeds the reader of internal/jsonx (tokenizer,
// value forms, errors); the writers use the appenders of internal/jsonx.
// The envelope and the members that are not attributes ("family", "cpu",
// "extra") are hand-written in conntrack/json.go.

func genJSON(b *bytes.Buffer) {
	if err := checkJSON(); err != nil {
		log.Fatal(err)
	}
	b.WriteString("import \"github.com/ctwire/ctwire/internal/jsonx\"\n\n")
	genJSONBitNames(b)
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

// jsonBitNames returns the variable holding the jsonx.BitNames of the
// names of the bits of a "bits" attribute: names "statusNames" give
// "jsonBitsStatusNames".
func jsonBitNames(names string) string {
	names = strings.TrimSuffix(names, "[:]")
	return "jsonBits" + strings.ToUpper(names[:1]) + names[1:]
}

// genJSONBitNames writes the jsonx.BitNames of the "bits" attributes.
func genJSONBitNames(b *bytes.Buffer) {
	b.WriteString("// The names of the bits of bit sets, as jsonx.AppendBits writes them.\nvar (\n")
	done := map[string]bool{}
	for i := range schema.Sets {
		for j := range schema.Sets[i].Attrs {
			a := &schema.Sets[i].Attrs[j]
			if form, names, _ := jsonForm(a); form == "bits" && a.Kind != schema.Pad && !done[names] {
				done[names] = true
				printf(b, "\t%s = jsonx.NewBitNames(%s)\n", jsonBitNames(names), names)
			}
		}
	}
	b.WriteString(")\n\n")
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
	printf(b, "// JSON keys of the %s attributes (the YNL spec names), read by\n// attr%s (members%s writes the texts below).\nconst (\n", s.Enum, ident(s), ident(s))
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
	printf(b, "// JSON texts starting the members of the %s attributes in\n// members%s (the key texts of internal/jsonx): the key, quoted, between\n// a comma and the colon; for TCP flags, the start of the value too.\nconst (\n", s.Enum, ident(s))
	for j := range s.Attrs {
		a := &s.Attrs[j]
		if a.Kind == schema.Pad {
			continue
		}
		form, _, _ := jsonForm(a)
		value := ""
		if form == "tcpflags" {
			value = `{"flags":`
		}
		printf(b, "\t%s = `,\"%s\":%s`\n", jsonMem(s, a), a.Spec, value)
		if form == "text" {
			printf(b, "\t%s = `,\"%s-hex\":`\n", jsonMemHex(s, a), a.Spec)
		}
	}
	b.WriteString(")\n\n")
}

// jsonMem returns the constant holding the text that starts a's member:
// `,"key":`.
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

// genJSONWrite writes the appending of the JSON member of a, present in
// record r, to b.
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
		printf(b, "%sb = jsonx.AppendAddr(b, %s, %s, %s)\n", in, m4, m6, f)
	case a.Kind == schema.Nest:
		printf(b, "%sb = object%s(append(b, %s...), &%s)\n", in, ident(schema.Lookup(a.Nest)), m, f)
	case a.Kind == schema.Flat:
		printf(b, "%sb = object%s(append(b, %s...), r)\n", in, ident(schema.Lookup(a.Nest)), m)
	case form == "enum":
		printf(b, "%sb = jsonx.AppendEnum(b, %s, %s, %s)\n", in, m, names, u64)
	case form == "bits":
		printf(b, "%sb = jsonx.AppendBits(b, %s, %s, %s)\n", in, m, jsonBitNames(names), u64)
	case form == "text":
		printf(b, "%sb = jsonx.AppendText(b, %s, %s, %s.b[:%s.n])\n", in, m, jsonMemHex(s, a), f, f)
	case a.Kind == schema.Labels:
		printf(b, "%sb = jsonx.AppendHex(b, %s, %s[:labelsSize(r.%s)])\n", in, m, f, a.SizeField)
	case form == "hex":
		printf(b, "%sb = jsonx.AppendHex(b, %s, %s.b[:%s.n])\n", in, m, f, f)
	case form == "tcpflags":
		printf(b, "%sb = appendTCPFlags(b, %s, %s)\n", in, m, f)
	default:
		printf(b, "%sb = jsonx.AppendUint(b, %s, %s)\n", in, m, u64)
	}
}

// genJSONWriter writes members<Ident>, the appending of the members of the
// attributes of r that present<Ident> reports (the rule of the encoder),
// in the set's order; for top-level sets, attrs<Ident>, which writes them
// into the object open in a jw, and for nested sets object<Ident>, which
// appends them as an object.
func genJSONWriter(b *bytes.Buffer, s *schema.Set) {
	id := ident(s)
	printf(b, "// members%s appends the JSON members of the %s attributes present\n// in r (present%s, as the encoder), in the kernel's order, each with\n// its leading comma.\n", id, s.Enum, id)
	printf(b, "func members%s(b []byte, r *%s) []byte {\n\tm := present%s(r)\n", id, s.Record, id)
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
	b.WriteString("\treturn b\n}\n\n")
	if s.Top {
		printf(b, "// attrs%s writes the JSON members of the %s attributes present in\n// r into the object open in w.\n", id, s.Enum)
		printf(b, "func (w *jw) attrs%s(r *%s) {\n\tb, start := w.StartMembers()\n\tw.EndMembers(members%s(b, r), start)\n}\n\n", id, s.Record, id)
		return
	}
	printf(b, "// object%s appends the JSON object of the %s attributes present in\n// r.\n", id, s.Enum)
	printf(b, "func object%s(b []byte, r *%s) []byte {\n\tstart := len(b)\n\treturn jsonx.EndObject(members%s(b, r), start)\n}\n\n", id, s.Record, id)
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
