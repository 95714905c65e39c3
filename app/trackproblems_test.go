package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// The creator's own list of releases, as a real megaboxd sends it, names
// each master its decode found damaged; the Sync view says which track
// and why, by kind, and nothing about sound tracks.
func TestTrackProblemsFromTheCreatorsList(t *testing.T) {
	p, err := platform.Open(context.Background(), t.TempDir(), platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	ann := signedIn(t, srv.URL, "ann", true)
	ctx := context.Background()
	good := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "g.wav"), 44100, 16, 2, "synth", "2", "sine", "440", "gain", "-12"))
	bad := filepath.Join(t.TempDir(), "bad.flac")
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bad, b, 0o644)
	testmedia.BreakFLACMD5(t, bad)
	upload := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		if _, err := ann.UploadFile(ctx, bytes.NewReader(data), &mhttp.Upload{SHA256: sha, Size: int64(len(data)), Filename: filepath.Base(path)}); err != nil {
			t.Fatal(err)
		}
		return sha
	}
	goodSHA, badSHA := upload(good), upload(bad)
	if _, err := ann.CreateRelease(ctx, api.Manifest{Title: "Night", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "One", AudioSHA256: goodSHA}, {Position: 2, Title: "Undertow", AudioSHA256: badSHA}}}); err != nil {
		t.Fatal(err)
	}
	wait.For(t, 2*time.Minute, func() bool {
		st, err := p.Jobs.Status(ctx, service.JobAnalyze, badSHA)
		return err == nil && st.State == jobs.Done
	}, func() string { return "the platform's decode of the damaged master" })
	page, err := ann.MyReleases(ctx, 10, "")
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("MyReleases = %+v, %v", page, err)
	}
	if code := page.Items[0].Tracks[1].ProblemCode; code != api.ProblemFLACChecksum {
		t.Fatalf("the platform sends the problem code %q, want %q", code, api.ProblemFLACChecksum)
	}
	got := trackProblems(page.Items[0])
	if len(got) != 1 || got[0].Position != 2 || got[0].Title != "Undertow" || got[0].Kind != TrackDamaged || got[0].Detail == "" {
		t.Fatalf("track problems %+v; want track 2 (Undertow), %s", got, TrackDamaged)
	}
	// Reworded by a later platform, the problem is still known by its code.
	page.Items[0].Tracks[1].Problem = "le fichier est endommagé"
	if got := trackProblems(page.Items[0]); len(got) != 1 || got[0].Kind != TrackDamaged || got[0].Detail != "le fichier est endommagé" {
		t.Fatalf("reworded: track problems %+v; want %s with the platform's words", got, TrackDamaged)
	}
}

// TestTrackProblemKinds: a problem's kind is its code's; a code the app
// does not know is TrackOther whatever its words, and only a platform
// that sends no code is read by its words.
func TestTrackProblemKinds(t *testing.T) {
	const md5Text = "the FLAC's decoded audio does not match the MD5 checksum in its header, so the file is damaged: encode it again from the original and upload that"
	const undecodableText = "the audio cannot be decoded to its end, so the file is damaged: upload a good copy"
	for _, tc := range []struct {
		code, problem, want string
	}{
		{api.ProblemFLACChecksum, "checksum mismatch", TrackDamaged},
		{api.ProblemUndecodable, "decoding stopped early", TrackUndecodable},
		{api.ProblemUndecodable, md5Text, TrackUndecodable},
		{"clipping", "the audio clips (MD5 fine)", TrackOther},
		{"", md5Text, TrackDamaged},
		{"", undecodableText, TrackUndecodable},
		{"", "the file is too quiet", TrackOther},
	} {
		rel := api.Release{Tracks: []api.Track{
			{Position: 1, Title: "Sound"},
			{Position: 2, Title: "Undertow", Problem: tc.problem, ProblemCode: tc.code},
		}}
		got := trackProblems(rel)
		want := []TrackProblem{{Position: 2, Title: "Undertow", Kind: tc.want, Detail: tc.problem}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("code %q, problem %q: %+v, want %+v", tc.code, tc.problem, got, want)
		}
	}
}
