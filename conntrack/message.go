package conntrack

import (
	"strconv"

	"github.com/ctwire/ctwire/codec"
)

// MessageType is an nlmsg_type of ctnetlink: (subsystem << 8) | message
// (enum cntl_msg_types, enum ctnl_exp_msg_types).
type MessageType uint16

// Message types of subsystems 1 (conntrack) and 2 (expectations).
const (
	MsgCTNew            MessageType = 0x0100 // IPCTNL_MSG_CT_NEW
	MsgCTGet            MessageType = 0x0101 // IPCTNL_MSG_CT_GET
	MsgCTDelete         MessageType = 0x0102 // IPCTNL_MSG_CT_DELETE
	MsgCTGetCtrZero     MessageType = 0x0103 // IPCTNL_MSG_CT_GET_CTRZERO
	MsgCTGetStatsCPU    MessageType = 0x0104 // IPCTNL_MSG_CT_GET_STATS_CPU
	MsgCTGetStats       MessageType = 0x0105 // IPCTNL_MSG_CT_GET_STATS
	MsgCTGetDying       MessageType = 0x0106 // IPCTNL_MSG_CT_GET_DYING
	MsgCTGetUnconfirmed MessageType = 0x0107 // IPCTNL_MSG_CT_GET_UNCONFIRMED
	MsgExpNew           MessageType = 0x0200 // IPCTNL_MSG_EXP_NEW
	MsgExpGet           MessageType = 0x0201 // IPCTNL_MSG_EXP_GET
	MsgExpDelete        MessageType = 0x0202 // IPCTNL_MSG_EXP_DELETE
	MsgExpGetStatsCPU   MessageType = 0x0203 // IPCTNL_MSG_EXP_GET_STATS_CPU
)

var (
	ctMsgNames = []string{"IPCTNL_MSG_CT_NEW", "IPCTNL_MSG_CT_GET", "IPCTNL_MSG_CT_DELETE",
		"IPCTNL_MSG_CT_GET_CTRZERO", "IPCTNL_MSG_CT_GET_STATS_CPU", "IPCTNL_MSG_CT_GET_STATS",
		"IPCTNL_MSG_CT_GET_DYING", "IPCTNL_MSG_CT_GET_UNCONFIRMED"}
	expMsgNames = []string{"IPCTNL_MSG_EXP_NEW", "IPCTNL_MSG_EXP_GET", "IPCTNL_MSG_EXP_DELETE",
		"IPCTNL_MSG_EXP_GET_STATS_CPU"}
)

// Subsystem returns the nfnetlink subsystem (1 or 2 for ctnetlink).
func (t MessageType) Subsystem() uint8 { return uint8(t >> 8) }

// Msg returns the message number within the subsystem.
func (t MessageType) Msg() uint8 { return uint8(t) }

// String returns the kernel name ("IPCTNL_MSG_CT_NEW"), or "0x" and four
// hex digits.
func (t MessageType) String() string {
	var names []string
	switch t.Subsystem() {
	case codec.SubsysConntrack:
		names = ctMsgNames
	case codec.SubsysConntrackExp:
		names = expMsgNames
	}
	if int(t.Msg()) < len(names) {
		return names[t.Msg()]
	}
	s := strconv.FormatUint(uint64(t), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return "0x" + s
}
