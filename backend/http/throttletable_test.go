package http

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestAttempts(window time.Duration, bound int) (*attempts, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := newAttempts(window)
	a.now, a.max = clock.now, bound
	return a, clock
}

// The table never holds more than its bound: at the bound a new key is
// refused until the oldest expires, a key already there is still counted,
// and keys whose window ended are dropped.
func TestThrottleTableIsBounded(t *testing.T) {
	const window = 15 * time.Minute
	a, clock := newTestAttempts(window, maxThrottleEntries)
	for i := range maxThrottleEntries {
		if i == maxThrottleEntries/2 {
			clock.advance(time.Minute) // the second half is a minute younger
		}
		if wait, full := a.reserve(limit{fmt.Sprint("k", i), 5}); wait != 0 || full {
			t.Fatalf("key %d below the bound: wait %v full %v, want admitted", i, wait, full)
		}
		if n := a.len(); n > maxThrottleEntries {
			t.Fatalf("table holds %d keys, bound %d", n, maxThrottleEntries)
		}
	}
	wait, full := a.reserve(limit{"new", 5})
	if !full || wait != window-time.Minute {
		t.Fatalf("new key at the bound: wait %v full %v, want refused for %v (until the oldest expires)", wait, full, window-time.Minute)
	}
	if n := a.len(); n != maxThrottleEntries {
		t.Fatalf("table holds %d keys after a refusal, want %d", n, maxThrottleEntries)
	}
	// A key already in the table is counted as before, up to its limit.
	for i := range 4 {
		if wait, full := a.reserve(limit{"k7", 5}); wait != 0 || full {
			t.Fatalf("attempt %d of a known key at the bound: wait %v full %v, want counted", i+2, wait, full)
		}
	}
	if wait, _ := a.reserve(limit{"k7", 5}); wait != window-time.Minute {
		t.Fatalf("sixth attempt of a known key: wait %v, want %v", wait, window-time.Minute)
	}
	// Once the first half's window ends, it is gone and new keys fit.
	clock.advance(window - time.Minute)
	if wait, full := a.reserve(limit{"new", 5}); wait != 0 || full {
		t.Fatalf("new key after the oldest expired: wait %v full %v, want admitted", wait, full)
	}
	if n, want := a.len(), maxThrottleEntries/2+1; n != want {
		t.Fatalf("table holds %d keys after the first half expired, want %d", n, want)
	}
	if wait, _ := a.reserve(limit{"k7", 5}); wait != 0 {
		t.Fatalf("expired key k7 still limited for %v", wait)
	}
	clock.advance(window)
	a.reserve(limit{"last", 5})
	if n := a.len(); n != 1 {
		t.Fatalf("table holds %d keys after every window ended, want 1", n)
	}
	if got := len(a.order) - a.head; got != 1 {
		t.Fatalf("expiry queue holds %d keys, want 1", got)
	}
}

// A reservation that needs two new keys with room for one takes neither.
func TestThrottleTableAllOrNothing(t *testing.T) {
	a, _ := newTestAttempts(time.Minute, 3)
	a.reserve(limit{"a", 5}, limit{"ip", 50})
	if _, full := a.reserve(limit{"b", 5}, limit{"ip2", 50}); !full {
		t.Fatal("two new keys with room for one: admitted")
	}
	if n := a.len(); n != 2 {
		t.Fatalf("table holds %d keys, want 2", n)
	}
	if wait, full := a.reserve(limit{"b", 5}, limit{"ip", 50}); wait != 0 || full {
		t.Fatalf("one new key with room for one: wait %v full %v", wait, full)
	}
	// A reset key keeps its place (and its window) but starts from zero.
	for range 5 {
		a.reserve(limit{"b", 5})
	}
	if wait, _ := a.reserve(limit{"b", 5}); wait == 0 {
		t.Fatal("key over its limit admitted")
	}
	a.reset("b")
	if wait, full := a.reserve(limit{"b", 5}); wait != 0 || full {
		t.Fatalf("reset key: wait %v full %v, want admitted", wait, full)
	}
}
