package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/transcode"
)

// transcodeMasters is how many masters each round transcodes: two per
// worker, so every worker stays busy.
func transcodeMasters() int { return 2 * runtime.NumCPU() }

// transcodeSeconds is each master's length: a short song.
const transcodeSeconds = 60

// benchTranscode: transcode throughput per worker for each lossy format,
// through the platform's job queue (master read from the bucket, probed,
// encoded by ffmpeg, stored as a blob, recorded), in audio seconds per
// wall second per worker, next to ffmpeg merely decoding the same masters
// as many at once (the floor any transcode pays), and to the same encode
// run directly (what the queue and the bucket add).
func benchTranscode(dir string, runs int, rep *Report) error {
	for _, tool := range []string{"ffmpeg", "ffprobe", "sox", "flac", "metaflac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed: %w", tool, err)
		}
	}
	ctx := context.Background()
	pdir := filepath.Join(dir, "transcode")
	p, done, err := benchPlatform(ctx, pdir)
	if err != nil {
		return err
	}
	defer done()
	base := filepath.Join(pdir, "base.flac")
	if err := tcMusicFLAC(base, transcodeSeconds, 96000, 24); err != nil {
		return err
	}
	workers := p.Jobs.Workers()
	n := transcodeMasters()
	audio := float64(n * transcodeSeconds)
	perWorker := func(d time.Duration) float64 { return audio / d.Seconds() / float64(workers) }
	copies := 0
	// masters makes n distinct masters (the same audio, a tag apart: a
	// new sha256, so nothing is cached) and stores them as blobs.
	masters := func() ([]string, []string, error) {
		var paths, shas []string
		for range n {
			copies++
			path := filepath.Join(pdir, fmt.Sprintf("m%d.flac", copies))
			if err := tcCopy(base, path); err != nil {
				return nil, nil, err
			}
			if out, err := exec.Command("metaflac", fmt.Sprintf("--set-tag=COPY=%d", copies), path).CombinedOutput(); err != nil {
				return nil, nil, fmt.Errorf("metaflac: %v: %s", err, out)
			}
			sha, err := tcStoreMaster(ctx, p.Store, p.Bucket.PutFile, path)
			if err != nil {
				return nil, nil, err
			}
			paths, shas = append(paths, path), append(shas, sha)
		}
		return paths, shas, nil
	}
	decode := func(int) (float64, error) {
		paths, _, err := masters()
		if err != nil {
			return 0, err
		}
		d, err := tcParallel(workers, paths, func(path string) error {
			return tcRun("ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "null", "-")
		})
		return perWorker(d), err
	}
	for _, f := range []api.Format{api.FormatMP3320, api.FormatMP3V0, api.FormatOpus, api.FormatAAC} {
		queued := func(int) (float64, error) {
			_, shas, err := masters()
			if err != nil {
				return 0, err
			}
			start := time.Now()
			for _, sha := range shas {
				if _, _, _, err := p.Transcodes.TrackIn(ctx, &api.TrackFile{AudioSHA256: sha}, f); err != nil {
					return 0, err
				}
			}
			for _, sha := range shas {
				if err := tcWaitJob(ctx, p.Jobs, transcode.Key(sha, f)); err != nil {
					return 0, err
				}
			}
			return perWorker(time.Since(start)), nil
		}
		direct := func(int) (float64, error) {
			paths, _, err := masters()
			if err != nil {
				return 0, err
			}
			enc := transcode.Encoder{}
			src := transcode.Source{SampleRate: 96000, Channels: 2, Seconds: transcodeSeconds}
			d, err := tcParallel(workers, paths, func(path string) error {
				out := path + ".out" + f.Ext()
				defer os.Remove(out)
				return enc.Encode(ctx, path, out, f, src, nil)
			})
			return perWorker(d), err
		}
		row := Row{Name: fmt.Sprintf("transcode a 24/96 master to %s: audio seconds per second per worker", f.Label()), Unit: "s/s", Digits: 1,
			Ours:   Measure{Short: "Megabox", Label: fmt.Sprintf("queued jobs, %d workers", workers)},
			Base:   &Measure{Short: "decode", Label: "`ffmpeg -i master -f null -`, as many at once"},
			Peers:  []*Measure{{Short: "direct", Label: "the same ffmpeg encode, run directly"}},
			Target: "≥ 0.9× direct (the queue, bucket and database cost under 10 %)",
		}
		if err := interleave(runs,
			contender{m: &row.Ours, run: queued},
			contender{m: row.Base, run: decode},
			contender{m: row.Peers[0], run: direct},
		); err != nil {
			return err
		}
		row.Met = row.ratio(row.Peers[0]) >= 0.9
		row.Note = fmt.Sprintf("%d distinct masters per round (%d s of 24-bit 96 kHz stereo FLAC made by sox and Debian's flac, "+
			"a tag apart so no transcode is cached), on %d workers (one per CPU). Megabox: each master's download asked for (TrackIn), "+
			"which queues its transcode; timed until every job is done: the master read in place from the disk bucket, its format from its blob record "+
			"(as an upload records it from the FLAC header), "+
			"resampled (soxr) and encoded by Debian's ffmpeg 5.1, the result hashed, stored as a blob and recorded. "+
			"Decode: ffmpeg decoding the same masters to nothing, %d processes at a time. Direct: the queue's ffmpeg command on the same files, "+
			"%d at a time, without the queue, bucket or database.", n, transcodeSeconds, workers, workers, workers)
		rep.Rows = append(rep.Rows, row)
	}
	return nil
}

