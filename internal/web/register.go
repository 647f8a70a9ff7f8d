package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/api"
	"carecircle/internal/care"
	"carecircle/internal/register"
	"carecircle/internal/store"
)

// registerPages serves 导入导出: upload and check a register, commit it,
// download templates and export the lists.
type registerPages struct {
	s    *Server
	jobs *jobRunner
}

type registerPageData struct {
	Communities []care.Community
	Query       url.Values
	MaxMB       int
}

func (h *registerPages) page(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	comms, err := h.s.db.Communities(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	if p.Actor.Role == care.RoleCommunity {
		comms = onlyCommunity(comms, p.Actor.CommunityID)
	}
	p.Title, p.Active = "导入导出", "register"
	p.Data = registerPageData{Communities: comms, Query: r.URL.Query(), MaxMB: register.MaxFileSize >> 20}
	h.s.render(w, http.StatusOK, "register", p)
	return nil
}

// The error page shows an error's message, so these carry it in both
// languages rather than as field errors.
var (
	errNoFile = &care.Error{Code: care.EInvalid, Message: "请选择要导入的 .xlsx 或 .csv 文件 / choose an .xlsx or .csv file to import"}
	errTooBig = &care.Error{Code: care.ETooLarge, Message: "文件过大（最大 20 MB） / the file is too large (20 MB at most)"}
	errKind   = &care.Error{Code: care.EInvalid, Message: "请选择名册类型：服务对象或志愿者 / choose elders or volunteers"}
)

// upload keeps the file as a job and starts its dry run.
func (h *registerPages) upload(w http.ResponseWriter, r *http.Request, p *page) error {
	if !p.Actor.EditsRegistry() {
		return care.ErrForbidden()
	}
	kind, ok := register.ParseKind(r.PostFormValue("kind"))
	if !ok {
		return errKind
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return errNoFile
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, register.MaxFileSize+1))
	if err != nil {
		return err
	}
	if len(data) > register.MaxFileSize {
		return errTooBig
	}
	if len(data) == 0 {
		return errNoFile
	}
	id, err := h.s.db.CreateImportJob(r.Context(), store.NewImportJob{OwnerID: p.User.ID, Kind: string(kind), FileName: path.Base(hdr.Filename), Data: data})
	if err != nil {
		return err
	}
	finished, err := h.jobs.start(r.Context(), p.Actor, p.User.ID, id, false)
	if err != nil {
		return err
	}
	wait(finished, jobWait)
	http.Redirect(w, r, "/register/imports/"+id, http.StatusSeeOther)
	return nil
}

// commit imports the checked file for real, all rows or none, on whichever
// server the confirmation reaches.
func (h *registerPages) commit(w http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	finished, err := h.jobs.start(r.Context(), p.Actor, p.User.ID, id, true)
	if care.ErrorCode(err) == care.EConflict {
		return care.Errorf(care.EConflict, "%s", p.T("只能导入检查通过、尚未导入的文件"))
	}
	if err != nil {
		return err
	}
	wait(finished, jobWait)
	http.Redirect(w, r, "/register/imports/"+id, http.StatusSeeOther)
	return nil
}

// confirm records the possible duplicates (可能重复) the user ticked as
// other people and checks the file again with them.
func (h *registerPages) confirm(w http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	var rows []int
	for _, v := range r.PostForm["confirm_rows"] {
		n, ok := register.ParseRows(v)
		if !ok {
			return care.FieldErrors{"confirm_rows": care.Msg{ZH: "行号无效", EN: "not a row number"}}.Err()
		}
		rows = append(rows, n...)
	}
	if err := h.s.db.SetImportConfirm(r.Context(), p.User.ID, id, rows); err != nil {
		if care.ErrorCode(err) == care.EConflict {
			return care.Errorf(care.EConflict, "%s", p.T("只能导入检查通过、尚未导入的文件"))
		}
		return err
	}
	finished, err := h.jobs.start(r.Context(), p.Actor, p.User.ID, id, false)
	if err != nil {
		return err
	}
	wait(finished, jobWait)
	http.Redirect(w, r, "/register/imports/"+id, http.StatusSeeOther)
	return nil
}

