package cli

import (
	"strings"

	"github.com/ctwire/ctwire/conntrack"
)

// Parser reads command lines. The zero Parser works; its hooks give it
// what conntrack reads from the system.
type Parser struct {
	// LabelNames loads the label map (connlabel.conf) the first time an
	// option needs it (-l, --label-add, --label-del, -o labels). A nil
	// hook or an error means no map; the error's text is printed the
	// way conntrack prints its perror ("nfct_labelmap_new: No such file
	// or directory").
	LabelNames func() (*conntrack.LabelNames, error)
	// ProtoByName and ProtoByNumber look protocols up in /etc/protocols
	// (getprotobyname, getprotobynumber) for -p names conntrack does not
	// know itself. Nil hooks know no protocol.
	ProtoByName   func(name string) (uint8, bool)
	ProtoByNumber func(num uint8) (string, bool)
}

// Rows of conntrack's table of legal options: one per command and table.
const (
	rowList = iota
	rowCreate
	rowUpdate
	rowDelete
	rowGet
	rowFlush
	rowEvent
	rowVersion
	rowHelp
	rowExpList
	rowExpCreate
	rowExpDelete
	rowExpGet
	rowExpFlush
	rowExpEvent
	rowCount
	rowExpCount
	rowStats
	rowExpStats
	rowAdd
	numRows
)

// legal says, for each command, what each option (in Opt bit order) is:
// '0' refused, '1' required, '2' allowed, '3' allowed but part of an
// address pair that must be complete (original or reply).
var legal = [numRows]string{
	rowList:      "22222022000220202222202220022",
	rowCreate:    "33331120000002200220000202022",
	rowUpdate:    "22222220000220222222000022200",
	rowDelete:    "22222220000220222222000220022",
	rowGet:       "33331000000000020002000020000",
	rowFlush:     "00000000000000002000000000000",
	rowEvent:     "22222000200220202222222220022",
	rowVersion:   "00000000000000000000000000000",
	rowHelp:      "00002000000000000000000000000",
	rowExpList:   "00000000000000002002000000000",
	rowExpCreate: "11221120011110000000000000000",
	rowExpDelete: "11221000000000000000000000000",
	rowExpGet:    "11221000000000000000000000000",
	rowExpFlush:  "00000000000000000000000000000",
	rowExpEvent:  "00000000000000000002000000000",
	rowCount:     "00000000000000000000000000000",
	rowExpCount:  "00000000000000000000000000000",
	rowStats:     "00000000000000000000000000000",
	rowExpStats:  "00000000000000000000000000000",
	rowAdd:       "33331120000002200220000202022",
}

// mainOpts are conntrack's long options; short ones are in mainShort.
var mainOpts = []longOpt{
	{"dump", argOptional, 'L'}, {"create", argOptional, 'I'}, {"add", argOptional, 'A'},
	{"delete", argOptional, 'D'}, {"update", argOptional, 'U'}, {"get", argOptional, 'G'},
	{"flush", argOptional, 'F'}, {"event", argOptional, 'E'}, {"counter", argOptional, 'C'},
	{"stats", argNone, 'S'}, {"version", argNone, 'V'}, {"help", argNone, 'h'},
	{"orig-src", argRequired, 's'}, {"src", argRequired, 's'}, {"orig-dst", argRequired, 'd'},
	{"dst", argRequired, 'd'}, {"reply-src", argRequired, 'r'}, {"reply-dst", argRequired, 'q'},
	{"protonum", argRequired, 'p'}, {"timeout", argRequired, 't'}, {"status", argRequired, 'u'},
	{"zero", argNone, 'z'}, {"event-mask", argRequired, 'e'}, {"tuple-src", argRequired, '['},
	{"tuple-dst", argRequired, ']'}, {"mask-src", argRequired, '{'}, {"mask-dst", argRequired, '}'},
	{"nat-range", argRequired, 'a'}, {"mark", argRequired, 'm'}, {"secmark", argRequired, 'c'},
	{"id", argOptional, 'i'}, {"family", argRequired, 'f'}, {"src-nat", argOptional, 'n'},
	{"dst-nat", argOptional, 'g'}, {"output", argRequired, 'o'}, {"buffer-size", argRequired, 'b'},
	{"any-nat", argOptional, 'j'}, {"zone", argRequired, 'w'}, {"label", argRequired, 'l'},
	{"label-add", argRequired, '<'}, {"label-del", argOptional, '>'},
	{"orig-zone", argRequired, '('}, {"reply-zone", argRequired, ')'},
}

