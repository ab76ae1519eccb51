package conntrack

// Size bounds of the fixed-size text and binary fields. Decoding a longer
// value fails with [ErrTooLong] rather than allocating or aliasing.
const (
	// MaxHelperNameLen is the longest helper name (NF_CT_HELPER_NAME_LEN
	// 16 minus the NUL).
	MaxHelperNameLen = 15
	// MaxHelperInfoLen is the longest CTA_HELP_INFO: the kernel stores
	// helper-private data in the 32-byte data area of struct nf_conn_help.
	MaxHelperInfoLen = 32
	// MaxSecCtxLen is the longest security context kept by a [SecCtx]. The
	// kernel sends whatever the LSM returns; SELinux contexts are usually
	// far shorter. Storing it inline keeps [Flow] a comparable value that
	// decodes without allocating and without aliasing the input.
	MaxSecCtxLen = 255
)

// HelperName is a conntrack helper name ("ftp", "sip", ...): at most
// [MaxHelperNameLen] bytes held inline. The zero value is the empty name.
type HelperName struct {
	n uint8
	b [MaxHelperNameLen]byte
}

// MakeHelperName returns s as a HelperName, or [ErrTooLong].
func MakeHelperName(s string) (HelperName, error) {
	var h HelperName
	if len(s) > len(h.b) {
		return HelperName{}, ErrTooLong
	}
	h.n = uint8(copy(h.b[:], s))
	return h, nil
}

func (h *HelperName) setBytes(b []byte) bool {
	if len(b) > len(h.b) {
		return false
	}
	h.b = [MaxHelperNameLen]byte{}
	h.n = uint8(copy(h.b[:], b))
	return true
}

// Len returns the length of the name in bytes.
func (h HelperName) Len() int { return int(h.n) }

// String returns the name.
func (h HelperName) String() string { return string(h.b[:h.n]) }

// AppendText appends the name to b. It never fails.
func (h HelperName) AppendText(b []byte) ([]byte, error) { return append(b, h.b[:h.n]...), nil }

// HelperInfo is the helper-private data of CTA_HELP_INFO, used by userspace
// helpers: at most [MaxHelperInfoLen] bytes held inline.
type HelperInfo struct {
	n uint8
	b [MaxHelperInfoLen]byte
}

// MakeHelperInfo returns a copy of b as a HelperInfo, or [ErrTooLong].
func MakeHelperInfo(b []byte) (HelperInfo, error) {
	var h HelperInfo
	if !h.setBytes(b) {
		return HelperInfo{}, ErrTooLong
	}
	return h, nil
}

func (h *HelperInfo) setBytes(b []byte) bool {
	if len(b) > len(h.b) {
		return false
	}
	h.b = [MaxHelperInfoLen]byte{}
	h.n = uint8(copy(h.b[:], b))
	return true
}

// Len returns the length of the data.
func (h HelperInfo) Len() int { return int(h.n) }

// AppendBytes appends the data to b.
func (h HelperInfo) AppendBytes(b []byte) []byte { return append(b, h.b[:h.n]...) }

// Helper is the CTA_HELP nest: the helper attached to a flow and its
// private data. Present has bit 1<<T for each HelpAttr* type T; a present empty
// name asks the kernel to detach the helper.
type Helper struct {
	Name    HelperName
	Info    HelperInfo
	Present AttrSet
}

// SecCtx is the security context of a flow (CTA_SECCTX_NAME inside
// CTA_SECCTX), at most [MaxSecCtxLen] bytes held inline.
type SecCtx struct {
	n uint8
	b [MaxSecCtxLen]byte
}

// MakeSecCtx returns s as a SecCtx, or [ErrTooLong].
func MakeSecCtx(s string) (SecCtx, error) {
	var c SecCtx
	if len(s) > len(c.b) {
		return SecCtx{}, ErrTooLong
	}
	c.n = uint8(copy(c.b[:], s))
	return c, nil
}

func (c *SecCtx) setBytes(b []byte) bool {
	if len(b) > len(c.b) {
		return false
	}
	c.n = uint8(copy(c.b[:], b))
	clear(c.b[c.n:])
	return true
}

// Len returns the length of the context in bytes.
func (c SecCtx) Len() int { return int(c.n) }

// String returns the context.
func (c SecCtx) String() string { return string(c.b[:c.n]) }

// AppendText appends the context to b. It never fails.
func (c SecCtx) AppendText(b []byte) ([]byte, error) { return append(b, c.b[:c.n]...), nil }
