// Package jobs runs background work (transcodes, loudness measurement)
// as durable jobs in the platform's database.
//
//	Enqueue ──► jobs table (queued) ──► Run: claim for a lease ──► worker ──► Handler
//	                 ▲                                                 │
//	                 └──── retry after a backoff / lease ran out ◄─────┘
//
// A job is named by its kind and key and queued at most once: asking for
// it again returns its status, and a done job is never redone. A worker
// holds a job for a lease it renews while the handler runs; a server that
// dies mid-job leaves the lease to run out and the job is taken up again,
// by it after a restart or by another server on the same database. A
// failing job is retried with a growing wait, a bounded number of times,
// then marked failed with its last error; a failure may be passing (an
// encoder killed, a full disk), so a job failed for RetryFailed is
// queued afresh by the next Enqueue. Run starts one worker per CPU:
// jobs are CPU-bound (encoders), so one at a time per CPU.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// Job is one attempt at a job, as its handler sees it.
type Job struct {
	ID        int64
	Kind, Key string
	Attempt   int // 1 for the first attempt
}

// Handler does a job of one kind. It reports how far it got with
// progress (0 to 1) as often as it likes; the queue keeps what reaches
// the database to a few writes a second. An error retries the job
// (Permanent: fails it at once); ctx ends when the queue shuts down or
// the job's lease was lost.
type Handler func(ctx context.Context, j Job, progress func(done float64)) error

