package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// putBlob stores b for the caller, its hash made from n.
func putBlob(t *testing.T, s Services, ctx context.Context, n int, b api.Blob) string {
	t.Helper()
	b.SHA256 = fmt.Sprintf("%064x", n)
	if err := s.Uploads.StoreBlob(ctx, id(ctx), b); err != nil {
		t.Fatalf("store blob: %v", err)
	}
	return b.SHA256
}

// testLosslessMasters: a FLAC blob keeps its format; a release's tracks
// show their masters, and the release the formats they allow.
func testLosslessMasters(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	flacBlob := api.Blob{Size: 5000, MediaType: api.MediaFLAC, DurationMS: 1500, SampleRate: 96000, BitDepth: 24, Channels: 2}
	flac := putBlob(t, s, ann, 901, flacBlob)
	mp3 := putBlob(t, s, ann, 902, api.Blob{Size: 300, MediaType: api.MediaMP3, DurationMS: 1000})
	b, err := s.Uploads.FindBlob(ann, flac)
	if err != nil {
		t.Fatal(err)
	}
	b.CreatedAt = flacBlob.CreatedAt
	flacBlob.SHA256 = flac
	same(t, "FLAC blob", *b, flacBlob)

	m := api.Manifest{Title: "Mixed", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Lossless", AudioSHA256: flac}, {Position: 2, Title: "Lossy", AudioSHA256: mp3}}}
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "masters", []api.AudioFormat{rel.Tracks[0].Master, rel.Tracks[1].Master},
		[]api.AudioFormat{{Codec: "flac", SampleRate: 96000, BitDepth: 24, Channels: 2}, {Codec: "mp3"}})
	same(t, "formats of a release with a FLAC master", rel.Formats, api.LosslessFormats)
	if _, err := s.Releases.PublishRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	page, err := s.Releases.SearchReleases(context.Background(), api.ReleaseFilter{Query: "mixed"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("search = %+v, %v", page, err)
	}
	same(t, "formats in a search", page.Items[0].Formats, api.LosslessFormats)
	same(t, "master in a search", page.Items[0].Tracks[0].Master.BitDepth, 24)

	m.Tracks = m.Tracks[1:]
	rel, err = s.Releases.UpdateRelease(ann, rel.ID, m)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "formats of an MP3 release", rel.Formats, []api.Format{api.FormatMP3})
	m.Tracks = nil
	draft, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "formats without tracks", draft.Formats, []api.Format{})
}