const mainShort = "L::I::U::D::G::E::F::A::hVs:d:r:q:p:t:u:e:a:z[:]:{:}:m:i:f:o:n::g::c:b:C::Sj::w:l:<:>::(:):"

// longName returns the first long name of an option value, as conntrack's
// messages name options.
func longName(val int) string {
	for _, o := range mainOpts {
		if o.val == val {
			return o.name
		}
	}
	return "unknown"
}

// Value offset of the options of the protocol given with the k-th -p.
const protoOptBase = 1000

// Parse reads the words of a command line (without argv[0]). It returns
// the command, and an [*Error] when conntrack refuses the line; the
// command's Warnings hold what conntrack prints before it, even then.
func (p *Parser) Parse(args []string) (*Cmd, error) {
	c := &Cmd{}
	c.T.MarkMask = 0xffffffff
	err := p.parse(c, args)
	return c, err
}

func (p *Parser) parse(c *Cmd, args []string) error {
	s := &scanner{args: args, short: mainShort, long: append([]longOpt(nil), mainOpts...)}
	row := -1
	merges := 0
	labelTried := false
	loadLabels := func() {
		if c.LabelNames != nil {
			return
		}
		labelTried = true
		if p.LabelNames == nil {
			c.Warnings = append(c.Warnings, "nfct_labelmap_new: No such file or directory")
			return
		}
		m, err := p.LabelNames()
		if err != nil || m == nil {
			msg := "No such file or directory"
			if err != nil {
				msg = err.Error()
			}
			c.Warnings = append(c.Warnings, "nfct_labelmap_new: "+msg)
			return
		}
		c.LabelNames = m
	}
	_ = labelTried
	for {
		opt := s.nextOpt()
		if opt == optEnd {
			break
		}
		switch opt {
		case optMissing:
			return paramErr("option `%s' requires an argument", s.word)
		case optUnknown:
			return paramErr("unknown option `%s'", s.word)
		case 'L', 'I', 'D', 'G', 'F', 'E', 'V', 'h', 'C', 'S', 'U', 'A':
			t, err := tableOf(s)
			if err != nil {
				return err
			}
			r, err := commandRow(byte(opt), t)
			if err != nil {
				return err
			}
			if row >= 0 {
				return paramErr("Invalid commands combination")
			}
			row = r
			c.Table = t
		case 's', 'd', 'r', 'q', '[', ']', '{', '}':
			if err := c.addrOpt(byte(opt), s.arg); err != nil {
				return err
			}
		case 'p':
			c.Options |= OptProto
			h, num, err := p.findProto(s.arg)
			if err != nil {
				return err
			}
			merges++
			for _, o := range h.opts {
				s.long = append(s.long, longOpt{o.name, o.arg, merges*protoOptBase + o.val})
			}
			c.proto, c.Proto = h, conntrack.Proto(num)
			c.ProtoName = h.name
			if h.name == "unknown" {
				c.ProtoName = "unknown"
				if p.ProtoByNumber != nil {
					if n, ok := p.ProtoByNumber(uint8(num)); ok {
						c.ProtoName = n
					}
				}
			}
			c.T.Orig.Proto = conntrack.Proto(num)
			c.T.Orig.Present.Add(conntrack.ProtoAttrNum)
		case 't':
			c.Options |= OptTimeout
			c.T.Timeout, c.T.HasTimeout = uint32(atol(s.arg)), true
		case 'u':
			c.Options |= OptStatus
			if err := c.parseStatus(s.arg); err != nil {
				return err
			}
		case 'e':
			c.Options |= OptEventMask
			v, err := parseList(s.arg, eventNames, &c.Warnings)
			if err != nil {
				return err
			}
			c.EventMask |= uint8(v)
		case 'o':
			c.Options |= OptOutput
			v, err := parseList(s.arg, outputNames, &c.Warnings)
			if err != nil {
				return err
			}
			o := &c.Output
			o.XML = o.XML || v&outXML != 0
			o.Extended = o.Extended || v&outExt != 0
			o.Timestamp = o.Timestamp || v&outTimestamp != 0
			o.ID = o.ID || v&outID != 0
			o.KTimestamp = o.KTimestamp || v&outKTimestamp != 0
			o.Labels = o.Labels || v&outLabels != 0
			o.Save = o.Save || v&outSave != 0
			if o.Labels {
				loadLabels()
			}
			if o.Save && (o.Extended || o.Timestamp || o.ID || o.KTimestamp || o.Labels || o.XML) {
				return otherErr("cannot combine save output with any other output type, use -o save only")
			}
		case 'z':
			c.Options |= OptZero
		case 'n', 'g', 'j':
			if err := c.natOpt(byte(opt), s); err != nil {
				return err
			}
		case 'w':
			c.Options |= OptZone
			c.T.Zone, c.T.HasZone = uint16(u32(s.arg)), true
		case '(':
			c.Options |= OptOrigZone
			c.T.Orig.Zone, c.T.Orig.HasZone = uint16(u32(s.arg)), true
		case ')':
			c.Options |= OptReplZone
			c.T.Reply.Zone, c.T.Reply.HasZone = uint16(u32(s.arg)), true
		case 'i':
			c.Options |= OptID
			c.T.ID, c.T.HasID = u32(s.arg), true
		case 'c':
			c.Options |= OptSecmark
			c.T.Secmark, c.T.HasSecmark = u32(s.arg), true
		case 'm':
			c.Options |= OptMark
			v, rest, _ := strtoul(s.arg, 0)
			c.T.Mark, c.T.MarkMask = uint32(v), 0xffffffff
			if strings.HasPrefix(rest, "/") {
				c.T.MarkMask = u32(rest[1:])
			}
		case 'l', '<', '>':
			if err := c.labelOpt(byte(opt), s, loadLabels); err != nil {
				return err
			}
		case 'a':
			c.Warnings = append(c.Warnings, "WARNING: ignoring -a, deprecated option.")
		case 'f':
			c.Options |= OptFamily
			var fam conntrack.Family
			switch {
			case strings.HasPrefix(s.arg, "ipv4"):
				fam = conntrack.FamilyIPv4
			case strings.HasPrefix(s.arg, "ipv6"):
				fam = conntrack.FamilyIPv6
			default:
				return paramErr("`%s' unsupported protocol", s.arg)
			}
			if err := c.setFamily(fam); err != nil {
				return err
			}
		case 'b':
			c.BufferSize = atol(s.arg)
			c.Options |= OptBufferSize
		default:
			if opt >= protoOptBase && c.proto != nil && c.proto.parse != nil {
				if err := c.proto.parse(c, opt%protoOptBase, s.arg); err != nil {
					return err
				}
			}
		}
	}
	if row < 0 {
		row = -1
	}
	c.setCommand(row)
	if c.Family == 0 {
		switch row {
		case rowList, rowUpdate, rowDelete, rowGet, rowFlush, rowEvent:
		default:
			c.Family = conntrack.FamilyIPv4
		}
	}
	if c.Options&OptAnyNAT != 0 && c.Options&(OptSrcNAT|OptDstNAT) != 0 {
		return paramErr("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'")
	}
	rowText := ""
	if row >= 0 {
		rowText = legal[row]
	}
	if err := optCheck(uint32(c.Options), numOpts, rowText, optNames[:]); err != nil {
		return err
	}
	if strings.Contains(rowText, "3") {
		if err := pairCheck(uint32(c.Options), [2]uint32{uint32(OptOrig), uint32(OptRepl)},
			[2]string{"you have to specify `--src' and `--dst'", "you have to specify `--reply-src' and `--reply-dst'"}); err != nil {
			return err
		}
	}
	if c.Command != CmdHelp && c.proto != nil && c.proto.check != nil {
		if err := c.proto.check(c, row); err != nil {
			return err
		}
	}
	c.row = row
	return nil
}

