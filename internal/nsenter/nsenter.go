// Package nsenter runs a function inside another network namespace, on a
// locked OS thread that is switched back before it is released. It is the
// part of namespace handling the commands need; creating namespaces and
// test beds (internal/netns) stays out of the binaries, so that they link
// neither package net nor testing.
package nsenter

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// RunDir is where `ip netns add` bind-mounts named namespaces.
const RunDir = "/run/netns"

// ErrRestore reports that a thread could not be switched back to its
// original namespace after running a function in another one. The thread is
// then left locked, so the Go runtime discards it when its goroutine ends.
var ErrRestore = errors.New("netns: cannot restore the thread's namespace")

// Do runs fn on a locked OS thread switched into the network namespace
// bound at path (for example /run/netns/NAME or /proc/PID/ns/net) and
// returns fn's error. The thread returns to its namespace before it is
// unlocked. fn runs on a goroutine of its own; the caller's thread is never
// switched.
func Do(path string, fn func() error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("netns: %w", err)
	}
	defer f.Close()
	return DoFD(int(f.Fd()), fn)
}

// DoFD is [Do] for a namespace given as an open file descriptor, which stays
// owned by the caller.
func DoFD(fd int, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("netns: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("netns: setns: %w", err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Stay locked: the runtime terminates the thread with the goroutine.
			errc <- errors.Join(ferr, fmt.Errorf("%w: %w", ErrRestore, err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
