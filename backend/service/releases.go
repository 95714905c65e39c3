package service

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// ReleaseService implements api.ReleaseService.
type ReleaseService struct{ *env }

var _ api.ReleaseService = (*ReleaseService)(nil)

// CreateRelease implements api.ReleaseService.
func (s *ReleaseService) CreateRelease(ctx context.Context, m api.Manifest) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	m.Normalize(c.Account.DisplayName)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if err := checkBlobs(ctx, tx, c.Account.ID, m); err != nil {
			return err
		}
		if err := checkMasters(ctx, tx, m.Tracks); err != nil {
			return err
		}
		shares, err := releaseShares(ctx, tx, c.Account.ID, m.Collaborators)
		if err != nil {
			return err
		}
		if id, err = tx.InsertRelease(ctx, c.Account.ID, m, s.clock()); err != nil {
			return fmt.Errorf("insert release: %w", err)
		}
		if err := tx.SetReleaseShares(ctx, id, shares); err != nil {
			return err
		}
		if err := setSlug(ctx, tx, id, c.Account.ID, m.Slug, m.Title); err != nil {
			return err
		}
		if err := setExtras(ctx, tx, c.Account.ID, id, m.Extras); err != nil {
			return err
		}
		if err := tx.ReplaceTracks(ctx, id, m.Tracks); err != nil {
			return err
		}
		return s.analysis.tracksSet(ctx, tx, id, m.Tracks)
	})
	if err != nil {
		return nil, err
	}
	s.analysis.queued()
	return s.FindRelease(ctx, id)
}

// setSlug names a release in its web address: the slug asked for, or,
// for a new release, one made from its title, numbered if the artist
// uses it already. An update without a slug keeps the release's.
func setSlug(ctx context.Context, tx store.Tx, id, artist int64, slug, title string) error {
	if slug != "" {
		err := tx.SetReleaseSlug(ctx, id, artist, slug)
		if errors.Is(err, store.ErrConflict) {
			return api.FieldErrorf("slug", "another of your releases uses %q (or did, and its old links point there)", slug)
		}
		return err
	}
	if title == "" { // an update that keeps the slug
		return nil
	}
	base := api.Slugify(title)
	for n := 1; n <= 100; n++ {
		slug = base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		err := tx.SetReleaseSlug(ctx, id, artist, slug)
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return api.FieldErrorf("slug", "choose a slug for this release: the ones made from its title are taken")
}

// UpdateRelease implements api.ReleaseService.
func (s *ReleaseService) UpdateRelease(ctx context.Context, id int64, m api.Manifest) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	m.Normalize(c.Account.DisplayName)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		rel, err := ownedRelease(ctx, tx, c.Account.ID, id)
		if err != nil {
			return err
		}
		if rel.State == api.StatePublished && len(m.Tracks) == 0 {
			return api.FieldErrorf("tracks", "a published release needs at least one track")
		}
		if err := checkBlobs(ctx, tx, c.Account.ID, m); err != nil {
			return err
		}
		if err := checkMasters(ctx, tx, m.Tracks); err != nil {
			return err
		}
		if err := checkKeepsSoldAudio(ctx, tx, id, m.Tracks); err != nil {
			return err
		}
		shares, err := releaseShares(ctx, tx, c.Account.ID, m.Collaborators)
		if err != nil {
			return err
		}
		if err := tx.UpdateRelease(ctx, id, m, s.clock()); err != nil {
			return fmt.Errorf("update release: %w", err)
		}
		if err := tx.SetReleaseShares(ctx, id, shares); err != nil {
			return err
		}
		if err := setSlug(ctx, tx, id, c.Account.ID, m.Slug, ""); err != nil {
			return err
		}
		if err := setExtras(ctx, tx, c.Account.ID, id, m.Extras); err != nil {
			return err
		}
		if err := tx.ReplaceTracks(ctx, id, m.Tracks); err != nil {
			return err
		}
		return s.analysis.tracksSet(ctx, tx, id, m.Tracks)
	})
	if err != nil {
		return nil, err
	}
	s.analysis.queued()
	return s.FindRelease(ctx, id)
}

// DeleteRelease implements api.ReleaseService.
func (s *ReleaseService) DeleteRelease(ctx context.Context, id int64) error {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Tx) error {
		if _, err := ownedRelease(ctx, tx, c.Account.ID, id); err != nil {
			return err
		}
		hasSales := api.Errorf(api.ECONFLICT, "release %d has sales and can never be deleted; unpublish it instead", id)
		if sold, err := tx.HasSales(ctx, id); err != nil {
			return err
		} else if sold {
			return hasSales
		}
		if err := tx.DeleteRelease(ctx, id); errors.Is(err, store.ErrConflict) {
			return hasSales // sold while this ran
		} else if err != nil {
			return err
		}
		return nil
	})
}

