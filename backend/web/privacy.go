package web

import (
	"fmt"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

// privacyBody is the page where a signed-in account downloads its data or
// deletes itself.
type privacyBody struct {
	CSRF    string
	Deleted bool              // the account is gone: say so, offer nothing
	Error   string            // about the page as a whole
	Errors  map[string]string // by field of the deletion form
}

func (h *Handler) privacyRoutes() {
	h.mux.HandleFunc("GET /settings/privacy", h.page(h.withPrivacy(h.privacyPage)))
	h.mux.HandleFunc("POST /settings/privacy/export", h.page(h.withPrivacy(h.privacyExport)))
	h.mux.HandleFunc("POST /settings/privacy/delete", h.page(h.withPrivacy(h.privacyDelete)))
}

// withPrivacy answers 404 on pages built without the privacy service.
func (h *Handler) withPrivacy(fn func(http.ResponseWriter, *http.Request, *visit) error) func(http.ResponseWriter, *http.Request, *visit) error {
	return func(w http.ResponseWriter, r *http.Request, v *visit) error {
		if h.privacy == nil {
			return api.Errorf(api.ENOTFOUND, "no such page")
		}
		return fn(w, r, v)
	}
}

func (h *Handler) privacyPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/settings/privacy", http.StatusSeeOther)
		return nil
	}
	return h.showPrivacy(w, r, v, http.StatusOK, &privacyBody{})
}

// privacyExport answers the form with the zip itself: a form, not a
// link, so another site cannot spend the account's export.
func (h *Handler) privacyExport(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/settings/privacy", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	lw := &firstWrite{w: w, head: func(hd http.Header) {
		hd.Set("Content-Type", "application/zip")
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, api.ExportFilename(v.caller.Account.ID)))
		hd.Set("Cache-Control", "no-store")
	}}
	err := h.privacy.ExportData(v.ctx(r), lw)
	if err != nil && lw.wrote {
		h.log.ErrorContext(r.Context(), "export cut short", "account", v.caller.Account.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
	if api.ErrorCode(err) == api.ERATELIMIT {
		return h.showPrivacy(w, r, v, http.StatusTooManyRequests, &privacyBody{Error: translate(v.lang, "privacy.export_wait")})
	}
	return err
}

// privacyDelete deletes the account and ends the browser's session; a
// refusal shows the page again with why.
func (h *Handler) privacyDelete(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next=/settings/privacy", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	in := api.AccountDeletion{Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm")}
	err := h.privacy.DeleteAccount(v.ctx(r), in)
	switch code := api.ErrorCode(err); {
	case err == nil:
		h.clearSession(w, r)
		v.caller = nil
		return h.showPrivacy(w, r, v, http.StatusOK, &privacyBody{Deleted: true})
	case code == api.EINVALID && errField(err) == "password":
		// 401: a wrong password, which the server counts with sign-ins.
		b := &privacyBody{Errors: map[string]string{"password": translate(v.lang, "privacy.bad_password")}}
		return h.showPrivacy(w, r, v, http.StatusUnauthorized, b)
	case code == api.EINVALID && errField(err) == "confirm":
		b := &privacyBody{Errors: map[string]string{"confirm": translate(v.lang, "privacy.bad_confirm", api.DeleteWord)}}
		return h.showPrivacy(w, r, v, http.StatusBadRequest, b)
	case code == api.ECONFLICT:
		return h.showPrivacy(w, r, v, http.StatusConflict, &privacyBody{Error: translate(v.lang, "privacy.blocked")})
	case code == api.EBUSY:
		return h.showPrivacy(w, r, v, http.StatusServiceUnavailable, &privacyBody{Error: errText(v.lang, err)})
	}
	return err
}

func (h *Handler) showPrivacy(w http.ResponseWriter, r *http.Request, v *visit, status int, b *privacyBody) error {
	if v.caller != nil {
		b.CSRF = sessionCSRF(v.token)
	}
	pg := h.base(r, v, translate(v.lang, "privacy.title"), "/settings/privacy")
	pg.Body = b
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, v, status, "privacy", pg)
	return nil
}

// firstWrite sets a response's headers just before its first byte, so
// an error found before it is still an ordinary page.
type firstWrite struct {
	w     http.ResponseWriter
	head  func(http.Header)
	wrote bool
}

func (f *firstWrite) Write(p []byte) (int, error) {
	if !f.wrote {
		f.wrote = true
		f.head(f.w.Header())
		f.w.WriteHeader(http.StatusOK)
	}
	return f.w.Write(p)
}
