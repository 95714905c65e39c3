package app

import (
	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
)

// StoreAPI is the catalog and checkout.
type StoreAPI struct{ a *App }

// Search lists published releases matching q.
func (x *StoreAPI) Search(q, cursor string) (*api.ReleasePage, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if len(q) > 200 || len(cursor) > 100 {
		return nil, invalid("q", "search text is too long")
	}
	p, err := x.a.client.SearchReleases(x.a.ctx, api.ReleaseFilter{Query: q, Cursor: cursor, Limit: 24})
	return p, uiError(err)
}

// Release returns one release.
func (x *StoreAPI) Release(id int64) (*api.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.client.FindRelease(x.a.ctx, id)
	return r, uiError(err)
}

// Owned says whether the signed-in account already has a release:
// "yours" for its creator, "bought" once purchased, "" while it is for sale.
func (x *StoreAPI) Owned(releaseID int64) (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	o, err := x.a.ownership(x.a.ctx, releaseID)
	return o, uiError(err)
}

// Artist returns an artist and their releases.
func (x *StoreAPI) Artist(id int64) (*api.Artist, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.client.FindArtist(x.a.ctx, id)
	return r, uiError(err)
}

// Buy pays for a release with the sandbox card. key makes retries of one
// checkout one purchase.
func (x *StoreAPI) Buy(key string, releaseID, amountCents int64, currency, card string, shareEmail bool) (*api.Purchase, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	// The amount and the card are the platform's to judge: its answer names
	// the field at fault.
	if err := api.CheckIdempotencyKey(key); err != nil {
		return nil, uiError(err)
	}
	p, err := x.a.client.CreatePurchase(x.a.ctx, key, api.PurchaseCreate{ReleaseID: releaseID, AmountCents: amountCents, Currency: currency,
		ShareEmail: shareEmail, Payment: api.PaymentDetails{Method: "sandbox", CardNumber: card}})
	if err == nil {
		x.a.library.Request()
	}
	return p, uiError(err)
}

// TestCard is the sandbox card that always succeeds.
func (x *StoreAPI) TestCard() string { return payment.CardSuccess }

// Follow follows an artist.
func (x *StoreAPI) Follow(artistID int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.client.Follow(x.a.ctx, artistID))
}

// Unfollow stops following an artist.
func (x *StoreAPI) Unfollow(artistID int64) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.client.Unfollow(x.a.ctx, artistID))
}
