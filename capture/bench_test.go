package capture

import (
	"bytes"
	"testing"
)

// BenchmarkRead reads a large in-memory capture (10,000 datagrams, the
// sample's request, two-flow reply, DONE and event) in each format.
func BenchmarkRead(b *testing.B) {
	var ds []Datagram
	for range 2500 {
		ds = append(ds, sample()...)
	}
	for _, f := range []Format{FormatPcap, FormatPcapNG, FormatRaw} {
		file := write(b, f, ds)
		b.Run(f.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(file)))
			records := 0
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := r.Next(); err != nil {
						break
					}
					records++
				}
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
