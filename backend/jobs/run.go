package jobs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// Run claims due jobs and runs them on Workers workers until ctx ends,
// then waits for the jobs running to stop: each is put back in the
// queue, not counted as an attempt, for the next start.
func (q *Queue) Run(ctx context.Context) error {
	work := make(chan store.Job)
	finished := make(chan bool, q.cfg.Workers) // true: the job was of an idle kind
	var wg sync.WaitGroup
	for range q.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				q.run(ctx, j)
				finished <- q.isIdle(j.Kind)
			}
		}()
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	// Jobs of idle kinds never take the last worker, and start only when
	// no other job runs: a download's transcode never waits behind
	// measurements.
	idleCap := max(1, q.cfg.Workers-1)
	running, idleRunning := 0, 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		wait := time.Hour // every worker busy: until one finishes
		if running < q.cfg.Workers && ctx.Err() == nil {
			var claimed []store.Job
			claimed, wait = q.next(ctx, q.cfg.Workers-running, idleCap-idleRunning, running > idleRunning)
			for _, j := range claimed {
				work <- j
				running++
				if q.isIdle(j.Kind) {
					idleRunning++
				}
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case idle := <-finished:
			running--
			if idle {
				idleRunning--
			}
		case <-timer.C:
		}
	}
}

// next claims up to n jobs if any is due, at most idleN of them of idle
// kinds, and says how long Run may then sleep: until the next job falls
// due, at most Poll. It writes to the database only when a job is due:
// an idle queue only reads. While Activity is busy, or other jobs run
// (running), the idle kinds' jobs are due IdleWait late.
func (q *Queue) next(ctx context.Context, n, idleN int, running bool) ([]store.Job, time.Duration) {
	now := time.Now()
	kinds, idle := q.kinds()
	out, wait := q.claim(ctx, kinds, now, n)
	if len(idle) > 0 && idleN > 0 && len(out) < n {
		due := now
		if running || len(out) > 0 || !q.cfg.Activity.quiet(now, q.cfg.Settle) {
			due = now.Add(-q.cfg.IdleWait)
		}
		more, w := q.claim(ctx, idle, due, min(n-len(out), idleN))
		out, wait = append(out, more...), min(wait, w)
	}
	if len(out) > 0 {
		return out, 0 // more may be due
	}
	return nil, wait
}

// claim claims up to n jobs of kinds due by dueBy, or says how long
// until one is (at most Poll).
func (q *Queue) claim(ctx context.Context, kinds []string, dueBy time.Time, n int) ([]store.Job, time.Duration) {
	if len(kinds) == 0 {
		return nil, q.cfg.Poll
	}
	due, err := q.st.NextJobAt(ctx, kinds)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, q.cfg.Poll
	case err != nil:
		if ctx.Err() == nil {
			q.log.Error("jobs: next", "err", err)
		}
		return nil, q.cfg.Poll
	case due.After(dueBy):
		return nil, min(due.Sub(dueBy), q.cfg.Poll)
	}
	var out []store.Job
	// Claims and outcomes are light commits (no fsync of their own): a
	// power cut can only lose the latest of them, which leaves a job
	// queued or running under a lease that runs out, so it is done
	// again; the work a job does is made to be redone.
	err = q.st.WithLightTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ClaimJobs(ctx, kinds, dueBy, time.Now().Add(q.cfg.Lease), n)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			q.log.Error("jobs: claim", "err", err)
		}
		return nil, q.cfg.Poll
	}
	if len(out) == 0 {
		// Another server took what was due: look again in a moment.
		return nil, min(10*time.Millisecond, q.cfg.Poll)
	}
	return out, 0
}

