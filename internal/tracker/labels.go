package tracker

import "carecircle/internal/care"

// standardLabels name the default standards in the programme's words; a
// standard the station adds is shown by its code.
var standardLabels = map[string]care.Msg{
	"neighbour_daily_greeting": {ZH: "每日敲门问候", EN: "daily greeting"},
	"neighbour_weekly_chat":    {ZH: "每周聊天", EN: "weekly chats"},
	"social_monthly_visit":     {ZH: "每月探望", EN: "monthly visit"},
	"social_festival_visit":    {ZH: "节日、生日探望", EN: "festival and birthday visits"},
	"committee_monthly_visit":  {ZH: "每月组织探望", EN: "monthly visit"},
	"committee_festival_visit": {ZH: "节日慰问（含捐赠）", EN: "festival visit with a gift"},
	"clinic_halfmonth_inquiry": {ZH: "每半月健康问讯", EN: "health inquiry every half-month"},
	"clinic_quarterly_checkup": {ZH: "每季度体检", EN: "quarterly check-up"},
}

// StandardLabel names a standard in lang.
func StandardLabel(code, lang string) string {
	if m, ok := standardLabels[code]; ok {
		return m.In(lang)
	}
	return code
}
