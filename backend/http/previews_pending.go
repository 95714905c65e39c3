package http

import (
	"net/http"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
)

// previewPending answers a preview still being made (the MP3 of a
// lossless master): 202 with its progress, and when to ask again.
// Nothing about it may be cached: the next ask may get the audio.
func previewPending(w http.ResponseWriter, p *api.TranscodeProgress) error {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(p.RetryAfterS))
	h.Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusAccepted, p)
	return nil
}
