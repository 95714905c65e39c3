package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// releaseShares turns a manifest's collaborators into the release's
// payees, the owner first: nil when the owner keeps everything. The owner,
// unlisted, keeps what the others leave.
func releaseShares(ctx context.Context, r store.Reader, owner int64, cs []api.ManifestCollaborator) ([]ledger.Share, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	listed := make([]ledger.Share, 0, len(cs))
	for i, c := range cs {
		a, _, err := r.AccountByEmail(ctx, c.Email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !a.Creator) {
			return nil, api.FieldErrorf(fmt.Sprintf("collaborators[%d].email", i),
				"%s is not a Megabox creator account: ask them to sign up as a creator first", c.Email)
		} else if err != nil {
			return nil, err
		}
		listed = append(listed, ledger.Share{AccountID: a.ID, Bps: c.ShareBps})
	}
	shares, err := ledger.WithOwner(owner, listed)
	if err != nil {
		return nil, api.FieldErrorf("collaborators", "%s", err.Error())
	}
	if len(shares) == 1 {
		return nil, nil
	}
	return shares, nil
}

// withCollaborators fills a release's payees for its owner's eyes only.
func withCollaborators(ctx context.Context, r store.Reader, rel *api.Release) error {
	if rel.ArtistID != api.AccountIDFromContext(ctx) {
		return nil
	}
	shares, err := r.ReleaseShares(ctx, rel.ID)
	if err != nil {
		return err
	}
	rel.Collaborators = nil
	for _, sh := range shares {
		a, err := r.Account(ctx, sh.AccountID)
		if err != nil {
			return err
		}
		rel.Collaborators = append(rel.Collaborators, api.Collaborator{AccountID: a.ID, Name: a.DisplayName, Email: a.Email,
			ShareBps: sh.Bps, Owner: a.ID == rel.ArtistID})
	}
	return nil
}
