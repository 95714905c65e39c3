package app

import (
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names the UI listens for. Payloads are the types of the package
// that emits them (sync.FileEvent, player.Status, …).
const (
	EventFatal   = "app:fatal"  // string: the app could not start
	EventOnline  = "app:online" // bool
	EventLibrary = "library:changed"
)

// Events is the only caller of the Wails event runtime; the engines see it
// as a plain Emitter.
type Events struct {
	app *App
}

// Emit implements sync.Emitter and player.Emitter.
func (e *Events) Emit(name string, payload any) {
	if e.app.ctx == nil {
		return
	}
	runtime.EventsEmit(e.app.ctx, name, payload)
}
