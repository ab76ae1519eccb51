//go:build !linux

package main

import (
	"fmt"
	"io"
)

// runLive reports that the live commands need Linux.
func runLive(name string, _ []string, _, stderr io.Writer) int {
	fmt.Fprintf(stderr, "ctwire %s: talks to the kernel's conntrack table and needs Linux\n", name)
	return 2
}
