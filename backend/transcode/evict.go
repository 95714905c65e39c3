package transcode

import (
	"context"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// Tagged copies (one per purchase, format and track) are kept in the
// bucket only while they are used: they are made again, byte for byte,
// from the shared transcode and the purchase's tags.
const (
	// KeepTagged is how long a tagged copy not served stays in the bucket.
	KeepTagged = 24 * time.Hour
	// noteServedEvery bounds the writes of a copy's last served time:
	// far below KeepTagged, so a copy in use is never thought idle.
	noteServedEvery = time.Hour
	// SweepEvery is how often the platform evicts idle tagged copies.
	SweepEvery = time.Hour
	sweepBatch = 100
)

// noteServed records that a tagged copy is served, at most once every
// noteServedEvery per copy from this server; made says the copy was just
// made (it may have been evicted and its record with it), which always
// records. A failed record is logged: the download goes on, and the
// copy, if evicted, is made again on the next one.
func (s *Service) noteServed(ctx context.Context, file api.ArchiveFile, made bool) {
	now := time.Now()
	s.mu.Lock()
	last, ok := s.served[file.SHA256]
	s.mu.Unlock()
	if ok && !made && now.Sub(last) < noteServedEvery {
		return
	}
	err := s.st.WithLightTx(ctx, func(tx store.Tx) error {
		return tx.TaggedServed(ctx, file.SHA256, file.Size, now)
	})
	if err != nil {
		s.log.Error("transcode: note a tagged copy served", "sha256", file.SHA256, "err", err)
		return
	}
	s.mu.Lock()
	if len(s.served) >= 50_000 { // bounded: start again rather than grow
		clear(s.served)
	}
	s.served[file.SHA256] = now
	s.mu.Unlock()
}

// Sweep deletes from the bucket the tagged copies not served since
// KeepTagged before now, and says how many it deleted. Masters and
// shared transcodes are never deleted, even when a tagged copy has the
// same bytes.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	before := now.Add(-KeepTagged)
	n := 0
	for {
		stale, err := s.st.StaleTagged(ctx, before, sweepBatch)
		if err != nil {
			return n, fmt.Errorf("stale tagged copies: %w", err)
		}
		for _, sha := range stale {
			var remove bool
			err := s.st.WithTx(ctx, func(tx store.Tx) error {
				var err error
				remove, err = tx.EvictTagged(ctx, sha, before)
				return err
			})
			if err != nil {
				return n, fmt.Errorf("evict tagged copy %s: %w", sha, err)
			}
			s.mu.Lock()
			delete(s.served, sha)
			s.mu.Unlock()
			if !remove {
				continue
			}
			if err := s.bucket.Delete(ctx, sha); err != nil {
				return n, fmt.Errorf("delete tagged copy %s: %w", sha, err)
			}
			n++
		}
		if len(stale) < sweepBatch {
			return n, nil
		}
	}
}

// RunSweeps sweeps idle tagged copies every SweepEvery until ctx ends.
func (s *Service) RunSweeps(ctx context.Context) {
	tick := time.NewTicker(SweepEvery)
	defer tick.Stop()
	for {
		n, err := s.Sweep(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("transcode: sweep tagged copies", "err", err)
		case n > 0:
			s.log.Info("transcode: tagged copies evicted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
