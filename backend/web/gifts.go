package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// giftsBody is a giver's page: how the gift they just paid for went, and
// every gift they gave.
type giftsBody struct {
	CSRF   string
	Notice string   // the message key about the checkout they came back from
	Fresh  *giftRow // the gift paid for
	// FreshLink is that gift's claim link, when nobody emailed it.
	FreshLink string
	Wait      bool
	Reload    string
	Error     string
	Items     []giftRow
}

// giftRow is one gift as its giver sees it.
type giftRow struct {
	ID       int64
	Title    string
	Artist   string
	URL      string
	Cover    string
	Email    string
	Message  string
	Date     string
	State    string // the message key of its state
	Claimed  string // the date it was claimed
	LinkForm string // where "Make a new link" posts; "" when there is none to make
	Link     string // the claim link made last in this browser, while it works
}

// giftLinkCookie keeps the claim link a giver made last, so that coming
// back to the page (or reloading it) shows that link again rather than
// replacing it: the value is "giftID.token", sent to /gifts pages only.
const giftLinkCookie = "mb_giftlink"

// giftLinkLifetime is how long the browser keeps showing a made link.
const giftLinkLifetime = 24 * time.Hour

// giftAutoLink is how long after paying the page coming back from the
// payment makes the gift's link by itself.
const giftAutoLink = time.Hour

// giftsPage lists the visitor's gifts; back from a gift's payment page
// (?checkout=ID), it says first how that gift went.
func (h *Handler) giftsPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
		return nil
	}
	return h.showGifts(w, r, v, http.StatusOK, "")
}

func (h *Handler) showGifts(w http.ResponseWriter, r *http.Request, v *visit, status int, why string) error {
	ctx := v.ctx(r)
	gifts, err := h.gifts.Gifts(ctx)
	if err != nil {
		return err
	}
	b := &giftsBody{CSRF: sessionCSRF(v.token), Error: why}
	shown := h.shownLink(r, v, gifts)
	var fresh *api.Gift
	var paidAt time.Time
	if id := r.URL.Query().Get("checkout"); id != "" && r.Method == http.MethodGet {
		if fresh, paidAt, err = h.giftCheckoutNotice(ctx, r, b, gifts, id); err != nil {
			return err
		}
	}
	makeLink := fresh != nil && !fresh.Emailed && fresh.State == api.GiftWaiting && shown.id != fresh.ID
	if makeLink && time.Since(paidAt) > giftAutoLink {
		// Long after paying, a link may have been passed on already: a
		// new one is the giver's choice ("Make a new link").
		b.Notice, makeLink = "gifts.paid_make", false
	}
	if makeLink {
		// Just back from paying a gift nobody emailed: its link.
		g, err := h.gifts.GiftLink(ctx, fresh.ID, v.origin)
		if err != nil {
			return err
		}
		shown = madeLink{id: g.ID, url: g.ClaimURL}
		h.keepLink(w, r, g.ID, g.ClaimURL)
	}
	rels := map[int64]*api.Release{}
	handles := map[int64]string{}
	for i := range gifts {
		row := h.giftRow(ctx, v, &gifts[i], rels, handles)
		if row.ID == shown.id && row.LinkForm != "" {
			row.Link = shown.url
		}
		b.Items = append(b.Items, row)
	}
	for i := range b.Items {
		if fresh != nil && b.Items[i].ID == fresh.ID {
			// The notice shows its link; the row need not again.
			b.Fresh = &b.Items[i]
			b.FreshLink, b.Items[i].Link = b.Items[i].Link, ""
		}
	}
	// The page may hold a claim link: never cached, never sent on.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := h.base(r, v, translate(v.lang, "gifts.title"), "/gifts")
	p.Refresh = b.Wait
	p.Body = b
	h.render(w, v, status, "gifts", p)
	return nil
}

// giftCheckoutNotice says how the gift checkout the giver came back from
// stands, and returns its gift once paid, with when it was.
func (h *Handler) giftCheckoutNotice(ctx context.Context, r *http.Request, b *giftsBody, gifts []api.Gift, id string) (*api.Gift, time.Time, error) {
	co, err := h.purchases.Checkout(ctx, id)
	if api.ErrorCode(err) == api.ENOTFOUND {
		return nil, time.Time{}, nil // not theirs, or no such checkout: say nothing
	} else if err != nil {
		return nil, time.Time{}, err
	}
	switch {
	case co.State == api.CheckoutPaid && co.Purchase != nil:
		for i := range gifts {
			if g := &gifts[i]; g.PurchaseID == co.Purchase.ID {
				switch {
				case g.Emailed:
					b.Notice = "gifts.paid_sent"
				case g.State == api.GiftWaiting:
					b.Notice = "gifts.paid_link"
				default: // claimed or refunded since: its row says which
					b.Notice = "gifts.paid"
				}
				return g, co.Purchase.CreatedAt, nil
			}
		}
	case co.State == api.CheckoutOpen && r.URL.Query().Get("cancelled") != "":
		b.Notice = "checkout.cancelled"
	case co.State == api.CheckoutOpen:
		b.Notice, b.Wait, b.Reload = "checkout.open", true, "/gifts?checkout="+urlQueryEscape(id)
	case co.State != api.CheckoutPaid:
		b.Notice = "checkout.failed"
	}
	return nil, time.Time{}, nil
}

