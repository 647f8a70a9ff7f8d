package demo

import (
	"time"

	"carecircle/internal/care"
	"carecircle/internal/rollout"
	"carecircle/internal/store"
	"carecircle/internal/survey"
)

// needDetails are the demo's words for what each kind of need means for
// an elder; an elder gets one of them by its ID.
var needDetails = map[string][]string{
	"life":      {"每周买菜两次，打扫卫生", "代购米面油等日用品", "陪同洗澡"},
	"spirit":    {"陪同聊天、读报", "天气好时陪同散步"},
	"festival":  {"春节、中秋上门探望"},
	"health":    {"每周测量血压", "陪同到医院复查"},
	"legal":     {"咨询赡养费纠纷"},
	"emergency": {"安装紧急呼叫器", "讲解防火、防跌倒知识"},
}

// rollout fills the programme's rollout and needs surveys (issue 15
// points 2 and 3): the first community runs in full (plan, every elder
// surveyed and reviewed, list approved, supervised, at the exchange
// meeting) and has a proposal from the volunteer1 surveyor awaiting
// review; the second is supervised but has not yet been to a meeting;
// the third, brought in later, is in its pilot: most elders surveyed,
// three proposals waiting, its list not yet approved. Dates follow the
// demo's day; the draws are by elder ID, so nothing else changes.
func (f *filler) rollout() error {
	if len(f.comms) < 3 {
		return nil
	}
	ctx, db := f.ctx, f.db
	day := func(daysAgo int) time.Time { return f.today.AddDate(0, 0, -daysAgo) }
	staff := func(i int) care.Actor {
		return care.Actor{Role: care.RoleCommunity, CommunityID: f.comms[i].ID, StreetID: f.street.ID, Username: "community" + string(rune('1'+i))}
	}
	plans := []string{
		"幸福里社区关爱老人志愿帮扶活动实施方案\n一、活动主旨：以独居、空巢、病残老人为重点，开展“一对一”“多对一”结对帮扶。\n" +
			"二、组织领导：社区成立志愿帮扶工作小组，居委会主任任组长。\n三、实施步骤：调查摸底、分类建档、结对签约、每月检查签字。\n四、保障措施：建立责任卡，如实填写服务卡。",
		"安康社区实施方案：依托安康邻里守望志愿服务队，就近结对、低龄老年志愿者为主；每月组织一次上门探望，重大节日慰问。",
		"桃园村实施方案：以村民小组为单位摸清高龄、空巢老人底数，组建银龄互助队，与村卫生服务站结对。",
	}
	joined := []int{300, 290, 60}
	for i := 0; i < 3; i++ {
		if err := db.JoinRollout(ctx, f.station, f.comms[i].ID, day(joined[i])); err != nil {
			return err
		}
		if err := db.SaveRolloutPlan(ctx, staff(i), f.comms[i].ID, plans[i], 0); err != nil {
			return err
		}
	}
	// Surveys: every elder in service of the first two communities, two in
	// three of the third; each reviewed and accepted by the community.
	for i := 0; i < 3; i++ {
		n := 0
		for _, e := range f.eldersByComm[i] {
			if e.Status != "active" && e.Status != "paused" {
				continue
			}
			n++
			if i == 2 && n%3 == 0 {
				continue
			}
			s := &store.Survey{ElderID: e.ID, SurveyedOn: day(joined[i] - 20 - int(e.ID%20)), Answers: answersOf(e)}
			if err := f.surveyAndAccept(staff(i), s); err != nil {
				return err
			}
		}
	}
	for i := 0; i < 2; i++ {
		if _, err := db.SetApproval(ctx, f.station, f.comms[i].ID, true, "名单经入户核实，分类准确"); err != nil {
			return err
		}
	}
	// Proposals awaiting review: three in the third community (by its
	// staff), one in the first by the volunteer1 neighbour named surveyor.
	var pending []*elder
	n := 0
	for _, e := range f.eldersByComm[2] {
		if e.Status != "active" {
			continue
		}
		if n++; n%3 == 0 && len(pending) < 3 {
			pending = append(pending, e)
		}
	}
	for k, e := range pending {
		a := answersOf(e)
		switch k {
		case 0:
			a.SelfCare = "partial"
			a.Health = "腿脚不便，行走需拄拐"
		case 1:
			a.Needs = append(a.Needs, survey.Need{Kind: "health", Detail: "每月陪同到卫生服务站量血压"})
		default:
			a.LivingSituation = "alone"
			a.Wishes = "子女在外地，希望邻居志愿者每天来看看"
		}
		if err := db.SubmitSurvey(ctx, staff(2), &store.Survey{ElderID: e.ID, SurveyedOn: day(3 + k), Answers: a}); err != nil {
			return err
		}
	}
	if err := f.volunteerSurvey(staff, day(1)); err != nil {
		return err
	}
	// Supervision of the first two communities, and the exchange meeting
	// the first took part in.
	for i, d := range []int{200, 150} {
		var items []rollout.CheckItem
		for k, c := range rollout.Checklist {
			items = append(items, rollout.CheckItem{Item: c.ZH, OK: k != 4 || i == 0})
		}
		findings := "实施方案具体，结对覆盖全部服务对象；服务卡记录及时，每月检查签字齐全。"
		if i == 1 {
			items[4].Note = "部分服务卡补录较多"
			findings = "结对工作扎实；部分服务卡为事后补录，要求志愿者服务后当天记录。"
		}
		if err := db.AddSupervision(ctx, f.station, &rollout.Supervision{CommunityID: f.comms[i].ID, VisitedOn: day(d),
			Inspectors: "街道志愿站 周卫东、刘静", Checklist: items, Findings: findings}); err != nil {
			return err
		}
	}
	return db.AddMeeting(ctx, f.station, &rollout.Meeting{HeldOn: day(120), Place: "和平街道办事处三楼会议室",
		Participants: "街道志愿站、幸福里社区居委会主任、志愿者代表、社区卫生服务中心代表", CommunityIDs: []int64{f.comms[0].ID},
		Minutes: "幸福里社区介绍“一对一”结对和每日敲门问候的做法；与会人员就服务卡填写、节日慰问、志愿者激励进行了交流。",
		Lessons: "就近结对、以低龄老年志愿者为主，问候不断档；服务卡当天记录，每月检查签字，保证服务落到实处。"})
}

