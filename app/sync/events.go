package sync

import (
	gosync "sync"
	"time"
)

// Event names, constant so the UI and the CLI can subscribe to them.
const (
	EventFile     = "sync:file"
	EventRelease  = "sync:release"
	EventProgress = "sync:progress"
)

// File and release states.
const (
	StateQueued    = "queued"
	StateHashing   = "hashing"
	StateUploading = "uploading"
	StateSynced    = "synced"
	StateWaiting   = "waiting" // still being written; looked at again later
	StateError     = "error"
	// Release-only states.
	StateMissing     = "folder missing"     // gone locally; nothing changed remotely
	StateConfirm     = "needs confirmation" // published or shrinking: the creator decides
	StateBlocked     = "blocked"            // draft synced, but file errors block publishing
	StateRootMissing = "root missing"
)

// Emitter receives progress. The desktop app forwards it to the window;
// the CLI draws progress bars.
type Emitter interface {
	Emit(event string, payload any)
}

// FileEvent is the state of one file.
type FileEvent struct {
	Root  string `json:"root"`
	Path  string `json:"path"`
	State string `json:"state"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	// Problem says why the file waits or is in error.
	Problem *Problem `json:"problem,omitempty"`
}

// ReleaseEvent is the state of one release folder.
type ReleaseEvent struct {
	Root      string `json:"root"`
	Dir       string `json:"dir"`
	State     string `json:"state"`
	ReleaseID int64  `json:"release_id"`
	Tracks    int    `json:"tracks"`
	// Problem says why the folder is in its state, or notes how it synced.
	Problem *Problem `json:"problem,omitempty"`
}

// Progress totals the engine's work.
type Progress struct {
	FilesTotal int64   `json:"files_total"`
	FilesDone  int64   `json:"files_done"`
	BytesTotal int64   `json:"bytes_total"`
	BytesDone  int64   `json:"bytes_done"`
	RateBps    float64 `json:"rate_bps"`
	ETASeconds float64 `json:"eta_seconds"`
	Paused     bool    `json:"paused"`
	Online     bool    `json:"online"`
	// Problem says sync is off or only partly watching, and why.
	Problem *Problem `json:"problem,omitempty"`
}

// NopEmitter discards events.
type NopEmitter struct{}

// Emit implements Emitter.
func (NopEmitter) Emit(string, any) {}

// throttle passes an event per key at most once per interval; final
// states always pass.
type throttle struct {
	mu       gosync.Mutex
	interval time.Duration
	last     map[string]time.Time
}

func newThrottle(interval time.Duration) *throttle {
	return &throttle{interval: interval, last: map[string]time.Time{}}
}

func (t *throttle) allow(key string, final bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if final {
		delete(t.last, key)
		return true
	}
	if now.Sub(t.last[key]) < t.interval {
		return false
	}
	t.last[key] = now
	return true
}

// meter totals upload work and measures the rate over the last seconds.
type meter struct {
	mu                    gosync.Mutex
	files, filesDone      int64
	bytes, bytesDone      int64
	windowStart           time.Time
	windowBytes, lastRate float64
}

func (m *meter) add(files, bytes int64) {
	m.mu.Lock()
	m.files += files
	m.bytes += bytes
	m.mu.Unlock()
}

func (m *meter) advance(bytes int64, fileDone bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bytesDone += bytes
	if fileDone {
		m.filesDone++
	}
	now := time.Now()
	if m.windowStart.IsZero() {
		m.windowStart = now
	}
	m.windowBytes += float64(bytes)
	if d := now.Sub(m.windowStart); d >= time.Second {
		m.lastRate = m.windowBytes / d.Seconds()
		m.windowStart, m.windowBytes = now, 0
	}
}

func (m *meter) snapshot() Progress {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := Progress{FilesTotal: m.files, FilesDone: m.filesDone, BytesTotal: m.bytes, BytesDone: m.bytesDone, RateBps: m.lastRate}
	if m.lastRate > 0 {
		p.ETASeconds = float64(m.bytes-m.bytesDone) / m.lastRate
	}
	return p
}
