package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestEmbeddedPictureBecomesTheCover: a folder whose only artwork is the
// picture embedded in its MP3s gets that picture as its cover, uploaded
// under a name the platform accepts, for JPEG and PNG pictures alike.
func TestEmbeddedPictureBecomesTheCover(t *testing.T) {
	for _, tc := range []struct {
		name string
		img  []byte
	}{
		{"jpeg", testmedia.JPEG(64, 64)},
		{"png", testmedia.PNG(48, 48)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			dir := filepath.Join(e.rootPath, "Embedded")
			os.MkdirAll(dir, 0o755)
			pic := filepath.Join(t.TempDir(), "art."+tc.name)
			if err := os.WriteFile(pic, tc.img, 0o644); err != nil {
				t.Fatal(err)
			}
			testmedia.MP3(t, filepath.Join(dir, "01.mp3"), 1, 330, testmedia.Tags{Title: "One", Cover: pic})
			testmedia.MP3(t, filepath.Join(dir, "02.mp3"), 1, 440, testmedia.Tags{Title: "Two", Cover: pic})
			rep := e.syncOnce(e.engine(Options{}))
			if rep.Failed() {
				t.Fatalf("sync failed: %+v %v", rep.FileErrors, rep.Errors)
			}
			sum := sha256.Sum256(tc.img)
			want := hex.EncodeToString(sum[:])
			rel := e.release("Embedded")
			if rel.CoverSHA256 != want {
				t.Fatalf("cover = %q, want the embedded picture %q", rel.CoverSHA256, want)
			}
			if !e.serverBlobs()[want] {
				t.Errorf("the platform does not hold the picture %s", want)
			}
			if st := e.releaseState("Embedded"); st != StateSynced {
				t.Errorf("release state %q, want synced", st)
			}
		})
	}
}
