package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestMigrationDropsGhostTracks: tracks earlier updates left behind at
// negative positions are deleted; the release's real tracks stay.
func TestMigrationDropsGhostTracks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	migrateDownTo(t, db, 2) // as before the migration ran
	sha := "e7dd008fd392ac74dfc0f023b28214444c67cfd4a88ba12e56007189d28a57d4"
	for _, q := range []string{
		`INSERT INTO accounts (id, email, password_hash, display_name, creator, created_at) VALUES (1, 'a@example.com', 'x', 'Ann', 1, 0)`,
		`INSERT INTO blobs (sha256, size, media_type, created_at) VALUES ('` + sha + `', 10, 'audio/mpeg', 0)`,
		`INSERT INTO releases (id, artist_id, title, artist_name, state, price_cents, currency, created_at, updated_at) VALUES (1, 1, 'R', 'Ann', 'draft', 0, 'EUR', 0, 0)`,
		`INSERT INTO tracks (release_id, position, title, audio_sha256) VALUES (1, -1, 'Ghost', '` + sha + `'), (1, -3, 'Ghost', '` + sha + `'),
			(1, 1, 'One', '` + sha + `'), (1, 2, 'Two', '` + sha + `')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tracks, err := db.tracks(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(tracks) != 2 || tracks[0].Title != "One" || tracks[0].Position != 1 || tracks[1].Title != "Two" || tracks[1].Position != 2 {
		t.Fatalf("tracks after migrating = %+v, want One and Two at 1 and 2", tracks)
	}
}
