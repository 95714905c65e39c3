package api

import (
	"unicode"
	"unicode/utf8"
)

// Name lengths, in characters.
const (
	MaxDisplayNameLen = 100
	MaxTitleLen       = 200
)

// CheckName is the one rule for names people read: display names, artist
// names, release and track titles. A name is valid UTF-8, one line, 1 to
// maxLen characters, and shows everything it contains: no control
// characters and nothing invisible, so a name cannot reverse how the text
// around it reads (U+202E) or pass for another name with hidden
// characters. EINVALID names the field.
func CheckName(field, s string, maxLen int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return FieldErrorf(field, "must be valid UTF-8")
	case n == 0:
		return FieldErrorf(field, "must not be empty")
	case n > maxLen:
		return FieldErrorf(field, "must be at most %d characters", maxLen)
	}
	i := 0
	for _, r := range s {
		i++
		if unicode.IsControl(r) {
			return FieldErrorf(field, "must not contain control characters (%U at character %d)", r, i)
		}
		if Invisible(r) {
			return FieldErrorf(field, "must not contain invisible or text-direction characters (%U at character %d)", r, i)
		}
	}
	return nil
}

// Invisible reports whether r is drawn as nothing or changes how the
// text around it is drawn: format characters (bidi controls U+200E/F,
// U+202A–E, U+2066–9, U+061C; zero-width U+200B–D, U+2060, U+FEFF; the
// soft hyphen), line and paragraph separators, and letters that render
// blank (the Hangul fillers, the braille blank).
func Invisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u034f':
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}
