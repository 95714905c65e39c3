// Package app is the desktop side of Megabox. Its root files are the only
// code that touches the Wails runtime: they wire the packages below to the
// window and expose thin façades (bind_*.go) to the UI.
package app

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/credentials"
	"github.com/megabox-fm/megabox/app/demo"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
	"github.com/megabox-fm/megabox/app/preview"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

// Config configures the desktop app.
type Config struct {
	Home        string        // local state; cache.Home() when empty
	PlatformURL string        // a remote platform; empty runs a local one
	Keyring     bool          // keep the session token in the OS keyring
	Output      player.Output // the sound device; the system's when nil
}

// App owns the desktop app's lifecycle.
type App struct {
	cfg    Config
	ctx    context.Context // for the app's own work; lives until Shutdown
	wails  context.Context // the window's, for dialogs and events
	events *Events
	desk   *desktop // media controls and notifications on the desktop

	cache   *cache.Cache
	creds   *credentials.Store
	client  *mhttp.Client
	local   *localPlatform
	engine  *sync.Engine
	library *library.Library
	player  *player.Player
	plays   *playReporter    // tells the platform about plays of bought tracks
	preview *preview.Cache   // the store's previews, played as local files
	browse  func(url string) // opens a page in the system browser; the window's when nil

	mu       gosync.Mutex
	sidecars gosync.Mutex // one edit of a megabox.json at a time
	account  *api.Account
	link     *Link // a megabox:// address waiting for the window
	cancel   context.CancelFunc
	work     gosync.WaitGroup // the app's goroutines; Shutdown waits for them

	opening atomic.Bool   // Start or Open was called
	called  atomic.Bool   // a bound method was called
	ready   chan struct{} // closed once Open has finished, well or not
	openErr error         // why Open failed; read only after ready
}

// New returns an app that starts when Wails calls Startup.
func New(cfg Config) *App {
	if cfg.Home == "" {
		cfg.Home = cache.Home()
	}
	startupMark("main-reached")
	a := &App{cfg: cfg, ready: make(chan struct{})}
	a.events = &Events{app: a}
	a.desk = &desktop{app: a}
	return a
}

// Start opens the app in the background; bound methods wait for it
// (started). The window calls it once its page is loaded (a reload calls
// it again, which does nothing), so opening the cache, the local platform
// and the engines never competes with the first frame. fail is called if
// the app cannot open.
func (a *App) Start(fail func(error)) {
	startupMark("page-loaded")
	if !a.opening.CompareAndSwap(false, true) {
		return
	}
	go func() {
		if err := a.open(); err != nil {
			fail(err)
		}
	}()
}

// startWait bounds how long a bound method waits for start-up.
const startWait = 30 * time.Second

// errStarting is what a bound method answers when start-up takes longer
// than startWait or failed.
var errStarting = &api.Error{Code: api.EUNAVAILABLE, Message: "Megabox is still starting. Try again in a moment."}

// started waits until Open has finished, so no bound method ever sees a
// half-started app. False means the app is not usable (yet).
func (a *App) started() bool {
	if a.called.CompareAndSwap(false, true) {
		startupMark("first-bound-call") // the page's script has run and mounted the UI
	}
	select {
	case <-a.ready:
		return a.openErr == nil
	default:
	}
	t := time.NewTimer(startWait)
	defer t.Stop()
	select {
	case <-a.ready:
		return a.openErr == nil
	case <-t.C:
		return false
	}
}

// whenStarted is started for bound methods that return an error.
func (a *App) whenStarted() error {
	if !a.started() {
		return uiError(errStarting)
	}
	return nil
}

// Open opens local state, the platform and the engines, then releases the
// bound methods waiting in started.
func (a *App) Open() error {
	a.opening.Store(true)
	return a.open()
}

