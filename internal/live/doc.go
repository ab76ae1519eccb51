// Package live drives the kernel's conntrack table through the codec: a
// [Client] turns [conntrack.Request] values into bytes with
// [conntrack.AppendRequest], sends them over an [nlsock.Conn] and decodes
// every reply message into [conntrack.Record] values. The command's live
// subcommands use it, and its tests prove every operation against the
// running kernel.
//
// # Tests
//
// The tests of this package (go test ./internal/live -run Live -v) each
// create their own network namespaces with package internal/netns and
// delete them at the end; they never touch the caller's conntrack table,
// and send traffic only between their own namespaces. They skip, saying
// why, when the process is not root, namespaces cannot be created, or
// NETLINK_NETFILTER is unavailable (as under qemu-user).
package live
