package wait

import (
	"sync/atomic"
	"testing"
	"time"
)

type recorder struct {
	testing.TB
	failed atomic.Bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed.Store(true)
	r.msg = format
	panic(r) // stands in for runtime.Goexit, ending the check
}

func run(f func(t testing.TB)) (r *recorder) {
	r = &recorder{}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	f(r)
	return r
}

// TestUntilReturnsOnceTrue: the condition turning true after a few polls
// ends the wait without failing.
func TestUntilReturnsOnceTrue(t *testing.T) {
	var n atomic.Int32
	r := run(func(tb testing.TB) { Until(tb, time.Minute, "three polls", func() bool { return n.Add(1) >= 3 }) })
	if r.failed.Load() || n.Load() != 3 {
		t.Fatalf("failed %v after %d polls; want a pass after 3", r.failed.Load(), n.Load())
	}
}

// TestForFailsAtTheDeadline: a condition that never holds fails the test
// once the deadline passes, not before.
func TestForFailsAtTheDeadline(t *testing.T) {
	start := time.Now()
	r := run(func(tb testing.TB) {
		For(tb, 50*time.Millisecond, func() bool { return false }, func() string { return "never" })
	})
	if !r.failed.Load() || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("failed %v after %v; want a failure after 50ms", r.failed.Load(), time.Since(start))
	}
}