// jobView is a job as the page shows it, in the page's language.
type jobView struct {
	jobStatus
	Percent    int
	StageLabel string
	Summary    string
	Errors     []problemView
	More       int
	Planned    []register.Planned
	CanCommit  bool
	// Lookalikes are the possible duplicates to confirm, with whether
	// the last check took them as confirmed.
	Lookalikes []lookalikeView
}

type lookalikeView struct {
	Row       int
	Name      string
	Reason    string
	Confirmed bool
}

type problemView struct {
	Row                   int
	Column, Value, Reason string
}

// Screens show at most this many problems and planned rows; the CLI and
// the API list every problem of the first register.MaxListedRows bad rows
// (and count the others).
const (
	shownErrors  = 500
	shownPlanned = 200
)

func newJobView(st jobStatus, lang string) jobView {
	v := jobView{jobStatus: st}
	stages := map[string][3]int{"read": {0, 40, 0}, "check": {40, 30, 1}, "write": {70, 30, 2}}
	s := stages[st.Stage]
	if st.Total > 0 {
		v.Percent = s[0] + s[1]*st.Done/st.Total
	}
	v.StageLabel = []string{"读取文件", "检查数据", "写入数据库"}[s[2]]
	if st.Report == nil {
		return v
	}
	rep := st.Report
	v.Summary = rep.Summary(!st.Commit, lang)
	v.More = rep.Unlisted()
	for i, e := range rep.Errors {
		if i == shownErrors {
			v.More += len(rep.Errors) - shownErrors
			break
		}
		v.Errors = append(v.Errors, problemView{Row: e.Row, Column: e.Column, Value: e.Value, Reason: e.Reason.In(lang)})
	}
	v.Planned = rep.Planned[:min(len(rep.Planned), shownPlanned)]
	v.CanCommit = rep.OK() && !rep.Committed && rep.Rows > 0
	if !rep.Committed {
		why := map[int]string{}
		for _, e := range rep.Errors {
			if strings.HasPrefix(e.Reason.ZH, "可能重复") {
				why[e.Row] = e.Reason.In(lang)
			}
		}
		names := map[int]string{}
		for _, pl := range rep.Planned {
			names[pl.Row] = pl.Name
		}
		for _, row := range rep.Lookalikes {
			_, open := why[row]
			v.Lookalikes = append(v.Lookalikes, lookalikeView{Row: row, Name: names[row], Reason: why[row], Confirmed: !open})
		}
	}
	return v
}

