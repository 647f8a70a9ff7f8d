package web

import (
	"errors"
	"net/http"
)

// maxAnonymousForm bounds the body of a form anyone may post (login,
// preferences): more than enough for a username and password, and small
// enough that nothing is ever spooled to disk.
const maxAnonymousForm = 64 << 10

// limitForm reads a form of at most maxAnonymousForm bytes before the
// handler sees it, answering 413 to a larger one, so that no request
// without a session makes the server read or store more.
func limitForm(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxAnonymousForm {
			http.Error(w, "请求过大 / request too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxAnonymousForm)
		// With the body this small, multipart parts all stay in memory.
		err := r.ParseMultipartForm(maxAnonymousForm)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "请求过大 / request too large", http.StatusRequestEntityTooLarge)
			return
		}
		next(w, r)
	})
}
