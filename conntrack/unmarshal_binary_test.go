package conntrack

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/nla"
	"github.com/google/go-cmp/cmp"
)

// unmarshalBinaryRef is what [Flow.UnmarshalBinary] does, spelt out
// through the framing layer: the reference its own header reading must
// match.
func unmarshalBinaryRef(f *Flow, b []byte) error {
	m, err := codec.ParseMessage(b, nla.HostOrder)
	if err != nil {
		return err
	}
	if !m.HasNFGen() {
		return &Error{Offset: 0, Err: codec.ErrShort}
	}
	return (Decoder{}).DecodeMessage(m, f)
}

// liveMessages returns every message of every recording in testdata/live,
// requests and control messages included, each as the rest of its
// datagram from its header on, with its nlmsg_len. The recordings are
// little-endian; on a big-endian host each flow-sized message also comes
// converted to host order.
func liveMessages(t *testing.T) (msgs [][]byte, lens []int) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "live")
	names, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recordings in %s (%v)", dir, err)
	}
	for _, name := range names {
		bin, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(name, ".bin") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var idx liveIndex
		if err := json.Unmarshal(js, &idx); err != nil {
			t.Fatal(err)
		}
		for _, r := range idx.Records {
			dg := bin[r.Offset : r.Offset+r.Length]
			for m, err := range codec.Messages(dg, nla.LittleEndian) {
				if err != nil {
					t.Fatalf("%s at %d: %v", name, r.Offset, err)
				}
				n := int(m.Header.Len)
				msgs, lens = append(msgs, dg[m.Offset:]), append(lens, n)
				if bigEndianHost && n >= codec.AttrOffset {
					msgs, lens = append(msgs, hostMessage(dg[m.Offset:m.Offset+n])), append(lens, n)
				}
			}
		}
	}
	return msgs, lens
}

// TestUnmarshalBinaryMatchesMessage: UnmarshalBinary, which reads the
// netlink header itself, decodes every recorded message (flows, events,
// requests, acks, errors, expectations, stats), every truncated prefix of
// it and the message followed by the rest of its datagram exactly as
// codec.ParseMessage + UnmarshalMessage do: the same flow, the same error
// (type, sentinel, offset), and a flow left as it was on error.
func TestUnmarshalBinaryMatchesMessage(t *testing.T) {
	// The starting record is not empty, so that a decoder that touched
	// it on error, or kept a field the message lacks, is caught.
	start := dumpTCPFlow()
	start.Family = FamilyIPv6
	start.Mark, start.Zone = 0xdead, 7
	start.Present.Add(AttrMark)
	start.Present.Add(AttrZone)

	msgs, lens := liveMessages(t)
	var decoded, failed, checks int
	kinds := map[string]int{}
	// check decodes b, the first k bytes of message i (k < 0: the
	// message patched), both ways.
	check := func(i, k int, b []byte) {
		t.Helper()
		got, want := start, start
		gotErr, wantErr := got.UnmarshalBinary(b), unmarshalBinaryRef(&want, b)
		checks++
		if !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("message %d, %d of %d bytes (header % x): error\n got %#v (%v)\nwant %#v (%v)",
				i, k, lens[i], b[:min(len(b), codec.AttrOffset)], gotErr, gotErr, wantErr, wantErr)
		}
		if got != want {
			t.Fatalf("message %d, %d of %d bytes: flow (-ref +UnmarshalBinary):\n%s",
				i, k, lens[i], cmp.Diff(want, got, cmpOpts))
		}
		switch {
		case gotErr != nil:
			failed++
			kinds[errKind(gotErr)]++
			if got != start {
				t.Fatalf("message %d, %d bytes: flow changed on error %v", i, k, gotErr)
			}
		case k >= lens[i]:
			decoded++
		}
	}
	for i, msg := range msgs {
		// Every prefix up to the whole message, then the whole rest of
		// the datagram.
		for k := 0; k <= len(msg); k++ {
			if k > lens[i] && k < len(msg) {
				k = len(msg)
			}
			check(i, k, msg[:k])
		}
		if lens[i] < codec.AttrOffset {
			continue
		}
		// The message with its header patched: lengths too small for a
		// header or an nfgenmsg, or beyond the bytes; control types and
		// the first nfnetlink type.
		whole := msg[:lens[i]]
		for _, n := range []uint32{0, 1, 15, 16, 19, 20, uint32(len(whole)) + 1, 1<<32 - 1} {
			b := append([]byte(nil), whole...)
			nla.HostOrder.PutUint32(b, n)
			check(i, -1, b)
		}
		for _, typ := range []uint16{0, codec.TypeError, codec.TypeDone, codec.TypeMin - 1, codec.TypeMin} {
			b := append([]byte(nil), whole...)
			nla.HostOrder.PutUint16(b[4:], typ)
			check(i, -1, b)
		}
	}
	t.Logf("%d messages, %d inputs: %d whole messages decoded, %d errors %v", len(msgs), checks, decoded, failed, kinds)
	if decoded < 100 || failed == 0 {
		t.Fatalf("%d messages decoded, %d errors: the recordings are not being exercised", decoded, failed)
	}
	// Every way of failing is exercised.
	for _, k := range []string{"codec truncated", "codec length", "short", "attribute"} {
		if kinds[k] == 0 {
			t.Errorf("no %s error among the prefixes", k)
		}
	}
}

// errKind classifies a decoding error for the tally above.
func errKind(err error) string {
	var ce *codec.Error
	switch {
	case errors.As(err, &ce) && errors.Is(err, codec.ErrTruncated):
		return "codec truncated"
	case errors.As(err, &ce) && errors.Is(err, codec.ErrLength):
		return "codec length"
	case errors.Is(err, codec.ErrShort):
		return "short"
	}
	var e *Error
	if errors.As(err, &e) {
		return "attribute"
	}
	return "other"
}
