package transcode_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob/disk"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/backend/transcode"
)

// A FLAC download of a FLAC master decodes to exactly the master's
// samples, at 16/44.1, 24/48 and 24/96, and is ready at once (no job).
func TestFLACDownloadIsTheMastersPCM(t *testing.T) {
	for _, c := range []struct{ rate, bits, channels int }{{44100, 16, 2}, {48000, 24, 2}, {96000, 24, 2}, {44100, 16, 1}} {
		t.Run(fmt.Sprintf("%d-%d-%dch", c.bits, c.rate, c.channels), func(t *testing.T) {
			r := newRig(t)
			src := musicMaster(t, 3, c.rate, c.bits, c.channels)
			tf := r.release(r.master(src, c.rate, c.bits, c.channels, 3))[0]
			got, served, first := r.download(tf, api.FormatFLAC)
			if first != nil || served != api.FormatFLAC {
				t.Fatalf("FLAC of a FLAC master: progress %+v, served %q; want ready at once as flac", first, served)
			}
			want, have := pcm(t, src), pcm(t, got)
			if len(want) == 0 || !bytes.Equal(want, have) {
				t.Fatalf("download decodes to %d bytes of PCM, master to %d; equal: %v", len(have), len(want), bytes.Equal(want, have))
			}
			if out, err := exec.Command("flac", "-t", "-s", got).CombinedOutput(); err != nil {
				t.Errorf("flac -t on the download (STREAMINFO MD5): %v %s", err, out)
			}
			p := probeFile(t, got)
			if p.Tags["title"] != "Undertow 1" || p.Tags["album"] != "Night Drive" || !p.Cover {
				t.Errorf("FLAC tags %v, cover %v; want title, album and a cover", p.Tags, p.Cover)
			}
		})
	}
}

// Lossy downloads of a 24/96 master are queued, made once, and decode to
// within what each codec is expected to keep; the SNR is logged.
func TestLossyDownloadsDecodeNearTheMaster(t *testing.T) {
	r := newRig(t)
	src := musicMaster(t, 6, 96000, 24, 2)
	tf := r.release(r.master(src, 96000, 24, 2, 6))[0]
	ref := decoded(t, src)
	for _, c := range []struct {
		f     api.Format
		codec string
		rate  string
		floor float64 // dB
	}{
		{api.FormatMP3320, "mp3", "48000", 40},
		{api.FormatMP3V0, "mp3", "48000", 35},
		{api.FormatOpus, "opus", "48000", 25},
		{api.FormatAAC, "aac", "48000", 25},
	} {
		t.Run(string(c.f), func(t *testing.T) {
			got, served, first := r.download(tf, c.f)
			if first == nil || (first.State != api.TranscodeQueued && first.State != api.TranscodeRunning) || first.RetryAfterS < 1 {
				t.Errorf("first answer %+v, want the progress of a queued or running transcode", first)
			}
			if served != c.f {
				t.Errorf("served as %q, want %q", served, c.f)
			}
			p := probeFile(t, got)
			if p.Codec != c.codec || p.Rate != c.rate {
				t.Errorf("codec %s at %s Hz, want %s at %s", p.Codec, p.Rate, c.codec, c.rate)
			}
			db, lag := snr(ref, decoded(t, got))
			t.Logf("%s: SNR %.1f dB (aligned by %d samples)", c.f, db, lag)
			if db < c.floor {
				t.Errorf("%s decodes %.1f dB from the master, want at least %.0f dB", c.f, db, c.floor)
			}
			st, err := r.q.Status(context.Background(), transcode.Kind, transcode.Key(tf.AudioSHA256, c.f))
			if err != nil || st.State != jobs.Done {
				t.Errorf("job status %+v, %v; want done", st, err)
			}
		})
	}
}

// Every buyer's download comes from one shared transcode, tagged with
// their own receipt.
func TestTranscodesAreSharedAndTaggedPerPurchase(t *testing.T) {
	r := newRig(t)
	src := musicMaster(t, 2, 44100, 16, 2)
	tf := r.release(r.master(src, 44100, 16, 2, 2))[0]
	a, _, _ := r.download(tf, api.FormatOpus)
	tc, err := r.db.Transcode(context.Background(), tf.AudioSHA256, string(api.FormatOpus), transcode.Version(api.FormatOpus))
	if err != nil {
		t.Fatalf("no shared transcode recorded: %v", err)
	}
	// Another buyer: ready at once, the same audio, another comment.
	ctx := buyer(t, r, tf.ReleaseID)
	file, _, p, err := r.svc.TrackIn(ctx, &tf, api.FormatOpus)
	if err != nil || p != nil {
		t.Fatalf("second download: %+v, %v; want it ready at once", p, err)
	}
	if file.SHA256 == tc.SHA256 {
		t.Errorf("the download is the untagged transcode itself")
	}
	b := r.fetch(file.SHA256)
	if got := probeFile(t, b).Tags["comment"]; got == "" || got == probeFile(t, a).Tags["comment"] {
		t.Errorf("buyer's comment %q, want their own receipt", got)
	}
	if !bytes.Equal(decodedBytes(t, a), decodedBytes(t, b)) {
		t.Errorf("two buyers' downloads decode differently; want the same shared audio")
	}
	again, err := r.db.Transcode(context.Background(), tf.AudioSHA256, string(api.FormatOpus), transcode.Version(api.FormatOpus))
	if err != nil || again.SHA256 != tc.SHA256 {
		t.Errorf("transcode after the second download %+v, %v; want the first", again, err)
	}
}

