package service

import (
	"context"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
)

// JobBackfill queues, once, the analysis of every release the platform
// has not measured: those named before it measured loudness, or whose
// jobs were lost with the queue (key: BackfillKey).
const JobBackfill = "analysis-backfill"

// BackfillKey names the pass; a new kind of measurement would name a new
// one, so every release is looked at again once.
const BackfillKey = "loudness/1"

// backfillBatch is how many releases one read of the pass holds.
const backfillBatch = 100

// Backfill registers the pass on the queue and queues it. Once it is
// done, later starts find it done: one read of one job, no releases.
func (a *Analysis) Backfill(ctx context.Context) error {
	a.jobs.HandleIdle(JobBackfill, a.backfill)
	if _, err := a.jobs.Enqueue(ctx, JobBackfill, BackfillKey); err != nil {
		return fmt.Errorf("queue the loudness backfill: %w", err)
	}
	return nil
}

// backfill walks the releases newest first, a batch at a time, and queues
// the jobs of those not fully measured (jobs already done are not redone).
// A failure fails the attempt: the queue tries the pass again.
func (a *Analysis) backfill(ctx context.Context, _ jobs.Job, progress func(float64)) error {
	var before, first int64
	for {
		rels, err := a.st.Releases(ctx, store.ReleaseQuery{Before: before, Limit: backfillBatch})
		if err != nil {
			return err
		}
		// One light commit per batch: were it lost, this pass's own
		// outcome, written after it, would be lost too, and the pass done
		// again.
		err = a.st.WithLightTx(ctx, func(tx store.Tx) error {
			for _, r := range rels {
				if measured(r.Tracks) {
					continue
				}
				if err := a.queueRelease(ctx, tx, r.ID, r.Tracks); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		a.queued()
		if len(rels) < backfillBatch {
			return nil
		}
		if first == 0 {
			first = rels[0].ID
		}
		before = rels[len(rels)-1].ID
		progress(1 - float64(before)/float64(first+1))
	}
}

// measured says whether every track has its loudness and the album its
// own, over this very track list (the store fills both only then).
func measured(tracks []api.Track) bool {
	for _, t := range tracks {
		if t.Loudness == nil || (t.Loudness.AlbumLUFS == 0 && t.Loudness.AlbumPeak == 0) {
			return false
		}
	}
	return true
}

// queueRelease queues the analysis of a release's tracks, in their
// positions' order as the store reads them.
func (a *Analysis) queueRelease(ctx context.Context, tx store.Tx, releaseID int64, tracks []api.Track) error {
	if len(tracks) == 0 {
		return nil
	}
	audio := make([]string, len(tracks))
	for i, t := range tracks {
		audio[i] = t.AudioSHA256
	}
	return a.queueAudio(ctx, tx, releaseID, audio)
}
