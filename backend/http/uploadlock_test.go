package http

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestUploadLockerAsksOnlyAReadingHolder: a waiting request asks the holder
// to stop only once the holder reads its body (before that, tus has not
// set up what stopping closes), and gets the upload once it is unlocked.
func TestUploadLockerAsksOnlyAReadingHolder(t *testing.T) {
	l := newUploadLocker()
	holder, _ := l.NewLock("u")
	var asked atomic.Int32
	if err := holder.Lock(context.Background(), func() { asked.Add(1) }); err != nil {
		t.Fatal(err)
	}
	waiter, _ := l.NewLock("u")
	got := make(chan error, 1)
	go func() { got <- waiter.Lock(context.Background(), func() {}) }()

	// The waiter is registered once the entry is marked wanted.
	for deadline := time.Now().Add(5 * time.Second); !l.wanted("u"); {
		if time.Now().After(deadline) {
			t.Fatal("the waiter never asked for the upload")
		}
		time.Sleep(time.Millisecond) // polling the locker
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("holder asked to stop %d times before reading its body", n)
	}
	l.reading("u")
	if n := asked.Load(); n != 1 {
		t.Fatalf("holder asked %d times once reading, want 1", n)
	}
	select {
	case err := <-got:
		t.Fatalf("waiter got the upload while it was held (%v)", err)
	default:
	}
	holder.Unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}

	// A waiter whose context ends gives up with tus's lock timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	late, _ := l.NewLock("u")
	if err := late.Lock(ctx, func() {}); err == nil {
		t.Fatal("a cancelled waiter got a held upload")
	}
}

func (l *uploadLocker) wanted(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held[id] != nil && l.held[id].wanted
}
