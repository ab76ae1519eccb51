package cli

import (
	"strings"

	"github.com/ctwire/ctwire/conntrack"
)

// A protocol handler is what conntrack calls a protocol extension: the
// long options -p adds, their legality per command, and the checks it
// makes once the line is read.
type protoHandler struct {
	name  string
	num   conntrack.Proto
	opts  []longOpt // values from 1, in the order of names
	names []string  // option names for messages, by bit (value-1)
	// table gives, per legality row, the options' legality (as legal).
	table map[int]string
	// pairs are the option bits that come in pairs (original and reply
	// ports or keys), with the message for an incomplete pair.
	pairs [2]uint32
	msgs  [2]string
	help  string
	parse func(c *Cmd, val int, arg string) error
	check func(c *Cmd, row int) error
}

var portOpts = []longOpt{{"orig-port-src", argRequired, 1}, {"sport", argRequired, 1},
	{"orig-port-dst", argRequired, 2}, {"dport", argRequired, 2}, {"reply-port-src", argRequired, 3},
	{"reply-port-dst", argRequired, 4}, {"mask-port-src", argRequired, 5}, {"mask-port-dst", argRequired, 6}}

const portHelp = "  --orig-port-src\t\toriginal source port\n" +
	"  --orig-port-dst\t\toriginal destination port\n" +
	"  --reply-port-src\t\treply source port\n" +
	"  --reply-port-dst\t\treply destination port\n" +
	"  --mask-port-src\t\tmask source port\n" +
	"  --mask-port-dst\t\tmask destination port\n" +
	"  --tuple-port-src\t\texpectation tuple src port\n" +
	"  --tuple-port-src\t\texpectation tuple dst port\n"

var portPairMsgs = [2]string{"you have to specify `--sport' and `--dport'",
	"you have to specify `--reply-src-port' and `--reply-dst-port'"}

// stateful builds the handler of a protocol with ports and a state
// (tcp, sctp, dccp): options 1-6 ports, 7 state, 8-9 expectation tuple
// ports, then extra ones.
func stateful(name string, num conntrack.Proto, stateHelp string, extra []longOpt, extraNames []string, extraHelp string) *protoHandler {
	opts := append(append([]longOpt(nil), portOpts...), longOpt{"state", argRequired, 7},
		longOpt{"tuple-port-src", argRequired, 8}, longOpt{"tuple-port-dst", argRequired, 9})
	opts = append(opts, extra...)
	names := append([]string{"sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src",
		"mask-port-dst", "state", "tuple-port-src", "tuple-port-dst"}, extraNames...)
	pad := strings.Repeat("0", len(extraNames))
	allowExtra := strings.Repeat("2", len(extraNames))
	h := &protoHandler{
		name: name, num: num, opts: opts, names: names,
		table: map[int]string{
			rowList:      "222200200" + allowExtra,
			rowCreate:    "333300100" + allowExtra,
			rowUpdate:    "222200200" + allowExtra,
			rowDelete:    "222200200" + pad,
			rowGet:       "333300200" + pad,
			rowEvent:     "222200200" + allowExtra,
			rowExpCreate: "110011011" + pad,
			rowExpDelete: "111100000" + pad,
			rowExpGet:    "111100000" + pad,
			rowAdd:       "333300100" + allowExtra,
		},
		pairs: [2]uint32{3, 12}, msgs: portPairMsgs,
		help: portHelp + stateHelp + extraHelp,
	}
	h.parse = func(c *Cmd, val int, arg string) error { return parsePortOpt(c, h, val, arg) }
	h.check = func(c *Cmd, row int) error { return h.generic(c, row) }
	return h
}

