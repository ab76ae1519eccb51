//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/conntrack/cli"
	"github.com/ctwire/ctwire/exchange"
)

// `ctwire conntrack ARGS...` (or the binary run under the name conntrack)
// is conntrack-tools 1.4.7's command: package conntrack/cli reads the
// command line and gives the semantics, package exchange runs the requests
// over a NETLINK_NETFILTER socket of the current network namespace, and
// every reply is streamed: one receive buffer, one record, lines written
// as datagrams arrive.

// labelMapPath is where libnetfilter_conntrack reads label names.
const labelMapPath = "/etc/xtables/connlabel.conf"

func runConntrack(prog string, args []string, stdout, stderr io.Writer) int {
	p := cli.Parser{
		LabelNames: func() (*conntrack.LabelNames, error) {
			b, err := os.ReadFile(labelMapPath)
			if err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) {
					return nil, errors.New(cli.Strerror(pe.Err.(syscall.Errno)))
				}
				return nil, err
			}
			return conntrack.ParseLabelNames(b), nil
		},
		ProtoByName:   protoByName,
		ProtoByNumber: protoByNumber,
	}
	cmd, err := p.Parse(args)
	for _, w := range cmd.Warnings {
		fmt.Fprintln(stderr, w)
	}
	if err != nil {
		fmt.Fprint(stderr, cli.ErrorText(err))
		return cli.ExitStatus(err)
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	switch cmd.Command {
	case cli.CmdNone:
		fmt.Fprint(out, cli.Usage(prog))
		return 0
	case cli.CmdVersion:
		fmt.Fprintf(out, "%s v%s (conntrack-tools)\n", cli.Prog, cli.Version)
		return 0
	case cli.CmdHelp:
		fmt.Fprint(out, cli.Usage(prog)+cmd.ProtoHelp())
		return 0
	}
	r := &ctRunner{cmd: cmd, out: out, stderr: stderr}
	main, err := openNetlink(0)
	if err != nil {
		fmt.Fprint(stderr, cli.ErrorText(&cli.Error{Status: cli.ExitOther, Msg: "Can't open handler"}))
		return 1
	}
	defer unix.Close(main)
	r.fd = main
	if err := cmd.CheckRun(); err != nil {
		fmt.Fprint(stderr, cli.ErrorText(err))
		return cli.ExitStatus(err)
	}
	err = r.run()
	out.Flush()
	if err != nil {
		fmt.Fprint(stderr, cli.ErrorText(err))
		return cli.ExitStatus(err)
	}
	if s, ok := cmd.Summary(r.count); ok {
		fmt.Fprint(stderr, cli.Prefix+s+"\n")
	}
	return cmd.SummaryStatus(r.count)
}

type ctRunner struct {
	cmd    *cli.Cmd
	out    *bufio.Writer
	stderr io.Writer
	fd     int // the socket of requests and dumps
	mod    int // the socket of changes made while a dump runs
	count  int
	xml    bool // the XML header was printed
	buf    []byte
	modBuf []byte // the receive buffer of mod
	line   []byte
	seq    uint32
}

func openNetlink(groups uint32) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return -1, err
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// failed turns the outcome of a request into conntrack's error.
func (r *ctRunner) failed(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &cli.Error{Status: cli.ExitOther, Msg: r.cmd.FailureText(errno)}
	}
	return &cli.Error{Status: cli.ExitOther, Msg: "Operation failed: " + err.Error()}
}

// exchange runs the requests on fd, calling each for every record.
func (r *ctRunner) exchange(fd int, reqs []conntrack.Request, each func(*conntrack.Record) error) error {
	var x exchange.Exchange
	x.Seq = r.seq + 1
	for i := range reqs {
		if _, err := x.Add(&reqs[i]); err != nil {
			return err
		}
	}
	// The records alias the receive buffer: the changes -D and -U make
	// while a dump's datagram is being read have a buffer of their own.
	rbuf := &r.buf
	if fd == r.mod && fd != r.fd {
		rbuf = &r.modBuf
	}
	if *rbuf == nil {
		*rbuf = make([]byte, 1<<16)
	}
	rb := *rbuf
	buf := make([]byte, 0, 4096)
	for !x.Done() {
		if o := x.AppendOutgoing(buf[:0]); len(o) > 0 {
			if err := unix.Sendto(fd, o, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
				x.Fail(err)
			}
			continue
		}
		n, _, err := unix.Recvfrom(fd, rb, 0)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			x.Fail(err)
			break
		}
		x.Receive(rb[:n])
		for x.Next() {
			if err := each(x.Record()); err != nil {
				x.Fail(err)
				r.seq = x.Seq
				return err
			}
		}
	}
	r.seq = x.Seq
	return x.Err()
}

