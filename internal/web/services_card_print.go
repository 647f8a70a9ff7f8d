package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"rsc.io/qr"

	"carecircle/internal/care"
)

// paperLayout is what one sheet of a paper size holds, in rows of the
// printed card's record table: every row is one line of a fixed height
// (print.css), so the pages are counted here and each carries its header
// with 第 N 页 / 共 M 页. The first sheet also holds the elder's details, the
// last the signature box.
type paperLayout struct {
	First, Next int // rows on the first sheet and on each later one
	Signature   int // rows the signature box takes on the last sheet
}

var paperLayouts = map[string]paperLayout{
	"a4": {First: 46, Next: 54, Signature: 6},
	"a5": {First: 30, Next: 37, Signature: 7},
}

// printRow is one line of the printed record table: a service or an
// amendment under it.
type printRow struct {
	Record    care.ServiceRecord
	Amendment bool
	Voided    bool
}

// printSheet is one printed page.
type printSheet struct {
	N, Of     int
	First     bool
	Last      bool
	Rows      []printRow
	Continued bool // the table goes on from the sheet before
}

// paginate cuts the rows into sheets: as many rows as fit, the signature
// box on the last sheet; when the box does not fit after the last rows, a
// few rows move with it so that no sheet holds the signature alone.
func paginate(rows []printRow, l paperLayout) []printSheet {
	var sheets []printSheet
	for first := true; ; first = false {
		room := l.Next
		if first {
			room = l.First
		}
		s := printSheet{First: first, Continued: !first}
		switch {
		case len(rows) <= room-l.Signature:
			s.Rows, s.Last = rows, true
			rows = nil
		case len(rows) <= room:
			keep := len(rows) - min(3, len(rows))
			s.Rows, rows = rows[:keep], rows[keep:]
		default:
			s.Rows, rows = rows[:room], rows[room:]
		}
		sheets = append(sheets, s)
		if s.Last {
			break
		}
	}
	for i := range sheets {
		sheets[i].N, sheets[i].Of = i+1, len(sheets)
	}
	return sheets
}

type cardPrintData struct {
	cardData
	Sheets     []printSheet
	MonthLabel string
	Signer     string
	SignedOn   string
}

// cardPrint is the printed service card (A4 or A5): one-line rows, the
// elder's name, the month and 第 N 页 / 共 M 页 on every sheet, and a
// signature box left blank for signing by hand when the card is not signed
// online. A typical month (40 records) takes one A4 sheet or two A5 sheets.
func (s *Server) cardPrint(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("服务对象 / elder")
	}
	month := monthOrNow(r.URL.Query().Get("month"), s.db.Now().In(s.db.Loc))
	c, err := s.db.GetCard(r.Context(), p.Actor, id, month)
	if err != nil {
		return err
	}
	d := cardPrintData{cardData: cardData{Card: c, Paper: "a4", Categories: c.Elder.AllCategories(s.db.Today())}, MonthLabel: monthLabel(month)}
	if r.URL.Query().Get("paper") == "a5" {
		d.Paper = "a5"
	}
	if !c.Elder.BirthDate.IsZero() {
		d.Age = care.Age(c.Elder.BirthDate, s.db.Today())
	}
	s.cardCircle(r, p, &d.cardData)
	if p.Actor.EditsRegistry() {
		if d.QR, d.ScanURL, err = s.cardQR(r, p, id, month); err != nil {
			return err
		}
	}
	if sig := c.Signature; sig != nil {
		d.Signer = s.db.SignerName(r.Context(), sig.SignedBy)
		d.SignedOn = sig.SignedAt.In(s.db.Loc).Format(time.DateOnly)
	}
	var rows []printRow
	for _, en := range c.Entries {
		rows = append(rows, printRow{Record: en.ServiceRecord, Voided: en.Voided})
		for _, am := range en.Amendments {
			rows = append(rows, printRow{Record: am, Amendment: true})
		}
	}
	d.Sheets = paginate(rows, paperLayouts[d.Paper])
	p.Title, p.Data = "居家养老服务卡", d
	s.renderFragmentData(w, http.StatusOK, "card_print", "card-print", p)
	return nil
}

// printMethod is the short label of a record's proof on paper.
func printMethod(r care.ServiceRecord, lang string) string {
	zh, en := "", ""
	switch r.Evidence() {
	case care.EvidenceProof:
		zh, en = "扫码", "card"
		if r.Method == "pin" {
			zh, en = "确认码", "PIN"
		}
	case care.EvidencePosition:
		zh, en = "定位", "position"
	case care.EvidenceSource:
		zh, en = "机构", "org."
		if r.Source == "paper" {
			zh, en = "纸质卡", "paper"
		}
	default:
		zh, en = "未核验", "none"
	}
	if lang == "en" {
		return en
	}
	return zh
}

// cardQR is the card's QR code of month (a data: URL) and the address it
// holds, for staff who print the card.
func (s *Server) cardQR(r *http.Request, p *page, id int64, month string) (template.URL, string, error) {
	code, err := s.db.ElderCardCode(r.Context(), p.Actor, id, month)
	if err != nil {
		return "", "", err
	}
	scheme := "http://"
	if s.secure(r) {
		scheme = "https://"
	}
	u := scheme + r.Host + "/scan/" + code
	img, err := qr.Encode(u, qr.M)
	if err != nil {
		return "", u, nil
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(img.PNG())), u, nil
}

// Proof is the row's short proof label on paper (printMethod).
func (r printRow) Proof(lang string) string { return printMethod(r.Record, lang) }
