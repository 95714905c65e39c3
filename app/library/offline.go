package library

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// Track is an owned track as the library shows it, from local state only.
type Track struct {
	ID         int64  `json:"id"`
	Position   int    `json:"position"`
	Title      string `json:"title"`
	DurationMS int64  `json:"duration_ms"`
	Path       string `json:"path"` // absolute
	State      string `json:"state"`
}

// Release is an owned release as the library shows it.
type Release struct {
	PurchaseID int64   `json:"purchase_id"`
	ReleaseID  int64   `json:"release_id"`
	Artist     string  `json:"artist"`
	Title      string  `json:"title"`
	CoverPath  string  `json:"cover_path"`
	ReceiptOK  bool    `json:"receipt_ok"`
	Offline    bool    `json:"offline"` // every track is on disk and verified
	Tracks     []Track `json:"tracks"`
	// Preorder is set while a pre-order holds some tracks back.
	Preorder *Preorder `json:"preorder,omitempty"`
	// Format is what the release is wholly mirrored in ("" until it is);
	// Preparing is set while the platform makes it in the chosen format.
	Format    api.Format `json:"format"`
	Preparing *Preparing `json:"preparing,omitempty"`
	Extras    []Extra    `json:"extras"`
}

// Extra is a bonus file of an owned release as the library shows it.
type Extra struct {
	Name  string `json:"name"`
	Size  int64  `json:"size"`
	Path  string `json:"path"` // absolute
	State string `json:"state"`
}

// Releases lists the library from the cache and the disk: no network.
func (l *Library) Releases(ctx context.Context) ([]Release, error) {
	items, err := l.cache.LibraryItems(ctx)
	if err != nil {
		return nil, err
	}
	formats, err := l.cache.LibraryItemFormats(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Release, 0, len(items))
	for _, it := range items {
		r := Release{PurchaseID: it.PurchaseID, ReleaseID: it.ReleaseID, Artist: it.Artist, Title: it.Title, ReceiptOK: it.ReceiptOK, Offline: true,
			Preorder: preorderOf(it.ReleaseJSON, l.now()), Format: api.Format(formats[it.PurchaseID]), Preparing: l.preparingOf(it.PurchaseID),
			Extras: []Extra{}}
		if it.CoverPath != "" {
			r.CoverPath = filepath.Join(l.dir, filepath.FromSlash(it.CoverPath))
		}
		files, err := l.cache.LibraryFiles(ctx, it.ReleaseID)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			t := Track{ID: f.TrackID, Position: f.Position, Title: f.Title, DurationMS: f.DurationMS,
				Path: filepath.Join(l.dir, filepath.FromSlash(f.Path)), State: f.State}
			if f.State != StateOK {
				r.Offline = false
			}
			r.Tracks = append(r.Tracks, t)
		}
		extras, err := l.cache.LibraryExtras(ctx, it.PurchaseID)
		if err != nil {
			return nil, err
		}
		for _, e := range extras {
			r.Extras = append(r.Extras, Extra{Name: e.Name, Size: e.Size, Path: filepath.Join(l.dir, filepath.FromSlash(e.Path)), State: e.State})
		}
		out = append(out, r)
	}
	return out, nil
}

// Check verifies the library offline: every file's bytes against its
// purchase, every receipt file against the cached platform keys. Damaged or
// missing files are marked so the next Sync fetches them again.
func (l *Library) Check(ctx context.Context) (*Report, error) {
	rep := &Report{}
	keys := l.cachedKeys(ctx)
	items, err := l.cache.LibraryItems(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		rep.Releases++
		if msg := l.checkReceiptFile(it.PurchaseID, it.Receipt, keys); msg != "" {
			rep.Problems = append(rep.Problems, Problem{Path: "receipts/" + strconv.FormatInt(it.PurchaseID, 10) + ".json", Kind: ProblemReceipt, Error: msg})
		}
	}
	files, err := l.cache.LibraryFiles(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		rep.Tracks++
		abs := filepath.Join(l.dir, filepath.FromSlash(f.Path))
		state := checkFile(abs, f.SHA256, f.Path, rep)
		if state != f.State {
			f.State = state
			if fi, err := os.Stat(abs); err == nil {
				f.MtimeNS = fi.ModTime().UnixNano()
			}
			if err := l.cache.PutLibraryFile(ctx, f); err != nil {
				return rep, err
			}
		}
	}
	return rep, l.checkExtras(ctx, rep)
}

// checkFile says whether a file is there with the bytes it was mirrored
// with, and reports it if not.
func checkFile(abs, sha, path string, rep *Report) string {
	state := StateOK
	if _, err := os.Stat(abs); err != nil {
		state = StateMissing
	} else if sum, err := fileSHA(abs); err != nil || sum != sha {
		state = StateCorrupt
	}
	if state != StateOK {
		rep.Problems = append(rep.Problems, Problem{Path: path, Kind: map[string]string{StateMissing: ProblemMissing, StateCorrupt: ProblemCorrupt}[state],
			Error: "file " + state})
	}
	return state
}

// checkExtras verifies the bonus files mirrored so far; a damaged or
// missing one is fetched again by the next sync.
func (l *Library) checkExtras(ctx context.Context, rep *Report) error {
	extras, err := l.cache.LibraryExtras(ctx, 0)
	if err != nil {
		return err
	}
	for _, e := range extras {
		if e.State != StateOK {
			continue
		}
		abs := filepath.Join(l.dir, filepath.FromSlash(e.Path))
		if state := checkFile(abs, e.SHA256, e.Path, rep); state != e.State {
			e.State = state
			if err := l.cache.PutLibraryExtra(ctx, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *Library) cachedKeys(ctx context.Context) receipt.KeySet {
	var keys receipt.KeySet
	if err := json.Unmarshal([]byte(l.cache.Setting(ctx, settingKeys, "{}")), &keys); err != nil {
		slog.Warn("cached receipt keys are unreadable", "err", err) // receipts then verify with the keys they carry
	}
	return keys
}

// checkReceiptFile verifies the receipt file on disk, which is what a fan
// would show, and that it says what the cache says.
func (l *Library) checkReceiptFile(purchaseID int64, want string, keys receipt.KeySet) string {
	b, err := os.ReadFile(filepath.Join(l.dir, "receipts", strconv.FormatInt(purchaseID, 10)+".json"))
	if err != nil {
		return "receipt file is missing"
	}
	var rf ReceiptFile
	if err := json.Unmarshal(b, &rf); err != nil {
		return "receipt file is damaged"
	}
	if ok, msg := checkReceipt(rf.Receipt, purchaseID, keys); !ok {
		return "receipt does not verify: " + msg
	}
	if rf.Receipt != want {
		return "receipt differs from the one the platform issued"
	}
	return ""
}

// VerifyReceiptFile checks a receipts/<purchase>.json on its own: with the
// keys it carries, or with keys given. It needs no platform.
func VerifyReceiptFile(path string, keys *receipt.KeySet) (*receipt.Payload, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rf ReceiptFile
	if err := json.Unmarshal(b, &rf); err != nil {
		return nil, api.Errorf(api.EINVALID, "not a receipt file: %v", err)
	}
	if keys == nil {
		keys = &rf.Keys
	}
	return receipt.Verify(rf.Receipt, *keys)
}