// optCheck is conntrack's check of the options given against a row of a
// legality table: in option order, the first required option missing or
// refused option given is an error.
func optCheck(given uint32, n int, row string, names []string) error {
	for i := 0; i < n; i++ {
		v := byte('0')
		if i < len(row) {
			v = row[i]
		}
		if given&(1<<i) == 0 {
			if v == '1' {
				return paramErr("You need to supply the `--%s' option for this command", names[i])
			}
		} else if v == '0' {
			return paramErr("Illegal option `--%s' with this command", names[i])
		}
	}
	return nil
}

// pairCheck is the check of options that come in pairs (source and
// destination of a direction): one pair must be complete, and the error
// names the first pair partly given, else the first.
func pairCheck(given uint32, pairs [2]uint32, msgs [2]string) error {
	partial := -1
	for i, f := range pairs {
		if given&f == f {
			return nil
		}
		if given&f != 0 && partial < 0 {
			partial = i
		}
	}
	if partial < 0 {
		partial = 0
	}
	return paramErr("%s", msgs[partial])
}

// tableOf reads the table word after a command option.
func tableOf(s *scanner) (Table, error) {
	w, ok := s.optionalWord()
	if !ok {
		return TableConntrack, nil
	}
	switch {
	case strings.HasPrefix("expect", w):
		return TableExpect, nil
	case strings.HasPrefix("conntrack", w):
		return TableConntrack, nil
	case strings.HasPrefix("dying", w):
		return TableDying, nil
	case strings.HasPrefix("unconfirmed", w):
		return TableUnconfirmed, nil
	}
	return 0, paramErr("unknown type `%s'", w)
}

