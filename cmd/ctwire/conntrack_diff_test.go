//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/internal/nlsock"
)

// TestConntrackDifferential runs conntrack-tools' conntrack and `ctwire
// conntrack` on the same argument vectors in namespaces of their own and
// compares standard output (timeouts, delta-times and, after re-created
// entries, ids masked; lines sorted where the dump order may differ), the
// standard error, the exit status and, for writes, the table afterwards.
// It needs root, the conntrack tool and namespaces; it builds ctwire with
// CGO_ENABLED=0.
func TestConntrackDifferential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (namespaces and the conntrack table)")
	}
	ref, err := exec.LookPath("conntrack")
	if err != nil {
		t.Skip("conntrack-tools' conntrack is not installed (apt-get install conntrack)")
	}
	if out, _ := exec.Command(ref, "--version").CombinedOutput(); !bytes.Contains(out, []byte("v1.4.7")) {
		t.Skipf("conntrack is not version 1.4.7: %s", out)
	}
	bin := filepath.Join(t.TempDir(), "ctwire")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ctwire: %v\n%s", err, out)
	}
	tb := netns.NewTestbed(t)
	if err := nlsock.Probe(tb.B.Path()); err != nil {
		// Also where the test runs under qemu-user (GOARCH=s390x): the
		// ctwire it builds would not run on this host either.
		t.Skipf("ctnetlink unavailable to this process: %v", err)
	}
	w := netns.New(t)
	for _, ns := range []*netns.NS{tb.B, w} {
		for _, kv := range [][2]string{{"net.netfilter.nf_conntrack_udp_timeout", "3600"},
			{"net.netfilter.nf_conntrack_udp_timeout_stream", "3600"}, {"net.netfilter.nf_conntrack_icmp_timeout", "3600"},
			{"net.netfilter.nf_conntrack_icmpv6_timeout", "3600"}, {"net.netfilter.nf_conntrack_tcp_timeout_time_wait", "3600"},
			{"net.netfilter.nf_conntrack_tcp_timeout_close", "3600"}, {"net.netfilter.nf_conntrack_tcp_timeout_fin_wait", "3600"},
			{"net.netfilter.nf_conntrack_tcp_timeout_close_wait", "3600"}, {"net.netfilter.nf_conntrack_tcp_timeout_last_ack", "3600"},
			{"net.netfilter.nf_conntrack_acct", "1"}, {"net.netfilter.nf_conntrack_timestamp", "1"}} {
			if err := ns.Sysctl(kv[0], kv[1]); err != nil {
				t.Logf("sysctl %s: %v", kv[0], err)
			}
		}
		// A rule that sets a label makes the kernel keep labels in this
		// namespace; its condition never holds.
		if err := ns.Nft("table inet ctlabels {\n chain c {\n type filter hook prerouting priority 0; policy accept;\n meta mark 0x7eadbeef ct label set 127\n }\n}\n"); err != nil {
			t.Skipf("cannot enable conntrack labels: %v", err)
		}
		installLabelMap(t, ns.Name)
	}
	if err := tb.StartServers(); err != nil {
		t.Fatal(err)
	}
	if err := tb.Traffic(); err != nil {
		t.Fatal(err)
	}
	if err := tb.FTP(); err != nil {
		t.Fatal(err)
	}
	d := &differ{t: t, ref: ref, bin: bin}
	for _, a := range setupEntries {
		if out, err := exec.Command("ip", append([]string{"netns", "exec", tb.B.Name, ref}, strings.Fields(a)...)...).CombinedOutput(); err != nil {
			t.Errorf("conntrack %s: %v\n%s", a, err, out)
		}
	}
	for _, v := range readVectors() {
		d.compareRead(tb.B.Name, v)
	}
	for _, v := range writeVectors() {
		d.compareWrite(w.Name, v)
	}
	for _, v := range eventVectors() {
		d.compareEvents(w.Name, v)
	}
	t.Logf("%d argument vectors, %d identical, %d known differences", d.total, d.same, d.known)
	if d.total < 200 {
		t.Errorf("only %d vectors", d.total)
	}
}

