package capture

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTshark checks that Wireshark dissects what the Writer writes: the
// message types and the IPv4 tuple addresses it finds must be the ones
// built, for pcap and pcapng, and for netlink headers in either byte order.
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed; it is the independent dissector this test compares with")
	}
	ds := sample()
	be := sample()
	for i := range be {
		be[i].Data = swapped(t, be[i].Data)
	}
	want := []string{
		"0x0101\t",
		"0x0100,0x0100\t10.0.0.1,10.0.0.2,10.0.0.2,10.0.0.1,192.168.1.5,8.8.8.8,8.8.8.8,192.168.1.5",
		"0x0003\t",
		"0x0100\t172.16.0.1,172.16.0.9,172.16.0.9,172.16.0.1",
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		f    Format
		ds   []Datagram
	}{
		{"pcap", FormatPcap, ds},
		{"pcap-ns", FormatPcapNano, ds},
		{"pcapng", FormatPcapNG, ds},
		{"pcap-bigendian-headers", FormatPcap, be},
		{"pcapng-bigendian-headers", FormatPcapNG, be},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, write(t, tc.f, tc.ds), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(tshark, "-r", path, "-T", "fields", "-E", "aggregator=,",
				"-e", "netlink.hdr_type", "-e", "netlink-netfilter.nfct_tuple.ip.ip_addr")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, stderr.String())
			}
			got := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("tshark fields:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestWiresharkConversions reads files that Wireshark's editcap rewrote
// from the Writer's output: pcapng with an IDB of no options (µs by
// default) and the SHB options Wireshark writes, and nanosecond pcap.
func TestWiresharkConversions(t *testing.T) {
	editcap, err := exec.LookPath("editcap")
	if err != nil {
		t.Skip("editcap (Wireshark) not installed")
	}
	dir := t.TempDir()
	in := sample()
	for _, tc := range []struct {
		from   Format
		to     string
		format Format
	}{
		{FormatPcap, "pcapng", FormatPcapNG},
		{FormatPcapNG, "nsecpcap", FormatPcapNano},
		{FormatPcapNG, "pcap", FormatPcap},
	} {
		src := filepath.Join(dir, "src")
		dst := filepath.Join(dir, "dst")
		orig := write(t, tc.from, in)
		if err := os.WriteFile(src, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(editcap, "-F", tc.to, src, dst).CombinedOutput(); err != nil {
			t.Fatalf("editcap: %v\n%s", err, out)
		}
		conv, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := readAll(t, orig)
		got, errs, r := readAll(t, conv)
		if len(errs) > 0 {
			t.Fatalf("%v -> %s: %v", tc.from, tc.to, errs)
		}
		if r.Format() != tc.format {
			t.Errorf("%v -> %s: format %v", tc.from, tc.to, r.Format())
		}
		prec := time.Nanosecond
		if tc.from == FormatPcap || tc.to == "pcap" {
			prec = time.Microsecond
		}
		// epb_flags do not survive into pcap: the direction then comes
		// from PACKET_HOST or the content, which agree for the sample.
		for i := range want {
			want[i].Time = want[i].Time.Truncate(prec)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v -> %s: (-want +got):\n%s", tc.from, tc.to, diff)
		}
	}
}
