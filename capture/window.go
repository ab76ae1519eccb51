package capture

import "io"

// window is a read-ahead buffer over the input that tracks the file offset
// of its first unread byte. Unlike bufio.Reader it can hold a whole block,
// so a block can be checked (length, trailer) before it is consumed and
// scanned for a resynchronisation point when it is damaged. It grows only
// as bytes actually arrive, so a length read off the file never sizes an
// allocation by itself.
type window struct {
	r   io.Reader
	buf []byte
	pos int   // first unread byte in buf
	end int   // end of buffered data in buf
	off int64 // file offset of buf[pos]
	err error // first read error; io.EOF at the end of the input
}

// minRead is the smallest read the window issues, and its initial size.
const minRead = 64 << 10

func newWindow(r io.Reader, prefix []byte) *window {
	w := &window{r: r}
	if len(prefix) > 0 {
		w.buf = make([]byte, len(prefix), max(len(prefix), minRead))
		copy(w.buf, prefix)
		w.end = len(prefix)
	}
	return w
}

// avail returns the number of buffered unread bytes.
func (w *window) avail() int { return w.end - w.pos }

// ensure tries to buffer n unread bytes and returns how many are buffered,
// which is less than n only at the end of the input or after a read error.
func (w *window) ensure(n int) int {
	empty := 0
	for w.avail() < n && w.err == nil {
		if w.pos > 0 && (w.pos == w.end || w.pos >= cap(w.buf)/2) {
			// Move the unread bytes to the front before reading more.
			w.end = copy(w.buf, w.buf[w.pos:w.end])
			w.buf = w.buf[:w.end]
			w.pos = 0
		}
		if cap(w.buf)-w.end < minRead/4 {
			// Grow only when nearly full, so the buffer stays within
			// twice the bytes actually read (plus minRead).
			nb := make([]byte, w.end, cap(w.buf)+max(minRead, cap(w.buf)))
			copy(nb, w.buf[:w.end])
			w.buf = nb
		}
		m, err := w.r.Read(w.buf[w.end:cap(w.buf)])
		w.end += m
		w.buf = w.buf[:w.end]
		switch {
		case err != nil:
			w.err = err
		case m == 0:
			// io.Reader allows (0, nil); do not spin on it forever.
			if empty++; empty > 100 {
				w.err = io.ErrNoProgress
			}
		}
	}
	return min(n, w.avail())
}

// peek returns the next n buffered bytes; n must not exceed avail.
func (w *window) peek(n int) []byte { return w.buf[w.pos : w.pos+n : w.pos+n] }

// skip consumes n buffered bytes; n must not exceed avail.
func (w *window) skip(n int) {
	w.pos += n
	w.off += int64(n)
}

// readErr returns the read error that ended the input, or nil for a clean
// end of file.
func (w *window) readErr() error {
	if w.err == io.EOF {
		return nil
	}
	return w.err
}
