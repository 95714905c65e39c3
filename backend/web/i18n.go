package web

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// langs are the page languages, the first the default.
var langs = []language.Tag{language.English, language.French}

var langMatcher = language.NewMatcher(langs)

// langCookie remembers a visitor's choice of language.
const langCookie = "lang"

// pickLang chooses a page's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language. It reports whether the choice
// came from the query, so the caller can remember it.
func pickLang(r *http.Request) (lang string, chosen bool) {
	if q := r.URL.Query().Get("lang"); known(q) {
		return q, true
	}
	if c, err := r.Cookie(langCookie); err == nil && known(c.Value) {
		return c.Value, false
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	return base(langs[i]), false
}

func base(t language.Tag) string {
	b, _ := t.Base()
	return b.String()
}

func known(lang string) bool {
	_, ok := messages[lang]
	return ok
}

// rememberLang sets the cookie that keeps a chosen language.
func rememberLang(w http.ResponseWriter, lang string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// translate returns the text of key in lang, with args placed by fmt.
// A missing key shows itself, so a test can find it.
func translate(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// money renders an amount as each language writes it: "9.00 EUR",
// "9,00 EUR".
func money(lang string, cents int64, currency string) string {
	s := fmt.Sprintf("%d.%02d %s", cents/100, cents%100, currency)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// duration renders a track's length as m:ss (h:mm:ss past an hour).
func duration(ms int64) string {
	s := (ms + 500) / 1000
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
