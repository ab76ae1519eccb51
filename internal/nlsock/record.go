package nlsock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ctwire/ctwire/nla"
)

// Dir is the direction of a recorded datagram.
type Dir uint8

// Directions, as seen from the recording socket.
const (
	DirOut Dir = 1 // sent by the socket to the kernel
	DirIn  Dir = 2 // received by the socket from the kernel
)

// String returns "out", "in", or the number.
func (d Dir) String() string {
	switch d {
	case DirOut:
		return "out"
	case DirIn:
		return "in"
	}
	return fmt.Sprintf("Dir(%d)", uint8(d))
}

// MarshalText returns [Dir.String].
func (d Dir) MarshalText() ([]byte, error) {
	if d != DirOut && d != DirIn {
		return nil, fmt.Errorf("nlsock: invalid direction %d", uint8(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses "out" or "in".
func (d *Dir) UnmarshalText(b []byte) error {
	switch string(b) {
	case "out":
		*d = DirOut
	case "in":
		*d = DirIn
	default:
		return fmt.Errorf("nlsock: invalid direction %q", b)
	}
	return nil
}

// Record is one datagram as it crossed the socket.
type Record struct {
	Time time.Time // when it was sent or received
	Dir  Dir
	Data []byte // the whole datagram: one or more netlink messages
}

// Recording collects the records of a socket. It is safe for concurrent
// use. The zero value is an empty recording.
type Recording struct {
	mu      sync.Mutex
	records []Record
}

// Add appends a copy of datagram b.
func (r *Recording) Add(t time.Time, d Dir, b []byte) {
	r.mu.Lock()
	r.records = append(r.records, Record{Time: t, Dir: d, Data: slices.Clone(b)})
	r.mu.Unlock()
}

// Records returns the records so far, oldest first.
func (r *Recording) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

// Take returns the records so far and empties the recording.
func (r *Recording) Take() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	recs := r.records
	r.records = nil
	return recs
}

// Len returns the number of records.
func (r *Recording) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.records)
}

// Merge returns the records of several recordings in time order (stable
// for equal times).
func Merge(sets ...[]Record) []Record {
	var all []Record
	for _, s := range sets {
		all = append(all, s...)
	}
	slices.SortStableFunc(all, func(a, b Record) int { return a.Time.Compare(b.Time) })
	return all
}

// The raw format of testdata/live (documented in its README.md):
// NAME.bin holds the datagrams back to back, NAME.json indexes them.

// FormatRaw names the version of the raw format written by [WriteRaw].
const FormatRaw = "ctwire-live-raw-1"

// Index is the content of a NAME.json index file.
type Index struct {
	Format string `json:"format"` // FormatRaw
	// Protocol is the netlink protocol of the socket: 12
	// (NETLINK_NETFILTER).
	Protocol int `json:"protocol"`
	// ByteOrder is the byte order of the recording host ("little" or
	// "big"), which netlink headers are in.
	ByteOrder string `json:"byte_order"`
	// Comment says what the recording shows.
	Comment string        `json:"comment,omitempty"`
	Records []IndexRecord `json:"records"`
}

// IndexRecord locates one datagram in NAME.bin.
type IndexRecord struct {
	Time   time.Time `json:"time"` // RFC 3339 with nanoseconds
	Dir    Dir       `json:"dir"`  // "out" or "in"
	Offset int       `json:"offset"`
	Length int       `json:"length"`
}

// WriteRaw writes recs as dir/name.bin and dir/name.json with the given
// comment.
func WriteRaw(dir, name, comment string, recs []Record) error {
	idx := Index{Format: FormatRaw, Protocol: Protocol, ByteOrder: hostOrderName(), Comment: comment,
		Records: make([]IndexRecord, 0, len(recs))}
	var bin []byte
	for _, r := range recs {
		idx.Records = append(idx.Records, IndexRecord{Time: r.Time.UTC(), Dir: r.Dir, Offset: len(bin), Length: len(r.Data)})
		bin = append(bin, r.Data...)
	}
	js, err := json.MarshalIndent(idx, "", "\t")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".bin"), bin, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".json"), append(js, '\n'), 0o644)
}

// ErrIndex reports an index that does not match its data file.
var ErrIndex = errors.New("nlsock: raw index does not match its data")

// ReadRaw reads dir/name.bin and dir/name.json back into records, and
// returns the index too.
func ReadRaw(dir, name string) ([]Record, *Index, error) {
	js, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		return nil, nil, err
	}
	var idx Index
	if err := json.Unmarshal(js, &idx); err != nil {
		return nil, nil, err
	}
	if idx.Format != FormatRaw {
		return nil, nil, fmt.Errorf("%w: format %q", ErrIndex, idx.Format)
	}
	bin, err := os.ReadFile(filepath.Join(dir, name+".bin"))
	if err != nil {
		return nil, nil, err
	}
	recs := make([]Record, 0, len(idx.Records))
	next := 0
	for i, ir := range idx.Records {
		if ir.Offset != next || ir.Length < 0 || ir.Length > len(bin)-ir.Offset {
			return nil, nil, fmt.Errorf("%w: record %d at %d+%d", ErrIndex, i, ir.Offset, ir.Length)
		}
		recs = append(recs, Record{Time: ir.Time, Dir: ir.Dir, Data: bin[ir.Offset : ir.Offset+ir.Length : ir.Offset+ir.Length]})
		next += ir.Length
	}
	if next != len(bin) {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", ErrIndex, len(bin)-next)
	}
	return recs, &idx, nil
}

func hostOrderName() string {
	if nla.HostOrder.Resolve() == nla.BigEndian {
		return "big"
	}
	return "little"
}
