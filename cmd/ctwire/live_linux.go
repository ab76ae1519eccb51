//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/exchange"
	"github.com/ctwire/ctwire/internal/live"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/internal/nsenter"
)

// The live subcommands talk to the kernel over a NETLINK_NETFILTER socket
// of the command's own (package internal/nlsock), with every request built
// and every reply decoded by package conntrack.
//
//	ctwire dump   [-n NETNS] [filters] [-o extended,id,ktimestamp,labels|json]
//	ctwire watch  [-n NETNS] [-e NEW,UPDATE,DESTROY] [-o ...|json] [-c COUNT] [-b BYTES]
//	ctwire stats  [-n NETNS]
//	ctwire record FILE [-- dump|watch|stats ARGS...]
//
// dump prints what `conntrack -L` prints, line for line, and the summary
// "ctwire: N flow entries have been shown." on standard error. Filters
// are conntrack's: -f ipv4|ipv6, -p PROTO, -s/--src, -d/--dst,
// -r/--reply-src, -q/--reply-dst, --sport, --dport, -m MARK[/MASK],
// -w/--zone ZONE, -u STATUS[,STATUS...]; they are applied by the kernel
// (nfgenmsg family, CTA_MARK/CTA_MARK_MASK, CTA_STATUS/CTA_STATUS_MASK,
// CTA_ZONE, CTA_FILTER with the tuple) and checked again on each entry.
//
// With -o json both print one JSON object per record (conntrack.AppendJSON)
// instead of the text line.
//
// watch prints events as `conntrack -E` does until SIGINT or SIGTERM (or
// COUNT events), then "ctwire: N flow events have been shown." on standard
// error. A receive buffer overrun (ENOBUFS: the kernel dropped events) is
// reported on standard error with the number of overruns so far, and
// watching goes on.
//
// stats prints the per-CPU statistics as `conntrack -S` does, then the
// global "entries=N max_entries=M".
//
// record runs dump (or the subcommand after "--") and saves every
// datagram its socket sent and received as pcapng (LINKTYPE_NETLINK with
// the cooked header and the direction), written as it crosses the socket.
//
// Every subcommand streams: its requests run through an exchange
// (package exchange), each reply datagram is read into one reused buffer
// and decoded into one reused record as it arrives, and lines go out
// through a buffered writer flushed whenever the socket has nothing
// queued. Nothing grows with the size of the table.

// liveEnv is what a live subcommand needs besides its arguments.
type liveEnv struct {
	stdout, stderr io.Writer
	// tap, when set, sees every datagram the subcommand's sockets move
	// (record writes them as they go).
	tap func(time.Time, nlsock.Dir, []byte)
	// ctx ends watch.
	ctx context.Context
}

func runLive(name string, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &liveEnv{stdout: stdout, stderr: stderr, ctx: ctx}
	return env.run(name, args)
}

func (e *liveEnv) run(name string, args []string) int {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(e.stdout, liveUsage[name])
			return 0
		}
	}
	switch name {
	case "dump":
		return e.dump(args)
	case "watch":
		return e.watch(args)
	case "stats":
		return e.stats(args)
	case "record":
		return e.recordCmd(args)
	}
	fmt.Fprintf(e.stderr, "ctwire: unknown live command %q\n", name)
	return 2
}

// liveUsageError is a bad command line.
type liveUsageError struct{ msg string }

func (u *liveUsageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return &liveUsageError{fmt.Sprintf(format, a...)} }

// liveUsage is each live subcommand's usage, for -h and usage errors.
var liveUsage = map[string]string{
	"dump": `usage: ctwire dump [-n NETNS] [filters] [-o extended,id,ktimestamp|json]
Lists the conntrack table as conntrack -L does (needs root or CAP_NET_ADMIN).
filters (as conntrack's): -f ipv4|ipv6, -p PROTO, -s/-d/-r/-q ADDR, --sport/--dport PORT,
  -m MARK[/MASK], -w ZONE, -u STATUS[,STATUS...]
`,
	"watch": `usage: ctwire watch [-n NETNS] [-e EVENTS] [-c COUNT] [-b BUFSIZE] [-o extended,id,timestamp|json]
Prints conntrack events as conntrack -E does (needs root or CAP_NET_ADMIN).
`,
	"stats": `usage: ctwire stats [-n NETNS]
Prints the per-CPU statistics as conntrack -S does, then the entry count and limit.
`,
	"record": `usage: ctwire record FILE [-- dump|watch|stats ARGS...]
Runs the live subcommand and saves every datagram its socket moved as a pcapng capture.
`,
}

