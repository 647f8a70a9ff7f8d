package care

import (
	"math"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseIDNumber(t *testing.T) {
	valid := MakeIDNumber("110101", date("1945-03-08"), 12, Male)
	tests := []struct {
		name, id string
		ok       bool
		birth    string
		gender   Gender
	}{
		{"generated valid", valid, true, "1945-03-08", Male},
		{"known valid with X", "11010519491231002X", true, "1949-12-31", Female},
		{"wrong check digit", valid[:17] + string("0123456789"[(int(valid[17]-'0')+1)%10]), false, "", ""},
		{"too short", "11010519491231002", false, "", ""},
		{"letters", "1101051949123100AX", false, "", ""},
		{"bad date", "110105194913310020", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, bad := ParseIDNumber(tc.id)
			if (bad == nil) != tc.ok {
				t.Fatalf("ParseIDNumber(%s) error = %v, want ok=%v", tc.id, bad, tc.ok)
			}
			if tc.ok && (info.BirthDate.Format("2006-01-02") != tc.birth || info.Gender != tc.gender) {
				t.Fatalf("got %v %v", info.BirthDate, info.Gender)
			}
		})
	}
}

func TestMaskIDNumber(t *testing.T) {
	if got := MaskIDNumber("110101194503081234"); got != "1101**********1234" {
		t.Fatalf("MaskIDNumber = %s", got)
	}
}

func validElder() *Elder {
	return &Elder{Name: "王秀英", Gender: Female, BirthDate: date("1940-05-06"),
		IDNumber: MakeIDNumber("320102", date("1940-05-06"), 7, Female), CommunityID: 1, Building: "3栋",
		LivingSituation: "alone", SelfCare: "partial", Categories: []string{"empty_nest"}, Phone: "13912345678", Status: "active"}
}

func TestElderValidateReportsEveryField(t *testing.T) {
	today := date("2026-11-29")
	if err := validElder().Validate(today, true); err != nil {
		t.Fatalf("valid elder rejected: %v", err)
	}
	e := validElder()
	e.Name, e.Phone, e.LivingSituation = "", "12345", "cave"
	e.IDNumber = e.IDNumber[:17] + "0"
	if e.IDNumber == validElder().IDNumber {
		e.IDNumber = e.IDNumber[:17] + "1"
	}
	err := e.Validate(today, true)
	fe, ok := err.(*Error)
	if !ok || fe.Code != EInvalid {
		t.Fatalf("want invalid error, got %v", err)
	}
	for _, f := range []string{"name", "phone", "living_situation", "id_number"} {
		if _, ok := fe.Fields[f]; !ok {
			t.Errorf("no error for field %s: %v", f, fe.Fields)
		}
	}
	if fe.Fields["id_number"].ZH == "" || fe.Fields["id_number"].EN == "" {
		t.Error("field reasons must exist in Chinese and English")
	}
}

// Coordinates outside the globe, NaN and infinities are refused, naming
// the field (a form or a file can carry the text "NaN").
func TestElderCoordinatesInRange(t *testing.T) {
	today := date("2026-11-29")
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		lat, lon *float64
		field    string
	}{
		{f(91), f(118), "lat"}, {f(-90.5), f(118), "lat"}, {f(math.NaN()), f(118), "lat"}, {f(math.Inf(1)), f(118), "lat"},
		{f(32), f(180.1), "lon"}, {f(32), f(math.NaN()), "lon"}, {f(32), f(math.Inf(-1)), "lon"}, {f(32), nil, "lat"},
		{f(90), f(-180), ""}, {nil, nil, ""},
	} {
		e := validElder()
		e.Lat, e.Lon = c.lat, c.lon
		err := e.Validate(today, true)
		if c.field == "" {
			if err != nil {
				t.Errorf("%v,%v refused: %v", c.lat, c.lon, err)
			}
			continue
		}
		if fe, ok := err.(*Error); !ok || fe.Fields[c.field].EN == "" {
			t.Errorf("%v,%v: want an error on %s, got %v", c.lat, c.lon, c.field, err)
		}
	}
}

func TestElderIDMustAgreeWithBirthDateAndGender(t *testing.T) {
	today := date("2026-11-29")
	e := validElder()
	e.BirthDate = date("1940-05-07")
	if err := e.Validate(today, true); err == nil || err.(*Error).Fields["id_number"].EN == "" {
		t.Fatalf("birth date disagreement not reported: %v", err)
	}
	e = validElder()
	e.Gender = Male
	if err := e.Validate(today, true); err == nil || err.(*Error).Fields["id_number"].EN == "" {
		t.Fatalf("gender disagreement not reported: %v", err)
	}
}

func TestAdvancedAgeAndPriority(t *testing.T) {
	e := validElder() // born 1940-05-06, alone, partial, empty-nest
	if cats := e.AllCategories(date("2020-05-05")); len(cats) != 1 {
		t.Fatalf("79-year-old must not be 高龄: %v", cats)
	}
	if cats := e.AllCategories(date("2020-05-06")); len(cats) != 2 || cats[1] != "advanced_age" {
		t.Fatalf("80th birthday makes 高龄: %v", cats)
	}
	p, why := e.ComputePriority(date("2026-11-29"))
	if p != 4 || len(why) != 4 {
		t.Fatalf("partial+old+alone+empty-nest: priority %d, reasons %v", p, why)
	}
	e.Categories = append(e.Categories, "three_no")
	if p, _ := e.ComputePriority(date("2026-11-29")); p != MaxPriority {
		t.Fatalf("三无 must come first, got %d", p)
	}
	young := &Elder{BirthDate: date("1960-01-01"), SelfCare: "independent", LivingSituation: "with_family"}
	if p, why := young.ComputePriority(date("2026-11-29")); p != 1 || len(why) != 1 {
		t.Fatalf("no difficulty: %d %v", p, why)
	}
	over := 2
	young.PriorityOverride = &over
	if young.Priority(date("2026-11-29")) != 2 {
		t.Fatal("override must win")
	}
}

func TestPhone(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"13912345678", true}, {"+86 139-1234-5678", true}, {"025-84561234", true}, {"12345678901", false}, {"1391234567", false}, {"abc", false}} {
		if got := ValidPhone(NormalizePhone(tc.in)); got != tc.ok {
			t.Errorf("ValidPhone(%q) = %v", tc.in, got)
		}
	}
}

// Reports derive a record's kind from its type, so each type code must
// belong to one kind only.
func TestServiceTypeCodesAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, st := range ServiceTypes {
		if k, ok := seen[st.Code]; ok {
			t.Errorf("type %s in %s and %s", st.Code, k, st.Kind)
		}
		seen[st.Code] = st.Kind
	}
}
