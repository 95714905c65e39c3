package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/postgres"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/internal/pgtest"
	"github.com/megabox-fm/megabox/internal/wait"
)

const patience = 2 * time.Minute

// opener opens the same database again each time it is called.
type opener func(t *testing.T) store.Store

// eachStore runs a test on SQLite and, when a server is named, PostgreSQL.
func eachStore(t *testing.T, run func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "platform.db")
		run(t, func(t *testing.T) store.Store {
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		run(t, func(t *testing.T) store.Store {
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
}

// start runs q until the test ends, and waits for it.
func start(t *testing.T, q *jobs.Queue) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func status(t *testing.T, q *jobs.Queue, kind, key string) jobs.Status {
	t.Helper()
	s, err := q.Status(context.Background(), kind, key)
	if err != nil {
		t.Fatalf("Status(%s, %s): %v", kind, key, err)
	}
	return s
}

func waitState(t *testing.T, q *jobs.Queue, kind, key, state string) jobs.Status {
	t.Helper()
	var s jobs.Status
	wait.For(t, patience, func() bool {
		s = status(t, q, kind, key)
		return s.State == state
	}, func() string { return fmt.Sprintf("%s %s %s; now %+v", kind, key, state, s) })
	return s
}

var fast = jobs.Config{Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Poll: 20 * time.Millisecond}

func TestEnqueueIsIdempotentAndDoneIsNotRedone(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		q := jobs.New(open(t), fast, nil)
		var calls atomic.Int32
		q.Handle("echo", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			calls.Add(1)
			return nil
		})
		for range 3 {
			s, err := q.Enqueue(ctx, "echo", "a")
			if err != nil {
				t.Fatal(err)
			}
			if s.State != jobs.Queued {
				t.Fatalf("before Run: state %q, want queued", s.State)
			}
		}
		start(t, q)
		s := waitState(t, q, "echo", "a", jobs.Done)
		if s.Progress != 1 || s.Error != "" {
			t.Errorf("done status = %+v, want progress 1, no error", s)
		}
		again, err := q.Enqueue(ctx, "echo", "a")
		if err != nil {
			t.Fatal(err)
		}
		if again.State != jobs.Done {
			t.Errorf("enqueue of a done job: state %q, want done", again.State)
		}
		// Another job after it runs, so the queue has looked again.
		if _, err := q.Enqueue(ctx, "echo", "b"); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, "echo", "b", jobs.Done)
		if got := calls.Load(); got != 2 {
			t.Errorf("handler ran %d times for a, a, a, a(done), b; want 2", got)
		}
	})
}

func TestEnqueueRefusesEmptyNames(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		q := jobs.New(open(t), fast, nil)
		for _, c := range []struct{ kind, key, field string }{{"", "k", "kind"}, {"x", "", "key"}} {
			_, err := q.Enqueue(context.Background(), c.kind, c.key)
			if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != c.field {
				t.Errorf("Enqueue(%q, %q) = %v, want EINVALID on %s", c.kind, c.key, err, c.field)
			}
		}
		_, err := q.Status(context.Background(), "x", "never")
		if api.ErrorCode(err) != api.ENOTFOUND {
			t.Errorf("Status of an unknown job = %v, want ENOTFOUND", err)
		}
	})
}

func TestRetriesWithBackoffThenFails(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		cfg := fast
		cfg.MaxAttempts = 3
		q := jobs.New(open(t), cfg, nil)
		var attempts []int
		var mu sync.Mutex
		q.Handle("flaky", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			mu.Lock()
			attempts = append(attempts, j.Attempt)
			mu.Unlock()
			return fmt.Errorf("attempt %d broke", j.Attempt)
		})
		if _, err := q.Enqueue(context.Background(), "flaky", "x"); err != nil {
			t.Fatal(err)
		}
		start(t, q)
		s := waitState(t, q, "flaky", "x", jobs.Failed)
		if s.Error != "attempt 3 broke" {
			t.Errorf("failed job's error = %q, want the last attempt's", s.Error)
		}
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(attempts) != "[1 2 3]" {
			t.Errorf("attempts = %v, want [1 2 3]", attempts)
		}
	})
}

func TestRetrySucceedsAndPermanentFailsAtOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		q := jobs.New(open(t), fast, nil)
		var tries, perm atomic.Int32
		q.Handle("second-time", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			if tries.Add(1) < 2 {
				return errors.New("not yet")
			}
			return nil
		})
		q.Handle("broken", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			perm.Add(1)
			return jobs.Permanent(errors.New("corrupt master"))
		})
		q.Enqueue(context.Background(), "second-time", "x")
		q.Enqueue(context.Background(), "broken", "x")
		start(t, q)
		waitState(t, q, "second-time", "x", jobs.Done)
		s := waitState(t, q, "broken", "x", jobs.Failed)
		if tries.Load() != 2 || perm.Load() != 1 || s.Error != "corrupt master" {
			t.Errorf("tries %d (want 2), permanent tries %d (want 1), error %q", tries.Load(), perm.Load(), s.Error)
		}
	})
}

