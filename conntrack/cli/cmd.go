// Package cli reads conntrack-tools 1.4.7's command line into a command
// value, and gives the command's semantics to whoever runs it: the
// requests conntrack sends to the kernel, the filter it applies to what
// the kernel sends back ([Cmd.Match]), the texts it prints (-o xml
// included) and its messages and exit statuses.
//
// It does no I/O: the label map (connlabel.conf) and /etc/protocols are
// read by the caller, through the hooks of [Parser].
//
//	p := cli.Parser{}
//	cmd, err := p.Parse(os.Args[1:])
//	for _, w := range cmd.Warnings { fmt.Fprintln(os.Stderr, w) }
//	if err != nil { fmt.Fprint(os.Stderr, cli.ErrorText(err)); os.Exit(cli.ExitStatus(err)) }
//	req := cmd.DumpRequest(seq) // for -L: what conntrack sends
//	... each flow f received: if cmd.Match(&f) { print }
package cli

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/ctwire/ctwire/conntrack"
)

// Version is the conntrack-tools version whose behaviour is reproduced.
const Version = "1.4.7"

// Prog is the program name conntrack puts in its messages.
const Prog = "conntrack"

// Prefix starts every message conntrack prints on standard error.
const Prefix = Prog + " v" + Version + " (conntrack-tools): "

// Exit statuses: conntrack exits 2 for a bad command line
// (PARAMETER_PROBLEM) and 1 for a failure (OTHER_PROBLEM).
const (
	ExitParameter = 2
	ExitOther     = 1
)

// Error is a refusal of conntrack's: the message and the exit status.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// paramErr is a PARAMETER_PROBLEM.
func paramErr(format string, a ...any) error {
	return &Error{Status: ExitParameter, Msg: fmt.Sprintf(format, a...)}
}

// otherErr is an OTHER_PROBLEM.
func otherErr(format string, a ...any) error {
	return &Error{Status: ExitOther, Msg: fmt.Sprintf(format, a...)}
}

// ErrorText returns what conntrack prints on standard error for err: the
// prefix, the message, a newline, and for a bad command line the line
// pointing to -h.
func ErrorText(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return Prefix + err.Error() + "\n"
	}
	s := Prefix + e.Msg + "\n"
	if e.Status == ExitParameter {
		s += "Try `" + Prog + " -h' or '" + Prog + " --help' for more information.\n"
	}
	return s
}

// ExitStatus returns the exit status for err: 0 for nil, the status of an
// [*Error], else 1.
func ExitStatus(err error) int {
	var e *Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.Status
	}
	return ExitOther
}

// Command is what conntrack is asked to do.
type Command uint8

// Commands, named after conntrack's options.
const (
	CmdNone    Command = iota
	CmdList            // -L
	CmdCreate          // -I
	CmdUpdate          // -U
	CmdDelete          // -D
	CmdGet             // -G
	CmdFlush           // -F
	CmdEvent           // -E
	CmdVersion         // -V
	CmdHelp            // -h
	CmdCount           // -C
	CmdStats           // -S
	CmdAdd             // -A
)

// Table is the table a command works on.
type Table uint8

// Tables.
const (
	TableConntrack Table = iota
	TableExpect
	TableDying
	TableUnconfirmed
)

// Opt is a set of the options given (conntrack's CT_OPT_* bits).
type Opt uint32

// Options, in conntrack's bit order (which is also the order in which it
// checks them against the command).
const (
	OptOrigSrc Opt = 1 << iota
	OptOrigDst
	OptReplSrc
	OptReplDst
	OptProto
	OptTimeout
	OptStatus
	OptZero
	OptEventMask
	OptExpSrc
	OptExpDst
	OptMaskSrc
	OptMaskDst
	OptNATRange
	OptMark
	OptID
	OptFamily
	OptSrcNAT
	OptDstNAT
	OptOutput
	OptSecmark
	OptBufferSize
	OptAnyNAT
	OptZone
	OptLabel
	OptAddLabel
	OptDelLabel
	OptOrigZone
	OptReplZone

	numOpts = 29

	OptOrig = OptOrigSrc | OptOrigDst
	OptRepl = OptReplSrc | OptReplDst

	// OptComparison are the options that make conntrack compare each
	// entry with its template.
	OptComparison = OptProto | OptOrig | OptRepl | OptMark | OptSecmark | OptStatus |
		OptID | OptZone | OptLabel | OptOrigZone | OptReplZone
)