// fail reports err for command name and returns the exit status: 2 for a
// usage error (the usage follows the message), 1 for a failure. A
// permission error says what is needed.
func (e *liveEnv) fail(name string, err error) int {
	fmt.Fprintf(e.stderr, "ctwire %s: %v\n", name, err)
	var ue *liveUsageError
	if errors.As(err, &ue) {
		fmt.Fprint(e.stderr, liveUsage[name])
		return 2
	}
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		fmt.Fprintf(e.stderr, "ctwire %s: talking to ctnetlink needs root or CAP_NET_ADMIN (try sudo)\n", name)
	}
	return 1
}

// argScanner walks conntrack-style options: "-x VALUE", "--long VALUE",
// "--long=VALUE".
type argScanner struct {
	args   []string
	i      int
	opt    string
	val    string
	inline bool // val came with the option, after "="
	err    error
}

// next moves to the next option; it returns false at the end or after an
// error.
func (s *argScanner) next() bool {
	if s.err != nil || s.i >= len(s.args) {
		return false
	}
	if s.inline {
		s.err = usagef("option %s takes no value", s.opt)
		return false
	}
	s.opt, s.val = s.args[s.i], ""
	s.i++
	if k, v, ok := strings.Cut(s.opt, "="); ok && strings.HasPrefix(k, "--") {
		s.opt, s.val, s.inline = k, v, true
	}
	return true
}

// value returns the option's value: the "=" part, or the next argument.
func (s *argScanner) value() string {
	if s.inline {
		s.inline = false
		return s.val
	}
	if s.i >= len(s.args) {
		s.err = usagef("option %s needs a value", s.opt)
		return ""
	}
	s.val = s.args[s.i]
	s.i++
	return s.val
}

// flag marks the current option as one without a value.
func (s *argScanner) flag() {
	if s.inline {
		s.err = usagef("option %s takes no value", s.opt)
	}
}

// nsPath returns the path of a namespace named on the command line: a
// name under /run/netns, or a path.
func nsPath(name string) string {
	if name == "" || strings.Contains(name, "/") {
		return name
	}
	return nsenter.RunDir + "/" + name
}

func (e *liveEnv) open(ns string, o nlsock.Options) (*live.Client, error) {
	o.NoRecord, o.Tap = true, e.tap
	c, err := live.Open(nsPath(ns), o)
	if err != nil {
		if ns != "" {
			return nil, fmt.Errorf("namespace %s: %w", ns, err)
		}
		return nil, err
	}
	return c, nil
}

// textOptions parses -o for dump and watch; -o json is reported as
// json=true and prints one conntrack.AppendJSON object per record.
func textOptions(s string) (opt conntrack.TextOptions, json bool, err error) {
	if strings.EqualFold(s, "json") {
		return conntrack.TextOptions{}, true, nil
	}
	o, err := parseText(s)
	return o, false, err
}

func parseText(s string) (conntrack.TextOptions, error) {
	if s == "" {
		return conntrack.TextOptions{Location: time.Local}, nil
	}
	o, err := conntrack.ParseTextOptions(s)
	if err != nil {
		return o, usagef("%v", err)
	}
	if o.Labels {
		// conntrack reads the label names from connlabel.conf.
		if b, err := os.ReadFile("/etc/xtables/connlabel.conf"); err == nil {
			o.LabelNames = conntrack.ParseLabelNames(b)
		}
	}
	o.Location = time.Local
	return o, nil
}

// dumpFilter is the selection of `ctwire dump`: conntrack's filter options
// parsed into a conntrack.DumpFilter.
type dumpFilter struct{ conntrack.DumpFilter }

func parseUint(s string, bits int) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, usagef("bad number %q", s)
	}
	return v, nil
}

