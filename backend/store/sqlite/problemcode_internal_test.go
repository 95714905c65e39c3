package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestMigrationCodesRecordedProblems: analyses recorded before problems
// had codes get the code of the text the platform wrote then; any other
// text keeps none, and sound audio none.
func TestMigrationCodesRecordedProblems(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	migrateDownTo(t, db, 19) // as before the migration ran
	want := map[string]string{
		"the FLAC's decoded audio does not match the MD5 checksum in its header, so the file is damaged: encode it again from the original and upload that": api.ProblemFLACChecksum,
		"the audio cannot be decoded to its end, so the file is damaged: upload a good copy":                                                                api.ProblemUndecodable,
		"something else": "",
		"":               "",
	}
	shas := map[string]string{}
	for problem := range want {
		sha := filepath.Base(t.TempDir()) // a distinct key per row
		shas[problem] = sha
		if _, err := db.write.ExecContext(ctx, `INSERT INTO blobs (sha256, size, media_type, created_at) VALUES (?, 10, 'audio/flac', 0)`, sha); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, `INSERT INTO audio_analyses (sha256, lufs, peak, problem, analyzed_at) VALUES (?, -14, 1, ?, 0)`, sha, problem); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for problem, code := range want {
		a, err := db.AudioAnalysis(ctx, shas[problem])
		if err != nil {
			t.Fatal(err)
		}
		if a.Problem != problem || a.ProblemCode != code {
			t.Errorf("after migrating, problem %q has code %q, want %q", a.Problem, a.ProblemCode, code)
		}
	}
}
