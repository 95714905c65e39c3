package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/backend/api"
)

// PreviewKeyPrefix starts the player key of a preview, so the window can
// say that what plays is a preview.
const PreviewKeyPrefix = "preview:"

// EventPreviewProgress tells the window, with a PreviewProgress, how far
// the platform is in making a preview it waits for (the MP3 of a
// lossless master, made once).
const EventPreviewProgress = "preview:progress"

// PreviewProgress is a preview being made: Progress from 0 to 1.
type PreviewProgress struct {
	TrackID  int64   `json:"track_id"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
}

// PlayPreview plays what the platform lets anyone hear of a track of a
// release before buying it, fetched once into the preview cache.
func (x *StoreAPI) PlayPreview(releaseID, trackID int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.playPreview(x.a.ctx, releaseID, trackID))
}

// playPreview plays track's preview alone, named after the track.
func (a *App) playPreview(ctx context.Context, releaseID, trackID int64) error {
	r, err := a.client.FindRelease(ctx, releaseID)
	if err != nil {
		return err
	}
	for _, t := range r.Tracks {
		if t.ID != trackID {
			continue
		}
		path, err := a.preview.FetchWaiting(ctx, t.ID, previewURL(a.client.BaseURL(), t.ID), func(p api.TranscodeProgress) {
			a.events.Emit(EventPreviewProgress, PreviewProgress{TrackID: t.ID, State: p.State, Progress: p.Progress})
		})
		if err != nil {
			return err
		}
		item := player.Item{Key: PreviewKeyPrefix + strconv.FormatInt(t.ID, 10), Path: path, Title: t.Title,
			Artist: r.ArtistName, Album: r.Title, DurationMS: previewMS(r, t)}
		if r.CoverSHA256 != "" {
			item.Art = "/covers/release/" + strconv.FormatInt(r.ID, 10) + "/" + r.CoverSHA256
		}
		return a.player.PlayQueue([]player.Item{item}, 0)
	}
	return api.Errorf(api.ENOTFOUND, "track %d is not on this release", trackID)
}

// previewURL is where the platform serves a track's preview.
func previewURL(base string, trackID int64) string {
	return strings.TrimSuffix(base, "/") + "/api/v1/tracks/" + strconv.FormatInt(trackID, 10) + "/preview"
}

// previewMS is how long a track's preview lasts, as its release says.
func previewMS(r *api.Release, t api.Track) int64 {
	if r.FullStreaming || r.PreviewSeconds <= 0 {
		return t.DurationMS
	}
	return min(t.DurationMS, int64(r.PreviewSeconds)*1000)
}

// previewClient fetches previews: a platform that accepts the connection
// but never answers fails in seconds, while a long track streamed in full
// may take as long as it needs.
func previewClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 20 * time.Second
	return &http.Client{Transport: tr}
}
