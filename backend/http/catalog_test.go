package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// uploadNamed sends data through tus under a file name and returns its
// sha256.
func (e *env) uploadNamed(c *mhttp.Client, name string, data []byte) string {
	e.t.Helper()
	sum := hexSHA(data)
	u := &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: name}
	if _, err := c.UploadFile(context.Background(), bytes.NewReader(data), u); err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return sum
}

// TestFLACMastersBecomeTracks: FLAC masters made by Debian's flac upload
// as FLAC blobs with their format, and a release may mix them with MP3.
func TestFLACMastersBecomeTracks(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("ann", true)
	hi := testmedia.MasterFLAC(t, 1.5, 440, 96000, 24, 2)
	cd := testmedia.MasterFLAC(t, 1, 330, 44100, 16, 2)
	mp3 := testmedia.MP3Bytes(t, 1, 550)
	m := api.Manifest{Title: "Mixed", PriceCents: 700, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Hi-res", AudioSHA256: e.uploadNamed(ann, "01 Hi-res.flac", hi)},
		{Position: 2, Title: "CD", AudioSHA256: e.uploadNamed(ann, "02 CD.flac", cd)},
		{Position: 3, Title: "Lossy", AudioSHA256: e.uploadNamed(ann, "03 Lossy.mp3", mp3)},
	}}
	b, err := e.p.Blobs.FindBlob(ctx, m.Tracks[0].AudioSHA256)
	if err != nil || b.MediaType != api.MediaFLAC || b.DurationMS != 1500 || b.Size != int64(len(hi)) {
		t.Fatalf("stored blob = %+v, %v; want FLAC of 1500 ms and %d bytes", b, err, len(hi))
	}
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatalf("a release of FLAC and MP3 tracks: %v", err)
	}
	for i, want := range []int64{1500, 1000} {
		if got := rel.Tracks[i].DurationMS; got != want {
			t.Errorf("track %d lasts %d ms, want %d", i+1, got, want)
		}
	}
	// The master itself, as what it is.
	for i, want := range []struct {
		data      []byte
		mediaType string
		name      string
	}{{hi, api.MediaFLAC, "01.flac"}, {cd, api.MediaFLAC, "02.flac"}, {mp3, api.MediaMP3, "03.mp3"}} {
		code, body, hdr := e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/audio", rel.Tracks[i].ID), ann.Token(), nil)
		if code != 200 || !bytes.Equal(body, want.data) || hdr.Get("Content-Type") != want.mediaType || !strings.Contains(hdr.Get("Content-Disposition"), want.name) {
			t.Errorf("track %d: %d, %d bytes, %q, %q; want %s as %s", i+1, code, len(body), hdr.Get("Content-Type"), hdr.Get("Content-Disposition"), want.mediaType, want.name)
		}
	}
}

// bonusFiles makes a real PDF, a real ZIP of stems and lyrics.
func bonusFiles(t *testing.T) (pdf, zipped, lyrics []byte) {
	t.Helper()
	pdf = []byte("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n" +
		"trailer <</Root 1 0 R>>\n%%EOF\n")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"stems/bass.wav", "stems/drums.wav"} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(bytes.Repeat([]byte(name), 5000))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return pdf, b.Bytes(), []byte("[00:01.00] Sous le pont Mirabeau\n[00:04.00] coule la Seine\n")
}