// setFamily sets the family implied by an option, refusing a conflict.
func (f *dumpFilter) setFamily(fam conntrack.Family) error {
	if f.Family != conntrack.FamilyUnspec && f.Family != fam {
		return usagef("mixed address families")
	}
	f.Family = fam
	return nil
}

func (f *dumpFilter) addr(dst *netip.Addr, s string) error {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return usagef("bad address %q", s)
	}
	*dst = a.Unmap()
	if a.Is4() {
		return f.setFamily(conntrack.FamilyIPv4)
	}
	return f.setFamily(conntrack.FamilyIPv6)
}

// option applies one filter option; it reports false for an option that
// is not a filter.
func (f *dumpFilter) option(s *argScanner) (bool, error) {
	var err error
	switch s.opt {
	case "-f", "--family":
		switch v := s.value(); strings.ToLower(v) {
		case "ipv4":
			err = f.setFamily(conntrack.FamilyIPv4)
		case "ipv6":
			err = f.setFamily(conntrack.FamilyIPv6)
		default:
			err = usagef("unknown family %q", v)
		}
	case "-p", "--proto", "--protonum":
		v := s.value()
		if f.Proto, err = conntrack.ParseProto(v); err != nil {
			err = usagef("unknown protocol %q", v)
		}
		f.HasProto = true
	case "-s", "--src", "--orig-src":
		err = f.addr(&f.OrigSrc, s.value())
	case "-d", "--dst", "--orig-dst":
		err = f.addr(&f.OrigDst, s.value())
	case "-r", "--reply-src":
		err = f.addr(&f.ReplySrc, s.value())
	case "-q", "--reply-dst":
		err = f.addr(&f.ReplyDst, s.value())
	case "--sport", "--orig-port-src":
		var v uint64
		v, err = parseUint(s.value(), 16)
		f.SrcPort, f.HasSrcPort = uint16(v), true
	case "--dport", "--orig-port-dst":
		var v uint64
		v, err = parseUint(s.value(), 16)
		f.DstPort, f.HasDstPort = uint16(v), true
	case "-m", "--mark":
		val, mask, hasMask := strings.Cut(s.value(), "/")
		var v, m uint64
		if v, err = parseUint(val, 32); err == nil {
			m = 0xffffffff
			if hasMask {
				m, err = parseUint(mask, 32)
			}
		}
		f.Mark, f.MarkMask, f.HasMark = uint32(v), uint32(m), true
	case "-w", "--zone":
		var v uint64
		v, err = parseUint(s.value(), 16)
		f.Zone, f.HasZone = uint16(v), true
	case "-u", "--status":
		v := s.value()
		var st conntrack.Status
		if st, err = conntrack.ParseStatus(v); err != nil {
			err = usagef("%s", strings.TrimPrefix(err.Error(), "conntrack: "))
		}
		f.Status = st
	default:
		return false, nil
	}
	return true, err
}

