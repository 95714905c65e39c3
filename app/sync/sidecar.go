package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	return writeFileAtomic(filepath.Join(dir, SidecarName), append(b, '\n'), 0o644)
}

// writeFileAtomic writes a temp file in the same directory, syncs it,
// renames it over the target and syncs the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".megabox-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
