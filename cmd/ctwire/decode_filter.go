package main

import (
	"os"

	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/conntrack/cli"
)

// decodeFilter applies conntrack's filter options to a capture: flows as
// conntrack -L applies them, events as conntrack -E does (the -e mask
// included), expectations as conntrack -L expect / -E expect does.
type decodeFilter struct {
	list, events *cli.Cmd // the options read as -L and as -E
	// expect is set when the options can select expectations: conntrack
	// compares an expectation only by the event mask (-E expect) and its
	// family, so other comparisons select no expectation.
	expect bool
}

// newDecodeFilter reads conntrack's filter options, once as -L reads them
// (without the -e mask, an option of -E only) and once as -E does. An
// option only one of them accepts (-u is -L's) filters both flows and
// events; one that neither accepts is a usage error.
func newDecodeFilter(args []string) (*decodeFilter, error) {
	var p cli.Parser
	p.LabelNames = func() (*conntrack.LabelNames, error) {
		b, err := os.ReadFile("/etc/xtables/connlabel.conf") // where conntrack reads label names
		if err != nil {
			return nil, err
		}
		return conntrack.ParseLabelNames(b), nil
	}
	var listArgs []string
	mask := false
	for i := 0; i < len(args); i++ {
		if a := args[i]; a == "-e" || a == "--event-mask" {
			i, mask = i+1, true
			continue
		}
		listArgs = append(listArgs, args[i])
	}
	list, errL := p.Parse(append([]string{"-L"}, listArgs...))
	events, errE := p.Parse(append([]string{"-E"}, args...))
	switch {
	case errL != nil && (errE != nil || mask && len(listArgs) > 0 && events == nil):
		if mask {
			return nil, errText(errE)
		}
		return nil, errText(errL)
	case errE != nil && mask:
		return nil, errText(errE)
	case errE != nil:
		events = list
	case errL != nil:
		list = events
	}
	f := &decodeFilter{list: list, events: events}
	f.expect = events.Options&^(cli.OptEventMask|cli.OptFamily|cli.OptOutput) == 0
	return f, nil
}

type filterError string

func (e filterError) Error() string { return string(e) }

func errText(err error) error { return filterError(cli.ErrorText(err)) }

// keep reports whether the record is printed.
func (f *decodeFilter) keep(r *conntrack.Record) bool {
	events := f.events.Options&cli.OptEventMask != 0 // -e: events only
	switch r.Kind {
	case conntrack.KindFlow:
		// -f is the dump request's family (the kernel selects by it).
		return !events && f.family(conntrack.Family(r.NFGen.Family)) && f.list.Match(&r.Flow)
	case conntrack.KindEvent:
		return f.masked(r.Event) && f.events.MatchEvent(conntrack.Family(r.NFGen.Family), &r.Flow)
	case conntrack.KindExpect:
		return !events && f.expect && f.family(r.Expect.Family)
	case conntrack.KindExpectEvent:
		return f.expect && f.masked(r.Event) && f.family(r.Expect.Family)
	}
	return false // requests, acks, stats, control messages: not selected by a filter
}

func (f *decodeFilter) masked(k conntrack.EventKind) bool {
	if f.events.EventMask == 0 {
		return true
	}
	var bit uint8
	switch k {
	case conntrack.EventNew:
		bit = cli.EventNew
	case conntrack.EventUpdate:
		bit = cli.EventUpdate
	case conntrack.EventDestroy:
		bit = cli.EventDestroy
	}
	return f.events.EventMask&bit != 0
}

func (f *decodeFilter) family(fam conntrack.Family) bool {
	return f.events.Options&cli.OptFamily == 0 || f.events.Family == fam
}
