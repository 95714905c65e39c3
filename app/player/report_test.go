package player

import (
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"
)

// statuses returns the status events the recorder got after from.
func (r *recorder) statuses(from int) []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Status
	for _, e := range r.events[min(from, len(r.events)):] {
		if s, ok := e.(Status); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// While playing, the player reports about once a second and as a track
// boundary comes up, not several times a second: each report is a wakeup
// of the whole process. While paused it reports nothing.
func TestProgressReportsAreFew(t *testing.T) {
	p, s, rec := newTestPlayer(t)
	items, _ := tracks(t, 2, 2)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	s.pump(44100 * bytesPerFrame * 3 / 2) // 1.5 s in: the boundary is 0.5 s ahead

	const window = 1200 * time.Millisecond
	from := rec.count()
	start := time.Now()
	wait.For(t, 10*time.Second, func() bool { return time.Since(start) >= window && len(rec.statuses(from)) > 0 },
		func() string { return "no progress report while playing" })
	got := rec.statuses(from)
	elapsed := time.Since(start)
	// Reports fall at the boundary ahead (0.5 s) and every 0.5 s after it
	// while the fake device stands still there: 3 in the window, more only
	// if a loaded machine polled late. Four a second would be 4–5.
	if allowed := 1 + int(elapsed/(500*time.Millisecond)); len(got) > allowed {
		t.Fatalf("%d progress reports in %v of playback, want at most %d (about one a second plus the boundary)", len(got), elapsed.Round(time.Millisecond), allowed)
	}
	for _, st := range got {
		if st.State != StatePlaying || st.Index != 0 || st.PositionMS < 1400 || st.PositionMS > 1600 {
			t.Fatalf("progress report %+v, want playing track 0 at about 1500 ms", st)
		}
	}

	p.Pause()
	from = rec.count()
	// Paused, the monitor stops its report timer: nothing wakes it to
	// report, and nothing was reported meanwhile.
	wait.Until(t, 10*time.Second, "the report timer stopped while paused", func() bool { return !p.reporting.Load() })
	if got := rec.statuses(from); len(got) != 0 {
		t.Fatalf("%d reports while paused, want none: %+v", len(got), got)
	}
}

// The report falls due when the next track is heard, not a whole second
// later, so the title changes with the music.
func TestReportDueAtTheBoundary(t *testing.T) {
	p, s, _ := newTestPlayer(t)
	items, pcm := tracks(t, 2, 2)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	s.pump(len(pcm[0]) - 44100*bytesPerFrame/5) // 0.2 s before the boundary
	p.mu.Lock()
	ahead, ok := p.feed.untilChange(p.stream.UnplayedBufferSize)
	p.mu.Unlock()
	if !ok {
		t.Fatal("no change ahead with a second track queued")
	}
	if d := p.durationOf(ahead); d < 150*time.Millisecond || d > 250*time.Millisecond {
		t.Fatalf("next change in %v, want the boundary 0.2 s ahead", d)
	}
}
