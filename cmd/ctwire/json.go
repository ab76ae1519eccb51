package main

import (
	"strconv"

	"github.com/ctwire/ctwire/capture"
	"github.com/ctwire/ctwire/conntrack"
)

// appendJSONLine appends the JSON line of one message: the record index
// and capture time around the message's lossless JSON form.
func appendJSONLine(b []byte, dg capture.Datagram, r *conntrack.Record) []byte {
	b = conntrack.AppendJSONLine(b, dg.Index, dg.Time, dg.Order, r)
	return append(b, '\n')
}

// appendRawJSONLine appends the JSON line of a message that did not decode:
// r holds it as raw payload, and a "decode-error" member says why (the
// JSON reader of ctwire encode skips members it does not know).
func appendRawJSONLine(b []byte, dg capture.Datagram, r *conntrack.Record, err error) []byte {
	b = conntrack.AppendJSONLine(b, dg.Index, dg.Time, dg.Order, r)
	b = b[:len(b)-1] // reopen the envelope
	b = append(b, `,"decode-error":`...)
	b = strconv.AppendQuote(b, err.Error())
	return append(b, "}\n"...)
}
