package main

import "net/http"

// hstsMaxAge is a year, as browsers' preload lists expect.
const hstsMaxAge = "max-age=31536000"

// securityHeaders sets the headers every answer carries — web pages, the
// JSON API, exports, static files and the health check — in one place:
// nosniff (a browser must not guess a type and run an export as a page),
// no framing, no referrer outside the site, and behind a TLS-terminating
// proxy (serve --https-proxy) Strict-Transport-Security.
func securityHeaders(next http.Handler, httpsProxy bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if httpsProxy {
			h.Set("Strict-Transport-Security", hstsMaxAge)
		}
		next.ServeHTTP(w, r)
	})
}
