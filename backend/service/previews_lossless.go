package service

import (
	"time"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
)

// A lossless master is previewed as an MP3 made from its preview range,
// so it plays everywhere an MP3 preview does (every browser's <audio>,
// the app). The MP3 is made once by a job and kept in the bucket under
// its own sha256, found through the transcode cache.
const (
	// previewVersion names the settings below; a change makes new
	// previews rather than serve the old ones.
	previewVersion = 1
	// previewBitrate is the preview MP3's constant bitrate.
	previewBitrate = "192k"
	// previewRetryS is how long a player waits before asking again for a
	// preview being made.
	previewRetryS = 2
)

// previewFormat names a preview of seconds (0: the whole track) in the
// transcode cache.
func previewFormat(seconds int) string { return "preview-mp3-" + strconv.Itoa(seconds) + "s" }

func previewJobKey(master string, seconds int) string { return master + "/" + strconv.Itoa(seconds) }

// lossless reports whether a track's audio is a lossless master. A cut
// remembered for it says MP3 without asking the store.
func (s *PreviewService) lossless(ctx context.Context, sha string, seconds int) (bool, error) {
	if seconds > 0 {
		if _, ok := s.cuts.get(cutKey{sha: sha, seconds: seconds}); ok {
			return false, nil
		}
	}
	b, err := s.st.Blob(ctx, sha)
	if err != nil {
		return false, notFound(err, "audio %s not found", sha)
	}
	return b.MediaType == api.MediaFLAC, nil
}

// losslessPreview is p served from the MP3 made of its master, or, while
// that is being made, p with its progress (the job is queued if it was
// not).
func (s *PreviewService) losslessPreview(ctx context.Context, p *api.Preview) (*api.Preview, error) {
	master := p.AudioSHA256
	if ok, err := s.madePreview(ctx, p); ok || err != nil {
		return p, err
	}
	if s.analysis == nil {
		return nil, api.Errorf(api.EUNSUPPORTED, "track %d: previews of FLAC masters are not made on this server", p.TrackID)
	}
	// Asked first, queued if unknown or failed long enough ago to be tried
	// again: a player asking again while it is made writes nothing.
	key := previewJobKey(master, p.Seconds)
	st, err := s.analysis.jobs.Status(ctx, JobPreview, key)
	if api.ErrorCode(err) == api.ENOTFOUND || (err == nil && st.State == jobs.Failed && !st.RetryAt.After(time.Now())) {
		st, err = s.analysis.jobs.Enqueue(ctx, JobPreview, key)
	}
	if err != nil {
		return nil, err
	}
	switch st.State {
	case jobs.Done: // made between the look and the enqueue
		if ok, err := s.madePreview(ctx, p); ok || err != nil {
			return p, err
		}
		return nil, fmt.Errorf("preview of %s: done but not in the transcode cache", master)
	case jobs.Failed:
		return nil, api.Errorf(api.EUNSUPPORTED, "track %d: its preview could not be made from the FLAC master", p.TrackID)
	}
	p.Progress = &api.TranscodeProgress{State: st.State, Progress: st.Progress, RetryAfterS: previewRetryS}
	return p, nil
}

// madePreview points p at its MP3 when it was made.
func (s *PreviewService) madePreview(ctx context.Context, p *api.Preview) (bool, error) {
	tc, err := s.st.Transcode(ctx, p.AudioSHA256, previewFormat(p.Seconds), previewVersion)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p.AudioSHA256, p.Start, p.End = tc.SHA256, 0, tc.Size
	return true, nil
}

// preview makes the MP3 preview of a lossless master with ffmpeg's
// libmp3lame (resampled to 48 kHz at most and to two channels at most,
// as MP3 allows), stores it in the bucket and records it.
func (a *Analysis) preview(ctx context.Context, j jobs.Job, progress func(float64)) error {
	master, secs, _ := strings.Cut(j.Key, "/")
	seconds, err := strconv.Atoi(secs)
	if err != nil || seconds < 0 || !api.ValidSHA256(master) {
		return jobs.Permanent(fmt.Errorf("preview job key %q is not <sha256>/<seconds>", j.Key))
	}
	if _, err := a.st.Transcode(ctx, master, previewFormat(seconds), previewVersion); err == nil {
		return nil
	}
	path, err := a.encodePreview(ctx, master, seconds, progress)
	if path != "" {
		defer os.Remove(path)
	}
	if err != nil {
		return err
	}
	sha, size, err := fileSHA256(path)
	if err != nil {
		return err
	}
	if _, err := a.bucket.PutFile(ctx, sha, path); err != nil {
		return fmt.Errorf("store preview of %s: %w", master, err)
	}
	return a.st.WithLightTx(ctx, func(tx store.Tx) error {
		return tx.PutTranscode(ctx, store.Transcode{MasterSHA256: master, Format: previewFormat(seconds), Version: previewVersion,
			SHA256: sha, Size: size, CreatedAt: a.clock()})
	})
}

// encodePreview writes the preview to a temporary file (ffmpeg goes back
// to its start to write the header that gives the MP3's length).
func (a *Analysis) encodePreview(ctx context.Context, master string, seconds int, progress func(float64)) (string, error) {
	obj, err := a.bucket.Open(ctx, master)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", master, err)
	}
	defer obj.Close()
	out, err := os.CreateTemp("", "megabox-preview-*.mp3")
	if err != nil {
		return "", err
	}
	out.Close()
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0"}
	if seconds > 0 {
		args = append(args, "-t", strconv.Itoa(seconds))
	}
	args = append(args, "-map", "0:a:0", "-map_metadata", "-1", "-fflags", "+bitexact", "-c:a", "libmp3lame", "-b:a", previewBitrate,
		"-ac", "2", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", "-y", out.Name())
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	want := obj.Size()
	if b, err := a.st.Blob(ctx, master); err == nil && seconds > 0 && b.DurationMS > 0 {
		want = min(want, want*int64(seconds)*1000/b.DurationMS)
	}
	in := &readProgress{r: obj, want: want, progress: progress}
	cmd.Stdin = in
	msg, err := cmd.CombinedOutput()
	if in.err != nil { // ffmpeg saw the master end early: retry rather than keep a short preview
		return out.Name(), fmt.Errorf("read %s: %w", master, in.err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return out.Name(), ctx.Err()
		}
		return out.Name(), jobs.Permanent(fmt.Errorf("ffmpeg could not make the preview of %s: %v: %s", master, err, strings.TrimSpace(string(msg))))
	}
	return out.Name(), nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// readProgress tells progress how much of want bytes were read.
type readProgress struct {
	r        io.Reader
	n, want  int64
	err      error // a read error other than the end
	progress func(float64)
}

func (r *readProgress) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	if r.want > 0 {
		r.progress(min(float64(r.n)/float64(r.want), 1))
	}
	return n, err
}
