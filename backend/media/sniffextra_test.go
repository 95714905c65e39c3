package media_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// TestProbeBonusFiles: PDF, ZIP and UTF-8 text are recognised; text
// with a NUL byte, invalid UTF-8 or a character cut at the end is not
// text, and text over its limit is refused saying so.
func TestProbeBonusFiles(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	f, _ := zw.Create("stems/bass.wav")
	f.Write(junk(200 << 10))
	zw.Close()
	lyrics := strings.Repeat("Sous le pont Mirabeau coule la Seine — 歌詞\n", 2000)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", minimalPDF(), api.MediaPDF},
		{"zip", zipped.Bytes(), api.MediaZIP},
		{"lyrics", []byte(lyrics), api.MediaText},
		{"lyrics with a BOM", []byte("\ufeff" + lyrics), api.MediaText},
		{"lyrics with a NUL far in", []byte(lyrics + lyrics + "\x00" + lyrics), api.MediaUnknown},
		{"invalid UTF-8 far in", []byte(lyrics + lyrics + "\xff" + lyrics), api.MediaUnknown},
		{"a character cut at the end", []byte(lyrics + "歌"[:2]), api.MediaUnknown},
		{"UTF-16 text", []byte("h\x00e\x00l\x00l\x00o\x00"), api.MediaUnknown},
	}
	for _, c := range cases {
		for _, piece := range []int{1, 2, 4096, 64<<10 + 1, len(c.data) + 1} {
			info, err := sniffInPieces(c.data, piece)
			if err != nil || info != (media.Info{MediaType: c.want}) {
				t.Errorf("%s in pieces of %d: %+v, %v; want %s", c.name, piece, info, err, c.want)
			}
		}
	}
	big := strings.Repeat("la la la\n", api.MaxExtraText/9+1)
	if _, err := media.Probe(strings.NewReader(big)); api.ErrorCode(err) != api.EUNSUPPORTED || !strings.Contains(api.ErrorMessage(err), "over the 1 MiB limit for text") {
		t.Errorf("text of %d bytes: %v; want EUNSUPPORTED over the limit", len(big), err)
	}
}

// minimalPDF is a small, valid one-page PDF.
func minimalPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" +
		"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n" +
		"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>> endobj\n" +
		"trailer <</Root 1 0 R>>\n%%EOF\n")
}
