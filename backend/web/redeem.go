package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// codes redeems download and discount codes for a signed-in fan.
type codes interface {
	RedeemCode(ctx context.Context, in api.CodeRedeem) (*api.Redemption, error)
}

// redeemBody is the code page: the code form, or once a discount code is
// accepted, the form that pays the lower price.
type redeemBody struct {
	CSRF    string
	Code    string
	Release string // the release the fan came from, if any
	Error   string
	Pay     *payStep
}

// payStep pays for a release at a discount code's price.
type payStep struct {
	Offer     string // "With your code, Tides by Nova costs 6.69 EUR instead of 9.99 EUR."
	Key       string
	Amount    string
	Currency  string
	PWYW      bool
	Share     bool
	AmountErr string
}

// redeemForm shows the code form; signed-out visitors sign in first and
// come back.
func (h *Handler) redeemForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
		return nil
	}
	b := &redeemBody{CSRF: sessionCSRF(v.token)}
	if id, err := strconv.ParseInt(r.URL.Query().Get("release"), 10, 64); err == nil && id > 0 {
		b.Release = strconv.FormatInt(id, 10)
	}
	h.renderRedeem(w, r, v, http.StatusOK, b)
	return nil
}

// redeem takes the code form: a free code makes the release the fan's
// and leads to their library; a discount code leads to its payment.
func (h *Handler) redeem(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/redeem", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	b := &redeemBody{CSRF: sessionCSRF(v.token), Code: strings.TrimSpace(r.PostForm.Get("code")), Release: r.PostForm.Get("release")}
	in := api.CodeRedeem{Code: b.Code}
	in.ReleaseID, _ = strconv.ParseInt(b.Release, 10, 64)
	red, err := h.codes.RedeemCode(v.ctx(r), in)
	if api.ErrorCode(err) == api.EINTERNAL {
		return err
	} else if err != nil {
		b.Error = codeErrText(v.lang, err)
		h.renderRedeem(w, r, v, codeStatus(err), b)
		return nil
	}
	if red.Purchase != nil {
		http.Redirect(w, r, "/library", http.StatusSeeOther)
		return nil
	}
	key, err := auth.NewToken()
	if err != nil {
		return err
	}
	b.Release = strconv.FormatInt(red.ReleaseID, 10)
	b.Pay = &payStep{Key: key, Amount: typedAmount(v.lang, red.PayCents), Currency: red.Currency, PWYW: red.PayWhatYouWant,
		Offer: translate(v.lang, "redeem.offer", red.Title, red.ArtistName, money(v.lang, red.PayCents, red.Currency),
			money(v.lang, red.PriceCents, red.Currency))}
	h.renderRedeem(w, r, v, http.StatusOK, b)
	return nil
}

// redeemCheckout takes the payment step: a checkout at the code's price,
// then the payment page.
func (h *Handler) redeemCheckout(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/redeem", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	f := r.PostForm
	b := &redeemBody{CSRF: sessionCSRF(v.token), Code: strings.TrimSpace(f.Get("code")), Release: f.Get("release")}
	b.Pay = &payStep{Key: f.Get("key"), Amount: strings.TrimSpace(f.Get("amount")), Currency: f.Get("currency"),
		PWYW: f.Get("pwyw") != "", Share: f.Get("share_email") != "", Offer: f.Get("offer")}
	relID, err := strconv.ParseInt(b.Release, 10, 64)
	if err != nil || relID <= 0 {
		return api.FieldErrorf("release", "no release to pay for")
	}
	rel, err := h.releases.FindRelease(r.Context(), relID)
	if err != nil {
		return err
	}
	canon := "/library"
	if p, perr := h.dir.Profile(r.Context(), rel.ArtistID); perr == nil && p.Handle != "" && rel.Slug != "" {
		canon = releasePath(p.Handle, rel.Slug)
	}
	cents, err := parseAmount(b.Pay.Amount)
	if err == nil {
		err = api.CheckIdempotencyKey(b.Pay.Key)
	}
	var co *api.Checkout
	if err == nil {
		co, err = h.purchases.CreateCheckout(v.ctx(r), b.Pay.Key, api.CheckoutCreate{ReleaseID: relID, AmountCents: cents,
			Currency: rel.Currency, ShareEmail: b.Pay.Share, Code: b.Code, ReturnURL: v.origin + canon})
	}
	if api.ErrorCode(err) == api.EINTERNAL {
		return err
	} else if err != nil {
		if f := errField(err); f == "amount_cents" || f == "amount" {
			b.Pay.AmountErr = errText(v.lang, err)
		} else {
			b.Error = codeErrText(v.lang, err)
		}
		h.renderRedeem(w, r, v, codeStatus(err), b)
		return nil
	}
	to := co.URL
	if co.State == api.CheckoutPaid || to == "" { // nothing to pay: sold at once
		to = canon + "?checkout=" + urlQueryEscape(co.ID)
	} else if strings.HasPrefix(to, "/") {
		to = v.origin + to
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (h *Handler) renderRedeem(w http.ResponseWriter, r *http.Request, v *visit, status int, b *redeemBody) {
	w.Header().Set("Cache-Control", "no-store")
	p := h.base(r, v, translate(v.lang, "redeem.title"), "/redeem")
	p.Body = b
	h.render(w, v, status, "redeem", p)
}

// codeErrText says why a code was refused, in the page's language.
func codeErrText(lang string, err error) string {
	key := ""
	switch api.ErrorCode(err) {
	case api.ENOTFOUND:
		if errField(err) == "code" {
			key = "code.unknown"
		}
	case api.EINVALID:
		if errField(err) == "code" {
			key = "code.malformed"
		}
	case api.ECODEUSED:
		key = "code.used"
	case api.ECODEEXPIRED:
		key = "code.expired"
	case api.ECODEREVOKED:
		key = "code.revoked"
	case api.ECODERELEASE:
		key = "code.release"
	case api.ECONFLICT:
		key = "code.owned"
	}
	if key == "" {
		return errText(lang, err)
	}
	return translate(lang, key)
}

// codeStatus is the status of a refused code form.
func codeStatus(err error) int {
	switch api.ErrorCode(err) {
	case api.ENOTFOUND:
		return http.StatusNotFound
	case api.ECODEUSED, api.ECODERELEASE:
		return http.StatusConflict
	case api.ECODEEXPIRED, api.ECODEREVOKED:
		return http.StatusGone
	}
	return formStatus(err)
}
