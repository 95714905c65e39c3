package service

import (
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Verified sessions are remembered briefly so a burst of requests looks a
// token up once. Sign-out and a password change on this server evict at
// once; a session ended by another process over the same database is
// refused within sessionCacheTTL.
const (
	sessionCacheTTL = 5 * time.Second
	sessionCacheMax = 4096
)

// sessionCache maps token hashes (never tokens) to the caller they proved.
type sessionCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedSession
	// gen counts evictions: a lookup that began before one may have read a
	// session the eviction ended, so it is not remembered.
	gen uint64
}

type cachedSession struct {
	caller api.Caller
	until  time.Time // the earlier of the session's expiry and the TTL
}

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[[32]byte]cachedSession{}}
}

// get returns the caller of a remembered, still valid session, and the
// generation to pass to put after a database lookup.
func (c *sessionCache) get(key [32]byte, now time.Time) (*api.Caller, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && now.Before(e.until) {
		caller := e.caller
		return &caller, c.gen
	}
	if ok {
		delete(c.entries, key)
	}
	return nil, c.gen
}

// put remembers a session read from the database, unless an eviction
// happened since get returned gen.
func (c *sessionCache) put(key [32]byte, caller api.Caller, until time.Time, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= sessionCacheMax {
		c.dropExpired(now)
		if len(c.entries) >= sessionCacheMax {
			return
		}
	}
	c.entries[key] = cachedSession{caller: caller, until: until}
}

func (c *sessionCache) dropExpired(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
}

// forgetSession evicts one session; forgetAccount all of an account's.
func (c *sessionCache) forgetSession(id int64) {
	c.evict(func(e cachedSession) bool { return e.caller.SessionID == id })
}

func (c *sessionCache) forgetAccount(id int64) {
	c.evict(func(e cachedSession) bool { return e.caller.Account.ID == id })
}

func (c *sessionCache) evict(match func(cachedSession) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if match(e) {
			delete(c.entries, k)
		}
	}
}
