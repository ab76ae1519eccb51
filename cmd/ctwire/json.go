package main

import (
	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/conntrack"
)

// appendJSONLine appends the JSON line of one message.
func appendJSONLine(b []byte, dg capture.Datagram, r *conntrack.Record) []byte {
	_ = dg
	_ = r
	return b
}
