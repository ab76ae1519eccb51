package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// written encodes ds in format f and returns the file, the end of its
// header, and the end offset of each record.
func written(t *testing.T, f Format, ds []Datagram) (file []byte, header int, ends []int) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	header = buf.Len()
	for _, d := range ds {
		if err := w.WriteDatagram(d); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, buf.Len())
	}
	return buf.Bytes(), header, ends
}

// oneMessageEach is sample() with the two-message reply split, so that a
// raw stream has the same records as the containers.
func oneMessageEach() []Datagram {
	s := sample()
	half := len(s[1].Data) / 2
	a, b := s[1], s[1]
	a.Data, b.Data = s[1].Data[:half], s[1].Data[half:]
	return []Datagram{s[0], a, b, s[2], s[3]}
}

// TestCutEverywhere cuts a small file at every byte offset. The reader must
// not panic, must return exactly the records that end before the cut, and,
// unless the cut falls on a record boundary, exactly one fatal ErrTruncated
// naming the record the cut falls in.
func TestCutEverywhere(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapNano, FormatPcapNG, FormatRaw} {
		t.Run(f.String(), func(t *testing.T) {
			file, header, ends := written(t, f, oneMessageEach())
			full, errs, _ := readAll(t, file)
			if len(errs) != 0 || len(full) != len(ends) {
				t.Fatalf("whole file: %d datagrams, errors %v", len(full), errs)
			}
			for cut := 0; cut <= len(file); cut++ {
				got, errs, _ := readAll(t, file[:cut])
				k := 0
				for k < len(ends) && ends[k] <= cut {
					k++
				}
				if diff := cmp.Diff(full[:k], got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("cut at %d: datagrams (-want +got):\n%s", cut, diff)
				}
				boundary := cut == 0 || cut == header || (k > 0 && ends[k-1] == cut)
				if f == FormatPcapNG && cut == int(binary.LittleEndian.Uint32(file[4:])) {
					boundary = true // a file of just the section header block
				}
				if boundary {
					if len(errs) != 0 {
						t.Fatalf("cut at record boundary %d: errors %v", cut, errs)
					}
					continue
				}
				if len(errs) != 1 || !errors.Is(errs[0], ErrTruncated) {
					t.Fatalf("cut at %d: errors %v, want one ErrTruncated", cut, errs)
				}
				var re *RecordError
				if !errors.As(errs[0], &re) || !re.Fatal {
					t.Fatalf("cut at %d: %#v is not a fatal *RecordError", cut, errs[0])
				}
				if cut > header {
					start := header
					if k > 0 {
						start = ends[k-1]
					}
					if re.Index != k || re.Offset != int64(start) {
						t.Fatalf("cut at %d: error names record %d at %d, want record %d at %d",
							cut, re.Index, re.Offset, k, start)
					}
				}
			}
		})
	}
}

// TestCutGzip cuts compressed files everywhere: the datagrams returned must
// be a prefix of the file's, with at most one error.
func TestCutGzip(t *testing.T) {
	for _, f := range []Format{FormatPcap, FormatPcapNG, FormatRaw} {
		plain := write(t, f, oneMessageEach())
		full, _, _ := readAll(t, plain)
		file := gz(t, plain)
		for cut := 0; cut < len(file); cut++ {
			got, errs, _ := readAll(t, file[:cut])
			if len(got) > len(full) || !cmp.Equal(full[:len(got)], got, cmpopts.EquateEmpty()) {
				t.Fatalf("%v cut at %d: datagrams are not a prefix of the file's", f, cut)
			}
			if len(errs) > 1 || (cut > 0 && len(errs) == 0) {
				t.Fatalf("%v cut at %d: errors %v, want exactly one", f, cut, errs)
			}
		}
	}
}

