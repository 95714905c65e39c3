package media_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestSnifferAgreesWithProbe writes files through a Sniffer in pieces of
// every awkward size, around the 64 KiB that decide a file's type too,
// and wants Probe's verdict on the whole file each time.
func TestSnifferAgreesWithProbe(t *testing.T) {
	dir := t.TempDir()
	mp3 := testmedia.MP3(t, filepath.Join(dir, "a.mp3"), 6, 440, testmedia.Tags{Title: "Sniffed"})
	files := map[string][]byte{
		"mp3":               mp3,
		"mp3 cut at 64 KiB": mp3[:64<<10],
		"mp3 cut after it":  mp3[:64<<10+1],
		"mixed rates":       append(frames(500, mpeg1At48k, 384), frames(500, mpeg2At24k, 192)...),
		"MPEG-2.5":          frames(200, mpeg25At8k, 576),
		"png":               testmedia.PNG(300, 200),
		"jpeg":              testmedia.JPEG(64, 48),
		"truncated png":     testmedia.PNG(50, 50)[:20],
		"text":              bytes.Repeat([]byte("not audio "), 10_000),
		"empty":             nil,
		"mp3 then junk":     append(bytes.Clone(mp3), junk(300<<10)...),
		"png then junk":     append(testmedia.PNG(300, 200), junk(100<<10)...),
		"jpeg then junk":    append(testmedia.JPEG(64, 48), junk(100<<10)...),
		"big tag, then mp3": append(id3v2(200<<10), mp3...),
		"noisy png":         noisePNG(200, 200),
		"flac":              testmedia.MasterFLAC(t, 1, 440, 96000, 24, 2),
		"tag, then flac":    append(id3v2(70<<10), testmedia.MasterFLAC(t, 1, 440, 44100, 16, 2)...),
		"cut flac":          testmedia.MasterFLAC(t, 3, 440, 48000, 24, 2)[:70<<10],
		"pdf":               append([]byte("%PDF-1.7\n"), junk(100<<10)...),
		"zip":               append([]byte("PK\x03\x04"), junk(100<<10)...),
		"utf-8 text":        bytes.Repeat([]byte("paroles é 歌詞 🎵\n"), 20_000),
		"text, then a NUL":  append(bytes.Repeat([]byte("lyrics\n"), 20_000), 0),
		"text over 1 MiB":   bytes.Repeat([]byte("lyrics\n"), 200_000),
	}
	for name, data := range files {
		want, wantErr := media.Probe(bytes.NewReader(data))
		for _, piece := range []int{1, 7, 4096, 64<<10 - 1, 64<<10 + 1, 1 << 20} {
			for _, resumed := range []bool{false, true} {
				if resumed && piece < 4096 {
					continue // a state per byte is slow and proves nothing more
				}
				s := media.NewSniffer()
				for off := 0; off < len(data); off += piece {
					s.Write(data[off:min(off+piece, len(data))])
					if resumed {
						s = reload(t, s)
					}
				}
				got, err := s.Info()
				if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) || api.ErrorCode(err) != api.ErrorCode(wantErr) {
					t.Errorf("%s in pieces of %d (state reloaded each time: %v): %+v, %v; Probe says %+v, %v", name, piece, resumed, got, err, want, wantErr)
				}
			}
		}
	}
	if info, _ := media.Probe(bytes.NewReader(mp3)); info.MediaType != api.MediaMP3 || info.DurationMS < 6000 || info.DurationMS > 6080 {
		t.Errorf("Probe of 6 s of MP3 = %+v", info)
	}
}

// reload passes a sniffer's state through its binary form, as an upload
// resumed through another server does.
func reload(t *testing.T, s *media.Sniffer) *media.Sniffer {
	t.Helper()
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	r := media.NewSniffer()
	if err := r.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	return r
}
