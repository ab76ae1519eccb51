package conntrack

import (
	"strings"
	"syscall"
	"testing"

	"github.com/ctwire/ctwire/codec"
)

func TestRecordText(t *testing.T) {
	fl := dumpTCPFlow()
	ftp := ftpExpect()
	opt := TextOptions{}
	for _, tc := range []struct {
		name string
		r    Record
		want string
	}{
		{"flow", Record{Kind: KindFlow, Flow: fl}, string(fl.AppendText(nil, opt))},
		{"event", Record{Kind: KindEvent, Event: EventNew, Header: codec.Header{PID: 77}, Flow: fl},
			string(fl.AppendEventText(nil, EventNew, 77, opt))},
		{"request", Record{Kind: KindRequest, Op: OpDump, NFGen: codec.NFGen{Family: 2, Version: 1},
			Header: codec.Header{Type: 0x0101, Flags: codec.FlagRequest | codec.FlagAck | codec.FlagDump, Seq: 5},
			Flow:   Flow{Present: Attrs(AttrMark, AttrMarkMask)}},
			"# request dump seq=5 flags=REQUEST|ACK|DUMP family=ipv4 version=1 attrs=CTA_MARK,CTA_MARK_MASK"},
		{"expect request", Record{Kind: KindRequest, Op: OpExpFlush,
			Header: codec.Header{Type: 0x0202, Flags: codec.FlagRequest | codec.FlagAck, Seq: 6}},
			"# request exp-flush seq=6 flags=REQUEST|ACK family=unspec"},
		{"ack", Record{Kind: KindAck, Header: codec.Header{Type: codec.TypeError, Seq: 3},
			Error: codec.KernelError{Request: codec.Header{Type: 0x0100}}},
			"# ack seq=3 request=0x0100"},
		{"error", Record{Kind: KindError, Header: codec.Header{Type: codec.TypeError, Seq: 4},
			Error: codec.KernelError{Errno: syscall.EOPNOTSUPP, Request: codec.Header{Type: 0x0106},
				ExtAck: codec.ExtAck{HasOffset: true, Offset: 36, HasMissType: true, MissType: 2, Msg: []byte(`bad "x"`)}}},
			`# error ENOTSUP (operation not supported) seq=4 request=0x0106 offset=36 missing-type=2 msg="bad \"x\""`},
		{"unnamed errno", Record{Kind: KindError, Error: codec.KernelError{Errno: 600}},
			"# error errno600 (errno 600) seq=0 request=0x0000"},
		{"done", Record{Kind: KindDone, Header: codec.Header{Seq: 8}}, "# done seq=8"},
		{"done with error", Record{Kind: KindDone, Done: codec.Done{Errno: syscall.EINTR}},
			"# done seq=0 error=EINTR (interrupted system call)"},
		{"stats", Record{Kind: KindStatsGlobal, StatsGlobal: StatsGlobal{Entries: 18, MaxEntries: 262144}},
			"# stats entries=18 max=262144"},
		{"stats cpu", Record{Kind: KindStatsCPU, StatsCPU: StatsCPU{CPU: 1, Insert: 2, Searched: 9}},
			"# stats cpu=1 found=0 invalid=0 insert=2 insert_failed=0 drop=0 early_drop=0 error=0 " +
				"search_restart=0 clash_resolve=0 chaintoolong=0"},
		{"expect stats", Record{Kind: KindStatsExp, StatsExp: StatsExp{CPU: 2, New: 1, Create: 2, Delete: 3}},
			"# expect-stats cpu=2 new=1 create=2 delete=3"},
		{"expect", Record{Kind: KindExpect, Expect: ftpExpect()},
			"# expect " + string(ftp.AppendText(nil, 0))},
		{"expect event", Record{Kind: KindExpectEvent, Event: EventDestroy, Expect: func() Expect {
			e := ftpExpect()
			e.Flags = ExpectPermanent | ExpectInactive
			return e
		}()}, "# expect [DESTROY] 299 proto=6 src=192.0.2.1 dst=192.0.2.2 sport=0 dport=10000 " +
			"mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 " +
			"master-src=192.0.2.1 master-dst=192.0.2.2 sport=33350 dport=21 flags=PERMANENT,INACTIVE class=0 helper=ftp"},
		{"control", Record{Kind: KindControl, Header: codec.Header{Type: codec.TypeNoop, Len: 16}},
			"# control type=0x0001 len=16"},
		{"unknown", Record{Kind: KindUnknown, Header: codec.Header{Type: 0x0a01, Flags: codec.FlagRequest | codec.FlagDump, Len: 20}},
			"# unknown type=0x0a01 flags=REQUEST|DUMP len=20"},
	} {
		if got := string(tc.r.AppendText([]byte("x"), opt)); got != "x"+tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, "x"+tc.want)
		}
	}
}

// TestRecordTextRecorded prints every message of the live recordings: no
// line is empty or has a newline, and every record that is not a flow or
// an event is a "# " line.
func TestRecordTextRecorded(t *testing.T) {
	for _, name := range []string{"ack", "error-enoent", "error-extack", "exp-dump", "exp-stats-cpu",
		"full-ops", "full-events", "stats", "stats-cpu", "get", "dying"} {
		for _, r := range liveRecords(t, name) {
			line := string(r.AppendText(nil, TextOptions{}))
			summary := r.Kind != KindFlow && r.Kind != KindEvent
			if line == "" || strings.Contains(line, "\n") || summary != strings.HasPrefix(line, "# ") {
				t.Errorf("%s: %v record: %q", name, r.Kind, line)
			}
		}
	}
}