// TestDamagedBlocks damages the middle one of three packet blocks in the
// ways pcapng allows, and checks the reader reports it with its index and
// offset and goes on to the third.
func TestDamagedBlocks(t *testing.T) {
	a := cat(sllHeader(4, 824, 12), request)
	b := cat(sllHeader(4, 824, 12), event)
	build := func(damage func(g *ngBuilder)) (file []byte, at int64) {
		g := &ngBuilder{}
		g.shb(false)
		g.idb(LinkTypeNetlink, 0)
		g.epb(0, 1, a, uint32(len(a)))
		at = int64(len(g.b))
		damage(g)
		g.epb(0, 2, b, uint32(len(b)))
		return g.b, at
	}
	// goodEPB appends a sound block and returns its start.
	goodEPB := func(g *ngBuilder) int {
		n := len(g.b)
		g.epb(0, 9, a, uint32(len(a)))
		return n
	}
	put32 := func(g *ngBuilder, off int, v uint32) { copy(g.b[off:], g.u32(v)) }
	for _, tc := range []struct {
		name      string
		damage    func(g *ngBuilder)
		err       error
		nextIndex int // index of the block after the damage
	}{
		{"length not a multiple of 4", func(g *ngBuilder) { put32(g, goodEPB(g)+4, 13+64) }, ErrBlockLength, 2},
		{"length below the minimum", func(g *ngBuilder) { put32(g, goodEPB(g)+4, 8) }, ErrBlockLength, 2},
		{"length beyond the maximum", func(g *ngBuilder) { put32(g, goodEPB(g)+4, 0xfffffff0) }, ErrBlockLength, 2},
		{"length longer than the block", func(g *ngBuilder) {
			s := goodEPB(g)
			put32(g, s+4, uint32(len(g.b)-s+8))
		}, ErrBlockLength, 2},
		{"length longer than the file", func(g *ngBuilder) { put32(g, goodEPB(g)+4, 1<<20) }, ErrTruncated, 2},
		{"trailer differs", func(g *ngBuilder) {
			goodEPB(g)
			put32(g, len(g.b)-4, 4)
		}, ErrBlockLength, 2},
		{"garbage between blocks", func(g *ngBuilder) {
			g.b = append(g.b, []byte("\xde\xad\xbe\xef garbage")...) // 13 bytes: breaks alignment too
		}, ErrBlockLength, 1},
		{"captured length past the block", func(g *ngBuilder) { put32(g, goodEPB(g)+20, 1000) }, ErrCapLen, 2},
		{"unknown interface", func(g *ngBuilder) { put32(g, goodEPB(g)+8, 3) }, ErrInterface, 2},
		{"EPB too short for its fields", func(g *ngBuilder) { g.block(blockEPB, make([]byte, 8)) }, ErrBlockLength, 2},
		{"SPB too short for its field", func(g *ngBuilder) { g.block(blockSPB, nil) }, ErrBlockLength, 2},
		{"bad byte-order magic in a new section", func(g *ngBuilder) {
			s := len(g.b)
			g.shb(false)
			copy(g.b[s+8:], "abcd")
		}, ErrByteOrderMagic, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, at := build(tc.damage)
			got, errs, r := readAll(t, file)
			var re *RecordError
			if len(errs) != 1 || !errors.As(errs[0], &re) || !errors.Is(re, tc.err) {
				t.Fatalf("errors = %v, want one %v", errs, tc.err)
			}
			if re.Index != 1 || re.Offset != at || re.Fatal {
				t.Errorf("error names record %d at %d (fatal %v), want record 1 at %d, not fatal", re.Index, re.Offset, re.Fatal, at)
			}
			if len(got) != 2 || !bytes.Equal(got[0].Data, request) || !bytes.Equal(got[1].Data, event) {
				t.Fatalf("got %d datagrams, want the blocks around the damage", len(got))
			}
			if got[1].Index != tc.nextIndex {
				t.Errorf("block after the damage has index %d, want %d", got[1].Index, tc.nextIndex)
			}
			if st := r.Stats(); st.Damaged != 1 || st.Datagrams != 2 {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

// TestPcapDamage: classic pcap cannot be resynchronised, so damage ends it.
func TestPcapDamage(t *testing.T) {
	good := pcapRec{data: cat(sllHeader(4, 824, 12), event)}
	file := pcapFile(false, false, 253, good, good)
	// Second record claims 16 MiB + 1.
	bad := bytes.Clone(file)
	second := 24 + 16 + len(good.data)
	copy(bad[second+8:], []byte{1, 0, 0, 1})
	got, errs, _ := readAll(t, cat(bad, file[24:]))
	var re *RecordError
	if len(got) != 1 || len(errs) != 1 || !errors.As(errs[0], &re) || !errors.Is(re, ErrTooLong) ||
		re.Index != 1 || re.Offset != int64(second) || !re.Fatal {
		t.Errorf("got %d datagrams, errors %v; want 1 and a fatal ErrTooLong for record 1 at %d", len(got), errs, second)
	}

	// An unknown major version is not read.
	v3 := bytes.Clone(file)
	v3[4] = 3
	if _, err := NewReader(bytes.NewReader(v3)); !errors.Is(err, ErrFormat) {
		t.Errorf("version 3: %v, want ErrFormat", err)
	}
	// A bad gzip header.
	if _, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 8, 0xff, 0, 0})); !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrFormat) {
		t.Errorf("bad gzip: %v", err)
	}
}