func TestProgressIsVisible(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		q := jobs.New(open(t), fast, nil)
		release := make(chan struct{})
		q.Handle("slow", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			progress(0.25)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
		q.Enqueue(context.Background(), "slow", "x")
		start(t, q)
		wait.Until(t, patience, "progress 0.25", func() bool {
			s := status(t, q, "slow", "x")
			return s.State == jobs.Running && s.Progress == 0.25
		})
		close(release)
		waitState(t, q, "slow", "x", jobs.Done)
	})
}

// A job enqueued by a server that stopped before running it, and one a
// server was running when it stopped, both run after a restart, the
// second without counting the interrupted attempt.
func TestJobsSurviveARestart(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		db := open(t)
		q := jobs.New(db, fast, nil)
		started := make(chan struct{})
		q.Handle("long", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		q.Enqueue(context.Background(), "long", "x")
		stop := start(t, q)
		<-started
		if _, err := q.Enqueue(context.Background(), "later", "y"); err != nil {
			t.Fatal(err)
		}
		stop()
		if s := status(t, q, "long", "x"); s.State != jobs.Queued {
			t.Errorf("a job interrupted by shutdown is %q, want queued", s.State)
		}
		db.Close()

		q2 := jobs.New(open(t), fast, nil)
		got := make(chan jobs.Job, 2)
		h := func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			got <- j
			return nil
		}
		q2.Handle("long", h)
		q2.Handle("later", h)
		start(t, q2)
		waitState(t, q2, "long", "x", jobs.Done)
		waitState(t, q2, "later", "y", jobs.Done)
		for range 2 {
			if j := <-got; j.Attempt != 1 {
				t.Errorf("%s %s ran as attempt %d after the restart, want 1", j.Kind, j.Key, j.Attempt)
			}
		}
	})
}

// A worker that dies holding a job (its claim made, nothing more) leaves
// the lease to run out; then the job is taken again.
func TestALeaseRunOutIsTakenAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		db := open(t)
		ctx := context.Background()
		q := jobs.New(db, fast, nil)
		q.Enqueue(ctx, "orphan", "x")
		// A dead server's claim with a short lease.
		err := db.WithTx(ctx, func(tx store.Tx) error {
			now := time.Now()
			js, err := tx.ClaimJobs(ctx, []string{"orphan"}, now, now.Add(300*time.Millisecond), 1)
			if len(js) != 1 {
				return fmt.Errorf("claimed %d jobs, want 1 (%v)", len(js), err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ran := make(chan jobs.Job, 1)
		q.Handle("orphan", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			ran <- j
			return nil
		})
		start(t, q)
		waitState(t, q, "orphan", "x", jobs.Done)
		if j := <-ran; j.Attempt != 2 {
			t.Errorf("retaken job ran as attempt %d, want 2", j.Attempt)
		}
	})
}

// held is a handler whose jobs run until release is closed, counting how
// many run at once and the most that ever did.
type held struct {
	running, most atomic.Int32
	release       chan struct{}
}

func newHeld() *held { return &held{release: make(chan struct{})} }

func (h *held) handle(ctx context.Context, j jobs.Job, progress func(float64)) error {
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for m := h.most.Load(); n > m && !h.most.CompareAndSwap(m, n); m = h.most.Load() {
	}
	select {
	case <-h.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Workers is one per CPU by default, and no more jobs than that run at once.
func TestOneJobAtATimePerCPU(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		q := jobs.New(open(t), fast, nil)
		n := runtime.NumCPU()
		if q.Workers() != n {
			t.Fatalf("Workers() = %d, want NumCPU %d", q.Workers(), n)
		}
		h := newHeld()
		q.Handle("cpu", h.handle)
		total := 3 * n
		for i := range total {
			q.Enqueue(context.Background(), "cpu", fmt.Sprint(i))
		}
		start(t, q)
		wait.Until(t, patience, "every worker busy", func() bool { return h.running.Load() == int32(n) })
		close(h.release)
		for i := range total {
			waitState(t, q, "cpu", fmt.Sprint(i), jobs.Done)
		}
		if got := h.most.Load(); got != int32(n) {
			t.Errorf("at most %d jobs ran at once, want %d (one per CPU)", got, n)
		}
	})
}

