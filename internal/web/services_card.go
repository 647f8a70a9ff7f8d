package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rsc.io/qr"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

type cardData struct {
	Card        *store.Card
	Community   string
	Clinic      string
	Committee   *store.Committee // the community committee, in every circle
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
	// Inspects is set for the station; Ended tells whether the month has
	// ended (only then can it be signed).
	Inspects, Ended bool
	// Queue is the inspection queue the station opened the card from.
	Queue *cardQueue
	// volunteer is the volunteer looking at the card, who may correct
	// their own records.
	volunteer int64
}

// Amendable reports whether the viewer may correct r: staff any record,
// a volunteer the records of their own services.
func (d cardData) Amendable(r care.ServiceRecord) bool {
	return d.CanAmend || (d.volunteer != 0 && r.VolunteerID != nil && *r.VolunteerID == d.volunteer)
}

// monthEnded reports whether month (YYYY-MM) has ended by the store's clock:
// cards are signed only then.
func (s *Server) monthEnded(month string) bool { return month <= s.db.LastEndedMonth() }

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
		Paper: "a4", Inspects: p.Actor.Role == care.RoleStation, Ended: s.monthEnded(month), SignResults: store.SignResults,
		CanAmend: p.Actor.EditsRegistry(), CanRecord: c.Signature == nil && p.Actor.Role != care.RoleViewer}
	d.CanSign = d.Inspects && d.Ended && c.Signature == nil
	// Month navigation stays within the elder's service: from the month
	// they were registered to this month (issue 14 point 10).
	if first := c.Elder.CreatedAt.In(s.db.Loc).Format("2006-01"); c.Elder.CreatedAt.IsZero() || month <= first {
		d.Prev = ""
	}
	if month >= s.db.Now().In(s.db.Loc).Format("2006-01") {
		d.Next = ""
	}
	if p.Actor.Role == care.RoleVolunteer {
		d.volunteer = p.Actor.VolunteerID
	}
	if _, notice := s.doneNotice(r, p, r.URL.Query().Get("done")); notice != "" {
		p.Flash = notice
	}
	if signed := r.URL.Query().Get("signed_elder"); signed != "" {
		p.Flash = s.signedNotice(r, p, signed, month)
	}
	queue := r.URL.Query().Get("queue")
	if r.Method == http.MethodPost {
		queue = r.PostFormValue("queue")
	}
	if d.Queue, err = s.queueOf(r, p, queue, id, month); err != nil {
		return err
	}
	if r.URL.Query().Get("paper") == "a5" {
		d.Paper = "a5"
	}
	if !c.Elder.BirthDate.IsZero() {
		d.Age = care.Age(c.Elder.BirthDate, today)
	}
	s.cardCircle(r, p, &d)
	if p.Actor.EditsRegistry() {
		code, err := s.db.ElderCardCode(r.Context(), p.Actor, id, c.Month)
		if err != nil {
			return err
		}
		scheme := "http://"
		if s.secure(r) {
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
		switch care.ErrorCode(err) {
		case care.EInvalid, care.EConflict, care.EMonthNotEnded:
		default:
			return err
		}
		p.setError(err)
		p.Error = inLang(p.Lang, p.Error)
		return s.showCard(w, r, p, id, monthOrNow(month, s.db.Now().In(s.db.Loc)), api.Status(err))
	}
	// The signature is confirmed where the station goes on: the next
	// unsigned card of its queue, or this card.
	http.Redirect(w, r, s.afterSigning(r, p, id, month, r.PostFormValue("queue")), http.StatusSeeOther)
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
	// The form's key makes a double submit one amendment.
	fp := strings.Join([]string{"amend", r.PathValue("record"), f.str("reason"), f.str("note"), f.str("type"), strconv.FormatBool(f.bool("void"))}, "\x1f")
	if _, _, err := s.db.AddAmendmentOnce(r.Context(), p.Actor, recID, f.str("reason"), changes, formAttempt(r, f, fp)); err != nil {
		if !refusable(err) {
			return err
		}
		p.setError(err)
		if care.ErrorCode(err) != care.EInvalid {
			p.Error = inLang(p.Lang, p.Error)
		}
		return s.showCard(w, r, p, id, monthOrNow(month, s.db.Now().In(s.db.Loc)), api.Status(err))
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

// cardCircle names the organisations in the card's circle: the community
// (and its committee, in every circle) and the elder's clinic.
func (s *Server) cardCircle(r *http.Request, p *page, d *cardData) {
	e := d.Card.Elder
	if cm, err := s.db.GetCommunity(r.Context(), p.Actor, e.CommunityID); err == nil {
		d.Community = cm.Name
	}
	if cm, err := s.db.CommitteeOf(r.Context(), p.Actor, e.CommunityID); err == nil {
		d.Committee = cm
	}
	if e.ClinicID != nil {
		if cl, err := s.db.GetClinic(r.Context(), p.Actor, *e.ClinicID); err == nil {
			d.Clinic = cl.Name
		}
	}
}
