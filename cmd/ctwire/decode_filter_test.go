package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestDecodeFilters runs ctwire decode with conntrack's filter options on
// the bundled captures and compares with a selection made independently
// from the unfiltered text: each line's fields are read back with regular
// expressions and the filter's meaning is applied to them.
func TestDecodeFilters(t *testing.T) {
	field := func(line, key string) string { // the first (original-direction) value of key=
		m := regexp.MustCompile(`\b` + key + `=(\S+)`).FindStringSubmatch(line)
		if m == nil {
			return ""
		}
		return m[1]
	}
	body := func(line string) string { // the line without its event tag
		return strings.TrimLeft(regexp.MustCompile(`^\s*\[(NEW|UPDATE|DESTROY)\]`).ReplaceAllString(line, ""), " ")
	}
	// Flow and event lines, and expectation lines ("# expect ...").
	isFlow := regexp.MustCompile(`^(\s*(\[(NEW|UPDATE|DESTROY)\] )?[a-z0-9-]+\s+\d+ |# expect )`)
	cases := []struct {
		args []string
		keep func(line string) bool
	}{
		{[]string{"-p", "tcp", "--dport", "21"}, func(l string) bool {
			return strings.HasPrefix(body(l), "tcp ") && field(l, "dport") == "21"
		}},
		{[]string{"-s", "192.0.2.1"}, func(l string) bool { return !strings.HasPrefix(l, "#") && field(l, "src") == "192.0.2.1" }},
		{[]string{"-f", "ipv6", "-p", "udp"}, func(l string) bool {
			return strings.HasPrefix(body(l), "udp ") && strings.Contains(field(l, "src"), ":")
		}},
		{[]string{"-u", "ASSURED"}, func(l string) bool { return strings.Contains(l, "[ASSURED]") }},
		// An event mask alone selects expectation events too (conntrack -E expect).
		{[]string{"-e", "DESTROY"}, func(l string) bool {
			return strings.HasPrefix(strings.TrimLeft(l, " "), "[DESTROY]") || strings.HasPrefix(l, "# expect [DESTROY]")
		}},
		{[]string{"-e", "NEW,UPDATE", "-p", "icmp"}, func(l string) bool {
			return regexp.MustCompile(`^\s*\[(NEW|UPDATE)\] icmp `).MatchString(l)
		}},
	}
	for _, capture := range []string{"../../testdata/captures/live.pcapng", "../../testdata/captures/dump.pcap"} {
		all, _, status := runCmd(t, nil, "decode", capture)
		if status != 0 {
			t.Fatalf("decode %s: status %d", capture, status)
		}
		for _, c := range cases {
			var want []string
			for _, l := range strings.Split(strings.TrimSuffix(all, "\n"), "\n") {
				if isFlow.MatchString(l) && c.keep(l) {
					want = append(want, l)
				}
			}
			got, stderr, status := runCmd(t, nil, append([]string{"decode", capture}, c.args...)...)
			if status != 0 {
				t.Fatalf("decode %s %v: status %d: %s", capture, c.args, status, stderr)
			}
			if w := strings.Join(want, "\n"); strings.TrimSuffix(got, "\n") != w {
				t.Errorf("decode %s %v:\n%s\nwant (selected from the unfiltered text):\n%s", capture, c.args, got, w)
			}
			t.Logf("%s %v: %d of the capture's lines", capture, c.args, len(want))
		}
	}
	if _, stderr, status := runCmd(t, nil, "decode", "../../testdata/captures/live.pcapng", "-p", "nosuchproto"); status != 2 || !strings.Contains(stderr, "unsupported protocol") {
		t.Errorf("bad filter: status %d, %q", status, stderr)
	}
}
