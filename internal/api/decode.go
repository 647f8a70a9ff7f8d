package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"carecircle/internal/care"
)

// Body limits: 1 MB for a signed-in user's JSON, 64 KB for anything a
// caller without a session may send.
const (
	maxBody      = 1 << 20
	maxAnonymous = 64 << 10
)

// decode reads a JSON body strictly: unknown fields and wrong types are
// reported by field name, and nothing is applied when anything is wrong.
func decode(r *request, into any) error { return decodeLimit(r, into, maxBody) }

// decodeLimit is decode of a body of at most limit bytes: a larger one is
// refused (413) before it is parsed, and one that is not UTF-8 is invalid.
func decodeLimit(r *request, into any, limit int64) error {
	body, err := readLimit(r, limit)
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return errNotUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(into)
	if err == nil {
		if dec.More() {
			return badRequest("请求体只能包含一个 JSON 对象 / the body must hold one JSON object")
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return care.FieldErrors{field: care.Msg{ZH: "类型错误，应为 " + typeName(te.Type.Kind().String()), EN: "wrong type, expected " + te.Type.Kind().String()}}.Err()
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name, _ := strconv.Unquote(strings.TrimPrefix(msg, "json: unknown field "))
		return care.FieldErrors{name: care.Msg{ZH: "未知字段", EN: "unknown field"}}.Err()
	}
	if errors.Is(err, io.EOF) {
		return badRequest("请求体为空 / empty body")
	}
	return badRequest("请求体不是有效的 JSON / the body is not valid JSON: " + err.Error())
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "文本"
	case "bool":
		return "true/false"
	case "slice":
		return "列表"
	case "struct", "map":
		return "对象"
	}
	return "数字"
}

func pathID(r *request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, care.ErrNotFound("记录 / record")
	}
	return id, nil
}

// page reads limit/offset (or page/per_page) from the query.
func page(r *request) (limit, offset int) {
	q := r.URL.Query()
	limit, _ = strconv.Atoi(q.Get("limit"))
	if pp, _ := strconv.Atoi(q.Get("per_page")); pp > 0 {
		limit = pp
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	offset, _ = strconv.Atoi(q.Get("offset"))
	if p, _ := strconv.Atoi(q.Get("page")); p > 1 {
		offset = (p - 1) * limit
	}
	return limit, max(offset, 0)
}

func queryInt64(r *request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, care.FieldErrors{name: care.Msg{ZH: "应为数字", EN: "must be a number"}}.Err()
	}
	return v, nil
}

type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// readBody reads a JSON body of at most maxBody bytes, in UTF-8.
func readBody(r *request) ([]byte, error) {
	b, err := readLimit(r, maxBody)
	if err == nil && !utf8.Valid(b) {
		return nil, errNotUTF8
	}
	return b, err
}

// readLimit reads a body of at most limit bytes.
func readLimit(r *request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(r.w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge(limit)
	}
	if err != nil {
		return nil, badRequest("无法读取请求体 / cannot read the body")
	}
	return b, nil
}

// errBodyTooLarge refuses a body over limit bytes (413).
func errBodyTooLarge(limit int64) error {
	return care.Errorf(care.ETooLarge, "请求体过大（最多 %d KB） / the body is too large (%d KB at most)", limit>>10, limit>>10)
}

var errNotUTF8 = care.FieldErrors{"body": care.Msg{ZH: "请求体不是有效的 UTF-8 文本", EN: "the body is not valid UTF-8"}}.Err()

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }
