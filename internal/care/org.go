package care

import (
	"strings"
	"time"
)

// Street is a street office (街道), the unit a station serves.
type Street struct {
	ID       int64
	Name     string
	District string
	City     string
}

// Community is a residents' or villagers' committee (社区/村) in a street.
type Community struct {
	ID        int64
	StreetID  int64
	Name      string
	Code      string
	Buildings []string // the grid: buildings or groups, in display order
}

// Clinic is a community health service institution (社区卫生服务机构) that
// belongs to a street and serves one or more of its communities.
type Clinic struct {
	ID           int64
	StreetID     int64
	Name         string
	Phone        string
	Address      string
	CommunityIDs []int64
}

// Validate checks a community.
func (c *Community) Validate() error {
	f := FieldErrors{}
	c.Name = strings.TrimSpace(c.Name)
	checkText(f, "name", c.Name, true, 40)
	if c.StreetID <= 0 {
		f.Add("street_id", MsgRequired)
	}
	checkText(f, "code", c.Code, false, 20)
	seen := map[string]bool{}
	for i, b := range c.Buildings {
		b = strings.TrimSpace(b)
		c.Buildings[i] = b
		if b == "" || seen[b] {
			f.Add("buildings", Msg{"楼栋名称不能为空或重复", "building names must be unique and not empty"})
		}
		seen[b] = true
	}
	return f.Err()
}

// Validate checks a clinic.
func (c *Clinic) Validate() error {
	f := FieldErrors{}
	c.Name = strings.TrimSpace(c.Name)
	c.Phone = NormalizePhone(c.Phone)
	checkText(f, "name", c.Name, true, 60)
	if c.StreetID <= 0 {
		f.Add("street_id", MsgRequired)
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		f.Add("phone", MsgBadPhone)
	}
	checkText(f, "address", c.Address, false, 100)
	return f.Err()
}

// StatusChange is one entry in an elder's status history; the history is
// never rewritten.
type StatusChange struct {
	ElderID int64
	From    string
	To      string
	Reason  string
	At      time.Time
	ByUser  string
}
