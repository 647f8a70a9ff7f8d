package register

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"carecircle/internal/care"
)

// Reasons a cell cannot be read. Validation reasons come from care.
var (
	msgIDMasked = care.Msg{ZH: "身份证号已打码（来自未显示完整号码的导出文件），不能导入；请填写完整的18位号码",
		EN: "the ID number is masked (from an export without full numbers) and cannot be imported; enter the full 18-character number"}
	msgIDAsNumber = care.Msg{ZH: "身份证号被 Excel 当作数字保存，末尾几位已丢失；请把该列设为“文本”格式后重新填写完整号码",
		EN: "Excel stored the ID number as a number and lost its last digits; format the column as Text and enter the full number again"}
	msgID15 = care.Msg{ZH: "身份证号只有15位：可能是旧的一代身份证号，或被 Excel 当作数字截断；请填写18位号码",
		EN: "the ID number has 15 digits: an old first-generation number, or cut short by Excel as a number; enter the 18-character number"}
	msgNumber = care.Msg{ZH: "应为数字", EN: "must be a number"}
	msgWhole  = care.Msg{ZH: "应为整数", EN: "must be a whole number"}
	msgYesNo  = care.Msg{ZH: "应填“是”或“否”", EN: "must be 是 (yes) or 否 (no)"}
	msgDate   = care.Msg{ZH: "日期无法识别，请写成 1945-03-08、1945/3/8 或 19450308", EN: "unreadable date; write it like 1945-03-08, 1945/3/8 or 19450308"}
)

// fold makes full-width letters, digits and punctuation half-width and
// drops every kind of space, so that what people type compares equal.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, width.Fold.String(s))
}

