package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/loudness"
	"github.com/megabox-fm/megabox/backend/store"
)

// Kinds of the jobs Analysis runs.
const (
	// JobAnalyze decodes an uploaded audio blob once (key: its sha256):
	// its loudness, and for FLAC the check of its MD5.
	JobAnalyze = "analyze"
	// JobAlbum measures a release's tracks together (key: release id /
	// store.TracksHash of its track list).
	JobAlbum = "album"
	// JobPreview makes the MP3 preview of a lossless master (key:
	// master sha256 / preview seconds, 0 for the whole track).
	JobPreview = "preview"
)

// Jobs is the queue background work runs on (a *jobs.Queue).
type Jobs interface {
	Handle(kind string, h jobs.Handler)
	HandleIdle(kind string, h jobs.Handler)
	Enqueue(ctx context.Context, kind, key string) (jobs.Status, error)
	EnqueueIn(ctx context.Context, tx store.Tx, kind, key string) error
	Poke()
	Status(ctx context.Context, kind, key string) (jobs.Status, error)
}

// Problems a decode finds in a master, as its owner reads them (with
// their codes, api.ProblemFLACChecksum and api.ProblemUndecodable).
const (
	problemMD5 = "the FLAC's decoded audio does not match the MD5 checksum in its header, so the file is damaged: " +
		"encode it again from the original and upload that"
	problemUndecodable = "the audio cannot be decoded to its end, so the file is damaged: upload a good copy"
)

// Analysis measures audio on the platform, once, from the decoded
// masters:
//
//	tracks set   ──▶ analyze <sha> per track    ──▶ track loudness, FLAC MD5 check
//	             └─▶ album <release>/<hash>     ──▶ album loudness
//	FLAC preview ──▶ preview <sha>/<seconds>    ──▶ MP3 of the preview, in the bucket
//
// Audio is analysed once a release names it, not when its upload
// finishes: an upload stays one commit with nothing read back, and files
// never used are never decoded.
type Analysis struct {
	*env
	bucket blob.Bucket
	jobs   Jobs
	log    *slog.Logger
}

// NewAnalysis registers the analysis jobs on q (before it runs) and has
// track lists enqueue them.
func NewAnalysis(s *Services, b blob.Bucket, q Jobs, log *slog.Logger) *Analysis {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Analysis{env: s.env, bucket: b, jobs: q, log: log}
	// Nobody waits on a measurement: it yields to uploads arriving.
	q.HandleIdle(JobAnalyze, a.analyze)
	q.HandleIdle(JobAlbum, a.album)
	q.Handle(JobPreview, a.preview)
	s.env.analysis = a
	return a
}

// tracksSet queues, in the transaction that sets a release's tracks,
// the analysis of each (jobs already known are not queued again) and the
// measurement of the album they make: the track list and its analysis
// commit together, in one commit. queued wakes the queue after it.
func (a *Analysis) tracksSet(ctx context.Context, tx store.Tx, releaseID int64, tracks []api.ManifestTrack) error {
	if a == nil || len(tracks) == 0 {
		return nil
	}
	// The album is its tracks in their positions' order, as the store
	// reads them, whatever the manifest's.
	sorted := slices.SortedFunc(slices.Values(tracks), func(a, b api.ManifestTrack) int { return cmp.Compare(a.Position, b.Position) })
	audio := make([]string, len(sorted))
	for i, t := range sorted {
		audio[i] = t.AudioSHA256
	}
	return a.queueAudio(ctx, tx, releaseID, audio)
}

// queueAudio queues, in tx, the analysis of each track's audio and the
// album's, audio being the release's tracks in their positions' order.
func (a *Analysis) queueAudio(ctx context.Context, tx store.Tx, releaseID int64, audio []string) error {
	for _, sha := range audio {
		if err := a.jobs.EnqueueIn(ctx, tx, JobAnalyze, sha); err != nil {
			return err
		}
	}
	return a.jobs.EnqueueIn(ctx, tx, JobAlbum, albumKey(releaseID, store.TracksHash(audio)))
}

// queued wakes the queue once tracksSet's transaction has committed.
func (a *Analysis) queued() {
	if a != nil {
		a.jobs.Poke()
	}
}

func albumKey(releaseID int64, hash string) string {
	return strconv.FormatInt(releaseID, 10) + "/" + hash
}

// analyze decodes one blob and records what it found.
func (a *Analysis) analyze(ctx context.Context, j jobs.Job, progress func(float64)) error {
	res, m, err := a.measure(ctx, j.Key, progress)
	if err != nil {
		return err
	}
	m.Close()
	return a.record(ctx, j.Key, res)
}

