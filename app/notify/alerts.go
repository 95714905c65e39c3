package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/app/sync"
)

// Settings turn each kind of notification on or off.
type Settings struct {
	Sales     bool `json:"sales"`     // a fan bought something
	Sync      bool `json:"sync"`      // uploads finished
	Attention bool `json:"attention"` // a release or file needs the creator
}

// DefaultSettings has every kind on.
var DefaultSettings = Settings{Sales: true, Sync: true, Attention: true}

// on reports whether kind is turned on.
func (s Settings) on(kind Kind) bool {
	switch kind {
	case KindSale:
		return s.Sales
	case KindSync:
		return s.Sync
	case KindAttention:
		return s.Attention
	}
	return false
}

// Sales is a creator's sales so far, as the platform counts them.
type Sales struct {
	Account      int64 // whose
	Count        int64
	CreatorCents int64
	Currency     string
	Releases     map[int64]ReleaseSales // by release id
}

// ReleaseSales is one release's share of Sales.
type ReleaseSales struct {
	Title string
	Count int64
}

// Sender shows a notification: a Notifier.
type Sender interface {
	Notify(ctx context.Context, kind Kind, summary, body, icon string) error
	Showing(kind Kind) bool
}

// Store keeps small values across restarts: the app's cache.
type Store interface {
	Setting(ctx context.Context, key, def string) string
	SetSetting(ctx context.Context, key, value string) error
}

// Options configure Alerts.
type Options struct {
	Lang       string                                         // "en" or "fr"; Language() when empty
	Settings   func(ctx context.Context) Settings             // read before each notification
	Sales      func(ctx context.Context) (Sales, bool, error) // false: not a signed-in creator
	SalesEvery time.Duration                                  // how often Sales is asked; a minute when 0
	Store      Store                                          // remembers the sales already told
	Icon       string                                         // the app's icon name or file:// URL
}

// Alerts turns the app's events into notifications. Serve owns its state;
// Emit and Check only hand it work.
//
//	sync engine ──Emit──▶ events ──▶ Serve ──▶ Sender (D-Bus)
//	ticker / Check ──▶ Sales() ──▶ Serve
type Alerts struct {
	send   Sender
	opts   Options
	events chan any      // sync events, in order
	check  chan struct{} // look at sales now (1-buffered)

	// Owned by Serve.
	lang      string
	uploading map[string]bool   // files being uploaded, by root and path
	uploaded  map[string]int    // files uploaded per release folder since it last finished
	finished  []finishedRelease // releases done since the last sync notification
	attention map[string]string // what was last said about a folder or file
	sales     *Sales            // last count told (or found at start)
	saleRun   struct {          // sales told in the notification on screen
		count, cents int64
	}
}

type finishedRelease struct {
	name  string
	files int
}

// eventQueue bounds the sync events waiting for Serve; past it they are
// dropped (a notification is a courtesy, the sync view is the record).
const eventQueue = 1024

// NewAlerts returns alerts sent through send.
func NewAlerts(send Sender, opts Options) *Alerts {
	if opts.Lang == "" {
		opts.Lang = Language()
	}
	if opts.SalesEvery <= 0 {
		opts.SalesEvery = time.Minute
	}
	if opts.Settings == nil {
		opts.Settings = func(context.Context) Settings { return DefaultSettings }
	}
	return &Alerts{send: send, opts: opts, lang: opts.Lang, events: make(chan any, eventQueue), check: make(chan struct{}, 1),
		uploading: map[string]bool{}, uploaded: map[string]int{}, attention: map[string]string{}}
}

// Emit implements sync.Emitter: the engine calls it from its goroutines,
// so it only queues what matters here.
func (a *Alerts) Emit(event string, payload any) {
	switch payload.(type) {
	case sync.FileEvent, sync.ReleaseEvent:
	default:
		return
	}
	select {
	case a.events <- payload:
	default:
		slog.Warn("notifications: too many sync events at once; some are not told")
	}
}

// Check asks Serve to look at sales now.
func (a *Alerts) Check() {
	select {
	case a.check <- struct{}{}:
	default:
	}
}

// Serve tells what happens until ctx ends.
func (a *Alerts) Serve(ctx context.Context) {
	tick := time.NewTicker(a.opts.SalesEvery)
	defer tick.Stop()
	a.checkSales(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-a.events:
			a.syncEvent(ctx, ev)
		case <-a.check:
			a.checkSales(ctx)
		case <-tick.C:
			a.checkSales(ctx)
		}
	}
}

func (a *Alerts) tell(ctx context.Context, kind Kind, summary, body string) {
	if !a.opts.Settings(ctx).on(kind) {
		return
	}
	if err := a.send.Notify(ctx, kind, summary, body, a.opts.Icon); err != nil && ctx.Err() == nil {
		slog.Warn("notification", "kind", kind, "err", err)
	}
}

// checkSales tells new sales since the last look. The first look at an
// account only remembers its count, unless an earlier run left one.
func (a *Alerts) checkSales(ctx context.Context) {
	if a.opts.Sales == nil {
		return
	}
	s, ok, err := a.opts.Sales(ctx)
	if err != nil || !ok {
		if err != nil {
			slog.Debug("notifications: sales", "err", err)
		}
		return
	}
	last := a.sales
	if last == nil || last.Account != s.Account {
		last = a.loadSales(ctx, s.Account)
	}
	a.sales = &s
	if last == nil || s.Count != last.Count || s.CreatorCents != last.CreatorCents || s.Currency != last.Currency {
		a.saveSales(ctx, s) // the cache is written when the figures move, not every minute
	}
	if last == nil || s.Count <= last.Count || s.Currency != last.Currency {
		return // first look, nothing new, or refunds only
	}
	n, cents := s.Count-last.Count, s.CreatorCents-last.CreatorCents
	if !a.send.Showing(KindSale) {
		a.saleRun.count, a.saleRun.cents = 0, 0
	}
	a.saleRun.count += n
	a.saleRun.cents += cents
	title := ""
	if a.saleRun.count == n { // a fresh notification can name the one release sold
		title = onlyRelease(last.Releases, s.Releases)
	}
	a.tell(ctx, KindSale, a.saleSummary(a.saleRun.count), a.saleBody(title, a.saleRun.cents, s.Currency))
}

