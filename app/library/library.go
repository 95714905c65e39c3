// Package library mirrors what a fan bought into an open folder of ordinary
// tagged files in the format the fan chose (Artist/Album/NN - Title.flac,
// cover.jpg, Bonus/, receipts/), verified byte for byte, and keeps it
// usable with the platform gone.
//
//	platform ──Library──▶ receipts/, covers
//	         ──FetchTrackFormat──▶ .NN - Title.ext.part ─sha256─▶ NN - Title.ext
//	         ──202 + Retry-After──▶ Preparing (Serve asks again later)
//	         ──FetchExtra──▶ Bonus/<name>
//	release whole in the new format ──▶ the files it replaced are removed
package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/receipt"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// Platform is what the library needs from the platform; *http.Client has it.
type Platform interface {
	Library(ctx context.Context) (*api.Library, error)
	ReceiptKeys(ctx context.Context) (receipt.KeySet, error)
	FetchTrackFormat(ctx context.Context, trackID int64, f api.Format, offset int64) (*mhttp.Fetched, error)
	FetchExtra(ctx context.Context, releaseID int64, name string, offset int64) (*mhttp.Fetched, error)
	DownloadCover(ctx context.Context, releaseID int64, w io.Writer) (string, error)
}

// File states.
const (
	StatePending = "pending" // not downloaded yet
	StateOK      = "ok"
	StateCorrupt = "corrupt" // bytes no longer match the purchase
	StateMissing = "missing" // deleted from disk
	StateWaiting = "waiting" // held by a pre-order until the release day
)

// Settings keys in the cache.
const (
	settingKeys         = "receipt_jwks"
	settingOfflineSince = "library_offline_since"
)

// Library is the fan's local library.
type Library struct {
	cache    *cache.Cache
	dir      string
	platform Platform
	now      func() time.Time // what says a pre-order's release day has come

	bytesDownloaded atomic.Int64

	mu        gosync.Mutex
	preparing map[int64]Preparing // by purchase: releases waiting for their format to be made
	next      *syncRun            // the run that starts next: asks made now share it
	serving   bool                // Serve runs the syncs
	wake      chan struct{}       // 1-buffered: a run is wanted
	running   gosync.Mutex        // held while a sync runs: one at a time
}

// syncRun is one sync, shared by every ask made before it started.
type syncRun struct {
	done chan struct{}
	rep  *Report
	err  error
}

// New returns the library kept in dir.
func New(c *cache.Cache, dir string, p Platform) *Library {
	return &Library{cache: c, dir: dir, platform: p, now: time.Now, wake: make(chan struct{}, 1), preparing: map[int64]Preparing{}}
}

// DefaultDir is ~/Music/Megabox.
func DefaultDir() string {
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "Music", "Megabox")
}

// Dir is the library folder.
func (l *Library) Dir() string { return l.dir }

// BytesDownloaded counts bytes fetched from the platform.
func (l *Library) BytesDownloaded() int64 { return l.bytesDownloaded.Load() }

// Problem is something wrong with one file or receipt.
type Problem struct {
	Path  string `json:"path"`
	Kind  string `json:"kind"`   // one of the Problem* kinds, which the window says in words
	Error string `json:"detail"` // for the log
}

// Kinds of problem a sync or a check finds.
const (
	ProblemMissing  = "missing"  // a file is gone; fetched again when online
	ProblemCorrupt  = "corrupt"  // a file's bytes changed; fetched again when online
	ProblemReceipt  = "receipt"  // a receipt does not verify
	ProblemDownload = "download" // a file could not be fetched
	ProblemCover    = "cover"    // the cover could not be fetched
	ProblemKept     = "kept"     // a file a format switch replaced was changed by the fan, so it stays
)

// Report sums up a sync or a check.
type Report struct {
	Releases   int       `json:"releases"`
	Tracks     int       `json:"tracks"`
	Downloaded int       `json:"downloaded"`
	Waiting    int       `json:"waiting"`   // held by pre-orders until their release day
	Preparing  int       `json:"preparing"` // releases whose format the platform is still making
	Problems   []Problem `json:"problems"`

	retry time.Duration // when to ask again for what is being prepared
}

// ErrOffline means the platform could not be reached; the local library
// still works.
var ErrOffline = errors.New("the platform is unreachable: working offline")

