package http

import (
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"

	tus "github.com/tus/tusd/v2/pkg/handler"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// What an upload may declare itself to be: the audio the platform sells
// and the images it shows as covers. The finished file is still probed by
// its content; this refuses a file that says it is something else before
// a byte of it is stored.
var (
	uploadExtensions = map[string]bool{".mp3": true, ".jpg": true, ".jpeg": true, ".png": true}
	uploadMediaTypes = map[string]bool{api.MediaMP3: true, "audio/mp3": true, api.MediaJPEG: true, api.MediaPNG: true}
)

const acceptedUploads = "only MP3 audio and JPEG or PNG images can be uploaded"

// checkDeclaredType refuses an upload whose filename extension or
// filetype metadata names a type the platform does not accept, or names
// an image larger than images may be. A file that declares neither is
// judged by its content alone.
func checkDeclaredType(meta tus.MetaData, size int64) error {
	ext := fileExt(meta["filename"])
	if ext != "" && !uploadExtensions[ext] {
		return &api.Error{Code: api.EUNSUPPORTED, Field: "filename", Message: acceptedUploads + ", not " + quote(ext) + " files"}
	}
	image := ext != "" && ext != ".mp3"
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
	return nil
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
