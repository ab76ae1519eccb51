package capture

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
