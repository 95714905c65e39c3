package app

import (
	"github.com/megabox-fm/megabox/backend/api"
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

// Checkout asks the platform for a hosted payment page for a release and
// opens it in the system browser. key makes retries of one request one
// checkout. The sale is the platform's to record once the payment is
// confirmed; the window learns of it from CheckoutState, never from the page.
// code, when not "", is a discount code the checkout holds until paid.
func (x *StoreAPI) Checkout(key string, releaseID, amountCents int64, currency string, shareEmail bool, code string) (*api.Checkout, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	// The amount is the platform's to judge: its answer names the field at fault.
	if err := api.CheckIdempotencyKey(key); err != nil {
		return nil, uiError(err)
	}
	co, err := x.a.client.CreateCheckout(x.a.ctx, key, api.CheckoutCreate{ReleaseID: releaseID, AmountCents: amountCents,
		Currency: currency, ShareEmail: shareEmail, Code: code})
	if err != nil {
		return nil, uiError(err)
	}
	if co.State == api.CheckoutOpen {
		err = x.a.openPage(co.URL)
	}
	return co, uiError(err)
}

// OpenCheckout opens an open checkout's payment page again.
func (x *StoreAPI) OpenCheckout(id string) (*api.Checkout, error) {
	co, err := x.CheckoutState(id)
	if err != nil || co.State != api.CheckoutOpen {
		return co, err
	}
	return co, uiError(x.a.openPage(co.URL))
}

// CheckoutState is a checkout as the platform knows it: open until the
// payment is confirmed (paid, with the purchase), the page expires or the
// payment fails. A paid checkout brings the purchase into the library.
func (x *StoreAPI) CheckoutState(id string) (*api.Checkout, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 255 {
		return nil, invalid("id", "checkout id is missing or too long")
	}
	co, err := x.a.client.Checkout(x.a.ctx, id)
	if err != nil {
		return nil, uiError(err)
	}
	if co.State == api.CheckoutPaid {
		x.a.library.Request()
	}
	return co, nil
}

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
