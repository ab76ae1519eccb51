package main

import (
	"fmt"
	"io"
)

func runEncode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ctwire encode: not yet")
	return 2
}
