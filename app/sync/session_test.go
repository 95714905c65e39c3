package sync

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestSignedInRetriesAtOnce: a folder refused because the session was
// revoked syncs as soon as the creator signs in again, not after the
// minute-long backoff for errors the creator must fix.
func TestSignedInRetriesAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.client.DeleteSession(ctx); err != nil { // revoked: the client still sends the old token
		t.Fatal(err)
	}
	e.album("Comeback", 2, 1)
	eng := e.engine(Options{})
	go eng.Serve(ctx)
	wait.Until(t, 2*time.Minute, "the folder to fail for want of a session", func() bool {
		rec, _ := e.cache.Release(ctx, e.root.ID, "Comeback")
		p := ParseProblem(rec.Error)
		return rec.State == StateError && p != nil && p.Kind == KindRefused && p.Code == api.EUNAUTHORIZED
	})
	if _, err := e.client.CreateSession(ctx, api.Credentials{Email: "ann@example.com", Password: "password1"}); err != nil {
		t.Fatal(err)
	}
	eng.SignedIn()
	wait.Until(t, 2*time.Minute, "the folder to sync once signed in", func() bool {
		return e.releaseState("Comeback") == StateSynced
	})
	if got := len(e.release("Comeback").Tracks); got != 2 {
		t.Fatalf("tracks: got %d, want 2", got)
	}
}
