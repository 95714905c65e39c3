// Package app is the desktop side of Megabox. Its root files are the only
// code that touches the Wails runtime; everything else lives in
// sub-packages that know nothing of the UI.
package app

import "context"

// Config configures the desktop app.
type Config struct{}

// App owns the desktop app's lifecycle.
type App struct {
	cfg Config
	ctx context.Context
}

// New returns an app that starts when Wails calls Startup.
func New(cfg Config) *App { return &App{cfg: cfg} }

// Startup is called by Wails once the window exists.
func (a *App) Startup(ctx context.Context) { a.ctx = ctx }

// Shutdown is called by Wails when the window closes.
func (a *App) Shutdown(ctx context.Context) {}

// Bindings lists the façades bound to the UI.
func (a *App) Bindings() []any { return []any{} }
