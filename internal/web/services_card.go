package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"carecircle/internal/care"
	"carecircle/internal/store"
)

type cardData struct {
	Card        *store.Card
	Community   string
	Clinic      string
	Age         int
	Categories  []string
	QR          template.URL // data: URL of the card's QR code, for staff who print it
	ScanURL     string
	Prev, Next  string
	Paper       string // a4 or a5
	CanSign     bool
	CanAmend    bool
	CanRecord   bool
	SignResults []care.Choice
}

func monthOrNow(s string, now time.Time) string {
	if store.ValidMonth(s) == nil {
		return s
	}
	return now.Format("2006-01")
}

func shiftMonth(m string, by int) string {
	t, _ := time.Parse("2006-01", m)
	return t.AddDate(0, by, 0).Format("2006-01")
}

// cardPage shows an elder's month as the paper 居家养老服务卡 does, ready to
// print on A4 or A5.
func (s *Server) cardPage(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	month := monthOrNow(r.URL.Query().Get("month"), s.db.Now().In(s.db.Loc))
	return s.showCard(w, r, p, id, month, http.StatusOK)
}

func (s *Server) showCard(w http.ResponseWriter, r *http.Request, p *page, id int64, month string, status int) error {
	c, err := s.db.GetCard(r.Context(), p.Actor, id, month)
	if err != nil {
		return err
	}
	today := s.db.Today()
	d := cardData{Card: c, Categories: c.Elder.AllCategories(today), Prev: shiftMonth(month, -1), Next: shiftMonth(month, 1),
		Paper: "a4", CanSign: p.Actor.Role == care.RoleStation && c.Signature == nil, SignResults: store.SignResults,
		CanAmend: p.Actor.EditsRegistry(), CanRecord: c.Signature == nil && p.Actor.Role != care.RoleViewer}
	if r.URL.Query().Get("paper") == "a5" {
		d.Paper = "a5"
	}
	if !c.Elder.BirthDate.IsZero() {
		d.Age = care.Age(c.Elder.BirthDate, today)
	}
	if cm, err := s.db.GetCommunity(r.Context(), p.Actor, c.Elder.CommunityID); err == nil {
		d.Community = cm.Name
	}
	if c.Elder.ClinicID != nil {
		if cl, err := s.db.GetClinic(r.Context(), p.Actor, *c.Elder.ClinicID); err == nil {
			d.Clinic = cl.Name
		}
	}
	if p.Actor.EditsRegistry() {
		code, err := s.db.ElderCardCode(r.Context(), p.Actor, id)
		if err != nil {
			return err
		}
		scheme := "http://"
		if secure(r) {
			scheme = "https://"
		}
		d.ScanURL = scheme + r.Host + "/scan/" + code
		if img, err := qr.Encode(d.ScanURL, qr.M); err == nil {
			d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img.PNG()))
		}
	}
	p.Title, p.Active, p.Data = "服务卡", "elders", d
	if p.Actor.Role == care.RoleVolunteer {
		p.Active = "today"
	}
	s.render(w, status, "card", p)
	return nil
}

func (s *Server) cardSign(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	f := newForm(r)
	month := f.str("month")
	if _, err := s.db.SignCard(r.Context(), p.Actor, id, month, f.str("result"), f.str("comment")); err != nil {
		if care.ErrorCode(err) != care.EInvalid && care.ErrorCode(err) != care.EConflict {
			return err
		}
		p.setError(err)
		return s.showCard(w, r, p, id, monthOrNow(month, s.db.Now().In(s.db.Loc)), http.StatusUnprocessableEntity)
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/inspection") {
		back = "/elders/" + strconv.FormatInt(id, 10) + "/card?month=" + month
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// cardAmend corrects a record: a reason and the corrected field (or striking
// the record out); the original stays on the card.
func (s *Server) cardAmend(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	recID, err := strconv.ParseInt(r.PathValue("record"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务记录 / record")
	}
	f := newForm(r)
	changes := map[string]any{}
	if f.bool("void") {
		changes["void"] = true
	}
	if n := f.str("note"); n != "" {
		changes["note"] = n
	}
	if t := f.str("type"); t != "" {
		changes["type"] = t
	}
	month := f.str("month")
	if _, err := s.db.AddAmendment(r.Context(), p.Actor, recID, f.str("reason"), changes); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.showCard(w, r, p, id, monthOrNow(month, s.db.Now().In(s.db.Loc)), http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/elders/"+strconv.FormatInt(id, 10)+"/card?month="+month, http.StatusSeeOther)
	return nil
}

func (s *Server) elderPIN(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	if err := s.db.SetElderPIN(r.Context(), p.Actor, id, r.PostFormValue("pin")); err != nil {
		if care.ErrorCode(err) != care.EInvalid {
			return err
		}
		p.setError(err)
		return s.elderShow(w, r, p)
	}
	http.Redirect(w, r, "/elders/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) cardReissue(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	if _, err := s.db.ReissueCard(r.Context(), p.Actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/elders/"+strconv.FormatInt(id, 10)+"/card", http.StatusSeeOther)
	return nil
}
