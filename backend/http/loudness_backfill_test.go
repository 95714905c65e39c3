package http_test

import (
	"context"
	"database/sql"
	"log/slog"
	"math"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// openPlatform starts megaboxd on dir, as a restart does.
func openPlatform(t *testing.T, dir string) (*platform.Platform, *env) {
	t.Helper()
	p, err := platform.Open(context.Background(), dir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return p, &env{t: t, dir: dir, p: p, srv: srv}
}

// TestLoudnessBackfillAfterRestart: a release the platform never queued
// the analysis of (named before it measured loudness, its database
// holding no jobs) is measured once the platform starts again, track and
// album, without being saved again.
func TestLoudnessBackfillAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p1, e := openPlatform(t, dir)
	c, _ := e.signUp("ann", true)
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "a.wav"), 44100, 16, 2, "synth", "3", "pinknoise", "gain", "-14")),
		testmedia.EncodeFLAC(t, testmedia.Synth(t, filepath.Join(t.TempDir(), "b.wav"), 44100, 24, 2, "synth", "3", "sine", "440", "gain", "-18")),
	}
	shas := []string{e.upload(c, read(t, paths[0])), e.upload(c, read(t, paths[1]))}
	wait.For(t, time.Minute, func() bool {
		st, err := p1.Jobs.Status(ctx, service.JobBackfill, service.BackfillKey)
		return err == nil && st.State == jobs.Done
	}, func() string { return "the first start's backfill pass" })
	// Named straight in the store, as releases were before the platform
	// measured them: no job is queued.
	var id int64
	err = p1.Store.WithTx(ctx, func(tx store.Tx) error {
		var err error
		m := api.Manifest{Title: "Old", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
			{Position: 1, Title: "One", AudioSHA256: shas[0]}, {Position: 2, Title: "Two", AudioSHA256: shas[1]}}}
		if id, err = tx.InsertRelease(ctx, me.ID, m, time.Now()); err != nil {
			return err
		}
		return tx.ReplaceTracks(ctx, id, m.Tracks)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p1.Jobs.Status(ctx, service.JobAnalyze, shas[0]); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("analysis of the old release's audio: %v, want none queued", err)
	}
	e.srv.Close()
	p1.Close()
	db, err := sql.Open("sqlite3", filepath.Join(dir, "megabox.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM jobs`); err != nil { // a database from before the queue holds none
		t.Fatal(err)
	}
	db.Close()

	p2, _ := openPlatform(t, dir)
	var rel *api.Release
	wait.For(t, 2*time.Minute, func() bool {
		rel, err = p2.Store.Release(ctx, id)
		return err == nil && len(rel.Tracks) == 2 && rel.Tracks[0].Loudness != nil && rel.Tracks[1].Loudness != nil &&
			rel.Tracks[0].Loudness.AlbumLUFS != 0
	}, func() string { return "the old release to be measured after the restart" })
	album, _ := testmedia.FFmpegLoudness(t, paths...)
	for i, tr := range rel.Tracks {
		want, _ := testmedia.FFmpegLoudness(t, paths[i])
		if l := tr.Loudness; math.Abs(l.TrackLUFS-want) > 0.1 || math.Abs(l.AlbumLUFS-album) > 0.1 {
			t.Errorf("%s: track %.2f LUFS (ffmpeg %.2f), album %.2f (ffmpeg %.2f)", tr.Title, l.TrackLUFS, want, l.AlbumLUFS, album)
		}
	}
	if st, err := p2.Jobs.Status(ctx, service.JobBackfill, service.BackfillKey); err != nil || st.State != jobs.Done {
		t.Fatalf("backfill pass: %+v, %v", st, err)
	}
}
