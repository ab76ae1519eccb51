package codec

import "testing"

func TestAppendFlags(t *testing.T) {
	const (
		ctNew    = 0x0100 // IPCTNL_MSG_CT_NEW
		ctGet    = 0x0101 // IPCTNL_MSG_CT_GET
		ctDelete = 0x0102 // IPCTNL_MSG_CT_DELETE
		expNew   = 0x0200 // IPCTNL_MSG_EXP_NEW
		expDel   = 0x0202 // IPCTNL_MSG_EXP_DELETE
		other    = 0x0a00 // NFT_MSG_NEWTABLE: another subsystem
	)
	for _, tc := range []struct {
		typ, flags uint16
		want       string
	}{
		{ctGet, FlagRequest | FlagAck | FlagDump, "REQUEST|ACK|DUMP"},
		{ctGet, FlagRequest | FlagRoot, "REQUEST|ROOT"},
		{ctGet, FlagRequest | FlagMatch, "REQUEST|MATCH"},
		{ctGet, FlagRequest | FlagDump | FlagAtomic, "REQUEST|DUMP|ATOMIC"},
		{ctNew, FlagRequest | FlagAck | FlagCreate | FlagExcl, "REQUEST|ACK|EXCL|CREATE"},
		{ctNew, FlagReplace | FlagAppend, "REPLACE|APPEND"},
		{expNew, FlagRequest | FlagCreate, "REQUEST|CREATE"},
		{ctDelete, FlagRequest | FlagNonrec | FlagBulk, "REQUEST|NONREC|BULK"},
		{expDel, FlagRequest | 0x400, "REQUEST|0x0400"},
		{TypeError, FlagCapped | FlagAckTLVs, "CAPPED|ACK_TLVS"},
		{TypeDone, FlagMulti, "MULTI"},
		{TypeNoop, FlagRequest | 0x100, "REQUEST|0x0100"},
		{other, FlagRequest | FlagDump, "REQUEST|DUMP"},
		{ctGet, FlagMulti | FlagDumpIntr | FlagDumpFiltered, "MULTI|DUMP_INTR|DUMP_FILTERED"},
		{ctGet, FlagMulti | 0x40 | 0x8000, "MULTI|0x8040"},
		{ctGet, 0, "0x0000"},
		{ctGet, 0xc0, "0x00c0"},
	} {
		h := Header{Type: tc.typ, Flags: tc.flags}
		if got := string(h.AppendFlags(nil)); got != tc.want {
			t.Errorf("type %#04x flags %#04x: %q, want %q", tc.typ, tc.flags, got, tc.want)
		}
	}
}

func TestFlagName(t *testing.T) {
	for _, tc := range []struct {
		typ, f uint16
		want   string
	}{
		{0x0101, FlagRequest, "REQUEST"},
		{0x0101, FlagDump, "DUMP"},
		{0x0101, FlagRoot, "ROOT"},
		{0x0100, FlagDump, ""},
		{0x0100, FlagExcl, "EXCL"},
		{0x0202, FlagBulk, "BULK"},
		{TypeError, FlagAckTLVs, "ACK_TLVS"},
		{TypeOverrun, FlagRoot, ""},
		{0x0101, 0, ""},
		{0x0101, FlagRequest | FlagAck, ""},
		{0x0101, 0x40, ""},
		{0x0101, 0x8000, ""},
	} {
		if got := FlagName(tc.typ, tc.f); got != tc.want {
			t.Errorf("FlagName(%#04x, %#04x) = %q, want %q", tc.typ, tc.f, got, tc.want)
		}
	}
	// Every single-bit name is also what AppendFlags prints for that bit.
	for _, typ := range []uint16{0x0100, 0x0101, 0x0102, TypeError, TypeNoop} {
		for i := 0; i < 16; i++ {
			n := FlagName(typ, 1<<i)
			if n == "" {
				continue
			}
			if got := string(Header{Type: typ, Flags: 1 << i}.AppendFlags(nil)); got != n {
				t.Errorf("type %#04x bit %d: AppendFlags %q, FlagName %q", typ, i, got, n)
			}
		}
	}
}

func TestAppendFlagsNoAllocs(t *testing.T) {
	h := Header{Type: 0x0101, Flags: FlagRequest | FlagAck | FlagDump}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = h.AppendFlags(buf[:0]) }); n != 0 {
		t.Errorf("AppendFlags allocates %v times", n)
	}
}
