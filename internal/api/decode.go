package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"carecircle/internal/care"
)

const maxBody = 1 << 20

// decode reads a JSON body strictly: unknown fields and wrong types are
// reported by field name, and nothing is applied when anything is wrong.
func decode(r *request, into any) error {
	dec := json.NewDecoder(http.MaxBytesReader(r.w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(into)
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

func readBody(r *request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(r.w, r.Body, maxBody))
	if err != nil {
		return nil, badRequest("请求体过大或无法读取 / body too large or unreadable")
	}
	return b, nil
}

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }
