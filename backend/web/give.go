package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
)

// Giving a release: the gift form on a release page starts the same
// hosted checkout as the buy form, with the recipient's address, and the
// payment page comes back to /gifts, which says how the gift went.

// giveForm is the gift form, with what was typed and each refusal beside
// its field.
type giveForm struct {
	CSRF       string
	Key        string // the idempotency key: the same form sent twice is one checkout
	Release    int64
	Email      string
	Message    string
	Amount     string
	Currency   string
	MaxMessage int
	Open       bool // shown open: it was sent and refused
	EmailErr   string
	MessageErr string
	AmountErr  string
	Error      string
}

// giveInput is a gift form as posted, shown again after a refusal.
type giveInput struct {
	email, message, amount string
	cents                  int64 // -1 when the amount could not be read
	err                    error
}

// giftable says whether a release can be given: a gift is a paid sale,
// so a release that is only ever free cannot.
func giftable(rel api.Release) bool {
	return rel.PayWhatYouWant || rel.PriceCents > 0
}

// newGiveForm makes the gift form, fresh or as posted with its refusal.
func newGiveForm(v *visit, rel api.Release, in *giveInput) (*giveForm, error) {
	key, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	f := &giveForm{CSRF: sessionCSRF(v.token), Key: key, Release: rel.ID, Currency: rel.Currency, MaxMessage: api.MaxGiftMessage}
	if c := suggested(rel); c > 0 {
		f.Amount = typedAmount(v.lang, c)
	}
	if in == nil {
		return f, nil
	}
	f.Open, f.Email, f.Message, f.Amount = true, in.email, in.message, in.amount
	switch errField(in.err) {
	case "gift.email":
		f.EmailErr = giveErrText(v.lang, in.err)
	case "gift.message":
		f.MessageErr = giveErrText(v.lang, in.err)
	case "amount_cents", "amount":
		f.AmountErr = amountErrText(v.lang, rel, in.cents, in.err)
	default:
		f.Error = giveErrText(v.lang, in.err)
	}
	return f, nil
}

// giveErrText says why a gift was refused, in the page's language.
func giveErrText(lang string, err error) string {
	code, f := api.ErrorCode(err), errField(err)
	switch {
	case code == api.EINVALID && f == "gift.email":
		return translate(lang, "give.bad_email")
	case code == api.EINVALID && f == "gift.message":
		return translate(lang, "give.bad_message", api.MaxGiftMessage)
	case code == api.ECONFLICT && f == "release_id":
		return translate(lang, "give.own")
	case code == api.EIDEMPOTENCY:
		return translate(lang, "form.resent")
	}
	return errText(lang, err)
}

// amountErrText says why an amount was refused, from the release's
// price: the platform's rule (api.Release.CheckPayment) said no, and the
// page says which limit in the visitor's language and money format.
func amountErrText(lang string, rel api.Release, cents int64, err error) string {
	switch {
	case cents < 0:
		return translate(lang, "amount.bad")
	case cents == 0 && !giftable(rel):
		return translate(lang, "give.free")
	case cents > api.MaxPriceCents:
		return translate(lang, "amount.max", money(lang, api.MaxPriceCents, rel.Currency))
	case rel.PayWhatYouWant && cents < rel.MinCents:
		return translate(lang, "amount.min", money(lang, rel.MinCents, rel.Currency))
	case !rel.PayWhatYouWant && cents < rel.PriceCents:
		return translate(lang, "amount.price", money(lang, rel.PriceCents, rel.Currency))
	case cents == 0:
		return translate(lang, "give.zero")
	}
	return errText(lang, err)
}

// give takes the gift form (POST /gifts) and sends the giver to the
// payment page, which comes back to /gifts.
func (h *Handler) give(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/gifts", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	f := r.PostForm
	id, err := strconv.ParseInt(f.Get("release"), 10, 64)
	if err != nil || id <= 0 {
		return api.FieldErrorf("release", "no release named")
	}
	pr, err := h.publicRelease(r, id)
	if err != nil {
		return err
	}
	canon := releasePath(pr.Artist.Handle, pr.Release.Slug)
	in := &giveInput{email: strings.TrimSpace(f.Get("gift_email")), message: f.Get("gift_message"), amount: strings.TrimSpace(f.Get("gift_amount"))}
	co, err := h.startGift(r, v, pr, f.Get("key"), in)
	if code := api.ErrorCode(err); code == api.EINTERNAL {
		return err
	} else if err != nil {
		in.err = err
		w.Header().Set("Cache-Control", "no-store")
		return h.releasePage(w, r, v, pr, canon, formStatus(err), nil, in)
	}
	to := co.URL
	if strings.HasPrefix(to, "/") {
		to = v.origin + to
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// startGift opens the gift's checkout.
func (h *Handler) startGift(r *http.Request, v *visit, pr *api.PublicRelease, key string, in *giveInput) (*api.Checkout, error) {
	cents, err := parseAmount(in.amount)
	if err != nil {
		in.cents = -1
		return nil, err
	}
	in.cents = cents
	if err := api.CheckIdempotencyKey(key); err != nil {
		return nil, err
	}
	return h.purchases.CreateCheckout(v.ctx(r), key, api.CheckoutCreate{ReleaseID: pr.Release.ID, AmountCents: cents,
		Currency: pr.Release.Currency, ReturnURL: v.origin + "/gifts",
		Gift: &api.GiftCreate{Email: in.email, Message: in.message, Lang: v.lang}})
}
