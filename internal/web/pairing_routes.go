package web

import "net/http"

// navPairing are this feature's header links.
var navPairing = []navItem{
	{"pairing", "/pairing", "结对", []string{"station", "community"}},
}

// routesPairing registers the pairing pages (SPEC §3): matching and the
// lists of what waits (/pairing), an elder's care team with its relay
// history, agreements and the responsibility card, and a volunteer leaving.
func (s *Server) routesPairing(m *http.ServeMux) {
	m.Handle("GET /pairing", s.auth(s.pairingPage))
	m.Handle("POST /pairing/accept", s.auth(s.pairingAccept))
	m.Handle("POST /pairing/reject", s.auth(s.pairingReject))
	m.Handle("GET /elders/{id}/team", s.auth(s.teamPage))
	m.Handle("POST /elders/{id}/pairings", s.auth(s.teamAdd))
	m.Handle("POST /elders/{id}/clinic", s.auth(s.teamClinic))
	m.Handle("GET /elders/{id}/responsibility-card", s.auth(s.responsibilityCard))
	m.Handle("POST /pairings/{id}/end", s.auth(s.pairingEnd))
	m.Handle("POST /pairings/{id}/responsible", s.auth(s.pairingResponsible))
	m.Handle("POST /pairings/{id}/successor", s.auth(s.pairingSuccessor))
	m.Handle("POST /pairings/{id}/close", s.auth(s.pairingClose))
	m.Handle("GET /pairings/{id}/agreement", s.auth(s.agreementPage))
	m.Handle("POST /pairings/{id}/agreement", s.auth(s.agreementRecord))
	m.Handle("GET /volunteers/{id}/leave", s.auth(s.leavePage))
	m.Handle("GET /volunteers/pick", s.auth(s.volunteerPick))
	m.Handle("POST /volunteers/{id}/leave", s.auth(s.leaveRecord))
}

