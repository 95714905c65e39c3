package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// purchases sells releases through the provider's hosted page and lists
// what a fan owns.
type purchases interface {
	CreateCheckout(ctx context.Context, key string, in api.CheckoutCreate) (*api.Checkout, error)
	Checkout(ctx context.Context, id string) (*api.Checkout, error)
	Library(ctx context.Context) (*api.Library, error)
}

// sale is how the visitor can own a release: sign in, buy, or it is
// theirs already.
type sale struct {
	SignIn string       // not signed in: the sign-in address that comes back here
	Mine   bool         // the visitor made it
	Owned  *owned       // the visitor owns it
	Form   *buyForm     // the visitor may buy it
	Notice string       // the message key about a checkout the visitor came back from
	Wait   bool         // that checkout is still being confirmed
	Reload string       // the page's address, to check again
	App    template.URL // megabox://release/ID
	Redeem string       // the code page for this release, while it is not the visitor's
	Give   *giveForm    // the visitor may give it as a gift
	// GiveSignIn is the sign-in address that comes back to the gift form,
	// for a visitor who is not signed in.
	GiveSignIn string
}

// owned is a release the visitor bought.
type owned struct {
	Zip    string
	Choice *downloadChoice // the formats to download in; nil for none
}

// buyForm is the buy form, with what was typed and the refusal.
type buyForm struct {
	Action    string
	CSRF      string
	Key       string // the idempotency key: the same form sent twice is one checkout
	Amount    string
	Min       string
	Currency  string
	Share     bool
	AmountErr string
	Error     string
}

// buyInput is a buy form as posted, shown again after a refusal.
type buyInput struct {
	amount string
	share  bool
	err    error
}

