package service

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

// The export: one JSON file per kind of data, written as it is read, a
// page of rows at a time, so its memory does not grow with the account.
//
//	README.txt          what each file holds, and what is not in the zip
//	account.json        the account and its public profile
//	sessions.json       sign-ins: when made, when they expire
//	follows.json        artists followed
//	email_choices.json  per artist: email wanted, address shared
//	purchases.json      sales, amounts, refunds and signed receipts
//	gifts.json          gifts given and received
//	codes.json          codes redeemed
//	files.json          files owned (metadata only)
//	releases.json       releases made, with their tracks
//	earnings.json       balances owed and payouts
//	announcements.json  announcements written

// exportPage is how many rows are read at a time.
const exportPage = 200

const exportReadme = `Megabox: your data

This archive holds everything Megabox keeps about your account, as JSON:

  account.json        your account (email, name, when it was made, whether it
                      is a creator account) and your public profile
  sessions.json       your sign-ins: when each was made and when it expires
                      (the secret tokens themselves are never stored)
  follows.json        the artists you follow
  email_choices.json  for each artist, whether you get their email and whether
                      they see your address
  purchases.json      what you bought: amounts in cents, refunds, dates and the
                      signed receipt of each sale
  gifts.json          gifts you gave and gifts you received
  codes.json          download and discount codes you redeemed
  files.json          files you uploaded or own: their size, type and SHA-256
  releases.json       the releases you made, with their tracks
  earnings.json       what Megabox owes you and your payouts
  announcements.json  the announcements you wrote

Your audio and pictures are not in this archive, only their descriptions:
download your purchases from your library, and your own files from where you
keep them. Your password is stored only as a one-way hash and is not included.
Times are UTC (RFC 3339); amounts are in cents of their currency.
`

type exportAccount struct {
	ID               int64     `json:"id"`
	Email            string    `json:"email"`
	DisplayName      string    `json:"display_name"`
	Creator          bool      `json:"creator"`
	CreatedAt        time.Time `json:"created_at"`
	Handle           string    `json:"handle"`
	Bio              string    `json:"bio"`
	Links            []string  `json:"links"`
	PictureSHA256    string    `json:"picture_sha256"`
	PublicCollection bool      `json:"public_collection"`
}

type exportSession struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Current   bool      `json:"current"`
}

type exportFollow struct {
	ArtistID   int64     `json:"artist_id"`
	ArtistName string    `json:"artist_name"`
	Handle     string    `json:"handle"`
	Since      time.Time `json:"since"`
}

type exportChoice struct {
	ArtistID   int64     `json:"artist_id"`
	Email      bool      `json:"email"`
	ShareEmail bool      `json:"share_email"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type exportPurchase struct {
	ID            int64     `json:"id"`
	ReleaseID     int64     `json:"release_id"`
	ReleaseTitle  string    `json:"release_title"`
	ArtistID      int64     `json:"artist_id"`
	GrossCents    int64     `json:"gross_cents"`
	CreatorCents  int64     `json:"creator_cents"`
	PlatformCents int64     `json:"platform_cents"`
	FeeCents      int64     `json:"fee_cents"`
	RefundedCents int64     `json:"refunded_cents"`
	Currency      string    `json:"currency"`
	Provider      string    `json:"provider"`
	ShareEmail    bool      `json:"share_email"`
	Gift          bool      `json:"gift"`
	Receipt       string    `json:"receipt"`
	CreatedAt     time.Time `json:"created_at"`
}

type exportGift struct {
	ID         int64      `json:"id"`
	ReleaseID  int64      `json:"release_id"`
	PurchaseID int64      `json:"purchase_id"`
	Email      string     `json:"recipient_email,omitempty"`
	Message    string     `json:"message"`
	Receipt    string     `json:"receipt,omitempty"`
	Refunded   bool       `json:"refunded"`
	CreatedAt  time.Time  `json:"created_at"`
	ClaimedAt  *time.Time `json:"claimed_at"`
}

type exportGifts struct {
	Given    []exportGift `json:"given"`
	Received []exportGift `json:"received"`
}

type exportCode struct {
	CodeID     int64     `json:"code_id"`
	BatchID    int64     `json:"batch_id"`
	ReleaseID  int64     `json:"release_id"`
	Kind       string    `json:"kind"`
	PurchaseID int64     `json:"purchase_id"`
	RedeemedAt time.Time `json:"redeemed_at"`
}

type exportFile struct {
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"media_type"`
	DurationMS int64     `json:"duration_ms"`
	OwnedSince time.Time `json:"owned_since"`
}

