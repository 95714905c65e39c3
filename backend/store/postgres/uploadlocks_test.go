package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/store/postgres"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

// TestUploadLocksAskWhileEveryLockIsHeld: with as many uploads held as the
// server allows and its listener running, a request to let an upload go
// still reaches the server holding it.
func TestUploadLocksAskWhileEveryLockIsHeld(t *testing.T) {
	url := pgtest.NewDatabase(t)
	if _, err := postgres.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	locks, err := postgres.OpenUploadLocks(ctx, url, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); locks.Close() }() // the listener lets go of its connection first
	release, ok, err := locks.TryAcquire(ctx, "held")
	if err != nil || !ok {
		t.Fatalf("TryAcquire = %v, %v", ok, err)
	}
	defer release()
	asked := make(chan string, 10)
	done := make(chan error, 1)
	go func() { done <- locks.Listen(ctx, func(id string) { asked <- id }) }()
	got := ""
	wait.Until(t, 20*time.Second, "the holder to hear the request", func() bool {
		actx, acancel := context.WithTimeout(ctx, time.Second)
		defer acancel()
		if err := locks.AskRelease(actx, "held"); err != nil {
			return false
		}
		select {
		case got = <-asked:
			return true
		case <-time.After(200 * time.Millisecond):
			return false
		}
	})
	if got != "held" {
		t.Fatalf("heard %q", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Listen after its context ended: %v", err)
	}
}