func (r *ctRunner) textOptions() conntrack.TextOptions {
	o := r.cmd.Output
	return conntrack.TextOptions{Extended: o.Extended, ID: o.ID, KTimestamp: o.KTimestamp,
		LabelNames: r.cmd.LabelNames, Location: time.Local}
}

// printFlow writes an entry as -L prints it (header first for XML). kind
// is what -o save writes the entry as: 0 (-A) for an entry shown,
// EventDestroy (-D) for one deleted.
func (r *ctRunner) printFlow(f *conntrack.Flow, opt conntrack.TextOptions, xmlHeader bool, kind conntrack.EventKind) {
	r.line = r.line[:0]
	if r.cmd.Output.Save {
		r.line = cli.AppendSave(r.line, f, kind)
	} else if r.cmd.Output.XML {
		if xmlHeader && !r.xml {
			r.out.WriteString(cli.XMLHeader)
			r.xml = true
		}
		r.line = cli.AppendXML(r.line, f, 0, cli.XMLOptions{KTimestamp: opt.KTimestamp, LabelNames: opt.LabelNames, Location: time.Local})
	} else {
		r.line = f.AppendText(r.line, opt)
	}
	r.line = append(r.line, '\n')
	r.out.Write(r.line)
}

func (r *ctRunner) run() error {
	c := r.cmd
	switch {
	case c.Table == cli.TableExpect:
		return r.runExpect()
	case c.Command == cli.CmdList || c.Command == cli.CmdGet:
		var req conntrack.Request
		if c.Command == cli.CmdGet {
			// By the original tuple, or by the reply tuple alone
			// (conntrack 1.4.7 fails on that one before sending anything).
			req = c.GetRequest(0)
		} else {
			req = c.DumpRequest(0)
		}
		err := r.exchange(r.fd, []conntrack.Request{req}, func(rec *conntrack.Record) error {
			if rec.Kind != conntrack.KindFlow || !c.Match(&rec.Flow) {
				return nil
			}
			r.printFlow(&rec.Flow, r.textOptions(), true, 0)
			r.count++
			return nil
		})
		if err != nil {
			return r.failed(err)
		}
		if r.xml {
			r.out.WriteString(cli.XMLFooter)
		}
		return nil
	case c.Command == cli.CmdCreate || c.Command == cli.CmdAdd:
		if err := r.exchange(r.fd, []conntrack.Request{c.CreateRequest(0)}, func(*conntrack.Record) error { return nil }); err != nil {
			if c.Command == cli.CmdAdd && errors.Is(err, syscall.EEXIST) {
				return nil // -A of an existing entry: nothing added, no error
			}
			return r.failed(err)
		}
		r.count++
		return nil
	case c.Command == cli.CmdDelete:
		return r.modify(false)
	case c.Command == cli.CmdUpdate:
		return r.modify(true)
	case c.Command == cli.CmdFlush:
		// With -f, that family only (nfgenmsg version 1); conntrack 1.4.7
		// sends version 0, which the kernel reads as every family.
		err := r.exchange(r.fd, []conntrack.Request{conntrack.FlushRequest(0, c.Family)}, func(*conntrack.Record) error { return nil })
		fmt.Fprint(r.stderr, cli.Prefix+"connection tracking table has been emptied.\n")
		if err != nil {
			return r.failed(err)
		}
		return nil
	case c.Command == cli.CmdCount:
		err := r.exchange(r.fd, []conntrack.Request{conntrack.StatsRequest(0)}, func(rec *conntrack.Record) error {
			if rec.Kind == conntrack.KindStatsGlobal && rec.StatsGlobal.Present.Has(conntrack.StatsGlobalAttrEntries) {
				r.out.Write(append(rec.StatsGlobal.AppendText(r.line[:0]), '\n'))
			}
			return nil
		})
		if err != nil {
			return r.failed(err)
		}
		return nil
	case c.Command == cli.CmdStats:
		err := r.exchange(r.fd, []conntrack.Request{conntrack.StatsCPURequest(0)}, func(rec *conntrack.Record) error {
			if rec.Kind == conntrack.KindStatsCPU {
				r.out.Write(append(rec.StatsCPU.AppendText(r.line[:0]), '\n'))
			}
			return nil
		})
		if err != nil {
			return r.failed(err)
		}
		return nil
	case c.Command == cli.CmdEvent:
		return r.events()
	}
	return nil
}

