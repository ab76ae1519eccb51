// Package fuzz holds the native Go fuzz targets of ctwire, their seed
// corpora and regression inputs (testdata/fuzz/FuzzX/). The helpers they
// share (seeds from the real recordings in testdata/live and from the
// encoders, an allocation budget check, and a check that every error is
// typed and points inside the input) live in internal/fuzzcheck.
//
// # Targets
//
// Each target lives in a *_test.go file of this package and is run with
//
//	go test -run '^$' -fuzz '^FuzzNLA$' -fuzztime 10m -parallel 1 ./fuzz/
//
// Plain `go test ./fuzz/` replays the seeds and every input committed
// under testdata/fuzz/FuzzX/, so a crasher once found is checked forever.
// The targets cover attribute scanning (nla), message iteration and
// NLMSG_ERROR/NLMSG_DONE with extended acks (codec), flow, expectation,
// stats, event and request decoding and re-encoding (conntrack), the text
// form, capture reading (capture), the request/reply exchange (exchange)
// and the whole pipeline from capture bytes to text.
//
// # Properties
//
// On every input: no panic; heap allocation bounded by a small multiple of
// the input size plus a constant (fuzzcheck.CheckAlloc); every error is one
// of the project's typed errors with an offset inside the input
// (fuzzcheck.CheckError); and where decoding succeeds, encoding the result
// and decoding that again gives the same record.
//
// The package has no code outside its tests: there is nothing to import.
package fuzz
