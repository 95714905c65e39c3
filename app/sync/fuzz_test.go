package sync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// FuzzReadTags parses arbitrary tag bytes the way sync does: no panic, and
// whatever comes out is clean, bounded text.
func FuzzReadTags(f *testing.F) {
	mp3 := testmedia.MP3(f, filepath.Join(f.TempDir(), "t.mp3"), 0.2, 440, testmedia.Tags{Title: "Seed", Artist: "A", Album: "B", Track: "1/2", Year: "2026"})
	f.Add(mp3[:min(len(mp3), 512)], mp3[len(mp3)-128:])
	f.Add([]byte("ID3\x03\x00\x00\x00\x00\x00\x20TIT2\x00\x00\x00\x10\x00\x00\x01\xff\xfe"), []byte("TAG"))
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x01\x00APIC\x00\x00\x7f\x7f"), []byte{})
	f.Fuzz(func(t *testing.T, head, tail []byte) {
		if len(tail) > tailBytes {
			tail = tail[:tailBytes]
		}
		tags, _ := readTags(head, tail, int64(len(head)+len(tail)+1000))
		for _, s := range []string{tags.Title, tags.Artist, tags.AlbumArtist, tags.Album, tags.Genre} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\n\r") || utf8.RuneCountInString(s) > 200 {
				t.Fatalf("unclean tag %q", s)
			}
		}
		if tags.Track < 0 || tags.Disc < 0 || tags.Year < 0 {
			t.Fatalf("negative numbers: %+v", tags)
		}
	})
}

// FuzzSidecar reads arbitrary megabox.json files: an error or a sidecar,
// never a panic.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"price_cents": 800, "currency": "EUR", "pay_what_you_want": true, "min_cents": 300}`))
	f.Add([]byte(`{"price_cents": "ten"}`))
	f.Add([]byte(`{"unknown": 1}`))
	f.Add([]byte(`[` + strings.Repeat(`[`, 10000)))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, SidecarName), b, 0o644)
		s, err := ReadSidecar(dir)
		if err == nil && s.PriceCents != nil && len(b) == 0 {
			t.Fatal("an empty file set a price")
		}
	})
}
