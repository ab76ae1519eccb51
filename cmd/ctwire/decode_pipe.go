package main

import (
	"fmt"
	"runtime"

	"github.com/ctwire/ctwire/capture"
)

// The decode of a capture runs as a bounded pipeline: the calling
// goroutine reads and frames datagrams, copying them into batches; up to
// maxWorkers goroutines (one per processor) decode and format whole
// batches, each into the batch's own output; one goroutine writes the
// batches' output and error reports in input order. A fixed set of
// batches circulates, so memory does not grow with the capture. Every
// hand-off between goroutines may cost a wake-up across processors, as
// much as decoding tens of flows: batches are large enough to make that
// negligible.
const (
	batchBytes       = 256 << 10 // datagram bytes per batch of a file (half that for JSON, twice the work per byte)
	streamBatchBytes = 64 << 10  // of a pipe
	batchEntries     = 2048      // datagrams (and read errors) per batch
	maxWorkers       = 4
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
// damage count the writer keeps.
type pipeline struct {
	d                 *decoder
	free, work, order chan *batch
	done              chan struct{}
	cur               *batch
	size              int // datagram bytes per batch
}

func startPipeline(d *decoder, size int) *pipeline {
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	n := workers + 2
	p := &pipeline{d: d, free: make(chan *batch, n), work: make(chan *batch, n),
		order: make(chan *batch, n), done: make(chan struct{}), size: size}
	if d.json {
		p.size /= 2
	}
	for range n {
		// Sized for a full batch and its text up front: the buffers are
		// touched once and rarely regrown.
		p.free <- &batch{in: make([]byte, 0, p.size+64<<10), out: make([]byte, 0, p.size),
			done: make(chan struct{}, 1)}
	}
	for range workers {
		w := *d // the settings; output and reports go to the batch
		w.out, w.stderr, w.buf = nil, nil, nil
		go w.work(p.work)
	}
	go p.write()
	return p
}

// add copies dg into the current batch, or records a read error there.
func (p *pipeline) add(dg capture.Datagram, err error) {
	b := p.cur
	if b == nil {
		b = <-p.free
		b.in, b.ents, b.out, b.errs, b.damaged = b.in[:0], b.ents[:0], b.out[:0], b.errs[:0], 0
		p.cur = b
	}
	e := entry{dg: dg, off: len(b.in), n: len(dg.Data), err: err}
	e.dg.Data = nil
	b.in = append(b.in, dg.Data...)
	b.ents = append(b.ents, e)
	if len(b.in) >= p.size || len(b.ents) >= batchEntries {
		p.send()
	}
}

func (p *pipeline) send() {
	if p.cur != nil {
		p.order <- p.cur
		p.work <- p.cur
		p.cur = nil
	}
}

// finish sends the last batch and waits until everything is written.
func (p *pipeline) finish() {
	p.send()
	close(p.work)
	close(p.order)
	<-p.done
}

// work decodes and formats the batches it receives; d is the worker's
// own copy of the decoder.
func (d *decoder) work(work <-chan *batch) {
	for b := range work {
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
}

// write writes the batches in order as their workers finish them.
func (p *pipeline) write() {
	defer close(p.done)
	d := p.d
	for b := range p.order {
		<-b.done
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
		p.free <- b
	}
}
