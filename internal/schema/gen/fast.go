package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ctwire/ctwire/internal/schema"
)

// ---------------------------------------------------------------------
// fast_gen.go
//
// The decoder's fast path, from the sets' Layouts and the flow set's rows:
//
//   - hdr* constants: the header words of the layouts, read as
//     little-endian 32-bit words (length in the low half, type and flags
//     in the high half);
//   - for every set with Layouts that a flow attribute nests (tuples,
//     CTA_PROTOINFO, counters, timestamps): <name>Shape, which checks the
//     headers and reports the layout (0 or false for none it knows),
//     <name>Fill, which reads a nest of that layout into a zeroed record
//     from fixed offsets, and <name>Fast, the two together (the general
//     decoder tries it first, as the rows' Fast say);
//   - fastFlow, the loop over a flow's top level, with its per-attribute
//     switch, and fastAttrs with its write and nestsApart;
//   - fastAttrs.inOrder and inEventOrder, which read the attributes that
//     come in the kernel's order before the loop, from the flow set's
//     Order and EventOrder.
//
// A layout is flattened into segments: a fixed run of headers at fixed
// offsets, or a choice between such runs (the nested set of an attribute
// having several layouts), each alternative of a choice getting a bit of
// the shape. The shape functions check one segment after the other; the
// fill functions read them the same way.

// fastItem is one attribute header of a fixed run.
type fastItem struct {
	set  *schema.Set
	a    *schema.Attr
	rec  string // Go expression of the record holding the field
	off  int    // offset of the header in the run
	n    int    // the header's length field
	nest bool
}

// fastRun is a fixed sequence of attributes: the same headers at the same
// offsets every time.
type fastRun struct {
	items []fastItem
	size  int // bytes, padding included
	doc   string
}

// fastSeg is a fixed run (one alternative) or a choice between runs of
// which the shape's bits bit, bit+1, ... name the one found.
type fastSeg struct {
	alts []fastRun
	bit  int
}

// fastSize returns the payload size of an attribute of a fixed-size kind,
// or 0.
func fastSize(a *schema.Attr) int {
	switch a.Kind {
	case schema.U8:
		return 1
	case schema.U16, schema.TCPFlags:
		return 2
	case schema.U32, schema.U32Host, schema.Addr4:
		return 4
	case schema.U64:
		return 8
	case schema.Addr6:
		return 16
	}
	return 0
}

func align4(n int) int { return (n + 3) &^ 3 }

// concat appends run r to run q.
func (q fastRun) concat(r fastRun) fastRun {
	out := fastRun{items: slices.Clone(q.items), size: q.size + r.size}
	for _, it := range r.items {
		it.off += q.size
		out.items = append(out.items, it)
	}
	switch {
	case q.doc == "":
		out.doc = r.doc
	case r.doc == "":
		out.doc = q.doc
	default:
		out.doc = q.doc + ", " + r.doc
	}
	return out
}

// fastFlatten returns the segments of layout l of set s, whose record is
// the Go expression rec.
func fastFlatten(s *schema.Set, l schema.Layout, rec string) []fastSeg {
	var segs []fastSeg
	var cur fastRun
	flush := func() {
		if len(cur.items) > 0 {
			segs = append(segs, fastSeg{alts: []fastRun{cur}})
			cur = fastRun{}
		}
	}
	for _, num := range l.Attrs {
		a := s.Attr(num)
		if a == nil {
			log.Fatalf("%s: layout lists unknown type %d", s.Name, num)
		}
		switch a.Kind {
		case schema.Nest, schema.Flat:
			c := schema.Lookup(a.Nest)
			crec := rec
			if a.Kind == schema.Nest {
				crec = rec + "." + a.Field
			}
			var alts []fastRun
			for _, r := range fastExpand(c, crec) {
				hdr := fastRun{
					items: []fastItem{{set: s, a: a, rec: rec, n: 4 + r.size, nest: true}},
					size:  4,
				}
				alt := hdr.concat(r)
				alt.doc = a.Kernel + " {" + r.doc + "}"
				alts = append(alts, alt)
			}
			if len(alts) == 1 {
				cur = cur.concat(alts[0])
				continue
			}
			flush()
			segs = append(segs, fastSeg{alts: alts})
		default:
			n := fastSize(a)
			if n == 0 {
				log.Fatalf("%s/%s: a layout holds only attributes of fixed size and nests", s.Name, a.Kernel)
			}
			cur = cur.concat(fastRun{
				items: []fastItem{{set: s, a: a, rec: rec, n: 4 + n}},
				size:  align4(4 + n),
				doc:   a.Kernel,
			})
		}
	}
	flush()
	return segs
}

// fastExpand returns every layout of set c as one fixed run.
func fastExpand(c *schema.Set, rec string) []fastRun {
	if len(c.Layouts) == 0 {
		log.Fatalf("%s: a layout nests a set without layouts", c.Name)
	}
	var out []fastRun
	for _, l := range c.Layouts {
		runs := []fastRun{{}}
		for _, seg := range fastFlatten(c, l, rec) {
			var next []fastRun
			for _, r := range runs {
				for _, alt := range seg.alts {
					next = append(next, r.concat(alt))
				}
			}
			runs = next
		}
		for i := range runs {
			if l.Doc != "" {
				runs[i].doc += " (" + l.Doc + ")"
			}
		}
		out = append(out, runs...)
	}
	return out
}

// fastSegs returns the segments of set s (record "r"), with the bits of
// its choices, and the number of bits.
func fastSegs(s *schema.Set) ([]fastSeg, int) {
	var segs []fastSeg
	if len(s.Layouts) == 1 {
		segs = fastFlatten(s, s.Layouts[0], "r")
	} else {
		segs = []fastSeg{{alts: fastExpand(s, "r")}}
	}
	bits := 0
	for i := range segs {
		if len(segs[i].alts) > 1 {
			segs[i].bit = bits
			bits += len(segs[i].alts)
		}
	}
	if bits > 8 {
		log.Fatalf("%s: %d layout alternatives do not fit a uint8 shape", s.Name, bits)
	}
	return segs, bits
}

// fastHdrs names the header words of the layouts (several names may
// stand for one word: CTA_PROTO_NUM and CTA_PROTOINFO_TCP_STATE).
type fastHdrs struct {
	names map[string]uint32
	list  []string // declarations, in order of first use
}

