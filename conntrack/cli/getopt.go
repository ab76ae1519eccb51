package cli

import "strings"

// The command line is read the way conntrack reads it: with glibc's
// getopt_long, an option string that starts with ':' (a missing argument
// is reported as such, nothing is printed by getopt itself) and
// non-option words skipped. These are the rules reproduced here:
//
//   - "-abc" is a cluster of short options; an option that takes an
//     argument takes the rest of the cluster, or else the next word
//     (whatever it starts with); an option with an optional argument
//     takes only the rest of the cluster;
//   - "--name", "--name=value" and "--name value" (for a required
//     argument); an optional argument only after "=";
//   - a long name may be abbreviated to any prefix that is not ambiguous:
//     several candidates are ambiguous unless they are the same option
//     under different names (same value and argument kind);
//   - words that are not options are skipped; "--" ends the options.

// argKind is how an option takes its argument.
type argKind uint8

const (
	argNone argKind = iota
	argRequired
	argOptional
)

// longOpt is one long option: its name, argument kind and the value the
// scanner returns for it.
type longOpt struct {
	name string
	arg  argKind
	val  int
}

// Values the scanner returns besides option values.
const (
	optEnd     = -1
	optUnknown = '?'
	optMissing = ':'
)

type scanner struct {
	args    []string // the words after argv[0]
	next    int      // index of the next word to read
	cluster string   // the rest of a cluster of short options
	short   string   // the short option string (without the leading ':')
	long    []longOpt

	arg    string // the option's argument
	hasArg bool
	word   string // the word the last option came from (argv[optind-1])
}

func (s *scanner) shortKind(c byte) (argKind, bool) {
	for i := 0; i < len(s.short); i++ {
		if s.short[i] != c {
			continue
		}
		k := argNone
		if i+1 < len(s.short) && s.short[i+1] == ':' {
			k = argRequired
			if i+2 < len(s.short) && s.short[i+2] == ':' {
				k = argOptional
			}
		}
		return k, true
	}
	return 0, false
}

// nextOpt returns the next option's value, optUnknown, optMissing or
// optEnd.
func (s *scanner) nextOpt() int {
	s.arg, s.hasArg = "", false
	if s.cluster != "" {
		return s.shortOpt()
	}
	for s.next < len(s.args) {
		w := s.args[s.next]
		if w == "--" {
			s.next = len(s.args)
			return optEnd
		}
		if len(w) < 2 || w[0] != '-' {
			s.next++ // a non-option word: skipped
			continue
		}
		s.next++
		s.word = w
		if strings.HasPrefix(w, "--") {
			return s.longOpt(w[2:])
		}
		s.cluster = w[1:]
		return s.shortOpt()
	}
	return optEnd
}

func (s *scanner) shortOpt() int {
	c := s.cluster[0]
	s.cluster = s.cluster[1:]
	k, ok := s.shortKind(c)
	if !ok || c == ':' {
		s.cluster = ""
		return optUnknown
	}
	switch k {
	case argRequired:
		if s.cluster != "" {
			s.arg, s.hasArg, s.cluster = s.cluster, true, ""
		} else if !s.nextArg() {
			return optMissing
		}
	case argOptional:
		if s.cluster != "" {
			s.arg, s.hasArg, s.cluster = s.cluster, true, ""
		}
	}
	return int(c)
}

// nextArg takes the next word as the option's argument, reporting false
// when there is none.
func (s *scanner) nextArg() bool {
	if s.next >= len(s.args) {
		return false
	}
	s.arg, s.hasArg, s.word = s.args[s.next], true, s.args[s.next]
	s.next++
	return true
}

func (s *scanner) longOpt(body string) int {
	name, val, hasVal := strings.Cut(body, "=")
	var found *longOpt
	ambiguous := false
	for i := range s.long {
		o := &s.long[i]
		if o.name == name {
			found, ambiguous = o, false
			break
		}
		if !strings.HasPrefix(o.name, name) {
			continue
		}
		if found == nil {
			found = o
		} else if found.arg != o.arg || found.val != o.val {
			ambiguous = true
		}
	}
	if found == nil || ambiguous {
		return optUnknown
	}
	switch found.arg {
	case argNone:
		if hasVal {
			return optUnknown
		}
	case argRequired:
		if hasVal {
			s.arg, s.hasArg = val, true
		} else if !s.nextArg() {
			return optMissing
		}
	case argOptional:
		if hasVal {
			s.arg, s.hasArg = val, true
		}
	}
	return found.val
}

// optionalWord is conntrack's way of reading a table name or an optional
// argument given as a separate word: when the option carried no argument
// of its own, the next word is taken unless it starts with '-' or '!'.
func (s *scanner) optionalWord() (string, bool) {
	if s.hasArg {
		return "", false
	}
	if s.next < len(s.args) {
		w := s.args[s.next]
		if w == "" || (w[0] != '-' && w[0] != '!') {
			s.next++
			return w, true
		}
	}
	return "", false
}
