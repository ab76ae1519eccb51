package netns

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctwire/ctwire/internal/nsenter"
)

// CommandTimeout bounds every external command run by this package.
const CommandTimeout = 30 * time.Second

// NS is a named network namespace created by this package.
type NS struct {
	// Name is the name under [nsenter.RunDir], as used by `ip netns exec NAME`.
	Name string
}

var counter atomic.Uint32

// UniqueName returns a fresh namespace name starting with prefix, unique
// across processes running at the same time.
func UniqueName(prefix string) string {
	var r [3]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s%d-%d-%s", prefix, os.Getpid(), counter.Add(1), hex.EncodeToString(r[:]))
}

// Add creates the named namespace with `ip netns add` and brings its
// loopback interface up.
func Add(name string) (*NS, error) {
	if _, err := run("ip", "netns", "add", name); err != nil {
		return nil, err
	}
	n := &NS{Name: name}
	if _, err := n.IP("link", "set", "lo", "up"); err != nil {
		_ = n.Delete()
		return nil, err
	}
	return n, nil
}

// Delete removes the namespace with `ip netns del`. Interfaces inside it,
// its conntrack table and its nftables rules go with it.
func (n *NS) Delete() error {
	_, err := run("ip", "netns", "del", n.Name)
	return err
}

// Path returns the namespace's bind mount, for [nsenter.Do] and setns.
func (n *NS) Path() string { return nsenter.RunDir + "/" + n.Name }

// Do runs fn on a locked OS thread inside the namespace; see [nsenter.Do].
func (n *NS) Do(fn func() error) error { return nsenter.Do(n.Path(), fn) }

// Exec runs a command inside the namespace (`ip netns exec NAME args...`)
// and returns its standard output. A failure carries the standard error.
func (n *NS) Exec(args ...string) ([]byte, error) {
	return run("ip", append([]string{"netns", "exec", n.Name}, args...)...)
}

// IP runs `ip -n NAME args...`.
func (n *NS) IP(args ...string) ([]byte, error) {
	return run("ip", append([]string{"-n", n.Name}, args...)...)
}

// Sysctl sets a sysctl inside the namespace, e.g.
// Sysctl("net.netfilter.nf_conntrack_acct", "1").
func (n *NS) Sysctl(key, value string) error {
	_, err := n.Exec("sysctl", "-q", "-w", key+"="+value)
	return err
}

// Nft loads an nftables ruleset (nft -f syntax) inside the namespace.
func (n *NS) Nft(ruleset string) error {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", n.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(ruleset)
	return wrapRun(cmd)
}

// CommandError is a failed external command with its standard error.
type CommandError struct {
	Args   []string
	Stderr string
	Err    error
}

// Error returns the command line, the cause and the standard error.
func (e *CommandError) Error() string {
	return fmt.Sprintf("netns: %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Stderr))
}

// Unwrap returns the cause (an *exec.ExitError, a context error, ...).
func (e *CommandError) Unwrap() error { return e.Err }

func run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := wrapRun(cmd); err != nil {
		return out.Bytes(), err
	}
	return out.Bytes(), nil
}

func wrapRun(cmd *exec.Cmd) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return &CommandError{Args: cmd.Args, Stderr: stderr.String(), Err: err}
	}
	return nil
}

// Available reports why live namespace tests cannot run here, or nil when
// they can: the process must be root and the ip tool installed.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("netns: not root (need CAP_SYS_ADMIN and CAP_NET_ADMIN)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("netns: ip (iproute2) not found: %w", err)
	}
	return nil
}

// New creates a fresh namespace for the test and deletes it at the end.
// It skips the test when namespaces are not available.
func New(t testing.TB) *NS {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(err)
	}
	n, err := Add(UniqueName("ctw-"))
	if err != nil {
		t.Skipf("cannot create a network namespace: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Delete(); err != nil {
			t.Errorf("delete namespace %s: %v", n.Name, err)
		}
	})
	return n
}

// RequireTool skips the test when a command it needs is not installed.
func RequireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
}
