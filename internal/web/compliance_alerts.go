package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/store"
	"carecircle/internal/tracker"
)

// greetingsLive is the live list of elders not greeted today, polled by
// the community's pages every minute.
type greetingsLive struct {
	text
	CommunityID int64
	Day         time.Time
	Elders      []store.UngreetedElder
	Alone       int // of them, living alone
	AlertHour   int
}

// notGreeted reads today's list for the actor's community, or for the
// community the station chose.
func (s *Server) notGreeted(r *http.Request, a care.Actor, community int64) (*greetingsLive, error) {
	now := s.db.Now().In(s.db.Loc)
	list, err := s.db.NotGreeted(r.Context(), a, community, now)
	if err != nil {
		return nil, err
	}
	g := &greetingsLive{CommunityID: community, Day: now, Elders: list, AlertHour: 20}
	if s.tracker != nil {
		g.AlertHour = s.tracker.AlertHour()
	}
	for _, e := range list {
		if e.Alone {
			g.Alone++
		}
	}
	// The lone elders first (issue 14 point 10); the page shows the count
	// and opens the list on demand.
	slices.SortStableFunc(g.Elders, func(a, b store.UngreetedElder) int {
		switch {
		case a.Alone && !b.Alone:
			return -1
		case b.Alone && !a.Alone:
			return 1
		}
		return 0
	})
	return g, nil
}

type communityCount struct {
	care.Community
	NotGreeted, Alone int
}

type greetingsData struct {
	text
	Live        *greetingsLive
	Alerts      []store.Alert
	Communities []communityCount // the station's overview
}

// greetingsPage is the daily knock: the elders of a community not yet
// greeted today (live) and the open alerts. The station sees how many are
// left in each community and chooses one.
func (s *Server) greetingsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	community, err := queryCommunity(r)
	if err != nil {
		return err
	}
	d := greetingsData{}
	if p.Actor.Role == care.RoleStation {
		comms, err := s.db.Communities(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		all, err := s.db.NotGreeted(r.Context(), p.Actor, 0, s.db.Now().In(s.db.Loc))
		if err != nil {
			return err
		}
		for _, c := range comms {
			cc := communityCount{Community: c}
			for _, e := range all {
				if e.CommunityID == c.ID {
					cc.NotGreeted++
					if e.Alone {
						cc.Alone++
					}
				}
			}
			d.Communities = append(d.Communities, cc)
		}
		if community == 0 && len(comms) > 0 {
			community = comms[0].ID
		}
	}
	live, err := s.notGreeted(r, p.Actor, community)
	if err != nil {
		return err
	}
	d.Live = live
	if d.Alerts, err = s.db.Alerts(r.Context(), p.Actor, store.AlertFilter{CommunityID: community, Open: true}); err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "今日问候", "greetings", d
	s.render(w, http.StatusOK, "greetings", p)
	return nil
}

// greetingsLive answers the minute's poll with the list alone.
func (s *Server) greetingsLive(w http.ResponseWriter, r *http.Request, p *page) error {
	community, err := queryCommunity(r)
	if err != nil {
		return err
	}
	live, err := s.notGreeted(r, p.Actor, community)
	if err != nil {
		return err
	}
	s.renderFragmentData(w, http.StatusOK, "greetings", "greetings-live", map[string]any{"Page": p, "Item": live})
	return nil
}

type alertsData struct {
	text
	Alerts []store.Alert
	All    bool
}

// alertsPage lists the alerts, open ones first; ?all=1 includes resolved.
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.db.Alerts(r.Context(), p.Actor, store.AlertFilter{Open: !all, Limit: 200})
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "未问候提醒", "greetings", alertsData{Alerts: list, All: all}
	s.render(w, http.StatusOK, "alerts", p)
	return nil
}

type alertData struct {
	text
	Alert  *store.Alert
	Events []store.AlertEvent
}

func (s *Server) alertPage(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("提醒 / alert")
	}
	al, events, err := s.db.GetAlert(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	p.Title, p.Active, p.Data = "未问候提醒", "greetings", alertData{Alert: al, Events: events}
	s.render(w, http.StatusOK, "alert", p)
	return nil
}

