package app

import (
	"strconv"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
)

// ReleaseDraft is what the release editor shows, saved or not: a
// release's details, price, collaborators, web settings and its tracks in
// play order. Saving and publishing take the whole of it, so what is
// published is what was on screen.
type ReleaseDraft struct {
	Title          string                     `json:"title"`
	ArtistName     string                     `json:"artist_name"`
	Description    string                     `json:"description"`
	ReleaseDate    string                     `json:"release_date"`
	PriceCents     int64                      `json:"price_cents"`
	Currency       string                     `json:"currency"`
	PayWhatYouWant bool                       `json:"pay_what_you_want"`
	MinCents       int64                      `json:"min_cents"`
	Collaborators  []api.ManifestCollaborator `json:"collaborators"`
	Slug           string                     `json:"slug"`
	PreviewSeconds int                        `json:"preview_seconds"`
	FullStreaming  bool                       `json:"full_streaming"`
	Preorder       bool                       `json:"preorder"`
	Tracks         []DraftTrack               `json:"tracks"`
}

// DraftTrack is one track in play order: a file of the release folder,
// or, for a release without a folder here, its audio on the platform.
type DraftTrack struct {
	File        string `json:"file"`
	AudioSHA256 string `json:"audio_sha256"`
	Title       string `json:"title"`
	DurationMS  int64  `json:"duration_ms"`
	// PreorderAvailable: a pre-order's buyers get this track at once.
	PreorderAvailable bool `json:"preorder_available"`
}

// manifest is the draft as the platform takes it, with the release's
// cover; tracks are numbered in the draft's order.
func (d ReleaseDraft) manifest(cover string) api.Manifest {
	m := api.Manifest{
		Title: d.Title, ArtistName: d.ArtistName, Description: d.Description, ReleaseDate: d.ReleaseDate,
		PriceCents: d.PriceCents, Currency: d.Currency, PayWhatYouWant: d.PayWhatYouWant, MinCents: d.MinCents,
		CoverSHA256: cover, Collaborators: normalCollaborators(d.Collaborators),
		Slug: d.Slug, PreviewSeconds: d.PreviewSeconds, FullStreaming: d.FullStreaming, Preorder: d.Preorder,
	}
	if m.FullStreaming {
		m.PreviewSeconds = 0 // the whole tracks play: no length to keep
	}
	for i, t := range d.Tracks {
		// Tracks out early mean nothing once the release is no pre-order.
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: t.Title, AudioSHA256: t.AudioSHA256,
			PreorderAvailable: d.Preorder && t.PreorderAvailable})
	}
	m.Normalize("")
	return m
}

// checkDraft applies the platform's rules to a draft (the collaborators
// by the ledger's too); the error names the field at fault. Tracks are
// checked by whoever knows them (the folder, or the platform).
func (a *App) checkDraft(d ReleaseDraft) error {
	m := d.manifest("")
	if m.ArtistName == "" {
		m.ArtistName = "-" // the platform names the artist after the account
	}
	m.Tracks = nil
	if err := m.Validate(); err != nil && api.ErrorField(err) != "tracks" {
		return err
	}
	for i, t := range d.Tracks {
		if err := api.CheckName("tracks", t.Title, api.MaxTitleLen); err != nil && t.Title != "" {
			return api.FieldErrorf("tracks["+strconv.Itoa(i)+"].title", "%s", api.ErrorMessage(err))
		}
	}
	if p := checkPayees(a.ownerEmail(), m.Collaborators); p != nil {
		return &api.Error{Code: api.EINVALID, Field: p.Field, Message: p.Message}
	}
	return nil
}

