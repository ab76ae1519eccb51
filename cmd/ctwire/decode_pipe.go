package main

import (
	"fmt"
	"runtime"

	"github.com/ctwire/ctwire/capture"
)

// The decode of a capture runs as a bounded pipeline. The calling
// goroutine reads and frames datagrams, copying them into batches, and
// hands each full batch to an idle worker goroutine (one per further
// processor, up to maxWorkers) or, when every worker is busy, decodes and
// formats it itself; it writes the batches' output and error reports in
// input order as they complete. So there are never more busy goroutines
// than processors, a batch costs at most one hand-off, and with a single
// processor there is none. A fixed set of batches circulates: memory does
// not grow with the capture.
const (
	batchBytes   = 128 << 10 // datagram bytes per batch
	batchEntries = 4096      // datagrams (and read errors) per batch
	maxWorkers   = 4
)

// batch is a run of consecutive datagrams and read errors of a capture,
// with what decoding them printed.
type batch struct {
	in      []byte  // the datagrams' bytes
	ents    []entry // in capture order
	out     []byte  // the output lines
	errs    []byte  // the reports for stderr
	damaged int
	done    chan struct{} // a worker finished the batch
}

// entry is one datagram of a batch (Data set from in[off:off+n] when
// decoded) or one record the reader skipped.
type entry struct {
	dg     capture.Datagram
	off, n int
	err    error
}

// errWriter appends to a batch's reports.
type errWriter struct{ b *batch }

func (w errWriter) Write(p []byte) (int, error) {
	w.b.errs = append(w.b.errs, p...)
	return len(p), nil
}

// pipeline is a running decode pipeline around d, the decoder whose
// settings (format, filter) the workers copy and whose output and
// damage count the reading goroutine keeps.
type pipeline struct {
	d        *decoder
	self     decoder     // the reading goroutine's own worker settings
	work     chan *batch // unbuffered: a send succeeds only to an idle worker
	free     []*batch    // batches not in use
	inflight []*batch    // batches sent, in input order
	cur      *batch      // the batch being filled
}

func startPipeline(d *decoder) *pipeline {
	workers := min(runtime.GOMAXPROCS(0)-1, maxWorkers)
	p := &pipeline{d: d, work: make(chan *batch)}
	for range workers + 2 {
		p.free = append(p.free, &batch{done: make(chan struct{}, 1)})
	}
	p.self = *d // the settings; output and reports go to the batch
	p.self.out, p.self.stderr, p.self.buf = nil, nil, nil
	for range workers {
		w := p.self
		go w.work(p.work)
	}
	return p
}

// add copies dg into the current batch, or records a read error there.
func (p *pipeline) add(dg capture.Datagram, err error) {
	b := p.cur
	if b == nil {
		if len(p.free) == 0 {
			p.writeFirst() // wait for the oldest batch, and write it
		}
		b = p.free[len(p.free)-1]
		p.free = p.free[:len(p.free)-1]
		b.in, b.ents, b.out, b.errs, b.damaged = b.in[:0], b.ents[:0], b.out[:0], b.errs[:0], 0
		p.cur = b
	}
	e := entry{dg: dg, off: len(b.in), n: len(dg.Data), err: err}
	e.dg.Data = nil
	b.in = append(b.in, dg.Data...)
	b.ents = append(b.ents, e)
	if len(b.in) >= batchBytes || len(b.ents) >= batchEntries {
		p.send()
	}
}

// send hands the current batch to an idle worker, or decodes it here, and
// writes whatever batches have completed.
func (p *pipeline) send() {
	b := p.cur
	if b == nil {
		return
	}
	p.cur = nil
	p.inflight = append(p.inflight, b)
	select {
	case p.work <- b:
	default: // every worker is busy
		p.self.decodeBatch(b)
	}
	for len(p.inflight) > 0 && len(p.inflight[0].done) > 0 {
		p.writeFirst()
	}
}

// finish sends the last batch, writes everything and stops the workers.
func (p *pipeline) finish() {
	p.send()
	for len(p.inflight) > 0 {
		p.writeFirst()
	}
	close(p.work)
}

// work decodes and formats the batches it receives; d is the worker's
// own copy of the decoder.
func (d *decoder) work(work <-chan *batch) {
	for b := range work {
		d.decodeBatch(b)
	}
}

// decodeBatch decodes and formats b into its output and reports, and
// marks it done.
func (d *decoder) decodeBatch(b *batch) {
	d.buf, d.stderr, d.damaged = b.out, errWriter{b}, 0
	for i := range b.ents {
		e := &b.ents[i]
		if e.err != nil {
			d.damaged++
			fmt.Fprintf(d.stderr, "ctwire decode: skipped: %v\n", e.err)
			continue
		}
		dg := e.dg
		dg.Data = b.in[e.off : e.off+e.n : e.off+e.n]
		d.datagram(dg)
	}
	b.out, b.damaged = d.buf, d.damaged
	d.buf = nil
	b.done <- struct{}{}
}

// writeFirst waits until the oldest batch sent is decoded, writes its
// output and reports, and frees it.
func (p *pipeline) writeFirst() {
	b := p.inflight[0]
	p.inflight = p.inflight[:copy(p.inflight, p.inflight[1:])]
	<-b.done
	d := p.d
	if len(b.errs) > 0 {
		d.stderr.Write(b.errs)
	}
	d.damaged += b.damaged
	if len(d.buf)+len(b.out) > outChunk {
		d.flush()
	}
	if len(b.out) >= outChunk/2 {
		if d.werr == nil {
			_, d.werr = d.out.Write(b.out)
		}
	} else {
		d.buf = append(d.buf, b.out...)
	}
	p.free = append(p.free, b)
}