var sciNumber = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// parseIDNumber reads an ID number, recognising what Excel does to one typed
// into a number cell and what a masked export holds.
func parseIDNumber(v string) (string, *care.Msg) {
	v = strings.ToUpper(fold(v))
	v = strings.TrimPrefix(v, "'") // Excel's text marker, when pasted
	switch {
	case v == "":
		return "", nil
	case strings.ContainsAny(v, "*＊"):
		return "", &msgIDMasked
	case sciNumber.MatchString(v):
		return "", &msgIDAsNumber
	case len(v) == 15 && allDigits(v):
		return "", &msgID15
	case len(v) == 18 && allDigits(v) && strings.HasSuffix(v, "000") && care.IDCheckChar(v[:17]) != v[17]:
		// 15 significant digits and zeros: what is left of a number cell.
		return "", &msgIDAsNumber
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parsePhone undoes Excel's number formatting of a phone number
// (1.3912345678E+10); the registry's own rules check the result.
func parsePhone(v string) string {
	v = fold(v)
	if sciNumber.MatchString(v) || strings.HasSuffix(v, ".0") {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f == math.Trunc(f) && f < 1e15 {
			return strconv.FormatFloat(f, 'f', 0, 64)
		}
	}
	return v
}

var dateParts = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}.*)?$`)

// parseDate reads the ways registers write dates: 1945-03-08, 1945/3/8,
// 1945.3.8, 1945年3月8日, 19450308 and Excel's date cells, which arrive as
// serial day numbers.
func parseDate(v string) (time.Time, *care.Msg) {
	v = fold(v)
	if v == "" {
		return time.Time{}, nil
	}
	if m := dateParts.FindStringSubmatch(v); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if len(v) == 8 && allDigits(v) {
		return ymd(v[:4], v[4:6], v[6:])
	}
	serial, err := strconv.ParseFloat(v, 64)
	if err == nil && serial >= 1880 && serial < 2101 {
		return time.Time{}, &msgDate // a year (or 1945.03) is not a date
	}
	if err == nil && serial >= 1 && serial < 2958466 {
		// Days since 1899-12-30, Excel's epoch once its phantom 1900-02-29
		// is skipped; the dates of living people are all past it.
		d := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(serial))
		return d, nil
	}
	return time.Time{}, &msgDate
}

func ymd(y, m, d string) (time.Time, *care.Msg) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Year() != yy || int(t.Month()) != mm || t.Day() != dd {
		return time.Time{}, &msgDate
	}
	return t, nil
}

func parseBool(v string) (bool, *care.Msg) {
	switch strings.ToLower(fold(v)) {
	case "", "否", "不", "无", "n", "no", "false", "0", "×", "x":
		return false, nil
	case "是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "同意":
		return true, nil
	}
	return false, &msgYesNo
}

func parseFloat(v string) (*float64, *care.Msg) {
	v = fold(v)
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, &msgNumber
	}
	return &f, nil
}

func parseInt(v string) (int, *care.Msg) {
	f, bad := parseFloat(v)
	if bad != nil || f == nil {
		return 0, bad
	}
	if *f != math.Trunc(*f) || math.Abs(*f) > 1e6 {
		return 0, &msgWhole
	}
	return int(*f), nil
}

// splitList splits a cell listing several values: 空巢、病残 or 空巢,病残 or
// 空巢；病残.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return strings.ContainsRune("、,，;；/|\n", r) || unicode.IsSpace(r)
	})
}

func formatFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// choices reads an enumerated cell: the code, the Chinese or English label,
// the label without its explanation in brackets, or a common synonym.
type choices struct {
	list  []care.Choice
	index map[string]string
}

func newChoices(list []care.Choice, synonyms map[string]string) *choices {
	c := &choices{list: list, index: map[string]string{}}
	for _, ch := range list {
		for _, k := range []string{ch.Code, ch.Label.ZH, ch.Label.EN, stripBrackets(ch.Label.ZH)} {
			c.index[strings.ToLower(fold(k))] = ch.Code
		}
	}
	for k, code := range synonyms {
		c.index[strings.ToLower(fold(k))] = code
	}
	return c
}

func (c *choices) code(v string) (string, *care.Msg) {
	key := strings.ToLower(fold(v))
	if key == "" {
		return "", nil
	}
	if code, ok := c.index[key]; ok {
		return code, nil
	}
	v = Quote(v)
	return "", &care.Msg{ZH: "“" + v + "”不是可选的值，可填：" + c.allowed("zh"), EN: "“" + v + "” is not an allowed value; use one of: " + c.allowed("en")}
}

// codes reads a list of values, skipping the ones that are computed
// (高龄) and so never stored.
func (c *choices) codes(v string, computed ...string) ([]string, *care.Msg) {
	var out []string
	for _, part := range splitList(v) {
		code, bad := c.code(part)
		if bad != nil {
			return nil, bad
		}
		if code != "" && !containsString(computed, code) && !containsString(out, code) {
			out = append(out, code)
		}
	}
	return out, nil
}

func (c *choices) label(code string) string {
	for _, ch := range c.list {
		if ch.Code == code {
			return ch.Label.ZH
		}
	}
	return code
}

func (c *choices) labels(codes []string, sep string) string {
	out := make([]string, 0, len(codes))
	for _, code := range codes {
		out = append(out, c.label(code))
	}
	return strings.Join(out, sep)
}

func (c *choices) allowed(lang string) string {
	out := make([]string, 0, len(c.list))
	for _, ch := range c.list {
		out = append(out, ch.Label.In(lang))
	}
	if lang == "en" {
		return strings.Join(out, ", ")
	}
	return strings.Join(out, "、")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stripBrackets drops explanations in brackets: 暂停（住院、外出） → 暂停.
func stripBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '（', '[', '【':
			depth++
		case ')', '）', ']', '】':
			depth = max(depth-1, 0)
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// The enumerations as registers write them.
var (
	genders = newChoices(care.Genders, map[string]string{"男性": "male", "女性": "female", "m": "male", "f": "female"})
	living  = newChoices(care.LivingSituations, map[string]string{"独居老人": "alone", "配偶": "with_spouse", "与老伴同住": "with_spouse",
		"夫妻同住": "with_spouse", "与子女同住": "with_family", "与亲属同住": "with_family", "与家人同住": "with_family",
		"与子女亲属同住": "with_family", "养老机构": "institution", "机构": "institution", "机构养老": "institution"})
	selfCare = newChoices(care.SelfCareLevels, map[string]string{"完全自理": "independent", "能自理": "independent",
		"部分自理": "partial", "半失能": "partial", "失能": "dependent", "完全不能自理": "dependent"})
	categories = newChoices(care.Categories, map[string]string{"空巢老人": "empty_nest", "三无老人": "three_no",
		"病残老人": "sick_disabled", "高龄老人": "advanced_age", "无": ""})
	needs = newChoices(care.ServiceKinds, map[string]string{"生活": "life", "精神": "spirit", "探亲": "festival",
		"健康": "health", "法律": "legal", "应急": "emergency"})
	elderStatuses = newChoices(care.ElderStatuses, map[string]string{"在册": "active", "正常": "active", "住院": "paused",
		"外出": "paused", "迁出": "moved", "死亡": "deceased", "去世": "deceased"})
	relations = newChoices(care.Relations, map[string]string{"子": "son", "儿": "son", "女": "daughter", "老伴": "spouse",
		"丈夫": "spouse", "妻子": "spouse", "亲戚": "relative", "侄子": "relative", "侄女": "relative", "孙子": "relative", "孙女": "relative"})
	volunteerKinds = newChoices(care.VolunteerKinds, map[string]string{"邻里志愿者": "neighbour", "低龄老年志愿者": "neighbour",
		"邻里": "neighbour", "社会": "social", "居委会": "committee", "社区工作人员": "committee", "卫生人员": "clinic",
		"医务人员": "clinic", "医护人员": "clinic"})
	volunteerStatuses = newChoices(care.VolunteerStatuses, map[string]string{"正常": "active", "退出": "left", "离开": "left"})
)
