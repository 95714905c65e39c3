package web

import (
	"net/http"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// collectionBody is a fan's public collection page.
type collectionBody struct {
	Profile api.Profile
	Handle  string
	Picture string
	Cards   []card
	Own     bool // the visitor is its owner: offer the settings
}

// collection shows what an account owns, if its owner chose to show it.
func (h *Handler) collection(w http.ResponseWriter, r *http.Request, v *visit, handle string) error {
	c, err := h.profiles.CollectionByHandle(r.Context(), handle)
	if err != nil {
		return err
	}
	canon := "/@" + pathEscape(c.Profile.Handle) + "/collection"
	if r.URL.Path != canon {
		redirect(w, r, canon)
		return nil
	}
	cards, err := h.cards(r.Context(), v, c.Releases, nil)
	if err != nil {
		return err
	}
	b := collectionBody{Profile: c.Profile, Handle: c.Profile.Handle, Cards: cards,
		Own: v.caller != nil && v.caller.Account.ID == c.ID}
	p := h.base(r, v, translate(v.lang, "collection.title", c.Profile.DisplayName), canon)
	p.OGType = "profile"
	p.Description = translate(v.lang, "collection.description", c.Profile.DisplayName, len(c.Releases))
	if c.Profile.PictureSHA256 != "" {
		b.Picture = picturePath(c.Profile)
		p.Image = v.origin + b.Picture
	}
	p.JSONLD = collectionLD(v, c, p.Canonical, cards)
	p.Body = b
	h.render(w, v, http.StatusOK, "collection", p)
	return nil
}

// settingsBody is the form where a signed-in account sets its public face.
type settingsBody struct {
	CSRF    string
	Profile api.Profile
	Links   string // one per line
	Saved   bool
	Error   string            // about the form as a whole
	Errors  map[string]string // by field
	URL     string            // the collection's address, once it has one
}

func (h *Handler) settingsForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/settings", http.StatusSeeOther)
		return nil
	}
	p, err := h.profiles.MyProfile(v.ctx(r))
	if err != nil {
		return err
	}
	return h.settingsPage(w, r, v, http.StatusOK, *p, r.URL.Query().Get("saved") == "1", nil)
}

// saveSettings takes the settings form; a refusal shows the form again
// with what was typed and the error beside its field.
func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/settings", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	cur, err := h.profiles.MyProfile(v.ctx(r))
	if err != nil {
		return err
	}
	f := r.PostForm
	want := api.Profile{Handle: f.Get("handle"), DisplayName: f.Get("display_name"), Bio: f.Get("bio"),
		Links: lines(f.Get("links")), PictureSHA256: cur.PictureSHA256, PublicCollection: f.Get("public_collection") == "1"}
	if _, err := h.profiles.UpdateProfile(v.ctx(r), want); err != nil {
		if api.ErrorCode(err) != api.EINVALID && api.ErrorCode(err) != api.ECONFLICT {
			return err
		}
		return h.settingsPage(w, r, v, http.StatusUnprocessableEntity, want, false, err)
	}
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
	return nil
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request, v *visit, status int, p api.Profile, saved bool, err error) error {
	b := &settingsBody{CSRF: sessionCSRF(v.token), Profile: p, Links: strings.Join(p.Links, "\n"), Saved: saved, Errors: map[string]string{}}
	if p.PublicCollection && p.Handle != "" && err == nil {
		b.URL = "/@" + pathEscape(p.Handle) + "/collection"
	}
	if err != nil {
		field := errField(err)
		if strings.HasPrefix(field, "links[") {
			field = "links"
		}
		switch field {
		case "handle", "display_name", "bio", "links":
			b.Errors[field] = settingsError(v.lang, field, err)
		default:
			b.Error = errText(v.lang, err)
		}
	}
	pg := h.base(r, v, translate(v.lang, "settings.title"), "/settings")
	pg.Body = b
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, v, status, "settings", pg)
	return nil
}

// settingsError says a refused field in the page's language.
func settingsError(lang, field string, err error) string {
	switch {
	case api.ErrorCode(err) == api.ECONFLICT && field == "handle":
		return translate(lang, "settings.handle_taken")
	case field == "handle":
		return translate(lang, "settings.handle_bad")
	case field == "bio":
		return translate(lang, "settings.bio_bad", api.MaxBioLen)
	case field == "links":
		return translate(lang, "settings.links_bad", api.MaxLinks)
	}
	return errText(lang, err)
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