// TestRawDamage: an impossible nlmsg_len ends a raw stream.
func TestRawDamage(t *testing.T) {
	file := cat(request, []byte{8, 0, 0, 0}, make([]byte, 12), event)
	got, errs, _ := readAll(t, file)
	if len(got) != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrMessageLength) {
		t.Errorf("got %d datagrams, errors %v; want 1 and ErrMessageLength", len(got), errs)
	}
}

// TestBoundedAllocation: lengths read off the file do not size allocations.
// Each file claims a record of about 16 MiB and holds a few bytes.
func TestBoundedAllocation(t *testing.T) {
	g := &ngBuilder{}
	g.shb(false)
	g.idb(LinkTypeNetlink, 0)
	ng := cat(g.b, g.u32(blockEPB), g.u32(MaxRecordLen), make([]byte, 40))
	pcap := cat(pcapFile(false, false, 253), []byte{0, 0, 0, 0, 0, 0, 0, 0}, []byte{0, 0, 0, 1, 0, 0, 0, 1}, make([]byte, 40))
	raw := cat([]byte{0, 0, 0, 1}, make([]byte, 40))
	for name, file := range map[string][]byte{"pcapng": ng, "pcap": pcap, "raw": raw} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		for range 10 {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			errs = append(errs, err)
		}
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a %d-byte file", name, n, len(file))
		}
		if len(errs) != 1 || !errors.Is(errs[0], ErrTruncated) {
			t.Errorf("%s: errors %v, want one ErrTruncated", name, errs)
		}
	}
}

// FuzzReader: no input panics, the reader always ends, and whatever it
// returns is consistent.
func FuzzReader(f *testing.F) {
	for _, fm := range []Format{FormatPcap, FormatPcapNano, FormatPcapNG, FormatRaw} {
		b := write(f, fm, sample())
		f.Add(b)
		f.Add(gz(f, b))
		f.Add(b[:len(b)/2])
	}
	g := &ngBuilder{}
	g.shb(true)
	g.idb(LinkTypeLinuxSLL2, 0, g.opt(optTSResol, []byte{0x80 | 10}))
	g.spb(cat(sll2Header(4, 824, 12), event), 100)
	f.Add(g.b)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("NewReader error %T is not a *RecordError", err)
			}
			return
		}
		for i := 0; ; i++ {
			if i > len(b)+2 {
				t.Fatalf("no end after %d calls", i)
			}
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var re *RecordError
				if !errors.As(err, &re) || re.Offset < 0 || re.Offset > int64(len(b))*1100 {
					t.Fatalf("bad error %v", err)
				}
				continue
			}
			if len(d.Data) > MaxRecordLen || d.OrigLen < len(d.Data) {
				t.Fatalf("datagram of %d bytes, OrigLen %d", len(d.Data), d.OrigLen)
			}
		}
		st := r.Stats()
		if st.Datagrams+st.SkippedFamily+st.SkippedHardware+st.SkippedLinkType+st.SkippedShort != st.Records {
			t.Fatalf("stats do not add up: %+v", st)
		}
	})
}
