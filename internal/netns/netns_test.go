package netns_test

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nsenter"
)

func nsInode(t *testing.T, path string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// Do runs the function inside the namespace and leaves the caller's
// thread where it was.
func TestDoEntersAndRestores(t *testing.T) {
	ns := netns.New(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := nsInode(t, "/proc/thread-self/ns/net")
	want := nsInode(t, ns.Path())
	if before == want {
		t.Fatal("test runs inside the new namespace already")
	}
	var inside uint64
	var ifaces string
	err := ns.Do(func() error {
		inside = nsInode(t, "/proc/thread-self/ns/net")
		b, err := os.ReadFile("/proc/thread-self/net/dev")
		ifaces = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != want {
		t.Errorf("inside Do the thread's namespace is inode %d, want %d", inside, want)
	}
	if after := nsInode(t, "/proc/thread-self/ns/net"); after != before {
		t.Errorf("caller's namespace changed from %d to %d", before, after)
	}
	// A fresh namespace has only lo.
	if n := strings.Count(ifaces, ":"); n != 1 || !strings.Contains(ifaces, "lo:") {
		t.Errorf("interfaces seen inside Do:\n%s", ifaces)
	}
	sentinel := errors.New("from fn")
	if err := ns.Do(func() error { return sentinel }); !errors.Is(err, sentinel) {
		t.Errorf("Do returned %v, want fn's error", err)
	}
	if err := nsenter.Do("/nonexistent/ns", func() error { return nil }); err == nil {
		t.Error("Do on a missing path succeeded")
	}
}

func TestExecAndDelete(t *testing.T) {
	if err := netns.Available(); err != nil {
		t.Skip(err)
	}
	ns, err := netns.Add(netns.UniqueName("ctw-t-"))
	if err != nil {
		t.Skip(err)
	}
	out, err := ns.Exec("ip", "-o", "link", "show")
	if err != nil {
		ns.Delete()
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "lo:") || !strings.Contains(string(out), "UP") {
		t.Errorf("ip link in the namespace:\n%s", out)
	}
	_, err = ns.Exec("false")
	var ce *netns.CommandError
	if !errors.As(err, &ce) {
		t.Errorf("failing command: %v, want a CommandError", err)
	}
	if err := ns.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ns.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("namespace file after Delete: %v", err)
	}
}