// commandRow returns the legality row of a command letter on a table.
func commandRow(opt byte, t Table) (int, error) {
	if opt == 'L' {
		if t == TableExpect {
			return rowExpList, nil
		}
		return rowList, nil
	}
	if t == TableDying || t == TableUnconfirmed {
		return 0, paramErr("Can't do that command with tables `dying' and `unconfirmed'")
	}
	exp := t == TableExpect
	pick := func(ct, ex int) (int, error) {
		if exp {
			return ex, nil
		}
		return ct, nil
	}
	switch opt {
	case 'I':
		return pick(rowCreate, rowExpCreate)
	case 'D':
		return pick(rowDelete, rowExpDelete)
	case 'G':
		return pick(rowGet, rowExpGet)
	case 'F':
		return pick(rowFlush, rowExpFlush)
	case 'E':
		return pick(rowEvent, rowExpEvent)
	case 'V':
		return rowVersion, nil
	case 'h':
		return rowHelp, nil
	case 'C':
		return pick(rowCount, rowExpCount)
	case 'S':
		return pick(rowStats, rowExpStats)
	}
	if exp { // -U and -A have no expectation form
		return 0, paramErr("Can't do --%s on expectations", longName(int(opt)))
	}
	if opt == 'U' {
		return rowUpdate, nil
	}
	return rowAdd, nil
}

// setCommand sets Command from the legality row.
func (c *Cmd) setCommand(row int) {
	cmds := [numRows]Command{rowList: CmdList, rowCreate: CmdCreate, rowUpdate: CmdUpdate,
		rowDelete: CmdDelete, rowGet: CmdGet, rowFlush: CmdFlush, rowEvent: CmdEvent,
		rowVersion: CmdVersion, rowHelp: CmdHelp, rowExpList: CmdList, rowExpCreate: CmdCreate,
		rowExpDelete: CmdDelete, rowExpGet: CmdGet, rowExpFlush: CmdFlush, rowExpEvent: CmdEvent,
		rowCount: CmdCount, rowExpCount: CmdCount, rowStats: CmdStats, rowExpStats: CmdStats, rowAdd: CmdAdd}
	if row >= 0 {
		c.Command = cmds[row]
	}
}

func (c *Cmd) setFamily(f conntrack.Family) error {
	if c.Family == 0 {
		c.Family = f
	} else if c.Family != f {
		return paramErr("mismatched address family")
	}
	return nil
}

