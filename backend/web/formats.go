package web

import (
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// extraRow is one bonus file on a release page.
type extraRow struct {
	Name string
	Size string
}

// formatsLine names what a release downloads as, best first: "FLAC
// (24-bit/96 kHz) · MP3 320 · MP3 V0 · Opus · AAC", or "MP3".
func formatsLine(lang string, rel api.Release) string {
	names := make([]string, 0, len(rel.Formats))
	for _, f := range rel.Formats {
		if f == api.FormatFLAC {
			names = append(names, flacLabel(lang, rel.Tracks))
			continue
		}
		names = append(names, f.Label())
	}
	return strings.Join(names, " · ")
}

// flacLabel names the lossless format with the masters' resolution: the
// one they share, or the best of them.
func flacLabel(lang string, tracks []api.Track) string {
	var best api.AudioFormat
	mixed := false
	for _, t := range tracks {
		m := t.Master
		if m.Codec != api.CodecFLAC {
			continue
		}
		if best.Codec != "" && (m.BitDepth != best.BitDepth || m.SampleRate != best.SampleRate) {
			mixed = true
		}
		if m.BitDepth > best.BitDepth || (m.BitDepth == best.BitDepth && m.SampleRate > best.SampleRate) {
			best = m
		}
	}
	if best.BitDepth == 0 || best.SampleRate == 0 {
		return "FLAC"
	}
	res := translate(lang, "formats.resolution", best.BitDepth, kHz(lang, best.SampleRate))
	if mixed {
		return translate(lang, "formats.flac_up_to", res)
	}
	return translate(lang, "formats.flac", res)
}

// kHz writes a sample rate in kHz as the language writes decimals:
// "44.1", "44,1", "96".
func kHz(lang string, hz int) string {
	s := strconv.FormatFloat(float64(hz)/1000, 'f', -1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// extraRows lists a release's bonus files with their sizes.
func extraRows(lang string, extras []api.Extra) []extraRow {
	rows := make([]extraRow, 0, len(extras))
	for _, e := range extras {
		rows = append(rows, extraRow{Name: e.Name, Size: fileSize(lang, e.Size)})
	}
	return rows
}

// fileSize writes a byte count for people, in decimal units as file
// managers show them: "812 KB", "2.4 MB", "1.2 GB" ("2,4 Mo" in French).
func fileSize(lang string, n int64) string {
	unit, v := "formats.kb", float64(n)/1e3
	switch {
	case n >= 1e9:
		unit, v = "formats.gb", float64(n)/1e9
	case n >= 1e6:
		unit, v = "formats.mb", float64(n)/1e6
	case n < 1e3:
		return translate(lang, "formats.bytes", n)
	}
	prec := 1
	if v >= 100 {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return translate(lang, unit, s)
}
