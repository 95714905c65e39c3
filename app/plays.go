package app

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
)

// A play is a bought track heard for playThreshold, or for half of it when
// it is shorter than twice that (the rule scrobblers use). Previews never
// count: the platform counts those when it serves them.
const playThreshold = 30 * time.Second

// playSeekGap is the most a position may move between two reports and
// still be listening; a bigger jump is a seek, which hears nothing.
const playSeekGap = 5 * time.Second

// playReporter tells the platform about plays. It hears the player's
// status reports, and one goroutine (serve) owns what it has heard of the
// current track, keeps each play in the cache until the platform took it,
// and sends them, again later while the platform cannot be reached.
//
//	player status ──hear──▶ statuses ─▶ serve: listen ─▶ cache ─▶ send ─▶ POST /api/v1/plays
type playReporter struct {
	cache    *cache.Cache
	report   func(ctx context.Context, trackID int64) error
	statuses chan player.Status
	retry    time.Duration // first wait after a failed send; doubles up to maxRetry
	maxRetry time.Duration
}

func newPlayReporter(c *cache.Cache, report func(ctx context.Context, trackID int64) error) *playReporter {
	return &playReporter{cache: c, report: report, statuses: make(chan player.Status, 64),
		retry: 5 * time.Second, maxRetry: 5 * time.Minute}
}

// hear takes a player status without waiting (it runs under the player's
// lock); when serve is behind, a report is dropped: the next says as much.
func (r *playReporter) hear(payload any) {
	s, ok := payload.(player.Status)
	if !ok {
		return
	}
	select {
	case r.statuses <- s:
	default:
	}
}

// listening is what was heard of the current track.
type listening struct {
	key     string
	last    time.Duration // the position last reported
	heard   time.Duration
	counted bool
}

// serve listens until ctx ends, sending what is queued at start and
// whenever a play is heard, and retrying with backoff while sends fail.
func (r *playReporter) serve(ctx context.Context) {
	var cur listening
	wait := r.retry
	timer := time.NewTimer(0) // send what an earlier run left
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-r.statuses:
			if id, ok := cur.hear(s); ok {
				if err := r.cache.QueuePlay(ctx, id, time.Now()); err != nil {
					slog.Warn("keep a play to report", "err", err)
				}
				wait = r.retry
				resetTimer(timer, 0)
			}
		case <-timer.C:
			if r.send(ctx) {
				wait = r.retry
			} else {
				resetTimer(timer, wait)
				wait = min(2*wait, r.maxRetry)
			}
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(d)
}

// send reports the queued plays in order; false when some must wait for
// the platform. A play the platform refuses for good (the track is no
// longer the account's, or no longer exists) is dropped.
func (r *playReporter) send(ctx context.Context) bool {
	for {
		plays, err := r.cache.PendingPlays(ctx, 100)
		if err != nil {
			slog.Warn("read the plays to report", "err", err)
			return false
		}
		if len(plays) == 0 {
			return true
		}
		for _, p := range plays {
			err := r.report(ctx, p.TrackID)
			switch api.ErrorCode(err) {
			case "", api.EFORBIDDEN, api.ENOTFOUND, api.EINVALID:
				if err != nil {
					slog.Info("a play the platform does not count", "track", p.TrackID, "err", err)
				}
				if err := r.cache.DeletePlay(ctx, p.ID); err != nil {
					slog.Warn("forget a reported play", "err", err)
					return false
				}
			default: // offline, signed out, too many at once: later
				return false
			}
		}
	}
}

// hear follows the player: a new track (or the same one from its start
// again) is a new listen; time heard adds up while playing, seeks aside.
// It answers a bought track's id once a listen reaches the threshold.
func (l *listening) hear(s player.Status) (int64, bool) {
	if s.Track == nil {
		*l = listening{}
		return 0, false
	}
	pos := time.Duration(s.PositionMS) * time.Millisecond
	if s.Track.Key != l.key || (pos < l.last && pos < playSeekGap && l.last-pos > playSeekGap) {
		*l = listening{key: s.Track.Key, last: pos}
		return 0, false
	}
	if d := pos - l.last; s.State == player.StatePlaying && d > 0 && d <= playSeekGap {
		l.heard += d
	}
	l.last = pos
	if l.counted || l.heard < threshold(time.Duration(s.Track.DurationMS)*time.Millisecond) {
		return 0, false
	}
	id, err := strconv.ParseInt(s.Track.Key, 10, 64)
	if err != nil || strings.HasPrefix(s.Track.Key, PreviewKeyPrefix) {
		return 0, false
	}
	l.counted = true
	return id, true
}

// threshold is how long a track of length d must be heard to be a play.
func threshold(d time.Duration) time.Duration {
	if d > 0 && d/2 < playThreshold {
		return d / 2
	}
	return playThreshold
}