// giftRow states one gift for its giver's page.
func (h *Handler) giftRow(ctx context.Context, v *visit, g *api.Gift, rels map[int64]*api.Release, handles map[int64]string) giftRow {
	row := giftRow{ID: g.ID, Email: g.Email, Message: g.Message, Date: longDate(v.lang, g.CreatedAt.UTC().Format(time.DateOnly)),
		Title: translate(v.lang, "gifts.gone")}
	switch {
	case g.State == api.GiftClaimed:
		row.State = "gifts.claimed"
		if g.ClaimedAt != nil {
			row.Claimed = longDate(v.lang, g.ClaimedAt.UTC().Format(time.DateOnly))
		}
	case g.State == api.GiftRefunded:
		row.State = "gifts.refunded"
	case g.Emailed:
		row.State = "gifts.emailed"
	default:
		row.State = "gifts.waiting"
		row.LinkForm = "/gifts/" + strconv.FormatInt(g.ID, 10) + "/link"
	}
	rel, ok := rels[g.ReleaseID]
	if !ok {
		rel, _ = h.releases.FindRelease(ctx, g.ReleaseID) // nil once unpublished: the row says so
		rels[g.ReleaseID] = rel
	}
	if rel == nil {
		return row
	}
	row.Title, row.Artist = rel.Title, rel.ArtistName
	if rel.CoverSHA256 != "" {
		row.Cover = coverPath(rel.ID)
	}
	handle, ok := handles[rel.ArtistID]
	if !ok {
		if p, err := h.dir.Profile(ctx, rel.ArtistID); err == nil {
			handle = p.Handle
		}
		handles[rel.ArtistID] = handle
	}
	if handle != "" && rel.Slug != "" && rel.State == api.StatePublished {
		row.URL = releasePath(handle, rel.Slug)
	}
	return row
}

// giftLink takes "Make a new link": a fresh claim link replaces the
// gift's earlier one, and the page shows it.
func (h *Handler) giftLink(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/gifts", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return api.Errorf(api.ENOTFOUND, "no such gift")
	}
	g, err := h.gifts.GiftLink(v.ctx(r), id, v.origin)
	if code := api.ErrorCode(err); code == api.ECONFLICT {
		return h.showGifts(w, r, v, http.StatusConflict, translate(v.lang, "gifts.no_link"))
	} else if err != nil {
		return err
	}
	h.keepLink(w, r, g.ID, g.ClaimURL)
	http.Redirect(w, r, "/gifts#gift-"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
	return nil
}

// madeLink is the claim link this browser made last.
type madeLink struct {
	id  int64
	url string
}

// keepLink remembers the claim link a giver was just shown.
func (h *Handler) keepLink(w http.ResponseWriter, r *http.Request, id int64, claimURL string) {
	token := claimURL[strings.LastIndex(claimURL, "/")+1:]
	http.SetCookie(w, &http.Cookie{Name: giftLinkCookie, Value: strconv.FormatInt(id, 10) + "." + token, Path: "/gifts",
		MaxAge: int(giftLinkLifetime / time.Second), HttpOnly: true, Secure: h.scheme(r) == "https", SameSite: http.SameSiteLaxMode})
}

// shownLink is the link the browser keeps, if it still opens one of the
// visitor's waiting gifts.
func (h *Handler) shownLink(r *http.Request, v *visit, gifts []api.Gift) madeLink {
	ck, err := r.Cookie(giftLinkCookie)
	if err != nil || len(ck.Value) > 100 {
		return madeLink{}
	}
	num, token, _ := strings.Cut(ck.Value, ".")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || token == "" {
		return madeLink{}
	}
	for _, g := range gifts {
		if g.ID != id || g.State != api.GiftWaiting {
			continue
		}
		offer, err := h.gifts.GiftOffer(r.Context(), token)
		if err != nil || offer.Release.ID != g.ReleaseID || offer.State != api.GiftWaiting {
			return madeLink{} // replaced since, or not this gift's
		}
		return madeLink{id: id, url: v.origin + "/gift/" + token}
	}
	return madeLink{}
}
