package conntrack

import "github.com/ctwire/ctwire/internal/jsonx"

// The JSON of one record body, written and read apart from a message,
// for tests that check a body on its own.

// appendJSON appends the JSON object of f (the "flow" body of
// [AppendJSON], with "family" when non-zero) to dst.
func (f *Flow) appendJSON(dst []byte) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.Open()
	w.flow(f, -1)
	w.Close()
	return w.B
}

// appendJSON appends the JSON object of e (the "expect" body of
// [AppendJSON], with "family" when non-zero) to dst.
func (e *Expect) appendJSON(dst []byte) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.Open()
	w.expect(e, -1)
	w.Close()
	return w.B
}

// appendJSON appends the JSON object of s (the "stats-cpu" body of
// [AppendJSON], with "cpu") to dst.
func (s *StatsCPU) appendJSON(dst []byte) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.Open()
	w.statsCPU(s, -1)
	w.Close()
	return w.B
}

// appendJSON appends the JSON object of s (the "stats-global" body of
// [AppendJSON]) to dst.
func (s *StatsGlobal) appendJSON(dst []byte) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.Open()
	w.attrsStatsGlobal(s)
	w.Close()
	return w.B
}

// appendJSON appends the JSON object of s (the "stats-exp" body of
// [AppendJSON], with "cpu") to dst.
func (s *StatsExp) appendJSON(dst []byte) []byte {
	w := jw{jsonx.Writer{B: dst}}
	w.Open()
	w.statsExp(s, -1)
	w.Close()
	return w.B
}

// unmarshalJSON reads the JSON object of a flow (as Flow.appendJSON writes it) into
// f. On error f is unchanged and the error is a [*JSONError].
func (f *Flow) unmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t Flow
	p.flow(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*f = t
	return nil
}

// unmarshalJSON reads the JSON object of an expectation
// (as Expect.appendJSON writes it) into e. On error e is unchanged and the error is
// a [*JSONError].
func (e *Expect) unmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t Expect
	p.expect(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*e = t
	return nil
}

// unmarshalJSON reads the JSON object of per-CPU statistics
// (as StatsCPU.appendJSON writes it) into s. On error s is unchanged and the error
// is a [*JSONError].
func (s *StatsCPU) unmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t StatsCPU
	p.statsCPU(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*s = t
	return nil
}

// unmarshalJSON reads the JSON object of global statistics
// (as StatsGlobal.appendJSON writes it) into s. On error s is unchanged and the
// error is a [*JSONError].
func (s *StatsGlobal) unmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t StatsGlobal
	p.statsGlobal(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*s = t
	return nil
}

// unmarshalJSON reads the JSON object of per-CPU expectation statistics
// (as StatsExp.appendJSON writes it) into s. On error s is unchanged and the error
// is a [*JSONError].
func (s *StatsExp) unmarshalJSON(b []byte) error {
	p := jr{jsonx.Reader{In: b}}
	var t StatsExp
	p.statsExp(&t)
	p.End()
	if p.Err() != nil {
		return p.Err()
	}
	*s = t
	return nil
}