// name returns the constant of the header of it.
func (h *fastHdrs) name(it fastItem) string {
	typ := uint32(it.a.Num)
	expr := fmt.Sprintf("%#04x | %d<<16", it.n, it.a.Num)
	name := "hdr" + ident(it.set) + it.a.Const
	doc := fmt.Sprintf("%s, %s", it.a.Kernel, plural(it.n-4, "byte"))
	if it.nest {
		typ |= 0x8000 // NLA_F_NESTED
		expr = fmt.Sprintf("%#04x | uint32(nla.FlagNested|%d)<<16", it.n, it.a.Num)
		name += fmt.Sprint(it.n - 4)
		doc = fmt.Sprintf("%s of %s", it.a.Kernel, plural(it.n-4, "byte"))
	}
	w := uint32(it.n) | typ<<16
	if v, ok := h.names[name]; ok {
		if v != w {
			log.Fatalf("%s: %#x and %#x", name, v, w)
		}
		return name
	}
	h.names[name] = w
	h.list = append(h.list, fmt.Sprintf("%s uint32 = %s // %s", name, expr, doc))
	return name
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

type fastCheck struct {
	off  int
	name string
}

func (h *fastHdrs) checks(r fastRun) []fastCheck {
	var c []fastCheck
	for _, it := range r.items {
		c = append(c, fastCheck{it.off, h.name(it)})
	}
	return c
}

func checkExpr(c []fastCheck) string {
	var parts []string
	for _, x := range c {
		parts = append(parts, fmt.Sprintf("hdrAt(b, %d) == %s", x.off, x.name))
	}
	return strings.Join(parts, " && ")
}

func lenExpr(r fastRun, last bool) string {
	if last {
		return fmt.Sprintf("len(b) == %d", r.size)
	}
	return fmt.Sprintf("len(b) >= %d", r.size)
}

// fastNames returns the names of the shape, fill and fast functions of
// set c: the Fast of the flow rows nesting it, which must agree.
func fastNames(flow, c *schema.Set) (shape, fill, fast string) {
	fast = ""
	for _, a := range flow.Attrs {
		if a.Kind != schema.Nest || a.Nest != c.Name || a.Fast == "" {
			continue
		}
		if fast != "" && fast != a.Fast {
			log.Fatalf("%s: rows nesting %s name Fast %s and %s", flow.Name, c.Name, fast, a.Fast)
		}
		fast = a.Fast
	}
	if fast == "" {
		fast = lower(c) + "Fast"
	}
	if !strings.HasSuffix(fast, "Fast") {
		log.Fatalf("%s: Fast %s does not end in Fast", c.Name, fast)
	}
	stem := strings.TrimSuffix(fast, "Fast")
	return stem + "Shape", stem + "Fill", fast
}

func genFast(b *bytes.Buffer) {
	flow := schema.Lookup("flow")
	b.WriteString("import (\n\t\"encoding/binary\"\n\t\"net/netip\"\n\n\t\"github.com/ctwire/ctwire/nla\"\n)\n\n")
	b.WriteString(`// The kernel lays its nests out the same way every time
// (ctnetlink_fill_info and the helpers it calls), as the schema's Layouts
// describe: the functions below recognise those layouts by their headers,
// read as little-endian 32-bit words (length in the low half, type and
// flags in the high half), and fill the record from fixed offsets. They
// report 0 or false for anything else, which the general loops then
// decode; given those headers the general loops produce the very same
// record, padding bytes being ignored by both.
//
// Each fixed-layout reader comes in two halves: a shape function that
// checks the headers and reports the layout (0 for none it knows; one bit
// per alternative of a nested set with several layouts), and a fill
// function that reads the values of a nest of that shape into a zeroed
// record, field by field. fastFlow checks the shapes of all nests before
// writing anything, and then fills the caller's record in place: no
// record is built elsewhere and copied (which would also read back stores
// not yet retired, and stall).

// hdrAt reads the header word at b[i:].
func hdrAt(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) }

// payloadAt returns the payload of the attribute noted as off<<16 | n by
// fastFlow (header at b[off:], n bytes long).
func payloadAt(b []byte, x uint32) []byte {
	off, n := int(x>>16), int(x&0xffff)
	return b[off+nla.HeaderLen : off+n : off+n]
}

`)
	hdrs := &fastHdrs{names: map[string]uint32{}}
	var body bytes.Buffer
	// The sets of the flow's nests that have layouts, in row order.
	var sets []*schema.Set
	for _, a := range flow.Attrs {
		if a.Kind != schema.Nest {
			continue
		}
		c := schema.Lookup(a.Nest)
		if len(c.Layouts) > 0 && !slices.Contains(sets, c) {
			sets = append(sets, c)
		}
		if a.Fast != "" {
			if len(c.Layouts) == 0 {
				log.Fatalf("%s/%s: Fast without layouts in %s", flow.Name, a.Kernel, c.Name)
			}
			if _, _, f := fastNames(flow, c); f != a.Fast {
				log.Fatalf("%s/%s: Fast %s, want %s", flow.Name, a.Kernel, a.Fast, f)
			}
		}
	}
	for _, c := range sets {
		genFastSet(&body, hdrs, flow, c)
	}
	genFastFlow(&body, hdrs, flow)
	b.WriteString("// Header words of the layouts.\nconst (\n")
	for _, d := range hdrs.list {
		b.WriteString("\t" + d + "\n")
	}
	b.WriteString(")\n\n")
	b.Write(body.Bytes())
}

// genFastSet writes the shape, fill and fast functions of set c.
func genFastSet(b *bytes.Buffer, hdrs *fastHdrs, flow, c *schema.Set) {
	shape, fill, fast := fastNames(flow, c)
	segs, nbits := fastSegs(c)
	choice := nbits > 0

	// The layouts, for the comment.
	var docs []string
	for _, r := range fastExpand(c, "r") {
		docs = append(docs, "//   - "+r.doc)
	}
	if !choice {
		printf(b, "// %s reports whether b, the payload of a nest of %s, is of the\n// kernel's layout:\n%s\n", shape, c.Enum, strings.Join(docs, "\n"))
		r := segs[0].alts[0]
		printf(b, "func %s(b []byte) bool {\n\treturn %s && %s\n}\n\n", shape, lenExpr(r, true), checkExpr(hdrs.checks(r)))
	} else {
		printf(b, "// %s returns the shape of b, the payload of a nest of %s, of\n// one of the kernel's layouts (a bit for each alternative), or 0:\n%s\n", shape, c.Enum, strings.Join(docs, "\n"))
		printf(b, "func %s(b []byte) uint8 {\n", shape)
		if len(segs) > 1 {
			b.WriteString("\tvar s uint8\n")
		}
		ret := func(bit int) string {
			if len(segs) > 1 {
				return fmt.Sprintf("s | %d", 1<<bit)
			}
			return fmt.Sprint(1 << bit)
		}
		for i, seg := range segs {
			last := i == len(segs)-1
			if len(seg.alts) == 1 {
				r := seg.alts[0]
				cond := lenExpr(r, last) + " && " + checkExpr(hdrs.checks(r))
				if last {
					printf(b, "\tif %s {\n\t\treturn s\n\t}\n", cond)
				} else {
					printf(b, "\tif !(%s) {\n\t\treturn 0\n\t}\n\tb = b[%d:]\n", cond, r.size)
				}
				continue
			}
			// Alternatives of one size sharing their first headers are
			// checked together.
			b.WriteString("\tswitch {\n")
			take := func(j int, indent string) {
				r := seg.alts[j]
				if last {
					printf(b, "%s\treturn %s\n", indent, ret(seg.bit+j))
				} else {
					printf(b, "%s\ts, b = %s, b[%d:]\n", indent, ret(seg.bit+j), r.size)
				}
			}
			for j := 0; j < len(seg.alts); {
				r := seg.alts[j]
				ck := hdrs.checks(r)
				k, common := j+1, len(ck)
				for ; k < len(seg.alts) && seg.alts[k].size == r.size; k++ {
					p := commonPrefix(ck, hdrs.checks(seg.alts[k]))
					if p == 0 {
						break
					}
					common = min(common, p)
				}
				if k == j+1 {
					printf(b, "\tcase %s && %s:\n", lenExpr(r, last), checkExpr(ck))
					take(j, "\t")
					j++
					continue
				}
				printf(b, "\tcase %s && %s:\n\t\tswitch {\n", lenExpr(r, last), checkExpr(ck[:common]))
				for ; j < k; j++ {
					printf(b, "\t\tcase %s: // %s\n", checkExpr(hdrs.checks(seg.alts[j])[common:]), seg.alts[j].doc)
					take(j, "\t\t")
				}
				if !last {
					b.WriteString("\t\tdefault:\n\t\t\treturn 0\n")
				}
				b.WriteString("\t\t}\n")
			}
			if !last {
				b.WriteString("\tdefault:\n\t\treturn 0\n")
			}
			b.WriteString("\t}\n")
		}
		b.WriteString("\treturn 0\n}\n\n")
	}

	// Fill.
	if choice {
		printf(b, "// %s reads b, of shape s (a non-zero [%s]), into the zeroed r.\n", fill, shape)
		printf(b, "func %s(b []byte, s uint8, r *%s) {\n", fill, c.Record)
	} else {
		printf(b, "// %s reads b, of the layout [%s] reports, into the zeroed r.\n", fill, shape)
		printf(b, "func %s(b []byte, r *%s) {\n", fill, c.Record)
	}
	// The shape names the alternative: its bit, or itself when there is
	// one choice only.
	is := func(bit int) string {
		if nbits == len(segs[len(segs)-1].alts) && len(segs) == 1 {
			return fmt.Sprintf("s == %d", 1<<bit)
		}
		return fmt.Sprintf("s&%d != 0", 1<<bit)
	}
	assigned := map[string]bool{}
	for i, seg := range segs {
		last := i == len(segs)-1
		if len(seg.alts) == 1 {
			genFastRead(b, seg.alts[0], 0, last, false, assigned, nil, "\t")
			continue
		}
		if pi := prefixAlt(seg.alts); last && pi >= 0 {
			// One layout begins every other (the TCP state alone, the
			// start time alone): its values are read whatever the
			// shape, the others' after them.
			p := seg.alts[pi]
			before := maps.Clone(assigned)
			pbits := genFastRead(b, p, 0, true, true, assigned, nil, "\t")
			k := 0
			for j, r := range seg.alts {
				if j == pi {
					continue
				}
				if k == 0 {
					printf(b, "\tif %s { // %s\n", is(seg.bit+j), r.doc)
				} else {
					printf(b, "\t} else if %s { // %s\n", is(seg.bit+j), r.doc)
				}
				k++
				genFastRead(b, r, len(p.items), true, false, maps.Clone(before), pbits, "\t\t")
			}
			b.WriteString("\t}\n")
			continue
		}
		after := map[string]bool{}
		for j, r := range seg.alts {
			switch {
			case j == 0:
				printf(b, "\tif %s { // %s\n", is(seg.bit+j), r.doc)
			case j < len(seg.alts)-1:
				printf(b, "\t} else if %s { // %s\n", is(seg.bit+j), r.doc)
			default:
				printf(b, "\t} else { // %s\n", r.doc)
			}
			as := maps.Clone(assigned)
			genFastRead(b, r, 0, last, false, as, nil, "\t\t")
			for k := range as {
				after[k] = true
			}
		}
		b.WriteString("\t}\n")
		assigned = after
	}
	b.WriteString("}\n\n")

	// Fast.
	printf(b, "// %s decodes b, the payload of a nest of %s, into r when it\n// is of one of the kernel's layouts ([%s]).\n", fast, c.Enum, shape)
	printf(b, "func %s(b []byte, r *%s) bool {\n", fast, c.Record)
	if choice {
		printf(b, "\ts := %s(b)\n\tif s == 0 {\n\t\treturn false\n\t}\n\t*r = %s{}\n\t%s(b, s, r)\n\treturn true\n}\n\n", shape, c.Record, fill)
	} else {
		printf(b, "\tif !%s(b) {\n\t\treturn false\n\t}\n\t*r = %s{}\n\t%s(b, r)\n\treturn true\n}\n\n", shape, c.Record, fill)
	}
}

// prefixAlt returns the index of the alternative whose attributes begin
// every other's (nest lengths aside), or -1.
func prefixAlt(alts []fastRun) int {
	for i, p := range alts {
		ok := true
		for j, q := range alts {
			if j != i && !isPrefix(p, q) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func isPrefix(p, q fastRun) bool {
	if len(p.items) > len(q.items) {
		return false
	}
	for i, x := range p.items {
		y := q.items[i]
		if x.a != y.a || x.off != y.off || x.rec != y.rec || (!x.nest && x.n != y.n) {
			return false
		}
	}
	return true
}

func commonPrefix(a, b []fastCheck) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// genFastRead writes the reading of run r at the start of b into the
// zeroed record (the values of its items from from on, the presence of
// all), then (unless last) the advance of b past it; prefix says other
// runs extend r and are read after it. assigned
// holds the presence fields possibly written before, which are or-ed
// into rather than set; fields to be given the bits in same are left
// as they are. It returns the bits given to each presence field.
func genFastRead(b *bytes.Buffer, r fastRun, from int, last, prefix bool, assigned map[string]bool, same map[string]string, in string) map[string]string {
	// The values are read from c, a copy of b cut to the run, when b is
	// needed after the run; else from b itself, cut to the run (or, for
	// the one value of a run other runs extend, from b cut in place).
	reads := 0
	for _, it := range r.items[from:] {
		if !it.nest {
			reads++
		}
	}
	c := "c"
	switch {
	case reads == 0:
	case !last:
		printf(b, "%sc := b[:%d:%d]\n", in, r.size, r.size)
	case same == nil && from == 0 && prefix && reads == 1:
		c = fmt.Sprintf("b[:%d:%d]", r.size, r.size)
	case prefix:
		printf(b, "%sc := b[:%d:%d]\n", in, r.size, r.size)
	default:
		c = "b"
		printf(b, "%sb = b[:%d:%d]\n", in, r.size, r.size)
	}
	var fields []string
	bitsOf := map[string][]string{}
	for i, it := range r.items {
		a := it.a
		p := it.off + 4
		if !it.nest && i >= from {
			natural, expr := "", ""
			switch a.Kind {
			case schema.U8:
				natural, expr = "uint8", fmt.Sprintf("%s[%d]", c, p)
			case schema.U16:
				natural, expr = "uint16", fmt.Sprintf("binary.BigEndian.Uint16(%s[%d:])", c, p)
			case schema.U32:
				natural, expr = "uint32", fmt.Sprintf("binary.BigEndian.Uint32(%s[%d:])", c, p)
			case schema.U32Host:
				natural, expr = "uint32", fmt.Sprintf("binary.LittleEndian.Uint32(%s[%d:])", c, p)
			case schema.U64:
				natural, expr = "uint64", fmt.Sprintf("binary.BigEndian.Uint64(%s[%d:])", c, p)
			case schema.Addr4:
				expr = fmt.Sprintf("netip.AddrFrom4([4]byte(%s[%d:%d]))", c, p, p+4)
			case schema.Addr6:
				expr = fmt.Sprintf("netip.AddrFrom16([16]byte(%s[%d:%d]))", c, p, p+16)
			case schema.TCPFlags:
				expr = fmt.Sprintf("TCPFlagsMask{Flags: TCPFlags(%s[%d]), Mask: TCPFlags(%s[%d])}", c, p, c, p+1)
			}
			if t := fieldType(a); natural != "" && t != natural {
				expr = t + "(" + expr + ")"
			}
			printf(b, "%s%s.%s = %s\n", in, it.rec, a.Field, expr)
		}
		var pf, bit string
		switch a.Presence {
		case schema.ByBit:
			pf, bit = it.rec+"."+it.set.Present, fmt.Sprintf("1<<%d", a.Num)
		case schema.ByBool:
			printf(b, "%s%s.%s = true\n", in, it.rec, a.Has)
		}
		if pf != "" {
			if _, ok := bitsOf[pf]; !ok {
				fields = append(fields, pf)
			}
			bitsOf[pf] = append(bitsOf[pf], bit)
		}
	}
	written := map[string]string{}
	for _, pf := range fields {
		v := strings.Join(bitsOf[pf], " | ")
		written[pf] = v
		if same[pf] == v {
			continue
		}
		op := "="
		if assigned[pf] {
			op = "|="
		}
		assigned[pf] = true
		printf(b, "%s%s %s %s\n", in, pf, op, v)
	}
	if !last {
		printf(b, "%sb = b[%d:]\n", in, r.size)
	}
	return written
}

// layoutSizes returns the lengths (header included) of the layouts of
// nest a's set, in increasing order.
func layoutSizes(a *schema.Attr) []int {
	var sizes []int
	for _, r := range fastExpand(schema.Lookup(a.Nest), "r") {
		if !slices.Contains(sizes, 4+r.size) {
			sizes = append(sizes, 4+r.size)
		}
	}
	slices.Sort(sizes)
	return sizes
}

// scalarExpr returns the Go expression reading the value of scalar
// attribute a from in, the attribute with its header.
func scalarExpr(a *schema.Attr, in string) string {
	natural, expr := "", ""
	slice := fmt.Sprintf("%s[4:%d]", in, 4+fastSize(a))
	switch a.Kind {
	case schema.U8:
		natural, expr = "uint8", in+"[4]"
	case schema.U16:
		natural, expr = "uint16", "binary.BigEndian.Uint16("+slice+")"
	case schema.U32:
		natural, expr = "uint32", "binary.BigEndian.Uint32("+slice+")"
	case schema.U32Host:
		// Host order: that of the headers, little-endian here.
		natural, expr = "uint32", "binary.LittleEndian.Uint32("+slice+")"
	case schema.U64:
		natural, expr = "uint64", "binary.BigEndian.Uint64("+slice+")"
	}
	if t := fieldType(a); t != natural {
		expr = t + "(" + expr + ")"
	}
	return expr
}

// fastField returns the name of a's field in fastAttrs.
func fastField(a *schema.Attr) string {
	id := a.Field
	i := 0
	for i < len(id) && id[i] >= 'A' && id[i] <= 'Z' {
		i++
	}
	switch {
	case i == 1 || i == len(id):
		id = strings.ToLower(id[:i]) + id[i:]
	case i > 1:
		id = strings.ToLower(id[:i-1]) + id[i-1:]
	}
	if token.IsKeyword(id) {
		id += "V"
	}
	return id
}

// genFastFlow writes fastFlow, fastAttrs, rareNests, write and
// nestsApart from the rows of the flow set.
func genFastFlow(b *bytes.Buffer, hdrs *fastHdrs, flow *schema.Set) {
	var (
		scalars, direct, rare, labels []*schema.Attr
		general                       []uint16
		maxNum                        uint16
		rareMask                      uint32
	)
	for j := range flow.Attrs {
		a := &flow.Attrs[j]
		maxNum = max(maxNum, a.Num)
		switch {
		case a.Kind == schema.Pad:
		case slices.Contains(flow.GeneralOnly, a.Num), a.Kind == schema.Nest && a.InputOnly:
			general = append(general, a.Num)
		case a.Kind == schema.Nest && a.Fast != "":
			direct = append(direct, a)
		case a.Kind == schema.Nest:
			rare = append(rare, a)
			rareMask |= 1 << a.Num
		case a.Kind == schema.Labels:
			labels = append(labels, a)
		case isInt(a):
			scalars = append(scalars, a)
		default:
			log.Fatalf("%s/%s: the fast path cannot read it; list it in GeneralOnly", flow.Name, a.Kernel)
		}
	}
	for _, n := range flow.GeneralOnly {
		if flow.Attr(n) == nil {
			log.Fatalf("%s: GeneralOnly lists unknown type %d", flow.Name, n)
		}
	}
	pt := "AttrSet"
	nums := func(as []*schema.Attr) string {
		var s []string
		for _, a := range as {
			s = append(s, fmt.Sprint(a.Num))
		}
		return strings.Join(s, ", ")
	}
	kernels := func(as []*schema.Attr) string {
		var s []string
		for _, a := range as {
			s = append(s, a.Kernel)
		}
		return strings.Join(s, ", ")
	}
	var generalNames []string
	for _, n := range general {
		generalNames = append(generalNames, flow.Attr(n).Kernel)
	}
	pos := recordFields(flow.Record)
	slices.SortStableFunc(scalars, func(x, y *schema.Attr) int { return pos[x.Field] - pos[y.Field] })
	nests := append(slices.Clone(direct), rare...)
	slices.SortStableFunc(nests, func(x, y *schema.Attr) int { return int(x.Num) - int(y.Num) })

	printf(b, `// fastFlow decodes b, attributes with little-endian headers, into f
// when it holds none of the attributes the fast path leaves to the
// general decoder (%s),
// no nest comes twice, and nothing would be kept for [Decoder.Keep]. Its
// loop over the top level calls nothing: it reads the values and notes
// where the nests are. When every nest with layouts is of a shape the
// fixed-layout readers above know (the common case), all shapes are
// checked first, the nests without layouts (CTA_HELP, ...) are decoded
// apart by [fastAttrs.rare], and the values are then read straight into
// f; otherwise [fastAttrs.nestsApart] decodes each nest into a local, by
// its fixed-layout reader or else by the general loops, and writes f once
// all is decoded. Either way the caller's record is not touched on failure,
// and no record is built elsewhere and copied into it. fastFlow reports
// false, leaving f as it was, for anything else and for any error: the
// general decoder then decodes b again and reports the error exactly.
// With keep ([Decoder.Keep]) it also reports false for anything the
// general decoder would keep: an unknown or empty attribute at the top
// level, or one inside a nest it decodes by the general loops (found by
// [dec.keepWalk]), so that what it decodes has nothing to keep. A nest
// of the kernel's layouts holds nothing to keep.
func fastFlow(b []byte, only %s, keep bool, fam Family, f *%s) bool {
	if len(b) > 0xffff {
		return false // offset<<16 | length must fit a uint32
	}
	// The values go to memory, not to a dozen variables the register
	// allocator would shuffle around the loop.
	var v fastAttrs
	var seen %s
	// The attributes in the kernel's order (of dump replies or of
	// events), each of a size it sends, are read by inOrder, without the
	// loop's switch; the loop reads whatever follows them (with only,
	// everything).
	off := 0
	if only == 0 {
		off, seen = v.inOrder(b)
	}
	for off < len(b) {
		// The loop carries off from one header to the next: load, mask,
		// add and round. Nothing else lengthens that chain (b[off:]
		// would, clamping its pointer for an empty slice), and most
		// attributes cut it (below).
		if len(b)-off < nla.HeaderLen {
			return false
		}
		// One load for the header: length in the low half, type and
		// flags in the high half.
		w := binary.LittleEndian.Uint32(b[off : off+nla.HeaderLen : off+nla.HeaderLen])
		n, t := int(w&0xffff), uint16(w>>16)&nla.TypeMask
		if n < nla.HeaderLen || n > len(b)-off {
			return false
		}
		a, at := b[off:off+n:off+n], off
		// The next header, from this one's length; for the sizes the
		// kernel sends, the cases below set it again from a constant,
		// which ends the chain there: the branch that checked the size
		// is predicted, and the next load need not wait for this one.
		off = (off + n + 3) &^ 3 // off is a multiple of 4
		// (A set holds types below 32: t < 32 lets the compiler test
		// the bit in place.)
		if only != 0 && (t >= 32 || only&(1<<t) == 0) {
			continue
		}
		// Values are read in place, from a, which holds n bytes: the
		// size checked, the reads need no more checks. An attribute of
		// another size goes to odd below, where the empty ones (the
		// kernel's pads) are told apart.
		switch t {
`, strings.Join(generalNames, ", "), pt, flow.Record, pt)
	// The nests: those of one set together, with the sizes of its
	// layouts (each advancing off by a constant); the rare ones last.
	var groups [][]*schema.Attr
	for _, a := range nests {
		if i := slices.IndexFunc(groups, func(g []*schema.Attr) bool {
			return g[0].Nest == a.Nest && len(schema.Lookup(a.Nest).Layouts) > 0
		}); i >= 0 {
			groups[i] = append(groups[i], a)
		} else if len(schema.Lookup(a.Nest).Layouts) > 0 {
			groups = append(groups, []*schema.Attr{a})
		}
	}
	var plain []*schema.Attr
	for _, a := range nests {
		if len(schema.Lookup(a.Nest).Layouts) == 0 {
			plain = append(plain, a)
		}
	}
	first, sized := true, false
	nestCase := func(as []*schema.Attr, sizes []int) {
		printf(b, "\t\tcase %s: // %s\n", nums(as), kernels(as))
		if first {
			b.WriteString("\t\t\t// A repeated nest is left to the general decoder, which\n\t\t\t// decodes (and checks) every copy.\n")
			first = false
		}
		b.WriteString("\t\t\tif seen&(1<<(t&31)) != 0 {\n\t\t\t\treturn false\n\t\t\t}\n")
		if len(sizes) == 0 {
			b.WriteString("\t\t\tv.nests[t&31] = uint32(at<<16 | n)\n")
			return
		}
		if !sized {
			b.WriteString("\t\t\t// The sizes of its layouts, as ctnetlink_fill_info\n\t\t\t// (net/netfilter/nf_conntrack_netlink.c) emits them.\n")
			sized = true
		}
		b.WriteString("\t\t\tswitch n {\n")
		for _, n := range sizes {
			printf(b, "\t\t\tcase %d:\n\t\t\t\tv.nests[t&31] = uint32(at<<16 | %d)\n\t\t\t\toff = at + %d\n", n, n, align4(n))
		}
		b.WriteString("\t\t\tdefault:\n\t\t\t\tv.nests[t&31] = uint32(at<<16 | n)\n\t\t\t}\n")
	}
	for _, g := range groups {
		nestCase(g, layoutSizes(g[0]))
	}
	if len(plain) > 0 {
		nestCase(plain, nil)
	}
	for _, a := range scalars {
		size := fastSize(a)
		printf(b, "\t\tcase %d: // %s\n\t\t\tif n != %d {\n\t\t\t\tgoto odd\n\t\t\t}\n\t\t\toff = at + %d\n", a.Num, a.Kernel, 4+size, align4(4+size))
		printf(b, "\t\t\tv.%s = %s\n", fastField(a), scalarExpr(a, "a"))
	}
	if len(labels) > 0 {
		printf(b, "\t\tcase %s: // %s\n", nums(labels), kernels(labels))
		b.WriteString("\t\t\tif n == nla.HeaderLen || n > nla.HeaderLen+LabelsLen || n%4 != 0 {\n\t\t\t\tgoto odd\n\t\t\t}\n\t\t\tv.nests[t&31] = uint32(at<<16 | n)\n")
	}
	if len(general) > 0 {
		var s []string
		for _, n := range general {
			s = append(s, fmt.Sprint(n))
		}
		printf(b, "\t\tcase %s: // %s\n\t\t\treturn false\n", strings.Join(s, ", "), strings.Join(generalNames, ", "))
	}
	b.WriteString(`		default:
			if keep {
				return false // an unknown attribute is kept
			}
			continue // unknown: skipped, as the general decoder does
		}
		seen |= 1 << (t & 31)
		continue
	odd:
		// An empty attribute other than a nest is skipped, as the
		// general decoder does, and kept with keep; another size is an
		// error.
		if n == nla.HeaderLen && !keep {
			continue
		}
		return false
	}

	// The nests of the kernel's own layouts (the common case) are all
	// checked first, and then read straight into f.
`)
	// Shape and payload variables of the direct nests.
	var shapes, payloads []string
	for _, a := range direct {
		payloads = append(payloads, fmt.Sprintf("p%d", a.Num))
		if _, bits := fastSegs(schema.Lookup(a.Nest)); bits > 0 {
			shapes = append(shapes, fmt.Sprintf("s%d", a.Num))
		}
	}
	if len(direct) > 0 {
		b.WriteString("\tvar (\n")
		if len(shapes) > 0 {
			printf(b, "\t\t%s uint8\n", strings.Join(shapes, ", "))
		}
		printf(b, "\t\t%s []byte\n\t)\n", strings.Join(payloads, ", "))
	}
	b.WriteString("\tdirect := true\n")
	for _, a := range direct {
		c := schema.Lookup(a.Nest)
		shape, _, _ := fastNames(flow, c)
		printf(b, "\tif direct && seen&(1<<%d) != 0 { // %s\n\t\tp%d = payloadAt(b, v.nests[%d])\n", a.Num, a.Kernel, a.Num, a.Num)
		if _, bits := fastSegs(c); bits > 0 {
			printf(b, "\t\ts%d = %s(p%d)\n\t\tdirect = s%d != 0\n\t}\n", a.Num, shape, a.Num, a.Num)
		} else {
			printf(b, "\t\tdirect = %s(p%d)\n\t}\n", shape, a.Num)
		}
	}
	// fill writes the direct nests: each is zeroed, then read by its fill
	// function when present.
	fill := func() {
		for _, a := range direct {
			c := schema.Lookup(a.Nest)
			_, fill, _ := fastNames(flow, c)
			printf(b, "\tf.%s = %s{}\n", a.Field, c.Record)
			if _, bits := fastSegs(c); bits > 0 {
				printf(b, "\tif s%d != 0 {\n\t\t%s(p%d, s%d, &f.%s)\n\t}\n", a.Num, fill, a.Num, a.Num, a.Field)
			} else {
				printf(b, "\tif p%d != nil {\n\t\t%s(p%d, &f.%s)\n\t}\n", a.Num, fill, a.Num, a.Field)
			}
		}
	}
	b.WriteString("\tif !direct {\n\t\treturn v.nestsApart(b, seen, keep, fam, f)\n\t}\n")
	if len(rare) > 0 {
		b.WriteString(`	if seen&rareNests != 0 {
		// The nests without layouts (CTA_HELP, which
		// ctnetlink_dump_helpinfo in net/netfilter/nf_conntrack_netlink.c
		// sends for every flow with a helper, and the rarer ones) are
		// decoded first, apart, so that f is not touched should one fail.
		var r fastRare
		if !v.rare(b, seen, keep, &r) {
			return false
		}
		v.write(b, seen, fam, f)
`)
		fill()
		for _, a := range rare {
			printf(b, "\tf.%s = r.%s\n", a.Field, a.Field)
		}
		b.WriteString("\treturn true\n\t}\n")
	}
	b.WriteString("\tv.write(b, seen, fam, f)\n")
	fill()
	for _, a := range rare {
		printf(b, "\tf.%s = %s{}\n", a.Field, schema.Lookup(a.Nest).Record)
	}
	b.WriteString("\treturn true\n}\n\n")

	// fastAttrs: the scalars in the order of the record's fields, so that
	// write copies neighbours together, then the nests.
	b.WriteString("// fastAttrs holds what fastFlow's loop over the top level found.\ntype fastAttrs struct {\n")
	for _, a := range scalars {
		printf(b, "\t%s %s // %s\n", fastField(a), fieldType(a), a.Kernel)
	}
	if maxNum >= 32 {
		log.Fatalf("%s: type %d does not fit an AttrSet", flow.Name, maxNum)
	}
	b.WriteString("\tnests [32]uint32 // offset<<16 | length of the nests and labels, by type\n}\n\n")

	printf(b, "// rareNests are the nests fastFlow decodes by the general loops alone\n// (%s).\nconst rareNests %s = %#x\n\n", kernels(rare), pt, rareMask)

	genInOrder(b, hdrs, flow, general, pt)

	// Every field of the record is written by write, by the fill of its
	// nest, or (rare nests) by fastFlow and nestsApart.
	handled := map[string]bool{"Family": true, flow.Present: true, "Extra": true}
	for _, a := range append(append(slices.Clone(scalars), nests...), labels...) {
		handled[a.Field] = true
		if a.SizeField != "" {
			handled[a.SizeField] = true
		}
	}
	for _, n := range general {
		handled[flow.Attr(n).Field] = true
	}
	for name := range pos {
		if !handled[name] {
			log.Fatalf("%s.%s: the fast path neither sets nor clears it", flow.Record, name)
		}
	}

	// write.
	printf(b, `// write writes f from the top-level values found in b (attribute set
// seen), and clears the fields the fast path never sets: all but the
// nests, which its callers write. f is not zeroed whole first: most of
// it is written anyway, and CTA_SECCTX's 256 bytes are mostly zero
// already.
func (v *fastAttrs) write(b []byte, seen %s, fam Family, f *%s) {
	f.Family, f.%s = fam, seen
`, pt, flow.Record, flow.Present)
	// In parallel assignments of five: all loads before the stores, which
	// lets the compiler copy neighbouring fields together.
	for i := 0; i < len(scalars); i += 5 {
		var dst, src []string
		for _, a := range scalars[i:min(i+5, len(scalars))] {
			dst = append(dst, "f."+a.Field)
			src = append(src, "v."+fastField(a))
		}
		printf(b, "\t%s = %s\n", strings.Join(dst, ", "), strings.Join(src, ", "))
	}
	for _, a := range labels {
		printf(b, "\tif seen&(1<<%d) != 0 { // %s\n\t\tlabels(0, 0, payloadAt(b, v.nests[%d]), &f.%s, &f.%s)\n\t} else {\n\t\tf.%s, f.%s = %s{}, 0\n\t}\n",
			a.Num, a.Kernel, a.Num, a.Field, a.SizeField, a.Field, a.SizeField, "Labels")
	}
	for _, n := range general {
		a := flow.Attr(n)
		c := schema.Lookup(a.Nest)
		if len(c.Attrs) == 1 && c.Attrs[0].Kind == schema.String && c.Attrs[0].Field == "" {
			// The record is the string itself, held inline, its bytes
			// past its length n zero: only a non-empty one needs
			// clearing. (n, not Len: a value receiver would copy the
			// record.)
			printf(b, "\tif f.%s.n != 0 { // %s, whose bytes past n are zero\n\t\tf.%s = %s{}\n\t}\n", a.Field, a.Kernel, a.Field, c.Record)
			continue
		}
		printf(b, "\tf.%s = %s{} // %s\n", a.Field, c.Record, a.Kernel)
	}
	b.WriteString("\tf.Extra = \"\"\n}\n\n")

	// rare.
	local := func(a *schema.Attr) string { return "n" + a.Field }
	// decode writes the decoding of nest a into dst by the general loops
	// (after its fixed-layout reader, if it has one), returning false on
	// error; with keep, what it would keep is collected into d.extra.
	decode := func(a *schema.Attr, dst string) {
		c := schema.Lookup(a.Nest)
		printf(b, "\tif seen&(1<<%d) != 0 { // %s\n\t\tp := payloadAt(b, v.nests[%d])\n", a.Num, a.Kernel, a.Num)
		if len(c.Layouts) > 0 {
			_, _, fast := fastNames(flow, c)
			printf(b, "\t\tif !%s(p, &%s) {\n", fast, dst)
			printf(b, "\t\t\tif d.dec%s(p, 0, &%s) != nil {\n\t\t\t\treturn false\n\t\t\t}\n", ident(c), dst)
			printf(b, "\t\t\tif keep {\n\t\t\t\td.keepWalk(keepRules[kindFlow].nests[%d], p, nla.Path{}, 0)\n\t\t\t}\n\t\t}\n\t}\n", a.Num)
			return
		}
		printf(b, "\t\tif d.dec%s(p, 0, &%s) != nil {\n\t\t\treturn false\n\t\t}\n", ident(c), dst)
		printf(b, "\t\tif keep {\n\t\t\td.keepWalk(keepRules[kindFlow].nests[%d], p, nla.Path{}, 0)\n\t\t}\n\t}\n", a.Num)
	}
	if len(rare) > 0 {
		b.WriteString("// fastRare holds the nests fastFlow leaves to the general loops.\ntype fastRare struct {\n")
		for _, a := range rare {
			printf(b, "\t%s %s // %s\n", a.Field, schema.Lookup(a.Nest).Record, a.Kernel)
		}
		b.WriteString("}\n\n")
		printf(b, `// rare decodes the nests of b that fastFlow leaves to the general
// loops (%s)
// into the zeroed r, by the fixed-layout reader first for a nest
// having one. It reports false on error and, with keep,
// when the general decoder would keep an attribute of theirs
// ([Decoder.Keep]): what the fast path decodes has nothing to keep.
func (v *fastAttrs) rare(b []byte, seen %s, keep bool, r *fastRare) bool {
	var d dec
`, kernels(rare), pt)
		for _, a := range rare {
			decode(a, "r."+a.Field)
		}
		b.WriteString("\treturn len(d.extra) == 0\n}\n\n")
	}

	// nestsApart.
	printf(b, `// nestsApart is the end of fastFlow for nests not all of the kernel's
// layouts: each is decoded apart, by its fixed-layout reader or else the
// general loops, and f is written once all are decoded. With keep it
// reports false when the general decoder would keep an attribute of a
// nest the general loops decode here.
func (v *fastAttrs) nestsApart(b []byte, seen %s, keep bool, fam Family, f *%s) bool {
	var d dec
`, pt, flow.Record)
	for _, a := range nests {
		printf(b, "\tvar %s %s\n", local(a), schema.Lookup(a.Nest).Record)
	}
	for _, a := range append(slices.Clone(direct), rare...) {
		decode(a, local(a))
	}
	b.WriteString("\tif len(d.extra) != 0 {\n\t\treturn false\n\t}\n")
	b.WriteString("\n\t// Everything decoded: write f.\n\tv.write(b, seen, fam, f)\n")
	for _, a := range nests {
		printf(b, "\tf.%s = %s\n", a.Field, local(a))
	}
	b.WriteString("\treturn true\n}\n\n")
}

// recordFields returns the position of each field of the struct type
// record in the package being generated (the directory argument).
func recordFields(record string) map[string]int {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		log.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_gen.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			log.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, sp := range g.Specs {
				ts := sp.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok || ts.Name.Name != record {
					continue
				}
				pos := map[string]int{}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						pos[n.Name] = len(pos)
					}
				}
				return pos
			}
		}
	}
	log.Fatalf("no struct type %s in %s", record, dir)
	return nil
}

