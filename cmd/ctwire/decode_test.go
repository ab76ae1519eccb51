package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/captures")

const captures = "../../testdata/captures"

// decodeOptionSets are the -o arguments the goldens are kept for.
var decodeOptionSets = []string{"", "extended,id", "extended,id,ktimestamp", "timestamp", "json"}

func goldenName(capture, opt string) string {
	o := opt
	if o == "" {
		o = "default"
	}
	ext := ".txt"
	if opt == "json" {
		ext = ".jsonl"
	}
	return filepath.Join(captures, "golden", filepath.Base(capture)+"."+strings.ReplaceAll(o, ",", "-")+ext)
}

func runCmd(t *testing.T, stdin []byte, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	status = run(args, bytes.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), status
}

// TestDecodeGolden renders every bundled capture under every option set
// and compares with the goldens (go test -update rewrites them). The
// captures hold real kernel exchanges, so these goldens pin the whole
// pipeline: capture reading, framing, decoding and the text forms.
func TestDecodeGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(captures, "*.pcap*"))
	if len(files) == 0 {
		t.Fatal("no captures in testdata/captures")
	}
	for _, f := range files {
		for _, opt := range decodeOptionSets {
			t.Run(filepath.Base(f)+"/"+opt, func(t *testing.T) {
				args := []string{"decode"}
				if opt != "" {
					args = append(args, "-o", opt)
				}
				out, errOut, status := runCmd(t, nil, append(args, f)...)
				if status != 0 {
					t.Fatalf("status %d, stderr:\n%s", status, errOut)
				}
				g := goldenName(f, opt)
				if *update {
					if err := os.MkdirAll(filepath.Dir(g), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(g, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(g)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if out != string(want) {
					t.Errorf("output differs from %s:\n%s", g, lineDiff(string(want), out))
				}
			})
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + a + "\ngot  " + b
		}
	}
	return "(same lines)"
}

// ticking matches the two columns that move between two reads of the same
// table: the remaining timeout (after the protocol number) and delta-time.
var ticking = regexp.MustCompile(`^(ipv[46] +[0-9]+ [a-z0-9]+ +[0-9]+ )([0-9]+)(.*delta-time=)([0-9]+)(.*)$`)

// TestDecodeMatchesConntrackTools compares `ctwire decode -o extended,id`
// of the recorded dump with what `conntrack -L -o extended,id` printed for
// the same namespace right after it: every line must be identical, except
// that the timeout and delta-time may have ticked by one second between
// the two reads.
func TestDecodeMatchesConntrackTools(t *testing.T) {
	out, errOut, status := runCmd(t, nil, "decode", "-o", "extended,id", filepath.Join(captures, "dump.pcap"))
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			got = append(got, l)
		}
	}
	raw, err := os.ReadFile("../../testdata/live/dump.conntrack.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d flow lines, conntrack -L printed %d", len(got), len(want))
	}
	for i := range want {
		if got[i] == want[i] {
			continue
		}
		g, w := ticking.FindStringSubmatch(got[i]), ticking.FindStringSubmatch(want[i])
		if g == nil || w == nil || g[1] != w[1] || g[3] != w[3] || g[5] != w[5] ||
			!withinOne(g[2], w[2]) || !withinOne(g[4], w[4]) {
			t.Errorf("line %d:\nctwire    %s\nconntrack %s", i+1, got[i], want[i])
		}
	}
}

func withinOne(a, b string) bool {
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return err1 == nil && err2 == nil && x-y <= 1 && y-x <= 1
}

// TestDecodeDamaged cuts a real capture at many points: the records before
// the cut still decode, the damage is reported on stderr with its record
// index, and the exit status is 1.
func TestDecodeDamaged(t *testing.T) {
	full, err := os.ReadFile(filepath.Join(captures, "live.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	whole, _, status := runCmd(t, full, "decode")
	if status != 0 {
		t.Fatalf("intact capture: status %d", status)
	}
	for cut := 64; cut < len(full); cut += 397 {
		out, errOut, status := runCmd(t, full[:cut], "decode", "-")
		if !strings.HasPrefix(whole, out) {
			t.Fatalf("cut at %d: output is not a prefix of the intact output", cut)
		}
		if status == 0 {
			// A cut that falls exactly between blocks loses nothing
			// visible; anything else must be reported.
			if errOut != "" {
				t.Fatalf("cut at %d: status 0 with stderr %q", cut, errOut)
			}
			continue
		}
		if status != 1 || !strings.Contains(errOut, "record") {
			t.Fatalf("cut at %d: status %d, stderr %q", cut, status, errOut)
		}
	}
}

// TestDecodeFlippedBytes corrupts single bytes of the capture: decoding
// must never crash and must either succeed or report what it skipped.
func TestDecodeFlippedBytes(t *testing.T) {
	full, err := os.ReadFile(filepath.Join(captures, "dump.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 24; i < len(full); i += 7 {
		b := bytes.Clone(full)
		b[i] ^= 0xa5
		_, errOut, status := runCmd(t, b, "decode", "-o", "extended,id")
		if status == 2 || (status == 1) != (errOut != "") {
			t.Fatalf("flip at %d: status %d, stderr %q", i, status, errOut)
		}
	}
}

func TestDecodeUsage(t *testing.T) {
	if _, _, status := runCmd(t, nil, "decode", "-o", "bogus", "x"); status != 2 {
		t.Errorf("bad -o: status %d, want 2", status)
	}
	if _, _, status := runCmd(t, nil, "decode", "/nonexistent/file"); status != 1 {
		t.Errorf("missing file: status %d, want 1 (a runtime failure, not a usage error)", status)
	}
	// What the input is not, said plainly; usage only for usage errors.
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	empty := filepath.Join(dir, "empty")
	os.WriteFile(text, []byte("hello, world\n"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct{ file, want string }{
		{text, "is not pcap, pcapng, gzip or netlink messages"},
		{empty, "is empty"},
		{dir, "is a directory, not a capture"},
	} {
		stdout, stderr, status := runCmd(t, nil, "decode", c.file)
		if status != 1 || stdout != "" || !strings.Contains(stderr, c.file+" "+c.want) || strings.Contains(stderr, "usage") {
			t.Errorf("decode %s: status %d, stdout %q, stderr %q; want status 1 and %q", c.file, status, stdout, stderr, c.want)
		}
	}
	if stdout, stderr, status := runCmd(t, nil, "decode", "-h"); status != 0 || !strings.HasPrefix(stdout, "usage: ctwire decode") || stderr != "" {
		t.Errorf("decode -h: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if _, _, status := runCmd(t, nil, "frobnicate"); status != 2 {
		t.Errorf("unknown command: status %d, want 2", status)
	}
}