func (a *App) open() (err error) {
	defer func() {
		a.openErr = err
		close(a.ready)
		startupMark("Open-returned")
		if err == nil {
			a.events.Emit(EventReady, true) // a window that asked too early asks again
		}
	}()
	startupMark("open-started")
	ctx, cancel := context.WithCancel(context.Background())
	a.ctx, a.cancel = ctx, cancel
	if a.cache, err = cache.Open(ctx, filepath.Join(a.cfg.Home, "cache.db")); err != nil {
		return err
	}
	startupMark("cache-opened")
	a.creds = credentials.New(a.cfg.Home, a.cfg.Keyring)
	url := a.cfg.PlatformURL
	if url == "" {
		if a.local, err = startLocal(ctx, filepath.Join(a.cfg.Home, "platform")); err != nil {
			return err
		}
		url = a.local.url
		startupMark("local-platform-started")
	}
	if a.client, err = mhttp.NewClient(url, nil); err != nil {
		return err
	}
	a.restoreSession(ctx)
	startupMark("session-restored")
	a.library = library.New(a.cache, a.cache.Setting(ctx, "library_dir", library.DefaultDir()), a.client)
	out := a.cfg.Output
	if out == nil {
		out = openOutput()
	}
	a.plays = newPlayReporter(a.cache, a.client.ReportPlay)
	a.work.Go(func() { a.plays.serve(ctx) })
	a.player = player.New(out, a.events, a.cache)
	a.preview = preview.New(filepath.Join(a.cfg.Home, "previews"), preview.DefaultMax, previewClient())
	a.engine = sync.New(a.cache, a.client, a.events, sync.Options{})
	a.work.Go(func() { a.serveSync(ctx) })
	a.work.Go(func() { a.library.Serve(ctx) })
	a.work.Go(func() { a.keepLibrary(ctx) })
	a.work.Go(func() { a.desk.serve(ctx) })
	debug.FreeOSMemory() // hand back what opening and seeding used
	return nil
}