func (s *Server) alertAck(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.alertStep(w, r, p, s.db.AcknowledgeAlert)
}

func (s *Server) alertResolve(w http.ResponseWriter, r *http.Request, p *page) error {
	return s.alertStep(w, r, p, s.db.ResolveAlert)
}

// alertStep acknowledges or resolves an alert and goes back to the page it
// was done from; a missing note shows on the alert's own page.
func (s *Server) alertStep(w http.ResponseWriter, r *http.Request, p *page, step func(ctx context.Context, a care.Actor, id int64, note string) error) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("提醒 / alert")
	}
	f := newForm(r)
	if err := step(r.Context(), p.Actor, id, f.str("note")); err != nil {
		if care.ErrorCode(err) != care.EInvalid && care.ErrorCode(err) != care.EConflict {
			return err
		}
		p.setError(err)
		al, events, gerr := s.db.GetAlert(r.Context(), p.Actor, id)
		if gerr != nil {
			return gerr
		}
		p.Title, p.Active, p.Data = "未问候提醒", "greetings", alertData{Alert: al, Events: events}
		s.render(w, http.StatusUnprocessableEntity, "alert", p)
		return nil
	}
	back := f.str("back")
	if ref, err := url.Parse(r.Referer()); back == "" && err == nil && ref.Host == r.Host && ref.Path != "" {
		back = ref.Path // the page it was done from: home, the daily knock, the list
	}
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/alerts/" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// duty is a worklist line with the elder's name and what to do, in the
// page's language.
type duty struct {
	tracker.Duty
	Elder string
	What  string // 敲门问候, 本周还需聊天 1 次, 🎂 生日 2026-12-01…
	By    string // until when
}

func newDuty(du tracker.Duty, elder, lang string, today time.Time) duty {
	d := duty{Duty: du, Elder: elder}
	switch {
	case du.Standard == "neighbour_daily_greeting":
		d.What = translate(lang, "敲门问候")
	case du.Period.Kind == "iso_week" && strings.Contains(du.Standard, "chat"):
		d.What = translate(lang, "本周还需聊天") + " " + strconv.Itoa(du.Left) + " " + translate(lang, "次")
	case du.Period.Kind == "festival":
		icon := "🏮 "
		if du.Period.Occasion.Code == "birthday" {
			icon = "🎂 "
		}
		d.What = icon + standardLabel(du.Standard, lang) + "：" + du.Period.Occasion.Name + " " + du.Period.Occasion.Date.String()
	default:
		d.What = standardLabel(du.Standard, lang) + " " + strconv.Itoa(du.Count) + "/" + strconv.Itoa(du.Required)
	}
	last := du.Deadline.Add(-time.Nanosecond).In(today.Location())
	if du.Outcome == "overdue" {
		last = du.Closes.Add(-time.Nanosecond).In(today.Location())
	}
	if last.Format(time.DateOnly) == today.Format(time.DateOnly) {
		d.By = translate(lang, "今天内")
	} else {
		d.By = translate(lang, "截止") + " " + last.Format("01-02")
	}
	return d
}

// addDuties puts the volunteer's worklist on the today page: the whole
// list at the top, most urgent first, and each elder's part on their card.
// The cards themselves keep their order, so a card does not jump away once
// its greeting is done. Without the tracker the page works as before.
func (s *Server) addDuties(r *http.Request, p *page, d *todayData) error {
	if s.tracker == nil || p.Actor.Role != care.RoleVolunteer {
		return nil
	}
	duties, err := s.tracker.Today(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, e := range d.Elders {
		names[e.Elder.ID] = e.Elder.Name
	}
	today := s.db.Now().In(s.db.Loc)
	for _, du := range duties {
		line := newDuty(du, names[du.ElderID], p.Lang, today)
		d.Duties = append(d.Duties, line)
		for j := range d.Elders {
			if d.Elders[j].Elder.ID == du.ElderID {
				d.Elders[j].Duties = append(d.Elders[j].Duties, line)
			}
		}
	}
	return nil
}
