package report

import "carecircle/internal/store"

// activitiesTable counts, per community, the activities (活动, issue 15
// point 1) held in the period, who took part — volunteers present,
// registered elders and a nursing home's residents, each per activity
// (人次) — and the volunteers' hours of attendance. The activities are a
// community's own; the people and hours count for their own community, so
// a street-wide activity of the station shows in them, not in the
// activities column.
func activitiesTable(d *store.ReportData, l func(string, string) string) Table {
	headers := []string{l("举办活动（场）", "Activities held"), l("志愿者到场（人次）", "Volunteers present"),
		l("参加的老人（人次）", "Registered elders"), l("院内老人（人次）", "Residents (nursing homes)"),
		l("参加人次合计", "Participants in all"), l("志愿者活动时长（小时）", "Volunteers' hours at activities")}
	t := perPart(d, l, "activities", l("活动", "Activities"), headers, func(c store.ReportCounts) []Cell {
		all := count(c["activities.volunteers"] + c["activities.elders"] + c["activities.residents"])
		all.key = "activities.participants"
		return []Cell{countOf(c, "activities.held"), countOf(c, "activities.volunteers"), countOf(c, "activities.elders"),
			countOf(c, "activities.residents"), all, hours(c["activities.minutes"], c["activities.volunteers"])}
	})
	t.rowSums(5, 2, 3, 4)
	t.Note = l("活动按举办社区计（街道统一组织的活动不计入各社区场次）；志愿者、老人按其所属社区计，院内老人按举办社区计；时长为到场志愿者的出勤时长（可由工作人员更正），计入志愿服务时长。",
		"Activities count for the community that held them (the station's street-wide ones are not in any community's count); volunteers and elders for their own community, residents for the holding community; hours are the present volunteers' attendance (as corrected by staff), which counts as volunteer service hours.")
	return t
}