// addrOpt handles -s, -d, -r, -q, --tuple-src/dst and --mask-src/dst.
func (c *Cmd) addrOpt(opt byte, arg string) error {
	fam, a, mask := parseAddr(arg)
	if fam == 0 {
		return paramErr("Invalid IP address `%s'", arg)
	}
	if err := c.setFamily(fam); err != nil {
		return err
	}
	cidr := opt == 's' || opt == 'd' || opt == '[' || opt == ']'
	if mask != noMask && !cidr {
		return paramErr("CIDR notation unavailable for `--%s'", longName(int(opt)))
	} else if mask == badMask {
		return paramErr("Invalid netmask")
	}
	t := &c.T
	switch opt {
	case 's':
		c.Options |= OptOrigSrc
		t.Orig.Src, t.OrigL3 = a, fam
	case 'd':
		c.Options |= OptOrigDst
		t.Orig.Dst, t.OrigL3 = a, fam
	case 'r':
		c.Options |= OptReplSrc
		t.Reply.Src, t.ReplyL3 = a, fam
	case 'q':
		c.Options |= OptReplDst
		t.Reply.Dst, t.ReplyL3 = a, fam
	case '[':
		c.Options |= OptExpSrc
		t.Exp.Src = a
	case ']':
		c.Options |= OptExpDst
		t.Exp.Dst = a
	case '{':
		c.Options |= OptMaskSrc
		t.Mask.Src = a
	case '}':
		c.Options |= OptMaskDst
		t.Mask.Dst = a
	}
	if !cidr || mask == noMask {
		return nil
	}
	if (fam == conntrack.FamilyIPv4 && mask == 32) || (fam == conntrack.FamilyIPv6 && mask == 128) {
		return nil
	}
	m := netmask(fam, mask)
	if opt == 's' || opt == '[' {
		c.Options |= OptMaskSrc
		t.Mask.Src = m
	} else {
		c.Options |= OptMaskDst
		t.Mask.Dst = m
	}
	return nil
}

// natOpt handles -n, -g and -j, whose address is an optional separate
// word (conntrack ignores one given as --src-nat=ADDR).
func (c *Cmd) natOpt(opt byte, s *scanner) error {
	switch opt {
	case 'n':
		c.Options |= OptSrcNAT
	case 'g':
		c.Options |= OptDstNAT
	case 'j':
		c.Options |= OptAnyNAT
	}
	w, ok := s.optionalWord()
	if !ok {
		return nil
	}
	addr, port, hasPort, err := splitNAT(w)
	if err != nil {
		return err
	}
	fam, a, mask := parseAddr(addr)
	if fam == 0 {
		return paramErr("Invalid IP address `%s'", addr)
	}
	if err := c.setFamily(fam); err != nil {
		return err
	}
	if mask != noMask {
		return paramErr("CIDR notation unavailable for `--%s'", longName(int(opt)))
	}
	t := &c.T
	t.OrigL3 = fam
	p := uint16(atoi(port))
	if opt == 'n' || opt == 'j' {
		t.SNAT = a
		if hasPort {
			t.SNATPort, t.HasSNATPort = p, true
		}
	}
	if opt == 'g' || opt == 'j' {
		t.DNAT = a
		if hasPort {
			t.DNATPort, t.HasDNATPort = p, true
		}
	}
	return nil
}

// labelOpt handles -l, --label-add and --label-del.
func (c *Cmd) labelOpt(opt byte, s *scanner, load func()) error {
	switch opt {
	case 'l':
		c.Options |= OptLabel
	case '<':
		c.Options |= OptAddLabel
	case '>':
		c.Options |= OptDelLabel
	}
	load()
	if c.Options&(OptAddLabel|OptDelLabel) == OptAddLabel|OptDelLabel {
		return otherErr("cannot use --label-add and --label-del at the same time")
	}
	arg := s.arg
	if opt == '>' {
		w, ok := s.optionalWord()
		if !ok {
			return nil // delete every label
		}
		arg = w
	}
	var l conntrack.Labels
	high := 0
	for _, name := range strings.Split(arg, ",") {
		bit := c.labelBit(name)
		if bit < 0 {
			return paramErr("unknown label '%s'", name)
		}
		l.SetBit(bit)
		if bit > high {
			high = bit
		}
	}
	if opt == 'l' {
		for i := range l {
			c.T.Label[i] |= l[i]
		}
		c.T.LabelMax = max(c.T.LabelMax, high)
		return nil
	}
	for i := range l {
		c.T.LabelModify[i] |= l[i]
	}
	c.T.LabelModifyMax = max(c.T.LabelModifyMax, high)
	c.T.LabelModifySet = true
	return nil
}