// album decodes a release's tracks and measures them together, if the
// release still has the track list the job was queued for.
func (a *Analysis) album(ctx context.Context, j jobs.Job, progress func(float64)) error {
	id, hash, ok := strings.Cut(j.Key, "/")
	releaseID, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return jobs.Permanent(fmt.Errorf("album job key %q is not <release id>/<tracks hash>", j.Key))
	}
	rel, err := a.st.Release(ctx, releaseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	audio := make([]string, len(rel.Tracks))
	for i, t := range rel.Tracks {
		audio[i] = t.AudioSHA256
	}
	if len(audio) == 0 || store.TracksHash(audio) != hash {
		return nil // replaced since: a newer job measures the new list
	}
	var meters []*loudness.Meter
	defer func() {
		for _, m := range meters {
			m.Close()
		}
	}()
	peak := 0.0
	for i, sha := range audio {
		res, m, err := a.measure(ctx, sha, func(done float64) { progress((float64(i) + done) / float64(len(audio))) })
		if err != nil {
			return err
		}
		meters = append(meters, m)
		peak = max(peak, res.Peak)
		if err := a.record(ctx, sha, res); err != nil {
			return err
		}
	}
	lufs, err := loudness.AlbumLoudness(meters)
	if err != nil {
		return err
	}
	return a.st.WithLightTx(ctx, func(tx store.Tx) error {
		return tx.PutAlbumLoudness(ctx, store.AlbumLoudness{ReleaseID: releaseID, TracksHash: hash, LUFS: lufs, Peak: peak, MeasuredAt: a.clock()})
	})
}

// measure decodes a blob once. Audio that cannot be decoded is a
// result (a problem to record), not an error to retry.
func (a *Analysis) measure(ctx context.Context, sha string, progress func(float64)) (*loudness.Result, *loudness.Meter, error) {
	obj, err := a.bucket.Open(ctx, sha)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", sha, err)
	}
	defer obj.Close()
	res, m, err := loudness.Measure(ctx, obj, obj.Size(), progress)
	if errors.Is(err, loudness.ErrUndecodable) {
		m, merr := loudness.NewMeter(48000, 1) // an empty meter: silence to an album
		if merr != nil {
			return nil, nil, merr
		}
		return &loudness.Result{LUFS: loudness.Floor, Undecodable: true}, m, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return res, m, nil
}

// record stores what decoding a blob found.
func (a *Analysis) record(ctx context.Context, sha string, res *loudness.Result) error {
	an := store.AudioAnalysis{SHA256: sha, LUFS: res.LUFS, Peak: res.Peak, AnalyzedAt: a.clock()}
	switch {
	case res.Undecodable:
		an.Problem, an.ProblemCode = problemUndecodable, api.ProblemUndecodable
	case res.MD5Mismatch:
		an.Problem, an.ProblemCode = problemMD5, api.ProblemFLACChecksum
	}
	return a.st.WithLightTx(ctx, func(tx store.Tx) error { return tx.PutAudioAnalysis(ctx, an) })
}

// checkMasters refuses a track list naming audio a decode found damaged,
// with the field of the first such track.
func checkMasters(ctx context.Context, r store.Reader, tracks []api.ManifestTrack) error {
	for i, t := range tracks {
		an, err := analysisOf(ctx, r, t.AudioSHA256)
		if err != nil {
			return err
		}
		if an.Problem != "" {
			return &api.Error{Code: api.EINVALID, Field: fmt.Sprintf("tracks[%d].audio_sha256", i),
				Message: fmt.Sprintf("track %d (%s): %s", t.Position, t.Title, an.Problem)}
		}
	}
	return nil
}

// checkPublishable refuses to put on sale a release a track of which was
// found damaged after it was named.
func checkPublishable(ctx context.Context, r store.Reader, rel *api.Release) error {
	for _, t := range rel.Tracks {
		an, err := analysisOf(ctx, r, t.AudioSHA256)
		if err != nil {
			return err
		}
		if an.Problem != "" {
			return api.Errorf(api.ECONFLICT, "track %d (%s) cannot be sold: %s; then replace the track", t.Position, t.Title, an.Problem)
		}
	}
	return nil
}

// showProblems tells a release's owner what a decode found wrong with
// its tracks' audio.
func showProblems(ctx context.Context, r store.Reader, rel *api.Release) error {
	if api.AccountIDFromContext(ctx) != rel.ArtistID {
		return nil
	}
	for i, t := range rel.Tracks {
		an, err := analysisOf(ctx, r, t.AudioSHA256)
		if err != nil {
			return err
		}
		rel.Tracks[i].Problem, rel.Tracks[i].ProblemCode = an.Problem, an.ProblemCode
	}
	return nil
}

// analysisOf is what a decode of the audio found; an empty analysis when
// it was not decoded yet.
func analysisOf(ctx context.Context, r store.Reader, sha string) (*store.AudioAnalysis, error) {
	an, err := r.AudioAnalysis(ctx, sha)
	if errors.Is(err, store.ErrNotFound) {
		return &store.AudioAnalysis{SHA256: sha}, nil
	}
	return an, err
}
