package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/backend/api"
)

// The player's queue carries each track's loudness as the platform last
// described the release, so ReplayGain works offline; a track not yet
// measured carries none.
func TestQueueCarriesLoudness(t *testing.T) {
	ctx := context.Background()
	c, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	measured := &api.Loudness{TrackLUFS: -12, TrackGainDB: -6, TrackPeak: 0.98, AlbumGainDB: -5.5, AlbumPeak: 0.99}
	rel := api.Release{ID: 7, Title: "Tides", Tracks: []api.Track{{ID: 70, Title: "One", Loudness: measured}, {ID: 71, Title: "Two"}}}
	b, _ := json.Marshal(rel)
	for _, it := range []cache.LibraryItem{
		{PurchaseID: 3, ReleaseID: 7, Title: "Tides", ReleaseJSON: string(b), PurchasedAt: time.Now()},
		{PurchaseID: 4, ReleaseID: 8, Title: "Other", ReleaseJSON: `{"tracks":[{"id":70,"loudness":{"track_gain_db":9}}]}`, PurchasedAt: time.Now()},
	} {
		if err := c.PutLibraryItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	lib := library.Release{PurchaseID: 3, Tracks: []library.Track{{ID: 70, Title: "One"}, {ID: 71, Title: "Two"}}}
	items := queueOf(lib, loudnessOf(ctx, c.LibraryItems, 3))
	if len(items) != 2 || items[0].Loudness == nil || *items[0].Loudness != *measured {
		t.Fatalf("first track's loudness %+v, want %+v", items[0].Loudness, measured)
	}
	if items[1].Loudness != nil {
		t.Fatalf("an unmeasured track carries loudness %+v", items[1].Loudness)
	}
}
