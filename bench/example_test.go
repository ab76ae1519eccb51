package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"testing"

	"github.com/ctwire/ctwire/codec"
	"github.com/ctwire/ctwire/conntrack"
	"github.com/ctwire/ctwire/internal/netns"
	"github.com/ctwire/ctwire/nla"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// This file shows ctwire embedded in a netlink stack it does not own:
// github.com/mdlayher/netlink moves the bytes, ctwire builds the requests
// and decodes the replies.

// toNetlink turns a message built by ctwire into mdlayher/netlink's form.
// Conn.Send fills in the length, sequence number and port id again.
func toNetlink(b []byte) (netlink.Message, error) {
	var m netlink.Message
	err := m.UnmarshalBinary(b)
	return m, err
}

// createFlow asks the kernel to create f (IPCTNL_MSG_CT_NEW with
// NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK) and waits for the acknowledgement.
func createFlow(c *netlink.Conn, f *conntrack.Flow) error {
	r := conntrack.CreateRequest(0, f)
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	req, err := toNetlink(b)
	if err != nil {
		return err
	}
	_, err = c.Execute(req) // an NLMSG_ERROR reply becomes a *netlink.OpError
	return err
}

// listFlows dumps the conntrack table of one family over c and calls fn
// with every flow, decoded into one reused record.
func listFlows(c *netlink.Conn, family conntrack.Family, fn func(*conntrack.Flow) error) error {
	r := conntrack.DumpRequest(0, family)
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	req, err := toNetlink(b)
	if err != nil {
		return err
	}
	// Execute gathers the whole multi-part reply up to NLMSG_DONE.
	msgs, err := c.Execute(req)
	if err != nil {
		return err
	}
	var f conntrack.Flow
	for _, m := range msgs {
		// m.Data is what follows the netlink header: the nfgenmsg, then
		// the attributes. Hand ctwire the attributes directly; their
		// offset in the message (20) only serves error messages.
		if len(m.Data) < codec.NFGenLen || m.Header.Type>>8 != netlink.HeaderType(codec.SubsysConntrack) {
			continue
		}
		f.Family = conntrack.Family(m.Data[0])
		err := (conntrack.Decoder{}).DecodeAttrs(nla.NewScannerOrder(m.Data[codec.NFGenLen:], nla.HostOrder, codec.AttrOffset), &f)
		if err != nil {
			return fmt.Errorf("message seq %d: %w", m.Header.Sequence, err)
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	return nil
}

// Example_mdlayherNetlink lists the IPv4 conntrack table of the current
// network namespace (needs CAP_NET_ADMIN) the way conntrack -L does.
func Example_mdlayherNetlink() {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	err = listFlows(c, conntrack.FamilyIPv4, func(f *conntrack.Flow) error {
		fmt.Printf("%s\n", f.AppendText(nil, conntrack.TextOptions{}))
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
}

// TestExampleLive runs the embedding end to end inside a fresh network
// namespace: it creates two flows with ctwire-encoded requests sent by
// mdlayher/netlink, dumps the namespace's table the same way and finds
// them. Root only.
func TestExampleLive(t *testing.T) {
	ns := netns.New(t) // skips unless root; deleted at the end
	fd, err := os.Open(ns.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: int(fd.Fd())})
	if err != nil {
		t.Skipf("no NETLINK_NETFILTER in the namespace: %v", err)
	}
	defer c.Close()

	k := createKey()
	want := map[uint16]bool{}
	for _, sport := range []uint16{40001, 40002} {
		k.OrigSport, k.ReplyDport = sport, sport
		f := ctwireNewFlow(k)
		if err := createFlow(c, &f); err != nil {
			var oe *netlink.OpError
			if errors.As(err, &oe) && errors.Is(oe.Err, unix.ENOENT) {
				t.Skipf("nf_conntrack not loaded: %v", err)
			}
			t.Fatalf("create sport %d: %v", sport, err)
		}
		want[sport] = true
	}

	// The namespace is fresh: its table holds exactly these two flows.
	var got []string
	err = listFlows(c, conntrack.FamilyIPv4, func(f *conntrack.Flow) error {
		got = append(got, string(f.AppendText(nil, conntrack.TextOptions{})))
		if f.Orig.Src != k.OrigSrc || f.Orig.Dst != k.OrigDst || f.Orig.DstPort != k.OrigDport ||
			f.Reply.Src != netip.MustParseAddr("192.0.2.3") || f.Mark != k.Mark {
			return fmt.Errorf("unexpected flow %+v", f.Orig)
		}
		delete(want, f.Orig.SrcPort)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		t.Log(l)
	}
	if len(got) != 2 {
		t.Errorf("dump returned %d flows, want 2", len(got))
	}
	if len(want) != 0 {
		t.Errorf("flows not found in the dump: source ports %v", want)
	}
}
