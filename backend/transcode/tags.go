package transcode

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // cover sizes
	_ "image/png"
	"math"
	"os"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// Tags are what a download is tagged with.
type Tags struct {
	Title, Artist, Album string
	Track, Tracks        int    // position and count; 0 for none
	Year                 string // "2024"; "" for none
	Comment              string
	Loudness             *api.Loudness // nil until measured
}

// fields are the tags as ffmpeg metadata keys, in a fixed order.
func (t Tags) fields(f api.Format) [][2]string {
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("title", t.Title)
	add("artist", t.Artist)
	add("album_artist", t.Artist)
	add("album", t.Album)
	switch {
	case t.Track > 0 && t.Tracks > 0:
		add("track", fmt.Sprintf("%d/%d", t.Track, t.Tracks))
	case t.Track > 0:
		add("track", fmt.Sprint(t.Track))
	}
	add("date", t.Year)
	add("comment", t.Comment)
	if l := t.Loudness; l != nil {
		add("REPLAYGAIN_TRACK_GAIN", fmt.Sprintf("%.2f dB", l.TrackGainDB))
		add("REPLAYGAIN_TRACK_PEAK", fmt.Sprintf("%.6f", l.TrackPeak))
		if l.AlbumPeak > 0 || l.AlbumGainDB != 0 {
			add("REPLAYGAIN_ALBUM_GAIN", fmt.Sprintf("%.2f dB", l.AlbumGainDB))
			add("REPLAYGAIN_ALBUM_PEAK", fmt.Sprintf("%.6f", l.AlbumPeak))
		}
		if f == api.FormatOpus {
			// Opus players read R128 gains (Q7.8 dB toward −23 LUFS), RFC 7845.
			add("R128_TRACK_GAIN", fmt.Sprint(q78(l.TrackGainDB-5)))
			if l.AlbumPeak > 0 || l.AlbumGainDB != 0 {
				add("R128_ALBUM_GAIN", fmt.Sprint(q78(l.AlbumGainDB-5)))
			}
		}
	}
	return out
}

func q78(db float64) int {
	return int(max(min(math.Round(db*256), math.MaxInt16), math.MinInt16))
}

// ffmetadata writes fields as an FFMETADATA1 file: values of any length
// and characters reach ffmpeg without passing through its command line.
func ffmetadata(fields [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(";FFMETADATA1\n")
	esc := strings.NewReplacer(`\`, `\\`, "=", `\=`, ";", `\;`, "#", `\#`, "\n", "\\\n")
	for _, kv := range fields {
		b.WriteString(esc.Replace(kv[0]) + "=" + esc.Replace(kv[1]) + "\n")
	}
	return b.Bytes()
}

// pictureBlock is a FLAC PICTURE block (front cover), which Ogg files
// carry base64-encoded as METADATA_BLOCK_PICTURE.
func pictureBlock(img []byte, mediaType string) []byte {
	var w, h, depth int
	if c, _, err := image.DecodeConfig(bytes.NewReader(img)); err == nil {
		w, h, depth = c.Width, c.Height, 24
	}
	var b bytes.Buffer
	u32 := func(v int) { b.Write(binary.BigEndian.AppendUint32(nil, uint32(v))) }
	u32(3) // front cover
	u32(len(mediaType))
	b.WriteString(mediaType)
	u32(0) // no description
	u32(w)
	u32(h)
	u32(depth)
	u32(0)
	u32(len(img))
	b.Write(img)
	return b.Bytes()
}

// Cover is a cover image to tag with.
type Cover struct {
	Path      string
	MediaType string // api.MediaJPEG or api.MediaPNG
}

// Tag copies the audio of in (format f, as Encode wrote it or a master)
// to out with tags and a cover, re-encoding nothing.
func (e Encoder) Tag(ctx context.Context, in, out string, f api.Format, t Tags, cover *Cover) error {
	fields := t.fields(f)
	var freeforms [][2]string
	if f == api.FormatAAC {
		fields, freeforms = splitFreeform(fields)
	}
	if cover != nil && f == api.FormatOpus {
		img, err := os.ReadFile(cover.Path)
		if err != nil {
			return fmt.Errorf("read cover: %w", err)
		}
		fields = append(fields, [2]string{"METADATA_BLOCK_PICTURE", base64.StdEncoding.EncodeToString(pictureBlock(img, cover.MediaType))})
		cover = nil
	}
	meta := out + ".meta"
	if err := os.WriteFile(meta, ffmetadata(fields), 0o600); err != nil {
		return err
	}
	defer os.Remove(meta)
	args := []string{"-hide_banner", "-nostdin", "-y", "-v", "error", "-i", in, "-i", meta}
	maps := []string{"-map", "0:a:0"}
	if cover != nil {
		args = append(args, "-i", cover.Path)
		maps = append(maps, "-map", "2:v:0", "-disposition:v:0", "attached_pic")
	}
	args = append(args, maps...)
	args = append(args, "-map_metadata", "1", "-map_chapters", "-1", "-c", "copy", "-fflags", "+bitexact")
	switch muxerOf(f) {
	case "mp3":
		args = append(args, "-id3v2_version", "3", "-write_id3v1", "0")
	}
	args = append(args, "-f", muxerOf(f), out)
	if err := e.run(ctx, args, nil); err != nil {
		return err
	}
	return addFreeform(out, freeforms)
}

// splitFreeform parts the ReplayGain fields, which an MP4 holds as
// freeform atoms, from the rest.
func splitFreeform(fields [][2]string) (rest, freeforms [][2]string) {
	for _, kv := range fields {
		if strings.HasPrefix(kv[0], "REPLAYGAIN_") {
			freeforms = append(freeforms, kv)
		} else {
			rest = append(rest, kv)
		}
	}
	return rest, freeforms
}

// muxerOf is the container a download in f is written in.
func muxerOf(f api.Format) string {
	switch f {
	case api.FormatFLAC:
		return "flac"
	case api.FormatOpus:
		return "ogg"
	case api.FormatAAC:
		return "ipod"
	}
	return "mp3"
}
