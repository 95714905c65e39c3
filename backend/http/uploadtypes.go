package http

import (
	"fmt"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"

	tus "github.com/tus/tusd/v2/pkg/handler"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// What an upload may declare itself to be: the audio the platform sells,
// the images it shows as covers, and the bonus files a purchase brings.
// The finished file is still probed by its content; this refuses a file
// that says it is something else before a byte of it is stored.
var (
	uploadExtensions = map[string]bool{".mp3": true, ".flac": true, ".jpg": true, ".jpeg": true, ".png": true,
		".pdf": true, ".zip": true, ".txt": true, ".lrc": true}
	uploadMediaTypes = map[string]bool{api.MediaMP3: true, "audio/mp3": true, api.MediaFLAC: true, "audio/x-flac": true,
		api.MediaJPEG: true, api.MediaPNG: true, api.MediaPDF: true, api.MediaZIP: true, "application/x-zip-compressed": true,
		"text/plain": true}
)

const acceptedUploads = "only FLAC or MP3 audio, JPEG or PNG images, and PDF, ZIP or text bonus files can be uploaded"

// checkDeclaredType refuses an upload whose filename extension or
// filetype metadata names a type the platform does not accept, or names
// an image larger than images may be. A file that declares neither is
// judged by its content alone.
func checkDeclaredType(meta tus.MetaData, size int64) error {
	ext := fileExt(meta["filename"])
	if ext != "" && !uploadExtensions[ext] {
		return &api.Error{Code: api.EUNSUPPORTED, Field: "filename", Message: acceptedUploads + ", not " + quote(ext) + " files"}
	}
	image := ext == ".jpg" || ext == ".jpeg" || ext == ".png"
	if ft, ok := meta["filetype"]; ok {
		mt, _, err := mime.ParseMediaType(ft)
		if err != nil || !uploadMediaTypes[mt] {
			return &api.Error{Code: api.EUNSUPPORTED, Field: "filetype", Message: acceptedUploads + ", not " + quote(ft)}
		}
		image = image || strings.HasPrefix(mt, "image/")
	}
	if image && size > media.MaxImageBytes {
		return &api.Error{Code: api.ETOOLARGE, Field: "size", Message: fmt.Sprintf("images can be at most %d MiB; this one is %.1f MiB", media.MaxImageBytes>>20, float64(size)/(1<<20))}
	}
	return checkBonusSize(ext, size)
}

// checkBonusSize refuses, before a byte is stored, a bonus file over the
// limit for its kind.
func checkBonusSize(ext string, size int64) error {
	switch ext {
	case ".pdf", ".zip", ".txt", ".lrc":
	default:
		return nil
	}
	_, limit, err := api.ExtraKind(ext)
	if err != nil || size <= limit {
		return nil
	}
	return &api.Error{Code: api.ETOOLARGE, Field: "size", Message: fmt.Sprintf("%s files can be at most %d MiB; this one is %.1f MiB", strings.ToUpper(ext[1:]), limit>>20, float64(size)/(1<<20))}
}

// uploadKinds names what each accepted extension holds; an image may
// be either kind of image, as people rename them freely.
var uploadKinds = map[string]struct {
	name  string
	types []string
}{
	".mp3":  {"MP3 audio", []string{api.MediaMP3}},
	".flac": {"FLAC audio", []string{api.MediaFLAC}},
	".jpg":  {"an image", []string{api.MediaJPEG, api.MediaPNG}},
	".jpeg": {"an image", []string{api.MediaJPEG, api.MediaPNG}},
	".png":  {"an image", []string{api.MediaJPEG, api.MediaPNG}},
	".pdf":  {"a PDF document", []string{api.MediaPDF}},
	".zip":  {"a ZIP archive", []string{api.MediaZIP}},
	".txt":  {"UTF-8 text", []string{api.MediaText}},
	".lrc":  {"UTF-8 text", []string{api.MediaText}},
}

// checkContentFitsName refuses a file whose content is not what its
// name's extension says, so text named .mp3 never becomes a track.
func checkContentFitsName(filename, mediaType string) error {
	k, ok := uploadKinds[fileExt(filename)]
	if !ok || slices.Contains(k.types, mediaType) {
		return nil
	}
	return &api.Error{Code: api.EUNSUPPORTED, Field: "file", Message: quote(filename) + " is not " + k.name + " as its name says: " + acceptedUploads}
}

// fileExt returns the lowercase extension of a client path, whichever
// separator the client's system uses.
func fileExt(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	return strings.ToLower(path.Ext(name))
}

// quote shows a client's string in a message, shortened and made valid.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(strings.ToValidUTF8(s, "?"))
}
