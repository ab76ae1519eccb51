package conntrack

// ProtoInfo is the protocol-specific state of a flow (the CTA_PROTOINFO
// nest). Present has bit 1<<T for each [ProtoInfoAttr] T present.
type ProtoInfo struct {
	TCP     TCPInfo
	DCCP    DCCPInfo
	SCTP    SCTPInfo
	Present uint8
}

// Has reports whether the nest a is present.
func (p ProtoInfo) Has(a ProtoInfoAttr) bool { return a < 8 && p.Present&(1<<a) != 0 }

// Set marks the nest a as present.
func (p *ProtoInfo) Set(a ProtoInfoAttr) {
	if a < 8 {
		p.Present |= 1 << a
	}
}

// TCPFlagsMask is the two-byte struct nf_ct_tcp_flags: flags and the mask
// of flags to change. The kernel sends a zero mask.
type TCPFlagsMask struct {
	Flags TCPFlags
	Mask  TCPFlags
}

// TCPInfo is the CTA_PROTOINFO_TCP nest. Present has bit 1<<T for each
// [TCPAttr] T present; DESTROY events carry only the state.
type TCPInfo struct {
	State       TCPState
	WScaleOrig  uint8
	WScaleReply uint8
	FlagsOrig   TCPFlagsMask
	FlagsReply  TCPFlagsMask
	Present     uint8
}

// Has reports whether the attribute a is present.
func (t TCPInfo) Has(a TCPAttr) bool { return a < 8 && t.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (t *TCPInfo) Set(a TCPAttr) {
	if a < 8 {
		t.Present |= 1 << a
	}
}

// SCTPInfo is the CTA_PROTOINFO_SCTP nest. The verification tags are the
// raw network-order values. Present has bit 1<<T for each [SCTPAttr] T.
type SCTPInfo struct {
	State     SCTPState
	VTagOrig  uint32
	VTagReply uint32
	Present   uint8
}

// Has reports whether the attribute a is present.
func (s SCTPInfo) Has(a SCTPAttr) bool { return a < 8 && s.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (s *SCTPInfo) Set(a SCTPAttr) {
	if a < 8 {
		s.Present |= 1 << a
	}
}

// DCCPInfo is the CTA_PROTOINFO_DCCP nest (kernels before 6.17). Present
// has bit 1<<T for each [DCCPAttr] T.
type DCCPInfo struct {
	State        DCCPState
	Role         DCCPRole
	HandshakeSeq uint64
	Present      uint8
}

// Has reports whether the attribute a is present.
func (d DCCPInfo) Has(a DCCPAttr) bool { return a < 8 && d.Present&(1<<a) != 0 }

// Set marks the attribute a as present.
func (d *DCCPInfo) Set(a DCCPAttr) {
	if a < 8 {
		d.Present |= 1 << a
	}
}