// optNames are the long names conntrack uses for the options in its
// messages, by bit.
var optNames = [numOpts]string{"src", "dst", "reply-src", "reply-dst", "protonum", "timeout",
	"status", "zero", "event-mask", "tuple-src", "tuple-dst", "mask-src", "mask-dst", "nat-range",
	"mark", "id", "family", "src-nat", "dst-nat", "output", "secmark", "buffer-size", "any-nat",
	"zone", "label", "label-add", "label-del", "orig-zone", "reply-zone"}

// Output is the -o option.
type Output struct {
	XML, Extended, Timestamp, ID, KTimestamp, Labels, Save bool
}

// Event mask bits of -e.
const (
	EventNew     = 1
	EventUpdate  = 2
	EventDestroy = 4
	EventAll     = EventNew | EventUpdate | EventDestroy
)

// Cmd is one parsed command line.
type Cmd struct {
	Command Command
	Table   Table
	// Options are the options given.
	Options Opt
	// Family is the layer-3 family: from -f or the addresses, else
	// IPv4 for the commands conntrack defaults it for (every command but
	// -L, -U, -D, -G, -F and -E on the conntrack table).
	Family conntrack.Family
	// Proto is -p; ProtoName the name conntrack's help gives it.
	Proto     conntrack.Proto
	ProtoName string
	// T is the template: what the options set, as conntrack sets it.
	T Template
	// Output is -o.
	Output Output
	// EventMask is -e (EventNew, EventUpdate, EventDestroy bits).
	EventMask uint8
	// BufferSize is -b.
	BufferSize int64
	// LabelNames is the label map, when an option needed one and it
	// could be read.
	LabelNames *conntrack.LabelNames
	// Warnings are the lines conntrack prints on standard error while it
	// reads its command line (before any error message).
	Warnings []string

	row       int
	protoOpts uint32 // the protocol options given (bits of the protocol's table)
	proto     *protoHandler
}

// Template is what conntrack's options set on its template entry. Fields
// hold values; the Has flags and the Present bits of the tuples tell which
// were given.
type Template struct {
	// Orig and Reply are the tuples: addresses (valid when given), the
	// protocol (Present bit ProtoAttrNum), ports or keys and ICMP fields
	// (their Present bits), and the directional zones (HasZone).
	Orig, Reply conntrack.Tuple
	// OrigL3 and ReplyL3 are the families of the tuples, set with an
	// address of the direction (NAT addresses set OrigL3 too).
	OrigL3, ReplyL3 conntrack.Family

	Status    conntrack.Status // -u, the bits that must be set
	HasStatus bool
	// StatusValue and StatusMask are the status filter sent to the kernel
	// (with "!BIT" and UNREPLIED).
	StatusValue, StatusMask conntrack.Status

	Timeout    uint32
	HasTimeout bool
	// Mark and MarkMask are -m's value and mask (all ones when not
	// given): the kernel's dump filter and the userspace filter of -L and
	// -D, the mark of -I, the change of -U. -u does not touch them
	// (conntrack 1.4.7 writes its status bits into the value of a -m
	// given before it; see CONNTRACK-DIFFERENCES.md).
	Mark       uint32
	MarkMask   uint32
	Secmark    uint32
	HasSecmark bool
	ID         uint32
	HasID      bool
	Zone       uint16
	HasZone    bool

	TCPState                uint8
	HasTCPState             bool
	SCTPState               uint8
	HasSCTPState            bool
	DCCPState, DCCPRole     uint8
	HasDCCPState            bool
	HasDCCPRole             bool
	VTagOrig, VTagReply     uint32
	HasVTagOrig, HasVTagRep bool

	// SNAT and DNAT are the NAT addresses of -n, -g and -j (valid when
	// given) and their ports.
	SNAT, DNAT               netip.Addr
	SNATPort, DNATPort       uint16
	HasSNATPort, HasDNATPort bool

	// MaskSrc and MaskDst are the network masks of --mask-src/--mask-dst
	// or of an address in CIDR notation (valid when given).
	MaskSrc, MaskDst netip.Addr
	// Exp is the expectation tuple (--tuple-src, --tuple-dst, tuple
	// ports) and Mask the expectation mask (--mask-src, --mask-dst, mask
	// ports).
	Exp, Mask conntrack.Tuple

	// Label is -l: the labels an entry must have.
	Label    conntrack.Labels
	LabelMax int // highest bit named by -l
	// LabelModify is --label-add or --label-del; LabelModifySet is false
	// for a --label-del without labels (delete all).
	LabelModify    conntrack.Labels
	LabelModifyMax int
	LabelModifySet bool
}

