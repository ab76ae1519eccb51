package examples

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// timeout bounds every program run and every command of the set-up.
const timeout = 30 * time.Second

// bin is where TestMain builds the programs.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ctwire-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// programs are the example programs, by directory: cmd/ over
// mdlayher/netlink, unix/ over golang.org/x/sys/unix, migrate/ with
// ti-mo/conntrack. The binary of cmd/dump is bin/cmd-dump.
var programs = []string{
	"cmd/dump", "cmd/events", "cmd/create", "cmd/get", "cmd/update", "cmd/delete", "cmd/flush", "cmd/stats", "cmd/expect",
	"unix/dump", "unix/events", "unix/create", "unix/get", "unix/update", "unix/delete", "unix/flush", "unix/stats", "unix/expect",
	"migrate/dump", "migrate/events", "migrate/create",
}

// build compiles the programs into bin (once: the go command caches).
func build(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(bin, "migrate-create")); err == nil {
		return
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	for _, p := range programs {
		out, err := exec.Command(goCmd, "build", "-o", filepath.Join(bin, binName(p)), "./"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("go build ./%s: %v\n%s", p, err, out)
		}
	}
}

func binName(p string) string { return strings.ReplaceAll(p, "/", "-") }

// TestBuild compiles every program; it needs no privileges.
func TestBuild(t *testing.T) { build(t) }

// userLines counts the lines of a program that are neither blank nor
// comments only: package clause, imports and code.
func userLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "//") {
			n++
		}
	}
	return n
}

// TestLineCounts checks that the three new-user programs over
// mdlayher/netlink (dump with counters as conntrack -L lines, events, and a
// validated create/get/delete with kernel refusals) take at most 35 lines,
// and logs the counts of every program.
func TestLineCounts(t *testing.T) {
	for _, p := range programs {
		n := userLines(t, filepath.Join(p, "main.go"))
		t.Logf("%-15s %3d lines", p, n)
		switch p {
		case "cmd/dump", "cmd/events", "cmd/create":
			if n > 35 {
				t.Errorf("%s: %d lines, want at most 35", p, n)
			}
		}
	}
}

// newNS creates a fresh network namespace with its loopback up, deletes it at
// the end of the test, and returns its name. It skips the test unless the
// process is root with the ip tool.
func newNS(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the programs run live only as root, in namespaces the test creates")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skipf("ip (iproute2) not installed: %v", err)
	}
	name := fmt.Sprintf("ctwex-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
	if out, err := command("ip", "netns", "add", name); err != nil {
		t.Skipf("cannot create a network namespace: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := command("ip", "netns", "del", name); err != nil {
			t.Errorf("delete namespace %s: %v\n%s", name, err, out)
		}
	})
	if out, err := command("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		t.Fatalf("loopback up: %v\n%s", err, out)
	}
	return name
}

