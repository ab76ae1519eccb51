// Package netns creates, enters and deletes Linux network namespaces for the
// project's live tests, and builds a two-namespace testbed with NAT, an FTP
// helper and bounded traffic between the namespaces.
//
// Nothing here touches the namespace of the calling process: namespaces are
// created with `ip netns add`, every command runs with `ip netns exec` or
// `ip -n`, and Go code enters a namespace only on a locked OS thread of a
// goroutine of its own ([Do]), which returns to its original namespace (or
// is discarded by the runtime when it cannot) before it runs anything else.
//
// A socket keeps the namespace it was created in, so listeners, dialled
// connections and netlink sockets opened inside [Do] keep working in that
// namespace when used from any goroutine afterwards. Goroutines started
// inside the function passed to [Do] run on other threads and so in the
// caller's namespace, not the entered one.
//
// # Tests
//
// [New] and [NewTestbed] skip the test (with the reason) when the process is
// not root, the ip tool is missing or namespaces cannot be created, and
// remove everything they made with t.Cleanup.
package netns
