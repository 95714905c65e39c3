package media

import (
	"bytes"
	"unicode/utf8"

	"github.com/megabox-fm/megabox/backend/api"
)

// sniffText checks that a stream is UTF-8 text with no NUL bytes, up to
// the size limit of a text bonus file; past it the bytes are only counted.
type sniffText struct {
	n     int64
	carry []byte // the start of a character split between writes
	bad   bool
}

// Write implements io.Writer; it never fails.
func (t *sniffText) Write(p []byte) (int, error) {
	n := len(p)
	if room := api.MaxExtraText + 1 - t.n; !t.bad && room > 0 {
		t.check(p[:min(int64(len(p)), room)])
	}
	t.n += int64(n)
	return n, nil
}

// check validates p, holding back a character it cuts short.
func (t *sniffText) check(p []byte) {
	for len(t.carry) > 0 && len(p) > 0 && !utf8.FullRune(t.carry) {
		t.carry = append(t.carry, p[0])
		p = p[1:]
	}
	if len(t.carry) > 0 && utf8.FullRune(t.carry) {
		t.bad = !utf8.Valid(t.carry)
		t.carry = nil
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	t.carry = append(t.carry, p[cut:]...)
	t.bad = t.bad || !utf8.Valid(p[:cut]) || bytes.IndexByte(p[:cut], 0) >= 0
}

// info is the verdict on the whole stream.
func (t *sniffText) info() (Info, error) {
	switch {
	case t.bad:
		return Info{MediaType: api.MediaUnknown}, nil
	case t.n > api.MaxExtraText:
		return Info{}, api.Errorf(api.EUNSUPPORTED, "the text file is %.1f MiB, over the %d MiB limit for text: lyrics and notes fit well under it", float64(t.n)/(1<<20), api.MaxExtraText>>20)
	case len(t.carry) > 0: // it ends inside a character
		return Info{MediaType: api.MediaUnknown}, nil
	}
	return Info{MediaType: api.MediaText}, nil
}
