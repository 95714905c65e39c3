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
	codes   *attempts // attempts at download and discount codes
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{signIns: newAttempts(signInWindow), signUps: newAttempts(signUpWindow), codes: newAttempts(codeWindow)}
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func ipKey(ip string) string         { return "i:" + ip }

// attempts counts attempts per key in fixed windows. It holds at most max
// keys: every key's window has the same length and starts when the key is
// first seen, so keys expire in the order they were added and a queue in
// that order finds the expired ones without a scan. When the table is full
// a new key is refused until the oldest expires (it fails closed): a flood
// of cheap requests for new keys cannot make the table, or the time spent
// on it, grow.
type attempts struct {
	mu      sync.Mutex
	now     func() time.Time
	window  time.Duration
	max     int
	entries map[string]*count
	order   []*count // entries, oldest first, from head on
	head    int
}

type count struct {
	key   string
	n     int
	since time.Time
}

// limit is a key and how many attempts it may make in a window.
type limit struct {
	key string
	max int
}

func newAttempts(window time.Duration) *attempts {
	return &attempts{now: time.Now, window: window, max: maxThrottleEntries, entries: map[string]*count{}}
}

// reserve counts one attempt against every limit, or none at all: if any
// key has reached its limit it returns how long until that key may try
// again. The check and the count are one step, so parallel attempts
// cannot all pass the check before any is counted. full reports a refusal
// because the table had no room for a new key.
func (a *attempts) reserve(limits ...limit) (wait time.Duration, full bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	a.expire(now)
	fresh := 0
	for _, l := range limits {
		c := a.entries[l.key]
		if c == nil {
			fresh++
		} else if c.n >= l.max {
			wait = max(wait, a.window-now.Sub(c.since))
		}
	}
	if wait > 0 {
		return wait, false
	}
	if len(a.entries)+fresh > a.max {
		return a.untilRoom(now), true
	}
	for _, l := range limits {
		c := a.entries[l.key]
		if c == nil {
			c = &count{key: l.key, since: now}
			a.entries[l.key] = c
			a.order = append(a.order, c)
		}
		c.n++
	}
	return 0, false
}

// expire drops the keys whose window has ended, oldest first.
func (a *attempts) expire(now time.Time) {
	for a.head < len(a.order) && now.Sub(a.order[a.head].since) >= a.window {
		delete(a.entries, a.order[a.head].key)
		a.order[a.head] = nil
		a.head++
	}
	if a.head > len(a.order)/2 { // reuse the front once half of it is spent
		n := copy(a.order, a.order[a.head:])
		clear(a.order[n:])
		a.order, a.head = a.order[:n], 0
	}
}

// untilRoom is how long until the oldest key expires.
func (a *attempts) untilRoom(now time.Time) time.Duration {
	if a.head == len(a.order) {
		return a.window
	}
	return a.window - now.Sub(a.order[a.head].since)
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

// reset forgets key's attempts. The key keeps its place until its window
// ends, so the queue and the table always hold the same keys.
func (a *attempts) reset(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c := a.entries[key]; c != nil {
		c.n = 0
	}
}

// len is how many keys the table holds.
func (a *attempts) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.entries)
}
