package app

import (
	"context"

	"github.com/megabox-fm/megabox/backend/api"
)

// How the signed-in account holds a release, as the store shows it.
const (
	OwnedNone   = ""       // for sale to this account
	OwnedYours  = "yours"  // this account made it
	OwnedBought = "bought" // already in this account's library
)

// ownership says whether the store should offer a release for sale to the
// signed-in account. Offline, the local library answers for purchases.
func (a *App) ownership(ctx context.Context, releaseID int64) (string, error) {
	me := a.currentAccount()
	if me == nil {
		return OwnedNone, nil
	}
	rel, err := a.client.FindRelease(ctx, releaseID)
	if err != nil {
		return OwnedNone, err
	}
	if me.ID != 0 && rel.ArtistID == me.ID {
		return OwnedYours, nil
	}
	bought, err := a.bought(ctx, releaseID)
	if bought {
		return OwnedBought, err
	}
	return OwnedNone, err
}

func (a *App) bought(ctx context.Context, releaseID int64) (bool, error) {
	lib, err := a.client.Library(ctx)
	if api.ErrorCode(err) == api.EUNAVAILABLE {
		local, lerr := a.library.Releases(ctx)
		for _, r := range local {
			if r.ReleaseID == releaseID {
				return true, nil
			}
		}
		return false, lerr
	} else if err != nil {
		return false, err
	}
	for _, it := range lib.Items {
		if it.Release.ID == releaseID {
			return true, nil
		}
	}
	return false, nil
}
