package transcode_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/transcode"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// Every format carries the purchase's tags, the cover and ReplayGain as
// ffprobe reads them back.
func TestTagsReadBackInEveryFormat(t *testing.T) {
	testmedia.HaveTools(t, "ffmpeg", "ffprobe", "sox", "flac")
	dir := t.TempDir()
	master := musicMaster(t, 2, 48000, 24, 2)
	cover := filepath.Join(dir, "cover.jpg")
	if err := os.WriteFile(cover, testmedia.JPEG(64, 64), 0o600); err != nil {
		t.Fatal(err)
	}
	tags := transcode.Tags{Title: "Under=tow; #2", Artist: "Ann", Album: "Night Drive", Track: 2, Tracks: 9, Year: "2024",
		Comment: "Megabox receipt 42", Loudness: &api.Loudness{TrackGainDB: -3.21, TrackPeak: 0.891251, AlbumGainDB: -4.5, AlbumPeak: 0.95}}
	enc := transcode.Encoder{}
	for _, f := range []api.Format{api.FormatFLAC, api.FormatMP3320, api.FormatMP3V0, api.FormatOpus, api.FormatAAC} {
		t.Run(string(f), func(t *testing.T) {
			in := master
			if f != api.FormatFLAC {
				in = filepath.Join(dir, "untagged-"+string(f)+f.Ext())
				if err := enc.Encode(context.Background(), master, in, f, transcode.Source{SampleRate: 48000, Channels: 2}, nil); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, "tagged-"+string(f)+f.Ext())
			if err := enc.Tag(context.Background(), in, out, f, tags, &transcode.Cover{Path: cover, MediaType: api.MediaJPEG}); err != nil {
				t.Fatal(err)
			}
			if len(decodedBytes(t, out)) < 48000*2*4 {
				t.Errorf("%s: the tagged file decodes to less than a second", f)
			}
			p := probeFile(t, out)
			want := map[string]string{
				"title": "Under=tow; #2", "artist": "Ann", "album": "Night Drive", "track": "2/9", "date": "2024",
				"comment":               "Megabox receipt 42",
				"replaygain_track_gain": "-3.21 dB", "replaygain_track_peak": "0.891251",
				"replaygain_album_gain": "-4.50 dB", "replaygain_album_peak": "0.950000",
			}
			for k, v := range want {
				if p.Tags[k] != v {
					t.Errorf("%s: tag %s = %q, want %q", f, k, p.Tags[k], v)
				}
			}
			if !p.Cover {
				t.Errorf("%s: no cover", f)
			}
			if f == api.FormatOpus && p.Tags["r128_track_gain"] != "-2102" {
				t.Errorf("opus R128_TRACK_GAIN = %q, want -2102 (Q7.8 of −8.21 dB)", p.Tags["r128_track_gain"])
			}
		})
	}
}