type exportEarnings struct {
	Balances map[string]int64 `json:"balances_cents"`
	Payouts  []api.Payout     `json:"payouts"`
}

// zipExport writes the export's entries.
type zipExport struct {
	ctx context.Context
	st  store.Reader
	zw  *zip.Writer
	now time.Time
}

func (s *PrivacyService) writeExport(ctx context.Context, w io.Writer, c *api.Caller, now time.Time) error {
	z := &zipExport{ctx: ctx, st: s.st, zw: zip.NewWriter(w), now: now}
	id := c.Account.ID
	steps := []func() error{
		func() error { return z.text("README.txt", exportReadme) },
		func() error { return z.account(id) },
		func() error { return z.sessions(id, c.SessionID) },
		func() error { return z.follows(id) },
		func() error { return z.choices(id) },
		func() error { return z.purchases(id) },
		func() error { return z.gifts(id) },
		func() error { return z.codes(id) },
		func() error { return z.files(id) },
		func() error { return z.releases(id) },
		func() error { return z.earnings(id) },
		func() error { return z.announcements(id) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	return z.zw.Close()
}

func (z *zipExport) create(name string) (io.Writer, error) {
	return z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.now})
}

func (z *zipExport) text(name, body string) error {
	w, err := z.create(name)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, body)
	return err
}

// value writes one JSON document.
func (z *zipExport) value(name string, v any) error {
	w, err := z.create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonArray writes a JSON array whose items come a page at a time: next
// returns a page, empty when there are no more.
type jsonArray struct {
	w   io.Writer
	n   int
	err error
}

func (z *zipExport) array(name string) (*jsonArray, error) {
	w, err := z.create(name)
	if err != nil {
		return nil, err
	}
	_, err = io.WriteString(w, "[")
	return &jsonArray{w: w}, err
}

func (a *jsonArray) add(v any) {
	if a.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, "  ", "  ")
	if err != nil {
		a.err = err
		return
	}
	sep := "\n  "
	if a.n > 0 {
		sep = ",\n  "
	}
	a.n++
	if _, a.err = io.WriteString(a.w, sep); a.err == nil {
		_, a.err = a.w.Write(b)
	}
}

