package conntrack

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/josharian/native"
)

// mhex decodes a commented hex fixture: everything after '#' on a line is
// a comment; whitespace is ignored.
func mhex(t testing.TB, s string) []byte {
	t.Helper()
	var b strings.Builder
	for line := range strings.Lines(s) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(strings.Join(strings.Fields(line), ""))
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		t.Fatalf("bad fixture: %v", err)
	}
	return out
}

// mLittleEndian: the hex fixtures are little-endian, as recorded.
var mLittleEndian = native.Endian == binary.ByteOrder(binary.LittleEndian)

var (
	ma1 = netip.MustParseAddr("10.0.0.1")
	ma2 = netip.MustParseAddr("10.0.0.2")
)

// kernelExampleGet is the worked example of a GET by tuple (little-endian),
// the request codec's getRequest fixture also spells out.
const kernelExampleGet = `
48 00 00 00  01 01  05 00  01 00 00 00  00 00 00 00  # nlmsghdr len=72 type=0x0101 flags=REQUEST|ACK seq=1 pid=0
02 00 00 00                                           # nfgenmsg AF_INET v0 res_id 0
34 00 01 80                                           # CTA_TUPLE_ORIG len=52
  14 00 01 80                                         #   CTA_TUPLE_IP len=20
    08 00 01 00 0a 00 00 01                           #     CTA_IP_V4_SRC 10.0.0.1
    08 00 02 00 0a 00 00 02                           #     CTA_IP_V4_DST 10.0.0.2
  1c 00 02 80                                         #   CTA_TUPLE_PROTO len=28
    05 00 01 00 06 00 00 00                           #     CTA_PROTO_NUM 6
    06 00 02 00 30 39 00 00                           #     CTA_PROTO_SRC_PORT 12345
    06 00 03 00 00 50 00 00                           #     CTA_PROTO_DST_PORT 80
`

func TestRequestKernelExample(t *testing.T) {
	if !mLittleEndian {
		t.Skip("fixture is little-endian")
	}
	r := GetRequest(1, PortTuple(ProtoTCP, ma1, ma2, 12345, 80))
	got, err := r.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(mhex(t, kernelExampleGet), got); diff != "" {
		t.Errorf("GET request bytes (-want +got):\n%s", diff)
	}
}

// TestOpIsDump pins which ops are dumps: NLM_F_CREATE|NLM_F_EXCL shares a
// bit with NLM_F_DUMP (0x200), so a create must not count as one.
func TestOpIsDump(t *testing.T) {
	dumps := map[Op]bool{OpDump: true, OpDumpCtrZero: true, OpStatsCPU: true, OpDumpDying: true,
		OpDumpUnconfirmed: true, OpExpDump: true, OpExpStatsCPU: true}
	for o := OpGet; o <= OpExpStatsCPU; o++ {
		if o.IsDump() != dumps[o] {
			t.Errorf("%v: IsDump %v", o, o.IsDump())
		}
	}
}
