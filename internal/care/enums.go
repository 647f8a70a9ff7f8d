package care

// Gender of a person, as on the ID card.
type Gender string

// Genders.
const (
	Male   Gender = "male"
	Female Gender = "female"
)

// Choice is one allowed value of an enumerated field with its labels.
type Choice struct {
	Code  string
	Label Msg
}

// Label returns the label of code among choices, or the code itself.
func Label(choices []Choice, code, lang string) string {
	for _, c := range choices {
		if c.Code == code {
			return c.Label.In(lang)
		}
	}
	return code
}

func isChoice(choices []Choice, code string) bool {
	for _, c := range choices {
		if c.Code == code {
			return true
		}
	}
	return false
}

// The enumerations of the registry, with the programme documents' terms.
var (
	Genders = []Choice{{"male", Msg{"男", "male"}}, {"female", Msg{"女", "female"}}}

	LivingSituations = []Choice{
		{"alone", Msg{"独居", "lives alone"}},
		{"with_spouse", Msg{"与配偶同住", "with spouse"}},
		{"with_family", Msg{"与子女/亲属同住", "with family"}},
		{"institution", Msg{"入住机构", "in an institution"}},
	}
	SelfCareLevels = []Choice{
		{"independent", Msg{"自理", "independent"}},
		{"partial", Msg{"半自理", "partly dependent"}},
		{"dependent", Msg{"不能自理", "dependent"}},
	}
	Categories = []Choice{
		{"empty_nest", Msg{"空巢", "empty-nest"}},
		{"three_no", Msg{"三无", "'three-no'"}},
		{"sick_disabled", Msg{"病残", "sick/disabled"}},
		{"advanced_age", Msg{"高龄", "advanced age (80+)"}},
	}
	// ServiceKinds are the six kinds of service of the programme (SPEC §4).
	ServiceKinds = []Choice{
		{"life", Msg{"生活服务", "daily life"}},
		{"spirit", Msg{"精神服务", "companionship"}},
		{"festival", Msg{"探亲服务", "festival visits"}},
		{"health", Msg{"健康服务", "health"}},
		{"legal", Msg{"法律服务", "legal"}},
		{"emergency", Msg{"应急服务", "emergency"}},
	}
	ElderStatuses = []Choice{
		{"active", Msg{"服务中", "active"}},
		{"paused", Msg{"暂停（住院、外出）", "paused (hospital, away)"}},
		{"moved", Msg{"已迁出", "moved away"}},
		{"deceased", Msg{"已故", "deceased"}},
	}
	VolunteerKinds = []Choice{
		{"neighbour", Msg{"邻里低龄老年志愿者", "neighbour volunteer"}},
		{"social", Msg{"社会志愿者", "social volunteer"}},
		{"committee", Msg{"居委会工作人员", "committee staff"}},
		{"clinic", Msg{"卫生机构人员", "clinic staff"}},
	}
	VolunteerStatuses = []Choice{
		{"active", Msg{"在岗", "active"}},
		{"paused", Msg{"暂停", "paused"}},
		{"left", Msg{"已退出", "left the programme"}},
	}
	Roles = []Choice{
		{"admin", Msg{"系统管理员", "administrator"}},
		{"station", Msg{"街道志愿站", "street volunteer station"}},
		{"community", Msg{"社区居委会", "community committee"}},
		{"volunteer", Msg{"志愿者", "volunteer"}},
		{"clinic", Msg{"社区卫生服务机构", "community clinic"}},
		{"viewer", Msg{"区/市统计", "district/city office"}},
	}
	Relations = []Choice{
		{"son", Msg{"儿子", "son"}}, {"daughter", Msg{"女儿", "daughter"}},
		{"spouse", Msg{"配偶", "spouse"}}, {"relative", Msg{"亲属", "relative"}},
		{"neighbour", Msg{"邻居", "neighbour"}}, {"other", Msg{"其他", "other"}},
	}
)
