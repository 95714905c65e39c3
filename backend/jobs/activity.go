package jobs

import (
	"sync"
	"sync/atomic"
	"time"
)

// Activity counts work under way that background jobs must not slow down:
// a creator's files arriving, fans buying. Jobs of the kinds registered with
// HandleIdle start only once no such work has been under way for
// Config.Settle, or once they have waited Config.IdleWait (so a server
// that is never quiet still gets them done). A nil Activity is always
// quiet.
type Activity struct {
	active atomic.Int64
	ended  atomic.Int64 // unix nanoseconds, when work last ended
}

// Begin marks work under way until end is called (once; later calls do
// nothing).
func (a *Activity) Begin() (end func()) {
	a.active.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			a.ended.Store(time.Now().UnixNano())
			a.active.Add(-1)
		})
	}
}

// quiet says whether no work has been under way for settle.
func (a *Activity) quiet(now time.Time, settle time.Duration) bool {
	if a == nil {
		return true
	}
	return a.active.Load() == 0 && now.Sub(time.Unix(0, a.ended.Load())) >= settle
}
