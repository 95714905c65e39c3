package transcode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/store"
)

// Kind is the job kind of a transcode; its key is
// "<master sha256>/<format>/v<settings version>".
const Kind = "transcode"

// Service makes downloads in the format a buyer chose: it queues the
// shared transcodes missing and tags what is ready for each download.
type Service struct {
	st     store.Store
	bucket blob.Bucket
	q      *jobs.Queue
	enc    Encoder
	tmp    string
	log    *slog.Logger
	slots  chan struct{} // bounds the tagging done at once
	// missing says why this server cannot make formats (no ffmpeg);
	// nil when it can.
	missing error

	mu     sync.Mutex
	tagged map[string]api.ArchiveFile // tag key → tagged blob
	served map[string]time.Time       // tagged blob → when this server last recorded it served
}

// NewService makes the service and registers its job handler on q;
// scratch files go in tmp.
func NewService(st store.Store, bucket blob.Bucket, q *jobs.Queue, tmp string, log *slog.Logger) (*Service, error) {
	// What a stopped server left half-made there is of no use.
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("transcode dir: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("transcode dir: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, bucket: bucket, q: q, tmp: tmp, log: log, slots: make(chan struct{}, runtime.NumCPU()),
		tagged: map[string]api.ArchiveFile{}, served: map[string]time.Time{}}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			s.missing = api.Errorf(api.EUNSUPPORTED, "this server cannot make other formats than the masters: %s is not installed", tool)
			log.Warn("transcode: downloads in other formats are off", "err", err)
			break
		}
	}
	q.Handle(Kind, s.handle)
	return s, nil
}

// Available reports whether this server can make other formats than
// the masters (ffmpeg is installed).
func (s *Service) Available() bool { return s.missing == nil }

// Key is the job key of master's transcode to f.
func Key(master string, f api.Format) string {
	return master + "/" + string(f) + "/v" + strconv.Itoa(Version(f))
}

func parseKey(key string) (master string, f api.Format, version int, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || !api.ValidSHA256(parts[0]) || !strings.HasPrefix(parts[2], "v") {
		return "", "", 0, fmt.Errorf("transcode key %q: want <sha256>/<format>/v<version>", key)
	}
	f, err = api.ParseFormat(parts[1])
	if err != nil {
		return "", "", 0, err
	}
	version, err = strconv.Atoi(parts[2][1:])
	return parts[0], f, version, err
}

// handle is the transcode job: the master from the bucket, encoded, the
// result stored as a blob and recorded as the master's transcode.
func (s *Service) handle(ctx context.Context, j jobs.Job, progress func(float64)) error {
	master, f, version, err := parseKey(j.Key)
	if err != nil {
		return jobs.Permanent(err)
	}
	if version != Version(f) {
		return nil // settings changed since it was queued: a job of the new version makes it
	}
	dir, err := os.MkdirTemp(s.tmp, "encode-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, err := s.input(ctx, master, dir)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "out"+f.Ext())
	src, err := s.sourceOf(ctx, master, in)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return jobs.Permanent(fmt.Errorf("master %s: %w", master, err))
	}
	if err := s.enc.Encode(ctx, in, out, f, src, progress); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("encode %s to %s: %w", master, f, err)
	}
	file, err := s.store(ctx, out)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		return tx.PutTranscode(ctx, store.Transcode{MasterSHA256: master, Format: string(f), Version: version,
			SHA256: file.SHA256, Size: file.Size, CreatedAt: time.Now()})
	})
}

// sourceOf is a master's format: as the platform read it from the FLAC's
// header when it was uploaded, or, for a blob recorded without it, as
// ffprobe finds it.
func (s *Service) sourceOf(ctx context.Context, master, in string) (Source, error) {
	b, err := s.st.Blob(ctx, master)
	if err == nil && b.SampleRate > 0 && b.Channels > 0 {
		return Source{SampleRate: b.SampleRate, Channels: b.Channels, Seconds: float64(b.DurationMS) / 1000}, nil
	}
	return s.enc.Probe(ctx, in)
}