func command(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// dial opens a NETLINK_NETFILTER socket inside the namespace for the test's
// own set-up, and skips the test when ctnetlink is not available there.
func dial(t *testing.T, ns string) *netlink.Conn {
	t.Helper()
	f, err := os.Open("/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: int(f.Fd())})
	if err != nil {
		t.Skipf("no NETLINK_NETFILTER socket in a namespace: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := execute(c, conntrack.DumpRequest(0, conntrack.FamilyUnspec)); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	return c
}

// execute sends r and waits for the ACK or NLMSG_DONE (Conn.Execute: not
// for GET requests, which it waits on forever).
func execute(c *netlink.Conn, r conntrack.Request) error {
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	var m netlink.Message
	if err := m.UnmarshalBinary(b); err != nil {
		return err
	}
	_, err = c.Execute(m)
	return err
}

// run runs a program inside the namespace and returns its standard output;
// its standard error goes to the test log.
func run(t *testing.T, ns, program string, args ...string) string {
	t.Helper()
	out, stderr, err := runErr(t, ns, timeout, program, args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", program, err, stderr)
	}
	return out
}

// runErr runs a program (a directory of programs) inside the namespace for
// at most d and returns its standard output and error.
func runErr(t *testing.T, ns string, d time.Duration, program string, args ...string) (string, string, error) {
	t.Helper()
	build(t)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, filepath.Join(bin, binName(program))}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("%s: stdout:\n%s%s: stderr:\n%s", program, out, program, stderr.String())
	if ctx.Err() != nil {
		err = fmt.Errorf("killed after %v: %w", d, ctx.Err())
	}
	return string(out), stderr.String(), err
}

var (
	src = netip.MustParseAddr("192.0.2.1")
	dst = netip.MustParseAddr("192.0.2.2")
)

// tcpFlow is the entry cmd/create makes, with the given source port.
func tcpFlow(sport uint16) conntrack.Flow {
	f := conntrack.Flow{
		Orig:    conntrack.PortTuple(conntrack.ProtoTCP, src, dst, sport, 80),
		Reply:   conntrack.PortTuple(conntrack.ProtoTCP, dst, src, 80, sport),
		Timeout: 120,
		Mark:    0x42,
	}
	f.ProtoInfo.TCP.State = conntrack.TCPStateEstablished
	return f
}

// timeoutColumn finds the timeout column of a TCP line, which counts down
// while the test runs.
var timeoutColumn = regexp.MustCompile(`((?:tcp|udp) +\d+) \d+ `)

// normal hides the timeout of a line.
func normal(line string) string { return timeoutColumn.ReplaceAllString(line, "$1 T ") }

// matchLines checks that out holds len(want) lines, each starting with the
// corresponding want, timeouts aside.
func matchLines(t *testing.T, program, out string, want []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%s printed %d lines, want %d", program, len(lines), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(normal(lines[i]), normal(w)) {
			t.Errorf("%s: line %d:\ngot  %q\nwant %q...", program, i+1, lines[i], w)
		}
	}
}

// TestDump creates three entries in a fresh namespace with accounting on and
// runs the dump programs of mdlayher/netlink and x/sys/unix there: each
// prints the three, counters included, exactly as conntrack -L prints them
// (compared when conntrack-tools is installed). ti-mo's dump lists the same
// three entries in its own format.
func TestDump(t *testing.T) {
	ns := newNS(t)
	c := dial(t, ns)
	if out, err := command("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/netfilter/nf_conntrack_acct"); err != nil {
		t.Fatalf("accounting on: %v\n%s", err, out)
	}
	for _, sport := range []uint16{40001, 40002, 40003} {
		f := tcpFlow(sport)
		if err := execute(c, conntrack.CreateRequest(0, &f)); err != nil {
			t.Fatalf("create sport %d: %v", sport, err)
		}
	}
	var want []string
	if _, err := exec.LookPath("conntrack"); err != nil {
		t.Logf("conntrack-tools not installed: lines not compared with conntrack -L")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "conntrack", "-L").Output() // the count goes to stderr
		if err != nil {
			t.Fatalf("conntrack -L: %v", err)
		}
		want = strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	}
	for _, program := range []string{"cmd/dump", "unix/dump"} {
		lines := strings.Split(strings.TrimSuffix(run(t, ns, program), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s printed %d lines, want 3", program, len(lines))
		}
		for _, l := range lines {
			for _, w := range []string{"tcp      6 ", " ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=4000", " [UNREPLIED] src=192.0.2.2", " mark=66 use=1"} {
				if !strings.Contains(l, w) {
					t.Errorf("%s: line %q lacks %q", program, l, w)
				}
			}
			if n := strings.Count(l, " packets=0 bytes=0 "); n != 2 {
				t.Errorf("%s: line %q has %d counter pairs, want 2", program, l, n)
			}
		}
		if want == nil {
			continue
		}
		if len(want) != len(lines) {
			t.Fatalf("conntrack -L printed %d lines, %s %d", len(want), program, len(lines))
		}
		for i := range lines { // both list the table in the kernel's order
			if normal(lines[i]) != normal(want[i]) {
				t.Errorf("%s: line %d differs from conntrack -L:\ngot  %q\nwant %q", program, i+1, lines[i], want[i])
			}
		}
	}
	out := run(t, ns, "migrate/dump")
	for _, sport := range []string{"40001", "40002", "40003"} {
		if !strings.Contains(out, "sport="+sport+" ") {
			t.Errorf("ti-mo dump lacks sport %s", sport)
		}
	}
}

// createLines are what cmd/create prints: the flow its GET returned, then
// each request's result.
var createLines = []string{
	"udp      17 120 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 mark=66 use=",
	"create: <nil>",
	"create: exchange: request 1 (create, seq ",
	"get: <nil>",
	"delete: <nil>",
	"get: exchange: request 4 (get, seq ",
}

// TestCreateGetDelete runs cmd/create in a fresh namespace: five requests in
// one exchange; the first create is acknowledged, the second refused with
// EEXIST, the get prints the entry with its mark and ends on its ACK, the
// delete is acknowledged and the last get refused with ENOENT.
func TestCreateGetDelete(t *testing.T) {
	ns := newNS(t)
	dial(t, ns)
	out := run(t, ns, "cmd/create")
	matchLines(t, "cmd/create", out, createLines)
	for _, w := range []string{"): netlink: file exists (", "): netlink: no such file or directory ("} {
		if !strings.Contains(out, w) {
			t.Errorf("cmd/create: no %q", w)
		}
	}
	if out := run(t, ns, "cmd/dump"); out != "" {
		t.Errorf("entries left: %q", out)
	}
}

// TestEvents runs each events program in a fresh namespace and, once it
// listens, cmd/create there: the listener prints the NEW event of the
// create and the DESTROY event of the delete (ctwire's programs as
// conntrack -E prints them, ti-mo's in its own format).
func TestEvents(t *testing.T) {
	for _, program := range []string{"cmd/events", "unix/events", "migrate/events"} {
		t.Run(binName(program), func(t *testing.T) {
			ns := newNS(t)
			dial(t, ns)
			build(t)
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, filepath.Join(bin, binName(program)), "-n", "2")
			var stdout strings.Builder
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if cmd.ProcessState == nil { // not waited for: the test failed early
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				}
			})
			line, err := bufio.NewReader(stderr).ReadString('\n')
			if err != nil || !strings.HasSuffix(line, "listening for conntrack events\n") {
				t.Fatalf("events: first line %q, %v", line, err)
			}
			run(t, ns, "cmd/create")
			if err := cmd.Wait(); err != nil {
				t.Fatalf("events: %v", err)
			}
			t.Logf("%s: stdout:\n%s", program, stdout.String())
			if program == "migrate/events" {
				lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
				if len(lines) != 2 || !strings.Contains(lines[0], "New") || !strings.Contains(lines[1], "Destroy") {
					t.Errorf("ti-mo events: %q", lines)
				}
				return
			}
			matchLines(t, program, stdout.String(), []string{
				"    [NEW] udp      17 120 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 mark=66 [USERSPACE] portid=",
				"[DESTROY] udp      17 120 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 mark=66 [USERSPACE] portid=",
			})
		})
	}
}

