package testmedia

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

var (
	ffIntegrated = regexp.MustCompile(`I:\s+(-?[0-9.]+|-inf) LUFS`)
	ffTruePeak   = regexp.MustCompile(`Peak:\s+(-?[0-9.]+|-inf) dBFS`)
)

// FFmpegLoudness is ffmpeg's own EBU R128 measurement (its ebur128
// filter) of the files played one after another, resampled to 48 kHz
// stereo when there are several: integrated loudness in LUFS and true
// peak in dBTP, to the tenth ffmpeg prints.
func FFmpegLoudness(tb testing.TB, paths ...string) (lufs, peakDB float64) {
	tb.Helper()
	need(tb, "ffmpeg")
	var args []string
	for _, p := range paths {
		args = append(args, "-i", p)
	}
	filter := "[0:a]ebur128=peak=true"
	if len(paths) > 1 {
		filter = ""
		for i := range paths {
			filter += "[" + strconv.Itoa(i) + ":a]aresample=48000,aformat=sample_fmts=flt:channel_layouts=stereo[a" + strconv.Itoa(i) + "];"
		}
		for i := range paths {
			filter += "[a" + strconv.Itoa(i) + "]"
		}
		filter += "concat=n=" + strconv.Itoa(len(paths)) + ":v=0:a=1,ebur128=peak=true"
	}
	args = append([]string{"-nostats", "-hide_banner"}, append(args, "-filter_complex", filter, "-f", "null", "-")...)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("ffmpeg ebur128: %v: %s", err, out)
	}
	// The last summary: ffmpeg may set the filter up (and print an empty
	// summary) more than once.
	at := bytes.LastIndex(out, []byte("Summary:"))
	if at < 0 {
		tb.Fatalf("no summary from ffmpeg's ebur128: %s", out)
	}
	parse := func(re *regexp.Regexp) float64 {
		m := re.FindSubmatch(out[at:])
		if m == nil {
			tb.Fatalf("no %v in ffmpeg's summary: %s", re, out[at:])
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	return parse(ffIntegrated), parse(ffTruePeak)
}