func (e *liveEnv) dump(args []string) int {
	var f dumpFilter
	var ns, out string
	s := &argScanner{args: args}
	for s.next() {
		ok, err := f.option(s)
		if err != nil {
			return e.fail("dump", err)
		}
		if ok {
			continue
		}
		switch s.opt {
		case "-n", "--netns":
			ns = s.value()
		case "-o", "--output":
			out = s.value()
		case "-L", "--dump":
			s.flag()
		default:
			return e.fail("dump", usagef("unknown option %q", s.opt))
		}
	}
	if s.err != nil {
		return e.fail("dump", s.err)
	}
	if (f.HasSrcPort || f.HasDstPort) && !f.HasProto {
		return e.fail("dump", usagef("--sport and --dport need -p"))
	}
	opt, json, err := textOptions(out)
	if err != nil {
		return e.fail("dump", err)
	}
	c, err := e.open(ns, nlsock.Options{})
	if err != nil {
		return e.fail("dump", err)
	}
	defer c.Close()
	// Each datagram is decoded into one reused record as it arrives and
	// its lines go out through w, flushed whenever the socket has nothing
	// queued: memory does not grow with the table.
	w := bufio.NewWriterSize(e.stdout, outBufSize)
	if e.tap == nil {
		// Receive in a second goroutine: the kernel builds the next
		// datagrams while these lines are formatted (record, which taps
		// the socket, keeps to one goroutine). 32 buffers: the receiver
		// passes them on 16 at a time while a dump keeps coming, so the
		// receiving thread, which sets the pace, wakes this one ~100
		// times per 250,000 entries instead of ~400 (each a futex call
		// on that thread; context switches per dump measured 990 with
		// 8 buffers, 371 with 32); 2 MiB at most.
		c.Readahead = 32
	}
	opt.Now = time.Now()
	n := 0
	req := f.Request(0)
	all := f.DumpFilter == conntrack.DumpFilter{} // no filter: no test per entry
	err = c.Stream(func(x *exchange.Exchange) error {
		r := x.Record()
		if r.Kind != conntrack.KindFlow || !all && !f.Match(&r.Flow) {
			return nil
		}
		b := w.AvailableBuffer()
		if json {
			b = conntrack.AppendJSON(b, r)
		} else {
			b = r.Flow.AppendText(b, opt)
		}
		n++
		_, err := w.Write(append(b, '\n'))
		return err
	}, w.Flush, &req)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return e.fail("dump", err)
	}
	fmt.Fprintf(e.stderr, "ctwire: %d flow entries have been shown.\n", n)
	return 0
}

func (e *liveEnv) watch(args []string) int {
	var ns, out string
	count, rcvbuf := 0, 0
	groups := []uint32{exchange.GroupNew, exchange.GroupUpdate, exchange.GroupDestroy}
	s := &argScanner{args: args}
	for s.next() {
		switch s.opt {
		case "-n", "--netns":
			ns = s.value()
		case "-o", "--output":
			out = s.value()
		case "-E", "--event":
			s.flag()
		case "-e", "--event-mask":
			groups = groups[:0]
			for _, k := range strings.Split(s.value(), ",") {
				switch strings.ToUpper(k) {
				case "NEW":
					groups = append(groups, exchange.GroupNew)
				case "UPDATE":
					groups = append(groups, exchange.GroupUpdate)
				case "DESTROY":
					groups = append(groups, exchange.GroupDestroy)
				case "ALL":
					groups = append(groups, exchange.GroupNew, exchange.GroupUpdate, exchange.GroupDestroy)
				default:
					s.err = usagef("unknown event %q", k)
				}
			}
		case "-c", "--count":
			v, err := parseUint(s.value(), 31)
			if err != nil {
				return e.fail("watch", err)
			}
			count = int(v)
		case "-b", "--buffer-size":
			v, err := parseUint(s.value(), 31)
			if err != nil {
				return e.fail("watch", err)
			}
			rcvbuf = int(v)
		default:
			return e.fail("watch", usagef("unknown option %q", s.opt))
		}
	}
	if s.err != nil {
		return e.fail("watch", s.err)
	}
	opt, json, err := textOptions(out)
	if err != nil {
		return e.fail("watch", err)
	}
	c, err := e.open(ns, nlsock.Options{Groups: groups, RcvBuf: rcvbuf, Timeout: 200 * time.Millisecond})
	if err != nil {
		return e.fail("watch", err)
	}
	defer c.Close()
	w := bufio.NewWriterSize(e.stdout, outBufSize)
	n, overruns := 0, 0
	var werr error // of the output
	each := func(r *conntrack.Record) error {
		if r.Kind != conntrack.KindEvent || count > 0 && n >= count {
			return nil
		}
		opt.Now = time.Now()
		b := w.AvailableBuffer()
		if json {
			b = conntrack.AppendJSON(b, r)
		} else {
			b = r.Flow.AppendEventText(b, r.Event, r.Header.PID, opt)
		}
		n++
		_, werr = w.Write(append(b, '\n'))
		return werr
	}
	for e.ctx.Err() == nil && (count == 0 || n < count) {
		// Lines are flushed whenever the socket has nothing queued, so
		// they show as the events happen.
		err := c.ReadEvents(each, w.Flush)
		switch {
		case err == nil, errors.Is(err, nlsock.ErrTimeout):
			continue
		case errors.Is(err, nlsock.ErrOverrun):
			if err := w.Flush(); err != nil {
				return e.fail("watch", err)
			}
			overruns++
			fmt.Fprintf(e.stderr, "ctwire watch: receive buffer overrun (ENOBUFS): the kernel dropped events "+
				"(%d overruns so far); a larger -b BYTES helps\n", overruns)
			continue
		}
		if werr != nil {
			return e.fail("watch", werr)
		}
		if err := w.Flush(); err != nil {
			return e.fail("watch", err)
		}
		fmt.Fprintf(e.stderr, "ctwire watch: %v\n", err)
		fmt.Fprintf(e.stderr, "ctwire: %d flow events have been shown.\n", n)
		return 2
	}
	if err := w.Flush(); err != nil {
		return e.fail("watch", err)
	}
	fmt.Fprintf(e.stderr, "ctwire: %d flow events have been shown.\n", n)
	return 0
}

