// Command mkcaptures turns the raw recordings of testdata/live into the
// capture files of testdata/captures: LINKTYPE_NETLINK with the 16-byte
// cooked header, as nlmon captures are, so tshark and ctwire decode them.
//
//	go run ./internal/tools/mkcaptures
//
// live.pcapng holds every recording, merged in time order; dump.pcap is the
// table dump alone as classic pcap (microsecond timestamps).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/internal/nlsock"
)

func main() {
	if err := run("testdata/live", "testdata/captures"); err != nil {
		fmt.Fprintln(os.Stderr, "mkcaptures:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	names, err := filepath.Glob(filepath.Join(in, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	var sets [][]nlsock.Record
	var dump []nlsock.Record
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".json")
		recs, _, err := nlsock.ReadRaw(in, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sets = append(sets, recs)
		if name == "dump" {
			dump = recs
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "live.pcapng"), capture.FormatPcapNG, nlsock.Merge(sets...)); err != nil {
		return err
	}
	return write(filepath.Join(out, "dump.pcap"), capture.FormatPcap, dump)
}

func write(path string, f capture.Format, recs []nlsock.Record) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := capture.NewWriter(fh, f)
	if err != nil {
		fh.Close()
		return err
	}
	for _, r := range recs {
		dir := capture.FromKernel
		if r.Dir == nlsock.DirOut {
			dir = capture.ToKernel
		}
		d := capture.Datagram{Data: r.Data, Time: r.Time, Family: capture.FamilyNetfilter, Direction: dir}
		if err := w.WriteDatagram(d); err != nil {
			fh.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
