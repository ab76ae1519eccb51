package nlsock

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// pairConn is a Conn reading from one end of an AF_UNIX datagram socket
// pair, so that datagrams of any size can be fed to the receive path
// (recvfrom with MSG_PEEK and MSG_TRUNC behaves as on netlink; the sender
// has no netlink port id, which reads as the kernel's 0).
func pairConn(t *testing.T) (*Conn, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fds[1], unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20); err != nil {
		t.Fatal(err)
	}
	c := &Conn{fd: fds[0]}
	t.Cleanup(func() { c.Close(); unix.Close(fds[1]) })
	return c, fds[1]
}

func datagram(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// A small buffer is grown to the datagram's size (the size is peeked); a
// buffer of peekBelow or more is read into at once.
func TestReceiveIntoSizes(t *testing.T) {
	c, peer := pairConn(t)
	for _, tc := range []struct{ buf, dgram int }{
		{0, 1}, {1, 100}, {4096, 4096}, {4096, 40000}, {peekBelow - 1, peekBelow - 1},
		{peekBelow, 32 << 10}, {peekBelow, peekBelow}, {2 * peekBelow, peekBelow + 1},
	} {
		want := datagram(tc.dgram)
		if _, err := unix.Write(peer, want); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, tc.buf)
		got, err := c.ReceiveInto(buf, false)
		if err != nil {
			t.Fatalf("buffer %d, datagram %d: %v", tc.buf, tc.dgram, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("buffer %d, datagram %d: got %d bytes, not the datagram", tc.buf, tc.dgram, len(got))
		}
		fits, into := tc.dgram <= tc.buf, cap(buf) > 0 && &got[0] == &buf[0]
		if into != fits {
			t.Errorf("buffer %d, datagram %d: read into the caller's buffer: %v, want %v", tc.buf, tc.dgram, into, fits)
		}
	}
	if _, err := c.ReceiveInto(make([]byte, peekBelow), false); !errors.Is(err, ErrWouldBlock) {
		t.Fatalf("empty socket: %v, want ErrWouldBlock", err)
	}
}

// A datagram longer than a buffer read without a peek is reported, not
// returned cut, and the next one is read as usual.
func TestReceiveIntoTruncated(t *testing.T) {
	c, peer := pairConn(t)
	for _, d := range [][]byte{datagram(peekBelow + 1), datagram(200)} {
		if _, err := unix.Write(peer, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.ReceiveInto(make([]byte, peekBelow), false)
	var op *OpError
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &op) || op.Op != "receive" {
		t.Fatalf("datagram of %d bytes into %d: %d bytes, %v; want a receive error matching ErrTruncated", peekBelow+1, peekBelow, len(got), err)
	}
	got, err = c.ReceiveInto(make([]byte, peekBelow), false)
	if err != nil || !bytes.Equal(got, datagram(200)) {
		t.Fatalf("after the truncated datagram: %d bytes, %v; want the next one whole", len(got), err)
	}
}
