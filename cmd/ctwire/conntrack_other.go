//go:build !linux

package main

import (
	"fmt"
	"io"
)

func runConntrack(prog string, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "conntrack: needs Linux")
	return 1
}
