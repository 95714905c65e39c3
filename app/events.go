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
// as a plain Emitter. Event names and payloads belong to the emitting
// packages (sync.EventFile with sync.FileEvent, player.EventStatus, …).
type Events struct {
	app *App
}

// Emit implements sync.Emitter and player.Emitter. The desktop (media
// controls, notifications) hears them too.
func (e *Events) Emit(name string, payload any) {
	if e.app.desk != nil {
		e.app.desk.emit(name, payload)
	}
	if w := e.app.window(); w != nil {
		runtime.EventsEmit(w, name, payload)
	}
}
