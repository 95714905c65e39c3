package app

import (
	"log/slog"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/megabox-fm/megabox/app/sync"
)

// Event names the UI listens for. Payloads are the types of the package
// that emits them (sync.FileEvent, player.Status, …).
const (
	EventFatal   = "app:fatal"  // string: the app could not start
	EventReady   = "app:ready"  // true: start-up finished; bound methods answer at once
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
	logProblem(payload)
	if e.app.desk != nil {
		e.app.desk.emit(name, payload)
	}
	if w := e.app.window(); w != nil {
		runtime.EventsEmit(w, name, payload)
	}
}

// logProblem writes a sync failure's cause to the log: the window says
// only its kind.
func logProblem(payload any) {
	switch ev := payload.(type) {
	case sync.FileEvent:
		if ev.State == sync.StateError && ev.Problem != nil {
			slog.Warn("sync: file needs attention", "file", ev.Path, "kind", ev.Problem.Kind, "detail", ev.Problem.Detail)
		}
	case sync.ReleaseEvent:
		if (ev.State == sync.StateError || ev.State == sync.StateRootMissing) && ev.Problem != nil {
			slog.Warn("sync: release folder needs attention", "folder", ev.Dir, "kind", ev.Problem.Kind, "detail", ev.Problem.Detail)
		}
	}
}
