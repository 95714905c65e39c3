package web

import (
	"net/http"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/service"
)

// authBody is the sign-in or sign-up form: what was typed (never the
// password) and each refusal by the field it is about ("" for the form).
type authBody struct {
	Action string
	Submit string // the button's message key
	Next   string
	CSRF   string
	Other  string // the other form's address, keeping next
	Fields []field
	Error  string
}

// field is one input of a form.
type field struct {
	Name, Label, Type, Value, Autocomplete, Error string
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	return h.authPage(w, r, v, "signin", http.StatusOK, localPath(r.URL.Query().Get("next")), nil, nil)
}

func (h *Handler) signupForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	return h.authPage(w, r, v, "signup", http.StatusOK, localPath(r.URL.Query().Get("next")), nil, nil)
}

// authPage renders the sign-in or sign-up form with what was typed and
// the error, if any, beside its field.
func (h *Handler) authPage(w http.ResponseWriter, r *http.Request, v *visit, name string, status int, next string, typed map[string]string, err error) error {
	csrf, cerr := h.anonCSRF(w, r)
	if cerr != nil {
		return cerr
	}
	b := &authBody{Action: "/" + name, Submit: name + ".submit", Next: next, CSRF: csrf}
	other := "signup"
	if name == "signin" {
		b.Fields = []field{
			{Name: "email", Label: "auth.email", Type: "email", Autocomplete: "username"},
			{Name: "password", Label: "auth.password", Type: "password", Autocomplete: "current-password"},
		}
	} else {
		other = "signin"
		b.Fields = []field{
			{Name: "display_name", Label: "auth.name", Type: "text", Autocomplete: "name"},
			{Name: "email", Label: "auth.email", Type: "email", Autocomplete: "email"},
			{Name: "password", Label: "auth.new_password", Type: "password", Autocomplete: "new-password"},
		}
	}
	b.Other = "/" + other + "?next=" + urlQueryEscape(next)
	placed := false
	for i := range b.Fields {
		f := &b.Fields[i]
		if f.Type != "password" {
			f.Value = typed[f.Name]
		}
		if err != nil && errField(err) == f.Name {
			f.Error, placed = errText(v.lang, err), true
		}
	}
	if err != nil && !placed {
		b.Error = errText(v.lang, err)
	}
	p := h.base(r, v, translate(v.lang, name+".title"), "/"+name)
	p.Here = next
	p.Body = b
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, v, status, name, p)
	return nil
}

func (h *Handler) signin(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := h.readForm(w, r, ""); err != nil {
		return err
	}
	f := r.PostForm
	next := localPath(f.Get("next"))
	typed := map[string]string{"email": strings.TrimSpace(f.Get("email"))}
	sess, err := h.accounts.CreateSession(r.Context(), api.Credentials{Email: typed["email"], Password: f.Get("password")})
	if err != nil {
		return h.formError(w, r, v, "signin", next, typed, err)
	}
	h.setSession(w, r, sess.Token, service.SessionLifetime)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := h.readForm(w, r, ""); err != nil {
		return err
	}
	f := r.PostForm
	next := localPath(f.Get("next"))
	in := api.AccountCreate{Email: f.Get("email"), DisplayName: f.Get("display_name"), Password: f.Get("password")}
	in.Normalize()
	typed := map[string]string{"email": in.Email, "display_name": in.DisplayName}
	if _, err := h.accounts.CreateAccount(r.Context(), in); err != nil {
		return h.formError(w, r, v, "signup", next, typed, err)
	}
	sess, err := h.accounts.CreateSession(r.Context(), api.Credentials{Email: in.Email, Password: in.Password})
	if err != nil {
		return h.formError(w, r, v, "signin", next, typed, err)
	}
	h.setSession(w, r, sess.Token, service.SessionLifetime)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		// Nothing to end; a stale cookie goes too.
		h.clearSession(w, r)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if err := h.readForm(w, r, v.token); err != nil {
		return err
	}
	if err := h.accounts.DeleteSession(v.ctx(r)); err != nil {
		return err
	}
	h.clearSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// formError shows a form again with its refusal; an internal error is
// the error page's, logged.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, v *visit, name, next string, typed map[string]string, err error) error {
	if api.ErrorCode(err) == api.EINTERNAL {
		return err
	}
	return h.authPage(w, r, v, name, formStatus(err), next, typed, err)
}

// formStatus is the status of a form shown again with its error.
func formStatus(err error) int {
	switch api.ErrorCode(err) {
	case api.EINVALID:
		return http.StatusBadRequest
	case api.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case api.ECONFLICT:
		return http.StatusConflict
	case api.ERATELIMIT:
		return http.StatusTooManyRequests
	case api.EBUSY:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errField is the field an error is about.
func errField(err error) string {
	if e, ok := err.(*api.Error); ok {
		return e.Field
	}
	return ""
}

// errText says an error in the page's language: the platform's refusals
// it knows by code and field, the message itself for the rest, and
// nothing of an internal error.
func errText(lang string, err error) string {
	code, f := api.ErrorCode(err), errField(err)
	key := ""
	switch {
	case code == api.EUNAUTHORIZED:
		key = "auth.wrong"
	case code == api.ECONFLICT && f == "email":
		key = "auth.taken"
	case code == api.EINVALID && (f == "email" || f == "password" || f == "display_name"):
		key = "auth.bad_" + f
	case code == api.EBUSY || code == api.ERATELIMIT:
		key = "form.busy"
	case code == api.EINTERNAL:
		key = "form.failed"
	}
	if key != "" {
		if f == "password" && code == api.EINVALID {
			return translate(lang, key, api.MinPasswordLen)
		}
		return translate(lang, key)
	}
	return api.ErrorMessage(err)
}
