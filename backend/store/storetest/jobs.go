package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// testJobQueue: a (kind, key) is queued once; a claim takes due jobs of
// the kinds asked, oldest first, for a lease, counting the attempt; a
// lease run out gives the job to the next claim, and the attempt that
// lost it can no longer touch it; retry, release, failed and done apply
// to the running attempt only.
func testJobQueue(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00.123Z")
	tx := func(fn func(tx store.Tx) error) error { return s.Store.WithTx(ctx, fn) }
	enqueue := func(kind, key string, now time.Time) *store.Job {
		t.Helper()
		var j *store.Job
		if err := tx(func(tx store.Tx) error {
			var err error
			j, err = tx.EnqueueJob(ctx, kind, key, now, time.Time{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return j
	}
	claim := func(kinds []string, now time.Time, limit int) []store.Job {
		t.Helper()
		var got []store.Job
		if err := tx(func(tx store.Tx) error {
			var err error
			got, err = tx.ClaimJobs(ctx, kinds, now, now.Add(time.Minute), limit)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	keys := func(js []store.Job) string {
		out := ""
		for _, j := range js {
			out += fmt.Sprintf("%s/%s#%d ", j.Kind, j.Key, j.Attempts)
		}
		return out
	}
	both := []string{"transcode", "loudness"}

	if _, err := s.Store.NextJobAt(ctx, both); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("next job of an empty queue: %v, want ErrNotFound", err)
	}
	a := enqueue("transcode", "a", t0)
	if a.State != store.JobQueued || a.Attempts != 0 || !a.NextAt.Equal(t0) || !a.CreatedAt.Equal(t0) || a.Progress != 0 {
		t.Fatalf("enqueued job = %+v", a)
	}
	if again := enqueue("transcode", "a", t0.Add(time.Hour)); again.ID != a.ID || !again.NextAt.Equal(t0) {
		t.Fatalf("enqueue twice: %+v, want the first job (%d) unchanged", again, a.ID)
	}
	enqueue("loudness", "a", t0.Add(time.Second))
	enqueue("transcode", "b", t0.Add(2*time.Second))
	enqueue("other", "x", t0)
	if next, err := s.Store.NextJobAt(ctx, both); err != nil || !next.Equal(t0) {
		t.Fatalf("next job at %v, %v; want %v", next, err, t0)
	}
	if got := keys(claim(both, t0.Add(time.Second), 10)); got != "transcode/a#1 loudness/a#1 " {
		t.Fatalf("claim at t0+1s = %q, want the two due jobs of the kinds asked, oldest first", got)
	}
	if got := claim(both, t0.Add(time.Second), 10); len(got) != 0 {
		t.Fatalf("claim again = %q, want none (held, b not due)", keys(got))
	}
	if got := keys(claim(both, t0.Add(3*time.Second), 10)); got != "transcode/b#1 " {
		t.Fatalf("claim at t0+3s = %q, want b", got)
	}
	running, err := s.Store.JobByKey(ctx, "transcode", "a")
	if err != nil || running.State != store.JobRunning || !running.LeaseTill.Equal(t0.Add(time.Second+time.Minute)) {
		t.Fatalf("claimed job = %+v, %v", running, err)
	}
	// Progress renews the lease of the running attempt only.
	if err := tx(func(tx store.Tx) error {
		return tx.JobProgress(ctx, a.ID, 1, 0.5, t0.Add(2*time.Minute))
	}); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx store.Tx) error { return tx.JobProgress(ctx, a.ID, 2, 0.9, t0) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("progress of another attempt: %v, want ErrNotFound", err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "a"); j.Progress != 0.5 || !j.LeaseTill.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after progress: %+v", j)
	}
	// The leases run out: the next claim takes the jobs as attempt 2,
	// and attempt 1 can no longer finish them.
	if got := keys(claim([]string{"transcode"}, t0.Add(2*time.Minute), 10)); got != "transcode/a#2 transcode/b#2 " {
		t.Fatalf("claim after the leases = %q, want a and b as attempt 2", got)
	}
	if err := tx(func(tx store.Tx) error { return tx.JobDone(ctx, a.ID, 1, t0) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("done by the attempt that lost the lease: %v, want ErrNotFound", err)
	}
	b, _ := s.Store.JobByKey(ctx, "transcode", "b")
	if err := tx(func(tx store.Tx) error { return tx.JobFailed(ctx, b.ID, 2, "corrupt", t0.Add(2*time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "b"); j.State != store.JobFailed || j.LastError != "corrupt" || !j.DoneAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("failed job: %+v", j)
	}
	if err := tx(func(tx store.Tx) error { return tx.JobRetry(ctx, b.ID, 2, t0, "x") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retry of a failed job: %v, want ErrNotFound", err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "a"); j.Progress != 0 || j.State != store.JobRunning {
		t.Fatalf("a retaken job starts again from no progress: %+v", j)
	}
	// Retry: queued again until next, with why.
	next := t0.Add(10 * time.Minute)
	if err := tx(func(tx store.Tx) error { return tx.JobRetry(ctx, a.ID, 2, next, "ffmpeg: exit 1") }); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "a"); j.State != store.JobQueued || !j.NextAt.Equal(next) || j.LastError != "ffmpeg: exit 1" || j.Attempts != 2 {
		t.Fatalf("after retry: %+v", j)
	}
	if got := claim([]string{"transcode"}, next.Add(-time.Millisecond), 10); len(got) != 0 {
		t.Fatalf("claim before a retry is due = %q", keys(got))
	}
	// Release puts it back without counting the attempt.
	claim([]string{"transcode"}, next, 10)
	if err := tx(func(tx store.Tx) error { return tx.JobRelease(ctx, a.ID, 3) }); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "a"); j.State != store.JobQueued || j.Attempts != 2 {
		t.Fatalf("after release: %+v, want queued with 2 attempts", j)
	}
	if next, err := s.Store.NextJobAt(ctx, []string{"transcode"}); err != nil || next.After(t0) {
		t.Fatalf("a released job is due at %v, %v; want at once", next, err)
	}
	// Done and failed.
	got := claim([]string{"transcode"}, next, 10)
	if len(got) != 1 || got[0].Attempts != 3 {
		t.Fatalf("claim after release = %q", keys(got))
	}
	done := t0.Add(11 * time.Minute)
	if err := tx(func(tx store.Tx) error { return tx.JobDone(ctx, a.ID, 3, done) }); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Store.JobByKey(ctx, "transcode", "a"); j.State != store.JobDone || j.Progress != 1 || !j.DoneAt.Equal(done) || j.LastError != "" {
		t.Fatalf("done job: %+v", j)
	}
	if again := enqueue("transcode", "a", done); again.State != store.JobDone {
		t.Fatalf("enqueue of a done job: %+v, want it done", again)
	}
	if _, err := s.Store.JobByKey(ctx, "transcode", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown job: %v, want ErrNotFound", err)
	}
}

// testJobRetryFailed: enqueuing a job failed at or before the time given
// queues it afresh (due now, no attempts, no progress, its error kept);
// one failed later, a done one, a queued one and a running one are left
// as they are.
func testJobRetryFailed(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00.250Z")
	enqueue := func(key string, now, retryFailed time.Time) *store.Job {
		t.Helper()
		var j *store.Job
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			j, err = tx.EnqueueJob(ctx, "transcode", key, now, retryFailed)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return j
	}
	claim := func(now time.Time) []store.Job {
		t.Helper()
		var got []store.Job
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			got, err = tx.ClaimJobs(ctx, []string{"transcode"}, now, now.Add(time.Minute), 10)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, k := range []string{"failed", "done", "running"} {
		enqueue(k, t0, time.Time{})
	}
	got := claim(t0)
	if len(got) != 3 {
		t.Fatalf("claimed %d jobs, want 3", len(got))
	}
	ids := map[string]int64{}
	for _, j := range got {
		ids[j.Key] = j.ID
	}
	failedAt := t0.Add(time.Second)
	if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.JobProgress(ctx, ids["failed"], 1, 0.4, t0.Add(time.Minute)); err != nil {
			return err
		}
		if err := tx.JobFailed(ctx, ids["failed"], 1, "ffmpeg: signal: killed", failedAt); err != nil {
			return err
		}
		return tx.JobDone(ctx, ids["done"], 1, failedAt)
	}); err != nil {
		t.Fatal(err)
	}
	enqueue("queued", t0, time.Time{})

	later := t0.Add(time.Hour)
	// Not failed long enough, or no retry asked: it stays failed.
	for _, before := range []time.Time{{}, failedAt.Add(-time.Millisecond)} {
		if j := enqueue("failed", later, before); j.State != store.JobFailed || j.Attempts != 1 || !j.DoneAt.Equal(failedAt) {
			t.Fatalf("enqueue of a job failed after %v: %+v, want it failed as it was", before, j)
		}
	}
	// Failed long enough: queued afresh, due now.
	j := enqueue("failed", later, failedAt)
	if j.ID != ids["failed"] || j.State != store.JobQueued || j.Attempts != 0 || j.Progress != 0 ||
		!j.NextAt.Equal(later) || !j.DoneAt.IsZero() || j.LastError != "ffmpeg: signal: killed" {
		t.Fatalf("enqueue of a job failed long enough: %+v, want it queued afresh at %v with its error kept", j, later)
	}
	if next, err := s.Store.NextJobAt(ctx, []string{"transcode"}); err != nil || !next.Equal(t0) {
		t.Fatalf("next job at %v, %v; want %v (the queued one)", next, err, t0)
	}
	// The others are as they were, whatever the time given.
	for key, want := range map[string]string{"done": store.JobDone, "running": store.JobRunning, "queued": store.JobQueued} {
		j := enqueue(key, later, later)
		if j.State != want || !j.CreatedAt.Equal(t0) {
			t.Errorf("enqueue of a %s job with retry: %+v, want it %s", key, j, want)
		}
		if want == store.JobRunning && j.Attempts != 1 {
			t.Errorf("running job's attempts = %d, want 1", j.Attempts)
		}
		if want == store.JobQueued && !j.NextAt.Equal(t0) {
			t.Errorf("queued job's next = %v, want %v", j.NextAt, t0)
		}
	}
	got = claim(later)
	keys := map[string]int{}
	for _, j := range got {
		keys[j.Key] = j.Attempts
	}
	if len(got) != 3 || keys["failed"] != 1 || keys["queued"] != 1 || keys["running"] != 2 {
		t.Fatalf("claim after the retry = %v, want failed and queued as attempt 1, running (lease out) as 2", keys)
	}
}

// testJobClaimUnderConcurrency: workers claiming at once each get their
// own jobs; every job is claimed exactly once.
func testJobClaimUnderConcurrency(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00Z")
	const n = 40
	for i := range n {
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error {
			_, err := tx.EnqueueJob(ctx, "transcode", fmt.Sprint(i), t0, time.Time{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []store.Job
				err := s.Store.WithTx(ctx, func(tx store.Tx) error {
					var err error
					got, err = tx.ClaimJobs(ctx, []string{"transcode"}, t0, t0.Add(time.Hour), 3)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d jobs claimed, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("job %d claimed %d times", id, c)
		}
	}
}

// testTranscodes: a master's transcode is found by master, format and
// settings version; a second record keeps the first.
func testTranscodes(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-03-01T10:00:00.5Z")
	master := digest("master")
	put := func(tc store.Transcode) {
		t.Helper()
		if err := s.Store.WithTx(ctx, func(tx store.Tx) error { return tx.PutTranscode(ctx, tc) }); err != nil {
			t.Fatal(err)
		}
	}
	first := store.Transcode{MasterSHA256: master, Format: "opus", Version: 1, SHA256: digest("opus-1"), Size: 123456789012, CreatedAt: t0}
	put(first)
	put(store.Transcode{MasterSHA256: master, Format: "opus", Version: 1, SHA256: digest("other"), Size: 1, CreatedAt: t0.Add(time.Hour)})
	got, err := s.Store.Transcode(ctx, master, "opus", 1)
	if err != nil || *got != first {
		t.Fatalf("transcode = %+v, %v; want %+v", got, err, first)
	}
	for _, c := range []struct {
		format  string
		version int
	}{{"opus", 2}, {"aac", 1}} {
		if _, err := s.Store.Transcode(ctx, master, c.format, c.version); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("transcode %s v%d: %v, want ErrNotFound", c.format, c.version, err)
		}
	}
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testTaggedCopies: a tagged copy's last served time only moves forward;
// copies not served since a time are listed least recent first; evicting
// forgets one only if still not served since, and asks for its bytes to
// be deleted only when no catalog blob or shared transcode has them.
func testTaggedCopies(t *testing.T, s Services) {
	ctx := signUp(t, s, "tagger", true)
	t0 := at(t, "2026-03-01T10:00:00.5Z")
	tx := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := s.Store.WithTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	served := func(sha string, at time.Time) {
		t.Helper()
		tx(func(tx store.Tx) error { return tx.TaggedServed(ctx, sha, 1000, at) })
	}
	stale := func(before time.Time, limit int) string {
		t.Helper()
		got, err := s.Store.StaleTagged(ctx, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	evict := func(sha string, before time.Time) bool {
		t.Helper()
		var remove bool
		tx(func(tx store.Tx) error {
			var err error
			remove, err = tx.EvictTagged(ctx, sha, before)
			return err
		})
		return remove
	}
	a, b, c := digest("tagged a"), digest("tagged b"), digest("tagged c")
	master := audio(t, s, ctx, "a master that is also a tagged copy")
	shared := digest("a shared transcode that is also a tagged copy")
	tx(func(tx store.Tx) error {
		return tx.PutTranscode(ctx, store.Transcode{MasterSHA256: master, Format: "opus", Version: 1, SHA256: shared, Size: 1, CreatedAt: t0})
	})
	served(a, t0.Add(2*time.Hour))
	served(a, t0) // an older record never moves it back
	served(b, t0.Add(time.Hour))
	served(c, t0.Add(3*time.Hour))
	served(master, t0)
	served(shared, t0)
	if got, want := stale(t0.Add(3*time.Hour), 10), fmt.Sprint([]string{min(master, shared), max(master, shared), b, a}); got != want {
		t.Fatalf("stale before t0+3h = %s, want %s (least recently served first, c served since)", got, want)
	}
	if got := stale(t0.Add(time.Hour), 1); got != fmt.Sprint([]string{min(master, shared)}) {
		t.Fatalf("stale before t0+1h, limit 1 = %s", got)
	}
	// Served since the time given: kept.
	if evict(a, t0.Add(2*time.Hour)) {
		t.Fatal("evicted a copy served at the very time given")
	}
	if got := stale(t0.Add(3*time.Hour), 10); !strings.Contains(got, a) {
		t.Fatalf("a copy not evicted was forgotten: %s", got)
	}
	if !evict(a, t0.Add(3*time.Hour)) || evict(a, t0.Add(3*time.Hour)) {
		t.Fatal("evicting a stale copy: want its bytes deleted once, then nothing to do")
	}
	// Bytes that are a master or a shared transcode are never deleted.
	if evict(master, t0.Add(time.Hour)) || evict(shared, t0.Add(time.Hour)) {
		t.Fatal("evicting a tagged copy whose bytes are a master or a shared transcode asked to delete them")
	}
	if got, want := stale(t0.Add(4*time.Hour), 10), fmt.Sprint([]string{b, c}); got != want {
		t.Fatalf("after evictions stale = %s, want %s", got, want)
	}
	// Served again after its eviction: known again.
	served(a, t0.Add(5*time.Hour))
	if got := stale(t0.Add(6*time.Hour), 10); got != fmt.Sprint([]string{b, c, a}) {
		t.Fatalf("after serving a again stale = %s", got)
	}
}