// PublishRelease implements api.ReleaseService.
func (s *ReleaseService) PublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return s.setState(ctx, id, api.StatePublished)
}

// UnpublishRelease implements api.ReleaseService.
func (s *ReleaseService) UnpublishRelease(ctx context.Context, id int64) (*api.Release, error) {
	return s.setState(ctx, id, api.StateDraft)
}

func (s *ReleaseService) setState(ctx context.Context, id int64, state string) (*api.Release, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		rel, err := ownedRelease(ctx, tx, c.Account.ID, id)
		if err != nil {
			return err
		}
		if state == api.StatePublished && len(rel.Tracks) == 0 {
			return api.Errorf(api.ECONFLICT, "add at least one track before publishing")
		}
		if state == api.StatePublished {
			if err := checkPublishable(ctx, tx, rel); err != nil {
				return err
			}
			if err := giveHandle(ctx, tx, c.Account); err != nil {
				return err
			}
		}
		return tx.SetReleaseState(ctx, id, state, s.clock())
	})
	if err != nil {
		return nil, err
	}
	return s.FindRelease(ctx, id)
}

// FindRelease implements api.ReleaseService: a published release, the
// caller's own, or one the caller owns (buyers keep seeing what they own
// after it is unpublished).
func (s *ReleaseService) FindRelease(ctx context.Context, id int64) (*api.Release, error) {
	rel, err := s.st.Release(ctx, id)
	if err != nil {
		return nil, notFound(err, "release %d not found", id)
	}
	if ok, err := visible(ctx, s.st, rel); err != nil {
		return nil, err
	} else if !ok {
		return nil, api.Errorf(api.ENOTFOUND, "release %d not found", id)
	}
	if err := showProblems(ctx, s.st, rel); err != nil {
		return nil, err
	}
	return rel, withCollaborators(ctx, s.st, rel)
}

func visible(ctx context.Context, r store.Reader, rel *api.Release) (bool, error) {
	caller := api.AccountIDFromContext(ctx)
	if rel.State == api.StatePublished || (caller != 0 && rel.ArtistID == caller) {
		return true, nil
	}
	if caller == 0 {
		return false, nil
	}
	return r.Owns(ctx, caller, rel.ID)
}