func (a *jsonArray) close() error {
	if a.err != nil {
		return a.err
	}
	end := "]\n"
	if a.n > 0 {
		end = "\n]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

func (z *zipExport) account(id int64) error {
	a, err := z.st.Account(z.ctx, id)
	if err != nil {
		return err
	}
	p, err := z.st.Profile(z.ctx, id)
	if err != nil {
		return err
	}
	return z.value("account.json", exportAccount{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Creator: a.Creator,
		CreatedAt: a.CreatedAt, Handle: p.Handle, Bio: p.Bio, Links: nonNilStrings(p.Links), PictureSHA256: p.PictureSHA256,
		PublicCollection: p.PublicCollection})
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (z *zipExport) sessions(id, current int64) error {
	rows, err := z.st.AccountSessions(z.ctx, id)
	if err != nil {
		return err
	}
	out := make([]exportSession, len(rows))
	for i, r := range rows {
		out[i] = exportSession{ID: r.ID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Current: r.ID == current}
	}
	return z.value("sessions.json", out)
}

func (z *zipExport) follows(id int64) error {
	rows, err := z.st.FollowRecords(z.ctx, id)
	if err != nil {
		return err
	}
	out := make([]exportFollow, len(rows))
	for i, r := range rows {
		out[i] = exportFollow{ArtistID: r.ArtistID, ArtistName: r.ArtistName, Handle: r.Handle, Since: r.CreatedAt}
	}
	return z.value("follows.json", out)
}

func (z *zipExport) choices(id int64) error {
	rows, err := z.st.MailPrefRecords(z.ctx, id)
	if err != nil {
		return err
	}
	out := make([]exportChoice, len(rows))
	for i, r := range rows {
		out[i] = exportChoice{ArtistID: r.ArtistID, Email: r.Email, ShareEmail: r.ShareEmail, UpdatedAt: r.UpdatedAt}
	}
	return z.value("email_choices.json", out)
}

func (z *zipExport) purchases(id int64) error {
	arr, err := z.array("purchases.json")
	if err != nil {
		return err
	}
	for after := int64(0); ; {
		page, err := z.st.PurchaseRecords(z.ctx, id, after, exportPage)
		if err != nil {
			return err
		}
		for _, p := range page {
			arr.add(exportPurchase{ID: p.ID, ReleaseID: p.ReleaseID, ReleaseTitle: p.ReleaseTitle, ArtistID: p.ArtistID,
				GrossCents: p.GrossCents, CreatorCents: p.CreatorCents, PlatformCents: p.PlatformCents, FeeCents: p.FeeCents,
				RefundedCents: p.RefundedCents, Currency: p.Currency, Provider: p.Provider, ShareEmail: p.ShareEmail, Gift: p.Gift,
				Receipt: p.Receipt, CreatedAt: p.CreatedAt})
			after = p.ID
		}
		if len(page) < exportPage {
			return arr.close()
		}
	}
}

func (z *zipExport) gifts(id int64) error {
	given, err := z.st.GiftsFrom(z.ctx, id)
	if err != nil {
		return err
	}
	received, err := z.st.GiftsReceived(z.ctx, id)
	if err != nil {
		return err
	}
	out := exportGifts{Given: []exportGift{}, Received: []exportGift{}}
	for _, g := range given {
		e := giftOf(g)
		e.Email, e.Receipt = g.Email, g.GiverReceipt
		out.Given = append(out.Given, e)
	}
	for _, g := range received {
		out.Received = append(out.Received, giftOf(g))
	}
	return z.value("gifts.json", out)
}

// giftOf is what both sides of a gift see of it; never its claim token.
func giftOf(g store.Gift) exportGift {
	e := exportGift{ID: g.ID, ReleaseID: g.ReleaseID, PurchaseID: g.PurchaseID, Message: g.Message, Refunded: g.Refunded, CreatedAt: g.CreatedAt}
	if !g.ClaimedAt.IsZero() {
		at := g.ClaimedAt
		e.ClaimedAt = &at
	}
	return e
}

func (z *zipExport) codes(id int64) error {
	rows, err := z.st.Redemptions(z.ctx, id)
	if err != nil {
		return err
	}
	out := make([]exportCode, len(rows))
	for i, r := range rows {
		out[i] = exportCode{CodeID: r.CodeID, BatchID: r.BatchID, ReleaseID: r.ReleaseID, Kind: r.Kind, PurchaseID: r.PurchaseID, RedeemedAt: r.RedeemedAt}
	}
	return z.value("codes.json", out)
}

func (z *zipExport) files(id int64) error {
	rows, err := z.st.OwnedBlobs(z.ctx, id)
	if err != nil {
		return err
	}
	out := make([]exportFile, len(rows))
	for i, r := range rows {
		out[i] = exportFile{SHA256: r.SHA256, Size: r.Size, MediaType: r.MediaType, DurationMS: r.DurationMS, OwnedSince: r.OwnedSince}
	}
	return z.value("files.json", out)
}

func (z *zipExport) releases(id int64) error {
	arr, err := z.array("releases.json")
	if err != nil {
		return err
	}
	for before := int64(0); ; {
		page, err := z.st.Releases(z.ctx, store.ReleaseQuery{ArtistID: id, Before: before, Limit: exportPage})
		if err != nil {
			return err
		}
		for _, r := range page {
			arr.add(r) // a listing's releases come with their tracks
			before = r.ID
		}
		if len(page) < exportPage {
			return arr.close()
		}
	}
}

func (z *zipExport) earnings(id int64) error {
	o, err := z.st.Obligations(z.ctx, id)
	if err != nil {
		return err
	}
	ids, err := z.st.PayoutIDs(z.ctx, id)
	if err != nil {
		return err
	}
	out := exportEarnings{Balances: o.Balances, Payouts: []api.Payout{}}
	for _, pid := range ids {
		p, err := z.st.Payout(z.ctx, id, pid)
		if err != nil {
			return err
		}
		out.Payouts = append(out.Payouts, *p)
	}
	return z.value("earnings.json", out)
}

func (z *zipExport) announcements(id int64) error {
	arr, err := z.array("announcements.json")
	if err != nil {
		return err
	}
	for before := int64(0); ; {
		page, err := z.st.Announcements(z.ctx, store.AnnouncementQuery{ArtistID: id, Before: before, Limit: exportPage})
		if err != nil {
			return err
		}
		for _, a := range page {
			arr.add(a)
			before = a.ID
		}
		if len(page) < exportPage {
			return arr.close()
		}
	}
}
