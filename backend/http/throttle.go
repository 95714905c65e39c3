package http

import (
	"strings"
	"sync"
	"time"
)

// Login throttling: after too many failures in a window, further attempts
// for that account or from that address are refused until the window ends.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresAccount = 5
	maxFailuresIP      = 50
	maxThrottleEntries = 100_000
)

type loginThrottle struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*failures
}

type failures struct {
	count int
	since time.Time
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{now: time.Now, entries: map[string]*failures{}}
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func ipKey(ip string) string         { return "i:" + ip }

// blocked returns how long to wait before key may try again, or 0.
func (t *loginThrottle) blocked(key string, limit int) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.entries[key]
	if f == nil {
		return 0
	}
	left := throttleWindow - t.now().Sub(f.since)
	if left <= 0 {
		delete(t.entries, key)
		return 0
	}
	if f.count >= limit {
		return left
	}
	return 0
}

func (t *loginThrottle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.entries[key]
	if f == nil || now.Sub(f.since) >= throttleWindow {
		if len(t.entries) >= maxThrottleEntries {
			t.prune(now)
		}
		f = &failures{since: now}
		t.entries[key] = f
	}
	f.count++
}

func (t *loginThrottle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

func (t *loginThrottle) prune(now time.Time) {
	for k, f := range t.entries {
		if now.Sub(f.since) >= throttleWindow {
			delete(t.entries, k)
		}
	}
}
