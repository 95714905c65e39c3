// Package wait polls for a condition in tests: a deadline, never a fixed
// sleep standing in for "long enough".
package wait

import (
	"testing"
	"time"
)

// For polls ok every few milliseconds until it holds, and fails the test
// with what() if it does not within d.
func For(t testing.TB, d time.Duration, ok func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(d); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting: %s", d, what())
		}
	}
}

// Until is For with a fixed description of what is awaited.
func Until(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	For(t, d, ok, func() string { return what })
}