// TestReleaseFormatsAndBonusFiles: over a real server, a release's JSON
// names its formats and its tracks' masters; its bonus files are listed,
// served to its owner and buyers only, byte for byte and resumable, put
// in the purchase's zip beside the FLAC master, and replaced by the owner.
func TestReleaseFormatsAndBonusFiles(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	other, _ := e.signUp("Other", false)
	flac := testmedia.MasterFLAC(t, 1, 440, 96000, 24, 2)
	pdf, stems, lyrics := bonusFiles(t)
	m := api.Manifest{Title: "Bonus", PriceCents: 800, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "Hi-res", AudioSHA256: e.uploadNamed(ann, "01 Hi-res.flac", flac)}},
		Extras: []api.ManifestExtra{
			{Name: "Booklet (FR).pdf", SHA256: e.uploadNamed(ann, "Booklet (FR).pdf", pdf)},
			{Name: "Stems.zip", SHA256: e.uploadNamed(ann, "Stems.zip", stems)},
			{Name: "Paroles.lrc", SHA256: e.uploadNamed(ann, "Paroles.lrc", lyrics)},
		}}
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if rel, err = ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	_, body, _ := e.raw("GET", fmt.Sprintf("/api/v1/releases/%d", rel.ID), "", nil)
	for _, want := range []string{`"formats":["flac","mp3-320","mp3-v0","opus","aac"]`,
		`"master":{"codec":"flac","sample_rate":96000,"bit_depth":24,"channels":2}`,
		fmt.Sprintf(`{"name":"Stems.zip","sha256":"%s","size":%d,"media_type":"application/zip"}`, hexSHA(stems), len(stems)),
		`"name":"Paroles.lrc"`, `"media_type":"text/plain; charset=utf-8"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("release JSON lacks %s:\n%s", want, body)
		}
	}
	mp3Only, err := ann.CreateRelease(ctx, api.Manifest{Title: "Lossy", PriceCents: 100, Currency: "EUR",
		Tracks: []api.ManifestTrack{{Position: 1, Title: "L", AudioSHA256: e.uploadNamed(ann, "l.mp3", testmedia.MP3Bytes(t, 1, 440))}}})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := ann.CreateRelease(ctx, api.Manifest{Title: "Empty", PriceCents: 100, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{mp3Only.ID: `"formats":["mp3"]`, empty.ID: `"formats":[]`} {
		if _, body, _ := e.raw("GET", fmt.Sprintf("/api/v1/releases/%d", id), ann.Token(), nil); !strings.Contains(string(body), want) {
			t.Errorf("release %d JSON lacks %s:\n%s", id, want, body)
		}
	}

	extra := func(c *mhttp.Client, name string) (int, []byte, http.Header) {
		return e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/extras/%s", rel.ID, neturl.PathEscape(name)), c.Token(), nil)
	}
	if code, _, _ := e.raw("GET", fmt.Sprintf("/api/v1/releases/%d/extras/Stems.zip", rel.ID), "", nil); code != 401 {
		t.Errorf("anonymous: %d, want 401", code)
	}
	if code, _, _ := extra(fan, "Stems.zip"); code != 403 {
		t.Errorf("before buying: %d, want 403", code)
	}
	p, err := buy(fan, rel.ID, 800, "bonus-1")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"Booklet (FR).pdf": pdf, "Stems.zip": stems, "Paroles.lrc": lyrics} {
		for _, c := range []*mhttp.Client{fan, ann} {
			code, got, hdr := extra(c, name)
			if code != 200 || !bytes.Equal(got, data) || hdr.Get("Megabox-Blob-Sha256") != hexSHA(data) ||
				!strings.Contains(hdr.Get("Content-Disposition"), neturl.PathEscape(name)) {
				t.Errorf("%s: %d, %d bytes (want %d), headers %v", name, code, len(got), len(data), hdr)
			}
		}
	}
	if code, _, hdr := extra(fan, "Booklet (FR).pdf"); code != 200 || hdr.Get("Content-Type") != api.MediaPDF {
		t.Errorf("PDF served as %q (%d)", hdr.Get("Content-Type"), code)
	}
	got, err := fan.FetchExtra(ctx, rel.ID, "Stems.zip", 100)
	if err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !got.Partial || !bytes.Equal(rest, stems[100:]) || got.SHA256 != hexSHA(stems) {
		t.Errorf("resumed: partial %v, %d bytes, sha %s", got.Partial, len(rest), got.SHA256)
	}
	for _, name := range []string{"stems.zip", "../Stems.zip", "Missing.pdf"} {
		if code, _, _ := extra(fan, name); code != 404 {
			t.Errorf("%q: %d, want 404", name, code)
		}
	}
	if code, _, _ := extra(other, "Stems.zip"); code != 403 {
		t.Errorf("someone who did not buy: %d, want 403", code)
	}

	dir := "Ann - Bonus/"
	zipped := e.archive(fan, p.ID)
	for name, data := range map[string][]byte{dir + "01 Hi-res.flac": flac, dir + "Bonus/Booklet (FR).pdf": pdf,
		dir + "Bonus/Stems.zip": stems, dir + "Bonus/Paroles.lrc": lyrics} {
		if !bytes.Equal(zipped[name], data) {
			t.Errorf("zip entry %s: %d bytes, want %d (entries: %v)", name, len(zipped[name]), len(data), keys(zipped))
		}
	}

	m.Extras = m.Extras[2:]
	if rel, err = ann.UpdateRelease(ctx, rel.ID, m); err != nil {
		t.Fatal(err)
	}
	if len(rel.Extras) != 1 || rel.Extras[0].Name != "Paroles.lrc" {
		t.Fatalf("replaced extras: %+v", rel.Extras)
	}
	if code, _, _ := extra(fan, "Stems.zip"); code != 404 {
		t.Errorf("a removed bonus file: %d, want 404", code)
	}
	if _, ok := e.archive(fan, p.ID)[dir+"Bonus/Stems.zip"]; ok {
		t.Error("the zip still holds a removed bonus file")
	}
}

// archive downloads a purchase's zip and returns its entries.
func (e *env) archive(c *mhttp.Client, purchaseID int64) map[string][]byte {
	e.t.Helper()
	code, body, _ := e.raw("GET", fmt.Sprintf("/api/v1/purchases/%d/archive.zip", purchaseID), c.Token(), nil)
	if code != 200 {
		e.t.Fatalf("archive: %d %s", code, body)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			e.t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			e.t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestBonusFileSizeCheckedAtCreation: an upload named as a bonus file
// that declares more than its kind may be is refused before a byte is
// sent; at the limit it is taken.
func TestBonusFileSizeCheckedAtCreation(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	sha := b64(hexSHA([]byte("x")))
	for _, tc := range []struct {
		name   string
		size   int64
		status int
		says   string
	}{
		{"Paroles.lrc", api.MaxExtraText + 1, 413, "LRC files can be at most 1 MiB"},
		{"notes.TXT", api.MaxExtraText + 1, 413, "TXT files can be at most 1 MiB"},
		{"Booklet.pdf", api.MaxExtraPDF + 1, 413, "PDF files can be at most 200 MiB"},
		{"notes.txt", api.MaxExtraText, 201, ""},
		{"Booklet.pdf", 30 << 20, 201, ""},
	} {
		status, body, _ := e.raw("POST", mhttp.UploadsPath, c.Token(), nil,
			"Tus-Resumable", "1.0.0", "Upload-Length", fmt.Sprint(tc.size), "Upload-Metadata", "sha256 "+sha+",filename "+b64(tc.name))
		var p mhttp.Problem
		json.Unmarshal(body, &p)
		if status != tc.status || (status == 413 && (p.Code != api.ETOOLARGE || p.Field != "size" || !strings.Contains(p.Detail, tc.says))) {
			t.Errorf("%s of %d bytes: %d %s, want %d saying %q", tc.name, tc.size, status, body, tc.status, tc.says)
		}
	}
}