// commandBit is conntrack's bit for the command (1 << legality row).
func (c *Cmd) commandBit() uint32 {
	if c.row < 0 {
		return 0
	}
	return 1 << c.row
}

// FailureText returns conntrack's "Operation failed: ..." message for a
// kernel error of the command: its own wording for the errors it knows
// for that command, else the C library's text of the errno.
func (c *Cmd) FailureText(errno syscall.Errno) string {
	bit := c.commandBit()
	const enotsupp = 524
	type entry struct {
		cmds  uint32
		errno syscall.Errno
		msg   string
	}
	const (
		list, create, del, get, add = 1 << rowList, 1 << rowCreate, 1 << rowDelete, 1 << rowGet, 1 << rowAdd
		expCreate                   = 1 << rowExpCreate
	)
	table := []entry{
		{list, enotsupp, "function not implemented"},
		{0xffff, syscall.EINVAL, "invalid parameters"},
		{create, syscall.EEXIST, "Such conntrack exists, try -U to update"},
		{create | get | del | add, syscall.ENOENT, "such conntrack doesn't exist"},
		{create | get | add, syscall.ENOMEM, "not enough memory"},
		{get, syscall.EAFNOSUPPORT, "protocol not supported"},
		{create | add, syscall.ETIME, "conntrack has expired"},
		{expCreate, syscall.ENOENT, "master conntrack not found"},
		{expCreate, syscall.EINVAL, "invalid parameters"},
		{^uint32(0), syscall.EPERM, "sorry, you must be root or get CAP_NET_ADMIN capability to do this"},
	}
	for _, e := range table {
		if e.cmds&bit != 0 && e.errno == errno {
			return "Operation failed: " + e.msg
		}
	}
	return "Operation failed: " + Strerror(errno)
}

// Strerror returns the C library's text for errno (Go's, capitalized as
// glibc writes it).
func Strerror(errno syscall.Errno) string {
	if errno == 524 {
		return "Unknown error 524"
	}
	s := errno.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// Summary returns the line conntrack prints on standard error after the
// command ran (without the prefix and newline), and whether it prints
// one: "N flow entries have been shown." and the like.
func (c *Cmd) Summary(n int) (string, bool) {
	var f string
	switch c.row {
	case rowList, rowGet:
		f = "%d flow entries have been shown."
	case rowCreate:
		f = "%d flow entries have been created."
	case rowUpdate:
		f = "%d flow entries have been updated."
	case rowDelete:
		f = "%d flow entries have been deleted."
	case rowEvent:
		f = "%d flow events have been shown."
	case rowExpList, rowExpDelete:
		f = "%d expectations have been shown."
	case rowAdd:
		f = "%d flow entries have been added."
	case rowExpEvent:
		f = "%d expectation events have been shown."
	default:
		return "", false
	}
	return fmt.Sprintf(f, n), true
}

// SummaryStatus is the exit status after the summary: 1 when nothing was
// done by a command that has a summary (but for listings, and -A, whose
// 0 means the entry existed), else 0.
func (c *Cmd) SummaryStatus(n int) int {
	if _, ok := c.Summary(n); ok && n == 0 && c.Command != CmdList && c.Command != CmdAdd && c.row != rowEvent && c.row != rowExpEvent {
		return ExitOther
	}
	return 0
}