// localBucket is a bucket whose blobs are files on this machine.
type localBucket interface {
	LocalPath(sha string) (string, error)
}

// input is the file ffmpeg reads a master from: the blob itself when the
// bucket is on this machine's disk, else a copy in dir.
func (s *Service) input(ctx context.Context, master, dir string) (string, error) {
	if lb, ok := s.bucket.(localBucket); ok {
		return lb.LocalPath(master)
	}
	in := filepath.Join(dir, "master")
	return in, s.fetch(ctx, master, in)
}

// fetch copies a blob to a file.
func (s *Service) fetch(ctx context.Context, sha, path string) error {
	obj, err := s.bucket.Open(ctx, sha)
	if err != nil {
		return fmt.Errorf("open blob %s: %w", sha, err)
	}
	defer obj.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, obj); err != nil {
		f.Close()
		return fmt.Errorf("read blob %s: %w", sha, err)
	}
	return f.Close()
}

// store moves a file into the bucket under its sha256.
func (s *Service) store(ctx context.Context, path string) (api.ArchiveFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return api.ArchiveFile{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	if err != nil {
		return api.ArchiveFile{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := s.bucket.PutFile(ctx, sum, path); err != nil {
		return api.ArchiveFile{}, fmt.Errorf("store %s: %w", sum, err)
	}
	return api.ArchiveFile{SHA256: sum, Size: n}, nil
}

// source is where a download of a master in f comes from: the untagged
// blob to tag and the format it really is in; nil with the job's status
// while it is being made.
type source struct {
	sha    string
	format api.Format
	status *jobs.Status
}

// prepare finds a master's untagged download in f, queuing its
// transcode when it is missing.
func (s *Service) prepare(ctx context.Context, master string, f api.Format) (source, error) {
	if s.missing != nil {
		return source{}, s.missing
	}
	b, err := s.st.Blob(ctx, master)
	if errors.Is(err, store.ErrNotFound) {
		return source{}, api.Errorf(api.ENOTFOUND, "master %s not found", master)
	}
	if err != nil {
		return source{}, fmt.Errorf("master %s: %w", master, err)
	}
	switch {
	case b.MediaType != api.MediaFLAC:
		return source{sha: master, format: api.FormatMP3}, nil // lossy: delivered as itself
	case f == api.FormatFLAC:
		return source{sha: master, format: f}, nil
	case f == api.FormatMP3:
		f = api.FormatMP3320 // "mp3" of a lossless master: the best MP3
	}
	tc, err := s.st.Transcode(ctx, master, string(f), Version(f))
	if err == nil {
		return source{sha: tc.SHA256, format: f}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return source{}, err
	}
	st, err := s.q.Enqueue(ctx, Kind, Key(master, f))
	if err != nil {
		return source{}, err
	}
	return source{format: f, status: &st}, nil
}

// progressOf sums up the statuses of the transcodes a download waits
// for, out of total files. A failed one is tried again when asked after
// its RetryAt: a failed answer's RetryAfterS says when that is, for the
// last of them.
func progressOf(waiting []jobs.Status, total int) *api.TranscodeProgress {
	p := &api.TranscodeProgress{State: api.TranscodeQueued, RetryAfterS: 5}
	done := float64(total - len(waiting))
	var retry time.Time
	for _, st := range waiting {
		done += st.Progress
		switch st.State {
		case jobs.Failed:
			p.State = api.TranscodeFailed
			if st.RetryAt.After(retry) {
				retry = st.RetryAt
			}
		case jobs.Running:
			if p.State != api.TranscodeFailed {
				p.State = api.TranscodeRunning
			}
		}
	}
	switch p.State {
	case api.TranscodeRunning:
		p.RetryAfterS = 2
	case api.TranscodeFailed:
		p.RetryAfterS = max(int(time.Until(retry).Round(time.Second)/time.Second), 1)
	}
	p.Progress = min(done/float64(max(total, 1)), 0.99)
	return p
}