// saveDraft writes a draft to a release folder's megabox.json, keeping
// what the draft does not set. A detail equal to what the folder's tags
// already say is left out, so megabox.json holds only the creator's
// choices; the play order is written whole, by file name.
func (a *App) saveDraft(rootID int64, folder, dir string, d ReleaseDraft) error {
	if err := a.checkDraft(d); err != nil {
		return err
	}
	files, err := a.cache.FilesIn(a.ctx, rootID, dir)
	if err != nil {
		return err
	}
	m := d.manifest("")
	err = a.editSidecar(folder, func(s *sync.Sidecar) error {
		tagged, tracks := sync.Plan(dir, files, sync.Sidecar{}, sync.DefaultPrice)
		fromTags := map[string]string{}
		for _, t := range tracks {
			fromTags[t.File] = t.Title
		}
		s.Title = unlessSame(m.Title, s.Title, tagged.Title)
		s.ArtistName = unlessSame(m.ArtistName, s.ArtistName, tagged.ArtistName)
		s.ReleaseDate = unlessSame(m.ReleaseDate, s.ReleaseDate, tagged.ReleaseDate)
		s.Description = m.Description
		s.PriceCents, s.Currency, s.PayWhatYouWant, s.MinCents = &m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents
		s.Collaborators = m.Collaborators
		s.Slug, s.PreviewSeconds, s.FullStreaming = m.Slug, m.PreviewSeconds, m.FullStreaming
		s.Preorder = m.Preorder
		s.Tracks = chosenOrder(d.Tracks, m.Tracks, fromTags, s.Tracks)
		return nil
	})
	if err != nil {
		return err
	}
	a.engine.Kick()
	return nil
}

// chosenOrder is the play order megabox.json keeps for the editor's
// tracks (titles only where they differ from the tags'), followed by the
// files it listed that the editor did not show (not read yet).
func chosenOrder(shown []DraftTrack, titled []api.ManifestTrack, fromTags map[string]string, before []sync.SidecarTrack) []sync.SidecarTrack {
	out := []sync.SidecarTrack{}
	seen := map[string]bool{}
	for i, t := range shown {
		title := titled[i].Title
		if title == fromTags[t.File] {
			title = ""
		}
		out = append(out, sync.SidecarTrack{File: t.File, Title: title, PreorderAvailable: titled[i].PreorderAvailable})
		seen[t.File] = true
	}
	for _, t := range before {
		if !seen[t.File] {
			out = append(out, t)
		}
	}
	return out
}

// unlessSame is what megabox.json should say for a detail shown as
// shown: nothing when the tags say the same and the file did not.
func unlessSame(shown, written, tagged string) string {
	if written == "" && shown == tagged {
		return ""
	}
	return shown
}

// editSidecar changes a release folder's megabox.json; the app's edits
// of sidecars take turns, so two saves never lose each other's change.
func (a *App) editSidecar(folder string, edit func(*sync.Sidecar) error) error {
	a.sidecars.Lock()
	defer a.sidecars.Unlock()
	return sync.EditSidecar(folder, edit)
}

// planDraft is a release folder as the editor opens it: what its next
// sync sends, worked out from the cache and its megabox.json.
func planDraft(dir string, files []cache.File, side sync.Sidecar) ReleaseDraft {
	m, tracks := sync.Plan(dir, files, side, sync.DefaultPrice)
	d := ReleaseDraft{
		Title: m.Title, ArtistName: m.ArtistName, Description: m.Description, ReleaseDate: m.ReleaseDate,
		PriceCents: m.PriceCents, Currency: m.Currency, PayWhatYouWant: m.PayWhatYouWant, MinCents: m.MinCents,
		Collaborators: append([]api.ManifestCollaborator{}, m.Collaborators...), Slug: m.Slug,
		PreviewSeconds: m.PreviewSeconds, FullStreaming: m.FullStreaming, Preorder: m.Preorder, Tracks: []DraftTrack{},
	}
	for i, t := range tracks {
		d.Tracks = append(d.Tracks, DraftTrack{File: t.File, AudioSHA256: m.Tracks[i].AudioSHA256, Title: t.Title, DurationMS: t.DurationMS,
			PreorderAvailable: m.Tracks[i].PreorderAvailable})
	}
	return d
}

