package care

// Msg is a user-facing message in Chinese and English. Domain code produces
// both so that the same validation serves the Chinese UI, the English UI and
// the API.
type Msg struct {
	ZH string
	EN string
}

// In returns the message in lang ("en" or anything else for Chinese).
func (m Msg) In(lang string) string {
	if lang == "en" {
		return m.EN
	}
	return m.ZH
}

// Common validation reasons.
var (
	MsgRequired    = Msg{"必填", "is required"}
	MsgTooLong     = Msg{"过长", "is too long"}
	MsgBadDate     = Msg{"日期格式应为 年-月-日，例如 1945-03-08", "must be a date like 1945-03-08"}
	MsgFutureDate  = Msg{"不能是将来的日期", "cannot be in the future"}
	MsgBadChoice   = Msg{"不是可选的值", "is not one of the allowed values"}
	MsgBadPhone    = Msg{"电话号码应为11位手机号（1开头）或带区号的固定电话", "must be an 11-digit mobile number starting with 1 or a landline with area code"}
	MsgBadLat      = Msg{"纬度应在 -90 到 90 之间", "latitude must be between -90 and 90"}
	MsgBadLon      = Msg{"经度应在 -180 到 180 之间", "longitude must be between -180 and 180"}
	MsgLatLonPair  = Msg{"经度和纬度须同时填写", "latitude and longitude go together"}
	MsgBadCapacity = Msg{"可结对人数应在 0 到 20 之间", "capacity must be between 0 and 20"}
	MsgUnknownComm = Msg{"社区不存在或不在您的管辖范围", "community does not exist or is outside your scope"}
	MsgIDTaken     = Msg{"该身份证号已登记", "this ID number is already registered"}
)
