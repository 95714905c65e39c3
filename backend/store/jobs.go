package store

import (
	"context"
	"time"
)

// Job states: a job waits (queued), is held by a worker for a lease
// (running), finished (done), or ran out of attempts (failed).
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is a unit of background work named by its kind and key
// ("transcode", "<sha>/mp3-320"): a (kind, key) is queued at most once.
type Job struct {
	ID        int64
	Kind, Key string
	State     string
	Attempts  int       // attempts begun, counting the one running
	Progress  float64   // 0 to 1, as the running attempt last said
	NextAt    time.Time // when a queued job may be tried next
	LeaseTill time.Time // when a running job's claim runs out
	LastError string
	CreatedAt time.Time
	DoneAt    time.Time // zero until done or failed
}

// Transcode is a shared, untagged transcode of a master, stored in the
// bucket under the sha256 of its bytes.
type Transcode struct {
	MasterSHA256 string
	Format       string
	Version      int // the encoder settings' version
	SHA256       string
	Size         int64
	CreatedAt    time.Time
}

// JobsTx writes the job queue and the transcode cache. Updates of a
// running job name the attempt they belong to: ErrNotFound when the job
// is no longer running that attempt (its lease ran out and another
// worker took it), so a late worker never overwrites a newer one.
type JobsTx interface {
	// EnqueueJob adds (kind, key), queued and due at now, unless it is
	// there already; either way it returns the job as it stands. A job
	// that failed at or before retryFailed is queued again, due at now,
	// with no attempts counted and its last error kept; a zero
	// retryFailed never requeues.
	EnqueueJob(ctx context.Context, kind, key string, now, retryFailed time.Time) (*Job, error)
	// ClaimJobs takes up to limit jobs of the given kinds due at now
	// (queued and due, or running with a lease run out: their worker
	// stopped), oldest first, marks them running until leaseTill with no
	// progress and counts an attempt on each.
	ClaimJobs(ctx context.Context, kinds []string, now, leaseTill time.Time, limit int) ([]Job, error)
	// JobProgress records a running attempt's progress and extends its
	// lease.
	JobProgress(ctx context.Context, id int64, attempt int, progress float64, leaseTill time.Time) error
	// JobDone marks a running attempt's job done.
	JobDone(ctx context.Context, id int64, attempt int, at time.Time) error
	// JobRetry puts a running attempt's job back in the queue, due at
	// next, with why the attempt failed.
	JobRetry(ctx context.Context, id int64, attempt int, next time.Time, why string) error
	// JobFailed gives up on a running attempt's job for why.
	JobFailed(ctx context.Context, id int64, attempt int, why string, at time.Time) error
	// JobRelease puts a running attempt's job back in the queue, due at
	// once, without counting the attempt: its worker stopped it to shut
	// down.
	JobRelease(ctx context.Context, id int64, attempt int) error
	// PutTranscode records a transcode; a second record of the same
	// master, format and version keeps the first.
	PutTranscode(ctx context.Context, t Transcode) error
	// TaggedServed records that the tagged copy sha256 (a download tagged
	// for its buyer) was served at: its last served time moves forward,
	// never back.
	TaggedServed(ctx context.Context, sha256 string, size int64, at time.Time) error
	// EvictTagged forgets the tagged copy sha256 if it was last served
	// before servedBefore. removeBlob is true when it did and the bytes
	// are no one else's (not a blob of the catalog, not a shared
	// transcode): the caller then deletes them from the bucket.
	EvictTagged(ctx context.Context, sha256 string, servedBefore time.Time) (removeBlob bool, err error)
}

// JobsReader reads the job queue and the transcode cache.
type JobsReader interface {
	// JobByKey returns the job queued under (kind, key); ErrNotFound.
	JobByKey(ctx context.Context, kind, key string) (*Job, error)
	// NextJobAt is when the earliest queued or running job of the given
	// kinds falls due (a running one: when its lease runs out);
	// ErrNotFound when there is none.
	NextJobAt(ctx context.Context, kinds []string) (time.Time, error)
	// Transcode finds the transcode of a master in a format made with
	// settings version; ErrNotFound.
	Transcode(ctx context.Context, masterSHA256, format string, version int) (*Transcode, error)
	// StaleTagged lists up to limit tagged copies last served before
	// servedBefore, least recently served first.
	StaleTagged(ctx context.Context, servedBefore time.Time, limit int) ([]string, error)
}
