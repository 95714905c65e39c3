package sync

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// readable returns a file or folder name as valid UTF-8 for showing and
// sending. Names from older systems and archives are often Latin-1 or
// Windows-1252 ("caf\xe9"): each byte that is not part of valid UTF-8 is
// read as Windows-1252, so "café" shows as "café". The real name is kept
// for everything done on disk.
func readable(name string) string {
	if utf8.ValidString(name) {
		return name
	}
	var b strings.Builder
	for len(name) > 0 {
		r, size := utf8.DecodeRuneInString(name)
		if r == utf8.RuneError && size <= 1 {
			r = charmap.Windows1252.DecodeByte(name[0])
			size = 1
		}
		b.WriteRune(r)
		name = name[size:]
	}
	return b.String()
}
