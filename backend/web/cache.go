package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/megabox-fm/megabox/backend/api"
)

// Cache keeps the public pages anonymous visitors get, for a few seconds:
// under load, one render serves every visitor of a page, and a page is at
// most ttl old (a creator's edit shows within it). Only answers the pages
// mark public, without cookies set, are kept; a visitor with a session is
// always served fresh.
func Cache(next http.Handler, ttl time.Duration) http.Handler {
	return &pageCache{next: next, ttl: ttl, now: time.Now, pages: map[string]*keptPage{}}
}

// maxCached bounds the cache's bytes; maxPage one page kept.
const (
	maxCached = 64 << 20
	maxPage   = 1 << 20
)

type pageCache struct {
	next  http.Handler
	ttl   time.Duration
	now   func() time.Time
	group singleflight.Group

	mu    sync.Mutex
	pages map[string]*keptPage
	bytes int
}

type keptPage struct {
	status int
	header http.Header
	body   []byte
	until  time.Time
	keep   bool
}

func (c *pageCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !cacheable(r) {
		c.next.ServeHTTP(w, r)
		return
	}
	key := r.Host + "\x00" + r.URL.RequestURI() + "\x00" + r.Header.Get("Accept-Language") + "\x00" + r.Header.Get("Cookie") +
		"\x00" + r.Header.Get("X-Forwarded-Proto")
	p := c.fresh(key)
	if p == nil {
		// Visitors arriving while the page renders wait for that render;
		// it runs to the end even if the first of them leaves. A render
		// the page marked not to keep (one setting a cookie, like a
		// sign-in form's token) is its own visitor's only: the others
		// render their own. A visitor who missed just before a render was
		// stored finds it here rather than rendering again.
		ran := false
		v, _, _ := c.group.Do(key, func() (any, error) {
			if p := c.fresh(key); p != nil {
				return p, nil
			}
			ran = true
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			c.next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
			p := rec.page(c.now().Add(c.ttl))
			c.store(key, p)
			return p, nil
		})
		p = v.(*keptPage)
		if !p.keep && !ran {
			c.next.ServeHTTP(w, r)
			return
		}
	}
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	w.WriteHeader(p.status)
	_, _ = w.Write(p.body)
}

// cacheable: a plain GET by a visitor without a session.
func cacheable(r *http.Request) bool {
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "" || strings.HasPrefix(r.URL.Path, "/static/") {
		return false
	}
	_, err := r.Cookie(api.SessionCookie)
	return err != nil
}

func (c *pageCache) fresh(key string) *keptPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pages[key]
	if p == nil || c.now().After(p.until) {
		return nil
	}
	return p
}

// store keeps a page the cache may keep, making room by dropping what is
// out of date, or everything.
func (c *pageCache) store(key string, p *keptPage) {
	if !p.keep {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+len(p.body) > maxCached {
		now := c.now()
		for k, old := range c.pages {
			if now.After(old.until) {
				c.bytes -= len(old.body)
				delete(c.pages, k)
			}
		}
		if c.bytes+len(p.body) > maxCached {
			clear(c.pages)
			c.bytes = 0
		}
	}
	if old := c.pages[key]; old != nil {
		c.bytes -= len(old.body)
	}
	c.pages[key] = p
	c.bytes += len(p.body)
}

// recorder takes a rendered page.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// page is what was rendered, and whether others may be served it: a
// successful page marked public, setting no cookie, not too big.
func (r *recorder) page(until time.Time) *keptPage {
	cc := r.header.Get("Cache-Control")
	keep := r.status == http.StatusOK && strings.Contains(cc, "public") && r.header.Get("Set-Cookie") == "" && r.body.Len() <= maxPage
	return &keptPage{status: r.status, header: r.header, body: r.body.Bytes(), until: until, keep: keep}
}
