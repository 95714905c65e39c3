package main

import (
	"fmt"
	"io"
	gosync "sync"

	"github.com/schollz/progressbar/v3"

	"github.com/megabox-fm/megabox/app/sync"
)

// progress shows sync events: a progress bar on a terminal, plain lines
// otherwise.
type progress struct {
	mu  gosync.Mutex
	w   io.Writer
	tty bool
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

// Emit implements sync.Emitter.
func (p *progress) Emit(event string, payload any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := payload.(type) {
	case sync.Progress:
		if p.tty {
			p.drawBar(ev)
		}
	case sync.FileEvent:
		if ev.State == sync.StateError || (ev.State == sync.StateSynced && !p.tty) {
			p.line(fmt.Sprintf("%-7s %s %s", ev.State, ev.Path, ev.Problem))
		}
	case sync.ReleaseEvent:
		msg := fmt.Sprintf("release %s: %s", ev.Dir, ev.State)
		if ev.ReleaseID != 0 {
			msg += fmt.Sprintf(" (#%d, %d tracks)", ev.ReleaseID, ev.Tracks)
		}
		if ev.Problem != nil {
			msg += " — " + ev.Problem.String()
		}
		p.line(msg)
	}
}

func (p *progress) drawBar(ev sync.Progress) {
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(ev.BytesTotal, progressbar.OptionSetWriter(p.w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(0), progressbar.OptionShowCount(),
			progressbar.OptionSetDescription("uploading"), progressbar.OptionClearOnFinish())
	}
	p.bar.ChangeMax64(ev.BytesTotal)
	p.bar.Describe(fmt.Sprintf("uploading %d/%d files", ev.FilesDone, ev.FilesTotal))
	_ = p.bar.Set64(ev.BytesDone) // drawing errors are the terminal's; sync goes on
}

// line prints above the bar.
func (p *progress) line(s string) {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