// OfflineSince returns when the platform stopped answering, or zero.
func (l *Library) OfflineSince(ctx context.Context) time.Time {
	ms, err := strconv.ParseInt(l.cache.Setting(ctx, settingOfflineSince, ""), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func (l *Library) setOffline(ctx context.Context, offline bool) {
	var err error
	switch {
	case !offline:
		err = l.cache.SetSetting(ctx, settingOfflineSince, "")
	case l.OfflineSince(ctx).IsZero():
		err = l.cache.SetSetting(ctx, settingOfflineSince, strconv.FormatInt(time.Now().UnixMilli(), 10))
	}
	if err != nil { // only the "offline since" label is lost
		slog.Warn("library offline state", "err", err)
	}
}

// Serve runs the library's syncs until ctx ends: it is the one goroutine
// that writes the library's files while it runs. Asks (Sync, Request)
// made while a sync runs share the next one.
//
// While the platform is still making files in the library's format, Serve
// asks again when it says (Retry-After, within [minPoll, maxPoll]), at most
// maxPolls times in a row; any other ask starts the count again.
func (l *Library) Serve(ctx context.Context) {
	l.mu.Lock()
	l.serving = true
	l.mu.Unlock()
	defer l.stopServing(ctx)
	poll := time.NewTimer(time.Hour)
	poll.Stop()
	defer poll.Stop()
	polls := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
			polls = 0
		case <-poll.C:
			l.ask()
			<-l.wake // ask's own wake-up: this loop is the only reader
			polls++
		}
		rep := l.runNext(ctx)
		if rep != nil && rep.Preparing > 0 && polls < maxPolls {
			poll.Reset(min(max(rep.retry, minPoll), maxPoll))
		}
	}
}

// Bounds on asking again for files being prepared.
const (
	minPoll  = time.Second
	maxPoll  = time.Minute
	maxPolls = 240
)

// stopServing answers asks nobody will run any more.
func (l *Library) stopServing(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.serving = false
	if run := l.next; run != nil {
		l.next, run.err = nil, ctx.Err()
		close(run.done)
	}
}

// Request asks for a sync without waiting for it.
func (l *Library) Request() { l.ask() }

// Sync mirrors the fan's purchases: new or changed files are downloaded
// (resuming partial ones), every file verified by sha256, receipts
// verified and written beside the music. It waits for a sync that starts
// after the call; concurrent calls share it. Without Serve running, the
// caller runs it (still one at a time).
func (l *Library) Sync(ctx context.Context) (*Report, error) {
	run, serving := l.ask()
	if !serving {
		l.runNext(ctx)
	}
	select {
	case <-run.done:
		return run.rep, run.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ask joins the next run, creating it if needed, and wakes Serve.
func (l *Library) ask() (*syncRun, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next == nil {
		l.next = &syncRun{done: make(chan struct{})}
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return l.next, l.serving
}

// runNext starts the pending run, if another caller has not already, and
// returns its report.
func (l *Library) runNext(ctx context.Context) *Report {
	l.running.Lock()
	defer l.running.Unlock()
	l.mu.Lock()
	run := l.next
	l.next = nil
	l.mu.Unlock()
	if run == nil {
		return nil
	}
	run.rep, run.err = l.sync(ctx)
	close(run.done)
	return run.rep
}

func (l *Library) sync(ctx context.Context) (*Report, error) {
	lib, err := l.platform.Library(ctx)
	if api.ErrorCode(err) == api.EUNAVAILABLE {
		l.setOffline(ctx, true)
		return nil, ErrOffline
	} else if err != nil {
		return nil, err
	}
	l.setOffline(ctx, false)
	keys, err := l.platform.ReceiptKeys(ctx)
	if err != nil {
		return nil, err
	}
	kb, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	if err := l.cache.SetSetting(ctx, settingKeys, string(kb)); err != nil {
		return nil, fmt.Errorf("keep receipt keys: %w", err)
	}
	rep := &Report{}
	owned := map[int64]bool{}
	chosen := l.Format(ctx)
	for i := len(lib.Items) - 1; i >= 0; i-- { // oldest first: earlier purchases keep the plain names
		it := lib.Items[i]
		owned[it.PurchaseID] = true
		if err := l.syncItem(ctx, it, keys, chosen, rep); err != nil {
			return rep, err
		}
	}
	return rep, l.forgetRefunded(ctx, owned)
}

func (l *Library) forgetRefunded(ctx context.Context, owned map[int64]bool) error {
	items, err := l.cache.LibraryItems(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		if !owned[it.PurchaseID] {
			l.setPreparing(it.PurchaseID, nil)
			if err := l.cache.DeleteLibraryItem(ctx, it.PurchaseID); err != nil {
				return err
			}
		}
	}
	return nil
}

// releaseDir is where a release's files go, below the library folder:
// Artist/Album, or Artist/Album (2) when another owned release already
// has that name.
func (l *Library) releaseDir(ctx context.Context, r api.Release) string {
	artist, album := SafeName(r.ArtistName, "Unknown Artist"), SafeName(r.Title, "Untitled")
	files, _ := l.cache.LibraryFiles(ctx, 0)
	taken := map[string]bool{}
	for _, f := range files {
		if f.ReleaseID == r.ID {
			return filepath.Dir(filepath.FromSlash(f.Path)) // keep where it already is
		}
		taken[filepath.Dir(filepath.FromSlash(f.Path))] = true
	}
	dir := filepath.Join(artist, album)
	for n := 2; taken[dir]; n++ {
		dir = filepath.Join(artist, album+" ("+strconv.Itoa(n)+")")
	}
	return dir
}

func (l *Library) syncItem(ctx context.Context, it api.LibraryItem, keys receipt.KeySet, chosen api.Format, rep *Report) error {
	rep.Releases++
	rel := it.Release
	dir := l.releaseDir(ctx, rel)
	ok, rerr := checkReceipt(it.Receipt, it.PurchaseID, keys)
	if !ok {
		rep.Problems = append(rep.Problems, Problem{Path: "receipts/" + strconv.FormatInt(it.PurchaseID, 10) + ".json", Kind: ProblemReceipt, Error: rerr})
	}
	if err := l.writeReceipt(it, keys); err != nil {
		return err
	}
	relJSON, _ := json.Marshal(rel)
	item := cache.LibraryItem{PurchaseID: it.PurchaseID, ReleaseID: rel.ID, Artist: rel.ArtistName, Title: rel.Title,
		ReleaseJSON: string(relJSON), Receipt: it.Receipt, ReceiptOK: ok, ReceiptErr: rerr, PurchasedAt: it.PurchasedAt}
	if rel.CoverSHA256 != "" {
		if p, err := l.syncCover(ctx, rel, dir); err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: filepath.ToSlash(filepath.Join(dir, "cover")), Kind: ProblemCover, Error: err.Error()})
		} else {
			item.CoverPath = p
		}
	}
	if err := l.cache.PutLibraryItem(ctx, item); err != nil {
		return err
	}
	if err := l.syncTracks(ctx, it, dir, chosen, rep); err != nil {
		return err
	}
	return l.syncExtras(ctx, it, dir, rep)
}

