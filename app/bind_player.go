package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
)

// PlayerAPI controls playback of the local library.
type PlayerAPI struct{ a *App }

// PlayRelease queues an owned release and plays it from track index start.
func (x *PlayerAPI) PlayRelease(purchaseID int64, start int) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	rels, err := x.a.library.Releases(x.a.ctx)
	if err != nil {
		return uiError(err)
	}
	for _, r := range rels {
		if r.PurchaseID == purchaseID {
			return uiError(x.a.player.PlayQueue(queueOf(r, x.loudness(r.PurchaseID)), start))
		}
	}
	return uiError(api.Errorf(api.ENOTFOUND, "that release is not in your library"))
}

// Enqueue adds a track of an owned release (index i; -1 for all of it) to
// the end of the queue.
func (x *PlayerAPI) Enqueue(purchaseID int64, i int) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	rels, err := x.a.library.Releases(x.a.ctx)
	if err != nil {
		return uiError(err)
	}
	for _, r := range rels {
		if r.PurchaseID != purchaseID {
			continue
		}
		items := queueOf(r, x.loudness(r.PurchaseID))
		if i >= len(items) || i < -1 {
			return invalid("index", "no such track")
		}
		if i >= 0 {
			items = items[i : i+1]
		}
		x.a.player.Enqueue(items...)
		return nil
	}
	return uiError(api.Errorf(api.ENOTFOUND, "that release is not in your library"))
}

// loudness is each track's measured loudness in a purchase, by track ID,
// as the platform last described the release (the cache keeps that).
func (x *PlayerAPI) loudness(purchaseID int64) map[int64]*api.Loudness {
	return loudnessOf(x.a.ctx, x.a.cache.LibraryItems, purchaseID)
}

func loudnessOf(ctx context.Context, items func(context.Context) ([]cache.LibraryItem, error), purchaseID int64) map[int64]*api.Loudness {
	all, err := items(ctx)
	if err != nil {
		return nil // the tracks play at their own level
	}
	out := map[int64]*api.Loudness{}
	for _, it := range all {
		var rel api.Release
		if it.PurchaseID != purchaseID || json.Unmarshal([]byte(it.ReleaseJSON), &rel) != nil {
			continue
		}
		for _, t := range rel.Tracks {
			if t.Loudness != nil {
				out[t.ID] = t.Loudness
			}
		}
	}
	return out
}

func queueOf(r library.Release, loud map[int64]*api.Loudness) []player.Item {
	var items []player.Item
	art := ""
	if r.CoverPath != "" {
		art = "/covers/library/" + strconv.FormatInt(r.PurchaseID, 10)
	}
	for _, t := range r.Tracks {
		items = append(items, player.Item{Key: strconv.FormatInt(t.ID, 10), Path: t.Path, Title: t.Title, Artist: r.Artist, Album: r.Title,
			DurationMS: t.DurationMS, Art: art, Loudness: loud[t.ID]})
	}
	return items
}

// Status returns the player's state.
func (x *PlayerAPI) Status() player.Status {
	if !x.a.started() {
		return player.Status{}
	}
	return x.a.player.Status()
}

// Play plays or resumes.
func (x *PlayerAPI) Play() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Play())
}

// Pause pauses.
func (x *PlayerAPI) Pause() {
	if !x.a.started() {
		return
	}
	x.a.player.Pause()
}

// Next skips forward.
func (x *PlayerAPI) Next() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Next())
}

// Previous restarts or goes back.
func (x *PlayerAPI) Previous() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Previous())
}

// SeekTo jumps to ms into the track.
func (x *PlayerAPI) SeekTo(ms int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	if ms < 0 {
		return invalid("ms", "position must not be negative")
	}
	return uiError(x.a.player.Seek(time.Duration(ms) * time.Millisecond))
}

// SetVolume sets 0..1.
func (x *PlayerAPI) SetVolume(v float64) {
	if !x.a.started() {
		return
	}
	x.a.player.SetVolume(v)
}

// SetRepeat sets off, all or one.
func (x *PlayerAPI) SetRepeat(mode string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.SetRepeat(mode))
}

// SetReplayGain sets the ReplayGain mode: track, album or off.
func (x *PlayerAPI) SetReplayGain(mode string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.SetReplayGain(mode))
}

// SetShuffle turns shuffle on or off.
func (x *PlayerAPI) SetShuffle(on bool) {
	if !x.a.started() {
		return
	}
	x.a.player.SetShuffle(on)
}

// JumpTo plays queue entry i.
func (x *PlayerAPI) JumpTo(i int) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.JumpTo(i))
}

// Remove drops queue entry i.
func (x *PlayerAPI) Remove(i int) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Remove(i))
}

// Move reorders the queue.
func (x *PlayerAPI) Move(from, to int) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Move(from, to))
}

// Clear empties the queue.
func (x *PlayerAPI) Clear() error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.player.Clear())
}