// modify runs -D or -U: a dump, and for each entry the filter keeps a
// change sent on a second socket.
func (r *ctRunner) modify(update bool) error {
	c := r.cmd
	mod, err := openNetlink(0)
	if err != nil {
		return &cli.Error{Status: cli.ExitOther, Msg: "Can't open handler"}
	}
	defer unix.Close(mod)
	r.mod = mod
	var scratch conntrack.Flow
	opt := conntrack.TextOptions{Extended: c.Output.Extended, ID: c.Output.ID, Location: time.Local}
	err = r.exchange(r.fd, []conntrack.Request{c.DumpRequest(0)}, func(rec *conntrack.Record) error {
		if rec.Kind != conntrack.KindFlow {
			return nil
		}
		f := &rec.Flow
		if update {
			if !c.MatchUpdate(f) {
				return nil
			}
			req, ok := c.UpdateRequest(0, f)
			if !ok {
				return nil
			}
			// The update and its read-back, each an exchange of its own
			// that ends on the request's acknowledgement (conntrack 1.4.7
			// reads one datagram per request, so that its answers shift
			// from the second entry on). A refused update is reported on a
			// line of its own and the read-back still runs; the
			// read-back's ENOENT skips the entry, another error ends the
			// command.
			if err := r.exchange(mod, []conntrack.Request{req}, func(*conntrack.Record) error { return nil }); err != nil {
				var ce *cli.Error
				if errors.As(r.failed(err), &ce) {
					fmt.Fprintln(r.stderr, ce.Msg)
				}
			}
			get := req
			get.Op = conntrack.OpGet
			uopt := opt
			uopt.LabelNames = c.LabelNames
			err := r.exchange(mod, []conntrack.Request{get}, func(g *conntrack.Record) error {
				if g.Kind == conntrack.KindFlow {
					scratch = g.Flow
					r.printFlow(&scratch, uopt, false, 0)
				}
				return nil
			})
			if err != nil {
				if errors.Is(err, syscall.ENOENT) {
					return nil
				}
				return r.failed(err)
			}
			r.count++
			return nil
		}
		if !c.Match(f) {
			return nil
		}
		del := conntrack.DeleteRequest(0, f.Orig)
		del.Family = f.Family
		if f.Present.Has(conntrack.AttrID) {
			del.SetID(f.ID)
		}
		if f.Present.Has(conntrack.AttrZone) {
			del.SetZone(f.Zone)
		}
		if err := r.exchange(mod, []conntrack.Request{del}, func(*conntrack.Record) error { return nil }); err != nil && !errors.Is(err, syscall.ENOENT) {
			return r.failed(err)
		}
		r.printFlow(f, opt, false, conntrack.EventDestroy)
		r.count++
		return nil
	})
	if err != nil {
		var ce *cli.Error
		if errors.As(err, &ce) {
			return err
		}
		return r.failed(err)
	}
	return nil
}

// runExpect runs the commands on the expectation table.
func (r *ctRunner) runExpect() error {
	c := r.cmd
	var req conntrack.Request
	switch c.Command {
	case cli.CmdList, cli.CmdCount:
		req = conntrack.ExpDumpRequest(0, c.Family)
	case cli.CmdFlush:
		req = conntrack.ExpFlushRequest(0)
		req.Family = c.Family
	case cli.CmdStats:
		req = conntrack.ExpStatsCPURequest(0)
	case cli.CmdGet:
		req = conntrack.ExpMasterDumpRequest(0, c.T.Orig)
		req.Op = conntrack.OpExpGet
		req.Family = c.Family
	case cli.CmdDelete:
		req = conntrack.ExpDeleteRequest(0, c.T.Orig)
		req.Family = c.Family
	case cli.CmdCreate:
		e := conntrack.Expect{Master: c.T.Orig, Tuple: c.T.Exp, Mask: c.T.Mask}
		e.Tuple.Proto, e.Mask.Proto = c.T.Orig.Proto, c.T.Orig.Proto
		e.Tuple.Present.Add(conntrack.ProtoAttrNum)
		e.Mask.Present.Add(conntrack.ProtoAttrNum)
		e.Present.Add(conntrack.ExpectAttrMaster)
		e.Present.Add(conntrack.ExpectAttrTuple)
		e.Present.Add(conntrack.ExpectAttrMask)
		if c.T.HasTimeout {
			e.Timeout = c.T.Timeout
			e.Present.Add(conntrack.ExpectAttrTimeout)
		}
		req = conntrack.ExpCreateRequest(0, &e)
		req.Family = c.Family
	case cli.CmdEvent:
		return r.events()
	}
	err := r.exchange(r.fd, []conntrack.Request{req}, func(rec *conntrack.Record) error {
		switch rec.Kind {
		case conntrack.KindExpect:
			r.count++
			if c.Command == cli.CmdCount {
				return nil
			}
			r.writeExpect(&rec.Expect, 0)
		case conntrack.KindStatsExp:
			r.out.Write(append(rec.StatsExp.AppendText(r.line[:0]), '\n'))
		}
		return nil
	})
	if r.xml {
		r.out.WriteString(cli.XMLExpectFooter)
	}
	switch c.Command {
	case cli.CmdFlush:
		fmt.Fprint(r.stderr, cli.Prefix+"expectation table has been emptied.\n")
	case cli.CmdCount:
		if err == nil {
			fmt.Fprintf(r.out, "%d\n", r.count)
		}
	case cli.CmdDelete:
		r.count = 0 // conntrack counts no deleted expectation
	}
	if err != nil {
		return r.failed(err)
	}
	return nil
}

