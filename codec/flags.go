package codec

// The low byte of nlmsg_flags means the same in every message; the high
// byte (0x0f00) depends on the message (include/uapi/linux/netlink.h):
// modifiers of GET requests (ROOT, MATCH, ATOMIC), of NEW requests
// (REPLACE, EXCL, CREATE, APPEND), of DELETE requests (NONREC, BULK), and
// the flags of NLMSG_ERROR and NLMSG_DONE (CAPPED, ACK_TLVS). The names are
// the kernel's without the NLM_F_ prefix, indexed by bit.
var (
	flagNamesGet = [16]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED", "", "",
		"ROOT", "MATCH", "ATOMIC"}
	flagNamesNew = [16]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED", "", "",
		"REPLACE", "EXCL", "CREATE", "APPEND"}
	flagNamesDelete = [16]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED", "", "",
		"NONREC", "BULK"}
	flagNamesAck = [16]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED", "", "",
		"CAPPED", "ACK_TLVS"}
	flagNamesControl = [16]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED"}
)

// flagNames returns the names of the flag bits of a message of type typ.
// ctnetlink numbers its messages alike in both subsystems: message 0 is a
// NEW (IPCTNL_MSG_CT_NEW, IPCTNL_MSG_EXP_NEW), 2 a DELETE, every other one
// a GET of some kind (nf_conntrack_netlink.c: ctnl_cb, ctnl_exp_cb).
// Messages of other subsystems are read as GETs, the common case.
func flagNames(typ uint16) *[16]string {
	switch {
	case typ == TypeError || typ == TypeDone:
		return &flagNamesAck
	case typ < TypeMin:
		return &flagNamesControl
	}
	if s := uint8(typ >> 8); s == SubsysConntrack || s == SubsysConntrackExp {
		switch uint8(typ) {
		case 0:
			return &flagNamesNew
		case 2:
			return &flagNamesDelete
		}
	}
	return &flagNamesGet
}

// FlagName returns the name of the header flag f (one bit, or [FlagDump])
// in a message of type typ, as the kernel names it without the NLM_F_
// prefix: "REQUEST", "DUMP", "CREATE", "ACK_TLVS". The bits of the high
// byte are named by what they mean for typ: GET modifiers (and "DUMP" for
// ROOT|MATCH), NEW or DELETE modifiers for the ctnetlink messages 0 and 2
// of subsystems 1 and 2, NLMSG_ERROR/NLMSG_DONE flags, none for the other
// control messages. It returns "" for a value that has no name there.
func FlagName(typ, f uint16) string {
	names := flagNames(typ)
	if f == FlagDump {
		if names == &flagNamesGet {
			return "DUMP"
		}
		return ""
	}
	if f == 0 || f&(f-1) != 0 {
		return ""
	}
	for i := range names {
		if f == 1<<i {
			return names[i]
		}
	}
	return ""
}

// AppendFlags appends the names of h.Flags as [FlagName] gives them for
// h.Type, joined by '|', lowest bit first, with "DUMP" for ROOT|MATCH in a
// GET: "REQUEST|ACK|DUMP". Bits without a name follow as one hex number
// ("MULTI|0x0040"); no flags at all give "0x0000". It allocates nothing
// when dst has room.
func (h Header) AppendFlags(dst []byte) []byte {
	names := flagNames(h.Type)
	f := h.Flags
	first := true
	for i := range names {
		bit := uint16(1) << i
		if f&bit == 0 || names[i] == "" {
			continue
		}
		name := names[i]
		if bit == FlagRoot && names == &flagNamesGet && f&FlagDump == FlagDump {
			name = "DUMP"
			f &^= FlagMatch
		}
		if !first {
			dst = append(dst, '|')
		}
		dst = append(dst, name...)
		first = false
		f &^= bit
	}
	if f != 0 || first {
		if !first {
			dst = append(dst, '|')
		}
		dst = append(dst, "0x"...)
		dst = appendHex(dst, uint64(f), 4)
	}
	return dst
}