// serveSync runs the sync engine until ctx ends. If it stops (the system
// refused to watch the folders), the engine's status says so and it
// starts again after a backoff.
func (a *App) serveSync(ctx context.Context) {
	wait := time.Second
	for {
		err := a.engine.Serve(ctx)
		if ctx.Err() != nil {
			return
		}
		slog.Error("sync stopped", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// keepLibrary mirrors purchases now and every minute, so work left while
// offline resumes when the platform returns.
func (a *App) keepLibrary(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if a.currentAccount() != nil {
			a.library.Request()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Startup is called by Wails once the window exists.
func (a *App) Startup(ctx context.Context) {
	startupMark("window-created")
	a.mu.Lock()
	a.wails = ctx
	a.mu.Unlock()
}

func (a *App) window() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.wails
}

// Shutdown is called by Wails when the window closes.
// Everything that uses the cache ends before the cache closes.
func (a *App) Shutdown(ctx context.Context) {
	if !a.opening.Load() {
		return
	}
	<-a.ready // a window closed during start-up closes a fully open app
	if a.cancel != nil {
		a.cancel()
	}
	a.work.Wait()
	if a.player != nil {
		a.player.Close()
	}
	if a.local != nil {
		a.local.close()
	}
	if a.cache != nil {
		a.cache.Close()
	}
}

// Bindings lists the façades bound to the UI.
func (a *App) Bindings() []any {
	return []any{&AccountAPI{a}, &SyncAPI{a}, &StoreAPI{a}, &LibraryAPI{a}, &PlayerAPI{a}, &EarningsAPI{a}, &RulesAPI{}, &DesktopAPI{a}, &CodesAPI{a}, &InsightAPI{a}, &PrivacyAPI{a}}
}

func (a *App) restoreSession(ctx context.Context) {
	sess, err := a.creds.Load()
	if err != nil {
		return
	}
	if sess.Server != a.client.BaseURL() {
		if a.local == nil || sess.Server != a.local.previousURL {
			return
		}
		// This home's own platform, moved to a new port: same accounts.
		sess.Server = a.client.BaseURL()
		if err := a.creds.Save(sess); err != nil { // it works this time; the next launch moves it again
			slog.Warn("keep the session at the platform's new address", "err", err)
		}
	}
	a.client.SetToken(sess.Token)
	me, err := a.client.Me(ctx)
	if api.ErrorCode(err) == api.EUNAUTHORIZED {
		a.client.SetToken("")
		if err := a.creds.Clear(); err != nil { // the next launch finds it refused again
			slog.Warn("forget the refused session", "err", err)
		}
		return
	}
	if err != nil { // offline: keep the session, know the account later
		me = &api.Account{Email: sess.Email}
	}
	a.setAccount(me)
}

func (a *App) setAccount(acc *api.Account) {
	a.mu.Lock()
	a.account = acc
	a.mu.Unlock()
}

func (a *App) currentAccount() *api.Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.account
}

// localPlatform is megaboxd running inside the app, on loopback.
type localPlatform struct {
	p            *platform.Platform
	l            net.Listener
	url          string
	previousURL  string // where it answered before, when its port had to change
	demoPassword string
	stop         context.CancelFunc
	work         gosync.WaitGroup // the server and its janitor; close waits for them
}

// localGrace is how long requests in flight may take to finish when the
// app closes.
const localGrace = 5 * time.Second

// startLocal runs the embedded platform and seeds the demo on first run.
// It runs until ctx ends or close is called.
func startLocal(ctx context.Context, dir string) (*localPlatform, error) {
	lp, err := openLocal(ctx, dir)
	if err != nil {
		return nil, err
	}
	lp.run(ctx)
	return lp, nil
}

// openLocal opens the embedded platform's storage and its address.
func openLocal(ctx context.Context, dir string) (*localPlatform, error) {
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0 // one person's machine: the demo seed alone makes ten accounts; Host and Content-Type checks keep web pages out
	p, err := platform.Open(ctx, dir, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return nil, err
	}
	pw, err := demo.Password(dir)
	if err != nil {
		p.Close()
		return nil, err
	}
	l, previous, err := listenLocal(dir)
	if err != nil {
		p.Close()
		return nil, err
	}
	// Only its own address: a web page reaching 127.0.0.1 under another
	// name (DNS rebinding) is refused.
	p.Handler.AllowHosts(mhttp.HostsFor(l.Addr().String())...)
	lp := &localPlatform{p: p, l: l, url: "http://" + l.Addr().String(), demoPassword: pw}
	if previous != "" {
		lp.previousURL = "http://" + previous
	}
	return lp, nil
}

// run starts the server and its janitor, then seeds the demo.
func (lp *localPlatform) run(ctx context.Context) {
	ctx, lp.stop = context.WithCancel(ctx)
	lp.work.Go(func() { lp.serve(ctx, lp.l) })
	lp.work.Go(func() { lp.p.Handler.Janitor(ctx) })
	if err := demo.Seed(ctx, lp.url, lp.demoPassword, lp.p.Accounts, lp.p.Services); err != nil {
		slog.Warn("demo content", "err", err)
	}
}

// serve answers on l until ctx ends. A platform that stops early leaves
// the app offline, so it says why.
func (lp *localPlatform) serve(ctx context.Context, l net.Listener) {
	if err := lp.p.Handler.Serve(ctx, l, localGrace); err != nil {
		slog.Error("local platform stopped", "err", err)
	}
}

// close stops the server, waits for it and its janitor, then closes the
// platform's storage.
func (lp *localPlatform) close() {
	lp.stop()
	lp.work.Wait()
	lp.p.Close()
}

// openOutput opens the sound device. With none the player says so and
// tries again each time play is pressed.
func openOutput() player.Output {
	out, err := player.NewOtoOutput(player.DeviceRate)
	if err != nil {
		slog.Warn("no sound device yet", "err", err)
	}
	return out
}
