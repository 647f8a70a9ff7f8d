package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"carecircle/internal/api"
	"carecircle/internal/attach"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// Attachments (附件, README "附件 (attachments)") on the web: one upload
// form and one file route for every owner page (an activity, a
// community's implementation plan, a typical-experience report), and the
// template partial "attachments" (templates/partials_attachments.html)
// that a page includes with the data attachmentsView returns.

func (s *Server) routesAttachments(m *http.ServeMux) {
	m.Handle("POST /attachments", limitAttachment(s.auth(s.attachmentUpload)))
	m.Handle("GET /attachments/{id}", s.auth(s.attachmentFile))
}

func init() { catalogs = append(catalogs, englishAttachments) }

// attachmentLimit is a file at the limit plus the form around it.
const attachmentLimit = attach.MaxSize + 1<<20

// limitAttachment refuses a body larger than a file may be before anything
// reads it: the page it came from shows the reason (the form names it in
// its action's back parameter).
func limitAttachment(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > attachmentLimit {
			q := r.URL.Query()
			http.Redirect(w, r, attachmentBack(q.Get("back"), q.Get("for"), "attach_error", "too_large"), http.StatusSeeOther)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, attachmentLimit)
		next.ServeHTTP(w, r)
	})
}

// attachmentsView is the data of the "attachments" partial: an owner's
// files with thumbnails, the upload form when the actor may add, and the
// last upload's result or reason, shown in place.
type attachmentsView struct {
	Kind    string // store.OwnerActivity, OwnerRolloutPlan or OwnerExperience
	OwnerID int64
	// Anchor is the partial's element id (att-<kind>-<id>): an upload
	// comes back to it.
	Anchor string
	Items  []store.Attachment
	CanAdd bool
	Back   string // the owner page (path and query) the upload returns to
	CSRF   string
	Lang   string
	Images bool   // pictures only (a report's photos): the file picker offers pictures
	Result string // "已上传：合影.jpg", or the reason an upload was refused
	Failed bool
}

// T translates the partial's text.
func (v *attachmentsView) T(s string) string { return translate(v.Lang, s) }

// SizeLabel is a file size for people: 820 KB, 2.4 MB.
func (v *attachmentsView) SizeLabel(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(max(1, (n+512)>>10), 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// attachmentsView answers the partial's data for owner kind/id on a page
// at back, or nil when the actor may not read the owner's files (the page
// then shows no attachments block).
func (s *Server) attachmentsView(r *http.Request, p *page, kind string, id int64, back string) *attachmentsView {
	o := store.AttachmentOwner{Kind: kind, ID: id}
	items, err := s.db.Attachments(r.Context(), p.Actor, o)
	if err != nil {
		if c := care.ErrorCode(err); c != care.ENotFound && c != care.EForbidden {
			s.log.Error("attachments", "err", err)
		}
		return nil
	}
	v := &attachmentsView{Kind: kind, OwnerID: id, Anchor: attachmentAnchor(kind, id), Items: items, Back: safeNext(back),
		CSRF: p.CSRF, Lang: p.Lang, Images: kind == store.OwnerExperience}
	v.CanAdd = s.db.CanAddAttachment(r.Context(), p.Actor, o) == nil
	q := r.URL.Query()
	if q.Get("for") == v.Anchor {
		if code := q.Get("attach_error"); code != "" {
			v.Result, v.Failed = attachReason(code).In(p.Lang), true
		} else if at, err := strconv.ParseInt(q.Get("attached"), 10, 64); err == nil {
			for _, it := range items {
				if it.ID == at {
					v.Result = v.T("已上传") + "：" + it.Name
				}
			}
		}
	}
	return v
}

func attachmentAnchor(kind string, id int64) string {
	return "att-" + strings.ReplaceAll(kind, "_", "-") + "-" + strconv.FormatInt(id, 10)
}

// attachmentBack is where an upload returns: the owner page (a local
// path only) with the result and the partial's anchor.
func attachmentBack(back, anchor, key, value string) string {
	back = safeNext(back)
	u, _ := url.Parse(back)
	q := u.Query()
	q.Del("attached")
	q.Del("attach_error")
	q.Set(key, value)
	if anchor != "" {
		q.Set("for", anchor)
		u.Fragment = anchor
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// attachReasons are the reasons an upload is refused, by the code the
// redirect carries (never the text itself, so a link cannot put words on
// the page).
var attachReasons = []struct {
	code string
	msg  care.Msg
}{
	{"empty", attach.MsgEmpty}, {"too_large", attach.MsgTooLarge}, {"type", attach.MsgType}, {"webp", attach.MsgWebP},
	{"broken", attach.MsgBroken}, {"huge", attach.MsgHuge}, {"zip", attach.MsgZip},
	{"not_joined", store.MsgAttachNotJoined}, {"locked", store.MsgAttachLocked},
}

var msgAttachFailed = care.Msg{ZH: "文件未能上传，请重试", EN: "the file could not be uploaded; try again"}

func attachReason(code string) care.Msg {
	for _, r := range attachReasons {
		if r.code == code {
			return r.msg
		}
	}
	return msgAttachFailed
}

// attachErrorCode is the code of a refused upload's reason, "" when err
// is no refusal of the file (then the error page shows it).
func attachErrorCode(err error) string {
	ce, ok := err.(*care.Error)
	if !ok || ce.Code != care.EInvalid {
		return ""
	}
	for _, m := range ce.Fields {
		for _, r := range attachReasons {
			if r.msg == m {
				return r.code
			}
		}
	}
	return "invalid"
}

// attachmentUpload keeps a file posted by the partial's form (multipart
// owner_kind, owner_id, file, back) and returns to the owner page, which
// shows the result or the reason beside the form. A picture uploaded for
// a report that can still take photos becomes one of its photos.
func (s *Server) attachmentUpload(w http.ResponseWriter, r *http.Request, p *page) error {
	back := r.PostFormValue("back")
	kind := r.PostFormValue("owner_kind")
	id, err := strconv.ParseInt(r.PostFormValue("owner_id"), 10, 64)
	if err != nil || id <= 0 {
		return care.ErrNotFound("附件所属记录 / owner")
	}
	o := store.AttachmentOwner{Kind: kind, ID: id}
	anchor := attachmentAnchor(kind, id)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Redirect(w, r, attachmentBack(back, anchor, "attach_error", "empty"), http.StatusSeeOther)
		return nil
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, attach.MaxSize+1))
	if err != nil {
		return err
	}
	at, err := s.db.AddAttachment(r.Context(), p.Actor, o, hdr.Filename, data)
	if err != nil {
		code := attachErrorCode(err)
		if code == "" {
			return err
		}
		http.Redirect(w, r, attachmentBack(back, anchor, "attach_error", code), http.StatusSeeOther)
		return nil
	}
	if kind == store.OwnerExperience && at.IsImage() {
		if err := s.db.AddExperiencePhoto(r.Context(), p.Actor, id, at.ID); err != nil && care.ErrorCode(err) != care.EInvalid {
			return err
		}
	}
	http.Redirect(w, r, attachmentBack(back, anchor, "attached", strconv.FormatInt(at.ID, 10)), http.StatusSeeOther)
	return nil
}

// attachmentFile answers a file or its thumbnail (thumb=1) as the API
// does: its kept type, nosniff, inline only for a picture.
func (s *Server) attachmentFile(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return care.ErrNotFound("附件 / attachment")
	}
	at, data, err := s.db.AttachmentContent(r.Context(), p.Actor, id, r.URL.Query().Get("thumb") == "1")
	if err != nil {
		return err
	}
	api.SendAttachment(w, at, data)
	return nil
}