// An MP3 master is delivered as itself, tagged, whatever format is
// asked, without a transcode.
func TestMP3MasterIsDeliveredAsItself(t *testing.T) {
	r := newRig(t)
	mp3 := encodeMP3(t)
	tf := r.release(r.blob(mp3.data, api.Blob{MediaType: api.MediaMP3, DurationMS: 2000}))[0]
	for _, f := range []api.Format{api.FormatOpus, api.FormatFLAC, api.FormatMP3} {
		got, served, first := r.download(tf, f)
		if first != nil || served != api.FormatMP3 {
			t.Errorf("%s of an MP3 master: progress %+v, served %q; want mp3 at once", f, first, served)
		}
		if !bytes.Equal(decodedBytes(t, got), decodedBytes(t, mp3.path)) {
			t.Errorf("%s of an MP3 master decodes to other audio than the master", f)
		}
		if p := probeFile(t, got); p.Tags["title"] != "Undertow 1" || !p.Cover {
			t.Errorf("MP3 master tags %v cover %v", p.Tags, p.Cover)
		}
	}
	if _, err := r.q.Status(context.Background(), transcode.Kind, transcode.Key(tf.AudioSHA256, api.FormatOpus)); api.ErrorCode(err) != api.ENOTFOUND {
		t.Errorf("a job was queued for an MP3 master: %v", err)
	}
}

// A master ffmpeg cannot read fails its job after its attempts, with
// ffmpeg's words, and the download says so.
func TestUnreadableMasterFails(t *testing.T) {
	r := newRig(t)
	junk := bytes.Repeat([]byte("not flac "), 1000)
	tf := r.release(r.blob(append([]byte("fLaC"), junk...), api.Blob{MediaType: api.MediaFLAC}))[0]
	var last *api.TranscodeProgress
	waitFor(t, func() bool {
		_, _, p, err := r.svc.TrackIn(context.Background(), &tf, api.FormatMP3V0)
		if err != nil {
			t.Fatal(err)
		}
		last = p
		return p != nil && p.State == api.TranscodeFailed
	}, func() string { return fmt.Sprintf("failed; now %+v", last) })
	st, _ := r.q.Status(context.Background(), transcode.Kind, transcode.Key(tf.AudioSHA256, api.FormatMP3V0))
	if st.State != jobs.Failed || st.Error == "" {
		t.Errorf("job %+v, want failed with ffmpeg's error", st)
	}
	t.Logf("error: %s", st.Error)
	// The answer says when asking again tries it again.
	if want := int(jobs.RetryFailed / time.Second); last.RetryAfterS > want || last.RetryAfterS < want-60 {
		t.Errorf("failed download: retry after %d s, want about %d (when the job is tried again)", last.RetryAfterS, want)
	}
}

// Without ffmpeg a download in a format is refused plainly, not queued
// to fail.
func TestWithoutFFmpegFormatsAreRefused(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bucket, err := disk.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(db, jobs.Config{}, nil)
	svc, err := transcode.NewService(db, bucket, q, filepath.Join(dir, "scratch"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Available() {
		t.Error("Available() with no ffmpeg on the PATH")
	}
	_, _, p, err := svc.TrackIn(context.Background(), &api.TrackFile{AudioSHA256: strings.Repeat("a", 64)}, api.FormatOpus)
	if api.ErrorCode(err) != api.EUNSUPPORTED || p != nil || !strings.Contains(err.Error(), "ffmpeg is not installed") {
		t.Errorf("TrackIn without ffmpeg = %+v, %v; want EUNSUPPORTED naming ffmpeg", p, err)
	}
	if _, err := q.Status(context.Background(), transcode.Kind, transcode.Key(strings.Repeat("a", 64), api.FormatOpus)); api.ErrorCode(err) != api.ENOTFOUND {
		t.Errorf("a job was queued: %v", err)
	}
}

// A download carries its track's measured loudness as ReplayGain.
func TestDownloadsCarryTheTracksReplayGain(t *testing.T) {
	r := newRig(t)
	src := musicMaster(t, 2, 44100, 16, 2)
	sha := r.master(src, 44100, 16, 2, 2)
	ctx := context.Background()
	err := r.db.WithTx(ctx, func(tx store.Tx) error {
		return tx.PutAudioAnalysis(ctx, store.AudioAnalysis{SHA256: sha, LUFS: -12.5, Peak: 0.912345, AnalyzedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	tf := r.release(sha)[0]
	rel, err := r.db.Release(ctx, tf.ReleaseID)
	if err != nil || rel.Tracks[0].Loudness == nil {
		t.Fatalf("the release's track has no loudness: %+v, %v", rel.Tracks, err)
	}
	l := rel.Tracks[0].Loudness
	for _, f := range []api.Format{api.FormatFLAC, api.FormatMP3V0, api.FormatOpus, api.FormatAAC} {
		got, _, _ := r.download(tf, f)
		p := probeFile(t, got)
		if want := fmt.Sprintf("%.2f dB", l.TrackGainDB); p.Tags["replaygain_track_gain"] != want || p.Tags["replaygain_track_peak"] != fmt.Sprintf("%.6f", l.TrackPeak) {
			t.Errorf("%s: REPLAYGAIN_TRACK_GAIN %q PEAK %q, want %q and %.6f", f, p.Tags["replaygain_track_gain"], p.Tags["replaygain_track_peak"], want, l.TrackPeak)
		}
	}
}