// testReleaseExtras: bonus files are kept per release in order with
// their blobs' size and type, replaced by the next manifest, and refused
// field by field when badly named, mistyped, too big or too many.
func testReleaseExtras(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	pdf := putBlob(t, s, ann, 911, api.Blob{Size: 2000, MediaType: api.MediaPDF})
	zip := putBlob(t, s, ann, 912, api.Blob{Size: 3000, MediaType: api.MediaZIP})
	txt := putBlob(t, s, ann, 913, api.Blob{Size: 40, MediaType: api.MediaText})
	png := putBlob(t, s, ann, 914, api.Blob{Size: 500, MediaType: api.MediaPNG, Width: 10, Height: 10})
	bigPDF := putBlob(t, s, ann, 915, api.Blob{Size: api.MaxExtraPDF + 1, MediaType: api.MediaPDF})
	var zips []string
	for i := range 3 {
		zips = append(zips, putBlob(t, s, ann, 920+i, api.Blob{Size: 3 << 30, MediaType: api.MediaZIP}))
	}
	m := api.Manifest{Title: "Bonus", PriceCents: 500, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: audio(t, s, ann, "extras one")}},
		Extras: []api.ManifestExtra{{Name: "Booklet.pdf", SHA256: pdf}, {Name: "Stems.zip", SHA256: zip}, {Name: "Lyrics — été.txt", SHA256: txt}}}
	rel, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "extras", rel.Extras, []api.Extra{{Name: "Booklet.pdf", SHA256: pdf, Size: 2000, MediaType: api.MediaPDF},
		{Name: "Stems.zip", SHA256: zip, Size: 3000, MediaType: api.MediaZIP}, {Name: "Lyrics — été.txt", SHA256: txt, Size: 40, MediaType: api.MediaText}})

	m.Extras = []api.ManifestExtra{{Name: "Poster.png", SHA256: png}, {Name: "Booklet.pdf", SHA256: pdf}}
	if rel, err = s.Releases.UpdateRelease(ann, rel.ID, m); err != nil {
		t.Fatal(err)
	}
	same(t, "replaced extras", rel.Extras, []api.Extra{{Name: "Poster.png", SHA256: png, Size: 500, MediaType: api.MediaPNG},
		{Name: "Booklet.pdf", SHA256: pdf, Size: 2000, MediaType: api.MediaPDF}})
	if again, err := s.Releases.FindRelease(ann, rel.ID); err != nil || len(again.Extras) != 2 || again.Extras[0].Name != "Poster.png" {
		t.Fatalf("extras read back = %+v, %v", again.Extras, err)
	}

	many := make([]api.ManifestExtra, api.MaxExtras+1)
	for i := range many {
		many[i] = api.ManifestExtra{Name: fmt.Sprintf("page %d.txt", i), SHA256: txt}
	}
	for _, c := range []struct {
		name   string
		extras []api.ManifestExtra
		code   string
		field  string
		says   string
	}{
		{"a folder", []api.ManifestExtra{{Name: "scans/booklet.pdf", SHA256: pdf}}, api.EINVALID, "extras[0].name", "names a folder"},
		{"a Windows folder", []api.ManifestExtra{{Name: `scans\booklet.pdf`, SHA256: pdf}}, api.EINVALID, "extras[0].name", "names a folder"},
		{"a dot-file", []api.ManifestExtra{{Name: ".hidden.pdf", SHA256: pdf}}, api.EINVALID, "extras[0].name", "starts with a dot"},
		{"a parent", []api.ManifestExtra{{Name: "..", SHA256: pdf}}, api.EINVALID, "extras[0].name", "starts with a dot"},
		{"a control character", []api.ManifestExtra{{Name: "a\nb.pdf", SHA256: pdf}}, api.EINVALID, "extras[0].name", "control character"},
		{"no name", []api.ManifestExtra{{Name: "", SHA256: pdf}}, api.EINVALID, "extras[0].name", "needs a name"},
		{"a long name", []api.ManifestExtra{{Name: strings.Repeat("é", api.MaxExtraNameLen) + ".pdf", SHA256: pdf}}, api.EINVALID, "extras[0].name", "over 200 characters"},
		{"the same name but for case", []api.ManifestExtra{{Name: "Booklet.pdf", SHA256: pdf}, {Name: "BOOKLET.PDF", SHA256: pdf}}, api.EINVALID, "extras[1].name", "has the name of bonus file 1"},
		{"a kind not taken", []api.ManifestExtra{{Name: "setup.exe", SHA256: zip}}, api.EINVALID, "extras[0].name", "may be PDF, JPEG, PNG, TXT, LRC or ZIP"},
		{"a ZIP named .pdf", []api.ManifestExtra{{Name: "booklet.pdf", SHA256: zip}}, api.EINVALID, "extras[0].name", "is a ZIP archive, not what its name says (a PDF document)"},
		{"a PNG named .jpg", []api.ManifestExtra{{Name: "poster.jpg", SHA256: png}}, api.EINVALID, "extras[0].name", "is a PNG image"},
		{"a PDF over its limit", []api.ManifestExtra{{Name: "huge.pdf", SHA256: bigPDF}}, api.ETOOLARGE, "extras[0].name", "over the 200 MiB limit"},
		{"too much together", []api.ManifestExtra{{Name: "a.zip", SHA256: zips[0]}, {Name: "b.zip", SHA256: zips[1]}, {Name: "c.zip", SHA256: zips[2]}}, api.ETOOLARGE, "extras", "over the 8 GiB"},
		{"too many", many, api.EINVALID, "extras", "at most 50 bonus files"},
		{"someone else's blob", []api.ManifestExtra{{Name: "x.pdf", SHA256: putBlob(t, s, bob, 930, api.Blob{Size: 10, MediaType: api.MediaPDF})}}, api.EINVALID, "extras[0].sha256", "upload it first"},
	} {
		bad := m
		bad.Extras = c.extras
		_, err := s.Releases.UpdateRelease(ann, rel.ID, bad)
		var e *api.Error
		if api.ErrorCode(err) != c.code || !errors.As(err, &e) || e.Field != c.field || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %v; want %s on %s saying %q", c.name, err, c.code, c.field, c.says)
		}
	}
	if again, _ := s.Releases.FindRelease(ann, rel.ID); len(again.Extras) != 2 {
		t.Fatalf("a refused manifest changed the extras: %+v", again.Extras)
	}
}
