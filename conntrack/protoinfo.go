package conntrack

// ProtoInfo is the protocol-specific state of a flow (the CTA_PROTOINFO
// nest). Present has bit 1<<T for each ProtoInfoAttr* type T present.
type ProtoInfo struct {
	TCP     TCPInfo
	DCCP    DCCPInfo
	SCTP    SCTPInfo
	Present AttrSet
}

// TCPFlagsMask is the two-byte struct nf_ct_tcp_flags: flags and the mask
// of flags to change. The kernel sends a zero mask.
type TCPFlagsMask struct {
	Flags TCPFlags
	Mask  TCPFlags
}

// TCPInfo is the CTA_PROTOINFO_TCP nest. Present has bit 1<<T for each
// TCPAttr* type T present; DESTROY events carry only the state.
type TCPInfo struct {
	State       TCPState
	WScaleOrig  uint8
	WScaleReply uint8
	FlagsOrig   TCPFlagsMask
	FlagsReply  TCPFlagsMask
	Present     AttrSet
}

// SCTPInfo is the CTA_PROTOINFO_SCTP nest. The verification tags are the
// raw network-order values. Present has bit 1<<T for each SCTPAttr* type T.
type SCTPInfo struct {
	State     SCTPState
	VTagOrig  uint32
	VTagReply uint32
	Present   AttrSet
}

// DCCPInfo is the CTA_PROTOINFO_DCCP nest (kernels before 6.17). Present
// has bit 1<<T for each DCCPAttr* type T.
type DCCPInfo struct {
	State        DCCPState
	Role         DCCPRole
	HandshakeSeq uint64
	Present      AttrSet
}