// tcMusicFLAC writes a FLAC of music-like audio: plucked strings over a
// held tone, tremolo and reverb, made by sox and encoded by flac.
func tcMusicFLAC(path string, seconds, rate, bits int) error {
	wav := path + ".wav"
	defer os.Remove(wav)
	err := tcRun("sox", "-n", "-r", fmt.Sprint(rate), "-b", fmt.Sprint(bits), "-c", "2", wav, "synth", fmt.Sprint(seconds),
		"pluck", "A2", "pluck", "E3", "pluck", "C4", "pluck", "G4", "sine", "523", "remix", "1,3,5", "2,4,5",
		"tremolo", "5", "30", "reverb", "30", "gain", "-n", "-3")
	if err != nil {
		return err
	}
	return tcRun("flac", "-s", "-f", "-o", path, wav)
}

// tcStoreMaster puts a FLAC master in the bucket and records its blob.
func tcStoreMaster(ctx context.Context, st store.Store, put func(context.Context, string, string) (int64, error), path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sha := sha256hex(data)
	tmp := path + ".blob"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", err
	}
	if _, err := put(ctx, sha, tmp); err != nil {
		return "", err
	}
	return sha, st.WithTx(ctx, func(tx store.Tx) error {
		id, err := tx.InsertAccount(ctx, &api.Account{Email: sha[:16] + "@bench.example", DisplayName: "Bench", Creator: true, CreatedAt: time.Now()}, "x")
		if err != nil {
			return err
		}
		return tx.OwnBlob(ctx, id, api.Blob{SHA256: sha, Size: int64(len(data)), MediaType: api.MediaFLAC, DurationMS: transcodeSeconds * 1000,
			SampleRate: 96000, BitDepth: 24, Channels: 2}, time.Now())
	})
}

// tcWaitJob waits for a job to be done.
func tcWaitJob(ctx context.Context, q *jobs.Queue, key string) error {
	for {
		st, err := q.Status(ctx, transcode.Kind, key)
		if err != nil {
			return err
		}
		switch st.State {
		case jobs.Done:
			return nil
		case jobs.Failed:
			return fmt.Errorf("transcode %s failed: %s", key, st.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// parallel runs fn on every item, at most n at once, and times it all.
func tcParallel(n int, items []string, fn func(string) error) (time.Duration, error) {
	start := time.Now()
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(it); err != nil {
				mu.Lock()
				first = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return time.Since(start), first
}

func tcRun(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, out)
	}
	return nil
}

func tcCopy(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