// A job whose workers keep dying before it ends (a crash it may cause)
// is failed once its attempts are spent, without running again.
func TestAJobThatNeverFinishesIsGivenUp(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		db := open(t)
		ctx := context.Background()
		cfg := fast
		cfg.MaxAttempts = 2
		q := jobs.New(db, cfg, nil)
		q.Enqueue(ctx, "crashy", "x")
		// Two servers claimed it and died: their leases ran out.
		for range 2 {
			err := db.WithTx(ctx, func(tx store.Tx) error {
				_, err := tx.ClaimJobs(ctx, []string{"crashy"}, time.Now().Add(time.Hour), time.Now(), 1)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var ran atomic.Int32
		q.Handle("crashy", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			ran.Add(1)
			return nil
		})
		start(t, q)
		s := waitState(t, q, "crashy", "x", jobs.Failed)
		if ran.Load() != 0 || !strings.Contains(s.Error, "gave up after 2 attempts") {
			t.Errorf("ran %d times, error %q; want no run and the reason", ran.Load(), s.Error)
		}
	})
}

// countingStore counts the queue's looks at the database and its write
// transactions.
type countingStore struct {
	store.Store
	looks, writes atomic.Int64
}

func (c *countingStore) NextJobAt(ctx context.Context, kinds []string) (time.Time, error) {
	c.looks.Add(1)
	return c.Store.NextJobAt(ctx, kinds)
}

func (c *countingStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	c.writes.Add(1)
	return c.Store.WithTx(ctx, fn)
}

func (c *countingStore) WithLightTx(ctx context.Context, fn func(store.Tx) error) error {
	c.writes.Add(1)
	return c.Store.WithLightTx(ctx, fn)
}

// An idle queue only reads: it writes when a job is due.
func TestAnIdleQueueOnlyReads(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		st := &countingStore{Store: open(t)}
		cfg := fast
		cfg.Poll = time.Millisecond
		q := jobs.New(st, cfg, nil)
		q.Handle("echo", func(ctx context.Context, j jobs.Job, progress func(float64)) error { return nil })
		q.Enqueue(context.Background(), "echo", "a")
		start(t, q)
		waitState(t, q, "echo", "a", jobs.Done)
		writes, looks := st.writes.Load(), st.looks.Load()
		wait.Until(t, patience, "50 more looks at the queue", func() bool { return st.looks.Load() >= looks+50 })
		if got := st.writes.Load() - writes; got != 0 {
			t.Errorf("%d write transactions over 50 idle looks, want 0", got)
		}
	})
}

// clock is a test clock: the real time moved on by what the test adds.
type clock struct{ ahead atomic.Int64 }

func (c *clock) now() time.Time      { return time.Now().Add(time.Duration(c.ahead.Load())) }
func (c *clock) add(d time.Duration) { c.ahead.Add(int64(d)) }

func TestAFailedJobIsTriedAgainOnceFailedForAWhile(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		var c clock
		cfg := fast
		cfg.MaxAttempts = 2
		cfg.Now = c.now
		q := jobs.New(open(t), cfg, nil)
		var mu sync.Mutex
		var attempts []int
		var healed atomic.Bool
		q.Handle("encode", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			mu.Lock()
			attempts = append(attempts, j.Attempt)
			mu.Unlock()
			if !healed.Load() {
				return errors.New("ffmpeg: signal: killed")
			}
			return nil
		})
		if _, err := q.Enqueue(ctx, "encode", "x"); err != nil {
			t.Fatal(err)
		}
		start(t, q)
		failed := waitState(t, q, "encode", "x", jobs.Failed)
		if d := time.Until(failed.RetryAt); d <= jobs.RetryFailed-time.Minute || d > jobs.RetryFailed {
			t.Fatalf("failed job retries in %v, want about %v", d, jobs.RetryFailed)
		}
		healed.Store(true) // the fault passes (the disk has room again)
		c.add(jobs.RetryFailed - time.Minute)
		s, err := q.Enqueue(ctx, "encode", "x")
		if err != nil {
			t.Fatal(err)
		}
		if s.State != jobs.Failed || s.Error != "ffmpeg: signal: killed" || !s.RetryAt.Equal(failed.RetryAt) {
			t.Fatalf("asked again before %v: %+v, want it still failed, retried at %v", jobs.RetryFailed, s, failed.RetryAt)
		}
		c.add(time.Minute)
		s, err = q.Enqueue(ctx, "encode", "x")
		if err != nil {
			t.Fatal(err)
		}
		if s.State != jobs.Queued && s.State != jobs.Running {
			t.Fatalf("asked again after %v: %+v, want it queued afresh", jobs.RetryFailed, s)
		}
		waitState(t, q, "encode", "x", jobs.Done)
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(attempts) != "[1 2 1]" {
			t.Errorf("attempts = %v, want [1 2 1]: two, then a fresh count", attempts)
		}
	})
}

