package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/nla"
)

// crossOrder is true on big-endian hosts: the bundled captures come from a
// little-endian kernel, and ctwire encode writes the running host's order.
var crossOrder = nla.HostOrder.Resolve() != nla.LittleEndian

// TestEncodeRoundTrip: decode -o json | encode | decode -o json reproduces
// the first JSON, for every bundled capture and every output container,
// and the text rendering of the re-encoded capture equals the original's.
// On a host of the other byte order, encode refuses (and names) exactly
// the messages holding raw netlink bytes, and the others round-trip.
func TestEncodeRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(captures, "*.pcap*"))
	for _, f := range files {
		js, errOut, status := runCmd(t, nil, "decode", "-o", "json", f)
		if status != 0 {
			t.Fatalf("%s: decode status %d: %s", f, status, errOut)
		}
		text, _, _ := runCmd(t, nil, "decode", "-o", "extended,id", f)
		for _, format := range []string{"pcapng", "pcap-ns", "pcap", "raw"} {
			t.Run(filepath.Base(f)+"/"+format, func(t *testing.T) {
				capBytes, errOut, status := runCmd(t, []byte(js), "encode", "-o", format)
				want := js
				if crossOrder {
					want = dropRefused(t, js, errOut, status)
				} else if status != 0 {
					t.Fatalf("encode status %d: %s", status, errOut)
				}
				js2, errOut, status := runCmd(t, []byte(capBytes), "decode", "-o", "json")
				if status != 0 {
					t.Fatalf("decode of encoded: status %d: %s", status, errOut)
				}
				text2, _, _ := runCmd(t, []byte(capBytes), "decode", "-o", "extended,id")
				if !crossOrder && (format == "pcapng" || format == "pcap-ns") {
					if js2 != js {
						t.Fatalf("JSON differs after the round trip:\n%s", lineDiff(js, js2))
					}
					if text2 != text {
						t.Fatalf("text differs after the round trip:\n%s", lineDiff(text, text2))
					}
					return
				}
				// Classic µs pcap drops the nanoseconds, a raw stream has no
				// times (and one datagram per message), and a host of the
				// other order writes the other "byte-order": compare the
				// messages themselves.
				if got, want := messagesOf(t, js2), messagesOf(t, want); !slicesEqual(got, want) {
					t.Fatalf("messages differ after the round trip (%d vs %d)", len(got), len(want))
				}
			})
		}
	}
}

// dropRefused checks what ctwire encode refused on a host of the other
// byte order — only lines holding raw netlink bytes, each named on stderr —
// and returns the JSON without them.
func dropRefused(t *testing.T, js, errOut string, status int) string {
	t.Helper()
	refused := map[int]bool{}
	for _, l := range strings.Split(errOut, "\n") {
		var n int
		if _, err := fmt.Sscanf(l, "ctwire encode: line %d:", &n); err == nil {
			refused[n] = true
		}
	}
	if (status == 1) != (len(refused) > 0) || status > 1 {
		t.Fatalf("encode status %d with %d refused lines: %s", status, len(refused), errOut)
	}
	var kept []string
	for i, l := range strings.Split(strings.TrimSuffix(js, "\n"), "\n") {
		if !refused[i+1] {
			kept = append(kept, l)
			continue
		}
		if !strings.Contains(l, `"tlvs"`) && !strings.Contains(l, `"request-payload"`) &&
			!strings.Contains(l, `"payload"`) {
			t.Fatalf("line %d refused without raw netlink bytes: %s", i+1, l)
		}
	}
	return strings.Join(kept, "\n") + "\n"
}

