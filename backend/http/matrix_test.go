package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestEveryEndpointEveryCaller runs each endpoint as an anonymous caller,
// the fan who owns the object, another fan, the creator who owns it and
// another creator, and checks the status each must get.
func TestEveryEndpointEveryCaller(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	creator, creatorAcct := e.signUp("Creator", true)
	other, _ := e.signUp("Other", true)
	fan, _ := e.signUp("Fan", false)
	otherFan, _ := e.signUp("OtherFan", false)
	m, _ := e.album(creator, "Matrix", 1)
	draft, _ := creator.CreateRelease(ctx, m)
	pub := e.published(creator, "Public", 1, nil)
	p, err := buy(fan, pub.ID, 1000, "matrix")
	if err != nil {
		t.Fatal(err)
	}
	data := testmedia.SilentMP3(100_000)
	u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), ChunkSize: 50_000}
	creator.UploadFile(ctx, &failingReader{data: data, limit: 50_000}, u)
	upload := strings.TrimPrefix(u.URL, e.srv.URL)
	manifest, _ := json.Marshal(m)
	purchase := fmt.Sprintf(`{"release_id":%d,"amount_cents":1000,"currency":"EUR","payment":{"method":"sandbox","card_number":"4242424242424242"}}`, pub.ID)

	tokens := map[string]string{"anon": "", "fan": fan.Token(), "otherFan": otherFan.Token(), "creator": creator.Token(), "other": other.Token()}
	type want map[string]int
	all := func(code int) want {
		return want{"anon": code, "fan": code, "otherFan": code, "creator": code, "other": code}
	}
	signedIn := func(code int) want {
		return want{"anon": 401, "fan": code, "otherFan": code, "creator": code, "other": code}
	}
	creatorsOnly := func(own, foreign int) want {
		return want{"anon": 401, "fan": 403, "otherFan": 403, "creator": own, "other": foreign}
	}
	rel := func(id int64, s string) string { return fmt.Sprintf("/api/v1/releases/%d%s", id, s) }
	rows := []struct {
		method, path, body string
		want               want
	}{
		{"GET", "/healthz", "", all(200)},
		{"GET", "/api/v1/me", "", signedIn(200)},
		{"GET", "/api/v1/releases", "", all(200)},
		{"GET", rel(pub.ID, ""), "", all(200)},
		{"GET", rel(draft.ID, ""), "", want{"anon": 404, "fan": 404, "otherFan": 404, "creator": 200, "other": 404}},
		{"GET", rel(pub.ID, "/cover"), "", all(200)},
		{"GET", rel(draft.ID, "/cover"), "", want{"anon": 404, "fan": 404, "otherFan": 404, "creator": 200, "other": 404}},
		{"GET", fmt.Sprintf("/api/v1/artists/%d", creatorAcct.ID), "", all(200)},
		{"PUT", rel(draft.ID, ""), string(manifest), creatorsOnly(200, 404)},
		{"POST", rel(draft.ID, "/publish"), "", creatorsOnly(200, 404)},
		{"POST", rel(draft.ID, "/unpublish"), "", creatorsOnly(200, 404)},
		{"DELETE", rel(pub.ID, ""), "", creatorsOnly(409, 404)},
		{"GET", "/api/v1/me/releases", "", creatorsOnly(200, 200)},
		{"GET", fmt.Sprintf("/api/v1/tracks/%d/audio", pub.Tracks[0].ID), "", want{"anon": 401, "fan": 200, "otherFan": 403, "creator": 200, "other": 403}},
		{"GET", fmt.Sprintf("/api/v1/tracks/%d/audio", draft.Tracks[0].ID), "", want{"anon": 401, "fan": 404, "otherFan": 404, "creator": 200, "other": 404}},
		{"HEAD", "/api/v1/blobs/" + m.Tracks[0].AudioSHA256, "", want{"anon": 401, "fan": 404, "otherFan": 404, "creator": 200, "other": 404}},
		{"HEAD", upload, "", want{"anon": 401, "fan": 404, "otherFan": 404, "creator": 200, "other": 404}},
		{"PATCH", upload, "xx", want{"anon": 401, "fan": 404, "otherFan": 404, "other": 404}},
		{"POST", mhttp.UploadsPath, "", creatorsOnly(201, 201)},
		{"POST", fmt.Sprintf("/api/v1/purchases/%d/refunds", p.ID), `{"amount_cents":1}`, creatorsOnly(201, 404)},
		{"GET", "/api/v1/me/library", "", signedIn(200)},
		{"GET", "/api/v1/me/earnings", "", creatorsOnly(200, 200)},
		{"GET", "/api/v1/me/earnings.csv", "", creatorsOnly(200, 200)},
		{"GET", "/api/v1/me/fans", "", creatorsOnly(200, 200)},
		{"GET", "/api/v1/me/fans.csv", "", creatorsOnly(200, 200)},
		{"GET", "/api/v1/me/payouts", "", creatorsOnly(200, 200)},
		{"POST", "/api/v1/me/payouts", `{"amount_cents":100000,"currency":"EUR"}`, creatorsOnly(400, 400)},
		{"POST", fmt.Sprintf("/api/v1/artists/%d/follow", creatorAcct.ID), "", want{"anon": 401, "fan": 204, "otherFan": 204, "creator": 409, "other": 204}},
		{"DELETE", fmt.Sprintf("/api/v1/artists/%d/follow", creatorAcct.ID), "", signedIn(204)},
		{"GET", "/api/v1/receipts/keys", "", all(200)},
		{"POST", "/api/v1/purchases", purchase, want{"anon": 401, "fan": 409, "creator": 409}},
	}
	for _, r := range rows {
		for who, code := range r.want {
			hdr := []string{"Tus-Resumable", "1.0.0", "Upload-Offset", "50000", "Content-Type", "application/offset+octet-stream", "Idempotency-Key", "m-" + who}
			if r.path != upload {
				hdr = []string{"Idempotency-Key", "m-" + who}
			}
			if r.path == mhttp.UploadsPath {
				hdr = []string{"Tus-Resumable", "1.0.0", "Upload-Length", "1000", "Upload-Metadata", "sha256 " + b64(hexSHA([]byte(who))) + ",filename " + b64("a.mp3")}
			}
			status, body, _ := e.raw(r.method, r.path, tokens[who], bytes.NewReader([]byte(r.body)), hdr...)
			if status != code {
				t.Errorf("%s %s as %s: %d, want %d (%s)", r.method, r.path, who, status, code, strings.TrimSpace(string(body)))
			}
		}
	}
}
