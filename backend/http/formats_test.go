package http_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/backend/transcode"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// flacRelease publishes a release of two FLAC masters with a cover, and
// has a fan buy it.
func (e *env) flacRelease(ann, fan *mhttp.Client) (*api.Release, *api.Purchase) {
	e.t.Helper()
	testmedia.HaveTools(e.t, "ffmpeg", "ffprobe", "sox", "flac")
	ctx := context.Background()
	m := api.Manifest{Title: "Night Drive", ReleaseDate: "2024-05-17", PriceCents: 700, Currency: "EUR",
		CoverSHA256: e.upload(ann, testmedia.PNG(64, 64))}
	for i, shape := range [][3]int{{96000, 24, 2}, {44100, 16, 2}} {
		path := testmedia.MusicMasterFLAC(e.t, e.t.TempDir(), "m.flac", 2, shape[0], shape[1], shape[2])
		data, err := os.ReadFile(path)
		if err != nil {
			e.t.Fatal(err)
		}
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Undertow %d", i+1),
			AudioSHA256: e.uploadNamed(ann, fmt.Sprintf("%02d.flac", i+1), data)})
	}
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if rel, err = ann.PublishRelease(ctx, rel.ID); err != nil {
		e.t.Fatal(err)
	}
	p, err := buy(fan, rel.ID, 700, "formats-"+strconv.FormatInt(rel.ID, 10))
	if err != nil {
		e.t.Fatal(err)
	}
	// Downloads are tagged with the loudness measured after upload: wait
	// for it, so every download of the test has the same tags.
	wait.Until(e.t, 2*time.Minute, "the tracks' and the album's loudness measured", func() bool {
		got, err := ann.FindRelease(ctx, rel.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, tr := range got.Tracks {
			if tr.Loudness == nil || tr.Loudness.AlbumPeak == 0 {
				return false
			}
		}
		rel = got
		return true
	})
	return rel, p
}

// untilReady asks for path until it answers 200, checking every 202 on
// the way, and returns the 200's body and headers and the first answer.
func (e *env) untilReady(path, token string) (body []byte, hdr map[string]string, first int) {
	e.t.Helper()
	var status int
	wait.For(e.t, 2*time.Minute, func() bool {
		status, b, h := e.raw("GET", path, token, nil)
		if first == 0 {
			first = status
		}
		if status == 202 {
			var p api.TranscodeProgress
			if err := json.Unmarshal(b, &p); err != nil || (p.State != api.TranscodeQueued && p.State != api.TranscodeRunning) {
				e.t.Fatalf("202 body %s (%v), want the progress of a queued or running transcode", b, err)
			}
			if ra, err := strconv.Atoi(h["Retry-After"][0]); err != nil || ra < 1 || ra != p.RetryAfterS {
				e.t.Fatalf("Retry-After %q with retry_after_s %d", h["Retry-After"], p.RetryAfterS)
			}
			if p.Progress < 0 || p.Progress >= 1 {
				e.t.Fatalf("progress %v of a file still being made", p.Progress)
			}
			return false
		}
		if status != 200 {
			e.t.Fatalf("GET %s: %d %s", path, status, b)
		}
		body, hdr = b, map[string]string{}
		for k, v := range h {
			hdr[k] = v[0]
		}
		return true
	}, func() string { return fmt.Sprintf("%s ready; last status %d", path, status) })
	return body, hdr, first
}

func tagsOf(t *testing.T, data []byte, ext string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f"+ext)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags:stream=codec_name", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var raw struct {
		Streams []struct {
			CodecName string            `json:"codec_name"`
			Tags      map[string]string `json:"tags"`
		} `json:"streams"`
		Format struct {
			Tags map[string]string `json:"tags"`
		} `json:"format"`
	}
	json.Unmarshal(out, &raw)
	tags := map[string]string{"codec": raw.Streams[0].CodecName}
	for _, m := range []map[string]string{raw.Format.Tags, raw.Streams[0].Tags} {
		for k, v := range m {
			tags[strings.ToLower(k)] = v
		}
	}
	return tags
}