// sale works out the release page's buy box for the visitor; in is the
// buy form posted, if any, give the gift form, and the query's checkout
// the checkout they came back from.
func (h *Handler) sale(r *http.Request, v *visit, pr *api.PublicRelease, canon string, in *buyInput, give *giveInput) (*sale, error) {
	rel := pr.Release
	s := &sale{App: template.URL("megabox://release/" + strconv.FormatInt(rel.ID, 10)),
		Redeem: "/redeem?release=" + strconv.FormatInt(rel.ID, 10)}
	if v.caller == nil {
		s.SignIn = "/signin?next=" + urlQueryEscape(canon)
		if giftable(rel) {
			s.GiveSignIn = "/signin?next=" + urlQueryEscape(canon+"#give")
		}
		return s, nil
	}
	// A fan may give a release they own too. A gift form that could not
	// have been offered (a free release, the visitor's own) is shown only
	// to say why it was refused.
	if give != nil || (giftable(rel) && rel.ArtistID != v.caller.Account.ID) {
		f, err := newGiveForm(v, rel, give)
		if err != nil {
			return nil, err
		}
		s.Give = f
	}
	if rel.ArtistID == v.caller.Account.ID {
		s.Mine, s.Redeem = true, ""
		return s, nil
	}
	ctx := v.ctx(r)
	if id := r.URL.Query().Get("checkout"); id != "" && in == nil {
		if err := h.checkoutNotice(ctx, r, s, id, canon); err != nil {
			return nil, err
		}
	}
	lib, err := h.purchases.Library(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range lib.Items {
		if it.Release.ID == rel.ID {
			s.Redeem = ""
			s.Owned = &owned{Zip: "/api/v1/purchases/" + strconv.FormatInt(it.PurchaseID, 10) + "/archive.zip",
				Choice: h.newDownloadChoice(it.PurchaseID, rel.Formats)}
			s.Wait = false
			return s, nil
		}
	}
	key, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	f := &buyForm{Action: canon, CSRF: sessionCSRF(v.token), Key: key, Currency: rel.Currency,
		Amount: typedAmount(v.lang, suggested(rel)), Min: typedAmount(v.lang, minimum(rel))}
	if in != nil {
		f.Amount, f.Share = in.amount, in.share
		if errField(in.err) == "amount_cents" || errField(in.err) == "amount" {
			f.AmountErr = errText(v.lang, in.err)
		} else {
			f.Error = errText(v.lang, in.err)
		}
	}
	s.Form = f
	return s, nil
}

// checkoutNotice says how the checkout the visitor came back from stands.
func (h *Handler) checkoutNotice(ctx context.Context, r *http.Request, s *sale, id, canon string) error {
	co, err := h.purchases.Checkout(ctx, id)
	if api.ErrorCode(err) == api.ENOTFOUND {
		return nil // not theirs, or no such checkout: say nothing
	} else if err != nil {
		return err
	}
	switch {
	case co.State == api.CheckoutPaid:
		s.Notice = "checkout.paid"
	case co.State == api.CheckoutOpen && r.URL.Query().Get("cancelled") != "":
		s.Notice = "checkout.cancelled"
	case co.State == api.CheckoutOpen:
		s.Notice, s.Wait, s.Reload = "checkout.open", true, canon+"?checkout="+urlQueryEscape(id)
	default:
		s.Notice = "checkout.failed"
	}
	return nil
}

// suggested is the amount a buy form starts with: the price, and never
// under the minimum.
func suggested(rel api.Release) int64 {
	if rel.PayWhatYouWant && rel.PriceCents < rel.MinCents {
		return rel.MinCents
	}
	return rel.PriceCents
}

func minimum(rel api.Release) int64 {
	if rel.PayWhatYouWant {
		return rel.MinCents
	}
	return rel.PriceCents
}

// typedAmount writes cents as a number to type: "6.00", "6,00" in French.
func typedAmount(lang string, cents int64) string {
	s := decimal(cents)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// parseAmount reads an amount as people type it: "6", "6.5", "6,50".
func parseAmount(s string) (int64, error) {
	bad := api.FieldErrorf("amount_cents", "enter an amount such as 6.00")
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 7 || len(frac) > 2 || !digits(whole) || !digits(frac) {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// buy takes the buy form of a release page (POST to the page's address)
// and sends the fan to the payment page.
func (h *Handler) buy(w http.ResponseWriter, r *http.Request, v *visit) error {
	handle, ok := handleOf(r.PathValue("who"))
	rest := r.PathValue("rest")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	pr, err := h.profiles.ReleaseByPath(r.Context(), handle, strings.ToLower(rest))
	if err != nil {
		return err
	}
	canon := releasePath(pr.Artist.Handle, pr.Release.Slug)
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(canon), http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	f := r.PostForm
	in := &buyInput{amount: strings.TrimSpace(f.Get("amount")), share: f.Get("share_email") != ""}
	cents, err := parseAmount(in.amount)
	if err == nil {
		err = api.CheckIdempotencyKey(f.Get("key"))
	}
	var co *api.Checkout
	if err == nil {
		co, err = h.purchases.CreateCheckout(v.ctx(r), f.Get("key"), api.CheckoutCreate{ReleaseID: pr.Release.ID, AmountCents: cents,
			Currency: pr.Release.Currency, ShareEmail: in.share, ReturnURL: v.origin + canon})
	}
	if code := api.ErrorCode(err); code == api.EINTERNAL {
		return err
	} else if err != nil {
		in.err = err
		return h.releasePage(w, r, v, pr, canon, formStatus(err), in, nil)
	}
	to := co.URL
	if co.State == api.CheckoutPaid || to == "" { // free: sold at once
		to = canon + "?checkout=" + urlQueryEscape(co.ID)
	} else if strings.HasPrefix(to, "/") {
		to = v.origin + to
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// libraryBody is a fan's library page.
type libraryBody struct {
	Items []libraryRow
}

type libraryRow struct {
	Title, Artist, URL, Cover, Zip, Date string
	App                                  template.URL
	Choice                               *downloadChoice
}

func (h *Handler) library(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/library", http.StatusSeeOther)
		return nil
	}
	lib, err := h.purchases.Library(v.ctx(r))
	if err != nil {
		return err
	}
	b := &libraryBody{}
	handles := map[int64]string{}
	for _, it := range lib.Items {
		rel := it.Release
		row := libraryRow{Title: rel.Title, Artist: rel.ArtistName, Date: longDate(v.lang, it.PurchasedAt.Format("2006-01-02")),
			Zip:    "/api/v1/purchases/" + strconv.FormatInt(it.PurchaseID, 10) + "/archive.zip",
			App:    template.URL("megabox://release/" + strconv.FormatInt(rel.ID, 10)),
			Choice: h.newDownloadChoice(it.PurchaseID, rel.Formats)}
		if rel.CoverSHA256 != "" {
			row.Cover = coverPath(rel.ID)
		}
		handle, ok := handles[rel.ArtistID]
		if !ok {
			if p, err := h.dir.Profile(r.Context(), rel.ArtistID); err == nil {
				handle = p.Handle
			}
			handles[rel.ArtistID] = handle
		}
		if handle != "" && rel.Slug != "" && rel.State == api.StatePublished {
			row.URL = releasePath(handle, rel.Slug)
		}
		b.Items = append(b.Items, row)
	}
	p := h.base(r, v, translate(v.lang, "library.title"), "/library")
	p.Body = b
	h.render(w, v, http.StatusOK, "library", p)
	return nil
}
