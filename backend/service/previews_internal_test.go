package service

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// TestCutCacheKeepsTheRecent: the cache holds at most its size, and what
// goes first when it is full is the cut used least recently.
func TestCutCacheKeepsTheRecent(t *testing.T) {
	c := newCutCache(2)
	a, b, d := cutKey{"a", 30}, cutKey{"b", 30}, cutKey{"a", 45}
	c.put(a, media.Cut{End: 1})
	c.put(b, media.Cut{End: 2})
	if got, ok := c.get(a); !ok || got.End != 1 { // a is now the most recent
		t.Fatalf("get a = %+v, %v", got, ok)
	}
	c.put(d, media.Cut{End: 3})
	if n := c.len(); n != 2 {
		t.Fatalf("%d cuts kept, want 2", n)
	}
	if _, ok := c.get(b); ok {
		t.Error("b, used least recently, is still kept")
	}
	for k, want := range map[cutKey]int64{a: 1, d: 3} {
		if got, ok := c.get(k); !ok || got.End != want {
			t.Errorf("get %v = %+v, %v; want End %d", k, got, ok, want)
		}
	}
}

// gatedBucket holds every Open until gate closes, counting how many wait
// at once.
type gatedBucket struct {
	blob.Bucket
	data          []byte
	gate          chan struct{}
	mu            sync.Mutex
	inFlight, max int
}

func (b *gatedBucket) Open(ctx context.Context, sha string) (blob.Object, error) {
	b.mu.Lock()
	b.inFlight++
	b.max = max(b.max, b.inFlight)
	b.mu.Unlock()
	<-b.gate
	b.mu.Lock()
	b.inFlight--
	b.mu.Unlock()
	return memObject{bytes.NewReader(b.data)}, nil
}

func (b *gatedBucket) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inFlight
}

type memObject struct{ *bytes.Reader }

func (memObject) Close() error { return nil }

// TestCutParsesBounded: first plays of many tracks at once read at most
// parsesAtOnce files together; every one still gets its cut.
func TestCutParsesBounded(t *testing.T) {
	b := &gatedBucket{data: testmedia.EncodeMP3(t, 8, 440, testmedia.Encoding{}), gate: make(chan struct{})}
	s := &PreviewService{bucket: b, cuts: newCutCache(100), parses: make(chan struct{}, parsesAtOnce)}
	const n = 3 * parsesAtOnce
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.cut(context.Background(), fmt.Sprintf("%064d", i), 5)
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.waiting() < parsesAtOnce && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	close(b.gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("cut %d: %v", i, err)
		}
	}
	if b.max != parsesAtOnce || s.Parsed() != n {
		t.Fatalf("%d files read at once (want %d), %d parses (want %d)", b.max, parsesAtOnce, s.Parsed(), n)
	}
}
