package http

import (
	"strings"
	"sync"
	"time"
)

// Throttling. Sign-ins: at most maxAttemptsAccount unsuccessful attempts per
// account and maxAttemptsIP per address in a window. An attempt is counted
// when it starts, before the slow password check, so a burst of parallel
// guesses gets no more checks than the limit. Sign-ups: a configured number
// per address an hour.
const (
	signInWindow       = 15 * time.Minute
	maxAttemptsAccount = 5
	maxAttemptsIP      = 50
	signUpWindow       = time.Hour
	maxThrottleEntries = 100_000
)

type loginThrottle struct {
	signIns *attempts
	signUps *attempts
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{signIns: newAttempts(signInWindow), signUps: newAttempts(signUpWindow)}
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func ipKey(ip string) string         { return "i:" + ip }

// attempts counts attempts per key in fixed windows.
type attempts struct {
	mu      sync.Mutex
	now     func() time.Time
	window  time.Duration
	entries map[string]*count
}

type count struct {
	n     int
	since time.Time
}

// limit is a key and how many attempts it may make in a window.
type limit struct {
	key string
	max int
}

func newAttempts(window time.Duration) *attempts {
	return &attempts{now: time.Now, window: window, entries: map[string]*count{}}
}

// reserve counts one attempt against every limit, or none at all: if any
// key has reached its limit it returns how long until that key may try
// again. The check and the count are one step, so parallel attempts
// cannot all pass the check before any is counted.
func (a *attempts) reserve(limits ...limit) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	var wait time.Duration
	for _, l := range limits {
		if c := a.current(l.key, now); c != nil && c.n >= l.max {
			wait = max(wait, a.window-now.Sub(c.since))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, l := range limits {
		c := a.current(l.key, now)
		if c == nil {
			if len(a.entries) >= maxThrottleEntries {
				a.prune(now)
			}
			c = &count{since: now}
			a.entries[l.key] = c
		}
		c.n++
	}
	return 0
}

// current returns key's count in the running window, or nil.
func (a *attempts) current(key string, now time.Time) *count {
	c := a.entries[key]
	if c != nil && now.Sub(c.since) >= a.window {
		delete(a.entries, key)
		return nil
	}
	return c
}

// release gives back one attempt that was not evaluated (or that must not
// count, like a successful sign-in against its address).
func (a *attempts) release(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.entries[key]; c != nil && c.n > 0 {
		c.n--
	}
}

// reset forgets key's attempts.
func (a *attempts) reset(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.entries, key)
}

func (a *attempts) prune(now time.Time) {
	for k, c := range a.entries {
		if now.Sub(c.since) >= a.window {
			delete(a.entries, k)
		}
	}
}
