package codec_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
)

// decoded is everything a datagram says, with host-order payloads turned
// into numbers, so a datagram laid out little-endian and the same one laid
// out big-endian decode to equal values.
type decoded struct {
	Offset   int
	Header   codec.Header
	NFGen    codec.NFGen
	HasNFGen bool
	Attrs    []node
	Error    *codec.KernelError // RequestPayload, Policy and TLVs cleared
	Request  []node             // attributes of the echoed request
	Policy   []uint32           // NLMSGERR_ATTR_POLICY leaves read as host-order u32
	Done     *codec.Done        // TLVs cleared
}

func decodeAll(t *testing.T, b []byte, o nla.Order) []decoded {
	t.Helper()
	var out []decoded
	for _, m := range mustParse(t, b, o) {
		if m.Order != o.Resolve() {
			t.Errorf("message order %v, want %v", m.Order, o)
		}
		d := decoded{Offset: m.Offset, Header: m.Header, NFGen: m.NFGen, HasNFGen: m.HasNFGen()}
		if m.HasNFGen() {
			d.Attrs = tree(t, m.Attrs())
		}
		switch m.Header.Type {
		case codec.TypeError:
			ke := mustError(t, m)
			if len(ke.RequestPayload) >= codec.NFGenLen {
				d.Request = tree(t, nla.NewScannerOrder(ke.RequestPayload[codec.NFGenLen:], o, codec.AttrOffset))
			}
			for _, n := range tree(t, nla.NewScannerOrder(ke.Policy, o, 0)) {
				v, err := nla.Uint32Order(n.Data, o)
				if err != nil {
					t.Fatal(err)
				}
				d.Policy = append(d.Policy, v)
			}
			ke.RequestPayload, ke.Policy, ke.TLVs = nil, nil, nil
			d.Error = &ke
		case codec.TypeDone:
			dn := mustDone(t, m)
			dn.TLVs = nil
			d.Done = &dn
		}
		out = append(out, d)
	}
	return out
}

// TestByteOrder lays every fixture out in both byte orders and parses each
// with its order: the results must be equal, extack TLVs included.
func TestByteOrder(t *testing.T) {
	for name, text := range map[string]string{
		"getRequest":    getRequest,
		"getReply":      getReply,
		"getAck":        getAck,
		"enoentError":   enoentError,
		"dumpReply":     dumpReply,
		"dumpDone":      dumpDone,
		"filteredDump":  filteredDump,
		"unalignedDump": unalignedDump,
		"statsCPU":      statsCPU,
		"policyError":   policyError,
		"rejectError":   rejectError,
		"missError":     missError,
		"doneTLVs":      doneTLVs,
	} {
		t.Run(name, func(t *testing.T) {
			le := fixture(nla.LittleEndian, text)
			be := fixture(nla.BigEndian, text)
			if string(le) == string(be) {
				t.Fatal("layouts are identical: the test would prove nothing")
			}
			fromLE := decodeAll(t, le, nla.LittleEndian)
			fromBE := decodeAll(t, be, nla.BigEndian)
			if diff := cmp.Diff(fromLE, fromBE, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("little-endian vs big-endian (-le +be):\n%s", diff)
			}
			// Read in the wrong order, the first length is absurd.
			p := codec.NewParser(be, nla.LittleEndian)
			if p.Next() || !errors.Is(p.Err(), codec.ErrTruncated) {
				t.Errorf("big-endian bytes read little-endian: Err() = %v", p.Err())
			}
		})
	}
}

// TestHostOrder: nla.HostOrder parses the host's layout like the explicit
// order does.
func TestHostOrder(t *testing.T) {
	host := nla.HostOrder.Resolve()
	b := fixture(host, policyError)
	if diff := cmp.Diff(decodeAll(t, b, host), decodeAll(t, b, nla.HostOrder)); diff != "" {
		t.Errorf("(-explicit +host):\n%s", diff)
	}
	// A Message built by hand with the zero Order means host order too.
	m := mustOne(t, b, nla.HostOrder)
	m.Order = nla.HostOrder
	ke := mustError(t, m)
	if ke.Offset != 20 || ke.Code != -22 {
		t.Errorf("hand-built message: %+v", ke)
	}
}