func (e *liveEnv) stats(args []string) int {
	var ns string
	s := &argScanner{args: args}
	for s.next() {
		switch s.opt {
		case "-n", "--netns":
			ns = s.value()
		case "-S", "--stats":
			s.flag()
		default:
			return e.fail("stats", usagef("unknown option %q", s.opt))
		}
	}
	if s.err != nil {
		return e.fail("stats", s.err)
	}
	c, err := e.open(ns, nlsock.Options{})
	if err != nil {
		return e.fail("stats", err)
	}
	defer c.Close()
	w := bufio.NewWriterSize(e.stdout, outBufSize)
	cpu, global := conntrack.StatsCPURequest(0), conntrack.StatsRequest(0)
	for _, req := range []*conntrack.Request{&cpu, &global} {
		err := c.Stream(func(x *exchange.Exchange) error {
			r := x.Record()
			b := w.AvailableBuffer()
			switch g := &r.StatsGlobal; r.Kind {
			case conntrack.KindStatsCPU:
				b = append(r.StatsCPU.AppendText(b), '\n')
			case conntrack.KindStatsGlobal:
				b = fmt.Appendf(b, "entries=%d max_entries=%d\n", g.Entries, g.MaxEntries)
			}
			_, err := w.Write(b)
			return err
		}, nil, req)
		if err != nil {
			return e.fail("stats", err)
		}
	}
	if err := w.Flush(); err != nil {
		return e.fail("stats", err)
	}
	return 0
}

func (e *liveEnv) recordCmd(args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-" {
		return e.fail("record", usagef("record needs a FILE"))
	}
	file, rest := args[0], args[1:]
	sub, subArgs := "dump", []string(nil)
	if len(rest) > 0 {
		if rest[0] != "--" || len(rest) < 2 {
			return e.fail("record", usagef("record FILE [-- dump|watch|stats ARGS...]"))
		}
		sub, subArgs = rest[1], rest[2:]
		if sub != "dump" && sub != "watch" && sub != "stats" {
			return e.fail("record", usagef("record runs dump, watch or stats, not %q", sub))
		}
	}
	f, err := os.Create(file)
	if err != nil {
		return e.fail("record", err)
	}
	// Every datagram goes to the capture as it crosses the socket.
	cw, err := capture.NewWriter(f, capture.FormatPcapNG)
	if err != nil {
		f.Close()
		return e.fail("record", err)
	}
	var werr error
	n := 0
	sube := *e
	sube.tap = func(t time.Time, d nlsock.Dir, b []byte) {
		dir := capture.FromKernel
		if d == nlsock.DirOut {
			dir = capture.ToKernel
		}
		if werr == nil {
			werr = cw.WriteDatagram(capture.Datagram{Data: b, Time: t, Family: capture.FamilyNetfilter, Direction: dir})
			n++
		}
	}
	status := sube.run(sub, subArgs)
	if werr == nil {
		werr = cw.Flush()
	}
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return e.fail("record", werr)
	}
	fmt.Fprintf(e.stderr, "ctwire: %d datagrams recorded to %s.\n", n, file)
	return status
}

// outBufSize is the output buffer of dump, watch and stats.
const outBufSize = 64 << 10
