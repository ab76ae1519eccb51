package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Listen opens a listener inside the namespace (see [net.Listen]).
func (n *NS) Listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := n.Do(func() error {
		var err error
		l, err = net.Listen(network, address)
		return err
	})
	return l, err
}

// ListenPacket opens a packet socket inside the namespace (see
// [net.ListenPacket]); "ip4:icmp" and "ip6:ipv6-icmp" give raw sockets.
func (n *NS) ListenPacket(network, address string) (net.PacketConn, error) {
	var c net.PacketConn
	err := n.Do(func() error {
		var err error
		c, err = net.ListenPacket(network, address)
		return err
	})
	return c, err
}

// Dial connects from inside the namespace. laddr may be the zero value to
// let the kernel choose the source address and port.
func (n *NS) Dial(network string, laddr, raddr netip.AddrPort, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	if laddr.IsValid() {
		switch network {
		case "tcp", "tcp4", "tcp6":
			d.LocalAddr = net.TCPAddrFromAddrPort(laddr)
		case "udp", "udp4", "udp6":
			d.LocalAddr = net.UDPAddrFromAddrPort(laddr)
		default:
			return nil, fmt.Errorf("netns: dial: unsupported network %q", network)
		}
	}
	var c net.Conn
	err := n.Do(func() error {
		var err error
		c, err = d.Dial(network, raddr.String())
		return err
	})
	return c, err
}

// ErrNoReply reports a ping that got no echo reply before its deadline.
var ErrNoReply = errors.New("netns: no echo reply")

// Ping sends one ICMP (IPv4) or ICMPv6 (IPv6) echo request with identifier
// id from inside the namespace to dst over a raw socket, and waits up to
// timeout for the matching echo reply.
func (n *NS) Ping(dst netip.Addr, id, seq uint16, timeout time.Duration) error {
	network, reqType, replyType := "ip4:icmp", byte(8), byte(0)
	if dst.Is6() && !dst.Is4In6() {
		network, reqType, replyType = "ip6:ipv6-icmp", 128, 129
	}
	c, err := n.ListenPacket(network, "")
	if err != nil {
		return err
	}
	defer c.Close()
	msg := []byte{reqType, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	msg = append(msg, "ctwire ping"...)
	if reqType == 8 {
		// The kernel fills in the ICMPv6 checksum of raw sockets, not ICMP's.
		binary.BigEndian.PutUint16(msg[2:], icmpChecksum(msg))
	}
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := c.WriteTo(msg, &net.IPAddr{IP: dst.AsSlice()}); err != nil {
		return fmt.Errorf("netns: ping %v: %w", dst, err)
	}
	buf := make([]byte, 1500)
	for {
		k, _, err := c.ReadFrom(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return fmt.Errorf("%w from %v", ErrNoReply, dst)
			}
			return err
		}
		r := buf[:k]
		if len(r) >= 8 && r[0] == replyType && binary.BigEndian.Uint16(r[4:]) == id &&
			binary.BigEndian.Uint16(r[6:]) == seq {
			return nil
		}
	}
}

// icmpChecksum is the Internet checksum (RFC 1071) of b.
func icmpChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
