package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// ProfileService implements api.ProfileService.
type ProfileService struct{ *env }

var _ api.ProfileService = (*ProfileService)(nil)

// MyProfile implements api.ProfileService.
func (s *ProfileService) MyProfile(ctx context.Context) (*api.Profile, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	return s.st.Profile(ctx, c.Account.ID)
}

// UpdateProfile implements api.ProfileService. A handle, once had, stays
// the account's: its links keep working after a change.
func (s *ProfileService) UpdateProfile(ctx context.Context, p api.Profile) (*api.Profile, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	p.Normalize()
	if p.DisplayName == "" {
		p.DisplayName = c.Account.DisplayName
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	err = s.st.WithTx(ctx, func(tx store.Tx) error {
		if p.PictureSHA256 != "" {
			if ok, err := tx.OwnsBlob(ctx, c.Account.ID, p.PictureSHA256); err != nil {
				return err
			} else if !ok {
				return api.FieldErrorf("picture_sha256", "upload the picture first")
			}
		}
		return tx.SetProfile(ctx, c.Account.ID, p)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, &api.Error{Code: api.ECONFLICT, Field: "handle", Message: fmt.Sprintf("@%s is taken: choose another", p.Handle)}
	} else if err != nil {
		return nil, err
	}
	return s.st.Profile(ctx, c.Account.ID)
}

// ArtistByHandle implements api.ProfileService.
func (s *ProfileService) ArtistByHandle(ctx context.Context, handle string) (*api.PublicArtist, error) {
	id, err := s.handle(ctx, handle)
	if err != nil {
		return nil, err
	}
	p, err := s.st.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	rels, err := s.st.Releases(ctx, store.ReleaseQuery{ArtistID: id, PublishedOnly: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	return &api.PublicArtist{ID: id, Profile: *p, Releases: rels}, nil
}

// CollectionByHandle implements api.ProfileService. It shows only what
// the collection page needs: no prices, dates of purchase or receipts.
func (s *ProfileService) CollectionByHandle(ctx context.Context, handle string) (*api.PublicCollection, error) {
	id, err := s.handle(ctx, handle)
	if err != nil {
		return nil, err
	}
	p, err := s.st.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.PublicCollection {
		return nil, api.Errorf(api.ENOTFOUND, "@%s does not show a collection", handle)
	}
	items, err := s.st.Library(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &api.PublicCollection{ID: id, Profile: *p, Releases: []api.Release{}}
	for _, it := range items {
		if len(c.Releases) == api.MaxCollection {
			break
		}
		r, err := s.st.Release(ctx, it.Release.ID)
		if err != nil {
			return nil, err
		}
		if r.State == api.StatePublished {
			c.Releases = append(c.Releases, *r)
		}
	}
	return c, nil
}

// ReleaseByPath implements api.ProfileService.
func (s *ProfileService) ReleaseByPath(ctx context.Context, handle, slug string) (*api.PublicRelease, error) {
	id, err := s.handle(ctx, handle)
	if err != nil {
		return nil, err
	}
	relID, err := s.st.ReleaseBySlug(ctx, id, slug)
	if err != nil {
		return nil, notFound(err, "no release at /@%s/%s", handle, slug)
	}
	rel, err := s.st.Release(ctx, relID)
	if err != nil || rel.State != api.StatePublished {
		return nil, notFound(orNotFound(err), "no release at /@%s/%s", handle, slug)
	}
	p, err := s.st.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	return &api.PublicRelease{Artist: *p, Release: *rel}, nil
}

// handle finds the account a handle belongs to.
func (s *ProfileService) handle(ctx context.Context, handle string) (int64, error) {
	id, _, err := s.st.AccountByHandle(ctx, handle)
	return id, notFound(err, "nobody is @%s here", handle)
}
