package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestPlayerWaitsForAFLACPreview: on a release page in Chromium, the
// first play of a FLAC master's preview meets a 202 while its MP3 is
// made; the player says it is preparing the preview, asks again, and
// plays it once it is there.
func TestPlayerWaitsForAFLACPreview(t *testing.T) {
	pw, err := filepath.Abs("../../frontend/node_modules/playwright-core")
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []string{"/usr/bin/chromium", filepath.Join(pw, "index.mjs")} {
		if _, err := os.Stat(need); err != nil {
			if os.Getenv("MEGABOX_REQUIRE_SERVICES") != "" {
				t.Fatalf("%s is missing: run .ci/deps test", need)
			}
			t.Skipf("%s is missing", need)
		}
	}
	e := newEnv(t)
	c := e.creator(api.Profile{Handle: "hires", DisplayName: "Hi-Res"})
	master := testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "m.wav"), 96000, 24, 2, "synth", "40", "sine", "330", "gain", "-12"))
	data, err := os.ReadFile(master)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rel, err := c.CreateRelease(ctx, api.Manifest{Title: "Lossless", Slug: "lossless", PriceCents: 500, Currency: "EUR", PreviewSeconds: 20,
		CoverSHA256: e.upload(c, testmedia.PNG(32, 32)), Tracks: []api.ManifestTrack{{Position: 1, Title: "One", AudioSHA256: e.upload(c, data)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", "testdata/flacpreview.mjs", pw, e.srv.URL+"/@hires/lossless?lang=en").CombinedOutput()
	if err != nil {
		t.Fatalf("browser: %v: %s", err, out)
	}
	var got struct {
		Preparing    string   `json:"preparing"`
		SawPreparing bool     `json:"sawPreparing"`
		CurrentTime  float64  `json:"currentTime"`
		Duration     float64  `json:"duration"`
		Playing      bool     `json:"playing"`
		Problems     []string `json:"problems"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("browser said %s", out)
	}
	if got.Preparing != "Preparing the preview…" || !got.SawPreparing || !got.Playing || got.CurrentTime <= 0.5 || len(got.Problems) > 0 {
		t.Fatalf("player: %+v", got)
	}
	if got.Duration < 19.9 || got.Duration > 20.5 {
		t.Errorf("the preview plays %.2f s, want 20", got.Duration)
	}
}