// MyReleases implements api.ReleaseService.
func (s *ReleaseService) MyReleases(ctx context.Context, limit int, cursor string) (*api.ReleasePage, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.page(ctx, store.ReleaseQuery{ArtistID: c.Account.ID}, limit, cursor)
	if err != nil {
		return nil, err
	}
	for i := range p.Items {
		if err := showProblems(ctx, s.st, &p.Items[i]); err != nil {
			return nil, err
		}
		if err := withCollaborators(ctx, s.st, &p.Items[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// SearchReleases implements api.ReleaseService.
func (s *ReleaseService) SearchReleases(ctx context.Context, f api.ReleaseFilter) (*api.ReleasePage, error) {
	if len(f.Query) > 200 {
		return nil, api.FieldErrorf("q", "search text must be at most 200 characters")
	}
	q := store.ReleaseQuery{ArtistID: f.ArtistID, PublishedOnly: true, Words: strings.Fields(strings.ToLower(f.Query))}
	return s.page(ctx, q, f.Limit, f.Cursor)
}

// FindArtist implements api.ReleaseService.
func (s *ReleaseService) FindArtist(ctx context.Context, id int64) (*api.Artist, error) {
	a, err := s.st.Account(ctx, id)
	if err != nil || !a.Creator {
		return nil, notFound(orNotFound(err), "artist %d not found", id)
	}
	rels, err := s.st.Releases(ctx, store.ReleaseQuery{ArtistID: id, PublishedOnly: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	p, err := s.st.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	return &api.Artist{ID: a.ID, Name: a.DisplayName, Handle: p.Handle, Bio: p.Bio, Links: p.Links,
		PictureSHA256: p.PictureSHA256, Releases: rels}, nil
}

// orNotFound is err, or ErrNotFound when there is none.
func orNotFound(err error) error {
	if err == nil {
		return store.ErrNotFound
	}
	return err
}

// page runs a keyset-paginated listing, newest first.
func (s *ReleaseService) page(ctx context.Context, q store.ReleaseQuery, limit int, cursor string) (*api.ReleasePage, error) {
	if limit <= 0 {
		limit = api.DefaultPageSize
	}
	if limit > api.MaxPageSize {
		return nil, api.FieldErrorf("limit", "must be at most %d", api.MaxPageSize)
	}
	if cursor != "" {
		before, err := decodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		q.Before = before
	}
	q.Limit = limit + 1
	rels, err := s.st.Releases(ctx, q)
	if err != nil {
		return nil, err
	}
	p := &api.ReleasePage{Items: rels}
	if len(rels) > limit {
		p.Items = rels[:limit]
		p.NextCursor = encodeCursor(rels[limit-1].ID)
	}
	return p, nil
}

// ownedRelease returns the caller's release; another creator's release
// does not exist for them.
func ownedRelease(ctx context.Context, tx store.Tx, accountID, id int64) (*api.Release, error) {
	rel, err := tx.Release(ctx, id)
	if err != nil || rel.ArtistID != accountID {
		return nil, notFound(orNotFound(err), "release %d not found", id)
	}
	return rel, nil
}

// checkBlobs verifies every blob a manifest names belongs to the caller and
// has the right media type.
func checkBlobs(ctx context.Context, tx store.Tx, accountID int64, m api.Manifest) error {
	if m.CoverSHA256 != "" {
		b, err := ownedBlob(ctx, tx, accountID, m.CoverSHA256, "cover_sha256")
		if err != nil {
			return err
		}
		if b.MediaType != api.MediaJPEG && b.MediaType != api.MediaPNG {
			return api.FieldErrorf("cover_sha256", "cover must be a JPEG or PNG image, got %s", b.MediaType)
		}
	}
	for i, t := range m.Tracks {
		field := fmt.Sprintf("tracks[%d].audio_sha256", i)
		b, err := ownedBlob(ctx, tx, accountID, t.AudioSHA256, field)
		if err != nil {
			return err
		}
		if b.MediaType != api.MediaMP3 && b.MediaType != api.MediaFLAC {
			return &api.Error{Code: api.EUNSUPPORTED, Field: field, Message: fmt.Sprintf("track %d is neither FLAC nor MP3 audio (%s)", t.Position, b.MediaType)}
		}
	}
	return nil
}

func ownedBlob(ctx context.Context, tx store.Tx, accountID int64, sha, field string) (*api.Blob, error) {
	owns, err := tx.OwnsBlob(ctx, accountID, sha)
	if err != nil {
		return nil, err
	}
	if !owns {
		return nil, api.FieldErrorf(field, "no uploaded file with sha256 %s: upload it first", sha)
	}
	return tx.Blob(ctx, sha)
}

// checkKeepsSoldAudio refuses a track list that drops audio buyers own.
func checkKeepsSoldAudio(ctx context.Context, tx store.Tx, releaseID int64, tracks []api.ManifestTrack) error {
	sold, err := tx.SoldTracks(ctx, releaseID)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, t := range tracks {
		keep[t.AudioSHA256] = true
	}
	for _, t := range sold {
		if !keep[t.AudioSHA256] {
			return &api.Error{Code: api.ECONFLICT, Field: "tracks",
				Message: fmt.Sprintf("%q has been sold and must stay in the release; you can rename or reorder it", t.Title)}
		}
	}
	return nil
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if id, err := strconv.ParseInt(string(b), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, api.FieldErrorf("cursor", "not a cursor from a previous page")
}

// giveHandle gives a creator publishing without a handle one made from
// their name, so every published release has a web address; they may
// change it (the first one keeps leading to them).
func giveHandle(ctx context.Context, tx store.Tx, a api.Account) error {
	p, err := tx.Profile(ctx, a.ID)
	if err != nil || p.Handle != "" {
		return err
	}
	base := strings.Trim(api.Slugify(a.DisplayName), "-")
	if len(base) > 24 {
		base = strings.Trim(base[:24], "-")
	}
	if len(base) < 3 || base == "release" {
		base = "artist"
	}
	for n := 1; n <= 50; n++ {
		p.Handle = base
		if n > 1 {
			p.Handle = fmt.Sprintf("%s-%d", base, n)
		}
		if p.Validate() != nil { // a word the site uses
			continue
		}
		if err := tx.SetProfile(ctx, a.ID, *p); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	p.Handle = fmt.Sprintf("artist-%d", a.ID)
	return tx.SetProfile(ctx, a.ID, *p)
}
