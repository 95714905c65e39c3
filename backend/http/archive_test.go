package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/receipt"
)

// TestPurchaseArchive: a fan downloads a purchase as one zip holding the
// masters byte for byte, the cover and a receipt that verifies; the zip is
// the same bytes each time, so a Range request resumes it; nobody else and
// no refunded purchase gets it.
func TestPurchaseArchive(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	m, masters := e.album(ann, `Night: "Drive"/2`, 2)
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/purchases/%d/archive.zip", p.ID)
	code, body, hdr := e.raw("GET", path, fan.Token(), nil)
	if code != 200 || hdr.Get("Content-Type") != "application/zip" || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("archive: %d %v", code, hdr)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	dir := `Ann - Night_ _Drive__2/`
	want := map[string][]byte{dir + "01 Track 1.mp3": masters[0], dir + "02 Track 2.mp3": masters[1]}
	_, cover, _ := e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/cover", rel.ID), "", nil)
	want[dir+"cover.png"] = cover
	got := map[string][]byte{}
	for _, f := range z.File {
		d, at := f.ModifiedDate, p.CreatedAt.UTC() // the legacy date unzip shows
		if int(d>>9)+1980 != at.Year() || int(d>>5&0xF) != int(at.Month()) || int(d&0x1F) != at.Day() {
			t.Errorf("%s: legacy date %#x, not the purchase's %s", f.Name, d, at)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(r); err != nil { // archive/zip checks each CRC-32 here
			t.Fatalf("%s: %v", f.Name, err)
		}
		got[f.Name] = b.Bytes()
	}
	for name, data := range want {
		if hexSHA(got[name]) != hexSHA(data) {
			t.Errorf("%s: %d bytes, not the master's %d", name, len(got[name]), len(data))
		}
	}
	keys, err := fan.ReceiptKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := receipt.Verify(strings.TrimSpace(string(got[dir+"receipt.jws"])), keys); err != nil || r.PurchaseID != p.ID {
		t.Fatalf("receipt in the zip: %+v, %v", r, err)
	}
	if !strings.Contains(string(got[dir+"receipt.txt"]), "9.00 EUR to the artist, 1.00 EUR to Megabox") || len(z.File) != 5 {
		t.Fatalf("%d files; receipt.txt = %q", len(z.File), got[dir+"receipt.txt"])
	}

	// The same bytes again, and a resumed download is the rest of them.
	if _, again, h2 := e.raw("GET", path, fan.Token(), nil); !bytes.Equal(again, body) || h2.Get("ETag") != hdr.Get("ETag") {
		t.Fatal("a second download differs")
	}
	for _, from := range []int{1, 100, len(body) / 2, len(body) - 1} {
		code, rest, _ := e.raw("GET", path, fan.Token(), nil, "Range", fmt.Sprintf("bytes=%d-", from))
		if code != 206 || !bytes.Equal(rest, body[from:]) {
			t.Fatalf("resume from %d: %d, %d bytes", from, code, len(rest))
		}
	}
	other, _ := e.signUp("Other", false)
	if code, _, _ := e.raw("GET", path, other.Token(), nil); code != 404 {
		t.Fatalf("someone else's purchase: %d", code)
	}
	if code, _, _ := e.raw("GET", path, "", nil); code != 401 {
		t.Fatalf("anonymous: %d", code)
	}
	if _, err := ann.RefundPurchase(ctx, p.ID, 1000); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.raw("GET", path, fan.Token(), nil); code != 404 {
		t.Fatalf("refunded purchase: %d", code)
	}
}

// TestSessionCookieReadsOnly: the web's session cookie signs in a GET (a
// zip download link in the browser) but never a change, and a stale one is
// no session rather than an error.
func TestSessionCookieReadsOnly(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Tides", 1, nil)
	p, err := buy(fan, rel.ID, 1000, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	cookie := "mb_session=" + fan.Token()
	if code, body, _ := e.raw("GET", fmt.Sprintf("/api/v1/purchases/%d/archive.zip", p.ID), "", nil, "Cookie", cookie); code != 200 || len(body) == 0 {
		t.Fatalf("download with the cookie: %d", code)
	}
	if code, _, _ := e.raw("GET", "/api/v1/me/library", "", nil, "Cookie", "mb_session=stale"); code != 401 {
		t.Fatalf("library with a stale cookie: %d, want 401 (no session)", code)
	}
	body := strings.NewReader(fmt.Sprintf(`{"release_id":%d,"amount_cents":1000,"currency":"EUR"}`, rel.ID))
	if code, _, _ := e.raw("POST", "/api/v1/checkouts", "", body, "Cookie", cookie, "Idempotency-Key", "k"); code != 401 {
		t.Fatalf("a checkout by cookie alone: %d, want 401", code)
	}
}