// messagesOf returns the "message" members of JSON lines.
func messagesOf(t *testing.T, js string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(js), "\n") {
		i := strings.Index(l, `"message":`)
		if i < 0 {
			t.Fatalf("no message in %q", l)
		}
		out = append(out, l[i:])
	}
	return out
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncodeBadInput(t *testing.T) {
	js, _, _ := runCmd(t, nil, "decode", "-o", "json", filepath.Join(captures, "dump.pcap"))
	lines := strings.Split(strings.TrimSpace(js), "\n")
	in := lines[0] + "\n{\"index\":1,\"message\":{\"kind\":\"flow\",\"bogus\":1}}\nnot json\n" + lines[1] + "\n"
	capBytes, errOut, status := runCmd(t, []byte(in), "encode", "-o", "raw")
	if status != 1 {
		t.Fatalf("status %d, want 1", status)
	}
	if !strings.Contains(errOut, "line 2:") || !strings.Contains(errOut, "line 3:") {
		t.Fatalf("stderr does not name the bad lines: %q", errOut)
	}
	js2, _, status := runCmd(t, []byte(capBytes), "decode", "-o", "json")
	if status != 0 || len(messagesOf(t, js2)) != 2 {
		t.Fatalf("good lines not all encoded: status %d, %d messages", status, len(messagesOf(t, js2)))
	}
	if _, _, status := runCmd(t, nil, "encode", "-o", "xml"); status != 2 {
		t.Fatalf("bad -o: status %d, want 2", status)
	}
}

// TestEncodeTshark has Wireshark's dissector read the capture ctwire
// encode writes and checks that it finds, frame by frame, the same tuple
// addresses and ports as ctwire's own decoder, in the same order.
func TestEncodeTshark(t *testing.T) {
	if crossOrder {
		t.Skip("big-endian host: encode writes big-endian headers, which the little-endian run compares with tshark")
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (Debian package tshark; .ci/run installs it)")
	}
	js, _, _ := runCmd(t, nil, "decode", "-o", "json", filepath.Join(captures, "live.pcapng"))
	for _, format := range []string{"pcapng", "pcap"} {
		t.Run(format, func(t *testing.T) {
			capBytes, errOut, status := runCmd(t, []byte(js), "encode", "-o", format)
			if status != 0 {
				t.Fatalf("encode: %d %s", status, errOut)
			}
			path := filepath.Join(t.TempDir(), "x."+format)
			if err := os.WriteFile(path, []byte(capBytes), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-E", "aggregator=,",
				"-e", "frame.number", "-e", "netlink.hdr_type",
				"-e", "netlink-netfilter.nfct_tuple.ip.ip_addr",
				"-e", "netlink-netfilter.nfct_tuple.ip.ip6_addr",
				"-e", "netlink-netfilter.nfct_tuple.proto.num",
				"-e", "netlink-netfilter.nfct_tuple.proto.src_port",
				"-e", "netlink-netfilter.nfct_tuple.proto.dst_port").Output()
			if err != nil {
				t.Fatalf("tshark: %v", err)
			}
			frames := strings.Split(strings.TrimSpace(string(out)), "\n")
			ours := ourTupleFields(t, []byte(capBytes))
			if len(frames) != len(ours) {
				t.Fatalf("tshark saw %d frames, ctwire %d", len(frames), len(ours))
			}
			compared := 0
			for i, fr := range frames {
				col := strings.Split(fr, "\t")
				for len(col) < 7 {
					col = append(col, "")
				}
				want := ours[i]
				if want == nil {
					continue // a frame with requests or errors: not compared
				}
				got := [5]string{col[2], col[3], col[4], col[5], col[6]}
				if got != *want {
					t.Fatalf("frame %d (types %s):\ntshark %q\nctwire %q", i+1, col[1], got, *want)
				}
				compared++
			}
			if compared < 10 {
				t.Fatalf("only %d frames compared", compared)
			}
		})
	}
}

