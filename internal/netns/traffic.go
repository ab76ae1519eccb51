package netns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// IOTimeout bounds every network operation of the testbed's traffic.
const IOTimeout = 5 * time.Second

// StartServers starts the echo servers: TCP on B's [PortTCPServer] (all
// addresses) and UDP on B's alternate addresses at [PortUDPServer] (the
// DNAT targets, so replies leave from the address the DNAT chose), and TCP
// and UDP on A's [PortA]. They stop at the end of the test. Calling it again
// does nothing.
func (tb *Testbed) StartServers() error {
	tb.serversOnce.Do(func() { tb.serversErr = tb.startServers() })
	return tb.serversErr
}

func (tb *Testbed) startServers() error {
	tcp := []struct {
		ns   *NS
		addr string
	}{
		{tb.B, fmt.Sprintf("[::]:%d", PortTCPServer)},
		{tb.A, fmt.Sprintf("[::]:%d", PortA)},
	}
	for _, s := range tcp {
		l, err := s.ns.Listen("tcp", s.addr)
		if err != nil {
			return err
		}
		tb.t.Cleanup(func() { l.Close() })
		go serveTCPEcho(l)
	}
	udp := []struct {
		ns   *NS
		addr netip.AddrPort
	}{
		{tb.B, netip.AddrPortFrom(tb.B4Alt, PortUDPServer)},
		{tb.B, netip.AddrPortFrom(tb.B6Alt, PortUDPServer)},
		{tb.A, netip.AddrPortFrom(tb.A4, PortA)},
		{tb.A, netip.AddrPortFrom(tb.A6, PortA)},
	}
	for _, s := range udp {
		c, err := s.ns.ListenPacket("udp", s.addr.String())
		if err != nil {
			return err
		}
		tb.t.Cleanup(func() { c.Close() })
		go serveUDPEcho(c)
	}
	return nil
}

func serveTCPEcho(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			_, _ = io.Copy(c, c)
		}()
	}
}

func serveUDPEcho(c net.PacketConn) {
	buf := make([]byte, 2048)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = c.WriteTo(buf[:n], from)
	}
}

// echo writes msg on c and reads it back.
func echo(c net.Conn, msg []byte) error {
	if err := c.SetDeadline(time.Now().Add(IOTimeout)); err != nil {
		return err
	}
	if _, err := c.Write(msg); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("netns: echo got %q, want %q", got, msg)
	}
	return nil
}

// Flow names one exchange of [Testbed.Traffic].
type Flow struct {
	Network  string         // "tcp", "udp" or "icmp"
	From     *NS            // where it was started
	Local    netip.AddrPort // bound source, zero when the kernel chose
	Remote   netip.AddrPort // destination (port 0 for icmp)
	KeepOpen bool           // TCP connection left established until the test ends
}

// Flows returns the exchanges [Testbed.Traffic] makes, in order:
//
//   - A to B, DNAT'ed by B: TCP to B4:80 and [B6]:80 (one connection closed,
//     one kept open each), UDP to B4:53 and [B6]:53;
//   - A pings B4 and B6;
//   - B to A, source NAT'ed by B: TCP and UDP from B4Alt (masquerade) and
//     B6Alt (SNAT) to A's port 9000;
//   - B pings A4 and A6.
func (tb *Testbed) Flows() []Flow {
	ap := netip.AddrPortFrom
	var fs []Flow
	for _, dst := range []netip.Addr{tb.B4, tb.B6} {
		fs = append(fs,
			Flow{Network: "tcp", From: tb.A, Remote: ap(dst, PortDNAT)},
			Flow{Network: "tcp", From: tb.A, Remote: ap(dst, PortDNAT), KeepOpen: true},
			Flow{Network: "udp", From: tb.A, Remote: ap(dst, PortUDPDNAT)},
			Flow{Network: "icmp", From: tb.A, Remote: ap(dst, 0)},
		)
	}
	for _, p := range [][2]netip.Addr{{tb.B4Alt, tb.A4}, {tb.B6Alt, tb.A6}} {
		fs = append(fs,
			Flow{Network: "tcp", From: tb.B, Local: ap(p[0], 0), Remote: ap(p[1], PortA)},
			Flow{Network: "udp", From: tb.B, Local: ap(p[0], 0), Remote: ap(p[1], PortA)},
			Flow{Network: "icmp", From: tb.B, Remote: ap(p[1], 0)},
		)
	}
	return fs
}

// Traffic starts the servers and runs every exchange of [Testbed.Flows]
// once: a few TCP connections with a short echo, two UDP datagrams each way
// per flow, and one ping per address. Kept-open connections close at the
// end of the test.
func (tb *Testbed) Traffic() error {
	if err := tb.StartServers(); err != nil {
		return err
	}
	var errs []error
	for i, f := range tb.Flows() {
		if err := tb.run(i, f); err != nil {
			errs = append(errs, fmt.Errorf("flow %d %s %v -> %v: %w", i, f.Network, f.Local, f.Remote, err))
		}
	}
	return errors.Join(errs...)
}

func (tb *Testbed) run(i int, f Flow) error {
	switch f.Network {
	case "icmp":
		return f.From.Ping(f.Remote.Addr(), uint16(0x4300+i), 1, IOTimeout)
	case "tcp", "udp":
	default:
		return fmt.Errorf("netns: unknown flow network %q", f.Network)
	}
	c, err := f.From.Dial(f.Network, f.Local, f.Remote, IOTimeout)
	if err != nil {
		return err
	}
	msg := fmt.Appendf(nil, "ctwire flow %d over %s\n", i, f.Network)
	err = echo(c, msg)
	if err == nil && f.Network == "udp" {
		err = echo(c, msg)
	}
	if f.KeepOpen && err == nil {
		tb.t.Cleanup(func() { c.Close() })
		return nil
	}
	return errors.Join(err, c.Close())
}

// testbed state kept out of the exported struct literal.
type serverState struct {
	serversOnce sync.Once
	serversErr  error
}