// ported builds the handler of udp and udplite: options 1-6 ports, 7-8
// expectation tuple ports.
func ported(name string, num conntrack.Proto) *protoHandler {
	opts := append(append([]longOpt(nil), portOpts...), longOpt{"tuple-port-src", argRequired, 7},
		longOpt{"tuple-port-dst", argRequired, 8})
	h := &protoHandler{
		name: name, num: num, opts: opts,
		names: []string{"sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src",
			"mask-port-dst", "tuple-port-src", "tuple-port-dst"},
		table: map[int]string{
			rowList: "22220000", rowCreate: "33330000", rowUpdate: "22220000", rowDelete: "22220000",
			rowGet: "33330000", rowEvent: "22220000", rowExpCreate: "11001111", rowExpDelete: "11110000",
			rowExpGet: "11110000", rowAdd: "33330000",
		},
		pairs: [2]uint32{3, 12}, msgs: portPairMsgs, help: portHelp,
	}
	h.parse = func(c *Cmd, val int, arg string) error {
		if val == 7 || val == 8 {
			val += 1 // the tuple ports are 8 and 9 of the stateful layout
		}
		return parsePortOpt(c, h, val, arg)
	}
	h.check = func(c *Cmd, row int) error { return h.generic(c, row) }
	return h
}

func gre() *protoHandler {
	h := &protoHandler{
		name: "gre", num: conntrack.ProtoGRE,
		opts: []longOpt{{"orig-key-src", argRequired, 1}, {"srckey", argRequired, 1},
			{"orig-key-dst", argRequired, 2}, {"dstkey", argRequired, 2}, {"reply-key-src", argRequired, 3},
			{"reply-key-dst", argRequired, 4}, {"mask-key-src", argRequired, 5}, {"mask-key-dst", argRequired, 6},
			{"tuple-key-src", argRequired, 7}, {"tuple-key-dst", argRequired, 8}},
		names: []string{"srckey", "dstkey", "reply-key-src", "reply-key-dst", "mask-key-src",
			"mask-key-dst", "tuple-key-src", "tuple-key-dst"},
		table: map[int]string{
			rowList: "22220000", rowCreate: "33330000", rowUpdate: "22220000", rowDelete: "22220000",
			rowGet: "33330000", rowEvent: "22220000", rowExpCreate: "11001111", rowExpDelete: "11110000",
			rowExpGet: "11110000", rowAdd: "33330000",
		},
		pairs: [2]uint32{3, 12},
		msgs: [2]string{"you have to specify `--srckey' and `--dstkey'",
			"you have to specify `--reply-src-key' and `--reply-dst-key'"},
		help: "  --orig-key-src\t\toriginal source key\n" +
			"  --orig-key-dst\t\toriginal destination key\n" +
			"  --reply-key-src\t\treply source key\n" +
			"  --reply-key-dst\t\treply destination key\n" +
			"  --mask-key-src\t\tmask source key\n" +
			"  --mask-key-dst\t\tmask destination key\n" +
			"  --tuple-key-src\t\texpectation tuple src key\n" +
			"  --tuple-key-src\t\texpectation tuple dst key\n",
	}
	h.parse = func(c *Cmd, val int, arg string) error {
		if val == 7 || val == 8 {
			val++
		}
		return parsePortOpt(c, h, val, arg)
	}
	h.check = func(c *Cmd, row int) error { return h.generic(c, row) }
	return h
}

func icmpHandler(name string, num conntrack.Proto) *protoHandler {
	h := &protoHandler{
		name: name, num: num,
		opts: []longOpt{{name + "-type", argRequired, 1}, {name + "-code", argRequired, 2},
			{name + "-id", argRequired, 3}},
		names: []string{name + "-type", name + "-code", name + "-id"},
		table: map[int]string{rowList: "222", rowCreate: "112", rowUpdate: "222", rowDelete: "222",
			rowGet: "112", rowEvent: "222", rowAdd: "112"},
		help: "  --" + name + "-type\t\t\t" + name + " type\n" +
			"  --" + name + "-code\t\t\t" + name + " code\n" +
			"  --" + name + "-id\t\t\t" + name + " id\n",
	}
	h.parse = func(c *Cmd, val int, arg string) error {
		t := &c.T.Orig
		tb, cb, ib := conntrack.ProtoAttrICMPType, conntrack.ProtoAttrICMPCode, conntrack.ProtoAttrICMPID
		if num == conntrack.ProtoICMPv6 {
			tb, cb, ib = conntrack.ProtoAttrICMPv6Type, conntrack.ProtoAttrICMPv6Code, conntrack.ProtoAttrICMPv6ID
		}
		switch val {
		case 1:
			t.ICMPType = uint8(atoi(arg))
			t.Present.Add(tb)
		case 2:
			t.ICMPCode = uint8(atoi(arg))
			t.Present.Add(cb)
		case 3:
			t.ICMPID = uint16(atoi(arg))
			t.Present.Add(ib)
		default:
			return nil
		}
		c.protoOpts |= 1 << (val - 1)
		return nil
	}
	h.check = func(c *Cmd, row int) error { return h.generic(c, row) }
	return h
}

