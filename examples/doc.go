// Package examples holds small programs that use ctwire the way a new user
// would, each with the socket owned by a different stack:
//
//   - cmd/: github.com/mdlayher/netlink, with package mdglue (Run, Recv, Send,
//     Decode, KernelError) between it and ctwire's exchange: dump, events,
//     create (validated create/get/delete with kernel refusals), get, update,
//     delete, flush, stats and expect;
//   - unix/: a plain golang.org/x/sys/unix socket driving the exchange: the
//     same nine jobs;
//   - migrate/: dump, events and create written with github.com/ti-mo/conntrack,
//     to set beside cmd/dump, cmd/events and cmd/create.
//
// It is a module of its own, so that the main module does not depend on
// mdlayher/netlink or ti-mo/conntrack. Its tests build every program, check
// that cmd/dump, cmd/events and cmd/create stay within 35 lines, and, as
// root, run them inside network namespaces they create and delete, never in
// the host's.
package examples
