package sync

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"golang.org/x/text/unicode/norm"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestGrowingFileNeverUploadsPartially appends to a track while Serve
// runs; only the finished file may ever reach the platform.
func TestGrowingFileNeverUploadsPartially(t *testing.T) {
	grow := 3 * time.Second
	if os.Getenv("MEGABOX_DRILLS") == "long" {
		grow = 60 * time.Second
	}
	e := newEnv(t)
	full := testmedia.MP3Bytes(t, grow.Seconds()*2+5, 523)
	eng := e.engine(Options{Quiet: 300 * time.Millisecond, Settle: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Serve(ctx)
	dir := filepath.Join(e.rootPath, "Growing")
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, "01.mp3")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	step := len(full) / int(grow/(100*time.Millisecond))
	for off := 0; off < len(full); off += step {
		f.Write(full[off:min(off+step, len(full))])
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	wait.Until(t, 20*time.Second, "the grown file to sync", func() bool { return e.releaseState("Growing") == StateSynced })
	blobs := e.serverBlobs()
	if len(blobs) != 1 || !blobs[fileSHA(t, p)] {
		t.Fatalf("platform holds %d blobs; want only the finished file", len(blobs))
	}
}

// TestRenamesOfFormAndCase renames files to their NFD form and to another
// case: nothing is uploaded again, overwritten or lost.
func TestRenamesOfFormAndCase(t *testing.T) {
	e := newEnv(t)
	d := filepath.Join(e.rootPath, "Renames")
	os.MkdirAll(d, 0o755)
	nfc := norm.NFC.String("01 - Café.mp3")
	testmedia.MP3(t, filepath.Join(d, nfc), 1, 300, testmedia.Tags{Title: "Café", Track: "1"})
	testmedia.MP3(t, filepath.Join(d, "02 - song.mp3"), 1, 400, testmedia.Tags{Title: "Song", Track: "2"})
	eng := e.engine(Options{})
	e.syncOnce(eng)
	before := e.release("Renames")
	sent := eng.BytesSent()
	os.Rename(filepath.Join(d, nfc), filepath.Join(d, norm.NFD.String(nfc)))
	os.Rename(filepath.Join(d, "02 - song.mp3"), filepath.Join(d, "02 - SONG.mp3"))
	e.syncOnce(eng)
	after := e.release("Renames")
	if eng.BytesSent() != sent {
		t.Fatalf("renames re-uploaded %d bytes", eng.BytesSent()-sent)
	}
	if len(after.Tracks) != 2 || after.Tracks[0].AudioSHA256 != before.Tracks[0].AudioSHA256 || after.Tracks[1].AudioSHA256 != before.Tracks[1].AudioSHA256 {
		t.Fatalf("tracks after renames: %+v", after.Tracks)
	}
	entries, _ := os.ReadDir(d)
	if len(entries) != 2 {
		t.Fatalf("%d files in the folder after renames, want 2", len(entries))
	}
}
