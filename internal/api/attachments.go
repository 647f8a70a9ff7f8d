package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/attach"
	"carecircle/internal/care"
	"carecircle/internal/store"
)

// routesAttachments registers the attachments (附件, README "附件
// (attachments)"): an activity's photos and files, and any kept file by id.
func (s *Server) routesAttachments() {
	m := s.mux
	m.HandleFunc("GET /api/v1/activities/{id}/attachments", s.handle(s.listActivityAttachments, true))
	m.HandleFunc("POST /api/v1/activities/{id}/attachments", s.handle(s.addActivityAttachment, true))
	m.HandleFunc("POST /api/v1/attachments", s.handle(s.addAttachment, true))
	get := s.handle(s.getAttachment, true)
	m.HandleFunc("GET /api/v1/attachments/{id}", func(w http.ResponseWriter, r *http.Request) {
		get(&fileResponse{ResponseWriter: w}, r)
	})
}

// attachmentUploadLimit is a file at the limit plus the multipart envelope.
const attachmentUploadLimit = attach.MaxSize + 1<<20

type attachmentJSON struct {
	ID          int64  `json:"id"`
	OwnerKind   string `json:"owner_kind"`
	OwnerID     int64  `json:"owner_id"`
	CommunityID int64  `json:"community_id,omitempty"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	URL         string `json:"url"`
	ThumbURL    string `json:"thumb_url,omitempty"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   string `json:"created_at"`
}

func (s *Server) attachmentOut(at *store.Attachment) attachmentJSON {
	out := attachmentJSON{ID: at.ID, OwnerKind: at.OwnerKind, OwnerID: at.OwnerID, CommunityID: at.CommunityID, Name: at.Name,
		ContentType: at.ContentType, Size: at.Size, SHA256: at.SHA256, Width: at.Width, Height: at.Height,
		URL: "/api/v1/attachments/" + strconv.FormatInt(at.ID, 10), CreatedBy: at.CreatedBy, CreatedAt: at.CreatedAt.In(s.db.Loc).Format(time.RFC3339)}
	if at.HasThumb {
		out.ThumbURL = out.URL + "?thumb=1"
	}
	return out
}

func (s *Server) listActivityAttachments(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.db.Attachments(r.ctx, r.actor, store.AttachmentOwner{Kind: store.OwnerActivity, ID: id})
	if err != nil {
		return 0, nil, err
	}
	out := make([]attachmentJSON, len(list))
	for i := range list {
		out[i] = s.attachmentOut(&list[i])
	}
	return http.StatusOK, map[string]any{"attachments": out}, nil
}

// addActivityAttachment keeps a photo or file of an activity, sent as
// multipart field "file". Who may add is checked before the upload is read.
func (s *Server) addActivityAttachment(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	owner := store.AttachmentOwner{Kind: store.OwnerActivity, ID: id}
	if err := s.db.CanAddAttachment(r.ctx, r.actor, owner); err != nil {
		return 0, nil, err
	}
	name, data, err := uploadedAttachment(r)
	if err != nil {
		return 0, nil, err
	}
	at, err := s.db.AddAttachment(r.ctx, r.actor, owner, name, data)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.attachmentOut(at), nil
}

// addAttachment keeps a file of any owner (a community's implementation
// plan, a typical-experience report, an activity), sent as multipart
// fields owner_kind, owner_id and then file.
func (s *Server) addAttachment(r *request) (int, any, error) {
	if r.actor.Role != care.RoleStation && r.actor.Role != care.RoleCommunity {
		return 0, nil, care.ErrForbidden()
	}
	body := http.MaxBytesReader(r.w, r.Body, attachmentUploadLimit)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return 0, nil, errNotMultipart
	}
	mr := multipart.NewReader(body, params["boundary"])
	var owner store.AttachmentOwner
	fe := care.FieldErrors{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return 0, nil, badRequest("multipart 请求中没有 file 字段 / no \"file\" field in the multipart body")
		}
		switch part.FormName() {
		case "owner_kind", "owner_id":
			v, _ := io.ReadAll(io.LimitReader(part, 64))
			if part.FormName() == "owner_kind" {
				owner.Kind = strings.TrimSpace(string(v))
			} else if owner.ID, err = strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); err != nil || owner.ID <= 0 {
				fe.Add("owner_id", care.Msg{ZH: "应为正整数", EN: "must be a positive integer"})
			}
		case "file":
			if owner.Kind == "" {
				fe.Add("owner_kind", care.MsgRequired)
			}
			if owner.ID == 0 {
				fe.Add("owner_id", care.MsgRequired)
			}
			if err := fe.Err(); err != nil {
				return 0, nil, err
			}
			if err := s.db.CanAddAttachment(r.ctx, r.actor, owner); err != nil {
				return 0, nil, err
			}
			data, err := readPart(part)
			if err != nil {
				return 0, nil, err
			}
			at, err := s.db.AddAttachment(r.ctx, r.actor, owner, part.FileName(), data)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, s.attachmentOut(at), nil
		}
	}
}

var errNotMultipart = badRequest("请以 multipart/form-data 上传，文件放在 file 字段 / send the file as multipart/form-data field \"file\"")

// readPart reads an uploaded file, at most one byte over the limit (the
// store refuses a larger file with its reason); a body over the upload
// limit is 413.
func readPart(part io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(part, attach.MaxSize+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, care.Errorf(care.ETooLarge, "文件过大（最大 %d MB） / the file is too large (%d MB at most)", attach.MaxSize>>20, attach.MaxSize>>20)
	}
	if err != nil {
		return nil, badRequest("无法读取上传的文件 / cannot read the upload")
	}
	return data, nil
}

// uploadedAttachment reads multipart field "file": its name and at most
// one byte over the limit (the store refuses a larger file with its reason).
func uploadedAttachment(r *request) (string, []byte, error) {
	body := http.MaxBytesReader(r.w, r.Body, attachmentUploadLimit)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return "", nil, errNotMultipart
	}
	part, err := filePart(body, params["boundary"])
	if err != nil {
		return "", nil, err
	}
	data, err := readPart(part)
	return part.FileName(), data, err
}

// getAttachment answers a kept file, or with thumb=1 its thumbnail: its
// type as kept (never sniffed by the browser), shown inline only when it
// is a picture, downloaded otherwise.
func (s *Server) getAttachment(r *request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	thumb := false
	switch r.URL.Query().Get("thumb") {
	case "", "0":
	case "1":
		thumb = true
	default:
		return 0, nil, care.FieldErrors{"thumb": care.Msg{ZH: "应为 1 或不填", EN: "must be 1 or absent"}}.Err()
	}
	at, data, err := s.db.AttachmentContent(r.ctx, r.actor, id, thumb)
	if err != nil {
		return 0, nil, err
	}
	SendAttachment(r.w.(*fileResponse).ResponseWriter, at, data)
	r.w.(*fileResponse).sent = true
	return 0, nil, nil
}

// SendAttachment writes a kept file: Content-Type from the store,
// X-Content-Type-Options nosniff, a sandboxing Content-Security-Policy,
// and a Content-Disposition inline for a picture, attachment otherwise.
// The web pages answer files the same way.
func SendAttachment(w http.ResponseWriter, at *store.Attachment, data []byte) {
	h := w.Header()
	h.Set("Content-Type", at.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
	h.Set("Cache-Control", "private, no-cache")
	disp := Attachment(at.Name, "")
	if attach.IsImage(at.ContentType) {
		disp = "inline" + strings.TrimPrefix(disp, "attachment")
	}
	h.Set("Content-Disposition", disp)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}