// Status is where a job stands.
type Status struct {
	State    string  `json:"state"` // queued, running, done or failed
	Progress float64 `json:"progress"`
	Error    string  `json:"error,omitempty"` // the last attempt's error
	// RetryAt is, for a failed job, when an Enqueue will try it again.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// RetryFailed is how long a failed job stays failed before an Enqueue
// tries it again: long enough not to hammer a broken input, short
// enough that a passing fault does not lose a download for good.
const RetryFailed = 15 * time.Minute

// Job states, as Status.State has them.
const (
	Queued  = store.JobQueued
	Running = store.JobRunning
	Done    = store.JobDone
	Failed  = store.JobFailed
)

// Config tunes a queue; zero fields take the defaults.
type Config struct {
	Workers     int           // jobs run at once; runtime.NumCPU() by default
	Lease       time.Duration // how long a claim lasts unrenewed; 1 min
	MaxAttempts int           // attempts before a job fails; 5
	Backoff     time.Duration // wait before the first retry, doubling after; 2 s
	MaxBackoff  time.Duration // the longest wait between attempts; 5 min
	// Poll is the longest the queue waits before looking at the database
	// again, for jobs other servers enqueued; 2 s.
	Poll time.Duration
	// RetryFailed is how long a failed job stays failed; RetryFailed.
	RetryFailed time.Duration
	// Now is the clock Enqueue tells how long a job has been failed
	// by; time.Now.
	Now func() time.Time
	// Activity, when set, holds back the kinds registered with
	// HandleIdle while it is busy: until it has been quiet for Settle
	// (1 s), or the job has waited IdleWait (2 min).
	Activity *Activity
	Settle   time.Duration
	IdleWait time.Duration
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	c.Lease = cmpOr(c.Lease, time.Minute)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	c.Backoff = cmpOr(c.Backoff, 2*time.Second)
	c.MaxBackoff = cmpOr(c.MaxBackoff, 5*time.Minute)
	c.Poll = cmpOr(c.Poll, 2*time.Second)
	c.RetryFailed = cmpOr(c.RetryFailed, RetryFailed)
	c.Settle = cmpOr(c.Settle, time.Second)
	c.IdleWait = cmpOr(c.IdleWait, 2*time.Minute)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Queue is the job queue of one server.
type Queue struct {
	st   store.Store
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	mu       sync.Mutex
	handlers map[string]Handler
	idle     map[string]bool // kinds held back while Activity is busy
}

// New makes a queue over st; Run starts its workers.
func New(st store.Store, cfg Config, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue{st: st, cfg: cfg.withDefaults(), log: log, wake: make(chan struct{}, 1),
		handlers: map[string]Handler{}, idle: map[string]bool{}}
}

// Workers is how many jobs run at once.
func (q *Queue) Workers() int { return q.cfg.Workers }

// Handle registers the handler of a kind of job; register before Run.
// Jobs of a kind nobody handles wait in the queue.
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	q.handlers[kind] = h
	q.mu.Unlock()
	q.poke()
}

// HandleIdle registers the handler of a kind of job nobody waits for
// (measurements, backfills): its jobs are held back while
// Config.Activity is busy, so they never slow what people are doing.
func (q *Queue) HandleIdle(kind string, h Handler) {
	q.mu.Lock()
	q.idle[kind] = true
	q.mu.Unlock()
	q.Handle(kind, h)
}

func (q *Queue) handler(kind string) Handler {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.handlers[kind]
}

func (q *Queue) isIdle(kind string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.idle[kind]
}

// kinds returns the kinds handled, those to run now and those held back
// for a quiet moment.
func (q *Queue) kinds() (now, idle []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k := range q.handlers {
		if q.idle[k] {
			idle = append(idle, k)
		} else {
			now = append(now, k)
		}
	}
	slices.Sort(now)
	slices.Sort(idle)
	return now, idle
}

// Poke has Run look for due jobs at once, as after EnqueueIn's
// transaction commits.
func (q *Queue) Poke() { q.poke() }

// poke wakes Run without waiting.
func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Enqueue queues the job (kind, key) unless it is known, and returns its
// status: a known job is not queued again (a done job is not redone),
// except one failed for RetryFailed, which starts again with a fresh
// count of attempts. EINVALID for an empty kind or key.
func (q *Queue) Enqueue(ctx context.Context, kind, key string) (Status, error) {
	if err := validate(kind, key); err != nil {
		return Status{}, err
	}
	var j *store.Job
	err := q.st.WithTx(ctx, func(tx store.Tx) error {
		var err error
		j, err = q.enqueue(ctx, tx, kind, key)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	if j.State == Queued {
		q.poke()
	}
	return q.statusOf(j), nil
}

// EnqueueIn queues the job (kind, key) as Enqueue does, as part of tx:
// the job is queued exactly when the work that asks for it commits, in
// the same commit. The caller pokes the queue once tx has committed.
func (q *Queue) EnqueueIn(ctx context.Context, tx store.Tx, kind, key string) error {
	if err := validate(kind, key); err != nil {
		return err
	}
	_, err := q.enqueue(ctx, tx, kind, key)
	return err
}

// enqueue queues a job of a valid kind and key in tx.
func (q *Queue) enqueue(ctx context.Context, tx store.Tx, kind, key string) (*store.Job, error) {
	j, err := tx.EnqueueJob(ctx, kind, key, time.Now(), q.cfg.Now().Add(-q.cfg.RetryFailed))
	if err != nil {
		return nil, fmt.Errorf("enqueue %s %s: %w", kind, key, err)
	}
	return j, nil
}

// Status is where the job (kind, key) stands; ENOTFOUND when it was
// never queued.
func (q *Queue) Status(ctx context.Context, kind, key string) (Status, error) {
	if err := validate(kind, key); err != nil {
		return Status{}, err
	}
	j, err := q.st.JobByKey(ctx, kind, key)
	if errors.Is(err, store.ErrNotFound) {
		return Status{}, api.Errorf(api.ENOTFOUND, "no %s job %q", kind, key)
	}
	if err != nil {
		return Status{}, fmt.Errorf("job status: %w", err)
	}
	return q.statusOf(j), nil
}

func validate(kind, key string) error {
	if kind == "" {
		return api.FieldErrorf("kind", "must not be empty")
	}
	if key == "" {
		return api.FieldErrorf("key", "must not be empty")
	}
	return nil
}

func (q *Queue) statusOf(j *store.Job) Status {
	s := Status{State: j.State, Progress: j.Progress, Error: j.LastError}
	switch s.State {
	case Done:
		s.Progress, s.Error = 1, ""
	case Failed:
		s.RetryAt = j.DoneAt.Add(q.cfg.RetryFailed)
	}
	return s
}

// permanent marks an error retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps an error a handler returns when another attempt would
// fail the same way (a corrupt input): the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}
