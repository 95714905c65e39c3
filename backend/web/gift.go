package web

import (
	"context"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

// gifts lists a giver's gifts, makes their links, and shows and claims
// releases given by email.
type gifts interface {
	Gifts(ctx context.Context) ([]api.Gift, error)
	GiftLink(ctx context.Context, id int64, origin string) (*api.Gift, error)
	GiftOffer(ctx context.Context, token string) (*api.GiftOffer, error)
	ClaimGift(ctx context.Context, token string) (*api.Purchase, error)
}

// giftBody is a gift's claim page.
type giftBody struct {
	Offer          *api.GiftOffer
	Action         string // the page's own address, where the claim posts
	CSRF           string // signed in: the claim form's token
	SignIn, SignUp string // signed out: ways in that come back here
	Error          string
}

// giftPage shows what a claim link gives and who gave it.
func (h *Handler) giftPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	return h.showGift(w, r, v, http.StatusOK, "")
}

// claimGift takes the claim form: the release joins the fan's library.
func (h *Handler) claimGift(w http.ResponseWriter, r *http.Request, v *visit) error {
	here := "/gift/" + r.PathValue("token")
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(here), http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	_, err := h.gifts.ClaimGift(v.ctx(r), r.PathValue("token"))
	if code := api.ErrorCode(err); code == api.ENOTFOUND {
		return h.giftGone(w, r, v)
	} else if code == api.EINTERNAL {
		return err
	} else if err != nil {
		return h.showGift(w, r, v, formStatus(err), claimErrText(v.lang, err))
	}
	http.Redirect(w, r, "/library", http.StatusSeeOther)
	return nil
}

func (h *Handler) showGift(w http.ResponseWriter, r *http.Request, v *visit, status int, why string) error {
	token := r.PathValue("token")
	offer, err := h.gifts.GiftOffer(r.Context(), token)
	if api.ErrorCode(err) == api.ENOTFOUND {
		return h.giftGone(w, r, v)
	} else if err != nil {
		return err
	}
	b := &giftBody{Offer: offer, Action: "/gift/" + token, Error: why}
	if v.caller == nil {
		b.SignIn, b.SignUp = "/signin?next="+urlQueryEscape(b.Action), "/signup?next="+urlQueryEscape(b.Action)
	} else {
		b.CSRF = sessionCSRF(v.token)
	}
	// The token is the gift: the page is never cached nor sent on.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := h.base(r, v, translate(v.lang, "gift.title", offer.GiverName), b.Action)
	p.Body = b
	h.render(w, v, status, "gift", p)
	return nil
}

// claimErrText says why a claim was refused, in the page's language. A
// used-up link ("token": claimed or refunded) needs no words of its own:
// the page states the gift's state.
func claimErrText(lang string, err error) string {
	code, f := api.ErrorCode(err), errField(err)
	switch {
	case code == api.ECONFLICT && f == "token":
		return ""
	case code == api.ECONFLICT && f == "giver":
		return translate(lang, "gift.from_you")
	case code == api.ECONFLICT && f == "release_id":
		return translate(lang, "gift.owned")
	}
	return errText(lang, err)
}

// giftGone answers a claim link that opens no gift (mistyped, or replaced
// by a newer one) with what to do about it.
func (h *Handler) giftGone(w http.ResponseWriter, r *http.Request, v *visit) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := h.base(r, v, translate(v.lang, "giftlink.title"), "/")
	p.Canonical = ""
	p.Body = "giftlink"
	h.render(w, v, http.StatusNotFound, "error", p)
	return nil
}
