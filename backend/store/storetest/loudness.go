package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

func putAnalysis(t *testing.T, s Services, a store.AudioAnalysis) {
	t.Helper()
	if err := s.Store.WithTx(context.Background(), func(tx store.Tx) error { return tx.PutAudioAnalysis(context.Background(), a) }); err != nil {
		t.Fatal(err)
	}
}

func putAlbum(t *testing.T, s Services, a store.AlbumLoudness) {
	t.Helper()
	if err := s.Store.WithTx(context.Background(), func(tx store.Tx) error { return tx.PutAlbumLoudness(context.Background(), a) }); err != nil {
		t.Fatal(err)
	}
}

func loudnessOf(rel *api.Release) []*api.Loudness {
	var ls []*api.Loudness
	for _, t := range rel.Tracks {
		ls = append(ls, t.Loudness)
	}
	return ls
}

// testLoudness: tracks carry no loudness until measured, then their own
// figures (ReplayGain 2.0 gains, −18 − LUFS) wherever releases are read,
// and the album's while the track list is the one measured; a new
// analysis replaces the old.
func testLoudness(t *testing.T, s Services) {
	ctx := context.Background()
	clk := setClock(s, at(t, "2026-04-01T10:00:00Z"))
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 500, "EUR", 2)
	same(t, "loudness before measuring", loudnessOf(rel), []*api.Loudness{nil, nil})
	a, b := rel.Tracks[0].AudioSHA256, rel.Tracks[1].AudioSHA256

	putAnalysis(t, s, store.AudioAnalysis{SHA256: a, LUFS: -14.123, Peak: 0.9876543, AnalyzedAt: clk.now()})
	putAnalysis(t, s, store.AudioAnalysis{SHA256: b, LUFS: -20, Peak: 0.5, AnalyzedAt: clk.now()})
	putAlbum(t, s, store.AlbumLoudness{ReleaseID: rel.ID, TracksHash: store.TracksHash([]string{a, b}), LUFS: -15.5, Peak: 0.9876543, MeasuredAt: clk.now()})
	want := []*api.Loudness{
		{TrackLUFS: -14.12, TrackGainDB: -3.88, TrackPeak: 0.987654, AlbumLUFS: -15.5, AlbumGainDB: -2.5, AlbumPeak: 0.987654},
		{TrackLUFS: -20, TrackGainDB: 2, TrackPeak: 0.5, AlbumLUFS: -15.5, AlbumGainDB: -2.5, AlbumPeak: 0.987654},
	}
	got, err := s.Releases.FindRelease(ann, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "loudness of the release", loudnessOf(got), want)
	page, err := s.Releases.SearchReleases(context.Background(), api.ReleaseFilter{Query: "tides"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("search found %d releases, want 1", len(page.Items))
	}
	same(t, "loudness in a search", loudnessOf(&page.Items[0]), want)

	an, err := s.Store.AudioAnalysis(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "analysis", *an, store.AudioAnalysis{SHA256: a, LUFS: -14.123, Peak: 0.9876543, AnalyzedAt: at(t, "2026-04-01T10:00:00Z")})
	if _, err := s.Store.AudioAnalysis(ctx, "0000000000000000000000000000000000000000000000000000000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("analysis of unknown audio: %v, want store.ErrNotFound", err)
	}
	if _, err := s.Store.AlbumLoudness(ctx, rel.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("album loudness of an unknown release: %v, want store.ErrNotFound", err)
	}

	// Another order is another album: the tracks keep their figures.
	m := api.Manifest{Title: "Tides", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Tides 2", AudioSHA256: b}, {Position: 2, Title: "Tides 1", AudioSHA256: a}}}
	if got, err = s.Releases.UpdateRelease(ann, rel.ID, m); err != nil {
		t.Fatal(err)
	}
	same(t, "loudness of reordered tracks", loudnessOf(got), []*api.Loudness{
		{TrackLUFS: -20, TrackGainDB: 2, TrackPeak: 0.5},
		{TrackLUFS: -14.12, TrackGainDB: -3.88, TrackPeak: 0.987654}})

	// Measured again: the new figures replace the old.
	clk.set(at(t, "2026-04-02T10:00:00Z"))
	putAnalysis(t, s, store.AudioAnalysis{SHA256: b, LUFS: -21, Peak: 0.25, AnalyzedAt: clk.now()})
	putAlbum(t, s, store.AlbumLoudness{ReleaseID: rel.ID, TracksHash: store.TracksHash([]string{b, a}), LUFS: -16, Peak: 0.9876543, MeasuredAt: clk.now()})
	al, err := s.Store.AlbumLoudness(ctx, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "album", *al, store.AlbumLoudness{ReleaseID: rel.ID, TracksHash: store.TracksHash([]string{b, a}), LUFS: -16, Peak: 0.9876543, MeasuredAt: at(t, "2026-04-02T10:00:00Z")})
	if got, err = s.Releases.FindRelease(ann, rel.ID); err != nil {
		t.Fatal(err)
	}
	same(t, "loudness measured again", got.Tracks[0].Loudness, &api.Loudness{TrackLUFS: -21, TrackGainDB: 3, TrackPeak: 0.25, AlbumLUFS: -16, AlbumGainDB: -2, AlbumPeak: 0.987654})
}

// testDamagedMasters: audio a decode found damaged is refused in a new
// track list with the track's field, keeps a draft naming it from being
// published, and is shown to the release's owner only, without loudness.
func testDamagedMasters(t *testing.T, s Services) {
	clk := setClock(s, at(t, "2026-04-01T10:00:00Z"))
	ann := signUp(t, s, "ann", true)
	m := manifest(t, s, ann, "Dunes", 500, "EUR", 2)
	draft, err := s.Releases.CreateRelease(ann, m)
	if err != nil {
		t.Fatal(err)
	}
	bad := m.Tracks[1].AudioSHA256
	const problem = "the file is damaged"
	putAnalysis(t, s, store.AudioAnalysis{SHA256: bad, LUFS: -12, Peak: 1, Problem: problem, ProblemCode: api.ProblemFLACChecksum, AnalyzedAt: clk.now()})
	an, err := s.Store.AudioAnalysis(context.Background(), bad)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "damaged analysis", *an, store.AudioAnalysis{SHA256: bad, LUFS: -12, Peak: 1, Problem: problem, ProblemCode: api.ProblemFLACChecksum, AnalyzedAt: at(t, "2026-04-01T10:00:00Z")})

	_, err = s.Releases.PublishRelease(ann, draft.ID)
	code(t, err, api.ECONFLICT)
	if msg := api.ErrorMessage(err); msg != `track 2 (Dunes 2) cannot be sold: the file is damaged; then replace the track` {
		t.Fatalf("publish: %q", msg)
	}
	got, err := s.Releases.FindRelease(ann, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != api.StateDraft || got.Tracks[1].Problem != problem || got.Tracks[1].Loudness != nil || got.Tracks[0].Problem != "" {
		t.Fatalf("owner sees state %s, problems %q %q, loudness %v", got.State, got.Tracks[0].Problem, got.Tracks[1].Problem, got.Tracks[1].Loudness)
	}
	if got.Tracks[1].ProblemCode != api.ProblemFLACChecksum || got.Tracks[0].ProblemCode != "" {
		t.Fatalf("owner sees problem codes %q %q, want none and %q", got.Tracks[0].ProblemCode, got.Tracks[1].ProblemCode, api.ProblemFLACChecksum)
	}
	page, err := s.Releases.MyReleases(ann, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Tracks[1].ProblemCode != api.ProblemFLACChecksum {
		t.Fatalf("the owner's list: %+v, want track 2 with the code %q", page.Items, api.ProblemFLACChecksum)
	}

	_, err = s.Releases.CreateRelease(ann, api.Manifest{Title: "Again", PriceCents: 500, Currency: "EUR", Tracks: []api.ManifestTrack{
		{Position: 1, Title: "Good", AudioSHA256: m.Tracks[0].AudioSHA256}, {Position: 2, Title: "Bad", AudioSHA256: bad}}})
	field(t, err, "tracks[1].audio_sha256")
	if msg := api.ErrorMessage(err); msg != "track 2 (Bad): the file is damaged" {
		t.Fatalf("create: %q", msg)
	}

	// Replaced by sound audio, the release is published; the damaged file
	// is named nowhere, and a fan never sees a problem.
	m.Tracks[1].AudioSHA256 = audio(t, s, ann, "Dunes 2 again")
	if _, err := s.Releases.UpdateRelease(ann, draft.ID, m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Releases.PublishRelease(ann, draft.ID); err != nil {
		t.Fatal(err)
	}
	putAnalysis(t, s, store.AudioAnalysis{SHA256: m.Tracks[0].AudioSHA256, LUFS: -12, Peak: 1, Problem: problem, ProblemCode: api.ProblemUndecodable, AnalyzedAt: clk.now()})
	fan := signUp(t, s, "fan", false)
	seen, err := s.Releases.FindRelease(fan, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Tracks[0].Problem != "" || seen.Tracks[0].ProblemCode != "" {
		t.Fatalf("a fan sees the problem %q (%q)", seen.Tracks[0].Problem, seen.Tracks[0].ProblemCode)
	}
	mine, err := s.Releases.FindRelease(ann, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mine.Tracks[0].ProblemCode != api.ProblemUndecodable {
		t.Fatalf("the owner sees the code %q, want %q", mine.Tracks[0].ProblemCode, api.ProblemUndecodable)
	}
}