// installLabelMap gives namespace ns a connlabel.conf: `ip netns exec`
// mounts /etc/netns/NAME/xtables over /etc/xtables, which must exist.
func installLabelMap(t *testing.T, ns string) {
	if _, err := os.Stat("/etc/xtables"); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir("/etc/xtables", 0o755); err != nil {
			t.Skipf("cannot create /etc/xtables for the label map: %v", err)
		}
		t.Cleanup(func() { os.Remove("/etc/xtables") })
	}
	if _, err := os.Stat("/etc/netns"); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir("/etc/netns", 0o755); err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { os.Remove("/etc/netns") })
	}
	dir := filepath.Join("/etc/netns", ns, "xtables")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Join("/etc/netns", ns)) })
	const labels = "# test labels\n0 red\n1 blue\n2 green\n5 yellow\n64 far\n127 last\n"
	if err := os.WriteFile(filepath.Join(dir, "connlabel.conf"), []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setupEntries are created with conntrack -I beside the testbed's traffic:
// every protocol over IPv4 and IPv6, marks, zones, directional zones and
// labels.
var setupEntries = []string{
	"-I -s 10.1.0.1 -d 10.1.0.2 -p tcp --sport 1000 --dport 80 -t 3000 --state ESTABLISHED -u ASSURED -m 1 -w 11",
	"-I -s 10.1.0.1 -d 10.1.0.2 -p tcp --sport 1001 --dport 443 -t 3000 --state SYN_SENT -m 0x11",
	"-I -s 10.1.0.3 -d 10.1.0.4 -p udp --sport 53 --dport 5353 -t 3000 --orig-zone 21 -m 0x30",
	"-I -s 10.1.0.3 -d 10.1.0.4 -p udp --sport 54 --dport 5353 -t 3000 --reply-zone 22",
	"-I -s 10.1.0.3 -d 10.1.0.4 -p udp --sport 55 --dport 5353 -t 3000 -w 12",
	"-I -s 10.1.0.5 -d 10.1.0.6 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 3000",
	"-I -s 2001:db8:1::1 -d 2001:db8:1::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 78 -t 3000",
	"-I -s 2001:db8:1::1 -d 2001:db8:1::2 -p sctp --sport 5 --dport 6 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 3000",
	"-I -s 10.1.0.7 -d 10.1.0.8 -p gre --srckey 1 --dstkey 2 -t 3000",
	"-I -s 10.1.0.9 -d 10.1.0.10 -p udplite --sport 3 --dport 4 -t 3000 --label-add red,blue",
	"-I -s 2001:db8:1::3 -d 2001:db8:1::4 -p 41 -t 3000 --label-add green",
	"-I -s 2001:db8:1::5 -d 2001:db8:1::6 -p tcp --sport 7 --dport 8 -t 3000 --state TIME_WAIT --label-add far,last -m 5",
	"-I -s 10.1.0.11 -d 10.1.0.12 -r 10.1.0.13 -q 10.1.0.11 -p tcp --sport 9 --dport 10 --reply-port-src 11 --reply-port-dst 9 -t 3000 --state ESTABLISHED",
	"-I -s 10.1.0.14 -d 10.1.0.15 -p udp --sport 99 --dport 100 -t 3000 -u SEEN_REPLY",
}

var outputs = []string{"", "-o extended", "-o id", "-o xml", "-o ktimestamp", "-o labels", "-o extended,id,labels", "-o xml,id,ktimestamp"}

var filters = []string{"", "-p tcp", "-p udp", "-p icmp", "-p icmpv6", "-p sctp", "-p gre", "-p udplite",
	"-p 41", "-p ipv6", "-f ipv4", "-f ipv6", "-s 192.0.2.1", "-d 192.0.2.2", "-r 192.0.2.3", "-q 192.0.2.1",
	"-s 2001:db8::1", "-s 192.0.2.0/24", "-d 2001:db8::/64", "-s 10.1.0.0/16 -d 10.1.0.2", "-m 1", "-m 0x10/0x10", "-m 0",
	"-w 0", "-w 11", "-w 12", "--orig-zone 21", "--orig-zone 0", "--reply-zone 22", "-u ASSURED", "-u SEEN_REPLY",
	"-u !ASSURED", "-u UNREPLIED", "-u EXPECTED", "-u ASSURED,!SEEN_REPLY", "--src-nat", "--dst-nat", "--any-nat",
	"--src-nat 192.0.2.2", "--dst-nat 192.0.2.3", "--dst-nat 192.0.2.3:8080", "-j 192.0.2.2", "--src-nat --dst-nat",
	"-p tcp --dport 8080", "-p tcp --dport 21", "-p tcp --state ESTABLISHED", "-p tcp --state TIME_WAIT",
	"-p udp --sport 5353", "-p udp --reply-port-src 5353", "-p tcp --reply-port-src 8080", "-p icmp --icmp-type 8",
	"-p icmp --icmp-id 77", "-p icmpv6 --icmpv6-type 128", "-l blue", "-l red,blue", "-l far", "-l last -l green",
	"-s 192.0.2.1 --mask-src 255.255.255.0", "-d 2001:db8::2 --mask-dst ffff:ffff::", "-p gre --srckey 1",
	"-p sctp --state ESTABLISHED", "-c 5", "-p TCP --dp 80", "-p 6 --sport 1000", "-s 10.1.0.1 -p tcp -m 1 -w 11 -u ASSURED"}

// readVectors are the commands that leave the table as it is.
func readVectors() []string {
	var v []string
	for _, f := range filters {
		v = append(v, strings.TrimSpace("-L "+f))
	}
	for i, f := range filters {
		o := outputs[1+i%(len(outputs)-1)]
		v = append(v, strings.TrimSpace("-L "+f+" "+o))
	}
	for _, o := range outputs[1:] {
		v = append(v, "-L conntrack "+o, "-L dying "+o, "-L expect "+o)
	}
	v = append(v, "-L unconfirmed", "-L dying -p tcp", "-L expect -f ipv6", "-L expect -o timestamp",
		"-C", "-C expect", "-S", "-S expect", "-V", "--version", "-h", "-h -p tcp", "-h -p icmpv6", "-h -p gre",
		"-h -p 41", "-h -p ipv6-icmp", "-h -p sctp", "",
		"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 80",
		"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 80 -o xml",
		"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 80 -o extended,id,ktimestamp",
		"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 80 -w 11",
		"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 81",
		"-G -p udp -r 10.1.0.4 -q 10.1.0.3 --reply-port-src 5353 --reply-port-dst 53",
		"-G -p icmp -s 10.1.0.5 -d 10.1.0.6 --icmp-type 8 --icmp-code 0 --icmp-id 77",
		"-G -p udplite -s 10.1.0.9 -d 10.1.0.10 --sport 3 --dport 4 -o labels",
		"-G expect -p tcp -s 192.0.2.1 -d 192.0.2.2 --sport 1 --dport 2 --reply-port-src 2 --reply-port-dst 1",
		// refusals
		"-L -x", "-L -w", "-L -L", "-L -S", "-L foo", "-L --sport 1", "-L -p gre --dport 2", "-L --orig",
		"-L --d", "-L --sr=1.1.1.1", "-L -u CONFIRMED", "-L -u SRC_NAT", "-L -u UNSET", "-L -e NEW", "-S -p tcp",
		"-p tcp", "-A", "-L -f ipv5", "-L -f ipv4x", "-L -s 1.1.1.1 -f ipv6", "-L -r 1.1.1.0/24", "-L -s 1.1.1.1/33",
		"-L -s nonsense", "-L -l nosuch", "-L -o bogus", "-L -o id,bogus,x", "-L -o s", "-L -o save,id",
		"-L -z -p tcp", "-L --mask-src 255.0.0.0", "-L -i 5", "-L --id=5", "-C -o xml", "-U expect", "-I dying",
		"-D unconfirmed", "-G -s 1.1.1.1 -p tcp", "-G -s 1.1.1.1 -d 2.2.2.2 -p udp", "-L -p tcp --mask-port-src 3",
		"-D expect", "-I expect", "-L -p nosuchproto", "-L -p 256", "-L --src-nat 1.2.3.4/8", "-L -n -j",
		"-L --dst-nat [2001:db8::1]:80", "-L --dst-nat 1.2.3.4:", "-L --dst-nat 1.2.3.4:x",
		"-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 3 -t 10", "-I -s 1.1.1.1 -d 2.2.2.2 -p tcp -t 10 --state SYN_SENT",
		"-I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 3 -t 10 --state FOO", "-L --label-add red",
		"-U --label-add red --label-del blue", "-L -p icmp --icmp-type", "-E -e NEW,bogus", "-L expect -p tcp",
		"-L -- -p tcp", "-L stray -p tcp", "-L -p tcp stray",
		"-L -m 1 -u ASSURED", "-L -u ASSURED -m 1", "-L -m 0x11/0x10 -u SEEN_REPLY", "-G -f ipv4 -p udp -r 10.1.0.4 -q 10.1.0.3",
		"-L --src-nat 2001:db8::2", "-L --dst-nat 2001:db8::3", "-L --src-nat 2001:db8::99", "-L --any-nat 2001:db8::2 -o id",
		"-G -p tcp -r 10.1.0.2 -q 10.1.0.1 --reply-port-src 443 --reply-port-dst 1001",
		// -o save
		"-L -o save", "-L -o save -p tcp", "-L -o save -p udp", "-L -o save -p sctp", "-L -o save -p icmp",
		"-L -o save -p icmpv6", "-L -o save -p gre", "-L -o save -p udplite", "-L -o save -p 41", "-L -o save -f ipv6",
		"-L -o save --any-nat", "-L -o save -w 11", "-L -o save --orig-zone 21", "-L -o save --reply-zone 22",
		"-L -o save -l blue", "-L -o save -u SEEN_REPLY", "-L -o save -m 0x10/0x10", "-L conntrack -o save",
		"-L dying -o save", "-L expect -o save", "-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1000 --dport 80 -o save")
	return v
}

type writeVector struct {
	args  string
	setup []string
}

// writeSetup are the entries each write starts from, in the write
// namespace.
var writeSetup = []string{
	"-I -s 10.2.0.1 -d 10.2.0.2 -p tcp --sport 1 --dport 2 -t 3000 --state ESTABLISHED -m 1",
	"-I -s 10.2.0.1 -d 10.2.0.3 -p tcp --sport 3 --dport 4 -t 3000 --state SYN_SENT -m 2 -w 11",
	"-I -s 10.2.0.5 -d 10.2.0.6 -p udp --sport 5 --dport 6 -t 3000 --label-add red",
	"-I -s 2001:db8:2::1 -d 2001:db8:2::2 -p udp --sport 7 --dport 8 -t 3000 -m 3",
	"-I -s 10.2.0.7 -d 10.2.0.8 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 9 -t 3000",
}

// labelled is an entry with labels of bits 0, 64 and 127 beside the
// setup, for -U --label-del.
var labelled = append(append([]string(nil), writeSetup...),
	"-I -s 10.2.0.9 -d 10.2.0.10 -p udp --sport 9 --dport 10 -t 3000 --label-add red,far,last")

func writeVectors() []writeVector {
	v := []writeVector{
		{"-U -f ipv4 -p udp --label-del last", labelled},
		{"-U -f ipv4 -s 10.2.0.9 -p udp --label-del far", labelled},
		{"-U -p udp --label-del red,last -o labels", labelled},
		{"-F -f ipv4", writeSetup},
	}
	for _, a := range []string{
		"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED -m 7 -w 3 -u ASSURED",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 11 --dport 12 -t 100 --orig-zone 4 --reply-zone 5",
		"-I -s 2001:db8:3::1 -d 2001:db8:3::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 5 -t 100",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p gre --srckey 5 --dstkey 6 -t 100",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p sctp --sport 1 --dport 2 --state ESTABLISHED --orig-vtag 3 --reply-vtag 4 -t 100",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p 99 -t 100 --label-add blue,last",
		"-I -r 10.3.0.2 -q 10.3.0.1 -p udp --reply-port-src 2 --reply-port-dst 1 -t 100",
		"-I -s 10.2.0.1 -d 10.2.0.2 -p tcp --sport 1 --dport 2 -t 3000 --state ESTABLISHED",
		"-A -s 10.2.0.1 -d 10.2.0.2 -p tcp --sport 1 --dport 2 -t 500 --state ESTABLISHED",
		"-A -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 500",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED --src-nat 10.9.9.9",
		"-D", "-D -p tcp", "-D -s 10.2.0.1", "-D -m 2", "-D -f ipv6", "-D -w 11", "-D -p udp -l red", "-D -s 10.9.9.9",
		"-D -p tcp --sport 1 -o xml", "-D -p icmp -o extended,id", "-D -m 2 -o xml", "-D --label-add red",
		"-U -f ipv4 -m 9", "-U -f ipv4 -p tcp -u ASSURED", "-U -f ipv6 -p udp -m 4", "-U -f ipv4 -p udp --label-add blue", "-U -f ipv4 -p udp --label-del red",
		"-U -f ipv4 -s 10.2.0.1 -t 500", "-U -f ipv4 -p tcp -m 0x100/0x100 -o id",
		"-I -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 100 -m 7/0xff -u SEEN_REPLY",
		"-A -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 100 -o id",
		"-U -m 9", "-U -p tcp -m 0x100/0x100", "-U -s 10.2.0.1 -t 500", "-U -p tcp -u ASSURED", "-U --label-add blue",
		"-U -p udp --label-del red", "-U -p udp --label-del", "-U -s 10.9.9.9 -m 1", "-U -p tcp --state CLOSE -o id",
		"-F", "-F -f ipv6", "-F expect", "-L -z", "-L -z -o xml",
		"-I expect -s 10.2.0.1 -d 10.2.0.2 -p tcp --sport 1 --dport 2 --tuple-src 10.2.0.1 --tuple-dst 10.2.0.2 --mask-src 255.255.255.255 --mask-dst 255.255.255.255 --tuple-port-src 0 --tuple-port-dst 5000 --mask-port-src 0 --mask-port-dst 65535 -t 60",
		"-D expect -s 10.2.0.1 -d 10.2.0.2 -p tcp --sport 0 --dport 5000 --reply-port-src 5000 --reply-port-dst 0",
	} {
		v = append(v, writeVector{args: a, setup: writeSetup})
	}
	return v
}

// eventVectors are -E runs during a fixed series of changes.
func eventVectors() []string {
	return []string{"-E", "-E -e NEW", "-E -e DESTROY", "-E -o xml", "-E -p tcp", "-E -f ipv6", "-E expect", "-E expect -o xml"}
}

type differ struct {
	t           *testing.T
	ref, bin    string
	total, same int
	known       int
}

type result struct {
	stdout, stderr string
	status         int
}

func (d *differ) run(ns string, tool string, args []string) result {
	argv := []string{"netns", "exec", ns, tool}
	if tool == d.bin {
		argv = append(argv, "conntrack")
	}
	cmd := exec.Command("ip", append(argv, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = ctx
	err := cmd.Run()
	st := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		st = ee.ExitCode()
	} else if err != nil {
		d.t.Fatal(err)
	}
	return result{o.String(), e.String(), st}
}

var (
	reTimeout = regexp.MustCompile(`(?m)^((?:\[[A-Z]+\] +)?(?:ipv[46] +\d+ )?[a-z0-9-]+ +\d+ )\d+ `)
	reExpTime = regexp.MustCompile(`(?m)^(\[\d+ *\.\d+ *\]\t)?\d+ proto=`)
	// -o save writes the timeout as the line's first option.
	reSaveTime = regexp.MustCompile(`(?m)^(-[AUD] -t )\d+ `)
	reDelta    = regexp.MustCompile(`delta-time=\d+`)
	reXMLNum   = regexp.MustCompile(`<(timeout|deltatime|start|stop|hour|min|sec)>\d+</`)
	reID       = regexp.MustCompile(`( id=|<id>)\d+`)
	reTS       = regexp.MustCompile(`(?m)^\[\d+\.\d+\]\t`)
	reStart    = regexp.MustCompile(`\[(start|stop)=[^\]]*\]`)
	rePortid   = regexp.MustCompile(`portid=\d+`)
	// progname= is printed only when the process that caused the event
	// is still there when the listener looks it up in /proc: a race
	// between the writer's exit and each tool's lookup.
	reProgname = regexp.MustCompile(` progname=\S+`)
	// The testbed's connections still carry traffic while the tools run
	// one after the other: counters move, as timeouts do.
	reCounters = regexp.MustCompile(`packets=\d+ bytes=\d+`)
)

// normalize masks what differs from run to run and sorts the lines.
func ctNormalize(s string, ids, sortLines bool) string {
	s = reTimeout.ReplaceAllString(s, "${1}T ")
	s = reExpTime.ReplaceAllString(s, "T proto=")
	s = reSaveTime.ReplaceAllString(s, "${1}T ")
	s = reDelta.ReplaceAllString(s, "delta-time=D")
	s = reXMLNum.ReplaceAllString(s, "<$1>N</")
	s = reTS.ReplaceAllString(s, "[TS]\t")
	s = reStart.ReplaceAllString(s, "[$1=T]")
	s = reCounters.ReplaceAllString(s, "packets=N bytes=N")
	if ids {
		s = reID.ReplaceAllString(s, "${1}N")
		s = rePortid.ReplaceAllString(s, "portid=P")
		s = reProgname.ReplaceAllString(s, "")
	}
	if sortLines {
		l := strings.Split(s, "\n")
		sort.Strings(l)
		s = strings.Join(l, "\n")
	}
	return s
}

// knownDifferences are the vectors whose output is allowed to differ,
// with the reason (see CONNTRACK-DIFFERENCES.md).
var knownDifferences = map[string]string{
	"":                "usage names the program by argv[0]: /usr/sbin/conntrack as ip netns exec runs it, conntrack for ctwire",
	"-h":              "usage names the program by argv[0]",
	"-h -p tcp":       "usage names the program by argv[0]",
	"-h -p icmpv6":    "usage names the program by argv[0]",
	"-h -p gre":       "usage names the program by argv[0]",
	"-h -p 41":        "usage names the program by argv[0]",
	"-h -p ipv6-icmp": "usage names the program by argv[0]",
	"-h -p sctp":      "usage names the program by argv[0]",

	// conntrack 1.4.7's faults: ctwire does what the option means, and
	// meantEffects checks that it does.
	"-L -m 1 -u ASSURED":                                mAfterU,
	"-L -s 10.1.0.1 -p tcp -m 1 -w 11 -u ASSURED":       mAfterU,
	"-L -s 10.1.0.1 -p tcp -m 1 -w 11 -u ASSURED -o id": mAfterU,
	"-L -m 0x11/0x10 -u SEEN_REPLY":                     mAfterU,
	"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED -m 7 -w 3 -u ASSURED": mAfterU,
	"-I -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 100 -m 7/0xff -u SEEN_REPLY":                    mAfterU,
	"-L --src-nat 2001:db8::2":       natV6,
	"-L --dst-nat 2001:db8::3":       natV6,
	"-L --src-nat 2001:db8::99":      natV6,
	"-L --any-nat 2001:db8::2 -o id": natV6,
	"-G -p udp -r 10.1.0.4 -q 10.1.0.3 --reply-port-src 5353 --reply-port-dst 53":  getReply,
	"-G -p tcp -r 10.1.0.2 -q 10.1.0.1 --reply-port-src 443 --reply-port-dst 1001": getReply,
	"-U -m 9":                                  uUnspec,
	"-U -p tcp -m 0x100/0x100":                 uUnspec,
	"-U -p tcp -u ASSURED":                     uUnspec,
	"-U --label-add blue":                      uUnspec,
	"-U -p udp --label-del red":                uUnspec,
	"-U -p udp --label-del":                    uUnspec,
	"-U -p tcp --state CLOSE -o id":            uUnspec,
	"-U -p udp --label-del red,last -o labels": uUnspec + "; " + labelDel,
	"-U -f ipv4 -m 9":                          uShift,
	"-U -f ipv4 -p tcp -u ASSURED":             uShift,
	"-U -f ipv4 -s 10.2.0.1 -t 500":            uShift,
	"-U -f ipv4 -p tcp -m 0x100/0x100 -o id":   uShift,
	"-U -s 10.2.0.1 -t 500":                    uShift,
	"-U -f ipv4 -p udp --label-del last":       labelDel,
	"-F -f ipv6":                               flushFamily,
	"-F -f ipv4":                               flushFamily,
}

const (
	mAfterU     = "conntrack 1.4.7 writes -u's status bits into the value of a -m given before it; ctwire keeps -m's mark"
	natV6       = "conntrack 1.4.7 compares IPv4 NAT addresses only (an IPv6 one selects every NATed entry); ctwire compares the IPv6 address"
	getReply    = "libnetfilter_conntrack builds no get from the reply tuple alone (conntrack fails: invalid parameters); ctwire sends the get by CTA_TUPLE_REPLY"
	uUnspec     = "without -f conntrack 1.4.7 sends -U's update and read-back with AF_UNSPEC, which the kernel refuses (EOPNOTSUPP); ctwire sends each entry's own family, and the update succeeds"
	uShift      = "conntrack 1.4.7 reads one datagram per -U request, so its answers shift from the second entry on (entries missing from its output, refusals reported or not); ctwire reads each request's answers to its acknowledgement: every updated entry printed, every refusal reported"
	labelDel    = "conntrack 1.4.7 (libnetfilter_conntrack) sends --label-del's mask only when its size is the entry's, and then with the remaining labels, which the kernel's XOR clears; ctwire sends the named labels as a 16-byte mask and no label: exactly those deleted"
	flushFamily = "conntrack 1.4.7 sends -F -f FAMILY with nfgenmsg version 0, which flushes every family; ctwire sends version 1: that family only"
)

// meant is what ctwire must do where it differs from conntrack by
// design: the same as conntrack does with other arguments.
type meant struct {
	// ref are conntrack argument vectors, run from the same setup: a
	// read's output must be the first one's, a write's table afterwards
	// theirs.
	ref []string
	// sameOut: a write's own output is conntrack's (the table alone
	// differs).
	sameOut bool
	// For -U: lines entries printed, each a line of conntrack's listing
	// list run on ctwire's table afterwards, refused refusals reported
	// (updates of entries of another zone, which -U's request does not
	// name), and the summary counting the lines.
	list           string
	lines, refused int
}

// both is a -U for each family, as -U without -f means.
func both(args string) []string {
	return []string{strings.Replace(args, "-U", "-U -f ipv4", 1), strings.Replace(args, "-U", "-U -f ipv6", 1)}
}

// meantEffects are the checks of the differences by design (setup: A tcp
// mark 1, B tcp mark 2 in zone 11, C udp label red, D udp over IPv6 mark
// 3, E icmp; in the -U --label-del vectors F udp labels red, far, last).
var meantEffects = map[string]meant{
	"-L -m 1 -u ASSURED":                                {ref: []string{"-L -u ASSURED -m 1"}},
	"-L -s 10.1.0.1 -p tcp -m 1 -w 11 -u ASSURED":       {ref: []string{"-L -s 10.1.0.1 -p tcp -u ASSURED -m 1 -w 11"}},
	"-L -s 10.1.0.1 -p tcp -m 1 -w 11 -u ASSURED -o id": {ref: []string{"-L -s 10.1.0.1 -p tcp -u ASSURED -m 1 -w 11 -o id"}},
	"-L -m 0x11/0x10 -u SEEN_REPLY":                     {ref: []string{"-L -u SEEN_REPLY -m 0x11/0x10"}},
	"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED -m 7 -w 3 -u ASSURED": {sameOut: true,
		ref: []string{"-I -s 10.3.0.1 -d 10.3.0.2 -p tcp --sport 11 --dport 12 -t 100 --state ESTABLISHED -u ASSURED -m 7 -w 3"}},
	"-I -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 100 -m 7/0xff -u SEEN_REPLY": {sameOut: true,
		ref: []string{"-I -s 10.3.0.1 -d 10.3.0.2 -p udp --sport 1 --dport 2 -t 100 -u SEEN_REPLY -m 7/0xff"}},
	"-L --src-nat 2001:db8::2":       {ref: []string{"-L --src-nat -q 2001:db8::2"}},
	"-L --dst-nat 2001:db8::3":       {ref: []string{"-L --dst-nat -r 2001:db8::3"}},
	"-L --src-nat 2001:db8::99":      {ref: []string{"-L --src-nat -q 2001:db8::99"}},
	"-L --any-nat 2001:db8::2 -o id": {ref: []string{"-L --src-nat -q 2001:db8::2 -o id"}},
	"-G -p udp -r 10.1.0.4 -q 10.1.0.3 --reply-port-src 5353 --reply-port-dst 53": {
		ref: []string{"-L -p udp -s 10.1.0.3 -d 10.1.0.4 --sport 53 --dport 5353"}},
	"-G -p tcp -r 10.1.0.2 -q 10.1.0.1 --reply-port-src 443 --reply-port-dst 1001": {
		ref: []string{"-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 1001 --dport 443"}},
	"-U -m 9":                       {ref: both("-U -m 9"), list: "-L", lines: 4, refused: 1},
	"-U -p tcp -m 0x100/0x100":      {ref: both("-U -p tcp -m 0x100/0x100"), list: "-L", lines: 1, refused: 1},
	"-U -p tcp -u ASSURED":          {ref: both("-U -p tcp -u ASSURED"), list: "-L", lines: 1, refused: 1},
	"-U --label-add blue":           {ref: both("-U --label-add blue"), list: "-L -o labels", lines: 4, refused: 1},
	"-U -p udp --label-del red":     {ref: both("-U -p udp --label-del red"), list: "-L -o labels", lines: 1},
	"-U -p udp --label-del":         {ref: both("-U -p udp --label-del"), list: "-L -o labels", lines: 1},
	"-U -p tcp --state CLOSE -o id": {ref: both("-U -p tcp --state CLOSE"), list: "-L -o id", lines: 1, refused: 1},
	"-U -p udp --label-del red,last -o labels": {list: "-L -o labels", lines: 2, ref: []string{"-U -f ipv4 -s 10.2.0.5 -p udp --label-del",
		"-U -f ipv4 -s 10.2.0.9 -p udp --label-del", "-U -f ipv4 -s 10.2.0.9 -p udp --label-add far"}},
	"-U -f ipv4 -m 9":                        {ref: []string{"-U -f ipv4 -m 9"}, list: "-L", lines: 3, refused: 1},
	"-U -f ipv4 -p tcp -u ASSURED":           {ref: []string{"-U -f ipv4 -p tcp -u ASSURED"}, list: "-L", lines: 1, refused: 1},
	"-U -f ipv4 -s 10.2.0.1 -t 500":          {ref: []string{"-U -f ipv4 -s 10.2.0.1 -t 500"}, list: "-L", lines: 1, refused: 1},
	"-U -f ipv4 -p tcp -m 0x100/0x100 -o id": {ref: []string{"-U -f ipv4 -p tcp -m 0x100/0x100"}, list: "-L -o id", lines: 1, refused: 1},
	"-U -s 10.2.0.1 -t 500":                  {ref: []string{"-U -s 10.2.0.1 -t 500"}, list: "-L", lines: 1, refused: 1},
	"-U -f ipv4 -p udp --label-del last": {list: "-L -o labels", lines: 1, ref: []string{"-U -f ipv4 -s 10.2.0.9 -p udp --label-del",
		"-U -f ipv4 -s 10.2.0.9 -p udp --label-add red,far"}},
	"-F -f ipv6": {sameOut: true, ref: []string{"-D -f ipv6"}},
	"-F -f ipv4": {sameOut: true, ref: []string{"-D -f ipv4"}},
}

func (d *differ) check(name string, a, b result, ids bool) {
	d.total++
	na, nb := ctNormalize(a.stdout, ids, true), ctNormalize(b.stdout, ids, true)
	ea, eb := ctNormalize(a.stderr, ids, false), ctNormalize(b.stderr, ids, false)
	if na == nb && ea == eb && a.status == b.status {
		d.same++
		return
	}
	if why, ok := knownDifferences[name]; ok {
		d.known++
		d.t.Logf("known difference %q: %s", name, why)
		if os.Getenv("CTDIFF_SHOW") != "" {
			d.t.Logf("status %d vs %d\nstderr:\n%s---\n%s---\nstdout:\n%s---\n%s---", a.status, b.status,
				a.stderr, b.stderr, clip(a.stdout), clip(b.stdout))
		}
		return
	}
	d.t.Errorf("conntrack %s:\nstatus %d vs %d\nstderr:\n%s---\n%s---\nstdout:\n%s---\n%s---", name, a.status, b.status,
		a.stderr, b.stderr, clip(a.stdout), clip(b.stdout))
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "...\n"
	}
	return s
}

func (d *differ) compareRead(ns, args string) {
	f := strings.Fields(args)
	a := d.run(ns, d.ref, f)
	b := d.run(ns, d.bin, f)
	if !d.equal(a, b, false) {
		// The testbed's table is live (connections age, TIME_WAIT ends):
		// a difference must hold on a second pair of runs, the other way
		// round, to count.
		b = d.run(ns, d.bin, f)
		a = d.run(ns, d.ref, f)
	}
	d.check(args, a, b, false)
	if m, ok := meantEffects[args]; ok {
		ref := strings.Fields(m.ref[0])
		// A -G's entry is held while printed (use=2), a -L's is not.
		same := func(x, y result) bool {
			x.stdout, y.stdout = reUseN.ReplaceAllString(x.stdout, "use=U"), reUseN.ReplaceAllString(y.stdout, "use=U")
			return d.equal(x, y, false)
		}
		r := d.run(ns, d.ref, ref)
		if !same(r, b) {
			r = d.run(ns, d.ref, ref)
			b = d.run(ns, d.bin, f)
		}
		if !same(r, b) {
			d.t.Errorf("ctwire conntrack %s does not do what conntrack %s does:\nstatus %d vs %d\nstderr:\n%s---\n%s---\nstdout:\n%s---\n%s---",
				args, m.ref[0], r.status, b.status, r.stderr, b.stderr, clip(r.stdout), clip(b.stdout))
		} else {
			d.t.Logf("meant effect of %q: as conntrack %s", args, m.ref[0])
		}
	}
}

// equal reports whether two results are equal as check compares them.
func (d *differ) equal(a, b result, ids bool) bool {
	return ctNormalize(a.stdout, ids, true) == ctNormalize(b.stdout, ids, true) &&
		ctNormalize(a.stderr, ids, false) == ctNormalize(b.stderr, ids, false) && a.status == b.status
}

// table returns the write namespace's entries and expectations.
func (d *differ) table(ns string) string {
	a := d.run(ns, d.ref, []string{"-L", "-o", "extended,labels"})
	e := d.run(ns, d.ref, []string{"-L", "expect"})
	return ctNormalize(a.stdout, true, true) + "\n--\n" + ctNormalize(e.stdout, true, true)
}

func (d *differ) reset(ns string, setup []string) {
	d.run(ns, d.ref, []string{"-F"})
	d.run(ns, d.ref, []string{"-F", "expect"})
	for _, s := range setup {
		if r := d.run(ns, d.ref, strings.Fields(s)); r.status != 0 {
			d.t.Fatalf("setup %s: %s", s, r.stderr)
		}
	}
}

func (d *differ) compareWrite(ns string, v writeVector) {
	f := strings.Fields(v.args)
	d.reset(ns, v.setup)
	a := d.run(ns, d.ref, f)
	ta := d.table(ns)
	d.reset(ns, v.setup)
	b := d.run(ns, d.bin, f)
	tb := d.table(ns)
	if m, ok := meantEffects[v.args]; ok {
		d.checkMeant(ns, v, m, a, b, tb)
	}
	if ta != tb {
		a.stdout += "\nTABLE\n" + ta
		b.stdout += "\nTABLE\n" + tb
	}
	d.check(v.args, a, b, true)
}

// checkMeant checks that the write v, run by ctwire with the result b and
// the table tb afterwards (still the namespace's), had the effect meant:
// m's table, and m's output (a is conntrack's result).
func (d *differ) checkMeant(ns string, v writeVector, m meant, a, b result, tb string) {
	var bad []string
	if m.list != "" {
		list := ctNormalize(d.run(ns, d.ref, strings.Fields(m.list)).stdout, true, true)
		in := map[string]bool{}
		for _, l := range strings.Split(list, "\n") {
			in[l] = true
		}
		n := 0
		// The read-back holds a reference to the entry: use=2.
		for _, l := range strings.Split(ctNormalize(reUse.ReplaceAllString(b.stdout, "use=1"), true, true), "\n") {
			if l == "" {
				continue
			}
			n++
			if !in[l] {
				bad = append(bad, "printed, not in the table: "+l)
			}
		}
		refused := strings.Count(b.stderr, "\nOperation failed: ")
		if strings.HasPrefix(b.stderr, "Operation failed: ") {
			refused++
		}
		if n != m.lines || refused != m.refused || b.status != 0 ||
			!strings.Contains(b.stderr, fmt.Sprintf(" %d flow entries have been updated.\n", m.lines)) {
			bad = append(bad, fmt.Sprintf("%d entries printed, %d refusals, status %d; want %d, %d, 0 and the summary",
				n, refused, b.status, m.lines, m.refused))
		}
	}
	if m.sameOut && !d.equal(a, b, true) {
		bad = append(bad, "output is not conntrack's")
	}
	d.reset(ns, v.setup)
	for _, r := range m.ref {
		d.run(ns, d.ref, strings.Fields(r))
	}
	if tm := d.table(ns); tm != tb {
		bad = append(bad, "table:\n"+tb+"\nwant (as after conntrack "+strings.Join(m.ref, "; ")+"):\n"+tm)
	}
	if len(bad) > 0 {
		d.t.Errorf("ctwire conntrack %s does not do what it means:\n%s\nstdout:\n%s---\nstderr:\n%s---",
			v.args, strings.Join(bad, "\n"), clip(b.stdout), b.stderr)
		return
	}
	d.t.Logf("meant effect of %q: as conntrack %s", v.args, strings.Join(m.ref, "; "))
}

var (
	reUse  = regexp.MustCompile(`use=2\b`)
	reUseN = regexp.MustCompile(`use=\d+`)
)

// compareEvents runs both listeners at once while the same changes are
// made, synchronised by marker events rather than by time.
func (d *differ) compareEvents(ns, args string) {
	d.reset(ns, nil)
	start := func(tool string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		argv := []string{"netns", "exec", ns, tool}
		if tool == d.bin {
			argv = append(argv, "conntrack")
		}
		cmd := exec.Command("ip", append(argv, strings.Fields(args)...)...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &syncBuf{b: &o}, &syncBuf{b: &e}
		if err := cmd.Start(); err != nil {
			d.t.Fatal(err)
		}
		return cmd, &o, &e
	}
	ca, oa, ea := start(d.ref)
	cb, ob, eb := start(d.bin)
	// Wait until both listeners are subscribed: a marker entry is created
	// and deleted until both have printed something, or up to 100 tries.
	marker := "-I -s 10.4.9.9 -d 10.4.9.8 -p udp --sport 9 --dport 9 -t 50 -m 1 --label-add red"
	for i := 0; i < 100; i++ {
		d.run(ns, d.ref, strings.Fields(marker))
		d.run(ns, d.ref, strings.Fields("-D -s 10.4.9.9"))
		if lenOf(oa) > 0 && lenOf(ob) > 0 || strings.Contains(args, "expect") && i > 20 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range []string{
		"-I -s 10.4.0.1 -d 10.4.0.2 -p tcp --sport 1 --dport 2 -t 100 --state ESTABLISHED -m 1",
		"-I -s 2001:db8:4::1 -d 2001:db8:4::2 -p udp --sport 3 --dport 4 -t 100 --label-add red",
		"-U -s 10.4.0.1 -m 5", "-U -p udp -t 200", "-D -s 10.4.0.1", "-D -f ipv6",
		"-I -s 10.4.0.1 -d 10.4.0.2 -p tcp --sport 1 --dport 2 -t 100 --state ESTABLISHED",
		"-I expect -s 10.4.0.1 -d 10.4.0.2 -p tcp --sport 1 --dport 2 --tuple-src 10.4.0.1 --tuple-dst 10.4.0.2 --mask-src 255.255.255.255 --mask-dst 255.255.255.255 --tuple-port-src 0 --tuple-port-dst 5000 --mask-port-src 0 --mask-port-dst 65535 -t 60",
		"-F expect", "-F",
	} {
		d.run(ns, d.ref, strings.Fields(s))
	}
	// A last marker, then stop both once each has printed past it.
	final := "-I -s 10.4.9.7 -d 10.4.9.6 -p udp --sport 7 --dport 7 -t 50 -m 1 --label-add red"
	for i := 0; i < 50; i++ {
		d.run(ns, d.ref, strings.Fields(final))
		d.run(ns, d.ref, strings.Fields("-D -s 10.4.9.7"))
		time.Sleep(20 * time.Millisecond)
		if strings.Contains(snapshot(oa), "10.4.9.7") && strings.Contains(snapshot(ob), "10.4.9.7") {
			break
		}
	}
	for _, c := range []*exec.Cmd{ca, cb} {
		c.Process.Signal(os.Interrupt)
	}
	wait := func(c *exec.Cmd) int {
		err := c.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		return 0
	}
	sa, sb := wait(ca), wait(cb)
	// Compare what came after the last of the first markers (a listener
	// may print one more marker after the other has stopped the loop), up
	// to the first of the last markers.
	cut := func(s string) string {
		if i := strings.LastIndex(s, "10.4.9.9"); i >= 0 {
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				s = s[i+j+1:]
			}
		}
		if i := strings.Index(s, "10.4.9.7"); i >= 0 {
			if j := strings.LastIndexByte(s[:i], '\n'); j >= 0 {
				s = s[:j+1]
			} else {
				s = ""
			}
		}
		return s
	}
	a := result{cut(oa.String()), normalizeCount(ea.String()), sa}
	b := result{cut(ob.String()), normalizeCount(eb.String()), sb}
	d.total++
	na, nb := ctNormalize(a.stdout, true, false), ctNormalize(b.stdout, true, false)
	if na == nb && a.stderr == b.stderr && a.status == b.status {
		d.same++
		return
	}
	if why, ok := knownDifferences[args]; ok {
		d.known++
		d.t.Logf("known difference %q: %s", args, why)
		if os.Getenv("CTDIFF_SHOW") != "" {
			d.t.Logf("status %d vs %d\nstderr %q vs %q\nstdout:\n%s---\n%s---", a.status, b.status, a.stderr, b.stderr, clip(na), clip(nb))
		}
		return
	}
	d.t.Errorf("conntrack %s (events):\nstatus %d vs %d\nstderr %q vs %q\nstdout:\n%s---\n%s---", args, a.status, b.status, a.stderr, b.stderr, clip(na), clip(nb))
}

// normalizeCount masks the number of events shown (the markers differ).
var reCount = regexp.MustCompile(`\d+ (flow|expectation) events`)

func normalizeCount(s string) string { return reCount.ReplaceAllString(s, "N $1 events") }

// syncBuf is a buffer a child process writes while the test reads its
// length; bufLock serializes both.
type syncBuf struct {
	b *bytes.Buffer
}

var bufLock = make(chan struct{}, 1)

func (s *syncBuf) Write(p []byte) (int, error) {
	bufLock <- struct{}{}
	defer func() { <-bufLock }()
	return s.b.Write(p)
}

func lenOf(b *bytes.Buffer) int {
	bufLock <- struct{}{}
	defer func() { <-bufLock }()
	return b.Len()
}

func snapshot(b *bytes.Buffer) string {
	bufLock <- struct{}{}
	defer func() { <-bufLock }()
	return b.String()
}

var _ = fmt.Sprint
