package activity

import (
	"strings"
	"time"
)

// The two templates are built from the programme documents
// (../shared/domain/programme-plans.zh.txt): the primary school's one-day
// visit to the town's nursing home (篇1, 活动流程: 活动要求 and 活动程序)
// and the university team's five-stage series "关爱老人，传递爱心" (篇3,
// one stage a month, each with its theme, content, preparation and
// effect; 注意事项 and 活动后工作). The words are the documents'; where a
// stage lists no preparation the template adds only what its content needs
// (marked in the comments). Staff edit everything after creating.

// lines joins numbered lines, one a line.
func lines(items ...string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(itoa(i+1) + "、" + s)
	}
	return b.String()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// NursingHomeSteps are the visit's steps (活动程序), in order.
var NursingHomeSteps = []string{
	"按照通知的时间、地点集合，检查携带物品是否齐全，一切就位后准时出发",
	"到达敬老院后各人打扫好帮扶老人的卫生（整理房间）",
	"与结对老人聊天，讲讲外面发生的新鲜事，耐心聆听老人的诉说；为老人梳头、剪指甲等力所能及的事",
	"清除院内垃圾杂草",
	"在敬老院的开阔地带为老人们表演精心准备的节目，节目之间插入适合老人参与的互动环节",
	"活动接近尾声，参与活动的人员与老人们合影留念",
}

// NursingHomeRules are the visit's conduct rules (活动要求), its safety notes.
var NursingHomeRules = []string{
	"所有人员一切听从指挥",
	"参与者与老人言谈交往时，要心怀谦恭，举止礼貌，送上真诚笑容",
	"一定要十分注意老人的人身安全",
}

// NursingHomeVisit is the one-day nursing-home visit on date (an
// afternoon, as in the document) and its preparation checklist, each item
// due the day before unless it is the day's own.
func NursingHomeVisit(date time.Time) (Activity, []ChecklistItem) {
	d := day(date)
	a := Activity{
		Template: TemplateNursingHome,
		Theme:    "关爱老人，走进敬老院",
		Background: "在我们身边，也有许多的爷爷、奶奶，他们由于种种的原因，不得不生活在敬老院中，他们内心充满了孤独，" +
			"渴望社会的关心与帮助。",
		Purposes: "老吾老以及人之老，把我们对自己亲人的关爱分出一部分给那些内心孤独的老人们，用实际行动让老人老有所养，" +
			"老有所依，心中温暖如春；让敬老助老之风遍及每一个角落。",
		Place:        "敬老院",
		Participants: "志愿者、敬老院老人",
		Safety:       lines(NursingHomeRules...),
		Content:      lines(NursingHomeSteps...),
		Preparation: lines("通知所有参加人员集合的时间、地点", "准备并清点携带物品：打扫卫生的工具、梳子、指甲刀",
			"排练文艺节目，设计适合老人参与的互动环节", "与敬老院约定时间，了解结对老人的情况", "准备相机，活动结束时合影留念"),
		Expected:  "给敬老院的老人送去温暖和快乐，让他们感受到社会的关心；参与者学会关心长辈、尊老敬老。",
		Date:      d,
		StartTime: "14:00",
		EndTime:   "17:00",
		Status:    StatusPlanned,
	}
	before := d.AddDate(0, 0, -1)
	items := []ChecklistItem{
		{Item: "通知参加人员集合时间、地点", Due: d.AddDate(0, 0, -3)},
		{Item: "与敬老院约定时间，了解结对老人的情况", Due: d.AddDate(0, 0, -3)},
		{Item: "排练文艺节目和互动环节", Due: before},
		{Item: "准备打扫卫生的工具", Due: before},
		{Item: "准备梳子、指甲刀", Due: before},
		{Item: "集合时检查携带物品是否齐全", Due: d},
		{Item: "相机：合影留念", Due: d},
	}
	return a, items
}

// stage is one stage of the monthly series as the document gives it.
type stage struct {
	theme, place, content, expected string
	prep                            []string // 活动准备
	safety                          string
}

