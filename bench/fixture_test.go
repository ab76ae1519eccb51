package bench

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// Fixture files under testdata/ (see testdata/README.md). Lines starting
// with '#' are comments; the rest is hex.
const (
	// fixtureFlow is one IPv4 TCP dump reply message (DNAT'ed, established,
	// with counters and a start timestamp), exactly as the kernel sent it.
	fixtureFlow = "flow-tcp-dnat.hex"
	// fixtureEvent is the DESTROY event of the same flow (counters, start
	// and stop timestamps).
	fixtureEvent = "event-destroy-tcp.hex"
	// fixtureDump is the whole IPv4 dump, one datagram per line.
	fixtureDump = "dump-ipv4.hex"
	// fixtureEvents is every event datagram of the recording, one per line.
	fixtureEvents = "events.hex"
)

// readMessage returns the bytes of a single-message fixture: every hex line
// concatenated.
func readMessage(tb testing.TB, name string) []byte {
	tb.Helper()
	var all []byte
	for _, l := range readHexLines(tb, name) {
		all = append(all, l...)
	}
	return all
}

// readDatagrams returns a one-datagram-per-line fixture.
func readDatagrams(tb testing.TB, name string) [][]byte {
	tb.Helper()
	return readHexLines(tb, name)
}

func readHexLines(tb testing.TB, name string) [][]byte {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for n := 1; s.Scan(); n++ {
		l := strings.TrimSpace(s.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if i := strings.Index(l, "#"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		b, err := hex.DecodeString(strings.ReplaceAll(l, " ", ""))
		if err != nil {
			tb.Fatalf("%s:%d: %v", name, n, err)
		}
		out = append(out, b)
	}
	if err := s.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatalf("%s: no data", name)
	}
	return out
}

// annotate renders one message as commented hex: the netlink header, the
// nfgenmsg, then one line per top-level attribute (with its padding).
func annotate(head string, msg []byte) ([]byte, error) {
	m, err := codec.ParseMessage(msg, 0)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(head)
	fmt.Fprintf(&b, "# nlmsghdr: len %d, type %#04x, flags %#04x, seq %d, pid %d\n",
		m.Header.Len, m.Header.Type, m.Header.Flags, m.Header.Seq, m.Header.PID)
	fmt.Fprintf(&b, "%x\n", msg[:codec.HeaderLen])
	fmt.Fprintf(&b, "# nfgenmsg: family %d, version %d, res_id %d\n", m.NFGen.Family, m.NFGen.Version, m.NFGen.ResID)
	fmt.Fprintf(&b, "%x\n", msg[codec.HeaderLen:codec.AttrOffset])
	s := m.Attrs()
	end := codec.AttrOffset
	for s.Next() {
		a := s.Attr()
		next := min(a.Offset+nla.Align(nla.HeaderLen+len(a.Payload)), len(msg))
		fmt.Fprintf(&b, "# %s (%d), %d bytes\n", conntrack.PathString(conntrack.SpaceFlow, nla.Path{}.Append(a.Type)), a.Type, len(a.Payload))
		fmt.Fprintf(&b, "%x\n", msg[a.Offset:next])
		end = next
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if end != len(msg) {
		return nil, fmt.Errorf("annotate: %d trailing bytes", len(msg)-end)
	}
	return b.Bytes(), nil
}