// handlers are the protocols conntrack knows, in the order it looks
// them up.
var handlers = []*protoHandler{
	stateful("tcp", conntrack.ProtoTCP, "  --state\t\t\tTCP state, fe. ESTABLISHED\n", nil, nil, ""),
	ported("udp", conntrack.ProtoUDP),
	ported("udplite", conntrack.ProtoUDPLite),
	stateful("sctp", conntrack.ProtoSCTP, "  --state\t\t\tSCTP state, fe. ESTABLISHED\n",
		[]longOpt{{"orig-vtag", argRequired, 10}, {"reply-vtag", argRequired, 11}},
		[]string{"orig-vtag", "reply-vtag"},
		"  --orig-vtag\t\toriginal verification tag\n  --reply-vtag\t\treply verification tag\n"),
	stateful("dccp", conntrack.ProtoDCCP, "  --state\t\t\tDCCP state, fe. RESPOND\n",
		[]longOpt{{"role", argRequired, 10}}, []string{"role"}, ""),
	icmpHandler("icmp", conntrack.ProtoICMP),
	icmpHandler("icmpv6", conntrack.ProtoICMPv6),
	gre(),
}

var unknownHandler = &protoHandler{name: "unknown", help: "  no options (unsupported)\n"}

func init() {
	// dccp's role is required to create an entry.
	for _, h := range handlers {
		if h.name == "sctp" { // the verification tags are required to create an entry
			h.table[rowCreate] = h.table[rowCreate][:9] + "11"
			h.table[rowAdd] = h.table[rowAdd][:9] + "11"
		}
		if h.name == "dccp" {
			h.table[rowCreate] = h.table[rowCreate][:9] + "1"
			h.table[rowAdd] = h.table[rowAdd][:9] + "1"
		}
	}
}

// findProto resolves -p: a protocol conntrack knows by name (any case),
// then /etc/protocols, then a number (C notation, at most 255).
func (p *Parser) findProto(name string) (*protoHandler, int, error) {
	for _, h := range handlers {
		if strings.EqualFold(h.name, name) {
			return h, int(h.num), nil
		}
	}
	if p.ProtoByName != nil {
		if n, ok := p.ProtoByName(name); ok {
			return unknownHandler, int(n), nil
		}
	}
	v, rest, ok := strtoul(name, 0)
	if ok && rest == "" && v <= 255 {
		for _, h := range handlers {
			if int(h.num) == int(v) {
				return h, int(v), nil
			}
		}
		return unknownHandler, int(v), nil
	}
	return nil, 0, paramErr("`%s' unsupported protocol", name)
}

// generic is a protocol's final check: its options against the command,
// then its pairs where the command leaves them undecided.
func (h *protoHandler) generic(c *Cmd, row int) error {
	rowText := ""
	if row >= 0 {
		rowText = h.table[row]
	}
	if err := optCheck(c.protoOpts, len(h.names), rowText, h.names); err != nil {
		return err
	}
	if h.pairs[0] != 0 && strings.Contains(rowText, "3") {
		return pairCheck(c.protoOpts, h.pairs, h.msgs)
	}
	return nil
}

