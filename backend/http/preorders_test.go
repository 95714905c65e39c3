package http_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// testClock is a platform clock a test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) get() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// preorder publishes a five-track pre-order out on 2026-12-05 whose
// tracks 1 and 3 are out at once, and returns it with its masters.
func (e *env) preorder(ann *mhttp.Client) (*api.Release, [][]byte) {
	e.t.Helper()
	m, masters := e.album(ann, "Night Drive", 5)
	m.ReleaseDate, m.Preorder = "2026-12-05", true
	m.Tracks[0].PreorderAvailable, m.Tracks[2].PreorderAvailable = true, true
	ctx := context.Background()
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if rel, err = ann.PublishRelease(ctx, rel.ID); err != nil {
		e.t.Fatal(err)
	}
	return rel, masters
}

// TestPreorderHoldsTracksUntilReleaseDay: a pre-order bought the day
// before its release is booked in the ledger then, at full price; its
// buyer downloads only the tracks out early (the masters' bytes), the
// others are refused with their day, on their own and in the zip; at
// midnight UTC on the release day every track opens with nothing done.
func TestPreorderHoldsTracksUntilReleaseDay(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	clock := &testClock{now: time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)}
	e.p.SetClock(clock.get)
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel, masters := e.preorder(ann)

	p, err := buy(fan, rel.ID, 1000, "preorder-1")
	if err != nil {
		t.Fatal(err)
	}
	var gross, creator, platform, bookedAt int64
	err = e.p.DB.ReadDB().QueryRow(`SELECT p.gross_cents, p.creator_cents, p.platform_cents, l.created_at
		FROM purchases p JOIN ledger_txns l ON l.purchase_id = p.id AND l.kind = 'sale' WHERE p.id = ?`, p.ID).
		Scan(&gross, &creator, &platform, &bookedAt)
	if err != nil {
		t.Fatal(err)
	}
	if gross != 1000 || creator != 900 || platform != 100 || bookedAt != clock.get().UnixMilli() {
		t.Fatalf("booked %d = %d + %d at %s; want 1000 = 900 + 100 at %s", gross, creator, platform, time.UnixMilli(bookedAt).UTC(), clock.get())
	}

	// The day before: tracks 1 and 3 only.
	e.wantTracks(fan, ann, rel, masters, map[int]bool{1: true, 3: true})
	e.wantArchive(fan, p.ID, masters, []int{1, 3}, "available on 2026-12-05")
	clock.set(time.Date(2026, 12, 4, 23, 59, 59, 999e6, time.UTC))
	e.wantTracks(fan, ann, rel, masters, map[int]bool{1: true, 3: true})

	// Midnight UTC: all of them, with nothing done on either side.
	clock.set(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	e.wantTracks(fan, ann, rel, masters, map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true})
	e.wantArchive(fan, p.ID, masters, []int{1, 2, 3, 4, 5}, "")
	if lib, err := fan.Library(ctx); err != nil || len(lib.Items) != 1 {
		t.Fatalf("library: %+v, %v", lib, err)
	}
}

// wantTracks checks what the fan may fetch: open tracks are the masters'
// bytes and have no day in the library; the others are listed with
// their day and refused with it. The creator always gets every track.
func (e *env) wantTracks(fan, ann *mhttp.Client, rel *api.Release, masters [][]byte, open map[int]bool) {
	e.t.Helper()
	lib, err := fan.Library(context.Background())
	if err != nil || len(lib.Items) != 1 || len(lib.Items[0].Release.Tracks) != len(masters) {
		e.t.Fatalf("library: %+v, %v", lib, err)
	}
	for i, tr := range lib.Items[0].Release.Tracks {
		path := fmt.Sprintf("/api/v1/tracks/%d/audio", tr.ID)
		code, body, _ := e.raw("GET", path, fan.Token(), nil)
		if open[tr.Position] {
			if code != 200 || !bytes.Equal(body, masters[i]) || tr.AvailableOn != "" {
				e.t.Fatalf("track %d: %d, %d bytes (master %d), available on %q", tr.Position, code, len(body), len(masters[i]), tr.AvailableOn)
			}
		} else {
			want := fmt.Sprintf(`\"Track %d\" is available on 2026-12-05`, tr.Position)
			if code != 403 || !strings.Contains(string(body), want) || tr.AvailableOn != "2026-12-05" || tr.DurationMS == 0 {
				e.t.Fatalf("held track %d: %d %s, available on %q, %d ms", tr.Position, code, body, tr.AvailableOn, tr.DurationMS)
			}
			var buf bytes.Buffer
			_, err := fan.DownloadTrack(context.Background(), tr.ID, 0, &buf)
			if api.ErrorCode(err) != api.EFORBIDDEN || api.ErrorMessage(err) != `"Track `+fmt.Sprint(tr.Position)+`" is available on 2026-12-05` {
				e.t.Fatalf("client download of held track %d: %v", tr.Position, err)
			}
		}
		if code, body, _ := e.raw("GET", path, ann.Token(), nil); code != 200 || !bytes.Equal(body, masters[i]) {
			e.t.Fatalf("creator's track %d: %d, %d bytes", tr.Position, code, len(body))
		}
	}
}

