package http_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// TestMyReleasesShowTheOwnerADamagedMaster: the creator's own list of
// releases (what the desktop syncs and lists) says which track's master a
// decode found damaged, as the release itself does.
func TestMyReleasesShowTheOwnerADamagedMaster(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, _ := e.signUp("ann", true)
	good := read(t, testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "g.wav"), 44100, 16, 2, "synth", "2", "pinknoise", "gain", "-10")))
	bad := bytes.Clone(good)
	bad[8+18+5] ^= 0x01 // a bit of the MD5 in STREAMINFO
	goodSHA, badSHA := e.upload(c, good), e.upload(c, bad)
	draft, err := c.CreateRelease(ctx, api.Manifest{Title: "Damaged", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Good", AudioSHA256: goodSHA}, {Position: 2, Title: "Bad", AudioSHA256: badSHA}}})
	if err != nil {
		t.Fatal(err)
	}
	wait.For(t, 2*time.Minute, func() bool {
		st, err := e.p.Jobs.Status(ctx, service.JobAnalyze, badSHA)
		return err == nil && st.State == jobs.Done
	}, func() string { return "the analysis of the damaged master" })
	const problem = "the FLAC's decoded audio does not match the MD5 checksum in its header, so the file is damaged: encode it again from the original and upload that"
	page, err := c.MyReleases(ctx, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != draft.ID || len(page.Items[0].Tracks) != 2 {
		t.Fatalf("MyReleases = %+v", page.Items)
	}
	if got := page.Items[0].Tracks; got[0].Problem != "" || got[1].Problem != problem {
		t.Fatalf("the owner's list shows problems %q, %q; want none and %q", got[0].Problem, got[1].Problem, problem)
	}
	if got := page.Items[0].Tracks; got[0].ProblemCode != "" || got[1].ProblemCode != api.ProblemFLACChecksum {
		t.Fatalf("the owner's list shows problem codes %q, %q; want none and %q", got[0].ProblemCode, got[1].ProblemCode, api.ProblemFLACChecksum)
	}
	// The code is on the wire under its documented name, beside the text.
	status, body, _ := e.raw("GET", "/api/v1/me/releases", c.Token(), nil)
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"problem_code":"flac_checksum"`)) || bytes.Count(body, []byte(`"problem_code"`)) != 1 {
		t.Fatalf("GET my releases: %d %s; want problem_code flac_checksum once", status, body)
	}
}
