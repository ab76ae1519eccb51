package netns

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Data ports announced by [Testbed.FTP]: each becomes the destination port
// of one expectation in B.
const (
	FTPPassive4 = 10000 // "227 Entering Passive Mode" from B over IPv4
	FTPActive4  = 10001 // "PORT" from A over IPv4
	FTPPassive6 = 10002 // "229 Entering Extended Passive Mode" from B over IPv6
	FTPActive6  = 10003 // "EPRT" from A over IPv6
)

// FTP starts a tiny FTP-like control server on B's [PortFTP] and runs four
// control exchanges from A: PASV answered with 227 and PORT over IPv4, EPSV
// answered with 229 and EPRT over IPv6. B's ftp conntrack
// helper turns each announcement into an expectation: four in all, with
// destination ports [FTPPassive4], [FTPActive4], [FTPPassive6] and
// [FTPActive6]. The four control connections stay open until the test ends,
// since an expectation dies with its master connection.
func (tb *Testbed) FTP() error {
	l, err := tb.B.Listen("tcp", fmt.Sprintf("[::]:%d", PortFTP))
	if err != nil {
		return err
	}
	tb.t.Cleanup(func() { l.Close() })
	go serveFTP(l)

	// The helper keeps one expectation per master (max_expected 1), so
	// each announcement gets a control connection of its own. It parses a
	// line only after an earlier line in the same direction ended, hence
	// USER first.
	port4 := fmt.Sprintf("PORT %s,%d,%d", strings.ReplaceAll(tb.A4.String(), ".", ","), FTPActive4>>8, FTPActive4&0xff)
	for _, s := range []struct {
		dst        netip.Addr
		send, want string
	}{
		{tb.B4, "PASV", "227 "},
		{tb.B4, port4, "200 "},
		{tb.B6, "EPSV", "229 "},
		{tb.B6, fmt.Sprintf("EPRT |2|%s|%d|", tb.A6, FTPActive6), "200 "},
	} {
		c, err := tb.A.Dial("tcp", netip.AddrPort{}, netip.AddrPortFrom(s.dst, PortFTP), IOTimeout)
		if err != nil {
			return err
		}
		tb.t.Cleanup(func() { c.Close() })
		if err := c.SetDeadline(time.Now().Add(IOTimeout)); err != nil {
			return err
		}
		r := bufio.NewReader(c)
		if err := expectLine(r, "220 "); err != nil {
			return err
		}
		for _, st := range [][2]string{{"USER anonymous", "331 "}, {s.send, s.want}} {
			if _, err := fmt.Fprintf(c, "%s\r\n", st[0]); err != nil {
				return err
			}
			if err := expectLine(r, st[1]); err != nil {
				return fmt.Errorf("after %q: %w", st[0], err)
			}
		}
	}
	return nil
}

func expectLine(r *bufio.Reader, prefix string) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("netns: ftp: %w", err)
	}
	if !strings.HasPrefix(line, prefix) {
		return fmt.Errorf("netns: ftp: got %q, want a %q reply", line, prefix)
	}
	return nil
}

func serveFTP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go serveFTPConn(c)
	}
}

// serveFTPConn answers just enough of RFC 959 and RFC 2428 for the helper.
// Every reply goes out in one write, as the helper parses one segment at a
// time.
func serveFTPConn(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	local, _ := netip.ParseAddrPort(c.LocalAddr().String())
	r := bufio.NewReader(c)
	reply := func(s string) bool {
		_, err := c.Write([]byte(s + "\r\n"))
		return err == nil
	}
	if !reply("220 ctwire test server") {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		var ok bool
		switch strings.ToUpper(verb) {
		case "PASV":
			a := local.Addr().Unmap().As4()
			ok = reply(fmt.Sprintf("227 Entering Passive Mode (%d,%d,%d,%d,%d,%d)",
				a[0], a[1], a[2], a[3], FTPPassive4>>8, FTPPassive4&0xff))
		case "EPSV":
			ok = reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", FTPPassive6))
		case "USER":
			ok = reply("331 Password required")
		case "PORT", "EPRT":
			ok = reply("200 Command okay")
		case "QUIT":
			reply("221 Bye")
			return
		default:
			ok = reply("502 Command not implemented")
		}
		if !ok {
			return
		}
	}
}