// writeExpect prints an expectation as -L expect and -E expect do: in XML
// (the header first) or as text, after the time of printing with -o
// timestamp.
func (r *ctRunner) writeExpect(e *conntrack.Expect, kind conntrack.EventKind) {
	o := r.cmd.Output
	r.line = r.line[:0]
	if o.XML {
		if !r.xml {
			r.out.WriteString(cli.XMLExpectHeader)
			r.xml = true
		}
		r.line = cli.AppendExpectXML(r.line, e, kind, cli.XMLOptions{Time: o.Timestamp, Location: time.Local})
	} else {
		if o.Timestamp {
			r.line = appendExpTimestamp(r.line, time.Now())
		}
		r.line = e.AppendText(r.line, kind)
	}
	r.out.Write(append(r.line, '\n'))
}

// appendExpTimestamp is the "[%-8ld.%-6ld]\t" prefix of expectations.
func appendExpTimestamp(dst []byte, t time.Time) []byte {
	s := strconv.FormatInt(t.Unix(), 10)
	u := strconv.FormatInt(int64(t.Nanosecond()/1000), 10)
	dst = append(dst, '[')
	dst = append(dst, s...)
	for i := len(s); i < 8; i++ {
		dst = append(dst, ' ')
	}
	dst = append(dst, '.')
	dst = append(dst, u...)
	for i := len(u); i < 6; i++ {
		dst = append(dst, ' ')
	}
	return append(dst, "]\t"...)
}

