package main

import (
	"strconv"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
)

// appendBadRequest appends the "# " line of a request whose attributes do
// not decode (conntrack.Record.AppendText prints those that do): its type
// and header, and why.
func appendBadRequest(b []byte, m codec.Message, err error) []byte {
	b = append(b, "# request type=0x"...)
	b = append(b, strconv.FormatUint(uint64(m.Header.Type)|0x10000, 16)[1:]...)
	b = append(b, " seq="...)
	b = strconv.AppendUint(b, uint64(m.Header.Seq), 10)
	b = append(b, " flags="...)
	b = m.Header.AppendFlags(b)
	b = append(b, " family="...)
	if m.NFGen.Family == 0 {
		b = append(b, "unspec"...)
	} else {
		b = append(b, conntrack.Family(m.NFGen.Family).String()...)
	}
	b = append(b, " malformed: "...)
	b = append(b, err.Error()...)
	return append(b, '\n')
}