// udpLine is the entry the programs create, get and update, with the given
// mark.
func udpLine(mark int) string {
	return fmt.Sprintf("udp      17 120 src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=53 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=53 dport=40000 mark=%d use=", mark)
}

// TestOps runs the single-operation programs of both stacks in a fresh
// namespace each, in the order a user would: create, get, update, dump,
// stats, delete (then again: ENOENT, with the kernel's errno), flush,
// expectations. Every program bounds its receives with a deadline.
func TestOps(t *testing.T) {
	for _, stack := range []string{"cmd", "unix"} {
		t.Run(stack, func(t *testing.T) {
			ns := newNS(t)
			c := dial(t, ns)
			if stack == "unix" {
				if out := run(t, ns, "unix/create"); out != "created\n" {
					t.Fatalf("unix/create: %q", out)
				}
				_, stderr, err := runErr(t, ns, timeout, "unix/create")
				if err == nil || !strings.Contains(stderr, "netlink: file exists") {
					t.Errorf("second unix/create: %v, %q: want EEXIST", err, stderr)
				}
			} else {
				f := udpFlow()
				if err := execute(c, conntrack.CreateRequest(0, &f)); err != nil {
					t.Fatal(err)
				}
			}
			matchLines(t, stack+"/get", run(t, ns, stack+"/get"), []string{udpLine(66)})
			matchLines(t, stack+"/update", run(t, ns, stack+"/update"), []string{udpLine(67)})
			matchLines(t, stack+"/dump", run(t, ns, stack+"/dump"), []string{udpLine(67)})
			if out := run(t, ns, stack+"/stats"); !strings.HasPrefix(out, "# stats entries=1 max=") || !strings.Contains(out, "\n# stats cpu=0 found=") {
				t.Errorf("%s/stats: %q, want the global line with 1 entry, then a line per CPU", stack, out)
			}
			if out := run(t, ns, stack+"/delete"); out != "deleted\n" {
				t.Errorf("%s/delete: %q", stack, out)
			}
			_, stderr, err := runErr(t, ns, timeout, stack+"/delete")
			if err == nil || !strings.Contains(stderr, "no such file or directory") {
				t.Errorf("second %s/delete: %v, %q: want ENOENT", stack, err, stderr)
			}
			_, stderr, err = runErr(t, ns, timeout, stack+"/get")
			if err == nil || !strings.Contains(stderr, "no such file or directory") {
				t.Errorf("%s/get of a deleted entry: %v, %q: want ENOENT", stack, err, stderr)
			}
			for _, sport := range []uint16{40001, 40002} {
				f := tcpFlow(sport)
				if err := execute(c, conntrack.CreateRequest(0, &f)); err != nil {
					t.Fatal(err)
				}
			}
			if out := run(t, ns, stack+"/flush"); out != "flushed\n" {
				t.Errorf("%s/flush: %q", stack, out)
			}
			if out := run(t, ns, stack+"/dump"); out != "" {
				t.Errorf("%s/dump after the flush: %q", stack, out)
			}
			out, stderr, err := runErr(t, ns, timeout, stack+"/expect")
			if err != nil && strings.Contains(stderr, "create") {
				t.Skipf("%s/expect: %v (nf_conntrack_ftp unavailable?)", stack, stderr)
			}
			if err != nil {
				t.Fatalf("%s/expect: %v", stack, err)
			}
			want := "proto=6 src=192.0.2.2 dst=192.0.2.1 sport=0 dport=20000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=192.0.2.1 master-dst=192.0.2.2 sport=40021 dport=21 class=0 helper=ftp"
			if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Errorf("%s/expect: %q, want one line with %q", stack, out, want)
			}
			if out := run(t, ns, stack+"/dump"); out != "" {
				t.Errorf("%s/dump after expect: %q (its master was not deleted)", stack, out)
			}
		})
	}
}

// udpFlow is the entry the programs work on.
func udpFlow() conntrack.Flow {
	return conntrack.Flow{
		Orig:    conntrack.PortTuple(conntrack.ProtoUDP, src, dst, 40000, 53),
		Reply:   conntrack.PortTuple(conntrack.ProtoUDP, dst, src, 53, 40000),
		Timeout: 120,
		Mark:    0x42,
	}
}

// TestMigrateCreate runs ti-mo's create/get/delete in a fresh namespace: both
// creates answer (the second with EEXIST), then its Get never returns (the
// kernel ends a GET with an ACK, not NLMSG_DONE), so the program is killed
// after a few seconds; cmd/create does the same job in one exchange.
func TestMigrateCreate(t *testing.T) {
	ns := newNS(t)
	dial(t, ns)
	out, _, err := runErr(t, ns, 3*time.Second, "migrate/create")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ti-mo create/get/delete ended: %v: its Get returned (fixed upstream?)", err)
	}
	matchLines(t, "migrate/create", out, []string{"create: <nil>", "create: netfilter query: netlink receive: file exists"})
	t.Logf("ti-mo's Get hung after the GET reply and was killed: %v", err)
}