// Jobs of an idle kind wait while uploads arrive, other kinds do not;
// they run once it has been quiet for Settle, or once they have waited
// IdleWait on a server that is never quiet.
func TestIdleKindsYieldToActivity(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		busy := &jobs.Activity{}
		end := busy.Begin()
		cfg := fast
		cfg.Activity, cfg.Settle, cfg.IdleWait = busy, 20*time.Millisecond, time.Hour
		q := jobs.New(open(t), cfg, nil)
		var measured atomic.Int32
		q.HandleIdle("measure", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			measured.Add(1)
			return nil
		})
		q.Handle("download", func(ctx context.Context, j jobs.Job, progress func(float64)) error { return nil })
		for _, kind := range []string{"measure", "download"} {
			if _, err := q.Enqueue(ctx, kind, "a"); err != nil {
				t.Fatal(err)
			}
		}
		start(t, q)
		waitState(t, q, "download", "a", jobs.Done)
		// The queue claimed the download with the measurement due beside it.
		if s := status(t, q, "measure", "a"); s.State != jobs.Queued || measured.Load() != 0 {
			t.Fatalf("while busy: measurement %+v (ran %d times), want queued", s, measured.Load())
		}
		end()
		end() // a second end does not count twice
		waitState(t, q, "measure", "a", jobs.Done)

		// Busy for good: the measurement runs once it has waited IdleWait.
		busy.Begin()
		cfg.IdleWait = 300 * time.Millisecond
		q2 := jobs.New(open(t), cfg, nil)
		q2.HandleIdle("measure", func(ctx context.Context, j jobs.Job, progress func(float64)) error { return nil })
		queued := time.Now()
		if _, err := q2.Enqueue(ctx, "measure", "b"); err != nil {
			t.Fatal(err)
		}
		start(t, q2)
		waitState(t, q2, "measure", "b", jobs.Done)
		if waited := time.Since(queued); waited < cfg.IdleWait {
			t.Errorf("ran %v after it was queued on a busy server, want at least IdleWait %v", waited, cfg.IdleWait)
		}
	})
}

// Jobs of idle kinds never take the last worker: a download's transcode
// runs while measurements wait their turn.
func TestIdleKindsLeaveAWorkerFree(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		cfg := fast
		cfg.Workers = 2
		q := jobs.New(open(t), cfg, nil)
		h := newHeld()
		q.HandleIdle("measure", h.handle)
		q.Handle("download", func(ctx context.Context, j jobs.Job, progress func(float64)) error { return nil })
		for _, key := range []string{"a", "b", "c"} {
			if _, err := q.Enqueue(ctx, "measure", key); err != nil {
				t.Fatal(err)
			}
		}
		start(t, q)
		wait.Until(t, patience, "a measurement running", func() bool { return h.running.Load() == 1 })
		if _, err := q.Enqueue(ctx, "download", "x"); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, "download", "x", jobs.Done)
		if got := h.most.Load(); got != 1 {
			t.Errorf("%d measurements ran at once on 2 workers, want 1", got)
		}
		close(h.release)
		for _, key := range []string{"a", "b", "c"} {
			waitState(t, q, "measure", key, jobs.Done)
		}
	})
}

// A measurement waits while other jobs run, and starts when they end.
func TestIdleKindsWaitForOtherJobs(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		cfg := fast
		cfg.Workers, cfg.IdleWait = 3, time.Hour
		q := jobs.New(open(t), cfg, nil)
		hold := make(chan struct{})
		q.HandleIdle("measure", func(ctx context.Context, j jobs.Job, progress func(float64)) error { return nil })
		q.Handle("download", func(ctx context.Context, j jobs.Job, progress func(float64)) error {
			if j.Key == "long" {
				<-hold
			}
			return nil
		})
		start(t, q)
		if _, err := q.Enqueue(ctx, "download", "long"); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, "download", "long", jobs.Running)
		for _, j := range [][2]string{{"measure", "a"}, {"download", "short"}} {
			if _, err := q.Enqueue(ctx, j[0], j[1]); err != nil {
				t.Fatal(err)
			}
		}
		// The queue claimed the short download with the measurement due beside it.
		waitState(t, q, "download", "short", jobs.Done)
		if s := status(t, q, "measure", "a"); s.State != jobs.Queued {
			t.Fatalf("while a download runs: measurement %+v, want queued", s)
		}
		close(hold)
		waitState(t, q, "measure", "a", jobs.Done)
	})
}
