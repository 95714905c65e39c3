package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// masterFiles makes real masters: FLACs by Debian's flac at 24/96 and
// 16/44.1 and an MP3 by lame.
func masterFiles(t *testing.T) []string {
	dir := t.TempDir()
	w := func(name string, rate, bits int, effects ...string) string {
		return testmedia.Synth(t, filepath.Join(dir, name+".wav"), rate, bits, 2, effects...)
	}
	return []string{
		testmedia.EncodeFLAC(t, w("one", 96000, 24, "synth", "6", "pinknoise", "sinc", "-16k", "gain", "-9")),
		testmedia.EncodeFLAC(t, w("two", 44100, 16, "synth", "5", "sine", "440", "gain", "-16")),
		testmedia.EncodeLame(t, w("three", 44100, 16, "synth", "4", "brownnoise", "gain", "-6")),
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLoudnessMeasuredOnThePlatform: FLAC and MP3 masters uploaded to a
// real megaboxd are measured once by its jobs: each track's loudness
// within 0.1 LU of ffmpeg's ebur128 on the same file, its ReplayGain 2.0
// gain −18 − LUFS, its true peak within 0.5 dB of ffmpeg's, and the
// album's loudness that of the tracks played one after another.
func TestLoudnessMeasuredOnThePlatform(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	paths := masterFiles(t)
	m := api.Manifest{Title: "Measured", PriceCents: 500, Currency: "EUR"}
	// Listed last position first: the album is the tracks in their
	// positions' order, whatever the manifest's.
	for i, p := range paths {
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: len(paths) - i, Title: filepath.Base(p), AudioSHA256: e.upload(c, read(t, p))})
	}
	rel, err := c.CreateRelease(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	var got *api.Release
	wait.For(t, 2*time.Minute, func() bool {
		got, err = c.FindRelease(context.Background(), rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range got.Tracks {
			if tr.Loudness == nil || tr.Loudness.AlbumLUFS == 0 {
				return false
			}
		}
		return true
	}, func() string { return fmt.Sprintf("loudness of every track and the album: %+v", got.Tracks) })

	for _, tr := range got.Tracks {
		l := tr.Loudness
		want, wantPeak := testmedia.FFmpegLoudness(t, paths[len(paths)-tr.Position])
		if d := math.Abs(l.TrackLUFS - want); d > 0.1 {
			t.Errorf("%s: %.2f LUFS, ffmpeg says %.1f", tr.Title, l.TrackLUFS, want)
		}
		if g := math.Round((-18-l.TrackLUFS)*100) / 100; math.Abs(l.TrackGainDB-g) > 0.011 {
			t.Errorf("%s: gain %.2f dB for %.2f LUFS, want %.2f", tr.Title, l.TrackGainDB, l.TrackLUFS, g)
		}
		if d := math.Abs(20*math.Log10(l.TrackPeak) - wantPeak); d > 0.5 {
			t.Errorf("%s: true peak %.2f dBTP, ffmpeg says %.1f", tr.Title, 20*math.Log10(l.TrackPeak), wantPeak)
		}
		t.Logf("%s: %.2f LUFS (ffmpeg %.1f), gain %.2f dB, peak %.4f; album %.2f LUFS, gain %.2f, peak %.4f",
			tr.Title, l.TrackLUFS, want, l.TrackGainDB, l.TrackPeak, l.AlbumLUFS, l.AlbumGainDB, l.AlbumPeak)
	}
	album, _ := testmedia.FFmpegLoudness(t, paths[2], paths[1], paths[0])
	peak := 0.0
	for _, tr := range got.Tracks {
		peak = max(peak, tr.Loudness.TrackPeak)
	}
	for _, tr := range got.Tracks {
		l := tr.Loudness
		if math.Abs(l.AlbumLUFS-album) > 0.1 || l.AlbumPeak != peak || math.Abs(l.AlbumGainDB-(-18-l.AlbumLUFS)) > 0.011 {
			t.Errorf("%s: album %.2f LUFS, gain %.2f, peak %v; want %.1f (ffmpeg over the three), its gain, peak %v", tr.Title, l.AlbumLUFS, l.AlbumGainDB, l.AlbumPeak, album, peak)
		}
	}
}

// TestDamagedFLACRefusedOnThePlatform: a FLAC whose STREAMINFO MD5 is
// not its audio's is taken as an upload (its bytes are what the creator
// sent) and named in a draft, but the platform's own decode finds it out:
// its owner sees why on the track, the draft cannot be published, and a
// new track list naming it is refused with the track's field.
func TestDamagedFLACRefusedOnThePlatform(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	draft, goodSHA, badSHA := e.damagedDraft(c, 48000, 24)
	const problem = damagedProblem
	got, err := c.FindRelease(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tracks[0].Problem != "" || got.Tracks[0].Loudness == nil || got.Tracks[1].Problem != problem || got.Tracks[1].Loudness != nil {
		t.Fatalf("the owner sees problems %q, %q and loudness %v, %v", got.Tracks[0].Problem, got.Tracks[1].Problem, got.Tracks[0].Loudness, got.Tracks[1].Loudness)
	}
	if got.Tracks[0].ProblemCode != "" || got.Tracks[1].ProblemCode != api.ProblemFLACChecksum {
		t.Fatalf("the owner sees problem codes %q, %q; want none and %q", got.Tracks[0].ProblemCode, got.Tracks[1].ProblemCode, api.ProblemFLACChecksum)
	}
	_, err = c.PublishRelease(ctx, draft.ID)
	wantCode(t, err, api.ECONFLICT)
	if msg := api.ErrorMessage(err); msg != "track 2 (Bad) cannot be sold: "+problem+"; then replace the track" {
		t.Fatalf("publish: %q", msg)
	}
	_, err = c.CreateRelease(ctx, api.Manifest{Title: "Again", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Good", AudioSHA256: goodSHA}, {Position: 2, Title: "Bad", AudioSHA256: badSHA}}})
	wantCode(t, err, api.EINVALID)
	if f, msg := api.ErrorField(err), api.ErrorMessage(err); f != "tracks[1].audio_sha256" || msg != "track 2 (Bad): "+problem {
		t.Fatalf("field %q, message %q", f, msg)
	}
	// With the damaged track dropped the draft is sold.
	if _, err := c.UpdateRelease(ctx, draft.ID, api.Manifest{Title: "Damaged", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Good", AudioSHA256: goodSHA}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(ctx, draft.ID); err != nil {
		t.Fatalf("publish without the damaged track: %v", err)
	}
}

// TestFLACPreviewIsAnMP3: a FLAC master's preview answers 202 with its
// progress and Retry-After until a job has made it, then is an MP3 of the
// preview's length (whole frames, served with Range support), stored in
// the bucket under its own sha256, as loud as the master.
func TestFLACPreviewIsAnMP3(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("ann", true)
	master := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "m.wav"), 96000, 24, 2, "synth", "12", "sine", "330", "gain", "-12"))
	m := api.Manifest{Title: "Hi-res", PriceCents: 500, Currency: "EUR", PreviewSeconds: 5, Tracks: []api.ManifestTrack{
		{Position: 1, Title: "One", AudioSHA256: e.upload(c, read(t, master))}}}
	rel, err := c.CreateRelease(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(context.Background(), rel.ID); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tracks/%d/preview", rel.Tracks[0].ID)

	status, body, h := e.raw("GET", path, "", nil)
	if status != http.StatusAccepted {
		t.Fatalf("first preview: %d %s, want 202", status, body)
	}
	var p api.TranscodeProgress
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if (p.State != api.TranscodeQueued && p.State != api.TranscodeRunning) || p.RetryAfterS != 2 || h.Get("Retry-After") != "2" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("202: %+v, Retry-After %q, Cache-Control %q", p, h.Get("Retry-After"), h.Get("Cache-Control"))
	}
	wait.For(t, 2*time.Minute, func() bool {
		status, body, h = e.raw("GET", path, "", nil)
		return status != http.StatusAccepted
	}, func() string { return "the preview to be made" })
	if status != http.StatusOK || h.Get("Content-Type") != api.MediaMP3 {
		t.Fatalf("preview: %d %s, want 200 audio/mpeg", status, h.Get("Content-Type"))
	}
	mp3 := body
	_, ms, err := media.FrameRun(mp3) // counts the Xing frame that gives the MP3's own length: 24 ms more
	if err != nil {
		t.Fatalf("the preview is not whole MP3 frames: %v", err)
	}
	if ms < 5000 || ms > 5200 {
		t.Errorf("preview lasts %d ms, want 5 s", ms)
	}
	if _, err := e.p.Bucket.Stat(context.Background(), hexSHA(mp3)); err != nil {
		t.Errorf("the preview is not in the bucket under its sha256: %v", err)
	}
	status, part, _ := e.raw("GET", path, "", nil, "Range", "bytes=100-199")
	if status != http.StatusPartialContent || !bytes.Equal(part, mp3[100:200]) {
		t.Errorf("range: %d, %d bytes", status, len(part))
	}
	// As loud as the master: it is the master's audio.
	file := filepath.Join(t.TempDir(), "p.mp3")
	if err := os.WriteFile(file, mp3, 0o600); err != nil {
		t.Fatal(err)
	}
	lp, _ := testmedia.FFmpegLoudness(t, file)
	lm, _ := testmedia.FFmpegLoudness(t, master)
	if math.Abs(lp-lm) > 0.5 {
		t.Errorf("preview %.1f LUFS, master %.1f", lp, lm)
	}
}

// damagedProblem is what the platform tells the owner of a FLAC whose
// audio does not match the MD5 in its header.
const damagedProblem = "the FLAC's decoded audio does not match the MD5 checksum in its header, so the file is damaged: encode it again from the original and upload that"

// damagedDraft makes a draft of two FLACs at rate and bits, the second
// with a bit of the MD5 in its STREAMINFO flipped, and waits for the
// platform to have decoded both.
func (e *env) damagedDraft(c *mhttp.Client, rate, bits int) (draft *api.Release, goodSHA, badSHA string) {
	e.t.Helper()
	good := read(e.t, testmedia.EncodeFLAC(e.t, testmedia.Synth(e.t, filepath.Join(e.t.TempDir(), "g.wav"), rate, bits, 2, "synth", "2", "pinknoise", "gain", "-10")))
	bad := bytes.Clone(good)
	bad[8+18+5] ^= 0x01 // a bit of the MD5 in STREAMINFO
	goodSHA, badSHA = e.upload(c, good), e.upload(c, bad)
	draft, err := c.CreateRelease(context.Background(), api.Manifest{Title: "Damaged", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Good", AudioSHA256: goodSHA}, {Position: 2, Title: "Bad", AudioSHA256: badSHA}}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.jobDone(service.JobAnalyze, goodSHA)
	e.jobDone(service.JobAnalyze, badSHA)
	return draft, goodSHA, badSHA
}
