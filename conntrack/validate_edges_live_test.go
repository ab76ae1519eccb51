//go:build linux

package conntrack

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
	"github.com/ctwire/ctwire/nla"
)

var updateEdges = flag.Bool("update-edges", false, "rewrite "+edgeRecording+" from the live kernel's answers")

// TestLiveValidateEdges sends every edge case to the kernel, in a network
// namespace of its own, and checks that ValidateMessage's verdict and
// errno are the kernel's. With -update-edges it records the kernel's
// answers for TestValidateEdges.
func TestLiveValidateEdges(t *testing.T) {
	send := edgeLive(t)
	var out strings.Builder
	out.WriteString("# The answers of Linux 6.18 to the edge cases of conntrack/validate_edges_test.go\n" +
		"# (name, tab, errno and its text; 0 is success), written by TestLiveValidateEdges -update-edges.\n")
	counts := map[syscall.Errno]int{}
	for _, ec := range edgeCases(t) {
		got := send(ec.msg)
		counts[got]++
		fmt.Fprintf(&out, "%s\t%d %s\n", ec.name, int(got), errString(got))
		if want := edgeErrno(t, ec.msg); got != want {
			t.Errorf("%s: the kernel says %q (%d), ValidateMessage %q (%d)", ec.name, errString(got), got, errString(want), want)
		}
	}
	t.Logf("kernel answers: %v", counts)
	if *updateEdges {
		if err := os.WriteFile(edgeRecording, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// edgeLive returns a function sending a request message (with a fresh
// sequence number) to ctnetlink in a new network namespace and returning
// the kernel's errno (0 for success), after creating the ftp master of the
// expectation cases there. It skips the test where that cannot be done.
func edgeLive(t *testing.T) func(msg []byte) syscall.Errno {
	ns := netns.New(t)
	if err := nlsock.Probe(ns.Path()); err != nil {
		t.Skipf("ctnetlink unavailable in a namespace: %v", err)
	}
	c, err := nlsock.OpenIn(ns.Path(), nlsock.Options{Timeout: 5 * time.Second, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	send := func(msg []byte) syscall.Errno {
		b := append([]byte(nil), msg...)
		nla.HostOrder.PutUint32(b[8:], c.NextSeq())
		_, err := c.Execute(b)
		var ke *codec.KernelError
		var errno syscall.Errno
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ke):
			return ke.Errno
		case errors.As(err, &errno):
			return errno
		}
		t.Fatalf("no kernel answer: %v", err)
		return 0
	}
	m := edgeMaster()
	r := CreateRequest(0, &m)
	b, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := send(b); e != 0 {
		t.Fatalf("create the ftp master: %v", e)
	}
	return send
}