// seriesStages are the five stages of "关爱老人，传递爱心", in the order the
// document numbers them, one a month.
var seriesStages = []stage{
	{theme: "小小爱心，暖暖冬日",
		content:  lines("与老人一起包饺子、煮饺子、吃饺子", "为老人庆贺生日", "现场书画表演（“寿”字）", "歌曲《和你一样》"),
		prep:     []string{"提前买好需要的饺子、纸等工具", "社区准备好场地、音响等设备"},
		expected: "让老人感觉到温暖，拉近与老人之间的情感距离。"},
	// The document lists no preparation for the second stage; the
	// template names what its content needs.
	{theme: "寒冬也温暖，浓浓敬老情",
		content:  "整理内务：\n" + lines("整理被褥", "刷洗衣物", "打扫屋子", "剪指甲"),
		prep:     []string{"与老人约好上门整理内务的时间", "准备清洁用品和指甲刀"},
		expected: "让志愿者和老人之间建立起信任，从而排遣老人心中的孤单感。"},
	{theme: "志愿送温暖，文艺传真情",
		content: "文艺表演：\n" + lines("歌曲《东方红》", "朗诵诗歌《游子吟》", "歌曲《父子》",
			"歌曲串烧（《小白杨》《一剪梅》《我的中国心》《涛声依旧》）", "黄梅戏（《女驸马》《天仙配》选段）", "合唱《感恩的心》（加手语）"),
		prep:     []string{"大的会议室以及多媒体设备", "给老人准备的茶水等", "主持人", "节目的准备"},
		expected: "让老人放松放松，同时便于志愿者以后与老人的交流。"},
	{theme: "爱心小讲堂，传递大温暖",
		content:  lines("讲解春冬季的健康保健知识", "生活中的养身之道", "生活小窍门"),
		prep:     []string{"搜寻健康养生的资料", "准备相应的视频资料", "对志愿者进行相关培训"},
		expected: "让老人更加注重养生，拥有健康的心态，同时丰富老人的生活。"},
	{theme: "冬阳很温暖，一路遍地花", place: "公园",
		content: "陪老人到公园里散心、晒太阳，做游戏然后和他们聊天。\n游戏：左右交叉——工作员先做示范，参与者按命令做出相反的动作" +
			"（工作员说“左手”，大家举起右手；说“右眼”，大家指左眼），让老人活动手脚，锻炼手脑配合能力。\n" +
			"命令一：左耳，右手，左眉，右眼，右胳膊，左脸。\n命令二：右鼻孔，右耳，左眼，左脸，左眉，右手。",
		prep:     []string{"提前观察好公园的情况", "提前预约好汽车"},
		expected: "促进志愿者与老人之间的交流。",
		safety:   "一定要十分注意老人的人身安全。"},
}

// SeriesAfter are the tasks after each stage (活动后工作).
var SeriesAfter = []string{"活动后清理场所", "拍照留念"}

// MonthlySeries is the five-stage series starting on first, a stage a
// month on the same day, each with its preparation checklist (key: stage
// number) — the document's preparation items due a week before (training
// the volunteers two weeks before), the tasks after the stage on its day.
func MonthlySeries(first time.Time) (Series, map[int][]ChecklistItem) {
	d := day(first)
	s := Series{
		Template: TemplateMonthlySeries,
		Theme:    "关爱老人，传递爱心",
		Background: "随着社会各方面的压力不断增大，很多儿女们都无暇照顾自己的父母。尊老爱幼一直以来都是我们中华民族的优良传统，" +
			"志愿者有义务担起这个社会责任，继续发扬这个传统美德，因此开展一系列服务老人的志愿活动。",
		Purposes: lines("关注弱势群体，给老人们送去温暖和爱心，让他们感受到人间的温情",
			"让志愿者感受到为人民服务的乐趣和满足，学会关心长辈、尊老敬老，培养爱心、孝心和承担社会责任的信念",
			"大力弘扬尊老爱老的传统，为创建和谐社会贡献绵薄之力"),
		Organisers: "社区居委会、志愿者服务队",
		Safety:     "一定要十分注意老人的人身安全。\n活动后工作：" + strings.Join(SeriesAfter, "、") + "。",
	}
	items := map[int][]ChecklistItem{}
	for i, st := range seriesStages {
		date := time.Date(d.Year(), d.Month()+time.Month(i), d.Day(), 0, 0, 0, 0, time.UTC)
		if date.Day() != d.Day() { // the 31st in a shorter month: its last day
			date = time.Date(d.Year(), d.Month()+time.Month(i)+1, 0, 0, 0, 0, 0, time.UTC)
		}
		place := st.place
		if place == "" {
			place = "社区活动室"
		}
		safety := "所有人员一切听从指挥。" + st.safety
		s.Stages = append(s.Stages, Activity{
			Template: TemplateMonthlySeries, Stage: i + 1, Theme: st.theme, Background: s.Background, Purposes: s.Purposes,
			Organisers: s.Organisers, Place: place, Participants: "老人、社区工作人员、志愿者", Safety: safety,
			Content: st.content, Preparation: lines(st.prep...), Expected: st.expected,
			Date: date, StartTime: "09:00", EndTime: "11:30", Status: StatusPlanned,
		})
		var list []ChecklistItem
		for _, p := range st.prep {
			due := date.AddDate(0, 0, -7)
			if strings.Contains(p, "培训") {
				due = date.AddDate(0, 0, -14)
			}
			list = append(list, ChecklistItem{Item: p, Due: due})
		}
		for _, p := range SeriesAfter {
			list = append(list, ChecklistItem{Item: p, Due: date})
		}
		items[i+1] = list
	}
	return s, items
}