// wantArchive checks a purchase's zip holds exactly the open tracks, as
// their masters, and receipt.txt the note.
func (e *env) wantArchive(fan *mhttp.Client, purchaseID int64, masters [][]byte, open []int, note string) {
	e.t.Helper()
	got := e.archive(fan, purchaseID)
	dir := "Ann - Night Drive/"
	if len(got) != len(open)+3 { // the tracks, the cover and two receipt files
		e.t.Fatalf("archive has %d files, want %d", len(got), len(open)+3)
	}
	for _, pos := range open {
		name := fmt.Sprintf("%s%02d Track %d.mp3", dir, pos, pos)
		if !bytes.Equal(got[name], masters[pos-1]) {
			e.t.Fatalf("%s: %d bytes, not the master's %d", name, len(got[name]), len(masters[pos-1]))
		}
	}
	txt := string(got[dir+"receipt.txt"])
	if note == "" && strings.Contains(txt, "Pre-order") || note != "" && (!strings.Contains(txt, note) || !strings.Contains(txt, "02 Track 2\n")) {
		e.t.Fatalf("receipt.txt = %q, want note %q", txt, note)
	}
}

// TestPreorderManifestRules: a pre-order needs its day, and only a
// pre-order has tracks out early; each refusal names its field.
func TestPreorderManifestRules(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	m, _ := e.album(ann, "Night Drive", 2)
	for _, c := range []struct {
		name, date string
		preorder   bool
		early      bool
		field      string
	}{
		{"a year only", "2026", true, false, "release_date"},
		{"no date", "", true, true, "release_date"},
		{"early tracks, no pre-order", "2026-12-05", false, true, "tracks[1].preorder_available"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m.ReleaseDate, m.Preorder, m.Tracks[1].PreorderAvailable = c.date, c.preorder, c.early
			_, err := ann.CreateRelease(context.Background(), m)
			if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != c.field {
				t.Fatalf("err = %v (field %q), want invalid %s", err, api.ErrorField(err), c.field)
			}
		})
	}
}

// TestPreorderPreviewOfHeldTrack: a pre-order that streams in full plays
// a track not out yet as its preview only, so listening is no way round
// the release day; a track out already, and every track from that day,
// play whole.
func TestPreorderPreviewOfHeldTrack(t *testing.T) {
	e := mustEnv(t)
	clock := &testClock{now: time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)}
	e.p.SetClock(clock.get)
	ann, _ := e.signUp("Ann", true)
	audio := master(t, testmedia.Encoding{})
	path, rel := e.previewRelease(ann, audio, false, func(m *api.Manifest) {
		m.ReleaseDate, m.Preorder, m.FullStreaming = "2026-12-05", true, true
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: 2, Title: "Two", AudioSHA256: m.Tracks[0].AudioSHA256, PreorderAvailable: true})
	})
	early := fmt.Sprintf("/api/v1/tracks/%d/preview", rel.Tracks[1].ID)
	if code, body, _ := e.raw("GET", path, "", nil); code != 200 {
		t.Fatalf("held track's preview: %d", code)
	} else {
		checkPreview(t, audio, body, api.DefaultPreviewSeconds)
	}
	if code, body, _ := e.raw("GET", early, "", nil); code != 200 || !bytes.Equal(body, audio) {
		t.Fatalf("early track's stream: %d, %d bytes of %d", code, len(body), len(audio))
	}
	clock.set(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	if code, body, _ := e.raw("GET", path, "", nil); code != 200 || !bytes.Equal(body, audio) {
		t.Fatalf("release day stream: %d, %d bytes of %d", code, len(body), len(audio))
	}
}
