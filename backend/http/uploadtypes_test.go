package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// createUpload asks for a new tus upload of 1,000 bytes with the given
// metadata and returns the status and the problem's code and field.
func createUpload(e *env, token string, meta string) (int, string, string) {
	e.t.Helper()
	status, body, _ := e.raw("POST", mhttp.UploadsPath, token, nil,
		"Tus-Resumable", "1.0.0", "Upload-Length", "1000", "Upload-Metadata", meta)
	var p mhttp.Problem
	json.Unmarshal(body, &p)
	return status, p.Code, p.Field
}

// nothingStaged fails unless no upload left a staging file or a record
// holding quota.
func nothingStaged(e *env) {
	e.t.Helper()
	files, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads"))
	if len(files) != 0 {
		e.t.Errorf("%d staging files, want none", len(files))
	}
	if n, err := e.p.Handler.ExpireUploads(context.Background(), time.Now().Add(365*24*time.Hour)); err != nil || n != 0 {
		e.t.Errorf("%d upload records holding quota (%v), want none", n, err)
	}
}

func TestOnlyCreatorsUpload(t *testing.T) {
	e := mustEnv(t)
	fan, _ := e.signUp("fan", false)
	meta := "sha256 " + b64(hexSHA([]byte("x"))) + ",filename " + b64("song.mp3")
	if status, code, _ := createUpload(e, fan.Token(), meta); status != 403 || code != api.EFORBIDDEN {
		t.Fatalf("fan creates an upload: %d %q, want 403 %q", status, code, api.EFORBIDDEN)
	}
	mp3 := testmedia.MP3Bytes(t, 1, 440)
	_, err := fan.UploadFile(context.Background(), bytes.NewReader(mp3), &mhttp.Upload{SHA256: hexSHA(mp3), Size: int64(len(mp3)), Filename: "song.mp3"})
	wantCode(t, err, api.EFORBIDDEN)
	nothingStaged(e)
}

func TestUploadsMustDeclareAcceptedTypes(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	sha := "sha256 " + b64(hexSHA([]byte("x")))
	for _, c := range []struct{ meta, field string }{
		{sha + ",filename " + b64("notes.docx"), "filename"},
		{sha + ",filename " + b64("Album/backup.rar"), "filename"},
		{sha + ",filename " + b64("01 Song.wav"), "filename"},
		{sha + ",filename " + b64(`C:\music\song.mp3.exe`), "filename"},
		{sha + ",filename " + b64("song.mp3") + ",filetype " + b64("application/x-rar"), "filetype"},
		{sha + ",filetype " + b64("text/html; charset=utf-8"), "filetype"},
	} {
		if status, code, field := createUpload(e, ann.Token(), c.meta); status != 422 || code != api.EUNSUPPORTED || field != c.field {
			t.Errorf("%s: %d %q field %q, want 422 %q naming %s", c.meta, status, code, field, api.EUNSUPPORTED, c.field)
		}
	}
	nothingStaged(e)

	// Real audio and a real cover still go through, whatever the case of
	// their extension or the separator of their path.
	mp3, png := testmedia.MP3Bytes(t, 1, 440), testmedia.PNG(64, 64)
	for name, data := range map[string][]byte{"Album/01 Song.MP3": mp3, `Album\cover.png`: png} {
		u := &mhttp.Upload{SHA256: hexSHA(data), Size: int64(len(data)), Filename: name}
		if _, err := ann.UploadFile(ctx, bytes.NewReader(data), u); err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}
	r, err := ann.CreateRelease(ctx, api.Manifest{Title: "Kept", PriceCents: 500, Currency: "EUR", CoverSHA256: hexSHA(png),
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Song", AudioSHA256: hexSHA(mp3)}}})
	if err != nil || len(r.Tracks) != 1 || r.Tracks[0].DurationMS == 0 {
		t.Fatalf("release from the uploads: %+v, %v", r, err)
	}
}
