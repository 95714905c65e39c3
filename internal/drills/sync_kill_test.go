package drills

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestKillSyncMidUpload kills megabox-cli sync with SIGKILL at random
// moments of an album upload, again and again, then lets it finish: the
// platform holds no partial or corrupt blob, every file arrives intact,
// and the draft has each track exactly once.
func TestKillSyncMidUpload(t *testing.T) {
	kills := 50
	if long() {
		kills = 500
	}
	dir := t.TempDir()
	bins := t.TempDir()
	srv := startServer(t, build(t, bins, "./backend/cmd/megaboxd"), filepath.Join(dir, "data"), "")
	cli := build(t, bins, "./app/cmd/megabox-cli")
	signUp(t, srv.url(), "ann@example.com", true)

	music := filepath.Join(dir, "music")
	album := filepath.Join(music, "Drill Album")
	os.MkdirAll(album, 0o755)
	var shas []string
	for i := range 4 {
		p := filepath.Join(album, fmt.Sprintf("%02d.mp3", i+1))
		testmedia.MP3(t, p, 40, 200+float64(i)*70, testmedia.Tags{Title: fmt.Sprint("Drill ", i+1), Track: fmt.Sprint(i + 1)})
		old := time.Now().Add(-time.Minute)
		os.Chtimes(p, old, old)
		shas = append(shas, fileSHA(t, p))
	}
	env := append(os.Environ(), "MEGABOX_HOME="+filepath.Join(dir, "home"), "MEGABOX_NO_KEYRING=1", "MEGABOX_PASSWORD=password1")
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(cli, args...)
		cmd.Env = env
		return cmd
	}
	if out, err := run("login", "--server", srv.url(), "--email", "ann@example.com").CombinedOutput(); err != nil {
		t.Fatalf("login: %v %s", err, out)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := range kills {
		cmd := run("sync", "--once", "--limit", "2000", music) // 2 MB/s keeps uploads in flight
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if i%10 == 0 {
			blobsIntact(t, filepath.Join(dir, "data"))
		}
	}
	if out, err := run("sync", "--once", music).CombinedOutput(); err != nil {
		t.Fatalf("final sync: %v\n%s", err, out)
	}
	blobs := blobsIntact(t, filepath.Join(dir, "data"))
	for _, s := range shas {
		if !blobs[s] {
			t.Errorf("file %s never arrived", s)
		}
	}
	c := signUp(t, srv.url(), "check@example.com", false)
	_ = c
	ann := login(t, srv.url(), "ann@example.com")
	page, err := ann.MyReleases(context.Background(), 100, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("%d releases after %d kills, want 1", len(page.Items), kills)
	}
	seen := map[string]bool{}
	for _, tr := range page.Items[0].Tracks {
		if seen[tr.AudioSHA256] {
			t.Errorf("track %s appears twice", tr.Title)
		}
		seen[tr.AudioSHA256] = true
	}
	if len(page.Items[0].Tracks) != 4 {
		t.Fatalf("draft has %d tracks, want 4", len(page.Items[0].Tracks))
	}
	t.Logf("%d kills; %d blobs intact", kills, len(blobs))
}