// checkReceipt verifies a receipt and that it is the one for purchaseID.
func checkReceipt(jws string, purchaseID int64, keys receipt.KeySet) (bool, string) {
	p, err := receipt.Verify(jws, keys)
	if err != nil {
		return false, err.Error()
	}
	if p.PurchaseID != purchaseID {
		return false, "receipt is for another purchase"
	}
	return true, ""
}

// ReceiptFile is receipts/<purchase>.json: the signed receipt and the keys
// that verify it, so it stands on its own.
type ReceiptFile struct {
	PurchaseID int64          `json:"purchase_id"`
	ReleaseID  int64          `json:"release_id"`
	Receipt    string         `json:"receipt"`
	Keys       receipt.KeySet `json:"keys"`
}

func (l *Library) writeReceipt(it api.LibraryItem, keys receipt.KeySet) error {
	b, err := json.MarshalIndent(ReceiptFile{PurchaseID: it.PurchaseID, ReleaseID: it.Release.ID, Receipt: it.Receipt, Keys: keys}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Join(l.dir, "receipts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, strconv.FormatInt(it.PurchaseID, 10)+".json"), b, 0o644)
}

func (l *Library) syncCover(ctx context.Context, rel api.Release, dir string) (string, error) {
	name := filepath.Join(dir, "cover.jpg")
	abs := filepath.Join(l.dir, name)
	if sum, err := fileSHA(abs); err == nil && sum == rel.CoverSHA256 {
		return filepath.ToSlash(name), nil
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", err
	}
	tmp := abs + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	h := sha256.New()
	mt, err := l.platform.DownloadCover(ctx, rel.ID, io.MultiWriter(f, h))
	f.Close()
	if err != nil {
		return "", err
	}
	if hex.EncodeToString(h.Sum(nil)) != rel.CoverSHA256 {
		return "", errors.New("cover download does not match its sha256")
	}
	if mt == api.MediaPNG {
		name = filepath.Join(dir, "cover.png")
		abs = filepath.Join(l.dir, name)
	}
	return filepath.ToSlash(name), atomicfile.Rename(tmp, abs)
}
