package demo

import (
	"slices"
	"time"

	"carecircle/internal/calendar"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// historyDays is how far back the demo's service history goes: about three
// months, so the cards, inspections and compliance have a past to show.
const historyDays = 91

// history writes about three months of the programme as it would have run:
// daily greetings (most days, mostly verified), chats twice a week, monthly
// and festival visits, clinic calls every half-month and a quarterly check-up,
// some records copied from paper cards, an open legal case, an emergency
// that was resolved, a signed month and an amendment.
func (f *filler) history() error {
	h := &historian{f: f, now: f.db.Now().In(f.db.Loc)}
	h.start = time.Date(h.now.Year(), h.now.Month(), h.now.Day(), 0, 0, 0, 0, f.db.Loc).AddDate(0, 0, -historyDays)
	h.festivals = h.festivalDays()
	for _, list := range f.eldersByComm {
		for _, e := range list {
			if e.status() == "active" {
				h.elder(e)
			}
		}
	}
	slices.SortStableFunc(h.items, func(a, b store.BatchService) int { return a.Record.At.Compare(b.Record.At) })
	if err := f.db.AddServiceBatch(f.ctx, h.items); err != nil {
		return err
	}
	if err := h.cases(); err != nil {
		return err
	}
	return h.inspections()
}

type historian struct {
	f          *filler
	now, start time.Time
	festivals  []time.Time
	items      []store.BatchService
}

// festivalDays are the major festivals inside the history.
func (h *historian) festivalDays() []time.Time {
	var out []time.Time
	for _, y := range []int{h.start.Year(), h.now.Year()} {
		for _, fe := range calendar.Festivals(y, nil) {
			yy, mm, dd := fe.Date.YMD()
			t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, h.f.db.Loc)
			if !t.Before(h.start) && !t.After(h.now) && !slices.ContainsFunc(out, t.Equal) {
				out = append(out, t)
			}
		}
	}
	return out
}

func (h *historian) add(a care.Actor, r *care.ServiceRecord, p store.Proof) {
	if r.At.After(h.now) || r.At.Before(h.start) {
		return
	}
	h.items = append(h.items, store.BatchService{Actor: a, Record: r, Proof: p, EnteredAt: h.f.enteredAt(r)})
}

// enteredAt is when the demo's record was made: on the spot a few minutes
// after the service, or two days later when copied from the paper card.
func (f *filler) enteredAt(r *care.ServiceRecord) time.Time {
	t := r.At.Add(5 * time.Minute)
	if r.EndAt != nil {
		t = r.EndAt.Add(5 * time.Minute)
	}
	if r.Source == "paper" {
		t = r.At.Add(48 * time.Hour)
	}
	if now := f.db.Now(); t.After(now) {
		t = now
	}
	return t
}

// cardCode is the code printed on the elder's (first) card of the month of at.
func (f *filler) cardCode(e *elder, at time.Time) string {
	return f.db.CardCode(e.ID, 1, at.In(f.db.Loc).Format("2006-01"))
}

// addMade stores one record as made at its entered time (see enteredAt).
func (f *filler) addMade(a care.Actor, r *care.ServiceRecord, p store.Proof) error {
	return f.db.AddServiceBatch(f.ctx, []store.BatchService{{Actor: a, Record: r, Proof: p, EnteredAt: f.enteredAt(r)}})
}

// at is a time on day between the hours given.
func (h *historian) at(day time.Time, fromHour, toHour int) time.Time {
	return day.Add(time.Duration(fromHour)*time.Hour + time.Duration(h.f.rng.IntN((toHour-fromHour)*60))*time.Minute)
}

func (h *historian) volunteerActor(v *volunteer) care.Actor {
	name := v.Name
	if v == h.f.v1 {
		name = "volunteer1"
	}
	return care.Actor{Role: care.RoleVolunteer, VolunteerID: v.ID, CommunityID: v.CommunityID, StreetID: h.f.street.ID, Username: name}
}

// proof is how a neighbour's greeting was verified: mostly by the phone's
// position at the door, often by the card's QR code, sometimes not at all.
func (h *historian) proof(e *elder, at time.Time) store.Proof {
	switch h.f.weighted(58, 28, 14) {
	case 0:
		if e.Lat != nil {
			lat := *e.Lat + (h.f.rng.Float64()-0.5)*0.0005 // within about 30 m
			lon := *e.Lon + (h.f.rng.Float64()-0.5)*0.0005
			return store.Proof{Method: "geo", Lat: &lat, Lon: &lon}
		}
	case 1:
		return store.Proof{Method: "qr", Code: h.f.cardCode(e, at)}
	}
	return store.Proof{Method: "none"}
}

func (h *historian) elder(e *elder) {
	for i, v := range e.team {
		from := e.joined[i]
		if from.Before(h.start) {
			from = h.start
		}
		from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, h.f.db.Loc)
		switch v.Kind {
		case "neighbour":
			h.neighbour(e, v, from)
		case "social", "committee":
			h.visitor(e, v, from)
		}
	}
	if e.ClinicID != nil {
		h.clinic(e)
	}
	h.committee(e)
}

