package http

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/receipt"
)

var (
	_ api.PurchaseService = (*Client)(nil)
)

// CreatePurchase implements api.PurchaseService.
func (c *Client) CreatePurchase(ctx context.Context, key string, in api.PurchaseCreate) (*api.Purchase, error) {
	var p api.Purchase
	return &p, c.callWith(ctx, http.MethodPost, "/api/v1/purchases", in, &p, "Idempotency-Key", key)
}

// RefundPurchase implements api.PurchaseService.
func (c *Client) RefundPurchase(ctx context.Context, purchaseID, amount int64) (*api.Refund, error) {
	var r api.Refund
	in := map[string]int64{"amount_cents": amount}
	return &r, c.call(ctx, http.MethodPost, "/api/v1/purchases/"+strconv.FormatInt(purchaseID, 10)+"/refunds", in, &r)
}

// Library implements api.PurchaseService.
func (c *Client) Library(ctx context.Context) (*api.Library, error) {
	var l api.Library
	return &l, c.call(ctx, http.MethodGet, "/api/v1/me/library", nil, &l)
}

func earningsQuery(f api.EarningsFilter) string {
	q := url.Values{}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	if f.Group != "" {
		q.Set("group", f.Group)
	}
	if f.Currency != "" {
		q.Set("currency", f.Currency)
	}
	return q.Encode()
}

// Earnings fetches the caller's earnings.
func (c *Client) Earnings(ctx context.Context, f api.EarningsFilter) (*api.Earnings, error) {
	var e api.Earnings
	return &e, c.call(ctx, http.MethodGet, "/api/v1/me/earnings?"+earningsQuery(f), nil, &e)
}

// EarningsCSV writes the caller's earnings statement as CSV to w.
func (c *Client) EarningsCSV(ctx context.Context, f api.EarningsFilter, w io.Writer) error {
	return c.download(ctx, "/api/v1/me/earnings.csv?"+earningsQuery(f), w)
}

// Fans fetches the caller's fans.
func (c *Client) Fans(ctx context.Context) (*api.FanList, error) {
	var l api.FanList
	return &l, c.call(ctx, http.MethodGet, "/api/v1/me/fans", nil, &l)
}

// FansCSV writes the caller's fans as CSV to w.
func (c *Client) FansCSV(ctx context.Context, w io.Writer) error {
	return c.download(ctx, "/api/v1/me/fans.csv", w)
}

// RequestPayout asks for a payout.
func (c *Client) RequestPayout(ctx context.Context, amount int64, currency string) (*api.Payout, error) {
	var p api.Payout
	in := map[string]any{"amount_cents": amount, "currency": currency}
	return &p, c.call(ctx, http.MethodPost, "/api/v1/me/payouts", in, &p)
}

// Payouts lists the caller's payouts.
func (c *Client) Payouts(ctx context.Context) ([]api.Payout, error) {
	var out struct{ Items []api.Payout }
	return out.Items, c.call(ctx, http.MethodGet, "/api/v1/me/payouts", nil, &out)
}

// Follow follows an artist.
func (c *Client) Follow(ctx context.Context, artistID int64) error {
	return c.call(ctx, http.MethodPost, "/api/v1/artists/"+strconv.FormatInt(artistID, 10)+"/follow", nil, nil)
}

// Unfollow stops following an artist.
func (c *Client) Unfollow(ctx context.Context, artistID int64) error {
	return c.call(ctx, http.MethodDelete, "/api/v1/artists/"+strconv.FormatInt(artistID, 10)+"/follow", nil, nil)
}

// ReceiptKeys fetches the platform's receipt signing keys.
func (c *Client) ReceiptKeys(ctx context.Context) (receipt.KeySet, error) {
	var s receipt.KeySet
	return s, c.call(ctx, http.MethodGet, "/api/v1/receipts/keys", nil, &s)
}

func (c *Client) download(ctx context.Context, path string, w io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// DownloadPicture writes an artist's picture to w.
func (c *Client) DownloadPicture(ctx context.Context, handle, sha256 string, w io.Writer) error {
	return c.download(ctx, "/@"+url.PathEscape(handle)+"/picture/"+url.PathEscape(sha256), w)
}

// DownloadCover writes a release's cover image to w and returns its media
// type.
func (c *Client) DownloadCover(ctx context.Context, releaseID int64, w io.Writer) (string, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/api/v1/releases/"+strconv.FormatInt(releaseID, 10)+"/cover", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, io.LimitReader(resp.Body, 64<<20))
	return resp.Header.Get("Content-Type"), err
}

var _ api.CheckoutService = (*Client)(nil)

// CreateCheckout implements api.CheckoutService.
func (c *Client) CreateCheckout(ctx context.Context, key string, in api.CheckoutCreate) (*api.Checkout, error) {
	var co api.Checkout
	return &co, c.callWith(ctx, http.MethodPost, "/api/v1/checkouts", in, &co, "Idempotency-Key", key)
}

// Checkout implements api.CheckoutService.
func (c *Client) Checkout(ctx context.Context, id string) (*api.Checkout, error) {
	var co api.Checkout
	return &co, c.call(ctx, http.MethodGet, "/api/v1/checkouts/"+url.PathEscape(id), nil, &co)
}

var _ api.PayoutAccountService = (*Client)(nil)

// PayoutAccount implements api.PayoutAccountService.
func (c *Client) PayoutAccount(ctx context.Context) (*api.PayoutAccount, error) {
	var a api.PayoutAccount
	return &a, c.call(ctx, http.MethodGet, "/api/v1/me/payout-account", nil, &a)
}

// StartOnboarding implements api.PayoutAccountService; the server chooses
// where the onboarding comes back to.
func (c *Client) StartOnboarding(ctx context.Context, _ string) (*api.Onboarding, error) {
	var o api.Onboarding
	return &o, c.call(ctx, http.MethodPost, "/api/v1/me/payout-account/onboarding", nil, &o)
}
