package http_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/megabox-fm/megabox/backend/platform"
)

// FuzzRequestBodies posts arbitrary bodies to the JSON endpoints: every
// answer is a 4xx problem or a success, never a 500 or a panic.
func FuzzRequestBodies(f *testing.F) {
	dir := f.TempDir()
	p, err := platform.Open(f.Context(), dir, platform.DefaultConfig, discard())
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	for _, s := range []string{`{"email":"a@b.co","password":"password1","display_name":"A"}`, `{"title":"x","currency":"EUR","tracks":[{"position":1}]}`,
		`{"release_id":1,"amount_cents":-1}`, `{`, `[]`, `null`, `{"amount_cents":1e400}`, "\xff\xfe"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	paths := []string{"/api/v1/accounts", "/api/v1/sessions", "/api/v1/releases", "/api/v1/purchases", "/api/v1/me/payouts", "/api/v1/purchases/1/refunds"}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		req := httptest.NewRequest(http.MethodPost, paths[int(which)%len(paths)], bytes.NewReader([]byte(body)))
		req.Header.Set("Idempotency-Key", "fuzz")
		rec := httptest.NewRecorder()
		p.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s with %q: %d %s", req.URL.Path, body, rec.Code, rec.Body)
		}
	})
}
