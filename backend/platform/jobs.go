package platform

import (
	"context"
	"log/slog"
	"path/filepath"

	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/transcode"
)

// startJobs runs the job queue (transcodes and whatever else registers
// on it) with one worker per CPU; Close stops it, each running job put
// back in the queue for the next start, before the database closes.
func (p *Platform) startJobs(dir string, log *slog.Logger) error {
	p.activity = &jobs.Activity{}
	p.Jobs = jobs.New(p.Store, jobs.Config{Activity: p.activity}, log)
	tc, err := transcode.NewService(p.Store, p.Bucket, p.Jobs, filepath.Join(dir, "transcode"), log)
	if err != nil {
		return err
	}
	p.Transcodes = tc
	ctx, cancel := context.WithCancel(context.Background())
	done, swept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Jobs.Run(ctx); err != nil {
			log.Error("jobs", "err", err)
		}
	}()
	go func() {
		defer close(swept)
		tc.RunSweeps(ctx)
	}()
	p.closers = append(p.closers, func() { cancel(); <-done; <-swept })
	return nil
}