// onlyRelease is the title of the release whose sales grew, if only one did.
func onlyRelease(before, after map[int64]ReleaseSales) string {
	title := ""
	for id, r := range after {
		if r.Count > before[id].Count {
			if title != "" {
				return ""
			}
			title = r.Title
		}
	}
	return title
}

type savedSales struct {
	Count        int64  `json:"count"`
	CreatorCents int64  `json:"creator_cents"`
	Currency     string `json:"currency"`
}

func salesKey(account int64) string { return "notified_sales_" + strconv.FormatInt(account, 10) }

func (a *Alerts) loadSales(ctx context.Context, account int64) *Sales {
	if a.opts.Store == nil {
		return nil
	}
	var v savedSales
	if json.Unmarshal([]byte(a.opts.Store.Setting(ctx, salesKey(account), "")), &v) != nil {
		return nil
	}
	return &Sales{Account: account, Count: v.Count, CreatorCents: v.CreatorCents, Currency: v.Currency}
}

func (a *Alerts) saveSales(ctx context.Context, s Sales) {
	if a.opts.Store == nil {
		return
	}
	b, _ := json.Marshal(savedSales{Count: s.Count, CreatorCents: s.CreatorCents, Currency: s.Currency})
	if err := a.opts.Store.SetSetting(ctx, salesKey(s.Account), string(b)); err != nil {
		slog.Warn("notifications: remember sales", "err", err)
	}
}

// syncEvent follows the engine: files uploaded per release folder, told
// once every upload in flight is done and its release is synced; and
// folders or files that need the creator, told once per new state.
func (a *Alerts) syncEvent(ctx context.Context, ev any) {
	switch e := ev.(type) {
	case sync.FileEvent:
		a.fileEvent(ctx, e)
	case sync.ReleaseEvent:
		a.releaseEvent(ctx, e)
	}
}

func (a *Alerts) fileEvent(ctx context.Context, e sync.FileEvent) {
	key := e.Root + "\x00" + e.Path
	dir := e.Root + "\x00" + path.Dir(e.Path)
	switch e.State {
	case sync.StateUploading:
		a.uploading[key] = true
	case sync.StateSynced:
		if a.uploading[key] {
			delete(a.uploading, key)
			a.uploaded[dir]++
		}
		delete(a.attention, key)
	case sync.StateError:
		delete(a.uploading, key)
		if a.attention[key] != e.State {
			a.attention[key] = e.State
			a.tell(ctx, KindAttention, a.t("file.summary"), a.t("file.body", path.Base(e.Path), path.Base(path.Dir(e.Path))))
		}
	}
}

func (a *Alerts) releaseEvent(ctx context.Context, e sync.ReleaseEvent) {
	key := e.Root + "\x00" + e.Dir
	name := path.Base(e.Dir)
	switch e.State {
	case sync.StateSynced, sync.StateBlocked, sync.StateConfirm:
		if n := a.uploaded[key]; n > 0 {
			a.finished = append(a.finished, finishedRelease{name: name, files: n})
			delete(a.uploaded, key)
		}
		if len(a.finished) > 0 && len(a.uploading) == 0 {
			a.tell(ctx, KindSync, a.t("sync.summary"), a.syncBody())
			a.finished = nil
		}
	}
	switch e.State {
	case sync.StateSynced:
		delete(a.attention, key)
	case sync.StateBlocked, sync.StateConfirm, sync.StateError, sync.StateMissing, sync.StateRootMissing:
		if a.attention[key] == e.State {
			return // already told
		}
		a.attention[key] = e.State
		if e.State == sync.StateRootMissing {
			a.tell(ctx, KindAttention, a.t("root.summary"), a.t("root.body", e.Root))
			return
		}
		a.tell(ctx, KindAttention, a.t(e.State+".summary", name), a.t(e.State+".body"))
	}
}

func (a *Alerts) syncBody() string {
	if len(a.finished) == 1 {
		f := a.finished[0]
		return a.t(plural("sync.one", f.files), f.name, f.files)
	}
	files := 0
	for _, f := range a.finished {
		files += f.files
	}
	return a.t("sync.many", len(a.finished), files)
}

func (a *Alerts) saleSummary(n int64) string {
	if n == 1 {
		return a.t("sale.summary.one")
	}
	return a.t("sale.summary.many", n)
}

func (a *Alerts) saleBody(title string, cents int64, currency string) string {
	if cents <= 0 {
		if title != "" {
			return a.t("sale.body.titleOnly", title)
		}
		return ""
	}
	money := Money(a.lang, cents, currency)
	if title != "" {
		return a.t("sale.body.title", title, money)
	}
	return a.t("sale.body", money)
}

func plural(key string, n int) string {
	if n == 1 {
		return key + ".1"
	}
	return key + ".n"
}

// t is the message key in the app's language, with args placed by fmt.
func (a *Alerts) t(key string, args ...any) string {
	s, ok := messages[a.lang][key]
	if !ok {
		s, ok = messages["en"][key]
	}
	if !ok {
		return key
	}
	return fmt.Sprintf(s, args...)
}