// A track in a format not made yet answers 202 with its progress and a
// Retry-After, then, once made, 200 with the file, tagged for the buyer,
// named, typed and with the sha256 of exactly its bytes; a range of it
// resumes the same bytes.
func TestTrackFormatAnswers202ThenTheFile(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("ann", true)
	fan, _ := e.signUp("fan", false)
	rel, p := e.flacRelease(ann, fan)
	path := fmt.Sprintf("/api/v1/tracks/%d/audio?format=opus", rel.Tracks[0].ID)
	body, h, first := e.untilReady(path, fan.Token())
	if first != 202 {
		t.Errorf("first answer %d, want 202 while the transcode is made", first)
	}
	if h["Content-Type"] != "audio/ogg" || h["Megabox-Blob-Sha256"] != hexSHA(body) ||
		!strings.Contains(h["Content-Disposition"], "01%20Undertow%201.opus") {
		t.Errorf("headers %v for %d bytes (sha %s)", h, len(body), hexSHA(body))
	}
	tags := tagsOf(t, body, ".opus")
	want := map[string]string{"codec": "opus", "title": "Undertow 1", "album": "Night Drive", "track": "1/2", "date": "2024",
		"comment":               fmt.Sprintf("Megabox receipt %d", p.ID),
		"replaygain_track_gain": fmt.Sprintf("%.2f dB", rel.Tracks[0].Loudness.TrackGainDB),
		"replaygain_album_gain": fmt.Sprintf("%.2f dB", rel.Tracks[0].Loudness.AlbumGainDB)}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("tag %s = %q, want %q", k, tags[k], v)
		}
	}
	status, part, ph := e.raw("GET", path, fan.Token(), nil, "Range", "bytes=100-")
	if status != 206 || !bytes.Equal(part, body[100:]) || ph.Get("Megabox-Blob-Sha256") != hexSHA(body) {
		t.Errorf("range: %d, %d bytes, sha %s; want 206 with the rest of the same file", status, len(part), ph.Get("Megabox-Blob-Sha256"))
	}
	// The master itself, unchanged, without a format.
	status, master, _ := e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/audio", rel.Tracks[0].ID), fan.Token(), nil)
	if status != 200 || hexSHA(master) != rel.Tracks[0].AudioSHA256 {
		t.Errorf("no format: %d, sha %s; want the master %s", status, hexSHA(master), rel.Tracks[0].AudioSHA256)
	}
	status, b, _ := e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/audio?format=wav", rel.Tracks[0].ID), fan.Token(), nil)
	if status != 400 || !strings.Contains(string(b), `"format"`) {
		t.Errorf("?format=wav: %d %s, want 400 naming the format field", status, b)
	}
	other, _ := e.signUp("other", false)
	if status, _, _ := e.raw("GET", path, other.Token(), nil); status != 403 {
		t.Errorf("someone who did not buy: %d, want 403", status)
	}
}

// A purchase's archive in a format answers 202 until every track is made
// (all queued by the first ask), then the zip of tagged files.
func TestArchiveFormatAnswers202ThenTheZip(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("ann", true)
	fan, _ := e.signUp("fan", false)
	rel, p := e.flacRelease(ann, fan)
	path := fmt.Sprintf("/api/v1/purchases/%d/archive.zip?format=mp3-v0", p.ID)
	status, b, _ := e.raw("GET", path, fan.Token(), nil)
	if status != 202 {
		t.Fatalf("first answer %d %s, want 202", status, b)
	}
	for _, tr := range rel.Tracks {
		st, err := e.p.Jobs.Status(context.Background(), transcode.Kind, transcode.Key(tr.AudioSHA256, api.FormatMP3V0))
		if err != nil {
			t.Errorf("track %d: no transcode queued by the first ask: %v", tr.Position, err)
		} else {
			t.Logf("track %d: %+v", tr.Position, st)
		}
	}
	body, h, _ := e.untilReady(path, fan.Token())
	if h["Content-Type"] != "application/zip" || h["Megabox-Blob-Sha256"] != hexSHA(body) {
		t.Errorf("headers %v, sha %s", h, hexSHA(body))
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		if !strings.HasSuffix(f.Name, ".mp3") {
			continue
		}
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		tags := tagsOf(t, data, ".mp3")
		if tags["codec"] != "mp3" || tags["album"] != "Night Drive" || tags["comment"] != fmt.Sprintf("Megabox receipt %d", p.ID) {
			t.Errorf("%s: tags %v", f.Name, tags)
		}
	}
	joined := strings.Join(names, "\n")
	if !strings.Contains(joined, "/01 Undertow 1.mp3") || !strings.Contains(joined, "/02 Undertow 2.mp3") || !strings.Contains(joined, "receipt.jws") {
		t.Errorf("zip holds:\n%s\nwant both tracks as .mp3 and the receipt", joined)
	}
	// FLAC needs no transcode: ready at once.
	status, fb, fh := e.raw("GET", fmt.Sprintf("/api/v1/purchases/%d/archive.zip?format=flac", p.ID), fan.Token(), nil)
	if status != 200 || fh.Get("Megabox-Blob-Sha256") != hexSHA(fb) {
		t.Fatalf("FLAC archive: %d, want 200 at once", status)
	}
}

// A transcode queued while the platform was down runs when it starts.
func TestQueuedTranscodeRunsAfterARestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() (*platform.Platform, *httptest.Server) {
		p, err := platform.Open(ctx, dir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return p, httptest.NewServer(p.Handler)
	}
	p, srv := open()
	e := &env{t: t, dir: dir, p: p, srv: srv}
	ann, _ := e.signUp("ann", true)
	fan, _ := e.signUp("fan", false)
	rel, _ := e.flacRelease(ann, fan)
	master := rel.Tracks[1].AudioSHA256
	srv.Close()
	p.Close()

	db, err := sqlite.Open(ctx, filepath.Join(dir, "megabox.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = db.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.EnqueueJob(ctx, transcode.Kind, transcode.Key(master, api.FormatAAC), time.Now(), time.Time{})
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	p, srv = open()
	defer func() { srv.Close(); p.Close() }()
	var st jobs.Status
	wait.For(t, 2*time.Minute, func() bool {
		st, err = p.Jobs.Status(ctx, transcode.Kind, transcode.Key(master, api.FormatAAC))
		return err == nil && st.State == jobs.Done
	}, func() string { return fmt.Sprintf("the queued transcode done after the restart; now %+v, %v", st, err) })
	e = &env{t: t, dir: dir, p: p, srv: srv}
	status, body, h := e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/audio?format=aac", rel.Tracks[1].ID), fan.Token(), nil)
	if status != 200 || h.Get("Content-Type") != "audio/mp4" || tagsOf(t, body, ".m4a")["codec"] != "aac" {
		t.Errorf("after the restart: %d %s, want the AAC at once", status, h.Get("Content-Type"))
	}
}
