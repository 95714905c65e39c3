package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestReleasePageFormatsAndBonusFiles: before buying, without script, a
// release page says which formats its tracks download as, from its
// masters, and lists its bonus files with their sizes, escaped, in
// English and in French; an MP3 release says MP3.
func TestReleasePageFormatsAndBonusFiles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.creator(api.Profile{Handle: "nova", DisplayName: "Nova"})
	var stems bytes.Buffer
	zw := zip.NewWriter(&stems)
	f, _ := zw.CreateHeader(&zip.FileHeader{Name: "bass.wav", Method: zip.Store})
	f.Write(bytes.Repeat([]byte{1, 2, 3}, 800_000))
	zw.Close()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("% page\n"), 300)...)
	hi, cd := testmedia.MasterFLAC(t, 1, 440, 96000, 24, 2), testmedia.MasterFLAC(t, 1, 330, 44100, 16, 2)
	m := api.Manifest{Title: "Lossless", PriceCents: 900, Currency: "EUR", CoverSHA256: e.upload(c, testmedia.PNG(32, 32)),
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Hi", AudioSHA256: e.upload(c, hi)}},
		Extras: []api.ManifestExtra{{Name: "Livret d’Ana & Léo's.pdf", SHA256: e.upload(c, pdf)}, {Name: "Stems.zip", SHA256: e.upload(c, stems.Bytes())}}}
	rel, err := c.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, formats, bonus, pdfSize, zipSize string
	}{
		{"en", "Formats: FLAC (24-bit/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC.", "Bonus files", "2.1 KB", "2.4 MB"},
		{"fr", "Formats : FLAC (24 bits/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC.", "Fichiers bonus", "2,1 ko", "2,4 Mo"},
	} {
		r := e.get("/@nova/lossless", "Accept-Language", c.lang)
		if r.status != 200 {
			t.Fatalf("%s: status %d", c.lang, r.status)
		}
		if got := text(find(r.doc, "p", "data-formats", "")[0]); !strings.HasPrefix(got, c.formats) {
			t.Errorf("%s: formats %q, want it to start %q", c.lang, got, c.formats)
		}
		list := find(r.doc, "ul", "data-extras", "")
		if len(list) != 1 {
			t.Fatalf("%s: %d bonus lists", c.lang, len(list))
		}
		items := find(list[0], "li")
		got := []string{text(items[0]), text(items[1])}
		want := []string{"Livret d’Ana & Léo's.pdf " + c.pdfSize, "Stems.zip " + c.zipSize}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: bonus files %q, want %q", c.lang, got, want)
		}
		if !strings.Contains(r.body, c.bonus) || !strings.Contains(r.body, "Livret d’Ana &amp; Léo&#39;s.pdf") {
			t.Errorf("%s: the bonus heading or the escaped name is missing", c.lang)
		}
	}

	// Masters of several resolutions: the best, said as such; MP3 alone: MP3.
	mixed := api.Manifest{Title: "Mixed", PriceCents: 900, Tracks: []api.ManifestTrack{{Position: 1, Title: "Hi", AudioSHA256: m.Tracks[0].AudioSHA256},
		{Position: 2, Title: "CD", AudioSHA256: e.upload(c, cd)}}}
	e.publish(c, mixed)
	if got := text(find(e.get("/@nova/mixed", "Accept-Language", "fr").doc, "p", "data-formats", "")[0]); !strings.HasPrefix(got, "Formats : FLAC (jusqu’à 24 bits/96 kHz) · MP3 320") {
		t.Errorf("mixed masters: %q", got)
	}
	e.publish(c, api.Manifest{Title: "Lossy", PriceCents: 500}, "One")
	r := e.get("/@nova/lossy", "Accept-Language", "en")
	if got := text(find(r.doc, "p", "data-formats", "")[0]); !strings.HasPrefix(got, "Formats: MP3.") {
		t.Errorf("MP3 release: formats %q", got)
	}
	if len(find(r.doc, "ul", "data-extras", "")) != 0 {
		t.Error("a release without bonus files lists some")
	}
}