// run does one attempt of a job and records how it went.
func (q *Queue) run(ctx context.Context, sj store.Job) {
	j := Job{ID: sj.ID, Kind: sj.Kind, Key: sj.Key, Attempt: sj.Attempts}
	if j.Attempt > q.cfg.MaxAttempts {
		// Its earlier attempts never finished: their workers stopped, maybe
		// because of this very job. It gets no more.
		q.giveUp(ctx, j)
		return
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var progress atomic.Uint64
	progress.Store(math.Float64bits(0))
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		q.heartbeat(hctx, cancel, j, &progress)
	}()
	err := q.call(hctx, j, func(done float64) {
		progress.Store(math.Float64bits(min(max(done, 0), 1)))
	})
	lost := hctx.Err() != nil && ctx.Err() == nil
	cancel()
	<-beat
	// The outcome is written even while shutting down.
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	if werr := q.finish(wctx, ctx, j, err, lost); werr != nil && !errors.Is(werr, store.ErrNotFound) {
		q.log.Error("jobs: record outcome", "kind", j.Kind, "key", j.Key, "err", werr)
	}
}

// call runs the job's handler; a panic is an error of the attempt.
func (q *Queue) call(ctx context.Context, j Job, progress func(float64)) (err error) {
	h := q.handler(j.Kind)
	if h == nil {
		return fmt.Errorf("no handler for %s jobs", j.Kind)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return h(ctx, j, progress)
}

// finish records an attempt's outcome: done, put back (shut down),
// retried after a backoff, or failed.
func (q *Queue) finish(wctx, runCtx context.Context, j Job, err error, lost bool) error {
	now := time.Now()
	return q.st.WithLightTx(wctx, func(tx store.Tx) error {
		switch {
		case lost:
			return nil // another worker holds it now
		case err == nil:
			return tx.JobDone(wctx, j.ID, j.Attempt, now)
		case runCtx.Err() != nil:
			return tx.JobRelease(wctx, j.ID, j.Attempt)
		}
		var p permanent
		if errors.As(err, &p) || j.Attempt >= q.cfg.MaxAttempts {
			q.log.Warn("jobs: failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempt, "err", err)
			return tx.JobFailed(wctx, j.ID, j.Attempt, err.Error(), now)
		}
		q.log.Info("jobs: retry", "kind", j.Kind, "key", j.Key, "attempt", j.Attempt, "err", err)
		return tx.JobRetry(wctx, j.ID, j.Attempt, now.Add(q.backoff(j.Attempt)), err.Error())
	})
}

// backoff is the wait after a failed attempt: Backoff, doubling each
// attempt, at most MaxBackoff.
func (q *Queue) backoff(attempt int) time.Duration {
	d := q.cfg.Backoff
	for i := 1; i < attempt && d < q.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.cfg.MaxBackoff)
}

// heartbeat writes the job's progress a few times a second when it
// moves, and renews its lease well before it runs out; a job whose lease
// was lost (another worker took it) is cancelled.
func (q *Queue) heartbeat(ctx context.Context, cancel context.CancelFunc, j Job, progress *atomic.Uint64) {
	tick := time.NewTicker(min(250*time.Millisecond, q.cfg.Lease/4))
	defer tick.Stop()
	written, renewed := 0.0, time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p := math.Float64frombits(progress.Load())
		if p == written && time.Since(renewed) < q.cfg.Lease/3 {
			continue
		}
		now := time.Now()
		err := q.st.WithLightTx(ctx, func(tx store.Tx) error {
			return tx.JobProgress(ctx, j.ID, j.Attempt, p, now.Add(q.cfg.Lease))
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			q.log.Warn("jobs: lease lost", "kind", j.Kind, "key", j.Key, "attempt", j.Attempt)
			cancel()
			return
		case err != nil && ctx.Err() == nil:
			q.log.Error("jobs: progress", "kind", j.Kind, "key", j.Key, "err", err)
		case err == nil:
			written, renewed = p, now
		}
	}
}

// giveUp fails a job whose attempts all ended without an outcome.
func (q *Queue) giveUp(ctx context.Context, j Job) {
	why := fmt.Sprintf("gave up after %d attempts that never finished (their workers stopped)", j.Attempt-1)
	q.log.Warn("jobs: failed", "kind", j.Kind, "key", j.Key, "err", why)
	wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	err := q.st.WithLightTx(wctx, func(tx store.Tx) error { return tx.JobFailed(wctx, j.ID, j.Attempt, why, time.Now()) })
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		q.log.Error("jobs: record outcome", "kind", j.Kind, "key", j.Key, "err", err)
	}
}