// stateIndex returns the state named s (in any case) among the ten
// states of S conntrack-tools names, 0 to 9 (their names are S's), or -1:
// conntrack takes names only, not numbers.
func stateIndex[S interface {
	~uint8
	String() string
}](s string) int {
	for i := range 10 {
		if strings.EqualFold(S(i).String(), s) {
			return i
		}
	}
	return -1
}

// parsePortOpt handles the options of the stateful layout (values 1-9,
// then 10 and 11).
func parsePortOpt(c *Cmd, h *protoHandler, val int, arg string) error {
	t := &c.T
	port := uint16(atoi(arg))
	if h.num == conntrack.ProtoGRE {
		v, _, _ := strtoul(arg, 0)
		port = uint16(v)
	}
	bit := val - 1
	switch val {
	case 1:
		t.Orig.SrcPort = port
		t.Orig.Present.Add(conntrack.ProtoAttrSrcPort)
	case 2:
		t.Orig.DstPort = port
		t.Orig.Present.Add(conntrack.ProtoAttrDstPort)
	case 3:
		t.Reply.SrcPort = port
		t.Reply.Present.Add(conntrack.ProtoAttrSrcPort)
		t.Reply.Proto = h.num
		t.Reply.Present.Add(conntrack.ProtoAttrNum)
	case 4:
		t.Reply.DstPort = port
		t.Reply.Present.Add(conntrack.ProtoAttrDstPort)
		t.Reply.Proto = h.num
		t.Reply.Present.Add(conntrack.ProtoAttrNum)
	case 5:
		t.Mask.SrcPort = port
		t.Mask.Present.Add(conntrack.ProtoAttrSrcPort)
	case 6:
		t.Mask.DstPort = port
		t.Mask.Present.Add(conntrack.ProtoAttrDstPort)
	case 7:
		switch h.num {
		case conntrack.ProtoTCP:
			i := stateIndex[conntrack.TCPState](arg)
			if i < 0 {
				return paramErr("unknown TCP state `%s'", arg)
			}
			t.TCPState, t.HasTCPState = uint8(i), true
		case conntrack.ProtoSCTP:
			i := stateIndex[conntrack.SCTPState](arg)
			if i < 0 {
				return paramErr("unknown SCTP state `%s'", arg)
			}
			t.SCTPState, t.HasSCTPState = uint8(i), true
		case conntrack.ProtoDCCP:
			i := stateIndex[conntrack.DCCPState](arg)
			if i < 0 {
				return paramErr("unknown DCCP state `%s'", arg)
			}
			t.DCCPState, t.HasDCCPState = uint8(i), true
		}
	case 8:
		t.Exp.SrcPort = port
		t.Exp.Present.Add(conntrack.ProtoAttrSrcPort)
	case 9:
		t.Exp.DstPort = port
		t.Exp.Present.Add(conntrack.ProtoAttrDstPort)
	case 10:
		if h.num == conntrack.ProtoDCCP {
			switch {
			case strings.EqualFold(arg, "client"):
				t.DCCPRole = 0
			case strings.EqualFold(arg, "server"):
				t.DCCPRole = 1
			default:
				return paramErr("unknown DCCP role `%s'", arg)
			}
			t.HasDCCPRole = true
		} else {
			t.VTagOrig, t.HasVTagOrig = u32(arg), true
		}
	case 11:
		t.VTagReply, t.HasVTagRep = u32(arg), true
	default:
		return nil
	}
	if h.num != conntrack.ProtoTCP && h.num != conntrack.ProtoSCTP && h.num != conntrack.ProtoDCCP && val >= 8 && val <= 9 {
		bit = val - 2 // udp and gre number their tuple options 7 and 8
	}
	c.protoOpts |= 1 << bit
	return nil
}

// ProtoHelp returns the lines `conntrack -h -p PROTO` prints after the
// usage, or "" when no protocol was given.
func (c *Cmd) ProtoHelp() string {
	if c.proto == nil {
		return ""
	}
	return "Proto `" + c.ProtoName + "' help:\n" + c.proto.help
}