// answersOf is a survey that agrees with the elder's record, with the
// detail of each need drawn by the elder's ID.
func answersOf(e *elder) survey.Answers {
	a := survey.Answers{LivingSituation: e.LivingSituation, SelfCare: e.SelfCare, Categories: []string{}, Needs: []survey.Need{}}
	for _, c := range e.Categories {
		if c != "advanced_age" {
			a.Categories = append(a.Categories, c)
		}
	}
	for _, k := range e.Needs {
		ds := needDetails[k]
		d := ""
		if len(ds) > 0 {
			d = ds[int(e.ID)%len(ds)]
		}
		a.Needs = append(a.Needs, survey.Need{Kind: k, Detail: d})
	}
	return a
}

// volunteerSurvey names the volunteer1 neighbour a surveyor of their
// community, and they propose a new need of one of their elders (one in
// service of the community when they have none).
func (f *filler) volunteerSurvey(staff func(int) care.Actor, on time.Time) error {
	if f.v1 == nil {
		return nil
	}
	ci := -1
	for i, c := range f.comms {
		if i < 3 && c.ID == f.v1.CommunityID {
			ci = i
		}
	}
	if ci < 0 {
		return nil
	}
	if err := f.db.NameSurveyor(f.ctx, staff(ci), f.v1.ID, true); err != nil {
		return err
	}
	var pick *elder
	for _, e := range f.eldersByComm[ci] {
		if e.Status != "active" {
			continue
		}
		if pick == nil {
			pick = e
		}
		if containsTeam(e, f.v1.ID) {
			pick = e
			break
		}
	}
	if pick == nil {
		return nil
	}
	a := answersOf(pick)
	a.Needs = append(a.Needs, survey.Need{Kind: "emergency", Detail: "独自在家时常忘关煤气，需要安装燃气报警器"})
	if containsKind(pick.Needs, "emergency") {
		a.Needs[len(a.Needs)-1].Kind = "legal"
		a.Needs[len(a.Needs)-1].Detail = "想咨询房屋过户手续"
	}
	v := care.Actor{Role: care.RoleVolunteer, VolunteerID: f.v1.ID, CommunityID: f.v1.CommunityID, StreetID: f.street.ID, Username: "volunteer1"}
	return f.db.SubmitSurvey(f.ctx, v, &store.Survey{ElderID: pick.ID, SurveyedOn: on, Answers: a})
}

func containsKind(list []string, k string) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}

func containsTeam(e *elder, id int64) bool {
	for _, x := range e.team {
		if x.ID == id {
			return true
		}
	}
	return false
}

// surveyAndAccept submits s by staff and accepts every field it proposes.
func (f *filler) surveyAndAccept(staff care.Actor, s *store.Survey) error {
	if err := f.db.SubmitSurvey(f.ctx, staff, s); err != nil {
		return err
	}
	if s.Status != survey.StatusPending {
		return nil
	}
	dec := map[string]string{}
	for _, field := range s.Fields {
		dec[field] = survey.Accept
	}
	_, err := f.db.ReviewSurvey(f.ctx, staff, s.ID, dec, "")
	return err
}
