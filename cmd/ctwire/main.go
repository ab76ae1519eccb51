// Command ctwire decodes and encodes ctnetlink (conntrack netlink) messages.
//
//	ctwire decode [-o extended,id,ktimestamp,timestamp|json] [FILE|-]
//	ctwire encode [-o pcap|pcapng|raw] [FILE|-]
//	ctwire dump   [-n NETNS] [filters] [-o extended,id,ktimestamp|json]
//	ctwire watch  [-n NETNS] [-e EVENTS] [-o extended,id,timestamp|json]
//	ctwire stats  [-n NETNS]
//	ctwire record FILE [-- dump|watch|stats ARGS...]
//
// decode reads a capture (pcap, pcapng, gzip-compressed or not, or a raw
// stream of netlink messages) and prints every conntrack and expectation
// message in order: flows as `conntrack -L` prints them, events as
// `conntrack -E` prints them, and every other message as one line starting
// with "# ". With -o json it prints one JSON object per message instead.
// encode reads those JSON lines and writes the messages back as a capture.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
)

const usage = `usage:
  ctwire decode [-o extended,id,ktimestamp,timestamp|json] [FILE|-]
  ctwire encode [-o pcap|pcapng|raw] [FILE|-]
  ctwire dump   [-n NETNS] [filters] [-o extended,id,ktimestamp|json]   (Linux, root)
  ctwire watch  [-n NETNS] [-e EVENTS] [-o extended,id,timestamp|json] (Linux, root)
  ctwire stats  [-n NETNS]                                             (Linux, root)
  ctwire record FILE [-- dump|watch|stats ARGS...]                     (Linux, root)
  ctwire conntrack ARGS...  conntrack-tools 1.4.7's command (also as a binary named conntrack)
  ctwire --version

filters (as conntrack's): -f ipv4|ipv6, -p PROTO, -s/-d/-r/-q ADDR, --sport/--dport PORT,
  -m MARK[/MASK], -w ZONE, -u STATUS[,STATUS...]
`

func main() {
	if filepath.Base(os.Args[0]) == "conntrack" {
		os.Exit(runConntrack(os.Args[0], os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the exit status: 0 on success,
// 1 when some input could not be decoded (the rest was), 2 on usage errors
// or failures.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "decode":
		return runDecode(args[1:], stdin, stdout, stderr)
	case "encode":
		return runEncode(args[1:], stdin, stdout, stderr)
	case "conntrack":
		return runConntrack("conntrack", args[1:], stdout, stderr)
	case "dump", "watch", "stats", "record":
		return runLive(args[0], args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	}
	fmt.Fprintf(stderr, "ctwire: unknown command %q\n%s", args[0], usage)
	return 2
}

// version returns "ctwire VERSION (GOVERSION)", the module version the
// binary was built from ("devel" for a build from a checkout).
func version() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "ctwire " + v + " (" + runtime.Version() + ")"
}

// parseFlags parses a subcommand's flags. -h, -help or --help print the
// subcommand's usage on stdout (done, status 0); a bad flag prints the
// error and the usage on stderr (done, status 2).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0, true
		}
	}
	if err := fs.Parse(args); err != nil {
		return 2, true
	}
	return 0, false
}

// openInput opens the named file, or standard input for "" and "-".
func openInput(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "" || name == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(name)
}
