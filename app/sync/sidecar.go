package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

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
	// Preorder sells the release before its release date (then a day,
	// YYYY-MM-DD); its buyers get the tracks marked preorder_available
	// at once and the others on that day.
	Preorder bool `json:"preorder,omitempty"`
	// Tracks is the play order the creator chose, by file name: listed
	// files play first, in this order, the others after them by disc,
	// track number and name. The files themselves are never renamed.
	Tracks []SidecarTrack `json:"tracks,omitempty"`
	// Other keeps the fields this version does not know (written by a
	// newer app, or by hand), so rewriting the file never loses them.
	Other map[string]json.RawMessage `json:"-"`
}

// SidecarTrack is one track of the chosen play order.
type SidecarTrack struct {
	File  string `json:"file"`            // below the release folder, slash-separated
	Title string `json:"title,omitempty"` // "": the tag's title, or the file name
	// PreorderAvailable: a pre-order's buyers get this track at once.
	PreorderAvailable bool `json:"preorder_available,omitempty"`
}

const maxSidecar = 256 << 10

// sidecarKeys are the JSON names Sidecar knows.
var sidecarKeys = func() []string {
	var keys []string
	t := reflect.TypeOf(Sidecar{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}()

// known reports whether key fills a Sidecar field; encoding/json matches
// names without regard to case, and so does this.
func known(key string) bool {
	for _, k := range sidecarKeys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// ReadSidecar reads a release folder's megabox.json; a missing file is an
// empty sidecar. A field it does not know is refused, naming it, so a
// misspelt setting is reported rather than silently ignored.
func ReadSidecar(dir string) (Sidecar, error) {
	s, err := readSidecar(dir, false)
	if err == nil && len(s.Other) > 0 {
		keys := otherKeys(s.Other)
		return Sidecar{}, &sidecarError{kind: KindSidecarUnknown, field: keys[0], err: fmt.Errorf("%s: json: unknown field %q", SidecarName, keys[0])}
	}
	return s, err
}

// EditSidecar changes a release folder's megabox.json with edit and
// writes it back atomically. Fields this version does not know are kept
// as they are (the sync still reports them); a file that is otherwise
// broken is left alone and its problem returned. Callers serialize edits
// of one folder.
func EditSidecar(dir string, edit func(*Sidecar) error) error {
	s, err := readSidecar(dir, true)
	if err != nil {
		return err
	}
	if err := edit(&s); err != nil {
		return err
	}
	return WriteSidecar(dir, s)
}

// readSidecar reads megabox.json, putting top-level fields it does not
// know in Other; nested ones are refused.
func readSidecar(dir string, keepOther bool) (Sidecar, error) {
	var s Sidecar
	f, err := os.Open(filepath.Join(dir, SidecarName))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	} else if err != nil {
		return s, &sidecarError{kind: KindUnreadable, err: err}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return s, &sidecarError{kind: KindUnreadable, err: err}
	}
	if len(b) > maxSidecar {
		return s, &sidecarError{kind: KindSidecarTooLarge, limit: maxSidecar >> 10, err: fmt.Errorf("%s is larger than %d KiB", SidecarName, maxSidecar>>10)}
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return s, badSidecar(err)
	}
	other := map[string]json.RawMessage{}
	for k, v := range all {
		if !known(k) {
			other[k] = v
			delete(all, k)
		}
	}
	if len(other) > 0 && !keepOther {
		return Sidecar{Other: other}, nil
	}
	if len(other) > 0 {
		b, _ = json.Marshal(all) // the known fields alone, checked strictly below
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Sidecar{}, badSidecar(err)
	}
	if len(other) > 0 {
		s.Other = other
	}
	return s, nil
}

// badSidecar types a decoding error, naming the setting at fault when
// encoding/json does.
func badSidecar(err error) error {
	kind, field := KindSidecarInvalid, ""
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field = te.Field
	} else if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		kind, field = KindSidecarUnknown, strings.Trim(name, `"`)
	}
	return &sidecarError{kind: kind, field: field, err: fmt.Errorf("%s: %w", SidecarName, err)}
}

func otherKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteSidecar replaces a release folder's megabox.json atomically, the
// fields it does not know kept after the ones it does.
func WriteSidecar(dir string, s Sidecar) error {
	b, err := s.encode()
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SidecarName), b, 0o644)
}

func (s Sidecar) encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, k := range otherKeys(s.Other) {
		if !known(k) {
			keys = append(keys, k)
		}
	}
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // without the closing brace
	for _, k := range keys {
		name, _ := json.Marshal(k)
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(s.Other[k])
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("%s: %w", SidecarName, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