// ourTupleFields lists, per datagram of a capture, the tuple fields
// tshark's conntrack dissector shows: IPv4 and IPv6 addresses, protocol
// numbers, ports — each joined with ',' in attribute order. Datagrams
// holding anything but conntrack flows and events get nil: requests and
// echoed requests carry tuples the comparison would have to special-case.
func ourTupleFields(t *testing.T, capBytes []byte) []*[5]string {
	t.Helper()
	r, err := capture.NewReader(bytes.NewReader(capBytes))
	if err != nil {
		t.Fatal(err)
	}
	var out []*[5]string
	for d, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		var v4, v6, proto, sport, dport []string
		ok := true
		for m, err := range codec.Messages(d.Data, d.Order) {
			if err != nil {
				t.Fatal(err)
			}
			var rec conntrack.Record
			if err := (conntrack.Decoder{}).Decode(m, &rec); err != nil || (rec.Kind != conntrack.KindFlow && rec.Kind != conntrack.KindEvent) {
				ok = false
				break
			}
			for _, tu := range []conntrack.Tuple{rec.Flow.Orig, rec.Flow.Reply, rec.Flow.Master} {
				if !tu.Src.IsValid() && tu.Proto == 0 {
					continue
				}
				for _, a := range []netip.Addr{tu.Src, tu.Dst} {
					if a.Is4() {
						v4 = append(v4, a.String())
					} else if a.IsValid() {
						v6 = append(v6, a.String())
					}
				}
				proto = append(proto, strconv.Itoa(int(tu.Proto)))
				if tu.Present.Has(conntrack.ProtoAttrSrcPort) {
					sport = append(sport, strconv.Itoa(int(tu.SrcPort)))
				}
				if tu.Present.Has(conntrack.ProtoAttrDstPort) {
					dport = append(dport, strconv.Itoa(int(tu.DstPort)))
				}
			}
		}
		if !ok {
			out = append(out, nil)
			continue
		}
		j := func(s []string) string { return strings.Join(s, ",") }
		out = append(out, &[5]string{j(v4), j(v6), j(proto), j(sport), j(dport)})
	}
	return out
}

// TestEncodeConventions: a bare message object (what dump and watch
// -o json print) encodes; -w writes its file only on success; errors name
// the line and the missing key; -h and --version answer on stdout with 0.
func TestEncodeConventions(t *testing.T) {
	if nla.HostOrder.Resolve() != nla.LittleEndian {
		// A bare message object carries no byte order: the little-endian
		// raw netlink bytes (extended acks) of the bundled capture do not
		// re-encode on this host from it.
		t.Skip("the bundled capture's raw netlink bytes are little-endian")
	}
	var text bytes.Buffer
	if code := run([]string{"decode", "-o", "json", "../../testdata/captures/live.pcapng"}, nil, &text, io.Discard); code != 0 {
		t.Fatalf("decode: %d", code)
	}
	// Strip the envelopes: keep each "message" object alone.
	var bare bytes.Buffer
	for _, l := range bytes.Split(bytes.TrimSpace(text.Bytes()), []byte("\n")) {
		var env map[string]json.RawMessage
		if err := json.Unmarshal(l, &env); err != nil {
			t.Fatal(err)
		}
		bare.Write(env["message"])
		bare.WriteByte('\n')
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "bare.pcapng")
	var stderr bytes.Buffer
	if code := run([]string{"encode", "-w", out}, &bare, io.Discard, &stderr); code != 0 {
		t.Fatalf("encode of bare messages: %d\n%s", code, stderr.String())
	}
	var again bytes.Buffer
	if code := run([]string{"decode", out}, nil, &again, io.Discard); code != 0 || again.Len() == 0 {
		t.Fatalf("decode of the result: %d, %d bytes", code, again.Len())
	}
	var want bytes.Buffer
	run([]string{"decode", "../../testdata/captures/live.pcapng"}, nil, &want, io.Discard)
	delta := regexp.MustCompile(`delta-time=\d+`) // bare messages are stamped when encoded
	if delta.ReplaceAllString(again.String(), "") != delta.ReplaceAllString(want.String(), "") {
		t.Errorf("bare messages re-encoded decode differently:\n%s\nwant\n%s", again.String(), want.String())
	}

	failed := filepath.Join(dir, "failed.pcapng")
	stderr.Reset()
	code := run([]string{"encode", "-w", failed}, strings.NewReader("\n{\"header\":{}}\n"), io.Discard, &stderr)
	if _, err := os.Stat(failed); code != 1 || err == nil || !strings.Contains(stderr.String(), "line 2: conntrack: json: missing key at offset 0 (kind)") {
		t.Errorf("failed encode: status %d, file left: %v, stderr %q", code, err == nil, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	for _, args := range [][]string{{"encode", "-h"}, {"decode", "--help"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != 0 || stdout.Len() == 0 || stderr.Len() != 0 {
			t.Errorf("%v: status %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}
