package api_test

import (
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantMsg string // "" when accepted
	}{
		{"plain", "Night Drive", ""},
		{"accents", "Café Müller", ""},
		{"cjk", "夜のドライブ", ""},
		{"arabic", "ليلة", ""},
		{"hebrew", "לילה טוב", ""},
		{"emoji", "Moon 🌙", ""},
		{"emoji with variation selector", "Heart ❤️", ""},
		{"200 characters", strings.Repeat("é", 200), ""},
		{"right-to-left override", "evil\u202Egnp.mp3", "(U+202E at character 5)"},
		{"left-to-right mark", "a\u200Eb", "U+200E"},
		{"right-to-left mark", "a\u200Fb", "U+200F"},
		{"left-to-right embedding", "\u202Aabc", "U+202A"},
		{"pop directional formatting", "abc\u202C", "U+202C"},
		{"right-to-left isolate", "a\u2067b", "U+2067"},
		{"first strong isolate", "a\u2068b", "U+2068"},
		{"pop directional isolate", "a\u2069b", "U+2069"},
		{"arabic letter mark", "a\u061Cb", "U+061C"},
		{"zero-width space", "Ad\u200Bmin", "U+200B"},
		{"zero-width non-joiner", "a\u200Cb", "U+200C"},
		{"zero-width joiner", "a\u200Db", "U+200D"},
		{"word joiner", "a\u2060b", "U+2060"},
		{"byte order mark", "\uFEFFTitle", "U+FEFF"},
		{"soft hyphen", "in\u00ADvisible", "U+00AD"},
		{"hangul filler", "\u3164", "U+3164"},
		{"line separator", "a\u2028b", "U+2028"},
		{"newline", "two\nlines", "control characters (U+000A"},
		{"delete", "a\x7fb", "control characters"},
		{"C1 control", "a\u0085b", "control characters"},
		{"empty", "", "must not be empty"},
		{"too long", strings.Repeat("a", 201), "at most 200 characters"},
		{"invalid UTF-8", "caf\xe9", "valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := api.CheckName("title", tt.in, api.MaxTitleLen)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckName(%q) = %v, want accepted", tt.in, err)
				}
				return
			}
			if api.ErrorCode(err) != api.EINVALID || api.ErrorField(err) != "title" || !strings.Contains(api.ErrorMessage(err), tt.wantMsg) {
				t.Fatalf("CheckName(%q) = %v, want EINVALID on title saying %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}
