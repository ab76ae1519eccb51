// Package jsonx holds the JSON machinery of the conntrack package: a
// [Writer] of appenders (no reflection, no allocation beyond growing the
// buffer) and a [Reader], a small tokenizer that never panics and reports
// the first fault as an [*Error] with the byte offset and the path of
// object keys. It knows nothing of netlink: the schema (which members, in
// which order, with which name tables) is the caller's. It does no I/O and
// imports only the standard library.
//
// # Writing
//
// A [Writer] appends to its buffer B and tracks whether a comma is due:
// Open, Key and the value methods (Uint, Str, Enum, Bits, ...) place the
// separators, so a caller writes members in order and never a comma.
//
// # Reading
//
// A [Reader] reads In from Pos. After the first fault it records the
// error, and every further call does nothing and returns a zero value, so
// a parser need not check errors at each step: it calls [Reader.Err] at
// the end. Objects are iterated with BeginObject and More (which sets
// Key), arrays with BeginArray and MoreElem. Nesting deeper than
// [MaxDepth] is [ErrDepth].
//
// Enumerations and bit sets are read and written by name tables indexed
// by value (or bit number); names are matched with [NameEq]: ASCII case
// ignored, '-' and '_' alike.
package jsonx
