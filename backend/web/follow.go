package web

import (
	"context"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

// follows lets a signed-in fan follow an artist, and says whether they do.
type follows interface {
	Follow(ctx context.Context, artistID int64) error
	Unfollow(ctx context.Context, artistID int64) error
	Following(ctx context.Context, artistID int64) (bool, error)
}

// followBox is the artist page's follow button for the visitor: a link
// to sign in, or a form that follows or stops following.
type followBox struct {
	SignIn    string // not signed in: the sign-in address that comes back here
	Action    string
	CSRF      string
	Following bool
	// Mail offers the artist's email and sharing the address, both off
	// until the fan ticks them; Email and ShareEmail are their choices.
	Mail              bool
	Email, ShareEmail bool
}

// followBox works out the follow button; nil on the artist's own page.
func (h *Handler) followBox(r *http.Request, v *visit, artistID int64, canon string) (*followBox, error) {
	if v.caller == nil {
		return &followBox{SignIn: "/signin?next=" + urlQueryEscape(canon)}, nil
	}
	if v.caller.Account.ID == artistID {
		return nil, nil
	}
	box := &followBox{Action: canon, CSRF: sessionCSRF(v.token), Mail: h.news != nil}
	if h.news == nil {
		yes, err := h.follows.Following(v.ctx(r), artistID)
		box.Following = yes
		return box, err
	}
	st, err := h.news.FollowState(v.ctx(r), artistID)
	if err != nil {
		return nil, err
	}
	box.Following, box.Email, box.ShareEmail = st.Following, st.Email, st.ShareEmail
	return box, nil
}

// follow takes the artist page's follow form (POST to the page's address,
// which no release can have) and goes back to the page.
func (h *Handler) follow(w http.ResponseWriter, r *http.Request, v *visit) error {
	handle, ok := handleOf(r.PathValue("who"))
	if !ok {
		return api.Errorf(api.ENOTFOUND, "no such page")
	}
	a, err := h.profiles.ArtistByHandle(r.Context(), handle)
	if err != nil {
		return err
	}
	canon := "/@" + pathEscape(a.Profile.Handle)
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(canon), http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	switch r.PostForm.Get("follow") {
	case "1":
		err = h.followWith(v.ctx(r), a.ID, r)
	case "0":
		err = h.follows.Unfollow(v.ctx(r), a.ID)
	default:
		err = api.FieldErrorf("follow", "must be 1 or 0")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, canon, http.StatusSeeOther)
	return nil
}

// followWith follows an artist with the form's choices about email: a
// box left unticked is a no.
func (h *Handler) followWith(ctx context.Context, artistID int64, r *http.Request) error {
	if h.news == nil {
		return h.follows.Follow(ctx, artistID)
	}
	_, err := h.news.SetFollow(ctx, artistID, api.MailPrefs{Email: r.PostForm.Get("email") == "1",
		ShareEmail: r.PostForm.Get("share_email") == "1"})
	return err
}
