package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strconv"

	"carecircle/internal/activity"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// activities fills the activities (活动, issue 15 point 1): the second
// community's one-day nursing-home visit three days ago, held — attendance
// recorded by staff (one volunteer left early, one did not come), the
// residents counted, the summary written, the hours credited and a group
// photo kept — and the five-stage monthly series of volunteer1's
// community, begun last month: its first two stages held, the other three
// planned, with sign-ups for the next and its checklist partly done (one
// item volunteer1's own). Registered elders take part only in a stage of
// the current month (the last month's cards are signed). It draws from a
// source of its own, so the rest of the demo stays as it was.
func (f *filler) activities() error {
	if len(f.comms) < 2 || f.v1 == nil {
		return nil
	}
	rng := rand.New(rand.NewPCG(15, 1))
	staff := func(c *community) care.Actor {
		i := slices.Index(f.comms, c)
		return care.Actor{Role: care.RoleCommunity, StreetID: f.street.ID, CommunityID: c.ID, Username: "community" + strconv.Itoa(i+1)}
	}
	volActor := func(v *volunteer) care.Actor {
		name := v.Name
		if v == f.v1 {
			name = "volunteer1"
		}
		return care.Actor{Role: care.RoleVolunteer, VolunteerID: v.ID, CommunityID: v.CommunityID, StreetID: f.street.ID, Username: name}
	}
	active := func(c *community) []*volunteer {
		var out []*volunteer
		for _, v := range f.vols {
			if v.comm == c && v.Status == "active" {
				out = append(out, v)
			}
		}
		return out
	}
	thisMonth := func(d int) bool {
		t := f.today.AddDate(0, 0, -d)
		return t.Month() == f.today.Month() && t.Year() == f.today.Year()
	}
	elders := func(c int, n int) []int64 {
		var out []int64
		for _, e := range f.eldersByComm[c] {
			if e.Status == "active" && len(e.steps) == 0 && len(out) < n && rng.IntN(3) == 0 {
				out = append(out, e.ID)
			}
		}
		return out
	}

	// The nursing-home visit of the second community, three days ago.
	home := f.comms[1]
	hs := staff(home)
	_, visitID, err := f.db.CreateFromTemplate(f.ctx, hs, activity.TemplateNursingHome, home.ID, f.today.AddDate(0, 0, -3))
	if err != nil {
		return err
	}
	d, err := f.db.ActivityDetail(f.ctx, hs, visitID)
	if err != nil {
		return err
	}
	x := d.Activity
	x.Organisers = home.Name + "居委会、大学生“阳光之旅”志愿服务队"
	x.Place = f.street.Name + "敬老院"
	x.Cap = 12
	if err := f.db.UpdateActivity(f.ctx, hs, &x); err != nil {
		return err
	}
	for _, it := range d.Checklist {
		if err := f.db.SetChecklistDone(f.ctx, hs, it.ID, true); err != nil {
			return err
		}
	}
	team := active(home)
	for i, v := range team[:min(len(team), 7)] {
		present, minutes := true, x.Minutes()
		switch i {
		case 3:
			minutes = 120 // left early to fetch a grandchild
		case 6:
			present, minutes = false, 0 // ill that day
		}
		if err := f.db.SetAttendance(f.ctx, hs, visitID, v.ID, present, minutes); err != nil {
			return err
		}
	}
	var homeElders []int64
	if thisMonth(3) {
		homeElders = elders(1, 2)
	}
	if err := f.db.SetActivityElders(f.ctx, hs, visitID, homeElders, 16+rng.IntN(8)); err != nil {
		return err
	}
	if err := f.db.FinishActivity(f.ctx, hs, visitID, "志愿者打扫了老人房间，陪老人聊天，为老人梳头、剪指甲，清除了院内杂草；"+
		"在院子里表演了歌曲和快板，老人们跟着打拍子、猜谜语。结束时与老人合影留念。下次活动前要多准备几把指甲刀。"); err != nil {
		return err
	}
	if _, err := f.db.AddAttachment(f.ctx, hs, store.AttachmentOwner{Kind: store.OwnerActivity, ID: visitID}, "合影留念.png", groupPhoto(rng)); err != nil {
		return err
	}

	// The five-stage series of volunteer1's community, begun last month.
	comm := f.v1.comm
	cs := staff(comm)
	ci := slices.Index(f.comms, comm)
	_, firstID, err := f.db.CreateFromTemplate(f.ctx, cs, activity.TemplateMonthlySeries, comm.ID, f.today.AddDate(0, -1, -5))
	if err != nil {
		return err
	}
	s, err := f.db.ActivityDetail(f.ctx, cs, firstID)
	if err != nil || s.Series == nil {
		return err
	}
	team = active(comm)
	summaries := []string{
		"和老人一起包饺子、煮饺子、吃饺子，为本月过生日的老人庆贺生日，现场写了“寿”字送给老人，合唱《和你一样》。",
		"志愿者上门帮老人整理被褥、刷洗衣物、打扫屋子、剪指甲，老人们说家里亮堂多了。",
	}
	for i, st := range s.Series.Stages {
		if i >= 2 {
			break
		}
		for j, v := range team[:min(len(team), 5)] {
			present, minutes := j != 4, st.Minutes()
			if !present {
				minutes = 0
			}
			if err := f.db.SetAttendance(f.ctx, cs, st.ID, v.ID, present, minutes); err != nil {
				return err
			}
		}
		var ids []int64
		if thisMonth(int(f.today.Sub(st.Date).Hours() / 24)) {
			ids = elders(ci, 4)
		}
		if err := f.db.SetActivityElders(f.ctx, cs, st.ID, ids, 0); err != nil {
			return err
		}
		full, err := f.db.ActivityDetail(f.ctx, cs, st.ID)
		if err != nil {
			return err
		}
		for _, it := range full.Checklist {
			if err := f.db.SetChecklistDone(f.ctx, cs, it.ID, true); err != nil {
				return err
			}
		}
		if err := f.db.FinishActivity(f.ctx, cs, st.ID, summaries[i]); err != nil {
			return err
		}
	}
	// The next stage (the performance): sign-ups, half its checklist done,
	// and an item of volunteer1's own.
	next := s.Series.Stages[2]
	nx := next
	nx.Cap = 10
	if err := f.db.UpdateActivity(f.ctx, cs, &nx); err != nil {
		return err
	}
	signed := 0
	for _, v := range team {
		if signed == 6 {
			break
		}
		if v == f.v1 || rng.IntN(2) == 0 {
			if err := f.db.SignUp(f.ctx, volActor(v), next.ID, v.ID); err != nil {
				return err
			}
			signed++
		}
	}
	nd, err := f.db.ActivityDetail(f.ctx, cs, next.ID)
	if err != nil {
		return err
	}
	for i, it := range nd.Checklist {
		if i%2 == 0 {
			if err := f.db.SetChecklistDone(f.ctx, cs, it.ID, true); err != nil {
				return err
			}
		}
	}
	return f.db.AddChecklistItem(f.ctx, cs, &activity.ChecklistItem{ActivityID: next.ID, Item: "给老人准备茶水和一次性杯子",
		OwnerVolunteerID: f.v1.ID, Due: next.Date.AddDate(0, 0, -1)})
}

// groupPhoto draws a small picture for the demo's group photo: a sky, a
// lawn and a row of people (circles for heads over bodies).
func groupPhoto(rng *rand.Rand) []byte {
	const w, h = 240, 160
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{170, 205, 240, 255}
			if y > 100 {
				c = color.RGBA{110, 170, 90, 255}
			}
			img.Set(x, y, c)
		}
	}
	for i := range 9 {
		cx := 20 + i*25
		shirt := color.RGBA{uint8(120 + rng.IntN(130)), uint8(60 + rng.IntN(120)), uint8(60 + rng.IntN(150)), 255}
		for y := 85; y < 130; y++ {
			for x := cx - 9; x <= cx+9; x++ {
				img.Set(x, y, shirt)
			}
		}
		for y := 62; y < 84; y++ {
			for x := cx - 10; x <= cx+10; x++ {
				if (x-cx)*(x-cx)+(y-73)*(y-73) <= 81 {
					img.Set(x, y, color.RGBA{240, 205, 170, 255})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // an in-memory image always encodes
	}
	return b.Bytes()
}
