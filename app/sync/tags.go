package sync

import (
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dhowden/tag"

	"github.com/megabox-fm/megabox/backend/api"
)

// Tags is what a track's ID3 tags say, cleaned up. Tags are untrusted:
// every string is valid UTF-8, single-line and bounded.
type Tags struct {
	Title       string `json:"title,omitempty"`
	Artist      string `json:"artist,omitempty"`
	AlbumArtist string `json:"album_artist,omitempty"`
	Album       string `json:"album,omitempty"`
	Genre       string `json:"genre,omitempty"`
	Year        int    `json:"year,omitempty"`
	Track       int    `json:"track,omitempty"`
	Disc        int    `json:"disc,omitempty"`
	PictureMIME string `json:"picture_mime,omitempty"`
	Picture     []byte `json:"-"`
	// Master is set for a lossless file: what checking its audio found.
	Master *MasterInfo `json:"master,omitempty"`
}

// readTags parses ID3 tags from a file's head and tail bytes, standing in
// for the whole file so tags cost no second read.
func readTags(head, tail []byte, size int64) (Tags, error) {
	return readTagsFrom(&sparseFile{head: head, tail: tail, size: size})
}

// tagsOf cleans what the tag library read.
func tagsOf(m tag.Metadata) Tags {
	t := Tags{Title: clean(m.Title()), Artist: clean(m.Artist()), AlbumArtist: clean(m.AlbumArtist()),
		Album: clean(m.Album()), Genre: clean(m.Genre()), Year: m.Year()}
	t.Track, _ = m.Track()
	t.Disc, _ = m.Disc()
	if t.Year < 0 || t.Year > 9999 {
		t.Year = 0
	}
	if t.Track < 0 || t.Track > 9999 {
		t.Track = 0
	}
	if t.Disc < 0 || t.Disc > 999 {
		t.Disc = 0
	}
	if p := m.Picture(); p != nil && len(p.Data) > 0 && len(p.Data) <= 10<<20 {
		t.Picture, t.PictureMIME = p.Data, p.MIMEType
	}
	return t
}

// clean makes a tag or file name safe to show and send: valid UTF-8, no
// control or invisible characters (api.CheckName's rule), at most 200
// characters. Tags often carry stray byte-order marks and direction marks
// the creator never sees; dropping them beats blocking the release on a
// character nobody can see. A title typed into megabox.json is the
// creator's own and is sent as written: the platform's refusal names it.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || api.Invisible(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}

// titleFromName makes a title from a file name: "03 - Night Drive.mp3" →
// "Night Drive".
func titleFromName(rel string) string {
	name := readable(strings.TrimSuffix(path.Base(rel), path.Ext(rel)))
	trimmed := strings.TrimLeft(name, "0123456789")
	if trimmed != name {
		trimmed = strings.TrimLeft(trimmed, " .-_")
	}
	if t := clean(trimmed); t != "" {
		return t
	}
	return clean(name)
}

// leadingNumber returns the track number a file name starts with, or 0.
func leadingNumber(rel string) int {
	name := path.Base(rel)
	end := strings.IndexFunc(name, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		return 0
	}
	n, _ := strconv.Atoi(name[:end])
	return n
}

// sparseFile is a ReadSeeker over a file of which only the head and tail
// were kept; the middle reads as zeros and is never looked at by tag
// parsers.
type sparseFile struct {
	head, tail []byte
	size, off  int64
}

func (s *sparseFile) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.size-s.off))
	tailStart := s.size - int64(len(s.tail))
	for i := range n {
		o := s.off + int64(i)
		switch {
		case o < int64(len(s.head)):
			p[i] = s.head[o]
		case o >= tailStart:
			p[i] = s.tail[o-tailStart]
		default:
			p[i] = 0
		}
	}
	s.off += int64(n)
	return n, nil
}

func (s *sparseFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += s.off
	case io.SeekEnd:
		offset += s.size
	}
	if offset < 0 {
		return 0, errors.New("seek before start")
	}
	s.off = offset
	return offset, nil
}