// RemoteRelease is one of the creator's releases with no folder watched
// here (published from another computer, or the command line): the
// editor changes it on the platform directly.
type RemoteRelease struct {
	ID          int64        `json:"id"`
	Published   bool         `json:"published"`
	CoverSHA256 string       `json:"cover_sha256"`
	Draft       ReleaseDraft `json:"draft"`
	ArtistURL   string       `json:"artist_url"`
	CurrentSlug string       `json:"current_slug"`
}

// remoteOnly lists the creator's releases that no watched folder holds.
func (a *App) remoteOnly() ([]RemoteRelease, error) {
	roots, err := a.cache.Roots(a.ctx)
	if err != nil {
		return nil, err
	}
	local := map[int64]bool{}
	for _, r := range roots {
		rels, err := a.cache.Releases(a.ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, rel := range rels {
			local[rel.ReleaseID] = true
		}
	}
	page, err := a.client.MyReleases(a.ctx, api.MaxPageSize, "")
	if err != nil {
		return nil, err
	}
	artist := artistURL(a.client.BaseURL(), a.profileHandle())
	out := []RemoteRelease{}
	for _, r := range page.Items {
		if !local[r.ID] {
			out = append(out, RemoteRelease{ID: r.ID, Published: r.State == api.StatePublished, CoverSHA256: r.CoverSHA256,
				Draft: remoteDraft(r), ArtistURL: artist, CurrentSlug: r.Slug})
		}
	}
	return out, nil
}

// remoteDraft is a release on the platform as the editor shows it; the
// owner, listed among several payees, keeps what the others leave.
func remoteDraft(r api.Release) ReleaseDraft {
	d := ReleaseDraft{
		Title: r.Title, ArtistName: r.ArtistName, Description: r.Description, ReleaseDate: r.ReleaseDate,
		PriceCents: r.PriceCents, Currency: r.Currency, PayWhatYouWant: r.PayWhatYouWant, MinCents: r.MinCents,
		Collaborators: []api.ManifestCollaborator{}, Slug: r.Slug, PreviewSeconds: r.PreviewSeconds, FullStreaming: r.FullStreaming,
		Preorder: r.Preorder, Tracks: []DraftTrack{},
	}
	for _, c := range r.Collaborators {
		if !c.Owner {
			d.Collaborators = append(d.Collaborators, api.ManifestCollaborator{Email: c.Email, ShareBps: c.ShareBps})
		}
	}
	for _, t := range r.Tracks {
		d.Tracks = append(d.Tracks, DraftTrack{AudioSHA256: t.AudioSHA256, Title: t.Title, DurationMS: t.DurationMS,
			PreorderAvailable: t.PreorderAvailable})
	}
	return d
}

// saveRemote replaces a release that has no folder here with the draft:
// its tracks are the release's own, reordered or retitled, never others.
func (a *App) saveRemote(id int64, d ReleaseDraft) (*api.Release, error) {
	if err := a.checkDraft(d); err != nil {
		return nil, err
	}
	cur, err := a.client.FindRelease(a.ctx, id)
	if err != nil {
		return nil, err
	}
	have := map[string]int{}
	for _, t := range cur.Tracks {
		have[t.AudioSHA256]++
	}
	for i, t := range d.Tracks {
		if have[t.AudioSHA256] == 0 {
			return nil, api.FieldErrorf("tracks["+strconv.Itoa(i)+"]", "is not a track of this release")
		}
		have[t.AudioSHA256]--
	}
	if len(d.Tracks) != len(cur.Tracks) {
		return nil, api.FieldErrorf("tracks", "the release has %d tracks, the editor %d", len(cur.Tracks), len(d.Tracks))
	}
	return a.client.UpdateRelease(a.ctx, id, d.manifest(cur.CoverSHA256))
}