// events runs -E until SIGINT or SIGTERM.
func (r *ctRunner) events() error {
	c := r.cmd
	exp := c.Table == cli.TableExpect
	mask := uint8(cli.EventAll)
	if c.Options&cli.OptEventMask != 0 {
		mask = c.EventMask
	}
	var groups uint32
	for i, g := range []int{exchange.GroupNew, exchange.GroupUpdate, exchange.GroupDestroy} {
		if mask&(1<<i) != 0 {
			if exp {
				g += 3
			}
			groups |= 1 << (g - 1)
		}
	}
	fd, err := openNetlink(groups)
	if err != nil {
		return &cli.Error{Status: cli.ExitOther, Msg: "Can't open netlink socket"}
	}
	defer unix.Close(fd)
	if c.Options&cli.OptBufferSize != 0 {
		size := int(c.BufferSize)
		if unix.SetsockoptInt(r.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) != nil {
			unix.SetsockoptInt(r.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, size)
		}
		got, _ := unix.GetsockoptInt(r.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
		fmt.Fprintf(r.stderr, "NOTICE: Netlink socket buffer size has been set to %d bytes.\n", got)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	stop := make(chan struct{})
	go func() {
		<-sig
		close(stop)
	}()
	// The receive call wakes up now and then to see whether a signal came.
	tv := unix.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	buf := make([]byte, 1<<16)
	var rec conntrack.Record
	var dec conntrack.Decoder
	names := progNames{}
	topt := conntrack.TextOptions{Extended: c.Output.Extended, ID: c.Output.ID, KTimestamp: c.Output.KTimestamp,
		Timestamp: c.Output.Timestamp, LabelNames: c.LabelNames, Location: time.Local}
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		select {
		case <-stop:
			return r.eventsDone(exp)
		default:
		}
		if err != nil {
			if err == unix.EINTR || err == unix.EAGAIN {
				r.out.Flush()
				continue
			}
			if err == unix.ENOBUFS {
				r.out.Flush()
				fmt.Fprint(r.stderr, "WARNING: We have hit ENOBUFS! We are losing events.\nThis message means that the current netlink socket buffer size is too small.\nPlease, check --buffer-size in conntrack(8) manpage.\n")
				continue
			}
			return &cli.Error{Status: cli.ExitOther, Msg: "failed to received netlink event: " + cli.Strerror(err.(syscall.Errno))}
		}
		if n == 0 {
			continue
		}
		p := codec.NewParser(buf[:n], 0)
		for p.Next() {
			m := p.Message()
			if dec.Decode(m, &rec) != nil {
				continue
			}
			if exp {
				if rec.Kind != conntrack.KindExpectEvent {
					continue
				}
				r.writeExpect(&rec.Expect, rec.Event)
				r.count++
				continue
			}
			if rec.Kind != conntrack.KindEvent || !c.MatchEvent(conntrack.Family(rec.NFGen.Family), &rec.Flow) {
				continue
			}
			r.line = r.line[:0]
			if c.Output.Save {
				r.line = cli.AppendSave(r.line, &rec.Flow, rec.Event)
			} else if c.Output.XML {
				if !r.xml {
					r.out.WriteString(cli.XMLHeader)
					r.xml = true
				}
				r.line = cli.AppendXML(r.line, &rec.Flow, rec.Event, cli.XMLOptions{KTimestamp: c.Output.KTimestamp,
					Time: c.Output.Timestamp, LabelNames: c.LabelNames, Location: time.Local})
			} else {
				r.line = rec.Flow.AppendEventText(r.line, rec.Event, 0, topt)
			}
			if pid := rec.Header.PID; pid != 0 {
				r.line = append(r.line, " [USERSPACE] portid="...)
				r.line = strconv.AppendUint(r.line, uint64(pid), 10)
				if name := names.lookup(pid); name != "" {
					r.line = append(r.line, " progname="...)
					r.line = append(r.line, name...)
				}
			}
			r.line = append(r.line, '\n')
			r.out.Write(r.line)
			r.count++
		}
		r.out.Flush()
	}
}

func (r *ctRunner) eventsDone(exp bool) error {
	if r.xml {
		if exp {
			r.out.WriteString(cli.XMLExpectFooter)
		} else {
			r.out.WriteString(cli.XMLFooter)
		}
	}
	return nil
}

// progNames finds the program behind a netlink port id as conntrack does:
// the socket's inode in /proc/net/netlink, then the process holding a
// descriptor of that socket (the process whose pid is the port id first).
type progNames struct {
	port  uint32
	inode uint64
	name  string
}

func (p *progNames) lookup(port uint32) string {
	b, err := os.ReadFile("/proc/net/netlink")
	if err != nil {
		return ""
	}
	var inode uint64
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[1] != strconv.Itoa(unix.NETLINK_NETFILTER) || f[2] != strconv.FormatUint(uint64(port), 10) {
			continue
		}
		inode, _ = strconv.ParseUint(f[9], 10, 64)
		found = true
		break
	}
	if !found {
		return ""
	}
	if p.port == port && p.inode == inode {
		return p.name
	}
	name := procWithSocket(int(port), inode)
	if name == "" {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid <= 1 || pid == int(port) || !e.IsDir() {
				continue
			}
			if name = procWithSocket(pid, inode); name != "" {
				break
			}
		}
	}
	p.port, p.inode, p.name = port, inode, name
	return name
}

func procWithSocket(pid int, inode uint64) string {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	want := "socket:[" + strconv.FormatUint(inode, 10) + "]"
	for _, e := range ents {
		if l, err := os.Readlink(dir + e.Name()); err == nil && l == want {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				return ""
			}
			i := bytes.IndexByte(b, '(')
			j := bytes.IndexByte(b, ')')
			if i < 0 || j < i {
				return ""
			}
			return string(b[i+1 : j])
		}
	}
	return ""
}

// protoByName and protoByNumber read /etc/protocols as getprotobyname and
// getprotobynumber do.
func protoByName(name string) (uint8, bool) {
	var num uint8
	ok := false
	walkProtocols(func(n int, names []string) bool {
		for _, s := range names {
			if s == name {
				num, ok = uint8(n), true
				return false
			}
		}
		return true
	})
	return num, ok
}

func protoByNumber(num uint8) (string, bool) {
	var name string
	ok := false
	walkProtocols(func(n int, names []string) bool {
		if n == int(num) {
			name, ok = names[0], true
			return false
		}
		return true
	})
	return name, ok
}

func walkProtocols(fn func(num int, names []string) bool) {
	b, err := os.ReadFile("/etc/protocols")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 || n > 255 {
			continue
		}
		names := append([]string{f[0]}, f[2:]...)
		if !fn(n, names) {
			return
		}
	}
}
