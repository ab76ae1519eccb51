package conntrack

import "net/netip"

// NAT is a NAT binding requested when creating a flow (CTA_NAT_SRC or
// CTA_NAT_DST; the kernel never sends them). MinIP and MaxIP are present
// when valid and use the V4 or V6 attributes by their family. The port
// range (CTA_NAT_PROTO) is present as Present says: bit 1<<T for each
// ProtoNATAttr* type T.
type NAT struct {
	MinIP, MaxIP     netip.Addr
	PortMin, PortMax uint16
	Present          AttrSet
}