// englishPairing translates this feature's UI text.
var englishPairing = map[string]string{
	"一对一":     "one-to-one",
	"丙方（组织方）": "Party C (organiser)",
	"乙方每次服务后，如实记录在甲方的《居家养老服务卡》上，街道志愿站每月检查签字。": "After every service Party B records it truthfully on Party A's service card; the street's volunteer station checks and signs it monthly.",
	"乙方（志愿者）":        "Party B (volunteer)",
	"仍在服务圈中，但志愿者状态为": "still in the team, but the volunteer is",
	"作为责任人":          "as the responsible person",
	"关爱老人志愿帮扶协议":     "Elder care volunteer assistance agreement",
	"关爱老人志愿服务责任卡":    "Elder care volunteer responsibility card",
	"其他约定":           "Further terms",
	"协议编号":           "Agreement no.",
	"原志愿者":           "Previous volunteer",
	"同楼栋":            "same building",
	"同社区":            "same community",
	"否决所选":           "Reject selected",
	"否决理由":           "Reason for rejecting",
	"填卡日期":           "Date filled in",
	"增加结对志愿者":        "Add a volunteer to the team",
	"多对一":            "many-to-one",
	"安排接替":           "Arrange a successor",
	"尊重自愿与接力":        "Free choice and relay",
	"尚未结对":           "Not paired yet",
	"就近结对、邻里志愿者为主、优先服务：在所有服务最多高优先级老人的方案中，选总距离最短的一个。可换人、部分接受或否决。": "Nearest first, neighbour volunteers first, priority first: among all plans that serve the most high-priority elders, the one with the least total distance. Change the volunteer, accept some, or reject.",
	"就近范围（米）":     "Reach (m)",
	"居民委员会":       " residents' committee",
	"岁":           " years old",
	"已否决结对建议":     "Suggestions rejected",
	"已否决":         "Rejected",
	"喜欢的志愿者":      "Preferred volunteers",
	"不接受的志愿者":     "Refused volunteers",
	"输入姓名，从列表中选择": "Type a name and choose from the list",
	"否决后的其他人选":    "Next candidates after a rejection",
	"这些老人的建议曾被否决，被否决的志愿者不会再建议；以下是下一位人选，需要时再勾选。": "A suggestion for these elders was rejected; the rejected volunteer is not suggested again. Here is the next candidate: tick it only if you want it.",
	"已接受结对建议":   "Suggestions accepted",
	"已签订":       "signed",
	"已结对 / 可结对": "Serving / capacity",
	"帮扶内容":      "Assistance given",
	"帮扶内容落实情况":  "Assistance given (to be filled in)",
	"帮扶协议":      "Agreement",
	"帮扶开始日期":    "Start of assistance",
	"帮扶期限":      "Term",
	"建议的志愿者":    "Suggested volunteer",
	"开始日期":      "Start date",
	"当前成员":      "Current members",
	"当前没有结对的老人": "No elders paired at present",
	"录入帮扶协议":    "Record the agreement",
	"待接力":       "Waiting for a successor",
	"志愿帮扶责任人":   "Responsible volunteers",
	"志愿者退出后，其结对的每位老人或由选定的志愿者接力，或列入待接力名单，不会遗漏。": "When a volunteer leaves, each of their elders is either handed to the successor chosen here or listed as waiting for one; nobody is dropped.",
	"志愿者退出或暂停后，这些老人需要有人接替。":                    "These elders need a successor after their volunteer left or paused.",
	"志愿者退出或暂停，接力": "volunteer left or paused: relay",
	"情况":          "Situation",
	"成员":          "member",
	"接力":          "Hand over",
	"接力给":         "handed over to",
	"接受":          "Accept",
	"接受所选":        "Accept selected",
	"接替":          "takes over from",
	"接替日期":        "Takes over on",
	"接替的志愿者":      "Successor",
	"无需接替的原因":     "Why no successor is needed",
	"无需接替（其他成员继续服务）": "No successor needed (the rest of the team covers)",
	"日期":          "Date",
	"时间":          "Period",
	"暂不安排（列入待接力）": "None yet (list as waiting)",
	"暂无有空余名额的志愿者": "No volunteer with room",
	"有建议无法接受，均未保存，请查看标出的行": "Some suggestions cannot be accepted; nothing was saved. See the marked rows.",
	"有空余名额的志愿者":            "Volunteers with room",
	"服务内容":                 "Services",
	"服务圈变化记录":              "Team history",
	"未签订":                  "not signed",
	"未能安排的老人":              "Elders without a suggestion",
	"本着以人为本、尊重自愿、就近结对的原则，经三方协商，乙方与甲方结对，为甲方提供包户、定期、接力式亲情服务，签订本协议。": "Following the principles of people first, free choice and pairing nearby, the three parties agree that Party B is paired with Party A and provides regular, relay-backed care, and sign this agreement.",
	"本结对接替": "This pairing takes over from",
	"理由":    "Why",
	"甲方可随时提出更换志愿者或终止帮扶；乙方因故不能继续服务时，应提前告知丙方，由丙方安排其他志愿者接力，保证服务不中断。": "Party A may ask for another volunteer or end the assistance at any time; if Party B cannot continue, they tell Party C in advance, who arranges a successor so that the service continues.",
	"甲方（服务对象）":  "Party A (elder)",
	"确认退出":      "Confirm leaving",
	"社区居委会（盖章）": "Community committee (seal)",
	"移出待接力":     "Take off the waiting list",
	"签字方":       "Party",
	"签订日期":      "Signed on",
	"管理服务圈":     "Manage the team",
	"米":         "m",
	"结对":        "Pairing",
	"结对建议":      "Suggested pairings",
	"结对日期":      "Paired since",
	"结对的老人":     "Elders served",
	"结束原因":      "ended because",
	"结束日期":      "End date",
	"结束结对 / 接力": "End the pairing / hand over",
	"续签或更正":     "Renew or correct",
	"老人基本情况":    "The elder",
	"职责":        "Role",
	"自":         "since",
	"至今":        "now",
	"落实人":       "By",
	"设为责任人":     "Make responsible person",
	"说明":        "Notes",
	"请勾选要否决的建议": "Tick the suggestions to reject",
	"请勾选要接受的建议": "Tick the suggestions to accept",
	"责任卡":       "Responsibility card",
	"起，至一方提出终止或由丙方安排接力为止。": "until a party ends it or Party C arranges a successor.",
	"距离":         "Distance",
	"返回":         "Back",
	"返回老人页面":     "Back to the elder",
	"退出原因":       "Reason for leaving",
	"退出志愿服务":     "Leave the programme",
	"退出志愿服务（接力）": "Leave the programme (hand over)",
	"退出日期":       "Leaving on",
	"重新计算":       "Recalculate",
}
