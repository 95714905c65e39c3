package sync

import (
	"context"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
)

// finished is a file whose bytes the platform holds; uploaded when this
// pass sent them (its upload record goes, the blob is known remote).
type finished struct {
	job      blobJob
	uploaded bool
}

// finisher records a folder's finished files in the cache, many to a
// transaction: one commit per file was most of a first sync's cache work.
// Its goroutine owns the batch; a file is reported synced only once the
// cache holds that.
type finisher struct {
	e     *Engine
	ctx   context.Context
	root  cache.Root
	in    chan finished
	ended chan error
}

// startFinisher starts a folder's finisher; close it to write the rest.
func (e *Engine) startFinisher(ctx context.Context, root cache.Root) *finisher {
	f := &finisher{e: e, ctx: ctx, root: root, in: make(chan finished, 64), ended: make(chan error, 1)}
	go func() { f.ended <- f.run() }()
	return f
}

// add hands over a finished file.
func (f *finisher) add(d finished) { f.in <- d }

// close writes what is left and returns the first error writing.
func (f *finisher) close() error {
	close(f.in)
	return <-f.ended
}

func (f *finisher) run() error {
	var batch []finished
	var since time.Time
	var err error
	for d := range f.in {
		if err != nil {
			continue // drained so senders never block
		}
		if len(batch) == 0 {
			since = time.Now()
		}
		batch = append(batch, d)
		if time.Since(since) >= f.e.opts.FinishWait {
			err = f.flush(batch)
			batch = batch[:0]
		}
	}
	if err != nil {
		return err
	}
	return f.flush(batch)
}

// flush writes a batch in one transaction, then reports its files synced.
func (f *finisher) flush(batch []finished) error {
	var blobs, rels []string
	for _, d := range batch {
		if d.uploaded {
			blobs = append(blobs, d.job.sha)
		}
		if d.job.data == nil && d.job.state != StateSynced {
			rels = append(rels, d.job.rel)
		}
	}
	if err := f.e.cache.FinishFiles(f.ctx, f.root.ID, blobs, rels, StateSynced); err != nil {
		return err
	}
	for _, d := range batch {
		if d.uploaded {
			f.e.remote.Store(d.job.sha, true)
		}
		f.e.fileEvent(f.root, d.job.rel, StateSynced, d.job.size, d.job.size, d.job.warning)
	}
	return nil
}
