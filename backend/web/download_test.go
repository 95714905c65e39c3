package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// boughtFLAC publishes a release of a FLAC master, has a fan buy it
// through the API and returns a browser signed in as that fan and the
// purchase.
func (e *env) boughtFLAC(path string) (*browser, *api.Purchase) {
	e.t.Helper()
	ctx := context.Background()
	ann := e.creator(api.Profile{Handle: fmt.Sprintf("ann%d", e.n.Add(1)), DisplayName: "Ann"})
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	sha := sha(string(data))
	if _, err := ann.UploadFile(ctx, strings.NewReader(string(data)), &mhttp.Upload{SHA256: sha, Size: int64(len(data)), Filename: "01 Undertow.flac"}); err != nil {
		e.t.Fatal(err)
	}
	rel := e.publish(ann, api.Manifest{Title: "Night Drive", PriceCents: 700, Tracks: []api.ManifestTrack{{Position: 1, Title: "Undertow", AudioSHA256: sha}}})
	fan, err := mhttp.NewClient(e.srv.URL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	email := fmt.Sprintf("fan%d@example.com", e.n.Add(1))
	if _, err := fan.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "long enough pw", DisplayName: "Fan"}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := fan.CreateSession(ctx, api.Credentials{Email: email, Password: "long enough pw"}); err != nil {
		e.t.Fatal(err)
	}
	p, err := fan.CreatePurchase(ctx, "web-formats", api.PurchaseCreate{ReleaseID: rel.ID, AmountCents: 700, Currency: "EUR",
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
	if err != nil {
		e.t.Fatal(err)
	}
	b := e.browser()
	u, _ := url.Parse(e.srv.URL)
	b.hc.Jar.SetCookies(u, []*http.Cookie{{Name: api.SessionCookie, Value: fan.Token(), Path: "/"}})
	return b, p
}

// A buyer picks a format in their library; a format still being made
// shows how far it got and reloads itself, in English and French, then
// sends them to the zip in that format.
func TestDownloadInAChosenFormat(t *testing.T) {
	testmedia.HaveTools(t, "ffmpeg", "ffprobe", "sox", "flac")
	e := newEnv(t)
	b, p := e.boughtFLAC(master(t))
	lib := b.get("/library")
	action := fmt.Sprintf("/library/%d/download", p.ID)
	if got := one(t, lib.doc, "action", "form", "data-download-form", ""); got != action {
		t.Fatalf("download form posts to %q, want %q", got, action)
	}
	var values, labels []string
	for _, o := range find(lib.doc, "option") {
		v, _ := attr(o, "value")
		values, labels = append(values, v), append(labels, text(o))
	}
	if got := strings.Join(values, " "); got != "flac mp3-320 mp3-v0 opus aac" {
		t.Errorf("formats offered %q", got)
	}
	if got := strings.Join(labels, ", "); got != "FLAC, MP3 320, MP3 V0, Opus, AAC" {
		t.Errorf("format labels %q", got)
	}
	if len(find(lib.doc, "label", "for", fmt.Sprintf("format-%d", p.ID))) != 1 {
		t.Error("the format select has no label")
	}

	page := action + "?format=opus"
	first := b.get(page)
	if first.status != 200 {
		t.Fatalf("first ask: %d, want the page saying the download is being prepared", first.status)
	}
	progress := regexp.MustCompile(`^Preparing your download… \d{1,2} %$`)
	if got := strings.TrimSpace(text(find(first.doc, "p", "aria-live", "polite")[0])); !progress.MatchString(got) {
		t.Errorf("progress reads %q", got)
	}
	if got := one(t, first.doc, "content", "meta", "http-equiv", "refresh"); got != "2" {
		t.Errorf("refresh %q, want the page to reload itself", got)
	}
	if got := first.hdr.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	fr := b.get(page + "&lang=fr")
	if got := strings.TrimSpace(text(find(fr.doc, "p", "aria-live", "polite")[0])); !regexp.MustCompile(`^Préparation de votre téléchargement… \d{1,2} %$`).MatchString(got) {
		t.Errorf("French progress reads %q", got)
	}

	var last answer
	wait.For(t, 2*time.Minute, func() bool {
		last = b.get(page)
		return last.status == http.StatusSeeOther
	}, func() string { return fmt.Sprintf("the redirect to the zip; last %d", last.status) })
	zip := fmt.Sprintf("/api/v1/purchases/%d/archive.zip?format=opus", p.ID)
	if got := last.hdr.Get("Location"); got != zip {
		t.Fatalf("ready: sent to %q, want %q", got, zip)
	}
	got := b.get(zip)
	if got.status != 200 || got.hdr.Get("Content-Type") != "application/zip" || !strings.Contains(got.body, "01 Undertow.opus") {
		t.Errorf("the zip: %d %s", got.status, got.hdr.Get("Content-Type"))
	}
	// FLAC is the master itself: no wait.
	if a := b.get(action + "?format=flac"); a.status != http.StatusSeeOther {
		t.Errorf("FLAC: %d, want straight to the zip", a.status)
	}
	if a := b.get(action + "?format=wav"); a.status != http.StatusBadRequest {
		t.Errorf("?format=wav: %d, want 400", a.status)
	}
}

func master(t *testing.T) string {
	return testmedia.MusicMasterFLAC(t, t.TempDir(), "m.flac", 2, 48000, 24, 2)
}

// A server without ffmpeg offers no format choice, and the download
// address gives the masters.
func TestWithoutFFmpegNoFormatChoice(t *testing.T) {
	testmedia.HaveTools(t, "sox", "flac")
	path := master(t)
	t.Setenv("PATH", t.TempDir())
	e := newEnv(t)
	b, p := e.boughtFLAC(path)
	lib := b.get("/library")
	if n := len(find(lib.doc, "form", "data-download-form", "")); n != 0 {
		t.Errorf("%d format choices without ffmpeg, want none", n)
	}
	if len(find(lib.doc, "a", "data-zip", "")) != 1 {
		t.Error("the masters' zip is not offered")
	}
	a := b.get(fmt.Sprintf("/library/%d/download?format=opus", p.ID))
	if want := fmt.Sprintf("/api/v1/purchases/%d/archive.zip", p.ID); a.status != http.StatusSeeOther || a.hdr.Get("Location") != want {
		t.Errorf("download without ffmpeg: %d to %q, want 303 to %q", a.status, a.hdr.Get("Location"), want)
	}
}