// genInOrder writes fastAttrs.inOrder and inEventOrder: one step per
// attribute of the flow set's Order (the kernel's order of dump replies)
// and EventOrder (of events), each reading its attribute when the next
// header is the one it expects. The two share the steps of the orders'
// common prefix, after which inOrder goes on with the events' steps when
// the next attribute is the one that comes there in events only.
func genInOrder(b *bytes.Buffer, hdrs *fastHdrs, flow *schema.Set, general []uint16, pt string) {
	sent := func(order []uint16) []*schema.Attr {
		var out []*schema.Attr
		for _, num := range order {
			a := flow.Attr(num)
			if a == nil {
				log.Fatalf("%s: an order lists unknown type %d", flow.Name, num)
			}
			if a.Kind != schema.Pad && !a.InputOnly && !slices.Contains(general, num) {
				out = append(out, a)
			}
		}
		return out
	}
	dump, event := sent(flow.Order), sent(flow.EventOrder)
	k := 0
	for k < len(dump) && k < len(event) && dump[k] == event[k] {
		k++
	}
	if k == len(dump) || k == len(event) || slices.Contains(dump[:k], event[k]) || dump[k] == event[k] {
		log.Fatalf("%s: the dump and event orders part nowhere, or where no attribute tells them apart", flow.Name)
	}
	printf(b, `// inOrder reads the attributes at the start of b that come in the
// kernel's order (ctnetlink_fill_info for dump and GET replies,
// ctnetlink_conntrack_event for events, in
// net/netfilter/nf_conntrack_netlink.c), each once and each of a size the
// kernel sends, into v, as fastFlow's loop would: one step per attribute
// type the kernel sends, in that order, which compares the next header
// word with the one it expects and, when they are equal, reads the value
// and moves past it by a constant (nests without layouts and labels by
// their length). A step whose attribute is absent costs a compare. The
// orders of dumps and events share their first %d steps; a %s after
// them means an event (inEventOrder reads the rest). It returns the
// offset of the first attribute it did not read (len(b) when it read them
// all) and the set of those it read; the loop reads the rest. A step of a
// fixed size tells the last attribute of b apart (an else branch that
// returns), so that moving past any other needs no checks: the compiler
// knows bytes remain after it.
func (v *fastAttrs) inOrder(b []byte) (int, %s) {
	var seen %s
	c := b
`, k, event[k].Kernel, pt, pt)
	at := "(len(b)-len(c))<<16"
	step := func(a *schema.Attr) {
		printf(b, "\t// %s\n", a.Kernel)
		switch {
		case a.Kind == schema.Nest && a.Fast != "":
			b.WriteString("\tif len(c) > nla.HeaderLen {\n\t\tswitch hdrAt(c, 0) {\n")
			for _, n := range layoutSizes(a) {
				name := hdrs.name(fastItem{set: flow, a: a, n: n, nest: true})
				printf(b, "\t\tcase %s:\n\t\t\tif len(c) > %d {\n\t\t\t\tv.nests[%d] = uint32(%s | %d)\n\t\t\t\tseen |= 1 << %d\n\t\t\t\tc = c[%d:]\n\t\t\t} else if len(c) == %d {\n\t\t\t\tv.nests[%d] = uint32(%s | %d)\n\t\t\t\treturn len(b), seen | 1<<%d\n\t\t\t}\n",
					name, align4(n), a.Num, at, n, a.Num, align4(n), align4(n), a.Num, at, n, a.Num)
			}
			b.WriteString("\t\t}\n\t}\n")
		case a.Kind == schema.Nest, a.Kind == schema.Labels:
			cond := "n >= nla.HeaderLen"
			if a.Kind == schema.Labels {
				cond = "n > nla.HeaderLen && n <= nla.HeaderLen+LabelsLen && n%4 == 0"
			}
			printf(b, "\tif len(c) >= nla.HeaderLen && hdrAt(c, 0)&(uint32(nla.TypeMask)<<16) == %d<<16 {\n", a.Num)
			printf(b, "\t\tif n := int(hdrAt(c, 0) & 0xffff); %s && n <= len(c) {\n", cond)
			printf(b, "\t\t\tv.nests[%d] = uint32(%s | n)\n\t\t\tseen |= 1 << %d\n\t\t\tif (n+3)&^3 >= len(c) {\n\t\t\t\treturn len(b), seen\n\t\t\t}\n\t\t\tc = c[(n+3)&^3:]\n\t\t}\n\t}\n", a.Num, at, a.Num)
		case isInt(a):
			n := 4 + fastSize(a)
			name := hdrs.name(fastItem{set: flow, a: a, n: n})
			printf(b, "\tif len(c) > %d && hdrAt(c, 0) == %s {\n\t\tv.%s = %s\n\t\tseen |= 1 << %d\n\t\tc = c[%d:]\n\t} else if len(c) == %d && hdrAt(c, 0) == %s {\n\t\tv.%s = %s\n\t\treturn len(b), seen | 1<<%d\n\t}\n",
				align4(n), name, fastField(a), scalarExpr(a, "c"), a.Num, align4(n), align4(n), name, fastField(a), scalarExpr(a, "c"), a.Num)
		default:
			log.Fatalf("%s/%s: inOrder cannot read it", flow.Name, a.Kernel)
		}
	}
	for _, a := range dump[:k] {
		step(a)
	}
	printf(b, "\t// %s next: an event.\n\tif len(c) >= nla.HeaderLen && hdrAt(c, 0)&(uint32(nla.TypeMask)<<16) == %d<<16 {\n\t\treturn v.inEventOrder(b, c, seen)\n\t}\n", event[k].Kernel, event[k].Num)
	for _, a := range dump[k:] {
		step(a)
	}
	b.WriteString("\treturn len(b) - len(c), seen\n}\n\n")
	printf(b, `// inEventOrder is the end of inOrder for events: it reads c, the end of
// b, in the order of ctnetlink_conntrack_event, having read seen.
func (v *fastAttrs) inEventOrder(b, c []byte, seen %s) (int, %s) {
`, pt, pt)
	for _, a := range event[k:] {
		step(a)
	}
	b.WriteString("\treturn len(b) - len(c), seen\n}\n\n")
}
