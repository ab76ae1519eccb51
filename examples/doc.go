// Package examples holds three small programs that use ctwire the way a new
// user would, with github.com/mdlayher/netlink owning the socket:
//
//   - cmd/dump lists the conntrack table as `conntrack -L` does;
//   - cmd/events prints conntrack events as `conntrack -E` does;
//   - cmd/create creates, gets and deletes an entry with requests checked by
//     conntrack.Validate, and provokes the kernel's EEXIST and ENOENT.
//
// It is a module of its own, so that the main module does not depend on
// mdlayher/netlink. Its tests build the programs and, as root, run them inside
// network namespaces they create and delete, never in the host's.
package examples
