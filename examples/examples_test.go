package examples

import (
	"bufio"
	"context"
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

var programs = []string{"dump", "events", "create"}

// build compiles the programs into bin (once: the go command caches).
func build(t *testing.T) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	for _, p := range programs {
		if _, err := os.Stat(filepath.Join(bin, p)); err == nil {
			continue
		}
		out, err := exec.Command(goCmd, "build", "-o", filepath.Join(bin, p), "./cmd/"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", p, err, out)
		}
	}
}

// TestBuild compiles the three programs; it needs no privileges.
func TestBuild(t *testing.T) { build(t) }

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
	build(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, filepath.Join(bin, program)}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("%s: stdout:\n%s%s: stderr:\n%s", program, out, program, stderr.String())
	if err != nil {
		t.Fatalf("%s: %v", program, err)
	}
	return string(out)
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
var timeoutColumn = regexp.MustCompile(`(tcp +6) \d+ `)

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
// runs cmd/dump there: it prints the three, counters included, exactly as
// conntrack -L prints them (compared when conntrack-tools is installed).
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

	lines := strings.Split(strings.TrimSuffix(run(t, ns, "dump"), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("dump printed %d lines, want 3", len(lines))
	}
	for _, l := range lines {
		for _, w := range []string{"tcp      6 ", " ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=4000", " [UNREPLIED] src=192.0.2.2", " mark=66 use=1"} {
			if !strings.Contains(l, w) {
				t.Errorf("line %q lacks %q", l, w)
			}
		}
		if n := strings.Count(l, " packets=0 bytes=0 "); n != 2 {
			t.Errorf("line %q has %d counter pairs, want 2", l, n)
		}
	}

	if _, err := exec.LookPath("conntrack"); err != nil {
		t.Logf("conntrack-tools not installed: lines not compared with conntrack -L")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	want, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "conntrack", "-L").Output()
	if err != nil {
		t.Fatalf("conntrack -L: %v", err)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(wantLines) != len(lines) {
		t.Fatalf("conntrack -L printed %d lines, dump %d:\n%s", len(wantLines), len(lines), want)
	}
	// Both list the table in the kernel's order.
	for i := range lines {
		if normal(lines[i]) != normal(wantLines[i]) {
			t.Errorf("line %d differs from conntrack -L:\ngot  %q\nwant %q", i+1, lines[i], wantLines[i])
		}
	}
}

// TestCreateGetDelete runs cmd/create in a fresh namespace: the create is
// acknowledged, the second create refused with EEXIST, the get prints the
// entry with its mark, the delete is acknowledged and the last get refused
// with ENOENT.
func TestCreateGetDelete(t *testing.T) {
	ns := newNS(t)
	dial(t, ns)
	matchLines(t, "create", run(t, ns, "create"), []string{
		"create: <nil>",
		"create: netlink: file exists (",
		"tcp      6 120 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=80 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=80 dport=40000 mark=66 use=",
		"get: <nil>",
		"delete: <nil>",
		"get: netlink: no such file or directory (",
	})
}

// TestEvents runs cmd/events in a fresh namespace and, once it listens,
// cmd/create there: the listener prints the NEW event of the create and the
// DESTROY event of the delete, both marked as caused by a process.
func TestEvents(t *testing.T) {
	ns := newNS(t)
	dial(t, ns)
	build(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, filepath.Join(bin, "events"), "-n", "2")
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
	r := bufio.NewReader(stderr)
	line, err := r.ReadString('\n')
	if err != nil || line != "listening for conntrack events\n" {
		t.Fatalf("events: first line %q, %v", line, err)
	}

	run(t, ns, "create")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("events: %v", err)
	}
	t.Logf("events: stdout:\n%s", stdout.String())
	matchLines(t, "events", stdout.String(), []string{
		"    [NEW] tcp      6 120 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=80 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=80 dport=40000 mark=66 [USERSPACE] portid=",
		"[DESTROY] tcp      6 120 ESTABLISHED src=192.0.2.1 dst=192.0.2.2 sport=40000 dport=80 [UNREPLIED] src=192.0.2.2 dst=192.0.2.1 sport=80 dport=40000 mark=66 [USERSPACE] portid=",
	})
}
