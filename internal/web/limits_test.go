package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carecircle/internal/store/storetest"
)

// The forms anyone may post read at most 64 KB and spool nothing to disk:
// a larger body is 413, whether it says its length or not.
func TestAnonymousFormsAreSmall(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where multipart parts would be spooled
	srv := newServer(t, storetest.Open(t, filepath.Join(t.TempDir(), "test.db")))
	multipartBody := func(size int) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("username", "station")
		fw, _ := mw.CreateFormFile("password", "p.txt")
		fw.Write([]byte(strings.Repeat("x", size)))
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	for _, tc := range []struct {
		name, path string
		size       int
		chunked    bool
		status     int
	}{
		{"login 70 KB", "/login", 70 << 10, false, 413},
		{"login 70 KB chunked", "/login", 70 << 10, true, 413},
		{"prefs 70 KB", "/prefs", 70 << 10, false, 413},
		{"prefs 70 KB chunked", "/prefs", 70 << 10, true, 413},
		{"login 10 KB", "/login", 10 << 10, false, http.StatusForbidden}, // read, and refused for its missing CSRF token
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctype, body := multipartBody(tc.size)
			var r io.Reader = bytes.NewReader(body)
			if tc.chunked {
				r = io.MultiReader(r) // no length known: sent chunked
			}
			req, _ := http.NewRequest("POST", srv.URL+tc.path, r)
			req.Header.Set("Content-Type", ctype)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%d, want %d", resp.StatusCode, tc.status)
			}
			if spooled, _ := os.ReadDir(tmp); len(spooled) > 0 {
				t.Errorf("spooled to disk: %v", spooled)
			}
		})
	}
}