// neighbour: a knock on the door most days and a chat about twice a week.
func (h *historian) neighbour(e *elder, v *volunteer, from time.Time) {
	a := h.volunteerActor(v)
	diligence := 0.86 + 0.13*h.f.rng.Float64()
	if v == h.f.v1 {
		diligence = 0.97
	}
	for day := from; !day.After(h.now); day = day.AddDate(0, 0, 1) {
		greets := h.f.chance(diligence)
		if knock, ok := h.f.todaysKnock(e, day, greets); ok { // alerts.go: today one elder living alone is missed
			greets = false
			if knock != nil {
				h.add(a, knock, store.Proof{Method: "qr", Code: h.f.cardCode(e, knock.At)})
			}
		}
		if greets {
			at := h.at(day, 7, 11)
			h.add(a, &care.ServiceRecord{ElderID: e.ID, Kind: "life", Type: "greeting", At: at}, h.proof(e, at))
		}
		if h.f.chance(2.1 / 7) {
			r := &care.ServiceRecord{ElderID: e.ID, Kind: "spirit", Type: "chat", At: h.at(day, 14, 18), Note: pick(h.f, chatNotes)}
			h.lasted(r, 30)
			if h.f.chance(0.06) { // written on the paper card, copied in later by the committee
				staff := h.communityActor(e)
				r.Source, r.VolunteerID = "paper", &v.ID
				h.add(staff, r, store.Proof{Method: "none"})
				continue
			}
			h.add(a, r, h.proof(e, r.At))
		}
	}
}

// visitor: social volunteers and committee staff visit monthly and at each
// festival; the committee brings goods or money at festivals.
func (h *historian) visitor(e *elder, v *volunteer, from time.Time) {
	a := h.volunteerActor(v)
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, h.f.db.Loc); !m.After(h.now); m = m.AddDate(0, 1, 0) {
		if !h.f.chance(0.9) {
			continue
		}
		day := m.AddDate(0, 0, h.f.between(2, 26))
		if day.Before(from) {
			day = from
		}
		kind, typ := "spirit", "walk"
		switch h.f.between(0, 3) {
		case 1:
			kind, typ = "spirit", "reading"
		case 2:
			kind, typ = "life", "shopping"
		case 3:
			kind, typ = "life", "cleaning"
		}
		r := &care.ServiceRecord{ElderID: e.ID, Kind: kind, Type: typ, At: h.at(day, 9, 17)}
		h.lasted(r, 60)
		h.add(a, r, h.proof(e, r.At))
	}
	for _, fd := range h.festivals {
		if fd.Before(from) || !h.f.chance(0.85) {
			continue
		}
		r := &care.ServiceRecord{ElderID: e.ID, Kind: "festival", Type: "festival_visit", At: h.at(fd.AddDate(0, 0, h.f.between(-5, 1)), 9, 18),
			Note: "节日探望，陪老人过节"}
		if v.Kind == "committee" {
			r.AmountCents = int64(h.f.between(10, 30)) * 1000
			r.Note = "节日慰问，送月饼和慰问金"
		}
		h.add(a, r, h.proof(e, r.At))
	}
}

// clinic: a call about health every half-month, a check-up each quarter.
func (h *historian) clinic(e *elder) {
	a := care.Actor{Role: care.RoleClinic, ClinicID: *e.ClinicID, StreetID: h.f.street.ID, Username: "clinic"}
	for m := time.Date(h.start.Year(), h.start.Month(), 1, 0, 0, 0, 0, h.f.db.Loc); !m.After(h.now); m = m.AddDate(0, 1, 0) {
		for _, half := range [][2]int{{1, 14}, {16, 27}} {
			if h.f.chance(0.9) {
				day := m.AddDate(0, 0, h.f.between(half[0], half[1])-1)
				h.add(a, &care.ServiceRecord{ElderID: e.ID, Kind: "health", Type: "health_inquiry", At: h.at(day, 9, 17),
					Note: pick(h.f, inquiryNotes)}, store.Proof{Method: "none"})
			}
		}
		if m.Month()%3 == 1 && h.f.chance(0.8) { // first month of a quarter
			h.add(a, &care.ServiceRecord{ElderID: e.ID, Kind: "health", Type: "checkup", At: h.at(m.AddDate(0, 0, h.f.between(5, 25)), 8, 11),
				Note: "季度体检：血压、血糖、心电图"}, store.Proof{Method: "none"})
		}
	}
}

func (h *historian) communityActor(e *elder) care.Actor {
	for i, c := range h.f.comms {
		if c == e.comm {
			return care.Actor{Role: care.RoleCommunity, CommunityID: c.ID, StreetID: h.f.street.ID, Username: "community" + string(rune('1'+i))}
		}
	}
	return h.f.station
}

var (
	chatNotes    = []string{"聊家常，老人心情不错", "陪老人说话，聊起子女近况", "读报聊天", "一起看了戏曲节目", "聊天，提醒按时吃药", ""}
	inquiryNotes = []string{"电话问讯，血压平稳", "登门问讯，提醒按时服药", "电话随访，睡眠欠佳，建议复诊", "电话问讯，无不适"}
)

// lasted gives a visit an end time, so the reports have service hours: at
// least that many minutes, varied by the start's minute rather than by a draw
// of the random source, which would change the rest of the demo.
func (h *historian) lasted(r *care.ServiceRecord, least int) {
	end := r.At.Add(time.Duration(least+r.At.Minute()%least) * time.Minute)
	if !end.After(h.now) {
		r.EndAt = &end
	}
}
