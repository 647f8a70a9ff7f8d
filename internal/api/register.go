package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecircle/internal/care"
	"carecircle/internal/register"
)

// uploadLimit is a register file plus the multipart envelope around it.
const uploadLimit = register.MaxFileSize + 1<<20

// importRegister imports an elder or volunteer register sent as multipart
// (field "file") or as the raw body with the file's Content-Type. It
// answers the report: 200 when every row is good (imported unless
// dry_run), 422 when any row is bad (nothing imported).
func (s *Server) importRegister(r *request) (int, any, error) {
	kind, ok := register.ParseKind(r.PathValue("kind"))
	if !ok {
		return 0, nil, care.ErrNotFound("名册 / register")
	}
	if !r.actor.EditsRegistry() {
		return 0, nil, care.ErrForbidden()
	}
	name, data, err := uploadedFile(r)
	if err != nil {
		return 0, nil, err
	}
	dryRun := r.URL.Query().Get("dry_run") == "1" || r.URL.Query().Get("dry_run") == "true"
	// confirm_rows: the possible duplicates (可能重复) the caller confirmed
	// are other people, by row number.
	confirm, ok := register.ParseRows(r.URL.Query().Get("confirm_rows"))
	if !ok {
		return 0, nil, care.FieldErrors{"confirm_rows": care.Msg{ZH: "应为用逗号分隔的行号，如 2,5", EN: "must be row numbers separated by commas, e.g. 2,5"}}.Err()
	}
	rep, err := register.Import(r.ctx, s.db, r.actor, kind, name, data, register.Options{DryRun: dryRun, ConfirmRows: confirm})
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	return status, rep.JSON(r.lang), nil
}

var rawTypes = map[string]bool{"text/csv": true, "application/csv": true, "text/plain": true, "application/octet-stream": true,
	"application/vnd.ms-excel": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true}

func uploadedFile(r *request) (string, []byte, error) {
	body := http.MaxBytesReader(r.w, r.Body, uploadLimit)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name := r.URL.Query().Get("filename")
	var src io.Reader = body
	switch {
	case mt == "multipart/form-data":
		part, err := filePart(body, params["boundary"])
		if err != nil {
			return "", nil, err
		}
		if part.FileName() != "" {
			name = part.FileName()
		}
		src = part
	case !rawTypes[mt]:
		return "", nil, badRequest("请上传 .xlsx 或 .csv 文件（multipart 的 file 字段，或以文件类型作 Content-Type 的请求体） / send an .xlsx or .csv file as multipart field \"file\" or as the body with its Content-Type")
	}
	data, err := io.ReadAll(io.LimitReader(src, register.MaxFileSize+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(data) > register.MaxFileSize {
		return "", nil, care.Errorf(care.ETooLarge, "文件过大（最大 %d MB） / the file is too large (%d MB at most)",
			register.MaxFileSize>>20, register.MaxFileSize>>20)
	}
	if err != nil {
		return "", nil, badRequest("无法读取上传的文件 / cannot read the upload")
	}
	if name == "" {
		name = "upload"
	}
	return name, data, nil
}

func filePart(body io.Reader, boundary string) (*multipart.Part, error) {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, badRequest("multipart 请求中没有 file 字段 / no \"file\" field in the multipart body")
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

// exportRegister answers an .xlsx or .csv of the elders or volunteers the
// caller may see, filtered like the lists; reveal_ids=1 writes full ID
// numbers for the roles that may reveal them (audited).
func (s *Server) exportRegister(r *request) (int, any, error) {
	base, ext, _ := strings.Cut(r.PathValue("file"), ".")
	kind, ok := register.ParseKind(base)
	format, fok := register.ParseFormat(ext)
	if !ok || !fok {
		return 0, nil, care.ErrNotFound("文件 / file")
	}
	// The list's filters, parsed by the list's own functions: a malformed
	// one (priority=1 OR 1) is 422 here as there, never an unfiltered export.
	var buf bytes.Buffer
	if kind == register.Elders {
		f, err := elderFilter(r)
		if err != nil {
			return 0, nil, err
		}
		if _, err := register.ExportElders(r.ctx, s.db, r.actor, f, format, r.URL.Query().Get("reveal_ids") == "1", &buf); err != nil {
			return 0, nil, err
		}
	} else {
		f, err := volunteerFilter(r)
		if err != nil {
			return 0, nil, err
		}
		if _, err := register.ExportVolunteers(r.ctx, s.db, r.actor, f, format, &buf); err != nil {
			return 0, nil, err
		}
	}
	r.w.(*fileResponse).send(format.ContentType(), register.DisplayFileName(kind, format, time.Now()), register.FileName(kind, format), buf.Bytes())
	return 0, nil, nil
}

// fileResponse lets a handler behind handle answer a file: once the file
// is sent, the JSON writer's header and empty body are dropped.
type fileResponse struct {
	http.ResponseWriter
	sent bool
}

func (f *fileResponse) send(contentType, name, ascii string, data []byte) {
	h := f.ResponseWriter.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", Attachment(name, ascii))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	f.ResponseWriter.WriteHeader(http.StatusOK)
	f.ResponseWriter.Write(data)
	f.sent = true
}

// Header is a scratch map once the file is sent, so that nothing written
// after it can change what was answered.
func (f *fileResponse) Header() http.Header {
	if f.sent {
		return http.Header{}
	}
	return f.ResponseWriter.Header()
}

func (f *fileResponse) WriteHeader(code int) {
	if !f.sent {
		f.ResponseWriter.WriteHeader(code)
	}
}

func (f *fileResponse) Write(b []byte) (int, error) {
	if f.sent {
		return len(b), nil
	}
	return f.ResponseWriter.Write(b)
}
