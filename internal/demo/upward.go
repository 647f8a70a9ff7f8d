package demo

import (
	"carecircle/internal/care"
	"carecircle/internal/training"
	"carecircle/internal/upward"
)

// upward fills the work information that goes up to the station and the
// volunteers' training and commendation (issue 15 points 5 and 6): the
// first community's typical experience of last month, received by the
// station, and the second's of this month, submitted and not yet read;
// last month's report submitted by both, received from the first; two
// training sessions (the induction at the first community held by the
// station, the health-lecture preparation at the second) and a
// commendation of the volunteer1 neighbour. Dates follow the demo's day.
func (f *filler) upward() error {
	if len(f.comms) < 2 {
		return nil
	}
	last := f.today.AddDate(0, 0, -f.today.Day()) // last month's last day
	lastMonth, thisMonth := last.Format("2006-01"), f.today.Format("2006-01")
	staff := func(i int) care.Actor {
		return care.Actor{Role: care.RoleCommunity, CommunityID: f.comms[i].ID, StreetID: f.street.ID, Username: "community" + string(rune('1'+i))}
	}
	reports := []struct {
		comm         int
		month, title string
		body         string
		received     bool
	}{
		{0, lastMonth, "“一对一”结对，让独居老人天天有人问候",
			"社区以低龄老年志愿者为主，与辖区独居、空巢老人结成“一对一”或“多对一”服务对子，建立志愿服务责任卡，详细记载老人的基本情况，明确帮扶责任人。\n" +
				"志愿者每天上门或电话问候一次，每周陪老人聊天两次，节日上门慰问；服务情况如实记在服务卡上，社区每月检查签字。\n" +
				"本月结对老人每日问候无一遗漏，两位老人身体不适被志愿者及时发现，社区卫生服务站随叫随到。", true},
		{1, thisMonth, "走进敬老院：志愿者与老人共度一天",
			"社区联合大学生志愿服务队走进敬老院，为老人整理房间、聊天谈心、梳头剪指甲，清理院内杂草，并表演节目与老人互动。\n" +
				"活动前集合清点物品、讲明注意事项，重视人身安全；活动后合影留念，总结经验，形成常态化的结对服务。", false},
	}
	for _, r := range reports {
		e := &upward.Experience{Month: r.month, Title: r.title, Body: r.body}
		if err := f.db.SaveExperience(f.ctx, staff(r.comm), e); err != nil {
			return err
		}
		if _, err := f.db.MoveExperience(f.ctx, staff(r.comm), e.ID, upward.Submitted, ""); err != nil {
			return err
		}
		if r.received {
			if _, err := f.db.Experience(f.ctx, f.station, e.ID); err != nil { // the station reads it
				return err
			}
			if _, err := f.db.MoveExperience(f.ctx, f.station, e.ID, upward.Received, ""); err != nil {
				return err
			}
		}
	}
	for i := range 2 {
		if _, err := f.db.MoveSubmission(f.ctx, staff(i), 0, lastMonth, upward.Submitted, ""); err != nil {
			return err
		}
	}
	if _, err := f.db.MoveSubmission(f.ctx, f.station, f.comms[0].ID, lastMonth, upward.Received, ""); err != nil {
		return err
	}

	sessions := []struct {
		comm                  int
		topic, trainer, place string
		daysAgo, max          int
		byStation             bool
	}{
		{0, "志愿者岗前培训：服务礼仪、人身安全与服务卡填写", "和平街道志愿站 站长", "社区活动室", 40, 6, true},
		{1, "健康讲座前的志愿者培训：健康养生知识与视频资料", "社区卫生服务站 医生", "社区会议室", 12, 5, false},
	}
	for _, s := range sessions {
		t := &training.Session{CommunityID: f.comms[s.comm].ID, Topic: s.topic, Trainer: s.trainer, Place: s.place,
			HeldOn: f.today.AddDate(0, 0, -s.daysAgo)}
		for _, v := range f.vols {
			if v.comm == f.comms[s.comm] && v.Status == "active" && len(t.Attendees) < s.max {
				t.Attendees = append(t.Attendees, training.Attendee{VolunteerID: v.ID})
			}
		}
		by := staff(s.comm)
		if s.byStation {
			by = f.station
		}
		if err := f.db.SaveTraining(f.ctx, by, t); err != nil {
			return err
		}
	}
	if f.v1 == nil {
		return nil
	}
	return f.db.AddCommendation(f.ctx, f.station, &training.Commendation{VolunteerID: f.v1.ID, Title: "优秀志愿者",
		AwardedOn: f.today.AddDate(0, 0, -20), Reason: "结对服务一年来每日问候从不间断，及时发现老人身体不适并联系社区卫生服务站",
		AwardedBy: f.street.Name + "办事处"})
}
