package service

import (
	"container/list"
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/media"
)

// Previews are cut once per audio file and length, then remembered: a
// track played a thousand times is read up to its cut once.
const (
	// cutCacheSize bounds the cuts remembered (about 100 bytes each).
	cutCacheSize = 10_000
	// parsesAtOnce bounds the files read to find a cut at the same time,
	// so a burst of first plays cannot take every disk or S3 connection.
	parsesAtOnce = 8
	// parseTimeout bounds one read of a file's head; a stalled bucket
	// fails the plays waiting on it instead of holding them.
	parseTimeout = 30 * time.Second
)

// PreviewService implements api.PreviewService over a store and the
// bucket the audio is in.
type PreviewService struct {
	*env
	bucket blob.Bucket
	cuts   *cutCache
	parses chan struct{}
	flight singleflight.Group
	parsed atomic.Int64 // files read to find a cut
}

var _ api.PreviewService = (*PreviewService)(nil)

// NewPreviewService returns the previews of s's tracks, whose audio is
// in b.
func NewPreviewService(s *Services, b blob.Bucket) *PreviewService {
	return &PreviewService{env: s.env, bucket: b, cuts: newCutCache(cutCacheSize), parses: make(chan struct{}, parsesAtOnce)}
}

// TrackPreview implements api.PreviewService.
func (s *PreviewService) TrackPreview(ctx context.Context, trackID int64) (*api.Preview, error) {
	t, err := s.st.Track(ctx, trackID)
	if err != nil {
		return nil, notFound(err, "track %d not found", trackID)
	}
	rel, err := s.st.Release(ctx, t.ReleaseID)
	if err != nil {
		return nil, notFound(err, "track %d not found", trackID)
	}
	if ok, err := visible(ctx, s.st, rel); err != nil {
		return nil, err
	} else if !ok {
		return nil, api.Errorf(api.ENOTFOUND, "track %d not found", trackID)
	}
	p := &api.Preview{TrackID: trackID, AudioSHA256: t.AudioSHA256, End: t.Size, Public: rel.State == api.StatePublished}
	// A track a pre-order holds is heard in part only, so a whole stream
	// does not hand out what buyers wait for.
	held := holdTrack(t, s.clock()) != nil
	if !rel.FullStreaming || held {
		p.Seconds = rel.PreviewSeconds
		if p.Seconds == 0 {
			p.Seconds = api.DefaultPreviewSeconds
		}
	}
	if lossless, err := s.lossless(ctx, t.AudioSHA256, p.Seconds); err != nil {
		return nil, err
	} else if lossless {
		return s.losslessPreview(ctx, p)
	}
	if p.Seconds == 0 {
		return p, nil
	}
	cut, err := s.cut(ctx, t.AudioSHA256, p.Seconds)
	if err != nil {
		return nil, err
	}
	p.Start, p.End = cut.Start, cut.End
	return p, nil
}

// cut returns the cut of seconds of an audio file: remembered, or found
// by one reader while others asking for the same cut wait for it.
func (s *PreviewService) cut(ctx context.Context, sha string, seconds int) (media.Cut, error) {
	key := cutKey{sha: sha, seconds: seconds}
	if c, ok := s.cuts.get(key); ok {
		return c, nil
	}
	v, err, _ := s.flight.Do(sha+"/"+strconv.Itoa(seconds), func() (any, error) {
		if c, ok := s.cuts.get(key); ok { // a flight that just ended found it
			return c, nil
		}
		// Detached from the first caller: the others wait for the same
		// answer even if that one goes away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), parseTimeout)
		defer cancel()
		c, err := s.findCut(ctx, sha, seconds)
		if err == nil {
			s.cuts.put(key, c)
		}
		return c, err
	})
	if err != nil {
		return media.Cut{}, err
	}
	return v.(media.Cut), nil
}

// findCut reads the head of an audio file, when a parse slot is free.
func (s *PreviewService) findCut(ctx context.Context, sha string, seconds int) (media.Cut, error) {
	select {
	case s.parses <- struct{}{}:
		defer func() { <-s.parses }()
	case <-ctx.Done():
		return media.Cut{}, ctx.Err()
	}
	s.parsed.Add(1)
	obj, err := s.bucket.Open(ctx, sha)
	if err != nil {
		return media.Cut{}, err
	}
	defer obj.Close()
	c, err := media.FindCut(obj, obj.Size(), seconds)
	if err != nil {
		return media.Cut{}, fmt.Errorf("preview of %s: %w", sha, err)
	}
	return c, nil
}

// Parsed is how many times a file was read to find a cut.
func (s *PreviewService) Parsed() int64 { return s.parsed.Load() }

type cutKey struct {
	sha     string
	seconds int
}

// cutCache remembers the most recently used cuts, up to max.
type cutCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *cutEntry, most recently used first
	byKey map[cutKey]*list.Element
}

type cutEntry struct {
	key cutKey
	cut media.Cut
}

func newCutCache(max int) *cutCache {
	return &cutCache{max: max, order: list.New(), byKey: map[cutKey]*list.Element{}}
}

func (c *cutCache) get(k cutKey) (media.Cut, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return media.Cut{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cutEntry).cut, true
}

func (c *cutCache) put(k cutKey, cut media.Cut) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		e.Value.(*cutEntry).cut = cut
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&cutEntry{key: k, cut: cut})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*cutEntry).key)
	}
}

// len is how many cuts are remembered.
func (c *cutCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