// labelBit returns the bit of a label name in the map, or -1.
func (c *Cmd) labelBit(name string) int {
	if c.LabelNames == nil {
		return -1
	}
	for i, n := range c.LabelNames {
		if n != "" && n == name {
			return i
		}
	}
	return -1
}

// parseStatus reads -u: status names (and "!NAME" to require a bit
// unset, UNREPLIED for no reply seen) into the template's status and the
// kernel filter.
func (c *Cmd) parseStatus(arg string) error {
	var value, mask uint32
	items := strings.Split(arg, ",")
	for i, item := range items {
		last := i == len(items)-1
		if !last && item == "" {
			return paramErr("Bad parameter `%s'", strings.Join(items[i:], ","))
		}
		neg := strings.HasPrefix(item, "!")
		if neg {
			item = item[1:]
			if !last && item == "" {
				return paramErr("Bad parameter `%s'", strings.Join(items[i:], ","))
			}
		}
		if !neg && strings.HasPrefix(item, "UNREPLIED") {
			mask |= uint32(conntrack.StatusSeenReply)
			continue
		}
		dst := &value
		if neg {
			dst = &mask
		}
		if item == "" || !matchParam(item, statusNames, dst, &c.Warnings) {
			rest := strings.Join(items[i:], ",")
			if neg {
				rest = rest[1:]
			}
			return paramErr("Bad parameter `%s'", rest)
		}
	}
	t := &c.T
	t.Status, t.HasStatus = conntrack.Status(value), true
	if mask == 0 {
		mask = value
	}
	t.StatusValue, t.StatusMask = conntrack.Status(value), conntrack.Status(mask)
	return nil
}

type param struct {
	name  string
	value uint32
}

var statusNames = []param{{"ASSURED", uint32(conntrack.StatusAssured)},
	{"SEEN_REPLY", uint32(conntrack.StatusSeenReply)}, {"UNSET", 0},
	{"FIXED_TIMEOUT", uint32(conntrack.StatusFixedTimeout)}, {"EXPECTED", uint32(conntrack.StatusExpected)},
	{"OFFLOAD", uint32(conntrack.StatusOffload)}, {"HW_OFFLOAD", uint32(conntrack.StatusHWOffload)}}

var eventNames = []param{{"ALL", EventAll}, {"NEW", EventNew}, {"UPDATES", EventUpdate}, {"DESTROY", EventDestroy}}

const (
	outXML = 1 << iota
	outExt
	outTimestamp
	outID
	outKTimestamp
	outLabels
	outSave
)

var outputNames = []param{{"xml", outXML}, {"extended", outExt}, {"timestamp", outTimestamp},
	{"id", outID}, {"ktimestamp", outKTimestamp}, {"labels", outLabels}, {"userspace", 0}, {"save", outSave}}

// matchParam matches one element of a list option: a case-insensitive
// prefix of SRC_NAT or DST_NAT is accepted with a warning, else the first
// name the element is a prefix of.
func matchParam(item string, names []param, dst *uint32, warn *[]string) bool {
	if hasPrefixFold("SRC_NAT", item) {
		*warn = append(*warn, "WARNING: ignoring SRC_NAT, use --src-nat instead")
		return true
	}
	if hasPrefixFold("DST_NAT", item) {
		*warn = append(*warn, "WARNING: ignoring DST_NAT, use --dst-nat instead")
		return true
	}
	for _, p := range names {
		if hasPrefixFold(p.name, item) {
			*dst |= p.value
			return true
		}
	}
	return false
}

// parseList reads a comma-separated list option (-e, -o).
func parseList(arg string, names []param, warn *[]string) (uint32, error) {
	var v uint32
	items := strings.Split(arg, ",")
	for i, item := range items {
		if item == "" || !matchParam(item, names, &v, warn) {
			return 0, paramErr("Bad parameter `%s'", strings.Join(items[i:], ","))
		}
	}
	return v, nil
}

// hasPrefixFold reports whether p is an ASCII case-insensitive prefix of s.
func hasPrefixFold(s, p string) bool {
	return len(p) <= len(s) && strings.EqualFold(s[:len(p)], p)
}
