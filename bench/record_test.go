package bench

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/internal/netns"
	"golang.org/x/sys/unix"
)

var record = flag.Bool("record", false, "re-record the fixtures in testdata/ from a live kernel (root, inside fresh namespaces)")

// Multicast groups of ctnetlink events as a bind(2) group mask: bit n-1
// for group n (NFNLGRP_CONNTRACK_NEW = 1, _UPDATE = 2, _DESTROY = 3).
const ctEventGroups = 1<<0 | 1<<1 | 1<<2

// ctnetlink message types (enum cntl_msg_types).
const (
	ipctnlMsgCtNew    = 0 // IPCTNL_MSG_CT_NEW
	ipctnlMsgCtGet    = 1 // IPCTNL_MSG_CT_GET
	ipctnlMsgCtDelete = 2 // IPCTNL_MSG_CT_DELETE
)

// TestRecordFixtures records the benchmark inputs from the live kernel: it
// builds the project's two-namespace testbed (veth, nftables DNAT and
// masquerade, conntrack accounting and timestamps on), runs its bounded
// traffic, dumps namespace B's IPv4 table over a raw NETLINK_NETFILTER
// socket opened inside B, then deletes B's TCP entries with conntrack -D and
// keeps the events B's kernel multicasts. Only with -record.
func TestRecordFixtures(t *testing.T) {
	if !*record {
		t.Skip("re-record with: go test -run TestRecordFixtures -record")
	}
	tb := netns.NewTestbed(t)
	if err := tb.Check(); err != nil {
		t.Fatal(err)
	}
	var dumpFD, evFD int
	if err := tb.B.Do(func() error {
		var err error
		if dumpFD, err = openNetfilter(0); err != nil {
			return err
		}
		evFD, err = openNetfilter(ctEventGroups)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dumpFD)
	defer unix.Close(evFD)

	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}

	// Dump the IPv4 table.
	req, start := codec.AppendMessage(nil,
		codec.Header{Type: codec.MsgType(codec.SubsysConntrack, ipctnlMsgCtGet),
			Flags: codec.FlagRequest | codec.FlagDump, Seq: 1},
		codec.NFGen{Family: unix.AF_INET})
	req, err := codec.EndMessage(req, start)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Sendto(dumpFD, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	var dump [][]byte
	for done := false; !done; {
		d, err := recvDatagram(dumpFD, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		dump = append(dump, d)
		for m, err := range codec.Messages(d, 0) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Type == codec.TypeDone || m.Header.Type == codec.TypeError {
				done = true
			}
		}
	}

	// Delete the TCP entries: the kernel multicasts DESTROY events that
	// carry counters and timestamps.
	if _, err := tb.B.Exec("conntrack", "-D", "-f", "ipv4", "-p", "tcp"); err != nil {
		t.Fatal(err)
	}
	var events [][]byte
	for {
		d, err := recvDatagram(evFD, 500*time.Millisecond)
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, d)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "# IPv4 dump of namespace B of the testbed (internal/netns), recorded %s on Linux %s.\n",
		time.Now().UTC().Format(time.DateOnly), kernelRelease())
	b.WriteString("# One datagram per line, as received from recvmsg(2), hex.\n")
	for _, d := range dump {
		fmt.Fprintf(&b, "%x\n", d)
	}
	write(t, "dump-ipv4.hex", b.Bytes())

	b.Reset()
	fmt.Fprintf(&b, "# ctnetlink events multicast in namespace B while its TCP entries were deleted, recorded %s on Linux %s.\n",
		time.Now().UTC().Format(time.DateOnly), kernelRelease())
	b.WriteString("# One datagram per line, hex. NEW/UPDATE events of the traffic come first.\n")
	for _, d := range events {
		fmt.Fprintf(&b, "%x\n", d)
	}
	write(t, "events.hex", b.Bytes())

	// The benchmark inputs: the established DNAT'ed TCP flow of A to B4:80
	// (the connection the testbed keeps open) and its DESTROY event.
	flow, id := pickFlow(t, dump)
	ev := pickDestroy(t, events, id)
	stamp := fmt.Sprintf("recorded %s on Linux %s by TestRecordFixtures", time.Now().UTC().Format(time.DateOnly), kernelRelease())
	a, err := annotate("# IPv4 TCP dump reply (IPCTNL_MSG_CT_NEW, NLM_F_MULTI|NLM_F_DUMP_FILTERED) of an established\n"+
		"# connection 192.0.2.1 -> 192.0.2.2:80 DNAT'ed to 192.0.2.3:8080, with accounting and a start timestamp;\n# "+stamp+".\n", flow)
	if err != nil {
		t.Fatal(err)
	}
	write(t, fixtureFlow, a)
	a, err = annotate("# DESTROY event (IPCTNL_MSG_CT_DELETE) of the same connection after conntrack -D: counters,\n"+
		"# start and stop timestamps; "+stamp+".\n", ev)
	if err != nil {
		t.Fatal(err)
	}
	write(t, fixtureEvent, a)
}

// pickFlow returns the dump message of the kept-open TCP connection to
// port 80 (the one with the longest timeout) and its conntrack id.
func pickFlow(t *testing.T, dump [][]byte) ([]byte, uint32) {
	var best []byte
	var bestID, bestTimeout uint32
	for _, d := range dump {
		for _, msg := range splitMessages(d) {
			f, err := timoDecode(msg)
			if err != nil || f.TupleOrig.Proto.Protocol != unix.IPPROTO_TCP || f.TupleOrig.Proto.DestinationPort != 80 {
				continue
			}
			if f.Timeout > bestTimeout {
				best, bestID, bestTimeout = msg, f.ID, f.Timeout
			}
		}
	}
	if best == nil {
		t.Fatal("no TCP flow to port 80 in the dump")
	}
	return best, bestID
}

// pickDestroy returns the DESTROY event of the flow with the given id.
func pickDestroy(t *testing.T, events [][]byte, id uint32) []byte {
	for _, d := range events {
		for _, msg := range splitMessages(d) {
			h, err := codec.ParseHeader(msg, 0)
			if err != nil || h.Type != codec.MsgType(codec.SubsysConntrack, ipctnlMsgCtDelete) {
				continue
			}
			if f, err := timoDecode(msg); err == nil && f.ID == id {
				return msg
			}
		}
	}
	t.Fatalf("no DESTROY event for flow id %d", id)
	return nil
}

func openNetfilter(groups uint32) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return -1, err
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func recvDatagram(fd int, timeout time.Duration) ([]byte, error) {
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, err
	}
	buf := make([]byte, 1<<16)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "?"
	}
	return unix.ByteSliceToString(u.Release[:])
}

func write(t *testing.T, name string, b []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d lines)", p, strings.Count(string(b), "\n"))
}
