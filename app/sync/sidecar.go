package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// Sidecar is megabox.json: what tags cannot say about a release. The app
// writes the creator's changes here, so the folder stays the source of
// truth.
type Sidecar struct {
	Title          string `json:"title,omitempty"`
	ArtistName     string `json:"artist_name,omitempty"`
	Description    string `json:"description,omitempty"`
	ReleaseDate    string `json:"release_date,omitempty"`
	PriceCents     *int64 `json:"price_cents,omitempty"`
	Currency       string `json:"currency,omitempty"`
	PayWhatYouWant bool   `json:"pay_what_you_want,omitempty"`
	MinCents       int64  `json:"min_cents,omitempty"`
	// Collaborators share the creator's part of every sale, written as
	// the platform's manifest writes them.
	Collaborators []api.ManifestCollaborator `json:"collaborators,omitempty"`
	// The release's web settings, as the manifest writes them: its name
	// in /@handle/slug (empty: made from the title, then kept), how many
	// seconds of each track anyone may hear (0: the platform's default)
	// or all of it.
	Slug           string `json:"slug,omitempty"`
	PreviewSeconds int    `json:"preview_seconds,omitempty"`
	FullStreaming  bool   `json:"full_streaming,omitempty"`
}

const maxSidecar = 256 << 10

// ReadSidecar reads a release folder's megabox.json; a missing file is an
// empty sidecar.
func ReadSidecar(dir string) (Sidecar, error) {
	var s Sidecar
	f, err := os.Open(filepath.Join(dir, SidecarName))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	} else if err != nil {
		return s, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return s, err
	}
	if len(b) > maxSidecar {
		return s, fmt.Errorf("%s is larger than %d KiB", SidecarName, maxSidecar>>10)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%s: %w", SidecarName, err)
	}
	return s, nil
}

// WriteSidecar replaces a release folder's megabox.json atomically.
func WriteSidecar(dir string, s Sidecar) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SidecarName), append(b, '\n'), 0o644)
}