func (h *registerPages) show(w http.ResponseWriter, r *http.Request, p *page) error {
	job, err := h.s.db.ImportJob(r.Context(), p.User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if job.Stalled() {
		// The server running it stopped: check the file again here (a
		// commit that died rolled back, so its file is checked afresh).
		if _, err := h.jobs.start(r.Context(), p.Actor, p.User.ID, job.ID, false); err != nil && care.ErrorCode(err) != care.EConflict {
			return err
		}
		if job, err = h.s.db.ImportJob(r.Context(), p.User.ID, job.ID); err != nil {
			return err
		}
	}
	st, err := statusOf(job)
	if err != nil {
		return err
	}
	if st.Err != nil {
		return st.Err
	}
	p.Title, p.Active, p.Data = "导入名册", "register", newJobView(st, p.Lang)
	if r.Header.Get("HX-Request") == "true" {
		h.s.renderFragment(w, http.StatusOK, "register_job", "register-job", p)
		return nil
	}
	h.s.render(w, http.StatusOK, "register_job", p)
	return nil
}

// template downloads an empty register with an example row.
func (h *registerPages) template(w http.ResponseWriter, r *http.Request, p *page) error {
	kind, format, err := fileParts(r.PathValue("file"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := register.Template(kind, format, &buf); err != nil {
		return err
	}
	sendFile(w, format, "template-"+register.FileName(kind, format), buf.Bytes())
	return nil
}

// export writes the list as filtered on screen. Full ID numbers need the
// explicit choice on the 导入导出 page, which posts with the CSRF token; a
// plain link always exports masked numbers.
func (h *registerPages) export(w http.ResponseWriter, r *http.Request, p *page) error {
	kind, format, err := fileParts(r.PathValue("file"))
	if err != nil {
		return err
	}
	r.ParseForm()
	q := r.Form
	reveal := r.Method == http.MethodPost && q.Get("reveal_ids") == "1"
	var buf bytes.Buffer
	// The lists' own filters: a malformed one is refused as on the list.
	keys := volunteerFilterKeys
	if kind == register.Elders {
		keys = elderFilterKeys
	}
	if err := checkExportQuery(q, keys); err != nil {
		return err
	}
	if kind == register.Elders {
		var f store.ElderFilter
		if f, err = elderFilter(q); err == nil {
			_, err = register.ExportElders(r.Context(), h.s.db, p.Actor, f, format, reveal, &buf)
		}
	} else {
		var f store.VolunteerFilter
		if f, err = volunteerFilter(q); err == nil {
			_, err = register.ExportVolunteers(r.Context(), h.s.db, p.Actor, f, format, &buf)
		}
	}
	if err != nil {
		return err
	}
	sendFile(w, format, register.DisplayFileName(kind, format, time.Now()), buf.Bytes(),
		string(kind)+"-"+time.Now().In(shanghai).Format("20060102")+"."+string(format))
	return nil
}

// demoFile builds the demo register for the user's street: the rows of
// testdata/, plus one row with a real elder (or volunteer) of the user's
// scope, whose ID number is revealed for it (audited), so the dry run
// shows an update whatever day the demo street was created.
func (h *registerPages) demoFile(w http.ResponseWriter, r *http.Request, p *page) error {
	kind, format, err := fileParts(r.PathValue("file"))
	if err != nil {
		return err
	}
	if !p.Actor.RevealsIDs() {
		return care.ErrForbidden()
	}
	ctx := r.Context()
	comms, err := h.s.db.Communities(ctx, p.Actor)
	if err != nil {
		return err
	}
	name := map[int64]string{}
	for _, c := range comms {
		name[c.ID] = c.Name
	}
	var rows [][]string
	if kind == register.Elders {
		es, _, err := h.s.db.ListElders(ctx, p.Actor, store.ElderFilter{Status: "active", Limit: 1})
		if err != nil {
			return err
		}
		var e *care.Elder
		if len(es) > 0 {
			e = &es[0]
			if e.IDNumber, err = h.s.db.RevealElderID(ctx, p.Actor, e.ID); err != nil {
				return err
			}
			rows = register.DemoElderRows(e, name[e.CommunityID])
		} else {
			rows = register.DemoElderRows(nil, "")
		}
	} else {
		vs, _, err := h.s.db.ListVolunteers(ctx, p.Actor, store.VolunteerFilter{Status: "active", Limit: 1})
		if err != nil {
			return err
		}
		if len(vs) > 0 {
			rows = register.DemoVolunteerRows(&vs[0], name[vs[0].CommunityID])
		} else {
			rows = register.DemoVolunteerRows(nil, "")
		}
	}
	var buf bytes.Buffer
	if err := register.WriteRows(&buf, format, string(kind), rows, false); err != nil {
		return err
	}
	sendFile(w, format, "demo-"+string(kind)+"-import."+string(format), buf.Bytes())
	return nil
}

// fileParts reads "elders.xlsx" into its kind and format.
func fileParts(file string) (register.Kind, register.Format, error) {
	base, ext, _ := strings.Cut(file, ".")
	kind, ok := register.ParseKind(base)
	format, fok := register.ParseFormat(ext)
	if !ok || !fok {
		return "", "", care.ErrNotFound("文件 / file")
	}
	return kind, format, nil
}

// sendFile sends a download named name (Chinese allowed), with an ASCII
// name for old clients (ascii; name itself when it is ASCII).
func sendFile(w http.ResponseWriter, f register.Format, name string, data []byte, ascii ...string) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Disposition", api.Attachment(name, strings.Join(ascii, "")))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// limitUpload refuses a body larger than a register file (plus the form
// around it) before anything reads it, so an oversized upload is neither
// buffered nor mistaken for a missing CSRF token.
func limitUpload(next http.Handler) http.Handler {
	const limit = register.MaxFileSize + 1<<20
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			http.Error(w, "文件过大（最大 20 MB） / the file is too large (20 MB at most)", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
